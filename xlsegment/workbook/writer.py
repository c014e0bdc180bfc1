"""The headless segmented workbook: Summary, Customers, Actions, Model and Settings sheets from a Report.

The workbook is written in openpyxl write-only mode (rows streamed to disk, memory flat in the number of
customers), with or without a template (see xlsegment.workbook.template and docs/workbook.md).
"""

from __future__ import annotations

import contextlib
import math
import os
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.formatting.rule import ColorScaleRule, DataBarRule
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from xlsegment.atomic import atomic_write
from xlsegment.labels import label
from xlsegment.report import Report, ReportTable, sheet_names
from xlsegment.workbook import cells as cellmod
from xlsegment.workbook import fastrows
from xlsegment.workbook import formulas as fm
from xlsegment.workbook import template as tpl
from xlsegment.workbook.safety import (
    SheetLayout,
    WorkbookError,
    check_defined_name,
    check_sheet_name,
    check_table_headers,
)
from xlsegment.workbook.styles import WIDTHS, number_formats, register_styles

Progress = Callable[[str, int, int], None]

TABLE_NAMES = {"customers": "tblCustomers", "actions": "tblPlaybook", "mailing": "tblMailing"}
CHART_COLUMN = 10  # charts are anchored from column J of the Summary sheet
PROGRESS_EVERY = 5_000


def reserved_sheet_names() -> set[str]:
    """Our sheet names in every language (a template's sheets with these names are replaced)."""
    return {name.lower() for lang in ("en", "fr") for name in sheet_names(lang).values()}


class _Sheet:
    """A sheet written top to bottom, row after row (what write-only mode allows)."""

    def __init__(self, wb: Workbook, title: str, styles: dict[str, str], lang: str):
        self.ws = wb.create_sheet(title)
        self.row = 0
        self.styles = styles
        self.formats = number_formats(lang)
        self.factory = cellmod.CellFactory(self.ws)
        self.layout = SheetLayout(title)
        self.fast = fastrows.available(self.ws)
        self.closed = False

    def widths(self, widths: Sequence[float]) -> None:
        self.col_widths = list(widths)
        for i, w in enumerate(widths, 1):
            self.ws.column_dimensions[get_column_letter(i)].width = w

    def append(self, values: Sequence[Any]) -> int:
        if self.closed:
            raise WorkbookError(f"sheet {self.ws.title!r}: nothing may be written after a streamed table")
        self.ws.append(list(values))
        self.row += 1
        return self.row

    def blank(self, n: int = 1) -> None:
        for _ in range(n):
            self.append([])

    def styled(self, value: Any, role: str | None = None, kind: str | None = None, where: str = "") -> Any:
        return self.factory.cell(
            value,
            style=self.styles[role] if role else None,
            number_format=self.formats[kind] if kind else None,
            where=where or f"sheet {self.ws.title!r}, row {self.row + 1}",
        )

    def formula_cell(self, text: str, kind: str | None = None, role: str | None = None) -> Any:
        c = self.styled(None, role, kind)
        cellmod.formula(c, text)
        return c

    def title(self, text: str, role: str = "title") -> int:
        if role == "title":
            self.ws.row_dimensions[self.row + 1].height = 26
        return self.append([self.styled(text, role)])

    def header(self, headers: Sequence[str]) -> int:
        # wrapped headers need room (set before the row is written): one line per column width of text
        widths = getattr(self, "col_widths", [])
        lines = max(
            (
                math.ceil(len(str(h)) / max((widths[i] if i < len(widths) else 10) - 2, 4))
                for i, h in enumerate(headers)
            ),
            default=1,
        )
        if lines > 1:
            self.ws.row_dimensions[self.row + 1].height = 15 * min(lines, 4)
        return self.append([self.styled(h, "header") for h in headers])

    def table_rows(
        self, table: ReportTable, progress: Progress | None = None, stage: str = "", last_block: bool = False
    ) -> tuple[int, int]:
        """Write a ReportTable's header and rows; return (header row, last row).

        `last_block`: nothing follows on this sheet, so the rows may be streamed as XML (fastrows)."""
        header_row = self.header(table_headers(table))
        formats = [self.formats[k] for k in table.kinds]
        centered = [k.endswith(("_score", "_code")) for k in table.keys]
        n = len(table.frame)
        if last_block and self.fast and n:
            rows = fastrows.render_rows(self.ws, table.frame, table.kinds, formats, header_row + 1, centered)
            if progress:
                rows = _counted(rows, fastrows.CHUNK_ROWS, n, lambda done: progress(stage, done, n))
            fastrows.stream(self.ws, rows, header_row + 1)
            self.row += n
            self.closed = True
            return header_row, self.row
        columns = [cellmod.column_values(table.frame.iloc[:, j], kind) for j, kind in enumerate(table.kinds)]
        write = self.factory.row_writer(formats, table.kinds, header_row + 1, centered=centered)
        for i, values in enumerate(zip(*columns, strict=True)):
            self.ws.append(write(i, values))
            if progress and i % PROGRESS_EVERY == 0:
                progress(stage, i, n)
        self.row += n
        if progress:
            progress(stage, n, n)
        return header_row, self.row

    def excel_table(
        self,
        table: ReportTable,
        name: str,
        progress: Progress | None = None,
        stage: str = "",
        last_block: bool = False,
    ) -> tuple[int, int]:
        """Write a ReportTable as an Excel table (filters, banded rows) with checked headers."""
        headers = check_table_headers(table_headers(table), f"sheet {self.ws.title!r}, table {name}")
        check_defined_name(name)
        header_row, last = self.table_rows(table, progress, stage, last_block)
        if last == header_row:  # a table needs one data row
            self.append([])
            last += 1
        ref = f"A{header_row}:{get_column_letter(len(headers))}{last}"
        self.layout.claim(ref, name)
        t = Table(displayName=name, ref=ref)
        t.tableColumns = [TableColumn(id=i, name=h) for i, h in enumerate(headers, 1)]
        t.autoFilter = AutoFilter(ref=ref)  # filter buttons (set explicitly: the columns are given, not read)
        t.tableStyleInfo = TableStyleInfo(
            name="TableStyleMedium2", showRowStripes=True, showColumnStripes=False
        )
        with warnings.catch_warnings():  # openpyxl warns in write-only mode even when the columns are given
            warnings.filterwarnings("ignore", "In write-only mode you must add table columns manually")
            self.ws.add_table(t)
        return header_row, last


