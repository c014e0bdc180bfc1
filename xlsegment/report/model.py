"""The report description: sheets of positioned blocks, as plain data any renderer can draw.

One description, several renderers (xlwings' facade-over-engines idea, XlsxWriter's chart-as-options): the
openpyxl writer (`xlsegment.workbook`) draws it into a headless workbook, the Excel buttons draw it through
Office.js actions. Everything is resolved here, in pure Python: every block knows its top-left cell, every
formula is written out, every chart and conditional format names its cell ranges (A1 notation, on its own
sheet), every number format is an Excel format string. A renderer only walks the sheets and blocks in order.

Blocks of one sheet never share a cell; they are listed top to bottom. Only the last block of a sheet may be
`stream=True` (a big table written straight to XML by the openpyxl renderer).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

MAX_COLUMNS = 16_384


def column_letter(index: int) -> str:
    """Excel column letters of a 1-based column index (1 -> A, 27 -> AA)."""
    if not 1 <= index <= MAX_COLUMNS:
        raise ValueError(f"column {index} is outside Excel's 1..{MAX_COLUMNS}")
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


MAX_SHEET_ROWS = (
    1_048_576  # rows of one Excel sheet, headers included (a table beyond is cut: tables.fit_to_sheet)
)


def cell_ref(row: int, col: int) -> str:
    """A1 reference of a 1-based (row, col)."""
    return f"{column_letter(col)}{row}"


def range_ref(row1: int, col1: int, row2: int, col2: int) -> str:
    """A1 range reference (A1:C10) of two 1-based corners."""
    return f"{cell_ref(row1, col1)}:{cell_ref(row2, col2)}"


@dataclass
class Cell:
    """One cell: a value (or a formula we generated, with the value it computes), a style role, a format.

    `style` is a role of the workbook's named styles (title, subtitle, heading, header, label, figure, note,
    text, wrap); `number_format` an Excel format string. `value` is what `formula` computes, for renderers
    that cannot calculate; text from the ledger is never a formula (only `formula` is)."""

    value: Any = None
    style: str | None = None
    number_format: str | None = None
    formula: str | None = None


@dataclass
class Block:
    """Something drawn at `row`, `col` (1-based top-left), filling `height` rows and `width` columns."""

    row: int
    col: int = 1

    @property
    def height(self) -> int:  # pragma: no cover - every block overrides it
        raise NotImplementedError

    @property
    def width(self) -> int:  # pragma: no cover
        raise NotImplementedError

    @property
    def last_row(self) -> int:
        return self.row + self.height - 1


@dataclass
class Text(Block):
    """One line of text (a title, a sentence, a note); `span` columns are merged when > 1 so a long sentence
    wraps over the page width; `lines` is the row height in lines of text."""

    text: str = ""
    style: str = "text"
    span: int = 1
    lines: int = 1

    @property
    def height(self) -> int:
        return 1

    @property
    def width(self) -> int:
        return self.span


@dataclass
class Grid(Block):
    """Rows of cells (headers, labelled figures, formulas): a small hand-laid block."""

    rows: list[list[Cell]] = field(default_factory=list)
    name: str = ""

    @property
    def height(self) -> int:
        return len(self.rows)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def cell(self, i: int, j: int) -> str:
        """A1 reference of the grid's cell at 0-based row i, column j."""
        return cell_ref(self.row + i, self.col + j)


