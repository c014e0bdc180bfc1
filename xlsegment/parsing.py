"""Turn ledger cells into numbers, dates, flags and customer keys, whatever their spelling.

French ledgers write `1 234,50 €`, `12/03/2024` (day first) and `oui`; English ones `1,234.50`, `3/12/2024` and
`yes`. Every parser returns the parsed values and a mask of the cells that were present but unreadable, so the
caller can name the offending rows instead of silently dropping them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_datetime64_any_dtype, is_numeric_dtype

_CURRENCY = re.compile(r"[\s\u00a0\u202f€$£¥']|EUR|CHF|USD|GBP|FCFA|XOF", re.IGNORECASE)
_COMMA_DECIMAL = re.compile(r"^[-+]?(\d{1,3}(\.\d{3})+|\d+),\d+$")
_DOT_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(\.\d{3})+$")
_COMMA_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")

TRUE_WORDS = frozenset(
    {
        "1",
        "true",
        "yes",
        "y",
        "oui",
        "o",
        "x",
        "vrai",
        "t",
        "returned",
        "return",
        "retour",
        "retourne",
        "annule",
        "annulee",
        "cancelled",
        "canceled",
        "avoir",
        "ok",
    }
)
FALSE_WORDS = frozenset({"0", "false", "no", "n", "non", "faux", "f", "", "-"})

EXCEL_EPOCH = pd.Timestamp("1899-12-30")

# text keys: pandas' own string dtype where it is the default (pandas 3: Arrow-backed, hashed and sorted in C),
# plain Python objects on pandas 2
TEXT_DTYPE = "str" if int(pd.__version__.split(".")[0]) >= 3 else object


def blank(series: pd.Series) -> np.ndarray:
    """True where a cell is missing or holds only spaces."""
    missing = series.isna().to_numpy()
    if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
        # pandas' str dtype strips in C (Arrow); other text goes through pandas' string dtype
        text = (series if series.dtype == "str" else series.astype("string")).str.strip()
        missing = missing | (text == "").fillna(True).to_numpy(dtype=bool)
    return missing


def detect_decimal(values: pd.Series, sep: str | None = None) -> str:
    """',' when the text numbers of a column use a decimal comma, else '.'."""
    text = values if values.dtype == "str" else values.dropna().astype(str)
    # only cells with a comma tell; keep the (slow, per-cell) currency regex off the rest of the column
    with_comma = text.str.contains(",", regex=False).fillna(False).to_numpy(dtype=bool)
    text = text[with_comma].head(2000).str.replace(_CURRENCY, "", regex=True)
    if text.empty:
        return "."
    if text.str.match(_COMMA_DECIMAL).any():
        after = text.str.extract(r",(\d+)$")[0].dropna().str.len()
        if (after != 3).any() or sep == ";" or not text.str.match(_COMMA_THOUSANDS).all():
            return ","
    return "."


def _clean_numbers(text: pd.Series, decimal: str) -> pd.Series:
    """Parse text numbers with currency signs, spaces, thousands separators, parentheses and percents."""
    text = text.astype(str).str.strip()
    negative = text.str.startswith("(") & text.str.endswith(")")
    percent = text.str.endswith("%")
    text = text.str.strip("()%").str.replace(_CURRENCY, "", regex=True)
    trailing_minus = text.str.endswith("-") & ~text.str.startswith("-")
    text = text.mask(trailing_minus, "-" + text.str.rstrip("-"))
    if decimal == ",":
        comma = text.str.match(_COMMA_DECIMAL) | text.str.match(_DOT_THOUSANDS)
        text = text.mask(comma, text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
    else:
        thousands = text.str.match(_COMMA_THOUSANDS)
        text = text.mask(thousands, text.str.replace(",", "", regex=False))
        lone_comma = text.str.match(r"^[-+]?\d+,\d+$")
        text = text.mask(lone_comma, text.str.replace(",", ".", regex=False))
    values = pd.to_numeric(text, errors="coerce")
    values = values.where(~percent, values / 100.0)
    return values.where(~negative, -values.abs())


@dataclass
class Parsed:
    """Parsed values, the cells that were present but unreadable, and how the column was read."""

    values: pd.Series
    bad: np.ndarray
    note: str = ""
    had_percent: bool = False


def _arrow_floats(series: pd.Series) -> pd.Series | None:
    """Arrow-backed text cast to float64 in C (ten times pandas' to_numeric); None unless every cell is a
    plain number, which leaves the careful path to the rest."""
    if getattr(series.dtype, "storage", None) != "pyarrow":
        return None
    import pyarrow as pa  # present whenever the column is Arrow-backed

    try:
        cast = series.array.__arrow_array__().cast(pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, TypeError):
        return None
    return pd.Series(cast.to_numpy(zero_copy_only=False), index=series.index)


def parse_numbers(series: pd.Series, decimal: str | None = None, sep: str | None = None) -> Parsed:
    """Numbers from any column: already numeric, plain text, or French/English formatted text."""
    if is_bool_dtype(series.dtype):
        return Parsed(series.astype(float), np.zeros(len(series), dtype=bool))
    if is_numeric_dtype(series.dtype):
        return Parsed(series.astype("float64"), np.zeros(len(series), dtype=bool))
    missing = blank(series)
    decimal = decimal or detect_decimal(series, sep)
    if decimal == ".":
        fast = _arrow_floats(series)
        values = fast if fast is not None else pd.to_numeric(series, errors="coerce")
    else:
        values = pd.Series(np.nan, index=series.index)
    values = values.astype("float64")
    todo = np.isnan(values.to_numpy()) & ~missing
    if decimal == ",":
        # with a decimal comma, "1.234" means one thousand two hundred and thirty-four
        todo = ~missing
    had_percent = False
    if todo.any():
        subset = series[todo]
        had_percent = bool(subset.astype(str).str.strip().str.endswith("%").any())
        values[todo] = _clean_numbers(subset, decimal).to_numpy(dtype="float64")
    bad = np.isnan(values.to_numpy()) & ~missing
    return Parsed(values, bad, "decimal comma" if decimal == "," else "", had_percent)


_ISO = ["%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y/%m/%d", "%Y%m%d"]
_DAY_FIRST = [
    "%d/%m/%Y",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%y",
    "%d.%m.%Y",
    "%d.%m.%y",
    "%d-%m-%Y",
    "%d-%m-%y",
    "%d.%m.%Y %H:%M",
]
_MONTH_FIRST = ["%m/%d/%Y", "%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%y", "%m-%d-%Y"]


def _guess_format(sample: pd.Series, dayfirst: bool | None) -> tuple[str | None, bool]:
    """The strptime format that reads most of `sample`, and whether day-first vs month-first was ambiguous."""
    prefer_day = dayfirst is not False
    ordered = _ISO + (_DAY_FIRST + _MONTH_FIRST if prefer_day else _MONTH_FIRST + _DAY_FIRST)
    scores = {}
    for fmt in ordered:
        parsed = pd.to_datetime(sample, format=fmt, errors="coerce")
        scores[fmt] = int(parsed.notna().sum())
        if scores[fmt] == len(sample) and fmt in _ISO:
            return fmt, False
    best = max(ordered, key=lambda f: (scores[f], -ordered.index(f)))
    if scores[best] == 0:
        return None, False
    day_best = max(scores[f] for f in _DAY_FIRST)
    month_best = max(scores[f] for f in _MONTH_FIRST)
    ambiguous = best not in _ISO and day_best == month_best == scores[best] and dayfirst is None
    return best, ambiguous


def parse_dates(series: pd.Series, dayfirst: bool | None = None) -> Parsed:
    """Dates from datetime cells, Excel serial numbers or text in ISO, day-first or month-first order.

    `dayfirst=None` lets the data decide (a day above 12 settles it) and falls back to day-first, noting
    the ambiguity.
    """
    n = len(series)
    if is_datetime64_any_dtype(series.dtype):
        values = series
        if getattr(values.dt, "tz", None) is not None:
            values = values.dt.tz_localize(None)
        return Parsed(values.astype("datetime64[ns]"), np.zeros(n, dtype=bool))
    missing = blank(series)
    if is_numeric_dtype(series.dtype):
        return _from_serials(series, missing)
    out = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns]")
    is_stamp = np.zeros(n, dtype=bool)
    is_number = np.zeros(n, dtype=bool)
    if pd.api.types.infer_dtype(series, skipna=True) not in ("string", "empty"):
        # cells of mixed kinds, as an Excel sheet gives them: dates, serial numbers and text
        obj = series.astype(object)
        is_stamp = obj.map(lambda v: hasattr(v, "year") and hasattr(v, "month")).to_numpy(dtype=bool)
        if is_stamp.any():
            out[is_stamp] = pd.to_datetime(obj[is_stamp], errors="coerce").to_numpy(dtype="datetime64[ns]")
        kinds = obj.map(lambda v: isinstance(v, (int, float, np.number)) and not isinstance(v, bool))
        is_number = kinds.to_numpy(dtype=bool) & ~missing
        if is_number.any():
            serials = _from_serials(pd.to_numeric(obj[is_number]), np.zeros(is_number.sum(), bool))
            out[is_number] = serials.values.to_numpy(dtype="datetime64[ns]")
    text_mask = ~missing & ~is_stamp & ~is_number
    note = ""
    if text_mask.any():
        # parse each distinct spelling once: a ledger repeats the same few thousand dates over millions of lines
        codes, uniques = pd.factorize(series if text_mask.all() else series[text_mask])
        text = pd.Series(uniques).astype(str).str.strip()
        sample = text.head(500)
        fmt, ambiguous = _guess_format(sample, dayfirst)
        parsed = (
            pd.to_datetime(text, format=fmt, errors="coerce") if fmt else pd.Series(pd.NaT, index=text.index)
        )
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_localize(None)
        left = parsed.isna()
        if left.any():
            rest = text[left]
            # year-first text is ISO order whatever `dayfirst` says (dateutil would read 2024-03-05 as 3 May)
            year_first = rest.str.match(r"\d{4}[-/.]").to_numpy(dtype=bool)
            retry = pd.Series(pd.NaT, index=rest.index, dtype="datetime64[ns]")
            for part_mask, first in ((year_first, False), (~year_first, dayfirst is not False)):
                if part_mask.any():
                    part = pd.to_datetime(rest[part_mask], format="mixed", dayfirst=first, errors="coerce")
                    if getattr(part.dt, "tz", None) is not None:
                        part = part.dt.tz_convert(None)
                    retry[part_mask] = part.to_numpy(dtype="datetime64[ns]")
            parsed[left] = retry
        out[text_mask] = parsed.to_numpy(dtype="datetime64[ns]")[codes]
        if fmt in _DAY_FIRST:
            note = "dates read day first" + (" (ambiguous: no day above 12)" if ambiguous else "")
        elif fmt in _MONTH_FIRST:
            note = "dates read month first"
    bad = out.isna().to_numpy() & ~missing
    return Parsed(out, bad, note)


def _from_serials(values: pd.Series, missing: np.ndarray) -> Parsed:
    """Excel serial day numbers (1900 system) to dates; numbers outside 1..2958465 are unreadable."""
    numbers = values.astype("float64")
    valid = (numbers >= 1) & (numbers <= 2958465)
    days = numbers.where(valid)
    out = EXCEL_EPOCH + pd.to_timedelta(days.round(6), unit="D")
    out = out.dt.round("s").astype("datetime64[ns]")
    bad = ~valid.to_numpy() & ~missing
    return Parsed(out, bad)


def parse_flags(series: pd.Series) -> Parsed:
    """Yes/no cells (oui/non, true/false, 1/0, x) to booleans; anything else is unreadable."""
    if is_bool_dtype(series.dtype):
        return Parsed(series.fillna(False).astype(bool), np.zeros(len(series), dtype=bool))
    if is_numeric_dtype(series.dtype):
        return Parsed(series.fillna(0).astype(float) != 0, np.zeros(len(series), dtype=bool))
    from .columns import normalize_header

    words = series.map(lambda v: normalize_header(v) if pd.notna(v) else "")
    true = words.isin(TRUE_WORDS).to_numpy().copy()
    numeric = pd.to_numeric(words, errors="coerce")
    true |= (numeric.fillna(0) != 0).to_numpy()
    known = words.isin(TRUE_WORDS | FALSE_WORDS).to_numpy() | numeric.notna().to_numpy()
    return Parsed(pd.Series(true, index=series.index), ~known)


def _drop_float_suffix(text: pd.Series, empty: np.ndarray) -> pd.Series:
    """`17850.0` -> `17850` when every present key looks like that (a number column exported as floats)."""
    present = text[~empty]
    float_text = r"-?\d+\.0"
    # look at a few keys first: most ledgers' keys fail at once, sparing a regex over every key
    if (
        len(present)
        and present.head(100).str.fullmatch(float_text).all()
        and present.str.fullmatch(float_text).all()
    ):
        return text.str.slice(0, -2)
    return text


def parse_customer_ids(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Customer (or order) keys as a categorical of stripped text whose categories are sorted.

    `17850.0` (a number column read as float) becomes `17850`; leading zeros of text keys ("00042") are kept.
    Each distinct cell is cleaned once, and the codes are what the summary groups customers by: a ledger
    repeats its customers over many lines, so hashing them once here spares every later step.
    Returns the keys (missing: NaN) and the missing mask.
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    text = _key_text(uniques)
    empty = (text.isna() | (text == "")).to_numpy(dtype=bool)
    text = _drop_float_suffix(text, empty).where(~empty)
    # cleaning can make two cells one key (" 7" and "7"): number the cleaned keys, in sorted order
    clean_codes, categories = sorted_factorize(text)
    codes = np.append(clean_codes, -1)[codes]  # a missing cell (code -1) picks the -1 appended
    dtype = pd.CategoricalDtype(categories)
    keys = pd.Categorical.from_codes(codes, dtype=dtype, validate=False)
    return pd.Series(keys, index=series.index), codes < 0


def sorted_factorize(keys: pd.Series | np.ndarray) -> tuple[np.ndarray, pd.Index]:
    """Codes of keys numbered in sorted order of the distinct keys as text (missing: -1), and those keys.

    Hashes unsorted, then sorts only the distinct keys: pandas' own `sort=True` is several times slower.
    """
    codes, uniques = pd.factorize(keys, use_na_sentinel=True)
    return sort_codes(codes, uniques)


def sort_codes(codes: np.ndarray, uniques: object) -> tuple[np.ndarray, pd.Index]:
    """Codes renumbered so that their distinct keys, as text, are in sorted order (-1 stays -1)."""
    text = pd.Index(uniques).astype(str)  # pandas 3: its str dtype; pandas 2: Python strings
    if text.is_monotonic_increasing:
        return codes.astype(np.intp, copy=False), text
    order = np.asarray(text.argsort())
    rank = np.empty(len(order) + 1, dtype=np.intp)
    rank[order] = np.arange(len(order))
    rank[-1] = -1  # a missing key (code -1) stays missing
    return rank[codes], text[order]


def _key_text(uniques: object) -> pd.Series:
    """The distinct cells of a key column as stripped text: whole numbers without a decimal part."""
    values = pd.Series(uniques)
    if is_numeric_dtype(values.dtype) and not is_bool_dtype(values.dtype):
        numbers = values.astype("float64").to_numpy()
        if (numbers == np.floor(numbers)).all() and (np.abs(numbers) < 2**63).all():
            return pd.Series(numbers.astype(np.int64).astype(str), dtype=TEXT_DTYPE)
        return pd.Series([repr(float(v)) for v in numbers], dtype=TEXT_DTYPE)
    if TEXT_DTYPE != "str" or values.dtype != "str":  # cells of any type (Excel: numbers, text) to text
        values = values.astype(object).astype(str).astype(TEXT_DTYPE)
    return values.str.strip()


def drop_unused_categories(keys: pd.Series) -> pd.Series:
    """A categorical without the categories no row uses (after rows were left out), codes renumbered."""
    codes = keys.cat.codes.to_numpy()
    n = len(keys.cat.categories)
    used = np.bincount(codes[codes >= 0], minlength=n) > 0
    if used.all():
        return keys
    renumber = np.append(np.cumsum(used) - 1, -1)  # code -1 stays -1
    categorical = pd.Categorical.from_codes(renumber[codes], categories=keys.cat.categories[used])
    return pd.Series(categorical, index=keys.index, name=keys.name)