def table_headers(table: ReportTable) -> list[str]:
    """The header strings as written to the cells (and to an Excel table's columns: they must match)."""
    return [cellmod.clean_text(c) for c in table.frame.columns]


def _counted(rows, per_chunk: int, total: int, report: Callable[[int], None]):
    done = 0
    for chunk in rows:
        yield chunk
        done = min(done + per_chunk, total)
        report(done)


def _text_widths(table: ReportTable, sample: int = 500) -> list[float]:
    out = []
    for j, kind in enumerate(table.kinds):
        header = str(table.frame.columns[j])
        width = max(WIDTHS.get(kind, 12), min(len(header) * 1.15 + 3, 30))
        if kind == "text":
            values = table.frame.iloc[:sample, j].dropna().astype(str)
            if len(values):
                width = max(width, min(int(values.str.len().max()) + 2, 45))
        out.append(float(width))
    return out


def _merge_widths(*lists: Sequence[float]) -> list[float]:
    n = max((len(w) for w in lists), default=0)
    return [max((w[i] for w in lists if i < len(w)), default=10.0) for i in range(n)]


# --------------------------------------------------------------------------------------------- sheets


def _write_summary(s: _Sheet, report: Report, ranges: fm.CustomerRanges) -> None:
    s.widths([52, 16, 14, 16, 14, 14, 14, 4, 4])
    s.title(report.title)
    s.append([s.styled(report.subtitle, "subtitle")])
    for sentence in report.model_verdicts:  # whether the CLV figures can be trusted, first thing read
        s.append([s.styled(sentence, "subtitle")])
    s.blank()

    # headline figures
    s.title(report.headline.title, "heading")
    s.header(list(report.headline.frame.columns))
    top20 = report.top20_label
    cells: dict[str, str] = {}
    for key, kind, (name, value) in zip(
        report.headline.row_keys,
        report.headline.row_kinds,
        report.headline.frame.itertuples(index=False),
        strict=True,
    ):
        row = s.row + 1
        f = fm.headline_formula(key, ranges, cells, top20)
        value_cell = s.formula_cell(f, kind, "figure") if f else s.styled(value, "figure", kind)
        s.append([s.styled(name, "label"), value_cell])
        cells[key] = f"B{row}"
    s.blank()

    # segment table: live formulas over the Customers sheet
    seg = report.segments
    s.title(seg.title, "heading")
    seg_header = s.header(list(seg.frame.columns))
    for i, name in enumerate(seg.frame.iloc[:, 0]):
        row = seg_header + 1 + i
        formulas = fm.segment_formulas(str(name), report.segment_by, ranges, row, seg.keys[1:])
        s.append(
            [s.styled(str(name), "label")]
            + [s.formula_cell(f, kind) for f, kind in zip(formulas, seg.kinds[1:], strict=True)]
        )
    seg_last = s.row
    if seg_last > seg_header and "revenue_share" in seg.keys:
        col = get_column_letter(seg.keys.index("revenue_share") + 1)
        s.ws.conditional_formatting.add(
            f"{col}{seg_header + 1}:{col}{seg_last}",
            DataBarRule(start_type="num", start_value=0, end_type="num", end_value=1, color="5B9BD5"),
        )
    s.blank()

    # Pareto table (values)
    s.title(report.pareto.title, "heading")
    pareto_header, pareto_last = s.table_rows(report.pareto)
    s.blank()

    # RFM grid heat map (live COUNTIFS)
    grid = report.rfm_grid
    if grid is not None:
        s.title(grid.title, "heading")
        grid_header = s.header(list(grid.frame.columns))
        f_scores = [int(k[1:]) for k in grid.keys[1:]]
        for name, r_score in zip(grid.frame.iloc[:, 0], grid.row_keys, strict=True):
            s.append(
                [s.styled(str(name), "label")]
                + [s.formula_cell(fm.grid_formula(ranges, int(r_score), f), "int") for f in f_scores]
            )
        if s.row > grid_header:
            ref = f"B{grid_header + 1}:{get_column_letter(1 + len(f_scores))}{s.row}"
            s.ws.conditional_formatting.add(
                ref,
                ColorScaleRule(
                    start_type="min",
                    start_color="FFFFFF",
                    mid_type="percentile",
                    mid_value=50,
                    mid_color="FFE699",
                    end_type="max",
                    end_color="F8696B",
                ),
            )

    _summary_charts(s, report, seg_header, seg_last, pareto_header, pareto_last)
    s.ws.sheet_view.showGridLines = False


