"""The xlwings renderer: draws a sheet of the report description (`xlsegment.report.describe`) through
xlwings' Book API, so the buttons write what `xlsegment build` writes.

The same calls run on every runtime: under xlwings Server and Lite they become Office.js actions (setValues,
setNumberFormat, addTable, addChart, addConditionalFormat, freezePaneAtRange...), on classic Excel COM calls.
Every position, formula, chart range and format comes from the description; this module only translates it,
as `xlsegment.workbook.writer` does for openpyxl. Text that is not ours goes through the one escaping rule
(`workbook.safety.typed_text`); only the description's formulas are written as formulas.
"""

from __future__ import annotations

import contextlib
from typing import Any

from openpyxl.utils.cell import range_boundaries

from xlsegment.report.model import (
    Cell,
    Chart,
    ConditionalFormat,
    Grid,
    Sheet,
    Table,
    Text,
    cell_ref,
    column_letter,
)
from xlsegment.workbook.cells import column_values
from xlsegment.workbook.safety import typed_text
from xlsegment.workbook.styles import default_styles

POINTS_PER_CM = 72 / 2.54
TABLE_STYLE = "TableStyleMedium2"  # the headless workbook's table style
CHART_TYPES = {"col": "column_clustered", "bar": "bar_clustered", "combo": "column_clustered"}
LINE_TYPE = "line_markers"
THRESHOLDS = {"num": "number", "percentile": "percentile", "percent": "percent"}


# ------------------------------------------------------------------------------------------- values
def _value(value: Any) -> Any:
    return typed_text(value) if isinstance(value, str) else value


def cell_value(c: Cell) -> Any:
    """What a description cell holds for Excel: its formula (ours), else its value (text kept as text)."""
    return c.formula if c.formula else _value(c.value)


def block_values(block: Any) -> list[list[Any]]:
    """The rows of values (and our formulas) of one block, as set on the sheet from its top-left cell."""
    if isinstance(block, Text):
        return [[_value(block.text)]]
    if isinstance(block, Grid):
        width = block.width
        return [[cell_value(c) for c in row] + [None] * (width - len(row)) for row in block.rows]
    if isinstance(block, Table):
        # the headless writer's own conversion of each column by its kind, so both write the same values
        columns = [column_values(block.frame.iloc[:, j], kind) for j, kind in enumerate(block.kinds)]
        return [
            [_value(h) for h in block.headers],
            *([_value(v) for v in row] for row in zip(*columns, strict=True)),
        ]
    raise TypeError(f"no xlwings renderer for {type(block).__name__}")


# ------------------------------------------------------------------------------------------- styles
def style_properties() -> dict[str, dict[str, Any]]:
    """Font and fill of each style role, read from the headless workbook's named styles (one home)."""
    out: dict[str, dict[str, Any]] = {}
    for role, style in default_styles().items():
        font, fill = style.font, style.fill
        props: dict[str, Any] = {"bold": bool(font.b), "italic": bool(font.i), "size": float(font.sz or 11)}
        if font.color is not None and isinstance(font.color.rgb, str):
            props["color"] = "#" + font.color.rgb[-6:]
        if fill is not None and fill.fill_type == "solid" and isinstance(fill.fgColor.rgb, str):
            props["fill"] = "#" + fill.fgColor.rgb[-6:]
        out[role] = props
    return out


def _style(rng: Any, props: dict[str, Any]) -> None:
    font = rng.font
    if props.get("bold"):
        font.bold = True
    if props.get("italic"):
        font.italic = True
    if props.get("size") and props["size"] != 11:
        font.size = props["size"]
    if props.get("color"):
        font.color = props["color"]
    if props.get("fill"):
        rng.color = props["fill"]


# --------------------------------------------------------------------------------------------- sheet
def frozen_range(split: str) -> str:
    """The cells xlwings' freeze_at freezes (Office.js semantics) for an openpyxl-style split cell: "B2"
    (rows above 2 and columns left of B frozen) -> "A1"; "A2" -> "1:1"; "C1" -> "A:B"."""
    letters = "".join(ch for ch in split if ch.isalpha()).upper()
    row = int(split[len(letters) :])
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    if row > 1 and col > 1:
        return f"A1:{cell_ref(row - 1, col - 1)}"
    if row > 1:
        return f"1:{row - 1}"
    return f"A:{column_letter(col - 1)}"


