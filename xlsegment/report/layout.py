"""Lay a Report out as a Book: which block goes on which sheet, at which row, with which formats and charts.

Pure Python: the positions, the formulas over the Customers sheet, the chart ranges and the conditional
formats are all decided here, once, so every renderer draws the same workbook (see `xlsegment.report.model`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from xlsegment.labels import label
from xlsegment.report import formulas as fm
from xlsegment.report.model import (
    Book,
    Cell,
    Chart,
    ConditionalFormat,
    Grid,
    Series,
    Sheet,
    Table,
    Text,
    cell_ref,
    column_letter,
    range_ref,
)
from xlsegment.report.tables import Report, ReportTable, number_formats

# Excel table names of the big tables (stable across languages: formulas and macros may use them)
TABLE_NAMES = {"customers": "tblCustomers", "actions": "tblPlaybook", "mailing": "tblMailing"}

# default column width per display kind (characters)
WIDTHS = {
    "int": 10,
    "number": 11,
    "ratio": 10,
    "money": 13,
    "percent": 10,
    "date": 12,
    "flag": 10,
    "score": 9,
    "text": 14,
    "general": 14,
}
CHART_COLUMN = 10  # charts of the Summary sheet are anchored from column J
LINE_HEIGHT = 15  # points per line of wrapped text

# colours of the conditional formats
BLUE, GREEN, RED, YELLOW, WHITE, ORANGE = "5B9BD5", "63BE7B", "F8696B", "FFEB84", "FFFFFF", "FFE699"


class SheetBuilder:
    """Places blocks one below the other on a sheet, keeping track of the next free row."""

    def __init__(self, key: str, name: str, lang: str) -> None:
        self.sheet = Sheet(key, name)
        self.lang = lang
        self.formats = number_formats(lang)
        self.row = 1

    def widths(self, widths: Sequence[float]) -> None:
        self.sheet.widths = [float(w) for w in widths]

    def blank(self, n: int = 1) -> None:
        self.row += n

    def text(self, text: str, style: str = "text", span: int = 1, lines: int = 1) -> Text:
        block = Text(self.row, 1, text=text, style=style, span=span, lines=lines)
        if style == "title":
            self.sheet.row_heights[self.row] = 26
        elif lines > 1:
            self.sheet.row_heights[self.row] = LINE_HEIGHT * lines
        if span > 1:
            self.sheet.merges.append(range_ref(self.row, 1, self.row, span))
        return self._add(block)

    def grid(self, rows: list[list[Cell]], name: str = "") -> Grid:
        if rows and rows[0] and rows[0][0].style == "header":
            self._header_height([c.value for c in rows[0]])
        return self._add(Grid(self.row, 1, rows=rows, name=name))

    def header_cells(self, headers: Sequence[str]) -> list[Cell]:
        return [Cell(h, "header") for h in headers]

    def table(
        self,
        table: ReportTable,
        *,
        excel_name: str | None = None,
        stream: bool = False,
        name: str | None = None,
    ) -> Table:
        """A ReportTable as a Table block at the next row (header height set from the column widths)."""
        headers = [str(h) for h in table.frame.columns]
        self._header_height(headers)
        block = Table(
            self.row,
            1,
            headers=headers,
            keys=list(table.keys),
            kinds=list(table.kinds),
            formats=[self.formats[k] for k in table.kinds],
            frame=table.frame,
            name=name or table.name,
            excel_name=excel_name,
            stream=stream,
            centered=[k for k in table.keys if k.endswith(("_score", "_code"))],
        )
        return self._add(block)

    def _header_height(self, headers: Sequence[Any]) -> None:
        """Wrapped headers need room: one line per column width of text, four lines at most."""
        widths = self.sheet.widths
        lines = max(
            (
                math.ceil(len(str(h)) / max((widths[i] if i < len(widths) else 10) - 2, 4))
                for i, h in enumerate(headers)
            ),
            default=1,
        )
        if lines > 1:
            self.sheet.row_heights[self.row] = LINE_HEIGHT * min(lines, 4)

    def _add(self, block: Any) -> Any:
        self.sheet.blocks.append(block)
        self.row = block.last_row + 1
        return block


def text_widths(table: ReportTable, sample: int = 500) -> list[float]:
    """Column widths that fit a table's headers and (a sample of) its text."""
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


def merge_widths(*lists: Sequence[float]) -> list[float]:
    """Column by column, the widest of several width lists."""
    n = max((len(w) for w in lists), default=0)
    return [max((w[i] for w in lists if i < len(w)), default=10.0) for i in range(n)]


