"""Turn ledger cells into numbers, dates, flags and customer keys, whatever their spelling.

French ledgers write `1 234,50 €`, `12/03/2024` (day first) and `oui`; English ones `1,234.50`, `3/12/2024` and
`yes`. Every parser returns the parsed values and a mask of the cells that were present but unreadable, so the
caller can name the offending rows instead of silently dropping them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_datetime64_any_dtype, is_numeric_dtype

from .errors import Text, say

# ------------------------------------------------------------------ the reading rules, each named once
# (the DuckDB fast path applies the same ones: import them, do not restate them)

# what Excel writes in a cell whose formula failed, in English and French Excel, as exported to CSV
EXCEL_ERRORS = frozenset(
    {
        "#N/A",
        "#REF!",
        "#VALUE!",
        "#DIV/0!",
        "#NAME?",
        "#NULL!",
        "#NUM!",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
        "#GETTING_DATA",
        "#VALEUR!",
        "#NOM?",
        "#NUL!",
        "#NOMBRE!",
        "#DEPASSEMENT!",
        "#DÉPASSEMENT!",
        "#REF",
        "#N/D",
    }
)
# no shop's line is worth a trillion; beyond it a number is a typo, an overflow or a serial number
PLAUSIBLE_LIMIT = 1e12
# sales before this are a wrong century or an empty Excel date (1900-01-00), not history
EARLIEST_DATE = pd.Timestamp("1990-01-01")
# a sale dated after the file was saved cannot have happened yet (a day's slack for time zones)
FUTURE_SLACK = pd.Timedelta(days=1)
# the most characters an Excel cell holds; a longer key or name cannot be shown, so it is refused at reading
MAX_CELL_TEXT = 32_767
# characters that do not show but make two keys differ: zero-width spaces and joiners, word joiner, BOM,
# soft hyphen
INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# a time-zone offset after a time of day: 2024-01-01T10:00:00+01:00, 10:00Z, 10:00 UTC
TZ_OFFSET = re.compile(r"(?<=\d:\d\d)(?::\d\d(?:\.\d+)?)?\s*(?:Z|UTC|GMT|[+-]\d\d:?\d\d)$", re.IGNORECASE)
# day and month of a d/m/y or m/d/y spelling, to tell which order a column uses
DAY_MONTH = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}\b")

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
    arrow = _arrow_text(series)
    if arrow is not None:  # Arrow tests each cell in C, without making stripped copies
        import pyarrow.compute as pc

        empty = pc.or_(pc.equal(pc.utf8_length(arrow), 0), pc.utf8_is_space(arrow))
        return empty.fill_null(True).to_numpy(zero_copy_only=False)
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
    """Parsed values, the cells that were present but unreadable, and how the column was read.

    `percent`: cells written with a % sign; `implausible`: numbers read but infinite or beyond
    PLAUSIBLE_LIMIT (both are also in `bad`); `day_first` / `month_first`: date cells that can only be read
    in that order (both non-empty means the column mixes the two spellings).
    """

    values: pd.Series
    bad: np.ndarray
    note: Text | str = ""
    had_percent: bool = False
    percent: np.ndarray | None = None
    implausible: np.ndarray | None = None
    day_first: np.ndarray | None = None
    month_first: np.ndarray | None = None
    notes: list[Text] = field(default_factory=list)


def _arrow_text(series: pd.Series) -> object | None:
    """The Arrow array under an Arrow-backed text column (pandas 3's str, CSV columns), else None."""
    if getattr(series.dtype, "storage", None) != "pyarrow" or not pd.api.types.is_string_dtype(series.dtype):
        return None
    return series.array.__arrow_array__()


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
        return _plausible(Parsed(series.astype("float64"), np.zeros(len(series), dtype=bool)))
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
    percent = np.zeros(len(series), dtype=bool)
    if todo.any():
        subset = series[todo]
        percent[todo] = subset.astype(str).str.strip().str.endswith("%").to_numpy(dtype=bool)
        values[todo] = _clean_numbers(subset, decimal).to_numpy(dtype="float64")
    bad = np.isnan(values.to_numpy()) & ~missing
    note = say("parse.decimal_comma") if decimal == "," else ""
    parsed = Parsed(values, bad, note, bool(percent.any()), percent=percent)
    return _plausible(parsed)


def _plausible(parsed: Parsed) -> Parsed:
    """Mark infinite numbers and numbers beyond PLAUSIBLE_LIMIT as unreadable (they are typos or overflows,
    and one of them would swamp every total)."""
    values = parsed.values.to_numpy(dtype="float64")
    with np.errstate(invalid="ignore"):
        implausible = ~np.isnan(values) & ~(np.abs(values) <= PLAUSIBLE_LIMIT)
    if implausible.any():
        parsed.values = parsed.values.where(~implausible)
        parsed.bad = parsed.bad | implausible
    parsed.implausible = implausible
    return parsed


def excel_errors(series: pd.Series) -> np.ndarray:
    """True where a cell holds an Excel error value (#N/A, #REF!, #VALEUR!...: a formula that failed)."""
    if is_numeric_dtype(series.dtype) or is_bool_dtype(series.dtype) or is_datetime64_any_dtype(series.dtype):
        return np.zeros(len(series), dtype=bool)
    arrow = _arrow_text(series)
    if arrow is not None:  # every error value starts with '#': most columns are cleared by that test alone
        import pyarrow.compute as pc

        if not pc.any(pc.starts_with(arrow, "#")).as_py():
            return np.zeros(len(series), dtype=bool)
    return series.isin(EXCEL_ERRORS).to_numpy(dtype=bool)


def long_text(series: pd.Series) -> np.ndarray:
    """True where a text cell is longer than an Excel cell can hold (MAX_CELL_TEXT characters)."""
    if not (series.dtype == object or pd.api.types.is_string_dtype(series.dtype)):
        return np.zeros(len(series), dtype=bool)
    arrow = _arrow_text(series)
    if arrow is not None:  # Arrow measures every cell in C; the mask is only built when one is too long
        import pyarrow.compute as pc

        longest = pc.max(pc.utf8_length(arrow)).as_py()
        if longest is None or longest <= MAX_CELL_TEXT:
            return np.zeros(len(series), dtype=bool)
    try:
        lengths = series.str.len()  # C speed; NaN for the cells that are not text
    except AttributeError:  # an object column pandas does not take for text (numbers only, say)
        lengths = series.map(lambda v: len(v) if isinstance(v, str) else 0)
    return lengths.fillna(0).to_numpy() > MAX_CELL_TEXT


def implausible_dates(values: pd.Series, saved: pd.Timestamp | None) -> tuple[np.ndarray, np.ndarray]:
    """Dates before EARLIEST_DATE, and dates after `saved` (when the file was written; now for a DataFrame)
    plus FUTURE_SLACK: neither can be a sale in this ledger."""
    stamps = values.to_numpy(dtype="datetime64[ns]")
    latest = (saved if saved is not None else pd.Timestamp.now()) + FUTURE_SLACK
    present = ~np.isnat(stamps)
    too_old = present & (stamps < EARLIEST_DATE.to_datetime64())
    future = present & (stamps > latest.to_datetime64())
    return too_old, future


# the date spellings read, year first, day first and month first (strptime formats)
ISO_FORMATS = ["%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y/%m/%d", "%Y%m%d"]
DAY_FIRST_FORMATS = [
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
MONTH_FIRST_FORMATS = ["%m/%d/%Y", "%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%y", "%m-%d-%Y"]


def _guess_format(sample: pd.Series, day_first: bool) -> str | None:
    """The strptime format (ISO, or of the given day/month order) that reads most of `sample`."""
    ordered = ISO_FORMATS + (DAY_FIRST_FORMATS if day_first else MONTH_FIRST_FORMATS)
    scores = {}
    for fmt in ordered:
        parsed = pd.to_datetime(sample, format=fmt, errors="coerce")
        scores[fmt] = int(parsed.notna().sum())
        if scores[fmt] == len(sample) and fmt in ISO_FORMATS:
            return fmt
    best = max(ordered, key=lambda f: (scores[f], -ordered.index(f)))
    return best if scores[best] else None


def date_order(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Which d/m/y-or-m/d/y spellings can only be day first (first number above 12) and which only month
    first (second number above 12); the others (01/02/2024) could be either."""
    parts = text.str.extract(DAY_MONTH)
    first = pd.to_numeric(parts[0], errors="coerce").to_numpy()
    second = pd.to_numeric(parts[1], errors="coerce").to_numpy()
    with np.errstate(invalid="ignore"):
        day_only = (first > 12) & (second <= 12)
        month_only = (second > 12) & (first <= 12)
    return day_only, month_only


def _naive(stamps: pd.Series) -> pd.Series:
    """Local wall-clock times: a time-zone-aware column loses its zone, keeping each time as written."""
    if getattr(stamps.dt, "tz", None) is not None:
        return stamps.dt.tz_localize(None)
    return stamps


def _parse_date_text(
    text: pd.Series, dayfirst: bool | None, prefer_dayfirst: bool
) -> tuple[pd.Series, np.ndarray, np.ndarray, Text | str, list[Text]]:
    """Distinct date spellings to dates. Returns the dates, the day-first-only and month-first-only masks,
    the order used (as a note) and other notes (time zones dropped)."""
    notes: list[Text] = []
    offsets = text.str.contains(TZ_OFFSET)
    if offsets.any():
        text = text.str.replace(TZ_OFFSET, "", regex=True).str.strip()
        notes.append(say("parse.tz_dropped", n=int(offsets.sum())))
    day_only, month_only = date_order(text)
    if dayfirst is not None:
        day_first = dayfirst
    elif day_only.any() or month_only.any():
        day_first = bool(day_only.any())  # both kinds at once: the caller refuses the column
    else:
        day_first = prefer_dayfirst
    fmt = _guess_format(text.head(500), day_first)
    parsed = pd.to_datetime(text, format=fmt, errors="coerce") if fmt else pd.Series(pd.NaT, index=text.index)
    parsed = _naive(parsed)
    left = parsed.isna()
    if left.any():
        rest = text[left]
        # year-first text is ISO order whatever `dayfirst` says (dateutil would read 2024-03-05 as 3 May)
        year_first = rest.str.match(r"\d{4}[-/.]").to_numpy(dtype=bool)
        retry = pd.Series(pd.NaT, index=rest.index, dtype="datetime64[ns]")
        for part_mask, first in ((year_first, False), (~year_first, day_first)):
            if part_mask.any():
                part = pd.to_datetime(rest[part_mask], format="mixed", dayfirst=first, errors="coerce")
                retry[part_mask] = _naive(part).to_numpy(dtype="datetime64[ns]")
        unit = np.datetime_data(parsed.dtype)[0]  # pandas 3 may give the first pass microseconds
        parsed[left] = retry.dt.floor(unit).astype(parsed.dtype) if unit != "ns" else retry
    # a spelling of the other order is not read by swapping day and month behind the user's back
    wrong = month_only if day_first else day_only
    if dayfirst is not None or not (day_only.any() and month_only.any()):
        parsed[wrong] = pd.NaT
    order: Text | str = ""
    if fmt in DAY_FIRST_FORMATS:
        ambiguous = dayfirst is None and not day_only.any()
        order = say("parse.day_first_ambiguous" if ambiguous else "parse.day_first")
    elif fmt in MONTH_FIRST_FORMATS:
        order = say("parse.month_first")
    return parsed, day_only, month_only, order, notes


def parse_dates(series: pd.Series, dayfirst: bool | None = None, prefer_dayfirst: bool = True) -> Parsed:
    """Dates from datetime cells, Excel serial numbers or text in ISO, day-first or month-first order.

    `dayfirst` (the user's choice) decides the order; None lets the data decide (a day above 12 says day
    first, a month above 12 month first) and falls back to `prefer_dayfirst`, noting the ambiguity. A column
    holding both kinds is reported in `day_first` / `month_first` (the caller refuses it). Time-zone offsets
    are dropped, keeping the local time as written (a shop's day is its local day).
    """
    n = len(series)
    if is_datetime64_any_dtype(series.dtype):
        return Parsed(_naive(series).astype("datetime64[ns]"), np.zeros(n, dtype=bool))
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
            local = obj[is_stamp].map(
                lambda v: pd.Timestamp(v).tz_localize(None) if pd.Timestamp(v).tz else v
            )
            out[is_stamp] = pd.to_datetime(local, errors="coerce").to_numpy(dtype="datetime64[ns]")
        kinds = obj.map(lambda v: isinstance(v, (int, float, np.number)) and not isinstance(v, bool))
        is_number = kinds.to_numpy(dtype=bool) & ~missing
        if is_number.any():
            serials = _from_serials(pd.to_numeric(obj[is_number]), np.zeros(is_number.sum(), bool))
            out[is_number] = serials.values.to_numpy(dtype="datetime64[ns]")
    text_mask = ~missing & ~is_stamp & ~is_number
    day_first = np.zeros(n, dtype=bool)
    month_first = np.zeros(n, dtype=bool)
    notes: list[Text] = []
    order: Text | str = ""
    if text_mask.any():
        # parse each distinct spelling once: a ledger repeats the same few thousand dates over millions of lines
        codes, uniques = factorize(series if text_mask.all() else series[text_mask])
        text = pd.Series(uniques).astype(str).str.strip()
        parsed, day_only, month_only, order, notes = _parse_date_text(text, dayfirst, prefer_dayfirst)
        out[text_mask] = parsed.to_numpy(dtype="datetime64[ns]")[codes]
        day_first[text_mask] = day_only[codes]
        month_first[text_mask] = month_only[codes]
    bad = out.isna().to_numpy() & ~missing
    return Parsed(out, bad, order, day_first=day_first, month_first=month_first, notes=notes)


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


def parse_customer_ids(series: pd.Series, merged: list[str] | None = None) -> tuple[pd.Series, np.ndarray]:
    """Customer (or order) keys as a categorical of clean text whose categories are sorted.

    `17850.0` (a number column read as float) becomes `17850`; leading zeros of text keys ("00042") are kept;
    keys are Unicode NFC with invisible characters (INVISIBLE) removed, so `Amélie` typed two ways is one
    customer; the spellings that merged so are appended to `merged` (as `ascii()` shows them).
    Each distinct cell is cleaned once, and the codes are what the summary groups customers by: a ledger
    repeats its customers over many lines, so hashing them once here spares every later step.
    Returns the keys (missing: NaN) and the missing mask.
    """
    codes, uniques = factorize(series)
    text = _key_text(uniques, merged)
    empty = (text.isna() | (text == "")).to_numpy(dtype=bool)
    text = _drop_float_suffix(text, empty).where(~empty)
    # cleaning can make two cells one key (" 7" and "7"): number the cleaned keys, in sorted order
    clean_codes, categories = sorted_factorize(text)
    # a missing cell (code -1) picks the -1 appended; the narrowest integers that hold the codes
    codes = np.append(clean_codes, -1).astype(_code_type(len(categories)))[codes]
    dtype = pd.CategoricalDtype(categories)
    keys = pd.Categorical.from_codes(codes, dtype=dtype, validate=False)
    return pd.Series(keys, index=series.index), codes < 0


def _code_type(n: int) -> type:
    """The integer type a categorical of `n` categories keeps its codes in (pandas' own choice)."""
    return np.int8 if n < 2**7 else np.int16 if n < 2**15 else np.int32 if n < 2**31 else np.int64


def parse_keys(series: pd.Series, merged: list[str] | None = None) -> tuple[pd.Series, np.ndarray]:
    """Customer or order keys, cleaned by parse_customer_ids' rules. A text column whose keys are already
    clean (ASCII, no surrounding spaces, none empty, not numbers written as floats: most exports) is kept as
    it is, which spares hashing every line here: the engine groups the text itself, in text order.
    Otherwise the cleaned keys come back as parse_customer_ids' categorical."""
    arrow = _arrow_text(series)
    if arrow is not None and _already_clean(arrow):
        return series, series.isna().to_numpy()
    return parse_customer_ids(series, merged)


def _already_clean(arrow: object) -> bool:
    """True when cleaning (parse_customer_ids' rules) would change no key of this Arrow text column, checked
    by Arrow in C one chunk at a time (what is measured stays a few megabytes, whatever the ledger's size)."""
    if arrow.null_count == len(arrow):
        return False
    if not all(_clean_chunk(chunk) for chunk in getattr(arrow, "chunks", [arrow])):
        return False
    import pyarrow.compute as pc

    head = arrow.slice(0, 100).drop_null()
    return not pc.all(pc.match_substring_regex(head, r"^-?\d+\.0$")).as_py()


def _clean_chunk(chunk: object) -> bool:
    """One chunk of keys: ASCII (non-ASCII keys may hold invisible characters or need NFC), none empty, and
    nothing stripping would remove (space, tab, line breaks) at either end."""
    import pyarrow.compute as pc

    if not pc.all(pc.string_is_ascii(chunk)).as_py():
        return False
    lengths = pc.binary_length(chunk)
    if pc.any(pc.equal(lengths, 0)).as_py():
        return False
    return not pc.any(pc.not_equal(pc.binary_length(pc.ascii_trim_whitespace(chunk)), lengths)).as_py()


def factorize(values: pd.Series | np.ndarray) -> tuple[np.ndarray, object]:
    """Codes (missing: -1) and the distinct values, in order of appearance. Arrow text is hashed by Arrow
    itself, without pandas' conversions around it."""
    arrow = _arrow_text(values) if isinstance(values, pd.Series) else None
    if arrow is None:
        return pd.factorize(values, use_na_sentinel=True)
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(arrow).combine_chunks()
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    return codes, pd.Series(encoded.dictionary, dtype=values.dtype)


def sorted_factorize(keys: pd.Series | np.ndarray) -> tuple[np.ndarray, pd.Index]:
    """Codes of keys numbered in sorted order of the distinct keys as text (missing: -1), and those keys.

    Hashes unsorted, then sorts only the distinct keys: pandas' own `sort=True` is several times slower.
    """
    codes, uniques = factorize(keys)
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


def _key_text(uniques: object, merged: list[str] | None = None) -> pd.Series:
    """The distinct cells of a key column as stripped NFC text without invisible characters; whole numbers
    without a decimal part. Spellings that only differ by normalisation are listed in `merged`."""
    values = pd.Series(uniques)
    if is_numeric_dtype(values.dtype) and not is_bool_dtype(values.dtype):
        numbers = values.astype("float64").to_numpy()
        if (numbers == np.floor(numbers)).all() and (np.abs(numbers) < 2**63).all():
            return pd.Series(numbers.astype(np.int64).astype(str), dtype=TEXT_DTYPE)
        return pd.Series([repr(float(v)) for v in numbers], dtype=TEXT_DTYPE)
    if TEXT_DTYPE != "str" or values.dtype != "str":  # cells of any type (Excel: numbers, text) to text
        values = values.astype(object).astype(str).astype(TEXT_DTYPE)
    values = values.str.strip()
    if not values.str.contains(r"[^\x00-\x7f]", regex=True).fillna(False).any():
        return values  # plain ASCII keys (most ledgers) have nothing to normalise
    cleaned = values.str.replace(INVISIBLE, "", regex=True).str.normalize("NFC").str.strip()
    if merged is not None:
        changed = (cleaned != values).fillna(False).to_numpy(dtype=bool)
        collide = cleaned.duplicated(keep=False).to_numpy(dtype=bool) & (cleaned != "").fillna(
            False
        ).to_numpy(bool)
        merged.extend(ascii(v) for v in values[changed & collide])
    return cleaned


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
