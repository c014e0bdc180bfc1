"""The xlwings renderer: draws a sheet of the report description (`xlsegment.report.describe`) through
xlwings' Book API, so the buttons write what `xlsegment build` writes.

The same calls run on every runtime: under xlwings Server and Lite they become Office.js actions (setValues,
setNumberFormat, addTable, addChart, addConditionalFormat, freezePaneAtRange...), on classic Excel COM calls.
Every position, formula, chart range, format, width and page set-up comes from the description; this module
only translates it, as `xlsegment.workbook.writer` does for openpyxl. Text that is not ours goes through the
one escaping rule (`workbook.safety.typed_text`); only the description's formulas are written as formulas.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from openpyxl.utils.cell import range_boundaries

from xlsegment.excel.page import apply_page_setup, engine_of
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
LINE_TYPE = "line_markers"  # a line chart, and the line of a combo chart (openpyxl's LineChart shows markers)
THRESHOLDS = {"num": "number", "percentile": "percentile", "percent": "percent"}
DIGIT_PIXELS = 7  # width of a digit of Calibri 11, Excel's unit of column width
COLUMN_PADDING_PIXELS = 5


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
    """Font, fill and alignment of each style role, read from the headless workbook's named styles (one
    home)."""
    out: dict[str, dict[str, Any]] = {}
    for role, style in default_styles().items():
        font, fill, align = style.font, style.fill, style.alignment
        props: dict[str, Any] = {"bold": bool(font.b), "italic": bool(font.i), "size": float(font.sz or 11)}
        if font.color is not None and isinstance(font.color.rgb, str):
            props["color"] = "#" + font.color.rgb[-6:]
        if fill is not None and fill.fill_type == "solid" and isinstance(fill.fgColor.rgb, str):
            props["fill"] = "#" + fill.fgColor.rgb[-6:]
        if align is not None and align.wrap_text:
            props["wrap"] = True
        if align is not None and align.vertical:
            props["vertical"] = align.vertical
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
    if props.get("wrap"):
        rng.wrap_text = True
    if props.get("vertical"):
        _align(rng, vertical=props["vertical"])


def _align(rng: Any, *, horizontal: str | None = None, vertical: str | None = None) -> None:
    """Cell alignment where the runtime has it (xlwings' Office.js engine and COM both do)."""
    with contextlib.suppress(NotImplementedError):
        if horizontal:
            rng.horizontal_alignment = horizontal
        if vertical:
            rng.vertical_alignment = vertical


def _runs(cells: list[Cell]) -> Iterator[tuple[int, int, Cell]]:
    """Runs of neighbouring cells sharing style and number format: (first, last index, a cell of the run),
    so a row of figures is formatted in one action instead of one per cell."""
    start = 0
    for j in range(1, len(cells) + 1):
        if j == len(cells) or (cells[j].style, cells[j].number_format) != (
            cells[start].style,
            cells[start].number_format,
        ):
            yield start, j - 1, cells[start]
            start = j


def _spans(values: dict[int, Any]) -> Iterator[tuple[int, int, Any]]:
    """Runs of consecutive keys with equal values: (first, last, value)."""
    keys = sorted(values)
    i = 0
    while i < len(keys):
        j = i
        while j + 1 < len(keys) and keys[j + 1] == keys[j] + 1 and values[keys[j + 1]] == values[keys[i]]:
            j += 1
        yield keys[i], keys[j], values[keys[i]]
        i = j + 1


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


def column_width_points(width: float) -> float:
    """Excel's column width (characters of Calibri 11, as the description and openpyxl give it) in the points
    Office.js sets: 7 pixels a character plus 5 of padding, 0.75 point a pixel."""
    return round((width * DIGIT_PIXELS + COLUMN_PADDING_PIXELS) * 0.75, 2)


class SheetRenderer:
    """Draws one Sheet of the description on an (empty) xlwings sheet."""

    def __init__(self, xl_sheet: Any, sheet: Sheet, row_offset: int = 0) -> None:
        self.xl = xl_sheet
        self.sheet = sheet
        self.offset = row_offset  # the description's row 1 lands on row 1 + offset
        self.styles = style_properties()
        self.engine = engine_of(xl_sheet)
        self.officejs = self.engine in ("officejs", "lite")

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
        """Values first (one write per block), then formats, tables, the sheet's look, conditional formats,
        charts, and how the sheet prints (where the runtime offers a way: see `excel.page`)."""
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
        apply_page_setup(self.xl, self.sheet.page, self.offset)

    def _formats(self, block: Any) -> None:
        if isinstance(block, Text):
            self._role(self.rng(block.row, block.col), block.style)
        elif isinstance(block, Grid):
            for i, row in enumerate(block.rows):
                for first, last, c in _runs(row):
                    target = self.rng(block.row + i, block.col + first, block.row + i, block.col + last)
                    if c.number_format and c.number_format != "General":
                        target.number_format = c.number_format
                    self._role(target, c.style)
        elif isinstance(block, Table):
            self._table_formats(block)

    def _table_formats(self, block: Table) -> None:
        """Header style; per data column its number format, wrapping and centring (as the headless cells)."""
        self._role(self.rng(block.row, block.col, block.row, block.col + block.width - 1), "header")
        if not len(block.frame):
            return
        first, last = block.row + 1, block.last_row
        tall = bool(block.wrap)  # rows of several lines: every cell reads from the top
        if tall:
            _align(self.rng(first, block.col, last, block.col + block.width - 1), vertical="top")
        for j, (key, fmt) in enumerate(zip(block.keys, block.formats, strict=True)):
            col = self.rng(first, block.col + j, last, block.col + j)
            if fmt and fmt != "General":
                col.number_format = fmt
            if key in block.wrap:
                col.wrap_text = True
            if key in block.centered:
                _align(col, horizontal="center")

    def _role(self, target: Any, role: str | None) -> None:
        if role in self.styles:
            _style(target, self.styles[role])

    def _look(self) -> None:
        s = self.sheet
        for i, width in enumerate(s.widths, 1):
            self.xl.range((1, i)).column_width = column_width_points(width) if self.officejs else width
        for first, last, height in _spans(s.row_heights):
            self.xl.range(f"{first + self.offset}:{last + self.offset}").row_height = height
        for merge in s.merges:
            self.ref(merge).merge()
        for outline in s.outlines:
            columns = self.xl.range(f"{column_letter(outline.first)}:{column_letter(outline.last)}")
            self._group(columns)
            if outline.hidden:
                columns.columns.hidden = True
        if s.freeze:
            self.xl.freeze_panes.freeze_at(frozen_range(s.freeze))
        if not s.gridlines:
            with contextlib.suppress(Exception):  # a runtime without the property keeps its gridlines
                self.xl.show_gridlines = False

    def _group(self, columns: Any) -> None:
        """Group whole columns under an outline: xlwings' Office.js engine has the action; classic Excel on
        Windows through COM (xlwings' COM engine has no `group`); on macOS they are only hidden."""
        if self.officejs:
            columns.group("columns")
        elif self.engine == "com":
            columns.api.Group()

    def _chart(self, spec: Chart) -> None:
        """A chart from its options: the series' columns (with their name row) as source, the categories as
        x values, secondary series as lines on the second axis."""
        col1, col2, row1, row2 = _series_block(spec)
        source = self.rng(row1 - 1, col1, row2, col2)  # the series' columns, their names in the row above
        chart = self.xl.charts.add(
            anchor=self.ref(spec.anchor),
            width=spec.width * POINTS_PER_CM,
            height=spec.height * POINTS_PER_CM,
            chart_type=LINE_TYPE if spec.kind == "line" else CHART_TYPES[spec.kind],
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
