// xlsegment ribbon buttons: each FunctionName of templates/manifest.xml runs one script of
// xlsegment.excel.scripts through xlwings Server (Office.actions.associate needs event.completed()).
async function runXlsegmentScript(scriptName, event) {
  let authResult =
    typeof globalThis.getAuth === "function"
      ? await globalThis.getAuth()
      : { token: "", provider: "" };
  try {
    await xlwings.runPython({
      auth: authResult.token,
      scriptName: scriptName,
      headers: { "Auth-Provider": authResult.provider },
    });
  } finally {
    event.completed();
  }
}
Office.actions.associate("xlsegment-segment", (event) => runXlsegmentScript("segment", event));
Office.actions.associate("xlsegment-refresh", (event) => runXlsegmentScript("refresh", event));
Office.actions.associate("xlsegment-mailing", (event) => runXlsegmentScript("mailing", event));
Office.actions.associate("xlsegment-settings", (event) => runXlsegmentScript("settings", event));
