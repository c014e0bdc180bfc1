// xlsegment's own JavaScript for xlwings Server (this file replaces xlwings Server's empty static/js/main.js):
// the functions the Python buttons call through book.app.macro(...), registered by name.
import { registerCallback } from "./custom-scripts/index.js";
import { xlsegmentPageSetup } from "./xlsegment-page.js";

registerCallback(xlsegmentPageSetup);
