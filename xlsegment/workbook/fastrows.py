"""Fast path for the big tables: rows rendered straight to sheet XML inside an openpyxl write-only sheet.

openpyxl spends ~30 µs per cell building and serialising an element (without lxml); the Customers table of a
100k-customer ledger has millions of cells. Here each cell is one formatted string, streamed through the
write-only sheet's own XML writer, so the file is the same openpyxl would write (styles, tables, charts and
conditional formats still come from openpyxl). The values are the same Python values the slow path writes
(`cells.column_values`), and text is always an inline string: it can never become a formula.

Used only when openpyxl writes with et_xmlfile (no lxml) and for the last block of a write-only sheet;
otherwise the writer falls back to openpyxl cells (`CellFactory.row_writer`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from itertools import chain, repeat
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import WINDOWS_EPOCH, to_excel

from xlsegment.workbook.cells import column_values, prototypes
from xlsegment.workbook.safety import WorkbookError, escape_text

CHUNK_ROWS = 5_000  # rows converted at a time: fewer pandas calls, a few tens of MB of text at most


def available(ws: Any) -> bool:
    """True when rows can be streamed as XML into this sheet (write-only sheet, et_xmlfile writer)."""
    return hasattr(ws, "_write_rows") and not openpyxl.LXML


def _escape(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def style_ids(
    ws: Any,
    formats: Sequence[str],
    centered: Sequence[bool] | None = None,
    wrapped: Sequence[bool] | None = None,
) -> tuple[list[int], list[int]]:
    """Cell style index per column, plain and with a quote prefix (registered in the workbook's styles)."""
    plain, quoted = prototypes(ws, formats, centered, wrapped)
    return [c.style_id for c in plain], [c.style_id for c in quoted]


def render_rows(
    ws: Any,
    frame: Any,
    kinds: Sequence[str],
    formats: Sequence[str],
    first_row: int,
    centered: Sequence[bool] | None = None,
    wrapped: Sequence[bool] | None = None,
    heights: Mapping[int, float] | None = None,
) -> Iterator[str]:
    """<row> elements of a table's rows, CHUNK_ROWS at a time (values converted chunk by chunk, so memory
    stays flat in the number of rows); the values are `cells.column_values` of each column, None = empty.
    `heights` gives the height (points) of rows taller than one line (wrapped text).

    A chunk is made column by column (each column's cells as strings, "" for an empty cell), then the rows
    are joined: the per-cell work is one formatted string, and text is escaped once per distinct value."""
    heights = heights or {}
    plain, quoted = style_ids(ws, formats, centered, wrapped)
    letters = [get_column_letter(j + 1) for j in range(len(kinds))]
    epoch = ws.parent.epoch
    for start in range(0, len(frame), CHUNK_ROWS):
        block = frame.iloc[start : start + CHUNK_ROWS]
        rows = range(first_row + start, first_row + start + len(block))
        columns = [
            _column_cells(block.iloc[:, j], kind, letters[j], plain[j], quoted[j], rows, epoch, ws.title)
            for j, kind in enumerate(kinds)
        ]
        opens = [
            f'<row r="{r}" ht="{heights[r]}" customHeight="1">' if heights.get(r) else f'<row r="{r}">'
            for r in rows
        ]
        yield "".join(chain.from_iterable(zip(opens, *columns, repeat("</row>"))))


NUMBERS = frozenset((float, int, type(None)))
TEXTS = frozenset((str, type(None)))


def _column_cells(
    series: Any, kind: str, letter: str, plain: int, quoted: int, rows: range, epoch: datetime, sheet: str
) -> list[str]:
    """The <c> elements of one column over `rows` ("" where the cell is empty)."""
    values = excel_serials(series, epoch) if kind == "date" else column_values(series, kind)
    types = set(map(type, values))
    if types <= NUMBERS:
        return [
            "" if v is None else f'<c r="{letter}{r}" s="{plain}"><v>{v!r}</v></c>'
            for r, v in zip(rows, values, strict=True)
        ]
    if types <= TEXTS:
        return _text_cells(values, letter, plain, quoted, rows, sheet)
    return [_cell(v, letter, r, plain, quoted, epoch, sheet) for r, v in zip(rows, values, strict=True)]


def _text_cells(
    values: list[str | None], letter: str, plain: int, quoted: int, rows: range, sheet: str
) -> list[str]:
    """Inline-string cells; each distinct text is checked and escaped once (where it first occurs)."""
    tails: dict[str, str] = {}
    out = []
    for r, v in zip(rows, values, strict=True):
        if not v:  # None, or an empty string (openpyxl writes no value for it either)
            out.append("")
            continue
        tail = tails.get(v)
        if tail is None:
            text, quote = escape_text(v, f"sheet {sheet!r}, cell {letter}{r}")
            s = quoted if quote else plain
            tail = tails[v] = (
                f'" s="{s}" t="inlineStr"><is><t xml:space="preserve">{_escape(text)}</t></is></c>'
            )
        out.append(f'<c r="{letter}{r}{tail}')
    return out


def _cell(v: Any, letter: str, r: int, plain: int, quoted: int, epoch: datetime, sheet: str) -> str:
    """One <c> element of any value `column_values` gives ("" when empty)."""
    t = type(v)
    if v is None or (t is str and not v):
        return ""
    if t is str:
        return _text_cells([v], letter, plain, quoted, range(r, r + 1), sheet)[0]
    if t is float or t is int:
        return f'<c r="{letter}{r}" s="{plain}"><v>{v!r}</v></c>'
    if t is bool:
        return f'<c r="{letter}{r}" s="{plain}" t="b"><v>{int(v)}</v></c>'
    if isinstance(v, (datetime, date)):
        return f'<c r="{letter}{r}" s="{plain}"><v>{to_excel(v, epoch)!r}</v></c>'
    raise WorkbookError(f"sheet {sheet!r}, cell {letter}{r}: cannot write a {t.__name__}")


_DAY_US = 86_400_000_000


def excel_serials(series: Any, epoch: datetime) -> list[float | None]:
    """A date column as Excel serial numbers, None where missing: what openpyxl's `to_excel` gives for each
    of `column_values(series, "date")`, computed on the whole column at once (microseconds, days from
    `epoch`, Excel's 1900 leap-year bug before 1900-03-01, the time of day as a fraction)."""
    d = pd.to_datetime(series.reset_index(drop=True), errors="coerce")
    if getattr(d.dt, "tz", None) is not None:
        d = d.dt.tz_localize(None)
    missing = d.isna().to_numpy()
    micros = d.to_numpy("datetime64[ns]").view(np.int64) // 1000  # a Python datetime keeps microseconds
    since = micros - (pd.Timestamp(epoch).value // 1000)
    days = since // _DAY_US
    if epoch == WINDOWS_EPOCH:
        days = days - ((days > 0) & (days <= 60))
    time_us = since % _DAY_US
    serial = days + (time_us // 1_000_000 + (time_us % 1_000_000) / 10**6) / 86_400
    return [None if m else v for v, m in zip(serial.tolist(), missing.tolist(), strict=True)]


def stream(ws: Any, rows: Iterator[str], first_row: int) -> None:
    """Write pre-rendered rows as the last rows of a write-only sheet (nothing may be appended after)."""
    ws._get_writer()
    writer = ws._writer
    original = writer.write_row

    def write_row(xf: Any, row: Any, row_idx: int) -> None:
        if row_idx != first_row:
            raise WorkbookError(
                f"sheet {ws.title!r}: streamed rows must start at row {row_idx}, not {first_row}"
            )
        raw = xf._file
        for chunk in rows:
            raw(chunk)
        writer.write_row = _closed(ws.title)

    writer.write_row = write_row
    try:
        ws.append([])
    finally:
        if writer.write_row is write_row:
            writer.write_row = original


def _closed(title: str):
    def refuse(xf: Any, row: Any, row_idx: int) -> None:
        raise WorkbookError(f"sheet {title!r}: no row may follow a streamed block")

    return refuse
