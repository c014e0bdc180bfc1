"""The Excel boundary: cell ranges in, JSON-safe cell values out, and errors as text a user can act on.

Every runtime hands us cells differently (classic COM: datetimes and floats; Office.js and Lite: serial
numbers, "" for empty cells, None for error cells), and every runtime chokes on something on the way out
(NaN becomes #NUM! on Office.js, numpy scalars are not JSON). This module absorbs both sides so the
function and script modules only deal with DataFrames.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

import numpy as np
import pandas as pd

EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # serial 0; serials >= 61 are exact (Excel's 1900 leap-year bug)
ERROR_PREFIX = "xlsegment: "
OFFICEJS_DATE = "yyyy-mm-dd"  # number format of dates returned to Office.js: unambiguous in every locale


def officejs_runtime() -> bool:
    """True under xlwings Server and Lite (Office.js decorators), False for classic Excel and plain Python."""
    import xlwings

    return str(getattr(xlwings.func, "__module__", "")).endswith("udfs_officejs")


class ExcelInputError(ValueError):
    """A range or cell value that cannot be used; the message names the argument, column and row."""


# --------------------------------------------------------------------------------------------- input
def column_letter(index: int) -> str:
    """Spreadsheet letters of a 0-based column offset: 0 -> A, 27 -> AB (relative to the range)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def is_blank(value: Any) -> bool:
    """An empty cell as any runtime delivers it: None, "", spaces, or a NaN float."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return math.isnan(value)
    return False


def as_rows(value: Any) -> list[list[Any]]:
    """A range value as a list of rows: a scalar is a 1x1 range, a flat list is one row."""
    if value is None:
        return []
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        if not value:
            return []
        kinds = set(map(type, value))
        if kinds <= {list, tuple}:
            widths = set(map(len, value))
            width = max(widths)
            if kinds == {list} and len(widths) == 1:
                return list(value)  # already rectangular rows (never modified here)
            return [list(row) + [None] * (width - len(row)) for row in value]
        return [list(value)]
    return [[value]]


# classic Excel hands error cells of a "raw" range as these COM integers (xlwings' own table)
COM_ERRORS = {
    -2146826281: "#DIV/0!",
    -2146826246: "#N/A",
    -2146826259: "#NAME?",
    -2146826288: "#NULL!",
    -2146826252: "#NUM!",
    -2146826265: "#REF!",
    -2146826273: "#VALUE!",
}


def cell_error(value: Any) -> str | None:
    """The error an error cell shows ("#N/A", "#DIV/0!"...), as Office.js or classic Excel sends it; else None."""
    if isinstance(value, dict):
        if value.get("type") != "Error":
            return None
        text = value.get("basicValue") or value.get("errorType") or "#VALUE!"
        return str(text)
    if type(value) is int and value in COM_ERRORS:
        return COM_ERRORS[value]
    return None


def error_cell_text(error: str, what: str) -> str:
    """How an error cell is named in a message, in any language: "#N/A (amount)"."""
    return f"{error} ({what})"


def raw_cell(value: Any) -> Any:
    """One cell as Office.js may send it unconverted: an error cell (a dict of type Error, or a COM error
    code) is empty, a formatted number or data type (a dict with a basicValue) is its value, "" is empty."""
    if isinstance(value, dict):
        return None if value.get("type") == "Error" else value.get("basicValue")
    if isinstance(value, str) and not value.strip():
        return None
    if type(value) is int and value in COM_ERRORS:
        return None
    return value


_is_dict = np.frompyfunc(lambda v: isinstance(v, dict), 1, 1)
_raw_cells = np.frompyfunc(raw_cell, 1, 1)


_is_str = np.frompyfunc(lambda v: isinstance(v, str), 1, 1)


def _spaces_only(texts: np.ndarray) -> np.ndarray:
    """True for each text (every item a str) made of blanks only: str.isspace mapped at C speed."""
    return np.fromiter(map(str.isspace, texts), dtype=bool, count=len(texts))


_NUMERIC_KINDS = ("floating", "integer", "mixed-integer-float", "decimal")


def _clean_column(values: Sequence[Any]) -> tuple[pd.Series, np.ndarray, dict[int, str]]:
    """A column of raw cells as a Series (float64 when every cell is a number or blank), its blank mask and
    its error cells (position -> "#N/A"...), which are blank in the Series.

    Vectorised: pandas' C type inference first, Python-level checks only on the cells that need them, so a
    100k-line column costs milliseconds.
    """
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    kind = pd.api.types.infer_dtype(arr, skipna=True)
    errors: dict[int, str] = {}
    if kind in _NUMERIC_KINDS:
        numbers = arr.astype("float64")
        if kind != "floating":  # classic Excel's COM error codes are integers
            for i in np.flatnonzero(np.isin(numbers, _COM_CODES)):
                errors[int(i)] = COM_ERRORS[int(numbers[i])]
                numbers[i] = np.nan
        return pd.Series(numbers), np.isnan(numbers), errors
    if kind not in ("string", "empty") and _is_dict(arr).astype(bool).any():
        for i in np.flatnonzero(_is_dict(arr).astype(bool)):
            error = cell_error(arr[i])
            if error is not None:
                errors[int(i)] = error
        arr = _raw_cells(arr)  # Office.js error cells and formatted numbers
    elif kind in ("integer", "mixed-integer", "mixed"):
        for i, v in enumerate(arr):
            error = cell_error(v)
            if error is not None:
                errors[i] = error
                arr[i] = None
    missing = pd.isna(arr) | (arr == "")
    strings = (
        np.flatnonzero(~missing & _is_str(arr).astype(bool)) if kind != "string" else np.flatnonzero(~missing)
    )
    if strings.size:
        missing[strings[_spaces_only(arr[strings])]] = True
    arr[missing] = None
    numbers_only = kind not in ("string", "empty") and not strings.size and (~missing).any()
    if numbers_only and pd.api.types.infer_dtype(arr[~missing], skipna=True) in _NUMERIC_KINDS:
        return pd.Series(arr.astype("float64")), missing, errors  # numbers with blanks: NaN where blank
    return pd.Series(arr, dtype=object), missing, errors


_COM_CODES = np.array(sorted(COM_ERRORS), dtype="float64")


def used_rows(rows: list[list[Any]]) -> list[list[Any]]:
    """The rows down to the last one with a value: a whole-column reference (A:D, 1,048,576 rows) is cut to
    the used rows before any other work (each row compared at C speed with a blank row)."""
    if not rows:
        return rows
    width = len(rows[0])
    blanks = ([""] * width, [None] * width)
    for last in range(len(rows) - 1, -1, -1):
        row = rows[last]
        if row != blanks[0] and row != blanks[1] and not all(is_blank(raw_cell(v)) for v in row):
            return rows if last == len(rows) - 1 else rows[: last + 1]
    return []


def _header_index(rows: list[list[Any]], scan: int = 20) -> int | None:
    """The header row: the first non-empty row, unless that row is a title (one filled cell) above a row of
    two or more text cells, which is then the header."""
    filled_rows: list[int] = []
    for i, row in enumerate(rows):  # stops after `scan` filled rows: never a loop over a whole ledger
        if not all(is_blank(raw_cell(v)) for v in row):
            filled_rows.append(i)
            if len(filled_rows) >= scan:
                break
    if not filled_rows:
        return None
    for pos, i in enumerate(filled_rows[:scan]):
        cells = [raw_cell(v) for v in rows[i] if not is_blank(raw_cell(v))]
        if len(cells) >= 2:  # text cells: the header; data cells: the header was the first row after all
            return i if all(isinstance(c, str) for c in cells) or pos == 0 else filled_rows[0]
    return filled_rows[0]


def range_to_frame(values: Any, *, what: str = "ledger") -> pd.DataFrame:
    """A range with a header row as a DataFrame indexed by the row number inside the range (header = 1).

    Fully blank rows and columns are dropped (a whole-column selection is fine), and so is a title above
    the header row; headers must be present and distinct. Cells are passed on as they came (serial dates,
    text numbers) apart from empty and error cells, which become missing: `read_transactions` parses them,
    and names this index in its messages, so errors point at rows of the user's range. Error cells are
    listed in `attrs["error_cells"]` (header -> {row: "#N/A"}), so what they cost can be said.
    """
    rows = used_rows(as_rows(values))
    empty = f"the {what} range is empty; select the table including its header row"
    first = _header_index(rows)
    if first is None:
        raise ExcelInputError(empty)
    body = rows[first + 1 :]
    header_row = rows[first]
    cleaned = [_clean_column(list(map(itemgetter(j), body))) for j in range(len(header_row))]
    n = len(rows) - first - 1
    row_blank = np.ones(n, dtype=bool)
    for _, missing, errors in cleaned:
        row_blank &= missing
        row_blank[list(errors)] = False  # an error cell is something the user wrote
    names: list[str] = []
    kept: list[pd.Series] = []
    error_cells: dict[str, dict[int, str]] = {}
    seen: dict[str, int] = {}
    for j, (col, missing, errors) in enumerate(cleaned):
        raw = raw_cell(header_row[j])
        if is_blank(raw):
            if missing.all() and not errors:
                continue  # an empty column inside the selection
            raise ExcelInputError(
                f"{what} range, column {column_letter(j)}: it has values but no header in row {first + 1}; "
                "give every column a name (e.g. customer, date, amount)"
            )
        name = _header_text(raw)
        key = name.lower()
        if key in seen:
            first_name = names[list(seen).index(key)]
            raise ExcelInputError(
                f"{what} range: columns {column_letter(seen[key])} ({first_name!r}) and {column_letter(j)} "
                f"({name!r}) have the same name; rename one of them"
            )
        seen[key] = j
        names.append(name)
        kept.append(col)
        if errors:
            error_cells[name] = {int(i) + first + 2: text for i, text in errors.items()}
    keep = ~row_blank
    if not keep.any():
        raise ExcelInputError(f"{what} range has a header row but no data rows below it")
    index = pd.Index(np.flatnonzero(keep) + first + 2, name="row")
    data = {name: col[keep].reset_index(drop=True) for name, col in zip(names, kept, strict=True)}
    frame = pd.DataFrame(data, columns=names)
    frame.index = index
    frame.attrs["error_cells"] = error_cells
    return frame


def _header_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def serial_to_timestamp(serial: Any) -> pd.Timestamp | None:
    """One Excel serial date (days since 1899-12-30, fraction = time of day) as a Timestamp."""
    if is_blank(serial):
        return None
    return EXCEL_EPOCH + pd.to_timedelta(float(serial), unit="D")


def dates_from_cells(values: np.ndarray) -> pd.Series:
    """Cells of a date column: serial numbers and datetimes become timestamps, text stays for the core.

    When every cell is a number, a date or empty the result is a datetime64 column.
    """
    values = np.asarray(values, dtype=object)
    numeric = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
    is_number = np.array(
        [isinstance(v, (int, float, np.number)) and not isinstance(v, (bool, np.bool_)) for v in values],
        dtype=bool,
    )
    out = pd.Series(values, dtype=object)
    if is_number.any():
        stamps = EXCEL_EPOCH + pd.to_timedelta(numeric[is_number].to_numpy(dtype=float), unit="D")
        out[is_number] = list(stamps)
    is_date = np.array([isinstance(v, (dt.date, pd.Timestamp)) for v in out], dtype=bool)
    blank = out.isna().to_numpy()
    if (is_date | blank).all():
        return pd.to_datetime(out.where(~blank, None)).astype("datetime64[ns]")
    return out


def to_date(value: Any, what: str) -> pd.Timestamp | None:
    """A single date argument (serial, datetime or ISO/French text) as a Timestamp; None when blank."""
    value = scalar(value)
    if is_blank(value):
        return None
    if isinstance(value, (bool, np.bool_)):
        raise ExcelInputError(f"{what}: expected a date, got {value!r}")
    if isinstance(value, (int, float, np.number)):
        return serial_to_timestamp(value)
    if isinstance(value, (dt.date, pd.Timestamp)):
        return pd.Timestamp(value)
    text = str(value).strip()
    for dayfirst in (False, True) if text[:4].isdigit() else (True,):
        try:
            return pd.Timestamp(pd.to_datetime(text, dayfirst=dayfirst))
        except (ValueError, TypeError):
            continue
    raise ExcelInputError(f"{what}: {text!r} is not a date (use a date cell, or text like 2024-03-31)")


def scalar(value: Any) -> Any:
    """The single value of a 1x1 range (Office.js and classic both may wrap scalars)."""
    while isinstance(value, (list, tuple)) and len(value) == 1:
        value = value[0]
    if isinstance(value, (list, tuple)):
        raise ExcelInputError("expected a single cell, got a range of several cells")
    return raw_cell(value)


def to_number(value: Any, what: str, *, default: float | None = None) -> float | None:
    """A numeric argument: numbers, text numbers ("1 234,5", "12.5 %"), blank -> `default`."""
    value = scalar(value)
    if is_blank(value):
        return default
    number = _parse_number(value)
    if number is None:
        raise ExcelInputError(f"{what}: {value!r} is not a number")
    return number


def to_text(value: Any, default: str | None = None) -> str | None:
    """A text argument, stripped; blank -> `default`."""
    value = scalar(value)
    if is_blank(value):
        return default
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def to_bool(value: Any, what: str, *, default: bool) -> bool:
    """A TRUE/FALSE argument; also accepts 1/0, yes/no, oui/non."""
    value = scalar(value)
    if is_blank(value):
        return default
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float)):
        return bool(value)
    text = str(value).strip().lower()
    if text in {"true", "vrai", "yes", "oui", "1", "y", "o"}:
        return True
    if text in {"false", "faux", "no", "non", "0", "n"}:
        return False
    raise ExcelInputError(f"{what}: {value!r} is not TRUE or FALSE")


def to_names(value: Any) -> list[str]:
    """A list of names from a range of cells or one comma/semicolon separated text."""
    names: list[str] = []
    for row in as_rows(value):
        for cell in row:
            if is_blank(cell):
                continue
            names += [part.strip() for part in str(cell).replace(";", ",").split(",") if part.strip()]
    return names


def _parse_number(value: Any) -> float | None:
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, float, np.number)):
        number = float(value)
        return None if math.isnan(number) else number
    if not isinstance(value, str):
        return None
    text = value.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("€", "")
    percent = text.endswith("%")
    text = text.rstrip("%")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    elif "," in text and "." in text:
        text = text.replace(",", "")
    try:
        number = float(text)
    except ValueError:
        return None
    return number / 100 if percent else number


def numbers_from_cells(values: np.ndarray, what: str) -> tuple[np.ndarray, np.ndarray, list[str | None]]:
    """Cells as floats: (numbers with NaN for blank/bad, blank mask, per-cell error text or None)."""
    flat = np.asarray(values, dtype=object).ravel()
    out = np.full(flat.shape, np.nan)
    blank = np.zeros(flat.shape, dtype=bool)
    errors: list[str | None] = [None] * flat.size
    for i, cell in enumerate(flat):
        error = cell_error(cell)
        if error is not None:
            errors[i] = ERROR_PREFIX + error_cell_text(error, what)
            continue
        cell = raw_cell(cell)
        if is_blank(cell):
            blank[i] = True
            continue
        number = _parse_number(cell)
        if number is None:
            errors[i] = f"{ERROR_PREFIX}{what}: {cell!r} is not a number"
        else:
            out[i] = number
    return out, blank, errors


# -------------------------------------------------------------------------------------------- output
def cell(value: Any) -> Any:
    """One value as Excel takes it from every runtime: plain Python, None for anything missing."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return None if (math.isnan(number) or math.isinf(number)) else number
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().replace(tzinfo=None)
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else pd.Timestamp(value).to_pydatetime()
    if isinstance(value, (pd.Timedelta, np.timedelta64, dt.timedelta)):
        delta = pd.Timedelta(value)
        return None if delta is pd.NaT else delta / pd.Timedelta(days=1)
    if isinstance(value, pd.Period):
        return str(value)
    if isinstance(value, (int, str, dt.datetime, dt.date)):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def column_values(series: pd.Series, officejs: bool = False) -> np.ndarray:
    """A column as an object array of `cell`-clean values, vectorised by dtype.

    `officejs`: the values go straight to Office.js (a "raw" return): dates as date-formatted serial
    numbers, missing as "" (what xlwings' own, per-cell, conversion would produce).
    """
    missing = series.isna().to_numpy()
    kind = series.dtype.kind
    if kind == "M":
        values = np.asarray(series.dt.tz_localize(None) if series.dt.tz else series, dtype="datetime64[us]")
        if officejs:
            serials = (values - np.datetime64("1899-12-30", "us")) / np.timedelta64(1, "D")
            out = np.array(
                [
                    {"type": "FormattedNumber", "basicValue": float(v), "numberFormat": OFFICEJS_DATE}
                    for v in serials
                ],
                dtype=object,
            )
        else:
            out = values.astype(object)  # datetime.datetime objects
    elif kind == "m":
        out = (series / pd.Timedelta(days=1)).to_numpy(dtype=float).astype(object)
    elif kind == "f":
        arr = series.to_numpy(dtype=float)
        missing = missing | ~np.isfinite(arr)
        out = excel_numbers(arr) if officejs else arr.astype(object)
    elif kind in "iub" and not missing.any():
        out = series.to_numpy().astype(object)
    elif isinstance(series.dtype, pd.CategoricalDtype):
        categories = np.empty(len(series.cat.categories) + 1, dtype=object)
        categories[:-1] = [cell(v) for v in series.cat.categories]
        out = categories[series.cat.codes.to_numpy()]  # code -1 (missing) takes the last slot
    else:
        raw = series.to_numpy(dtype=object)
        out = raw if _all_plain(raw, missing) else np.array([cell(v) for v in raw], dtype=object)
    out = np.array(out, dtype=object, copy=True)
    if officejs and kind not in "Mmfiub" and any(issubclass(t, dt.date) for t in set(map(type, out))):
        dates = np.flatnonzero(_is_date(out).astype(bool) & ~missing)
        for i in dates:  # dates inside a text column (a mixed column): Office.js needs them formatted
            out[i] = _officejs_date(out[i])
    out[missing] = "" if officejs else None
    return out