def _axes_visible(chart: Any) -> None:
    chart.x_axis.delete = False
    chart.y_axis.delete = False


def _summary_charts(
    s: _Sheet, report: Report, seg_header: int, seg_last: int, p_header: int, p_last: int
) -> None:
    lang = report.lang
    ws = s.ws
    anchor = get_column_letter(CHART_COLUMN)
    if p_last > p_header:
        bar = BarChart()
        bar.type = "col"
        bar.title = label("chart.pareto", lang)
        bar.add_data(Reference(ws, min_col=2, min_row=p_header, max_row=p_last), titles_from_data=True)
        bar.set_categories(Reference(ws, min_col=1, min_row=p_header + 1, max_row=p_last))
        bar.y_axis.title = report.pareto.frame.columns[1]
        bar.y_axis.majorGridlines = None
        line = LineChart()
        line.add_data(Reference(ws, min_col=3, min_row=p_header, max_row=p_last), titles_from_data=True)
        line.y_axis.axId = 200
        line.y_axis.crosses = "max"
        line.y_axis.number_format = "0%"
        line.y_axis.scaling.min = 0
        line.y_axis.title = report.pareto.frame.columns[2]
        _axes_visible(bar)
        _axes_visible(line)
        bar += line
        bar.width, bar.height = 20, 9
        ws.add_chart(bar, f"{anchor}1")
    if seg_last > seg_header:
        seg = report.segments
        for n, (key, title) in enumerate(
            (("customers", "chart.segment_customers"), ("revenue", "chart.segment_revenue"))
        ):
            if key not in seg.keys:
                continue
            chart = BarChart()
            chart.type = "bar"
            chart.title = label(title, lang)
            chart.add_data(
                Reference(ws, min_col=seg.keys.index(key) + 1, min_row=seg_header, max_row=seg_last),
                titles_from_data=True,
            )
            chart.set_categories(Reference(ws, min_col=1, min_row=seg_header + 1, max_row=seg_last))
            chart.legend = None
            chart.y_axis.majorGridlines = None
            chart.x_axis.scaling.orientation = "maxMin"  # first segment on top, as in the table
            _axes_visible(chart)
            chart.width, chart.height = 11, 9
            ws.add_chart(chart, f"{get_column_letter(CHART_COLUMN + 7 * n)}20")