class SheetRenderer:
    """Draws one Sheet of the description on an (empty) xlwings sheet."""

    def __init__(self, xl_sheet: Any, sheet: Sheet, row_offset: int = 0) -> None:
        self.xl = xl_sheet
        self.sheet = sheet
        self.offset = row_offset  # the description's row 1 lands on row 1 + offset
        self.styles = style_properties()

    def rng(self, row: int, col: int, row2: int | None = None, col2: int | None = None) -> Any:
        r = row + self.offset
        if row2 is None:
            return self.xl.range((r, col))
        return self.xl.range((r, col), (row2 + self.offset, col2 if col2 is not None else col))

    def ref(self, a1: str) -> Any:
        """A range of the description (A1 notation) on this sheet, shifted by the row offset."""
        if not self.offset:
            return self.xl.range(a1)
        c1, r1, c2, r2 = range_boundaries(a1)
        return self.rng(r1, c1, r2, c2)

    def render(self) -> None:
        """Values first (one write per block), then formats, tables, the sheet's look, formats and charts."""
        for block in self.sheet.blocks:
            values = block_values(block)
            width = max(len(r) for r in values)
            self.rng(block.row, block.col, block.row + len(values) - 1, block.col + width - 1).value = values
        for block in self.sheet.blocks:
            self._formats(block)
        for block in self.sheet.blocks:
            if isinstance(block, Table) and block.excel_name:
                self.xl.tables.add(
                    source=self.ref(block.ref),
                    name=block.excel_name,
                    table_style_name=TABLE_STYLE,
                    has_headers=True,
                )
        self._look()
        for cf in self.sheet.formats:
            add_conditional_format(self.ref(cf.ref), cf)
        for chart in self.sheet.charts:
            self._chart(chart)

    def _formats(self, block: Any) -> None:
        if isinstance(block, Text):
            self._role(self.rng(block.row, block.col), block.style)
        elif isinstance(block, Grid):
            for i, row in enumerate(block.rows):
                for j, c in enumerate(row):
                    target = self.rng(block.row + i, block.col + j)
                    if c.number_format and c.number_format != "General":
                        target.number_format = c.number_format
                    self._role(target, c.style)
        elif isinstance(block, Table):
            self._role(self.rng(block.row, block.col, block.row, block.col + block.width - 1), "header")
            if len(block.frame):
                for j, fmt in enumerate(block.formats):
                    if fmt and fmt != "General":
                        col = block.col + j
                        self.rng(block.row + 1, col, block.last_row, col).number_format = fmt

    def _role(self, target: Any, role: str | None) -> None:
        if role in self.styles:
            _style(target, self.styles[role])

    def _look(self) -> None:
        s = self.sheet
        for i, width in enumerate(s.widths, 1):
            self.xl.range((1, i)).column_width = width
        for row, height in s.row_heights.items():
            self.rng(row, 1).row_height = height
        for merge in s.merges:
            self.ref(merge).merge()
        if s.freeze:
            self.xl.freeze_panes.freeze_at(frozen_range(s.freeze))
        if not s.gridlines:
            with contextlib.suppress(Exception):  # a runtime without the property keeps its gridlines
                self.xl.show_gridlines = False

    def _chart(self, spec: Chart) -> None:
        """A chart from its options: the series' columns (with their name row) as source, the categories as
        x values, secondary series as lines on the second axis."""
        col1, col2, row1, row2 = _series_block(spec)
        source = self.rng(row1 - 1, col1, row2, col2)  # the series' columns, their names in the row above
        chart = self.xl.charts.add(
            anchor=self.ref(spec.anchor),
            width=spec.width * POINTS_PER_CM,
            height=spec.height * POINTS_PER_CM,
            chart_type=CHART_TYPES[spec.kind],
            source=source,
            plot_by="columns",
        )
        chart.set_x_axis_values(self.ref(spec.categories))
        chart.title = spec.title
        chart.value_axis.number_format = spec.y_format
        if spec.y_title:
            chart.value_axis.title = spec.y_title
        if spec.kind == "bar":
            chart.category_axis.reverse_order = True  # first category on top, as in the table
        if not spec.legend:
            chart.legend.visible = False
        for i, series in enumerate(spec.series):
            if series.secondary:
                chart_series(chart, len(spec.series))[i].set(chart_type=LINE_TYPE, axis_group="secondary")
        if any(s.secondary for s in spec.series):
            chart.secondary_value_axis.number_format = spec.secondary_format
            if spec.secondary_title:
                chart.secondary_value_axis.title = spec.secondary_title


def chart_series(chart: Any, count: int) -> Any:
    """The series of a chart we just made from `count` columns. Office.js engines cannot list a chart's
    series without a round trip, but the count is ours: the series collection is built with it."""
    try:
        series = chart.series
        len(series)
        return series
    except NotImplementedError:
        import xlwings

        return xlwings.main.ChartSeriesCollection(impl=type(chart.impl.series)(chart.impl, count=count))


def _series_block(spec: Chart) -> tuple[int, int, int, int]:
    """First and last column, first and last row of the series' values; they must sit in adjacent columns,
    in order, over the same rows."""
    boxes = [range_boundaries(s.values) for s in spec.series]
    for (c1, r1, _, r2), (d1, s1, _, s2) in zip(boxes, boxes[1:], strict=False):
        if d1 != c1 + 1 or (s1, s2) != (r1, r2):
            raise ValueError(f"chart {spec.title!r}: its series are not in adjacent columns")
    return boxes[0][0], boxes[-1][0], boxes[0][1], boxes[0][3]


def add_conditional_format(target: Any, cf: ConditionalFormat) -> None:
    """A data bar or colour scale of the description, with xlwings' conditional-format API."""
    formats = target.conditional_formats
    kinds = [kind for kind, _, _ in cf.points]
    if cf.rule == "data_bar":
        (t1, v1, _), (t2, v2, colour) = cf.points
        numeric = {t for t in (t1, t2) if t not in ("min", "max")}
        if len(numeric) > 1:
            raise ValueError(f"data bar over {cf.ref}: mixed threshold types {numeric}")
        formats.add_data_bar(
            "#" + colour,
            minimum=None if t1 == "min" else v1,
            maximum=None if t2 == "max" else v2,
            threshold_type=THRESHOLDS[numeric.pop()] if numeric else "number",
        )
        return
    if cf.rule != "color_scale":
        raise ValueError(f"unknown conditional format {cf.rule!r}")
    colours = ["#" + colour for _, _, colour in cf.points]
    automatic = (["min", "max"], ["min", "percentile", "max"])
    if kinds in automatic and (len(kinds) == 2 or cf.points[1][1] == 50):
        formats.add_color_scale(colours)  # lowest, (50th percentile,) highest: xlwings' defaults
    elif len(set(kinds)) == 1 and kinds[0] in THRESHOLDS:
        formats.add_color_scale(
            colours, thresholds=[v for _, v, _ in cf.points], threshold_type=THRESHOLDS[kinds[0]]
        )
    else:
        raise ValueError(f"colour scale over {cf.ref}: thresholds {kinds} have no xlwings equivalent")