_is_date = np.frompyfunc(lambda v: isinstance(v, (dt.date, pd.Timestamp)), 1, 1)

EXCEL_DIGITS = 15  # significant digits Excel keeps of a number: more would only lengthen the JSON


def excel_numbers(values: np.ndarray) -> np.ndarray:
    """Floats as the shortest JSON numbers Excel receives unchanged: rounded to EXCEL_DIGITS significant digits
    (a revenue summed to 1191.3300000000002 goes as 1191.33) and whole values as integers (601, not 601.0).

    Vectorised: one rounding per decimal exponent present, not per value. Magnitudes outside 1e-7..1e15, where
    a power of ten is no longer exact, are left as they are.
    """
    out = values.astype(object)
    finite = np.isfinite(values)
    exponents = np.full(len(values), 99, dtype=np.int64)
    nonzero = finite & (values != 0)
    exponents[nonzero] = np.floor(np.log10(np.abs(values[nonzero]))).astype(np.int64)
    rounded = values.copy()
    for exponent in np.unique(exponents[(exponents >= -7) & (exponents < EXCEL_DIGITS)]):
        at = exponents == exponent
        rounded[at] = np.round(values[at], EXCEL_DIGITS - 1 - int(exponent))
    whole = finite & (rounded == np.floor(rounded)) & (np.abs(rounded) < 2**53)
    out[finite] = rounded[finite].astype(object)
    out[whole] = rounded[whole].astype(np.int64).astype(object)
    return out


