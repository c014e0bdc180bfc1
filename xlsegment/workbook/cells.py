"""Turning report columns into cell values, fast and safely.

Text from the ledger is always written as text: a value such as `=HYPERLINK(...)`, `+cmd|...`, `-2+3` or
`@SUM(...)` gets data type 's' (never a formula) and a quote prefix, so editing the cell keeps it text too.
Characters XML cannot hold are removed; text over 32,767 characters is refused with its place named.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from xlsegment.workbook.safety import FORMULA_START, clean_text, escape_text

__all__ = [
    "FORMULA_START",
    "clean_text",
    "column_values",
    "set_value",
    "formula",
    "CellFactory",
    "prototypes",
]


def column_values(series: pd.Series, kind: str) -> list[Any]:
    """The Python values of one column for the cells: None for missing, naive datetimes, plain numbers."""
    s = series.reset_index(drop=True)
    if kind == "date":
        d = pd.to_datetime(s, errors="coerce")
        if getattr(d.dt, "tz", None) is not None:
            d = d.dt.tz_localize(None)
        out = d.astype(object).where(d.notna(), None).tolist()
        return [v.to_pydatetime() if isinstance(v, pd.Timestamp) else v for v in out]
    if kind == "flag":  # 1/0, shown Oui/Non (Yes/No) by the flag format and counted by COUNTIFS(..., 1)
        if pd.api.types.is_bool_dtype(s) and not s.hasnans:
            return s.astype(int).tolist()
        return [
            None if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) else int(bool(v))
            for v in s.astype(object)
        ]
    if (
        kind in ("int", "number", "days", "ratio", "money", "money0", "percent", "score")
        and pd.api.types.is_numeric_dtype(s)
        and not pd.api.types.is_bool_dtype(s)
    ):
        f = s.astype(float).to_numpy()
        ok = np.isfinite(f)
        if kind == "int" and ok.all() and (f == np.round(f)).all():
            return f.astype(np.int64).tolist()
        vals = f.tolist()
        return [v if good else None for v, good in zip(vals, ok.tolist(), strict=True)]
    # text, or a number/other column holding text: everything as text except real numbers, dates and booleans
    obj = s.astype(object)
    missing = s.isna().to_numpy()
    out = []
    for v, m in zip(obj.tolist(), missing.tolist(), strict=True):
        if m:
            out.append(None)
        elif isinstance(v, str):
            out.append(v)  # cleaned and escaped where it is written (safety.escape_text)
        elif kind == "text":
            out.append(str(v))
        elif isinstance(v, (bool, np.bool_)):
            out.append(bool(v))
        elif isinstance(v, (int, float, np.integer, np.floating)):
            v = v.item() if isinstance(v, np.generic) else v
            out.append(v if not isinstance(v, float) or math.isfinite(v) else None)  # no inf in a cell
        elif isinstance(v, (datetime, pd.Timestamp)):
            out.append(
                pd.Timestamp(v).tz_localize(None).to_pydatetime()
                if pd.Timestamp(v).tz
                else pd.Timestamp(v).to_pydatetime()
            )
        else:
            out.append(str(v))
    return out


class CellFactory:
    """Styled cells for one worksheet, reused column by column (one prototype per column and text case)."""

    def __init__(self, ws) -> None:
        # a write-only sheet serialises each cell as it is appended, so one prototype per column is reused
        self.ws = ws

    def cell(
        self, value: Any, *, style: str | None = None, number_format: str | None = None, where: str = ""
    ) -> WriteOnlyCell:
        """One cell; text is always text (see module docstring)."""
        c = WriteOnlyCell(self.ws)
        if style:
            c.style = style
        if number_format:
            c.number_format = number_format
        set_value(c, value, where)
        return c

    def row_writer(
        self,
        formats: Sequence[str],
        kinds: Sequence[str],
        first_row: int,
        first_col: int = 1,
        centered: Sequence[bool] | None = None,
        wrapped: Sequence[bool] | None = None,
    ) -> Callable[[int, Sequence[Any]], list]:
        """A function (row index, values) -> cells for `ws.append`, one prototype cell per column."""
        protos, quoted = prototypes(self.ws, formats, centered, wrapped)
        sheet = self.ws.title
        lead = [None] * (first_col - 1)

        def write(i: int, values: Sequence[Any]) -> list:
            out = list(lead)
            for j, v in enumerate(values):
                if v is None:
                    out.append(None)
                    continue
                if isinstance(v, str):
                    where = f"sheet {sheet!r}, cell {get_column_letter(first_col + j)}{first_row + i}"
                    text, quote = escape_text(v, where)
                    c = quoted[j] if quote else protos[j]
                    c._value = text
                    c.data_type = "s"
                else:
                    c = protos[j]
                    c.value = v
                out.append(c)
            return out

        return write


CENTER = Alignment(horizontal="center")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
CENTER_TOP = Alignment(horizontal="center", vertical="top")


def prototypes(
    ws: Any,
    formats: Sequence[str],
    centered: Sequence[bool] | None = None,
    wrapped: Sequence[bool] | None = None,
) -> tuple[list[WriteOnlyCell], list[WriteOnlyCell]]:
    """Per column, a styled cell for plain values and one with the quote prefix (text that looks like a
    formula); `centered` columns (scores, codes) are centred so neighbouring numbers and codes read apart,
    `wrapped` columns (long sentences) wrap within their width."""
    plain, quoted = [], []
    for j, fmt in enumerate(formats):
        for quote, out in ((False, plain), (True, quoted)):
            c = WriteOnlyCell(ws)
            c.number_format = fmt
            if quote:
                c.quotePrefix = True
            tall = wrapped is not None and any(
                wrapped
            )  # rows of several lines: every cell reads from the top
            if centered is not None and centered[j]:
                c.alignment = CENTER_TOP if tall else CENTER
            elif tall:
                c.alignment = WRAP if wrapped[j] else TOP
            out.append(c)
    return plain, quoted


def set_value(c, value: Any, where: str = "") -> None:
    """Set a cell's value; strings always as text (data type 's', quote prefix when it looks like a formula)."""
    if isinstance(value, str):
        text, quote = escape_text(value, where or "cell")
        c._value = text
        c.data_type = "s"
        if quote:
            c.quotePrefix = True
    else:
        c.value = value


def formula(c, text: str) -> None:
    """Set a formula we generated (the only way a formula gets into the workbook)."""
    c.value = text
    c.data_type = "f"
