"""The openpyxl renderer: draws the report description (`xlsegment.report.describe`) as a headless workbook.

Every position, formula, chart and format comes from the description; this module only turns it into
openpyxl objects. The workbook is written in openpyxl write-only mode (rows streamed to disk, memory flat in the number of
customers), with or without a template (see xlsegment.workbook.template and docs/workbook.md).
"""

from __future__ import annotations

import contextlib
import functools
import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.formatting.rule import ColorScaleRule, DataBarRule
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.table import Table as XlTable
from openpyxl.worksheet.table import TableColumn, TableStyleInfo

from xlsegment.atomic import atomic_write, private_scratch
from xlsegment.report import Book, Report, ReportTable, describe, sheet_names
from xlsegment.report.model import Cell, Chart, ConditionalFormat, Grid, Sheet, Table, Text
from xlsegment.workbook import cells as cellmod
from xlsegment.workbook import fastrows
from xlsegment.workbook import template as tpl
from xlsegment.workbook.formulas import check_functions
from xlsegment.workbook.safety import (
    SheetLayout,
    WorkbookError,
    check_defined_name,
    check_sheet_name,
    check_table_headers,
)
from xlsegment.workbook.styles import register_styles

Progress = Callable[[str, int, int], None]

PROGRESS_EVERY = 5_000


FORMER_SHEET_NAMES = ("Summary", "Synthèse")  # the first sheet's names before "Start here"


def reserved_sheet_names() -> set[str]:
    """Our sheet names in every language, and the names they had before (a template's sheets with these
    names are replaced)."""
    names = {name for lang in ("en", "fr") for name in sheet_names(lang).values()}
    return {name.lower() for name in (*names, *FORMER_SHEET_NAMES)}


def table_headers(table: ReportTable | Table) -> list[str]:
    """The header strings as written to the cells (and to an Excel table's columns: they must match)."""
    headers = table.headers if isinstance(table, Table) else table.frame.columns
    return [cellmod.clean_text(c) for c in headers]


def _counted(rows, per_chunk: int, total: int, report: Callable[[int], None]):
    done = 0
    for chunk in rows:
        yield chunk
        done = min(done + per_chunk, total)
        report(done)