def _write_customers(s: _Sheet, report: Report, progress: Progress | None) -> None:
    table = report.customers
    s.widths(_text_widths(table))
    s.ws.freeze_panes = "B2"
    header, last = s.excel_table(table, TABLE_NAMES["customers"], progress, "customers", last_block=True)
    if last <= header:
        return
    for key, rule in (
        (
            "value_score",
            DataBarRule(start_type="num", start_value=0, end_type="num", end_value=100, color="63BE7B"),
        ),
        ("revenue", DataBarRule(start_type="min", end_type="max", color="5B9BD5")),
        ("clv", ColorScaleRule(start_type="min", start_color="FFFFFF", end_type="max", end_color="63BE7B")),
        (
            "p_alive",
            ColorScaleRule(
                start_type="num",
                start_value=0,
                start_color="F8696B",
                mid_type="num",
                mid_value=0.5,
                mid_color="FFEB84",
                end_type="num",
                end_value=1,
                end_color="63BE7B",
            ),
        ),
    ):
        if table.has(key):
            col = get_column_letter(table.keys.index(key) + 1)
            s.ws.conditional_formatting.add(f"{col}{header + 1}:{col}{last}", rule)


def _write_actions(s: _Sheet, report: Report, progress: Progress | None) -> None:
    tables = [t for t in (report.actions, report.mailing) if t is not None]
    s.widths(_merge_widths(*(_text_widths(t) for t in tables)) or [40])
    s.title(label("sheet.actions", report.lang))
    if report.actions is not None:
        s.blank()
        s.title(report.actions.title, "heading")
        s.excel_table(report.actions, TABLE_NAMES["actions"])
    s.blank()
    if report.mailing is not None and len(report.mailing.frame):
        s.title(report.mailing.title, "heading")
        s.excel_table(report.mailing, TABLE_NAMES["mailing"], progress, "mailing", last_block=True)
    else:
        s.append([s.styled(label("mailing.none", report.lang), "note")])


def _write_key_values(s: _Sheet, table: ReportTable) -> None:
    s.title(table.title, "heading")
    s.table_rows(table)
    s.blank()


def _write_model(s: _Sheet, report: Report) -> None:
    s.widths(_merge_widths(*(_text_widths(t) for t in report.model), [40, 16]))
    for table in report.model:
        _write_key_values(s, table)


def _write_settings(s: _Sheet, report: Report) -> None:
    s.widths([42, 60])
    s.title(label("sheet.settings", report.lang))
    s.blank()
    for table in (report.settings, report.quality, report.help):
        _write_key_values(s, table)


# --------------------------------------------------------------------------------------------- entry


def build_workbook(
    report: Report, template: str | os.PathLike | None = None, progress: Progress | None = None
) -> Workbook:
    """The openpyxl Workbook of a Report (not saved): our five sheets first, then a template's own sheets.

    Always a write-only workbook: with a template, its look and its other sheets are copied in
    (see xlsegment.workbook.template)."""
    names = report.sheet_names
    source = tpl.load_template(template) if template is not None else None
    wb = Workbook(write_only=True)
    reserved = reserved_sheet_names()
    kept = [ws.title for ws in source.worksheets if ws.title.lower() not in reserved] if source else []
    existing: list[str] = []
    for name in names.values():
        check_sheet_name(name, existing + kept)
        existing.append(name)
    if source is not None:
        tpl.apply_look(source, wb)
    styles = register_styles(wb)
    n = len(report.customers.frame)
    ranges = fm.CustomerRanges(names["customers"], report.customers.keys, n)
    if not ranges.has("customer_id") or not ranges.has("revenue"):
        raise WorkbookError("the customers table needs customer_id and revenue columns")

    sheets = {key: _Sheet(wb, names[key], styles, report.lang) for key in names}
    try:
        _write_summary(sheets["summary"], report, ranges)
        _write_customers(sheets["customers"], report, progress)
        _write_actions(sheets["actions"], report, progress)
        _write_model(sheets["model"], report)
        _write_settings(sheets["settings"], report)
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
    report: Report,
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
    wb = build_workbook(report, template, progress)
    return save_atomic(wb, out, force=force, source=source)


def discard(wb: Workbook) -> None:
    """Release a write-only workbook that will not be saved (closes its sheets' temporary streams)."""
    for ws in getattr(wb, "_sheets", []):
        close = getattr(ws, "close", None)
        if close is not None and not getattr(ws, "closed", True):
            with contextlib.suppress(Exception):
                close()
