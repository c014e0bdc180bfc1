"""How the buttons' sheets print: the description's page set-up (orientation, paper, one page wide, rows
repeated on every page, header and footer, page breaks) on the runtimes that offer a way to set it.

xlwings' Office.js engine has no page set-up action: in xlwings 0.37.8 (`xlwings/pro/_xlremote.py`) the
sheet's `PageSetup` offers `print_area` alone (`setPrintArea`). What it does offer is `app.macro(name)(*args)`:
a `runMacro` action, which xlwings Server's client (`xlwings_server/static/js/custom-scripts/index.js`,
`runMacro`) hands to the JavaScript function the add-in registered under that name with `registerCallback`,
as `callback(context, *args)`. xlsegment's server project registers `xlsegmentPageSetup`
(`server_project/static/js/xlsegment-page.js`), which sets Office.js' `worksheet.pageLayout` (ExcelApi 1.9).
xlwings Lite runs the add-in's own JavaScript, in which nothing of ours can be registered: there the sheets
print with Excel's defaults. Classic Excel on Windows sets the same page through COM (`Sheet.api.PageSetup`).
"""

from __future__ import annotations

import sys
from typing import Any

from xlsegment.report.model import PageSetup

PAGE_CALLBACK = "xlsegmentPageSetup"  # the JavaScript function of server_project/static/js/xlsegment-page.js
PAPER = {"A4": "A4", "letter": "Letter"}  # Office.js Excel.PaperType
COM_PAPER = {"A4": 9, "letter": 1}  # Excel's XlPaperSize
COM_ORIENTATION = {"portrait": 1, "landscape": 2}  # Excel's XlPageOrientation


def engine_of(xl_sheet: Any) -> str:
    """ "officejs" (xlwings Server), "lite" (xlwings Lite: Office.js from Pyodide), "com" (classic Excel on
    Windows) or "other" (macOS AppleScript, files): the runtime drawing this sheet."""
    module = type(getattr(xl_sheet, "impl", None)).__module__
    if module.endswith("_xlremote"):
        return "lite" if sys.platform == "emscripten" else "officejs"
    if module.endswith("_xlwindows"):
        return "com"
    return "other"


def page_options(page: PageSetup, row_offset: int = 0) -> dict[str, Any]:
    """The page set-up as the JavaScript callback takes it (Office.js names and values); rows moved down by
    `row_offset`. A page break after row r (the file format's) is Office.js' break before row r + 1."""
    title = ""
    if page.title_rows:
        first, last = (r + row_offset for r in page.title_rows)
        title = f"${first}:${last}"
    return {
        "orientation": "Landscape" if page.orientation == "landscape" else "Portrait",
        "paperSize": PAPER.get(page.paper, "A4"),
        "fitWidth": page.fit_width,
        "fitHeight": page.fit_height,
        "titleRows": title,
        "header": page.header,
        "footer": page.footer,
        "breaks": [f"A{r + 1 + row_offset}" for r in page.breaks],
    }


def apply_page_setup(xl_sheet: Any, page: PageSetup, row_offset: int = 0) -> bool:
    """Set how the sheet prints where the runtime has a way (see the module's docstring); whether it did."""
    engine = engine_of(xl_sheet)
    if engine == "officejs" and xl_sheet.book.api.get("client") == "Office.js":
        xl_sheet.book.app.macro(PAGE_CALLBACK)(xl_sheet.index - 1, page_options(page, row_offset))
        return True
    if engine == "com":
        _com_page_setup(xl_sheet.api, page_options(page, row_offset), page)
        return True
    return False


def _com_page_setup(api: Any, options: dict[str, Any], page: PageSetup) -> None:
    """The same page set-up through Excel's COM object model (pywin32)."""
    setup = api.PageSetup
    setup.Orientation = COM_ORIENTATION.get(page.orientation, 1)
    setup.PaperSize = COM_PAPER.get(page.paper, 9)
    setup.Zoom = False  # fit to pages instead of a scale
    setup.FitToPagesWide = page.fit_width or False
    setup.FitToPagesTall = page.fit_height or False  # 0: as many pages as needed
    setup.PrintTitleRows = options["titleRows"]
    setup.CenterHeader = page.header
    setup.CenterFooter = page.footer
    for cell in options["breaks"]:
        api.HPageBreaks.Add(api.Range(cell))