def _officejs_date(value: dt.date) -> dict[str, Any]:
    stamp = pd.Timestamp(value).tz_localize(None) if pd.Timestamp(value).tz else pd.Timestamp(value)
    serial = (stamp - EXCEL_EPOCH) / pd.Timedelta(days=1)
    return {"type": "FormattedNumber", "basicValue": float(serial), "numberFormat": OFFICEJS_DATE}


def _all_plain(raw: np.ndarray, missing: np.ndarray) -> bool:
    present = raw[~missing]
    if not present.size:
        return True
    types = set(map(type, present))
    return types <= {str, int, bool, dt.datetime, dt.date}  # floats may be inf: cleaned one by one


def frame_to_rows(
    frame: pd.DataFrame,
    *,
    headers: Sequence[str] | None = None,
    index: bool = False,
    header: bool = True,
    officejs: bool = False,
) -> list[list[Any]]:
    """A DataFrame as rows of clean cells: optional header row (given labels or the column names).

    `officejs=True` gives values ready for Office.js as they are (see `column_values`).
    """
    data = frame.reset_index() if index else frame
    names = list(headers) if headers is not None else [str(c) for c in data.columns]
    if len(names) != data.shape[1]:
        raise ValueError(f"{len(names)} headers for {data.shape[1]} columns")
    if data.shape[0] == 0:
        return [names] if header else [[None] * len(names)]
    cols = [column_values(data.iloc[:, j], officejs) for j in range(data.shape[1])]
    body = np.empty((data.shape[0], len(cols)), dtype=object)
    for j, col in enumerate(cols):
        body[:, j] = col
    rows = body.tolist()
    return [names, *rows] if header else rows