def data_bar(ref: str, low: tuple[str, float | None], high: tuple[str, float | None], colour: str):
    return ConditionalFormat(ref, "data_bar", [(low[0], low[1], colour), (high[0], high[1], colour)])


# --------------------------------------------------------------------------------------------- sheets


def _summary(report: Report, name: str, ranges: fm.CustomerRanges) -> Sheet:
    b = SheetBuilder("summary", name, report.lang)
    b.widths([52, 16, 14, 16, 14, 14, 14, 4, 4])
    b.text(report.title, "title")
    b.text(report.subtitle, "subtitle")
    for sentence in report.model_verdicts:  # which CLV model, and whether its figures can be trusted
        b.text(sentence, "subtitle")
    b.blank()

    # headline figures: live formulas where the figure has one
    head = report.headline
    b.text(head.title, "heading")
    first = b.row + 1
    cells = {k: cell_ref(first + i, 2) for i, k in enumerate(head.row_keys)}
    rows = [b.header_cells([str(c) for c in head.frame.columns])]
    for key, kind, (text, value) in zip(
        head.row_keys, head.row_kinds, head.frame.itertuples(index=False), strict=True
    ):
        f = fm.headline_formula(key, ranges, cells, report.top20_label)
        rows.append([Cell(text, "label"), Cell(value, "figure", b.formats[kind], f)])
    b.grid(rows, "headline")
    b.blank()

    # the segment table: live formulas over the Customers sheet
    seg = report.segments
    b.text(seg.title, "heading")
    header_row = b.row
    rows = [b.header_cells([str(c) for c in seg.frame.columns])]
    for i, values in enumerate(seg.frame.itertuples(index=False)):
        formulas = fm.segment_formulas(
            str(values[0]), report.segment_by, ranges, header_row + 1 + i, seg.keys[1:]
        )
        rows.append(
            [Cell(str(values[0]), "label")]
            + [
                Cell(v, None, b.formats[k], f)
                for v, f, k in zip(values[1:], formulas, seg.kinds[1:], strict=True)
            ]
        )
    segments = b.grid(rows, "segments")
    if len(seg.frame) and "revenue_share" in seg.keys:
        col = 1 + seg.keys.index("revenue_share")
        ref = range_ref(segments.row + 1, col, segments.last_row, col)
        b.sheet.formats.append(data_bar(ref, ("num", 0), ("num", 1), BLUE))
    b.blank()

    # Pareto table (values)
    b.text(report.pareto.title, "heading")
    pareto = b.table(report.pareto)
    b.blank()

    # RFM grid heat map (live COUNTIFS)
    grid = report.rfm_grid
    if grid is not None:
        b.text(grid.title, "heading")
        rows = [b.header_cells([str(c) for c in grid.frame.columns])]
        f_scores = [int(k[1:]) for k in grid.keys[1:]]
        for text, r_score in zip(grid.frame.iloc[:, 0], grid.row_keys, strict=True):
            counts = grid.frame.loc[grid.frame.iloc[:, 0] == text].iloc[0, 1:].tolist()
            rows.append(
                [Cell(str(text), "label")]
                + [
                    Cell(int(n), None, b.formats["int"], fm.grid_formula(ranges, int(r_score), f))
                    for n, f in zip(counts, f_scores, strict=True)
                ]
            )
        heat = b.grid(rows, "rfm_grid")
        if heat.height > 1:
            ref = range_ref(heat.row + 1, 2, heat.last_row, 1 + len(f_scores))
            b.sheet.formats.append(
                ConditionalFormat(
                    ref, "color_scale", [("min", None, WHITE), ("percentile", 50, ORANGE), ("max", None, RED)]
                )
            )
    b.sheet.charts = _summary_charts(report, segments, pareto)
    b.sheet.gridlines = False
    return b.sheet