class SheetRenderer:
    """Draws one Sheet of the description into a write-only openpyxl sheet, top to bottom."""

    def __init__(self, wb: Workbook, sheet: Sheet, styles: dict[str, str]) -> None:
        self.sheet = sheet
        self.ws = wb.create_sheet(sheet.name)
        self.styles = styles
        self.factory = cellmod.CellFactory(self.ws)
        self.layout = SheetLayout(sheet.name)
        self.rows: dict[int, list[tuple[int, Any]]] = {}

    def render(self, progress: Progress | None) -> None:
        self._sheet_look()  # column widths, outline and fit-to-page go before the first row
        stream = None
        for block in self.sheet.blocks:
            if isinstance(block, Table) and block.stream and len(block.frame) and fastrows.available(self.ws):
                stream = block
                self._put(block.row, block.col, [self._styled(h, "header") for h in table_headers(block)])
            else:
                self._place(block, progress)
        last = max(self.rows, default=0)
        for r in range(1, last + 1):
            line: dict[int, Any] = {}
            for col, cells in self.rows.pop(r, []):
                # a table's cells are made only now: its writer reuses one cell per column (write-only mode
                # serialises a row as soon as it is appended)
                for j, c in enumerate(cells() if callable(cells) else cells):
                    if c is not None:
                        line[col + j] = c
            self.ws.append([line.get(c) for c in range(1, max(line, default=0) + 1)])
        if stream is not None:
            self._stream(stream, progress)
        for block in self.sheet.blocks:
            if isinstance(block, Table) and block.excel_name:
                self._excel_table(block)
        self._decorations()

    # ------------------------------------------------------------------ blocks
    def _styled(
        self, value: Any, role: str | None = None, number_format: str | None = None, where: str = ""
    ) -> Any:
        return self.factory.cell(
            value,
            style=self.styles[role] if role and role in self.styles else None,
            number_format=number_format,
            where=where or f"sheet {self.ws.title!r}",
        )

    def _put(self, row: int, col: int, cells: list[Any] | Callable[[], list[Any]]) -> None:
        """Cells (or a function making them) to write at `row` from column `col`."""
        self.rows.setdefault(row, []).append((col, cells))

    def _place(self, block: Any, progress: Progress | None) -> None:
        if isinstance(block, Text):
            self._put(block.row, block.col, [self._styled(block.text, block.style)])
        elif isinstance(block, Grid):
            for i, row in enumerate(block.rows):
                self._put(
                    block.row + i, block.col, [self._cell(c, block.cell(i, j)) for j, c in enumerate(row)]
                )
        elif isinstance(block, Table):
            self._table(block, progress)
        else:  # pragma: no cover - a new block type without its renderer
            raise WorkbookError(f"sheet {self.ws.title!r}: no renderer for {type(block).__name__}")

    def _cell(self, c: Cell, where: str) -> Any:
        if c.formula:
            out = self._styled(None, c.style, c.number_format)
            cellmod.formula(out, check_functions(c.formula))
            return out
        if c.value is None and not c.style:
            return None
        return self._styled(c.value, c.style, c.number_format, f"sheet {self.ws.title!r}, cell {where}")

    def _table(self, t: Table, progress: Progress | None) -> None:
        self._put(t.row, t.col, [self._styled(h, "header") for h in table_headers(t)])
        columns = [cellmod.column_values(t.frame.iloc[:, j], kind) for j, kind in enumerate(t.kinds)]
        write = self.factory.row_writer(
            t.formats, t.kinds, t.row + 1, t.col, self._centered(t), self._wrapped(t)
        )
        n = len(t.frame)
        for i, values in enumerate(zip(*columns, strict=True)):
            self._put(t.row + 1 + i, 1, functools.partial(write, i, values))
            if progress and t.stream and i % PROGRESS_EVERY == 0:
                progress(t.name, i, n)
        if progress and t.stream:
            progress(t.name, n, n)

    @staticmethod
    def _centered(t: Table) -> list[bool]:
        return [k in t.centered for k in t.keys]

    @staticmethod
    def _wrapped(t: Table) -> list[bool]:
        return [k in t.wrap for k in t.keys]

    def _stream(self, t: Table, progress: Progress | None) -> None:
        n = len(t.frame)
        rows = fastrows.render_rows(
            self.ws,
            t.frame,
            t.kinds,
            t.formats,
            t.row + 1,
            self._centered(t),
            self._wrapped(t),
            self.sheet.row_heights,
        )
        if progress:
            rows = _counted(rows, fastrows.CHUNK_ROWS, n, lambda done: progress(t.name, done, n))
        fastrows.stream(self.ws, rows, t.row + 1)

    def _excel_table(self, t: Table) -> None:
        """An Excel table (filters, banded rows) with checked headers over a Table block."""
        name = t.excel_name or ""
        headers = check_table_headers(table_headers(t), f"sheet {self.ws.title!r}, table {name}")
        check_defined_name(name)
        self.layout.claim(t.ref, name)
        table = XlTable(displayName=name, ref=t.ref)
        table.tableColumns = [TableColumn(id=i, name=h) for i, h in enumerate(headers, 1)]
        table.autoFilter = AutoFilter(ref=t.ref)  # filter buttons (set explicitly: the columns are given)
        table.tableStyleInfo = TableStyleInfo(
            name="TableStyleMedium2", showRowStripes=True, showColumnStripes=False
        )
        with warnings.catch_warnings():  # openpyxl warns in write-only mode even when the columns are given
            warnings.filterwarnings("ignore", "In write-only mode you must add table columns manually")
            self.ws.add_table(table)

    # ------------------------------------------------------------------ look
    def _sheet_look(self) -> None:
        s, ws = self.sheet, self.ws
        for i, w in enumerate(s.widths, 1):
            ws.column_dimensions[get_column_letter(i)].width = w
        for group in s.outlines:  # column by column: openpyxl's group() would drop their own widths
            for col in range(group.first, group.last + 1):
                dim = ws.column_dimensions[get_column_letter(col)]
                dim.outline_level, dim.hidden = group.level, group.hidden
        streamed = next((b for b in s.blocks if isinstance(b, Table) and b.stream), None)
        for r, h in s.row_heights.items():
            if (
                streamed is None or r <= streamed.row or not fastrows.available(ws)
            ):  # streamed rows carry theirs
                ws.row_dimensions[r].height = h
        if s.freeze:
            ws.freeze_panes = s.freeze
        ws.sheet_view.showGridLines = s.gridlines
        page = s.page
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.page_setup.orientation = page.orientation
        ws.page_setup.paperSize = PAPER_SIZES.get(page.paper, 9)
        ws.page_setup.fitToWidth = page.fit_width
        ws.page_setup.fitToHeight = page.fit_height
        if page.title_rows:
            ws.print_title_rows = f"{page.title_rows[0]}:{page.title_rows[1]}"
        if page.header:
            ws.HeaderFooter.oddHeader.center.text = page.header
        if page.footer:
            ws.HeaderFooter.oddFooter.center.text = page.footer
        for r in page.breaks:
            ws.row_breaks.append(Break(id=r))

    def _decorations(self) -> None:
        for merge in self.sheet.merges:
            self.layout.claim(merge, "merged cells")
            self.ws.merged_cells.add(merge)
        for cf in self.sheet.formats:
            self.ws.conditional_formatting.add(cf.ref, conditional_rule(cf))
        for chart in self.sheet.charts:
            self.ws.add_chart(openpyxl_chart(self.ws, chart), chart.anchor)


