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
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

from xlsegment.workbook.cells import column_values, prototypes
from xlsegment.workbook.safety import WorkbookError, escape_text

CHUNK_ROWS = 2_000


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
    `heights` gives the height (points) of rows taller than one line (wrapped text)."""
    heights = heights or {}
    plain, quoted = style_ids(ws, formats, centered, wrapped)
    letters = [get_column_letter(j + 1) for j in range(len(kinds))]
    epoch = ws.parent.epoch
    sheet = ws.title
    for start in range(0, len(frame), CHUNK_ROWS):
        block = frame.iloc[start : start + CHUNK_ROWS]
        columns = [column_values(block.iloc[:, j], kind) for j, kind in enumerate(kinds)]
        parts: list[str] = []
        for i in range(len(block)):
            r = first_row + start + i
            height = heights.get(r)
            parts.append(f'<row r="{r}" ht="{height}" customHeight="1">' if height else f'<row r="{r}">')
            for j, col in enumerate(columns):
                v = col[i]
                if v is None:
                    continue
                t = type(v)
                if t is str:
                    if not v:  # openpyxl writes no value for an empty string either
                        continue
                    v, quote = escape_text(v, f"sheet {sheet!r}, cell {letters[j]}{r}")
                    s = quoted[j] if quote else plain[j]
                    parts.append(
                        f'<c r="{letters[j]}{r}" s="{s}" t="inlineStr"><is><t xml:space="preserve">{_escape(v)}</t></is></c>'
                    )
                elif t is float or t is int:
                    parts.append(f'<c r="{letters[j]}{r}" s="{plain[j]}"><v>{v!r}</v></c>')
                elif t is bool:
                    parts.append(f'<c r="{letters[j]}{r}" s="{plain[j]}" t="b"><v>{int(v)}</v></c>')
                elif isinstance(v, (datetime, date)):
                    parts.append(f'<c r="{letters[j]}{r}" s="{plain[j]}"><v>{to_excel(v, epoch)!r}</v></c>')
                else:
                    raise WorkbookError(f"sheet {sheet!r}, cell {letters[j]}{r}: cannot write a {t.__name__}")
            parts.append("</row>")
        yield "".join(parts)


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