def _summary_charts(report: Report, segments: Grid, pareto: Table) -> list[Chart]:
    lang = report.lang
    charts = []
    if len(pareto.frame):
        charts.append(
            Chart(
                "combo",
                label("chart.pareto", lang),
                categories=pareto.data_ref("decile"),
                series=[
                    Series(pareto.data_ref("revenue"), cell_ref(pareto.row, pareto.column("revenue"))),
                    Series(
                        pareto.data_ref("cumulative"),
                        cell_ref(pareto.row, pareto.column("cumulative")),
                        kind="line",
                        secondary=True,
                    ),
                ],
                anchor=cell_ref(1, CHART_COLUMN),
                width=20,
                height=9,
                y_title=pareto.headers[1],
                y_format="General",
                secondary_title=pareto.headers[2],
            )
        )
    seg = report.segments
    if segments.height > 1:
        categories = range_ref(segments.row + 1, 1, segments.last_row, 1)
        for n, (key, title) in enumerate(
            (("customers", "chart.segment_customers"), ("revenue", "chart.segment_revenue"))
        ):
            if key not in seg.keys:
                continue
            col = 1 + seg.keys.index(key)
            charts.append(
                Chart(
                    "bar",
                    label(title, lang),
                    categories=categories,
                    series=[
                        Series(
                            range_ref(segments.row + 1, col, segments.last_row, col),
                            cell_ref(segments.row, col),
                        )
                    ],
                    anchor=cell_ref(20, CHART_COLUMN + 7 * n),
                    width=11,
                    height=9,
                    y_format="General",
                    legend=False,
                )
            )
    return charts


def _customers(report: Report, name: str) -> Sheet:
    table = report.customers
    b = SheetBuilder("customers", name, report.lang)
    b.widths(text_widths(table))
    b.sheet.freeze = "B2"
    block = b.table(table, excel_name=TABLE_NAMES["customers"], stream=True)
    if len(table.frame):
        rules = {
            "value_score": lambda ref: data_bar(ref, ("num", 0), ("num", 100), GREEN),
            "revenue": lambda ref: data_bar(ref, ("min", None), ("max", None), BLUE),
            "clv": lambda ref: ConditionalFormat(
                ref, "color_scale", [("min", None, WHITE), ("max", None, GREEN)]
            ),
            "p_alive": lambda ref: ConditionalFormat(
                ref, "color_scale", [("num", 0, RED), ("num", 0.5, YELLOW), ("num", 1, GREEN)]
            ),
        }
        for key, rule in rules.items():
            if table.has(key):
                b.sheet.formats.append(rule(block.data_ref(key)))
    return b.sheet


def _actions(report: Report, name: str) -> Sheet:
    tables = [t for t in (report.actions, report.mailing) if t is not None]
    b = SheetBuilder("actions", name, report.lang)
    b.widths(merge_widths(*(text_widths(t) for t in tables)) or [40])
    b.text(label("sheet.actions", report.lang), "title")
    if report.actions is not None:
        b.blank()
        b.text(report.actions.title, "heading")
        b.table(report.actions, excel_name=TABLE_NAMES["actions"])
    b.blank()
    if report.mailing is not None and len(report.mailing.frame):
        b.text(report.mailing.title, "heading")
        b.table(report.mailing, excel_name=TABLE_NAMES["mailing"], stream=True)
    else:
        b.text(label("mailing.none", report.lang), "note")
    return b.sheet


def _key_values(b: SheetBuilder, table: ReportTable) -> None:
    b.text(table.title, "heading")
    b.table(table)
    b.blank()


def _model(report: Report, name: str) -> Sheet:
    b = SheetBuilder("model", name, report.lang)
    b.widths(merge_widths(*(text_widths(t) for t in report.model), [40, 16]))
    for table in report.model:
        _key_values(b, table)
    return b.sheet


def _settings(report: Report, name: str) -> Sheet:
    b = SheetBuilder("settings", name, report.lang)
    b.widths([42, 60])
    b.text(label("sheet.settings", report.lang), "title")
    b.blank()
    for table in (report.settings, report.quality, report.help):
        _key_values(b, table)
    return b.sheet


def customer_ranges(report: Report) -> fm.CustomerRanges:
    """Ranges of the Customers sheet's columns, for the formulas of the first sheet."""
    return fm.CustomerRanges(
        report.sheet_names["customers"], report.customers.keys, len(report.customers.frame)
    )


def describe(report: Report) -> Book:
    """The Book of a Report: every sheet, block, formula, chart and format, positioned."""
    names = report.sheet_names
    ranges = customer_ranges(report)
    sheets = [
        _summary(report, names["summary"], ranges),
        _customers(report, names["customers"]),
        _actions(report, names["actions"]),
        _model(report, names["model"]),
        _settings(report, names["settings"]),
    ]
    return Book(report.lang, report.title, sheets)


def column_range(sheet: str, ref: str) -> str:
    """A sheet-qualified range ('Name'!A1:B2) of a range on `sheet`."""
    return f"{fm.quote_sheet(sheet)}!{ref}"


__all__ = [
    "TABLE_NAMES",
    "WIDTHS",
    "SheetBuilder",
    "column_letter",
    "column_range",
    "describe",
    "text_widths",
]