# -------------------------------------------------------------------------------------------- errors
MESSAGE_LIMIT = 250  # characters a message may take: it must read in one cell
SHOWN_NAMES = 6  # quoted names ('Client', 'Date', ...) listed in a message before "..."
_QUOTED_LIST = re.compile(rf"'[^']*'(?:, '[^']*'){{{SHOWN_NAMES},}}")
_PROGRAMMER_ADVICE = re.compile(r"CLI|--[a-z]|errors=|\w+='<header>'")


def _text(value: Any, lang: str) -> str:
    """A message piece in `lang`: the core's two-language texts have `.lang()`, plain text stays."""
    return value.lang(lang) if hasattr(value, "lang") and callable(value.lang) else str(value)


def _short_lists(text: str) -> str:
    """Long lists of quoted names cut to the first few, so the message fits a cell."""

    def cut(match: re.Match[str]) -> str:
        names = re.findall(r"'[^']*'", match.group(0))
        return ", ".join(names[:SHOWN_NAMES]) + f", ... ({len(names)})"

    return _QUOTED_LIST.sub(cut, text)


def _ledger_message(exc: BaseException, lang: str) -> str | None:
    """A LedgerError said the Excel way: the range, column and rows; advice about cells, never CLI flags."""
    from xlsegment.labels import label

    problem = getattr(exc, "problem", None)
    if problem is None or not hasattr(exc, "rows"):
        return None
    where = [label("excel.msg.range", lang)]
    if getattr(exc, "column", None):
        where.append(label("excel.msg.column", lang).format(name=exc.column))
    rows = [int(r) if isinstance(r, (int, np.integer)) else r for r in exc.rows]
    if rows:
        shown = ", ".join(str(r) for r in rows[:5])
        if len(rows) > 5:
            shown += " " + label("excel.msg.more", lang).format(count=len(rows) - 5)
        where.append(label("excel.msg.row" if len(rows) == 1 else "excel.msg.rows", lang).format(rows=shown))
    hint = _text(getattr(exc, "hint", "") or "", lang)
    if _PROGRAMMER_ADVICE.search(hint):  # advice for Python and CLI users; in a cell the fix is the data
        hint = label("excel.msg.fix_cells" if rows else "excel.msg.fix_headers", lang)
    separator = " : " if lang == "fr" else ": "
    text = ", ".join(where) + separator + _short_lists(_text(problem, lang))
    return text + (f" ({hint})" if hint else "")


