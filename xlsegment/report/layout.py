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
    Outline,
    PageSetup,
    Series,
    Sheet,
    Table,
    Text,
    cell_ref,
    range_ref,
)
from xlsegment.report.tables import (
    LONG_TEXT_COLUMNS,
    Report,
    ReportTable,
    cut_sentence,
    fit_to_sheet,
    number_formats,
)

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
LINE_HEIGHT = 15  # points per line of wrapped text
MAX_LINES = 6  # a wrapped cell shows at most this many lines (the rest stays in the cell)
CHARS_PER_WIDTH = 1.1  # characters of running text per unit of column width (Calibri 11)

# colours of the conditional formats
BLUE, GREEN, RED, YELLOW, WHITE, ORANGE = "5B9BD5", "63BE7B", "F8696B", "FFEB84", "FFFFFF", "FFE699"


class SheetBuilder:
    """Places blocks one below the other on a sheet, keeping track of the next free row."""

    def __init__(self, key: str, name: str, lang: str, currency: str | None = None) -> None:
        self.sheet = Sheet(key, name)
        self.lang = lang
        self.formats = number_formats(lang, currency)
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
        """A Grid at the next row; rows whose wrapped labels need more than one line get the height."""
        if rows and rows[0] and rows[0][0].style == "header":
            self._header_height([c.value for c in rows[0]])
        widths = self.sheet.widths
        for i, row in enumerate(rows):
            lines = max(
                (
                    math.ceil(len(str(c.value)) / max((widths[j] if j < len(widths) else 10) - 1, 4))
                    for j, c in enumerate(row)
                    if c.style == "label" and isinstance(c.value, str)
                ),
                default=1,
            )
            if lines > 1:
                self.sheet.row_heights[self.row + i] = LINE_HEIGHT * min(lines, 4)
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
        wrap: Sequence[str] = (),
    ) -> Table:
        """A ReportTable as a Table block at the next row (header height set from the column widths); the
        `wrap` columns wrap their text, and each row gets the height of its longest wrapped text."""
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
            wrap=[k for k in table.keys if k in wrap],
        )
        self._row_heights(block)
        return self._add(block)

    def _row_heights(self, block: Table) -> None:
        """Height of each data row whose wrapped text needs more than one line (estimated from the column
        widths: about one character per width unit)."""
        widths = self.sheet.widths
        lines = None
        for key in block.wrap:
            j = block.keys.index(key)
            width = widths[block.col - 1 + j] if block.col - 1 + j < len(widths) else 10
            text = (
                block.frame.iloc[:, j].astype("object").where(block.frame.iloc[:, j].notna(), "").astype(str)
            )
            per_line = max(width * CHARS_PER_WIDTH, 4)
            col = (text.str.len() / per_line).apply(math.ceil).clip(lower=1, upper=MAX_LINES)
            lines = col if lines is None else lines.where(lines >= col, col)
        if lines is None:
            return
        for i, n in enumerate(lines.tolist()):
            if n > 1:
                self.sheet.row_heights[block.row + 1 + i] = LINE_HEIGHT * n

    def _header_height(self, headers: Sequence[Any]) -> None:
        """Wrapped headers need room: the lines their words take in the column (bold: 1.2 width units a
        character), four lines at most."""
        widths = self.sheet.widths
        lines = max(
            (
                wrapped_lines(str(h), max((widths[i] if i < len(widths) else 10) - 1, 4) / 1.2)
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


def wrapped_lines(text: str, chars: float) -> int:
    """Lines `text` takes wrapped at word boundaries, `chars` characters a line (a longer word is cut)."""
    lines, used = 1, 0.0
    for word in text.split():
        if used and used + 1 + len(word) > chars:
            lines, used = lines + 1, 0.0
        if not used and len(word) > chars:
            lines += math.ceil(len(word) / chars) - 1
            used = len(word) % chars or chars
        else:
            used = used + 1 + len(word) if used else len(word)
    return lines


def text_widths(table: ReportTable, sample: int = 500, wrap_width: float = 36) -> list[float]:
    """Column widths that fit a table's headers and (a sample of) its text; long sentences (the
    LONG_TEXT_COLUMNS) get `wrap_width` and wrap."""
    out = []
    for j, kind in enumerate(table.kinds):
        header = str(table.frame.columns[j])
        width = max(WIDTHS.get(kind, 12), min(len(header) * 1.15 + 3, 30))
        if kind == "text":
            values = table.frame.iloc[:sample, j].dropna().astype(str)
            if len(values):
                cap = wrap_width if table.keys[j] in LONG_TEXT_COLUMNS else 45
                width = max(width, min(int(values.str.len().max()) + 2, cap))
        out.append(float(width))
    return out


def merge_widths(*lists: Sequence[float]) -> list[float]:
    """Column by column, the widest of several width lists."""
    n = max((len(w) for w in lists), default=0)
    return [max((w[i] for w in lists if i < len(w)), default=10.0) for i in range(n)]


def data_bar(ref: str, low: tuple[str, float | None], high: tuple[str, float | None], colour: str):
    return ConditionalFormat(ref, "data_bar", [(low[0], low[1], colour), (high[0], high[1], colour)])


# --------------------------------------------------------------------------------------------- sheets
# The first sheet prints portrait on two pages: page 1 = the plain words, the key figures with the segment
# chart beside them, the segment table; page 2 = the Pareto table with its chart beside it, the RFM grid.
FIRST_WIDTHS = [34, 16, 12, 14, 12, 13, 13]
CHART_ROWS = 13  # rows a chart beside a block spans at least
SEGMENT_CHART_ROWS = 18  # rows under the segment table that its chart covers


def _page(
    report: Report, orientation: str = "portrait", title_rows: tuple[int, int] | None = None
) -> PageSetup:
    """Page set-up of every sheet: A4, fit to one page wide, the shop and date in the header, page numbers
    in the footer."""
    return PageSetup(
        orientation=orientation,
        fit_width=1,
        fit_height=0,
        title_rows=title_rows,
        header=label("wb.header", report.lang).format(shop=report.shop, as_of=report.as_of_text),
        footer=label("wb.footer", report.lang).format(page="&P", pages="&N"),
    )


def _sentences(b: SheetBuilder, sentences: Sequence[str], span: int, chars_per_line: float) -> None:
    for text in sentences:
        lines = max(1, math.ceil(len(text) / chars_per_line))
        b.text(text, "wrap", span=span, lines=lines)


def _key_figures(b: SheetBuilder, report: Report, ranges: fm.CustomerRanges) -> Grid:
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
    return b.grid(rows, "headline")


def _segment_grid(b: SheetBuilder, report: Report, ranges: fm.CustomerRanges) -> Grid:
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
    grid = b.grid(rows, "segments")
    if len(seg.frame) and "revenue_share" in seg.keys:
        col = 1 + seg.keys.index("revenue_share")
        ref = range_ref(grid.row + 1, col, grid.last_row, col)
        b.sheet.formats.append(data_bar(ref, ("num", 0), ("num", 1), BLUE))
    return grid


def _rfm_heat_map(b: SheetBuilder, report: Report, ranges: fm.CustomerRanges) -> None:
    grid = report.rfm_grid
    if grid is None:
        return
    b.text(grid.title, "heading")
    rows = [b.header_cells([str(c) for c in grid.frame.columns])]
    f_scores = [int(k[1:]) for k in grid.keys[1:]]
    for i, r_score in enumerate(grid.row_keys):
        counts = grid.frame.iloc[i, 1:].tolist()
        rows.append(
            [Cell(str(grid.frame.iloc[i, 0]), "label")]
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


def _first_sheet(report: Report, name: str, ranges: fm.CustomerRanges) -> Sheet:
    """ "Start here": the plain words, key figures and segments (page 1), Pareto and RFM grid (page 2)."""
    lang = report.lang
    b = SheetBuilder("summary", name, lang, report.currency)
    b.widths(FIRST_WIDTHS)
    span = len(FIRST_WIDTHS)
    b.text(report.title, "title", span=span)
    b.text(report.subtitle, "subtitle", span=span)
    b.blank()
    b.text(label("story.title", lang), "heading")
    _sentences(b, report.story, span, sum(FIRST_WIDTHS) * 1.05)
    b.blank()

    # key figures (A:B) with the Pareto chart beside them (D:G): how concentrated the revenue is
    figures = _key_figures(b, report, ranges)
    if figures.height < CHART_ROWS:
        b.blank(CHART_ROWS - figures.height)
    b.blank()
    charts = []
    if len(report.pareto.frame):
        charts.append(_pareto_chart(report, b.sheet, anchor=cell_ref(figures.row - 1, 4)))
    segments = _segment_grid(b, report, ranges)
    if segments.height > 1:  # the segment chart right below the segment table, the page's width
        charts.append(_segment_chart(report, segments, anchor=cell_ref(b.row + 1, 1)))
        b.blank(SEGMENT_CHART_ROWS)
    b.sheet.page = _page(report)
    b.sheet.page.breaks = [b.row]  # page 2 starts here

    # page 2: the Pareto table and the RFM grid
    b.blank()
    b.text(report.pareto.title, "heading")
    pareto = b.table(report.pareto, name="pareto")
    for chart in charts:
        if chart.kind == "combo":
            _finish_pareto(chart, pareto)
    b.blank()
    _rfm_heat_map(b, report, ranges)
    b.sheet.charts = charts
    b.sheet.gridlines = False
    return b.sheet


def _pareto_chart(report: Report, sheet: Sheet, anchor: str) -> Chart:
    """Revenue per tenth of customers (bars) and the cumulative share (line, second axis); the data is the
    Pareto table laid out further down the same sheet (placed by the caller before it exists: its rows are
    known once the table is placed, so the chart is finished in `_finish_pareto`)."""
    return Chart(
        "combo",
        label("chart.pareto", report.lang),
        categories="",
        series=[],
        anchor=anchor,
        width=10.5,
        height=6.6,
        y_format=number_formats(report.lang, report.currency)["money0"],
        secondary_format="0%",
        legend=False,
    )


def _finish_pareto(chart: Chart, pareto: Table) -> None:
    chart.categories = pareto.data_ref("decile")
    chart.series = [
        Series(pareto.data_ref("revenue"), cell_ref(pareto.row, pareto.column("revenue"))),
        Series(
            pareto.data_ref("cumulative"),
            cell_ref(pareto.row, pareto.column("cumulative")),
            kind="line",
            secondary=True,
        ),
    ]


def _segment_chart(report: Report, segments: Grid, anchor: str) -> Chart:
    """Share of customers and share of revenue per segment, side by side: where the revenue comes from."""
    seg = report.segments
    series = []
    for key in ("customers_share", "revenue_share"):
        if key in seg.keys:
            col = 1 + seg.keys.index(key)
            series.append(
                Series(range_ref(segments.row + 1, col, segments.last_row, col), cell_ref(segments.row, col))
            )
    return Chart(
        "bar",
        label("chart.segment_shares", report.lang),
        categories=range_ref(segments.row + 1, 1, segments.last_row, 1),
        series=series,
        anchor=anchor,
        width=22,
        height=9,
        y_format="0%",
    )


def _week(report: Report, name: str) -> Sheet:
    """ "This week": the contact plan's week 1, ranked, to print (landscape) and tick."""
    lang = report.lang
    b = SheetBuilder("week", name, lang, report.currency)
    week = report.week
    b.text(label("week.title", lang), "title")
    if week is None:
        b.widths([90])
        b.text(label("week.none", lang), "note")
        b.sheet.page = _page(report)
        return b.sheet
    widths = {"rank": 6, "customer_id": 10, "name": 20, "segment": 16, "channel": 15, "action": 30,
              "reason": 36, "message": 30, "contact": 24, "value_at_stake": 12, "due_date": 11, "done": 7}  # fmt: skip
    b.widths([widths.get(k, 14) for k in week.keys])
    counts = ", ".join(f"{text} {n}" for text, n in report.week_counts)
    b.text(
        label("week.intro", lang).format(n=len(week.frame), counts=counts),
        "wrap",
        span=len(week.keys),
        lines=2,
    )
    if report.week_note:  # a campaign's control group, left out of the plan on purpose
        b.text(report.week_note, "wrap", span=len(week.keys), lines=2)
    b.blank()
    table = b.table(week, name="week", wrap=[*LONG_TEXT_COLUMNS, "action", "contact", "channel"])
    if len(week.frame) and week.has("value_at_stake"):
        b.sheet.formats.append(data_bar(table.data_ref("value_at_stake"), ("min", None), ("max", None), BLUE))
    b.sheet.freeze = cell_ref(table.row + 1, 1)
    b.sheet.page = _page(report, "landscape", (table.row, table.row))
    return b.sheet


def _customers(report: Report, name: str) -> Sheet:
    """One row per customer: the essential columns, then the details grouped (collapsed) under an outline."""
    table = report.customers
    b = SheetBuilder("customers", name, report.lang, report.currency)
    widths = text_widths(table)
    b.widths(widths)
    b.sheet.freeze = "C2" if table.lead >= 2 else "B2"
    # the essential long texts wrap (the next action); the details keep one line per customer
    wrap = [k for k in table.keys[: table.lead] if k in LONG_TEXT_COLUMNS]
    block = b.table(table, excel_name=TABLE_NAMES["customers"], stream=True, wrap=wrap)
    if 0 < table.lead < len(table.keys):
        b.sheet.outlines.append(Outline(table.lead + 1, len(table.keys), 1, hidden=True))
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
    b.sheet.page = _page(report, "landscape", (1, 1))
    return b.sheet


def _actions(report: Report, name: str) -> Sheet:
    b = SheetBuilder("actions", name, report.lang, report.currency)
    playbook = [min(w, 26) for w in text_widths(report.actions)] if report.actions is not None else []
    # the mailing list keeps its texts whole: the next action wraps in a wide column
    mailing = text_widths(report.mailing, wrap_width=50) if report.mailing is not None else []
    b.widths(merge_widths(playbook, mailing) or [40])
    b.text(label("sheet.actions", report.lang), "title")
    if report.actions is not None:
        b.blank()
        b.text(report.actions.title, "heading")
        b.table(report.actions, excel_name=TABLE_NAMES["actions"], wrap=report.actions.keys)
    b.blank()
    if report.mailing is not None and len(report.mailing.frame):
        b.text(report.mailing.title, "heading")
        mailing, left_out = fit_to_sheet(report.mailing, b.row + 1)  # a note line goes first when cut
        if left_out:
            b.text(cut_sentence("sheet.cut.mailing", report.lang, mailing, left_out), "note")
        b.table(mailing, excel_name=TABLE_NAMES["mailing"], stream=True, wrap=["next_action"])
    else:
        b.text(label("mailing.none", report.lang), "note")
    b.sheet.page = _page(report, "landscape")
    return b.sheet


def _key_values(b: SheetBuilder, table: ReportTable) -> Table:
    b.text(table.title, "heading")
    block = b.table(table, wrap=table.keys)
    b.blank()
    return block


def _model(report: Report, name: str) -> Sheet:
    """What the models found and whether to trust them, in words; the parameters in a technical block."""
    lang = report.lang
    b = SheetBuilder("model", name, lang, report.currency)
    b.widths(merge_widths(*(text_widths(t) for t in report.model[1:]), [56, 18]))
    b.text(label("model.title", lang), "title", span=2)
    b.blank()
    _sentences(b, report.model_text, 2, 80)
    b.blank()
    for table in report.model:
        _key_values(b, table)
    b.sheet.page = _page(report)
    return b.sheet


def _settings(report: Report, name: str) -> Sheet:
    b = SheetBuilder("settings", name, report.lang, report.currency)
    b.widths([42, 70])
    b.text(label("sheet.settings", report.lang), "title")
    b.blank()
    for table in (report.help, report.glossary, report.settings, report.quality):
        if table is not None:
            _key_values(b, table)
    b.sheet.page = _page(report, "portrait", None)
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
        _first_sheet(report, names["summary"], ranges),
        _week(report, names["week"]),
        _customers(report, names["customers"]),
        _actions(report, names["actions"]),
        _model(report, names["model"]),
        _settings(report, names["settings"]),
    ]
    return Book(report.lang, report.title, sheets)


__all__ = ["TABLE_NAMES", "WIDTHS", "SheetBuilder", "describe", "text_widths"]