PAPER_SIZES = {"A4": 9, "letter": 1}


def conditional_rule(cf: ConditionalFormat) -> Any:
    """The openpyxl rule of a data bar or colour scale."""
    if cf.rule == "data_bar":
        (t1, v1, _), (t2, v2, colour) = cf.points
        return DataBarRule(start_type=t1, start_value=v1, end_type=t2, end_value=v2, color=colour)
    if cf.rule == "color_scale":
        keys = ("start", "mid", "end") if len(cf.points) == 3 else ("start", "end")
        options: dict[str, Any] = {}
        for key, (kind, value, colour) in zip(keys, cf.points, strict=True):
            options[f"{key}_type"] = kind
            options[f"{key}_color"] = colour
            if value is not None:
                options[f"{key}_value"] = value
        return ColorScaleRule(**options)
    raise WorkbookError(f"unknown conditional format {cf.rule!r}")


def _reference(ws: Any, ref: str, title_ref: str | None = None) -> Reference:
    min_col, min_row, max_col, max_row = range_boundaries(ref)
    if title_ref is not None:
        min_row -= 1  # the series name is the cell just above its values
    return Reference(ws, min_col=min_col, min_row=min_row, max_col=max_col, max_row=max_row)


def openpyxl_chart(ws: Any, spec: Chart) -> Any:
    """An openpyxl chart from a Chart description (bars, horizontal bars, lines, or bars + line on a second
    axis)."""
    main = [s for s in spec.series if not s.secondary]
    if spec.kind == "line":
        chart = LineChart()  # straight segments between the points (a smoothed curve overshoots them)
    else:
        chart = BarChart()
        chart.type = "bar" if spec.kind == "bar" else "col"
    chart.title = spec.title
    for s in main:
        chart.add_data(_reference(ws, s.values, s.title_ref), titles_from_data=s.title_ref is not None)
    chart.set_categories(_reference(ws, spec.categories))
    if spec.kind == "line":
        for series in chart.series:
            series.smooth = False
    chart.y_axis.majorGridlines = None
    chart.y_axis.number_format = spec.y_format
    if spec.y_title:
        chart.y_axis.title = spec.y_title
    if spec.kind == "bar":
        chart.x_axis.scaling.orientation = "maxMin"  # first category on top, as in the table
    if not spec.legend:
        chart.legend = None
    _axes_visible(chart)
    secondary = [s for s in spec.series if s.secondary]
    if secondary:
        line = LineChart()
        for s in secondary:
            line.add_data(_reference(ws, s.values, s.title_ref), titles_from_data=s.title_ref is not None)
        line.y_axis.axId = 200
        line.y_axis.crosses = "max"
        line.y_axis.number_format = spec.secondary_format
        line.y_axis.scaling.min = 0
        if spec.secondary_title:
            line.y_axis.title = spec.secondary_title
        _axes_visible(line)
        chart += line
    chart.width, chart.height = spec.width, spec.height
    return chart