def error_text(exc: BaseException, lang: str | None = None) -> str:
    """The message a cell shows for a failure: what is wrong and where, never a traceback, at most
    MESSAGE_LIMIT characters. `lang`: default Excel's language, else the ledger's (when the error knows it)."""
    from xlsegment.excel.culture import resolve_lang

    lang = resolve_lang(lang, getattr(exc, "lang", None))
    ledger = _ledger_message(exc, lang)
    if ledger is not None:
        return ERROR_PREFIX + _fit(ledger)
    if isinstance(exc, KeyError) and exc.args:
        message = f"missing {exc.args[0]!r}"
    else:
        message = _short_lists(str(exc).strip()) or type(exc).__name__
    if not isinstance(exc, (ValueError, KeyError, LookupError)):
        message = f"unexpected {type(exc).__name__}: {message}"
    return ERROR_PREFIX + _fit(message.splitlines()[0])


def _fit(text: str) -> str:
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 3].rstrip() + "..."


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a cell function so any failure becomes one readable text cell instead of a traceback.

    The signature is kept (`functools.wraps` sets `__wrapped__`), so xlwings still sees the parameters.
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # the boundary: a cell must show a message, never raise
            return [[error_text(exc)]]  # 2-D, so a "raw" return reaches Office.js as a 1x1 range

    return wrapper


def broadcast(*values: Any) -> tuple[tuple[int, int], list[np.ndarray]]:
    """Ranges and scalars broadcast like Excel array maths: a 1x1, 1xn or nx1 range stretches."""
    arrays = []
    for value in values:
        rows = as_rows(value) or [[None]]
        arr = np.empty((len(rows), len(rows[0])), dtype=object)
        arr[:] = rows
        arrays.append(arr)
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError:
        shapes = ", ".join(f"{a.shape[0]}x{a.shape[1]}" for a in arrays)
        raise ExcelInputError(
            f"the ranges have different sizes ({shapes}); use ranges of the same size"
        ) from None
    return shape, [np.broadcast_to(a, shape) for a in arrays]


def shaped(values: Sequence[Any], shape: tuple[int, int]) -> list[list[Any]]:
    """A flat list of clean cells back in the caller's range shape."""
    arr = np.empty(len(values), dtype=object)
    arr[:] = [cell(v) if not isinstance(v, str) else v for v in values]
    return arr.reshape(shape).tolist()
