// How a sheet written by xlsegment's buttons prints: orientation, paper, one page wide, the rows repeated on
// every page, header and footer, page breaks -- the report description's page set-up, which xlwings' Office.js
// actions cannot set. Python asks for it with book.app.macro("xlsegmentPageSetup")(sheetPosition, page)
// (xlsegment/excel/page.py); xlwings Server's runMacro action calls this function as
// callback(context, sheetPosition, page). Office.js' page layout needs ExcelApi 1.9: older Excels keep
// their default page.
export async function xlsegmentPageSetup(context, sheetPosition, page) {
  if (!Office.context.requirements.isSetSupported("ExcelApi", "1.9")) {
    return;
  }
  const sheets = context.workbook.worksheets;
  sheets.load("items");
  await context.sync();
  const sheet = sheets.items[sheetPosition];
  const layout = sheet.pageLayout;
  layout.orientation = page.orientation;
  layout.paperSize = page.paperSize;
  layout.zoom = {
    horizontalFitToPages: page.fitWidth,
    verticalFitToPages: page.fitHeight, // 0: as many pages as needed (the file format's fitToHeight="0")
  };
  if (page.titleRows) {
    layout.setPrintTitleRows(page.titleRows);
  }
  const pages = layout.headersFooters.defaultForAllPages;
  pages.centerHeader = page.header;
  pages.centerFooter = page.footer;
  for (const cell of page.breaks) {
    sheet.horizontalPageBreaks.add(cell);
  }
  await context.sync();
}