def _axes_visible(chart: Any) -> None:
    """openpyxl writes no <c:delete>; Excel then hides the axes (design.md section 6)."""
    chart.x_axis.delete = False
    chart.y_axis.delete = False


# --------------------------------------------------------------------------------------------- entry


def build_workbook(
    report: Report | Book, template: str | os.PathLike | None = None, progress: Progress | None = None
) -> Workbook:
    """The openpyxl Workbook of a Report or its description (not saved): our sheets first, then a template's.

    Always a write-only workbook: with a template, its look and its other sheets are copied in
    (see xlsegment.workbook.template)."""
    if isinstance(report, Report):
        customers = report.customers
        if not customers.has("customer_id") or not customers.has("revenue"):
            raise WorkbookError("the customers table needs customer_id and revenue columns")
    book = describe(report) if isinstance(report, Report) else report
    source = tpl.load_template(template) if template is not None else None
    wb = Workbook(write_only=True)
    reserved = reserved_sheet_names() | {s.name.lower() for s in book.sheets}
    kept = [ws.title for ws in source.worksheets if ws.title.lower() not in reserved] if source else []
    existing: list[str] = []
    for sheet in book.sheets:
        check_sheet_name(sheet.name, existing + kept)
        existing.append(sheet.name)
    if source is not None:
        tpl.apply_look(source, wb)
    styles = register_styles(wb)
    try:
        renderers = [SheetRenderer(wb, sheet, styles) for sheet in book.sheets]
        for renderer in renderers:
            renderer.render(progress)
        if source is not None:
            tpl.copy_sheets(source, wb, reserved)
    except BaseException:
        discard(wb)
        raise
    wb.calculation.fullCalcOnLoad = True
    return wb


def save_atomic(
    wb: Workbook, output: str | os.PathLike, *, force: bool = False, source: str | os.PathLike | None = None
) -> Path:
    """Save to a temporary file in the output's folder, then rename over the output.

    Refuses an existing output unless `force`, and an output that is the input `source`. A crash leaves no
    half-written workbook (the temporary file is removed).
    """
    try:
        return _save_atomic(wb, Path(output), force, source)
    except BaseException:
        discard(wb)
        raise


def _save_atomic(wb: Workbook, out: Path, force: bool, source: str | os.PathLike | None) -> Path:
    if out.suffix.lower() not in (".xlsx", ".xlsm"):
        raise WorkbookError(f"output {str(out)!r} must end in .xlsx")
    if source is not None and not isinstance(source, (bytes, bytearray)):
        src = Path(source)
        same = src.exists() and out.exists() and os.path.samefile(src, out)
        if same or src.resolve() == out.resolve():
            raise WorkbookError(f"output {str(out)!r} is the input ledger; choose another file name")
    if out.exists() and not force:
        raise WorkbookError(f"output {str(out)!r} already exists; use --force to replace it")
    folder = out.resolve().parent
    if not folder.is_dir():
        raise WorkbookError(f"folder {str(folder)!r} does not exist")
    return atomic_write(out, wb.save)


def write_workbook(
    report: Report | Book,
    output: str | os.PathLike,
    *,
    template: str | os.PathLike | None = None,
    force: bool = False,
    source: str | os.PathLike | None = None,
    progress: Progress | None = None,
) -> Path:
    """Build the workbook of `report` and save it atomically to `output` (see save_atomic for the refusals)."""
    out = Path(output)
    if out.exists() and not force:  # refuse before the (long) build
        raise WorkbookError(f"output {str(out)!r} already exists; use --force to replace it")
    with private_scratch():  # openpyxl's temporary sheet files: never left in the system temp folder
        wb = build_workbook(report, template, progress)
        return save_atomic(wb, out, force=force, source=source)


def discard(wb: Workbook) -> None:
    """Release a write-only workbook that will not be saved (closes its sheets' temporary streams)."""
    for ws in getattr(wb, "_sheets", []):
        close = getattr(ws, "close", None)
        if close is not None and not getattr(ws, "closed", True):
            with contextlib.suppress(Exception):
                close()