@dataclass
class Table(Block):
    """A table of data: a header row then one row per frame row, a number format per column.

    `excel_name` makes it an Excel table (filters, banded rows); `stream` marks the sheet's last, big table;
    `wrap` lists the columns (keys) whose long text wraps; `centered` the columns shown centred."""

    headers: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)
    frame: pd.DataFrame = field(default_factory=pd.DataFrame)
    name: str = ""
    excel_name: str | None = None
    stream: bool = False
    wrap: list[str] = field(default_factory=list)
    centered: list[str] = field(default_factory=list)

    @property
    def height(self) -> int:
        return 1 + max(len(self.frame), 1 if self.excel_name else 0)

    @property
    def width(self) -> int:
        return len(self.headers)

    @property
    def header_row(self) -> int:
        return self.row

    def column(self, key: str) -> int:
        """1-based sheet column of the column whose key is `key` (KeyError when absent)."""
        if key not in self.keys:
            raise KeyError(key)
        return self.col + self.keys.index(key)

    def data_ref(self, key: str) -> str:
        """A1 range of one column's data rows."""
        c = self.column(key)
        return range_ref(self.row + 1, c, self.last_row, c)

    @property
    def ref(self) -> str:
        """A1 range of the whole table, header included."""
        return range_ref(self.row, self.col, self.last_row, self.col + self.width - 1)


@dataclass
class ConditionalFormat:
    """A data bar or a colour scale over `ref`.

    `rule` is "data_bar" or "color_scale"; `points` are (type, value, colour) from low to high, type one of
    min, max, num, percentile (value None for min/max); a data bar has two points and takes the last colour."""

    ref: str
    rule: str
    points: list[tuple[str, float | None, str]]


@dataclass
class Series:
    """One series of a chart: values (A1 range), the cell holding its name, and the axis it is drawn on."""

    values: str
    title_ref: str | None = None
    title: str = ""
    kind: str = "col"  # col, bar, line
    secondary: bool = False


@dataclass
class Chart:
    """A chart as options: series, categories, titles, axis number formats, anchor cell and size (cm).

    `kind` is "col" (vertical bars), "bar" (horizontal bars, first category on top), "line" (one line per
    series) or "combo" (bars plus line series on a secondary axis)."""

    kind: str
    title: str
    categories: str
    series: list[Series]
    anchor: str
    width: float = 15.0
    height: float = 7.5
    y_title: str = ""
    y_format: str = "#,##0"
    secondary_title: str = ""
    secondary_format: str = "0%"
    legend: bool = True


@dataclass
class PageSetup:
    """How a sheet prints: orientation, fit to `fit_width` pages wide and `fit_height` tall (0 = as many as
    needed), rows repeated at the top of each page, header/footer texts, manual page breaks (after a row)."""

    orientation: str = "portrait"
    fit_width: int = 1
    fit_height: int = 0
    title_rows: tuple[int, int] | None = None
    header: str = ""
    footer: str = ""
    breaks: list[int] = field(default_factory=list)
    paper: str = "A4"


@dataclass
class Outline:
    """Columns `first`..`last` (1-based) grouped under an Excel outline level, collapsed when `hidden`."""

    first: int
    last: int
    level: int = 1
    hidden: bool = True


@dataclass
class Sheet:
    """One sheet: its key (stable in every language), its name, blocks top to bottom, and its look."""

    key: str
    name: str
    blocks: list[Block] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)
    freeze: str | None = None
    gridlines: bool = True
    charts: list[Chart] = field(default_factory=list)
    formats: list[ConditionalFormat] = field(default_factory=list)
    merges: list[str] = field(default_factory=list)
    row_heights: dict[int, float] = field(default_factory=dict)
    outlines: list[Outline] = field(default_factory=list)
    page: PageSetup = field(default_factory=PageSetup)

    @property
    def next_row(self) -> int:
        """The first row below every block."""
        return max((b.last_row for b in self.blocks), default=0) + 1

    def block(self, name: str) -> Block:
        """The Table or Grid called `name` (KeyError when absent)."""
        for b in self.blocks:
            if getattr(b, "name", None) == name:
                return b
        raise KeyError(name)


@dataclass
class Book:
    """The whole report: language, title, and the sheets in order."""

    lang: str
    title: str
    sheets: list[Sheet] = field(default_factory=list)

    def sheet(self, key: str) -> Sheet:
        for s in self.sheets:
            if s.key == key:
                return s
        raise KeyError(key)
