"""Read a sales ledger into canonical transactions: one row per line, typed, with a data-quality report.

`read_transactions` accepts a DataFrame, CSV/TSV (utf-8, utf-8-sig, cp1252; `,` `;` or tab; decimal comma;
day-first dates), an Excel sheet or table, or Parquet. Columns are recognised from common French and English
headers or named by keyword (`customer="CustomerID"`). Rows with no customer, date or amount are left out and
counted; a cell that is present but unreadable stops the read with a `LedgerError` naming the file, sheet,
column and rows (or is left out and counted with `errors="exclude"`). The input is never modified.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .columns import CONTACT_COLUMNS, SYNONYMS, canonical_name, detect_columns, normalize_header
from .errors import LedgerError, Text, format_rows, say
from .memory import with_system_arrow_memory
from .parsing import (
    EARLIEST_DATE,
    MAX_CELL_TEXT,
    PLAUSIBLE_LIMIT,
    Parsed,
    blank,
    drop_unused_categories,
    excel_errors,
    implausible_dates,
    long_text,
    parse_dates,
    parse_flags,
    parse_keys,
    parse_numbers,
)
from .quality import REASONS, DataQuality
from .sources import ENCODING_NAMES, SEP_NAMES, RawLedger, check_duplicate_headers, load_raw

_FRENCH_HINTS = frozenset(
    normalize_header(h)
    for h in (
        "client",
        "montant",
        "date de commande",
        "quantite",
        "prix unitaire",
        "categorie",
        "famille",
        "marge",
        "remise",
    )
)


def _explicit_mapping(mapping: dict[str, str | None]) -> dict[str, str]:
    explicit: dict[str, str] = {}
    for key, header in mapping.items():
        if header is None:
            continue
        canonical = canonical_name(key)
        if canonical is None:
            accepted = ", ".join(sorted({*SYNONYMS, "customer", "order", "price", "payment_delay"}))
            raise TypeError(f"unknown column keyword {key!r}; use one of: {accepted}")
        explicit[canonical] = header
    return explicit


def _resolve_headers(raw: RawLedger, explicit: dict[str, str]) -> dict[str, str]:
    """Explicit headers must exist (matched case- and accent-insensitively); returns them as spelled."""
    columns = [str(c) for c in raw.frame.columns]
    resolved = {}
    for canonical, header in explicit.items():
        if header in columns:
            resolved[canonical] = header
            continue
        matches = [c for c in columns if normalize_header(c) == normalize_header(header)]
        if not matches:
            listed = ", ".join(repr(h) for h in raw.headers)
            raise LedgerError(
                say("ledger.no_such_column", header=header, canonical=canonical, headers=listed),
                file=raw.file,
                sheet=raw.sheet,
                lang=raw.lang,
            )
        resolved[canonical] = matches[0]
    return resolved


# a bad cell in these columns makes its row unusable: refused, or left out with errors="exclude"
ROW_COLUMNS = ("customer_id", "date", "amount", "quantity", "unit_price")
# columns where a % sign cannot be meant (12,5 % is a rate, not money or a count)
NO_PERCENT = ("amount", "quantity", "unit_price")
_WHAT = {"date": "ledger.what.date", "customer_id": "ledger.what.customer"}


class _Reader:
    """Builds the canonical frame from a raw ledger, collecting exclusions and unreadable cells."""

    def __init__(
        self, raw: RawLedger, columns: dict[str, str], decimal: str | None, dayfirst: bool | None, errors: str
    ) -> None:
        self.raw = raw
        self.columns = columns
        self.decimal = decimal
        self.dayfirst = dayfirst
        self.errors = errors
        self.reasons: dict[str, np.ndarray] = {}
        self.refused: dict[str, np.ndarray] = {}  # per column, the cells already refused (not also "missing")
        self._cells: dict[str, pd.Series] = {}
        self.quality = DataQuality(
            source=raw.file, sheet=raw.sheet, rows_read=len(raw.frame), mapping=dict(columns)
        )
        for note in raw.notes:
            self.quality.note(note)
        if raw.encoding:
            self.quality.info(
                say(
                    "ledger.read_as",
                    encoding=ENCODING_NAMES.get(raw.encoding, raw.encoding),
                    sep=SEP_NAMES.get(raw.sep or "", raw.sep),
                )
            )

    def original(self, canonical: str) -> pd.Series:
        return self.raw.frame[self.columns[canonical]]

    def cells(self, canonical: str) -> pd.Series:
        """The column's cells, Excel error values (#N/A...) emptied: refused in the row columns, noted
        elsewhere. The input frame is never modified."""
        if canonical not in self._cells:
            cells = self.original(canonical)
            errors = excel_errors(cells)
            if errors.any():
                cells = cells.where(~errors)
                if canonical in ROW_COLUMNS:
                    what = say(_WHAT.get(canonical, "ledger.what.number"))
                    self.refuse(
                        canonical,
                        errors,
                        say("ledger.excel_error", shown=self.shown(canonical, errors), what=what),
                    )
                else:
                    rows = self.raw.row_names(np.flatnonzero(errors)[:5])
                    self.quality.note(
                        say(
                            "ledger.note_excel_errors",
                            column=self.columns[canonical],
                            n=int(errors.sum()),
                            rows=", ".join(map(str, rows)),
                        )
                    )
            self._cells[canonical] = cells
        return self._cells[canonical]

    def shown(self, canonical: str, mask: np.ndarray) -> str:
        """The first offending cells as the user wrote them: 'abc', '12,5%', ..."""
        positions = np.flatnonzero(mask)
        values = self.original(canonical).iloc[positions[:3]].tolist()
        text = ", ".join(
            repr(v if not isinstance(v, str) or len(v) <= 40 else v[:37] + "...") for v in values
        )
        return text + (", ..." if len(positions) > 3 else "")

    def refuse(self, canonical: str, mask: np.ndarray, problem: Text) -> None:
        """Cells that cannot be read as they are: a LedgerError naming them, or, with errors='exclude' in a
        row column, their rows left out (reason bad_<column>)."""
        if not mask.any():
            return
        self.refused[canonical] = self.refused.get(canonical, np.zeros(len(mask), dtype=bool)) | mask
        if self.errors == "exclude" and canonical in ROW_COLUMNS:
            self.exclude(f"bad_{canonical}", mask)
            return
        positions = np.flatnonzero(mask)
        raise LedgerError(
            problem,
            file=self.raw.file,
            sheet=self.raw.sheet,
            column=self.columns[canonical],
            rows=self.raw.row_names(positions),
            hint=say("ledger.hint_bad_cells", n=len(positions))
            if canonical in ROW_COLUMNS
            else say("ledger.hint_fix_cells", n=len(positions)),
            lang=self.raw.lang,
        )

    def exclude(self, reason: str, mask: np.ndarray) -> None:
        self.reasons[reason] = self.reasons.get(reason, np.zeros(len(mask), dtype=bool)) | mask

    def unreadable(self, canonical: str, mask: np.ndarray, what_key: str) -> None:
        one = int(mask.sum()) == 1
        key = "ledger.bad_one" if one else "ledger.bad_many"
        self.refuse(canonical, mask, say(key, shown=self.shown(canonical, mask), what=say(what_key)))

    def check(self, canonical: str, parsed: Parsed, what_key: str) -> None:
        """Refuse (or exclude) unreadable cells: % signs where no rate is meant, numbers beyond belief, the rest."""
        bad = parsed.bad
        if canonical in NO_PERCENT and parsed.percent is not None and parsed.percent.any():
            percent = parsed.percent & ~bad
            self.refuse(canonical, percent, say("ledger.percent", shown=self.shown(canonical, percent)))
            bad = bad & ~percent
        if parsed.implausible is not None and parsed.implausible.any():
            self.refuse(
                canonical,
                parsed.implausible,
                say(
                    "ledger.implausible",
                    shown=self.shown(canonical, parsed.implausible),
                    limit=f"{PLAUSIBLE_LIMIT:.0e}",
                ),
            )
            bad = bad & ~parsed.implausible
        self.unreadable(canonical, bad, what_key)

    def numbers(self, canonical: str) -> Parsed:
        parsed = parse_numbers(self.cells(canonical), self.decimal, self.raw.sep)
        self.check(canonical, parsed, "ledger.what.number")
        if parsed.note:
            self.quality.info(self.about(canonical, parsed.note))
        if canonical in NO_PERCENT and parsed.percent is not None:
            parsed.values = parsed.values.where(~parsed.percent)
        return parsed

    def dates(self, canonical: str, required: bool = True) -> Parsed:
        parsed = parse_dates(self.cells(canonical), self.dayfirst)
        column = self.columns[canonical]
        both = parsed.day_first is not None and parsed.day_first.any() and parsed.month_first.any()
        if both and self.dayfirst is None:
            day, month = np.flatnonzero(parsed.day_first), np.flatnonzero(parsed.month_first)
            raise LedgerError(
                say(
                    "ledger.date_order_conflict",
                    day_rows=format_rows(self.raw.row_names(day[:3])),
                    day=self.shown(canonical, parsed.day_first),
                    month_rows=format_rows(self.raw.row_names(month[:3])),
                    month=self.shown(canonical, parsed.month_first),
                ),
                file=self.raw.file,
                sheet=self.raw.sheet,
                column=column,
                rows=sorted(self.raw.row_names(np.concatenate([day[:3], month[:3]]))),
                hint=say("ledger.hint_dayfirst"),
                lang=self.raw.lang,
            )
        if required:
            if self.dayfirst is not None and parsed.day_first is not None:
                wrong = (parsed.month_first if self.dayfirst else parsed.day_first) & parsed.bad
                order = say("ledger.order.day" if self.dayfirst else "ledger.order.month")
                self.refuse(
                    canonical,
                    wrong,
                    say("ledger.date_wrong_order", shown=self.shown(canonical, wrong), order=order),
                )
                parsed.bad = parsed.bad & ~wrong
            self.unreadable(canonical, parsed.bad, "ledger.what.date")
        elif parsed.bad.any():
            self.quality.note(say("ledger.note_bad_optional_dates", column=column, n=int(parsed.bad.sum())))
        if parsed.note:  # the order the dates were read in: a guess only when no spelling told
            ambiguous = parsed.note == say("parse.day_first_ambiguous")
            (self.quality.note if ambiguous else self.quality.info)(self.about(canonical, parsed.note))
        for note in parsed.notes:
            self.quality.note(self.about(canonical, note))
        return parsed

    def about(self, canonical: str, text: Text) -> Text:
        """`text` prefixed with the column it is about."""
        column = self.columns[canonical]
        return Text(f"{column}: {text.en}", f"{column} : {text.fr}")

    def sale_dates(self) -> Parsed:
        """The sale date column, with dates before EARLIEST_DATE or after the file was saved refused (or left
        out): the analysis date must never come from a typo."""
        parsed = self.dates("date")
        too_old, future = implausible_dates(parsed.values, self.raw.saved)
        saved = (self.raw.saved or pd.Timestamp.now()).strftime("%Y-%m-%d")
        for mask, key in ((too_old, "ledger.date_too_old"), (future, "ledger.date_future")):
            if mask.any():
                problem = say(key, shown=self.shown("date", mask), earliest=EARLIEST_DATE.year, saved=saved)
                if self.errors == "exclude":
                    self.refused["date"] = self.refused.get("date", np.zeros(len(mask), dtype=bool)) | mask
                    self.exclude("implausible_date", mask)
                else:
                    self.refuse("date", mask, problem)
        return parsed

    def keys(self, canonical: str) -> tuple[pd.Series, np.ndarray]:
        """Customer or order keys (see parse_keys), refusing keys too long for a
        cell and noting the spellings that normalisation merged."""
        cells = self.cells(canonical)
        long = long_text(cells)
        if long.any():
            self.refuse(canonical, long, say("ledger.too_long", limit=f"{MAX_CELL_TEXT:,}"))
            cells = cells.where(~long)
        merged: list[str] = []
        keys, missing = parse_keys(cells, merged)
        if merged:
            self.quality.note(
                say(
                    "ledger.note_merged_keys",
                    column=self.columns[canonical],
                    n=len(merged),
                    examples=", ".join(merged[:5]),
                )
            )
        return keys, missing

    def flags(self, canonical: str) -> Parsed:
        parsed = parse_flags(self.cells(canonical))
        self.unreadable(canonical, parsed.bad, "ledger.what.flag")
        return parsed

    def text(self, canonical: str) -> pd.Series:
        cells = self.cells(canonical)
        long = long_text(cells)
        if long.any():
            self.refuse(canonical, long, say("ledger.too_long", limit=f"{MAX_CELL_TEXT:,}"))
        if pd.api.types.is_string_dtype(cells.dtype) and cells.dtype != object:
            text = cells.str.strip()
        else:
            text = cells.where(cells.isna(), cells.astype(str).str.strip())
        return text.where(~blank(text), np.nan)

    def missing(self, canonical: str, mask: np.ndarray) -> np.ndarray:
        """Cells that are simply empty (not refused for another reason)."""
        refused = self.refused.get(canonical)
        return mask if refused is None else mask & ~refused


def _amounts(reader: _Reader, out: dict[str, object]) -> tuple[np.ndarray, np.ndarray]:
    """Line amounts (from the amount column, or quantity x unit price) and the rows that have none."""
    cols = reader.columns
    quantity = reader.numbers("quantity").values.to_numpy() if "quantity" in cols else None
    if quantity is not None:
        out["quantity"] = quantity
    if "unit_price" in cols:
        out["unit_price"] = reader.numbers("unit_price").values.to_numpy()
    if "amount" in cols:
        amount = reader.numbers("amount").values.to_numpy().copy()
    else:
        amount = quantity * out["unit_price"]
        reader.quality.note(say("ledger.note_amount_computed"))
    return amount, np.isnan(amount)


def _margin(reader: _Reader, amount: np.ndarray) -> np.ndarray | None:
    cols = reader.columns
    if "margin" in cols:
        parsed = reader.numbers("margin")
        margin = parsed.values.to_numpy()
        finite = margin[~np.isnan(margin)]
        typical_amount = np.nanmedian(np.abs(amount)) if len(amount) else 0.0
        as_rate = parsed.had_percent or (
            len(finite) > 0 and np.all(np.abs(finite) <= 1) and typical_amount > 1
        )
        if as_rate:
            reader.quality.note(say("ledger.note_margin_rate", column=cols["margin"]))
            return amount * margin
        return margin
    if "cost" in cols:
        reader.quality.note(say("ledger.note_margin_from_cost", column=cols["cost"]))
        return amount - reader.numbers("cost").values.to_numpy()
    return None


def _payment_delay(reader: _Reader) -> np.ndarray | None:
    cols = reader.columns
    if "payment_delay_days" in cols:
        return reader.numbers("payment_delay_days").values.to_numpy()
    if "due_date" in cols and "paid_date" in cols:
        due = reader.dates("due_date", required=False).values
        paid = reader.dates("paid_date", required=False).values
        reader.quality.note(say("ledger.note_payment_delay"))
        return (paid - due).dt.days.clip(lower=0).to_numpy(dtype="float64")
    return None


def _require_columns(raw: RawLedger, columns: dict[str, str]) -> None:
    listed = ", ".join(repr(h) for h in raw.headers)
    for needed, keyword in (("customer_id", "customer"), ("date", "date")):
        if needed not in columns:
            raise LedgerError(
                say("ledger.no_column", what=say(f"ledger.field.{keyword}"), headers=listed),
                file=raw.file,
                sheet=raw.sheet,
                hint=say("ledger.hint_name_column", keyword=keyword),
                lang=raw.lang,
            )
    if "amount" not in columns and not ("quantity" in columns and "unit_price" in columns):
        raise LedgerError(
            say("ledger.no_amount_column", headers=listed),
            file=raw.file,
            sheet=raw.sheet,
            hint=say("ledger.hint_name_column", keyword="amount"),
            lang=raw.lang,
        )


def duplicate_lines(raw: RawLedger, parsed: dict[str, object]) -> np.ndarray:
    """Lines that repeat an earlier line in every column (an export run twice, a paste made twice).

    Equal lines have equal parsed values, so only the lines whose `parsed` columns (the customer key, the
    date, the amount) repeat are compared as text, in every column of the source (`raw.all_columns` when
    only the columns used were read)."""
    n = len(raw.frame)
    out = np.zeros(n, dtype=bool)
    if n < 2:
        return out
    candidates = _repeated_lines(parsed)
    if not candidates.any():
        return out
    lines = raw.all_columns() if raw.all_columns is not None else raw.frame
    positions = np.flatnonzero(candidates)
    out[positions] = lines.iloc[positions].duplicated(keep="first").to_numpy()
    return out


def _repeated_lines(parsed: dict[str, object]) -> np.ndarray:
    """True for the lines whose parsed values occur on another line too, found from a 64-bit hash of each
    line: equal lines hash equal, and unequal lines that collide, if ever, are told apart by the comparison
    as text."""
    hashes = _line_hash(parsed)
    ordered = np.sort(hashes)  # a sorted copy needs far less memory than a hash table of every line
    twice = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])
    del ordered
    if not len(twice):
        return np.zeros(len(hashes), dtype=bool)
    return pd.Series(hashes, copy=False).isin(twice).to_numpy()  # a hash table of the few repeated values


def _line_hash(parsed: dict[str, object]) -> np.ndarray:
    """One 64-bit hash per line of its parsed values, computed by DuckDB on both cores (text keys are hashed
    as they are, categorical keys by their codes)."""
    import duckdb

    columns = {
        name: values.codes if isinstance(values, pd.Categorical) else values
        for name, values in parsed.items()
    }
    listed = ", ".join(f'"{name}"' for name in columns)
    with duckdb.connect(":memory:") as connection:
        connection.register("parsed", pd.DataFrame(columns, copy=False))
        return connection.sql(f"SELECT hash({listed}) AS h FROM parsed").fetchnumpy()["h"]


def _returns_only(raw: RawLedger, columns: dict[str, str], returned: np.ndarray, keep: np.ndarray) -> None:
    """Refuse a ledger with no purchase at all among the rows kept (an export of credit notes only)."""
    if keep.any() and not (keep & ~returned).any():
        raise LedgerError(
            say("ledger.returns_only", n=int(keep.sum())),
            file=raw.file,
            sheet=raw.sheet,
            column=columns.get("amount"),
            hint=say("ledger.hint_returns_only"),
            lang=raw.lang,
        )


@with_system_arrow_memory
def read_transactions(
    source: object,
    *,
    sheet: str | None = None,
    table: str | None = None,
    sep: str | None = None,
    encoding: str | None = None,
    decimal: str | None = None,
    dayfirst: bool | None = None,
    errors: str = "raise",
    lines_are_orders: bool = False,
    drop_duplicates: bool = False,
    **mapping: str | None,
) -> pd.DataFrame:
    """Read a ledger into canonical transactions (see docs/architecture.md for the columns).

    `mapping` names source headers by canonical keyword (`customer="CustomerID"`, `order="InvoiceNo"`,
    `amount="Montant TTC"`...); other columns are recognised from common French and English headers.
    The frame's index is the source row (sheet/file row number, or the input DataFrame's index);
    `attrs["quality"]` is the data-quality report and `attrs["mapping"]` what each column was read from.
    `lines_are_orders=True` says each line is a whole order (an order-level export without order numbers):
    two lines of a customer on the same day are then two purchases, not one.
    `dayfirst` decides how 01/02/2024 reads (None: the data decides, and a column holding both 25/01 and
    12/13 is refused). Lines that repeat an earlier line exactly are reported, and left out with
    `drop_duplicates=True`.
    """
    if errors not in ("raise", "exclude"):
        raise ValueError("errors must be 'raise' or 'exclude'")
    explicit = _explicit_mapping(mapping)
    raw = load_raw(source, sheet=sheet, table=table, sep=sep, encoding=encoding, explicit=explicit)
    columns = detect_columns(raw.frame.columns, _resolve_headers(raw, explicit))
    raw.french = raw.french or any(normalize_header(h) in _FRENCH_HINTS for h in columns.values())
    check_duplicate_headers(raw.headers, columns.values(), raw.file, raw.sheet, raw.lang)
    _require_columns(raw, columns)
    if raw.frame.empty:
        raise LedgerError(
            say("ledger.header_only"),
            file=raw.file,
            sheet=raw.sheet,
            hint=say("ledger.hint_export"),
            lang=raw.lang,
        )
    reader = _Reader(raw, columns, decimal, dayfirst, errors)
    out: dict[str, object] = {}

    customer, no_customer = reader.keys("customer_id")
    date = reader.sale_dates()
    amount, no_amount = _amounts(reader, out)
    no_date = date.values.isna().to_numpy() & ~date.bad

    returned = amount < 0
    if "quantity" in out:
        returned |= np.nan_to_num(out["quantity"]) < 0
    if "returned" in columns:
        returned |= reader.flags("returned").values.to_numpy(dtype=bool)
    # a return is negative whatever sign the till wrote (flag column, or a negative quantity)
    flip = returned & (amount > 0)
    if flip.any():
        amount = np.where(flip, -amount, amount)
    out["returned"] = returned

    if "order_id" in columns:
        out["order_id"], _ = reader.keys("order_id")
    elif lines_are_orders:
        rows = np.arange(len(raw.frame)) if raw.index_labels else np.arange(len(raw.frame)) + raw.first_row
        out["order_id"] = pd.Series(rows.astype(str), dtype=object)
        reader.quality.info(say("ledger.note_lines_are_orders"))
    if "category" in columns:
        out["category"] = reader.text("category")
    margin = _margin(reader, amount)
    if margin is not None:
        out["margin"] = margin
    if "discount" in columns:
        discount = parse_numbers(reader.cells("discount"), reader.decimal, raw.sep)
        if discount.bad.sum() > len(discount.bad) / 2:
            flags = reader.flags("discount")
            out["discount"] = flags.values.astype(float).to_numpy()
        else:
            reader.check("discount", discount, "ledger.what.number")
            out["discount"] = discount.values.to_numpy()
        out["discounted"] = np.nan_to_num(out["discount"]) > 0
    delay = _payment_delay(reader)
    if delay is not None:
        out["payment_delay_days"] = delay
    if "service_contacts" in columns:
        out["service_contacts"] = reader.numbers("service_contacts").values.to_numpy()
    for contact in CONTACT_COLUMNS:
        if contact in columns:
            out[contact] = (
                reader.dates(contact, required=False).values
                if contact == "birthday"
                else reader.text(contact)
            )

    quality = reader.quality
    parsed = {"customer": customer.array, "date": date.values.array, "amount": amount}
    duplicates = duplicate_lines(raw, parsed)
    if duplicates.any():
        if drop_duplicates:
            reader.exclude("duplicate", duplicates)
        else:
            rows = raw.row_names(np.flatnonzero(duplicates)[:5])
            quality.note(
                say("ledger.note_duplicates", n=int(duplicates.sum()), rows=", ".join(map(str, rows)))
            )
    reasons = dict(reader.reasons)
    for reason, column, mask in (
        ("no_customer", "customer_id", no_customer),
        ("no_date", "date", no_date),
        ("no_amount", "amount", no_amount),
    ):
        reasons[reason] = reader.missing(column, mask)
    order = [*REASONS]
    reasons = dict(
        sorted(reasons.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order))
    )
    excluded = quality.exclude_rows(reasons, raw.row_names)
    keep = ~excluded
    if not keep.any():
        raise LedgerError(
            say("ledger.no_usable_row", read=quality.rows_read),
            file=raw.file,
            sheet=raw.sheet,
            hint="; ".join(
                f"{label}: {value}" for label, value in quality.rows()[3:] if "Column" not in label
            ),
            lang=raw.lang,
        )
    _returns_only(raw, columns, returned, keep)

    every_row = bool(keep.all())
    if raw.index_labels:
        index = raw.frame.index if every_row else raw.frame.index[keep]
    elif every_row:  # the row numbers without storing them
        index = pd.RangeIndex(raw.first_row, raw.first_row + len(keep), name="row")
    else:
        index = pd.Index(np.flatnonzero(keep) + raw.first_row, name="row")
    columns_out = {"customer_id": customer, "date": date.values, "amount": amount, **out}
    data = {}
    for name, values in columns_out.items():
        # Series keep their dtype (the customer and order categoricals, text); arrays are plain numpy
        values = values.array if isinstance(values, pd.Series) else np.asarray(values)
        data[name] = values if every_row else values[keep]
    frame = pd.DataFrame(data, copy=False)
    if not every_row:
        for name in ("customer_id", "order_id"):
            if name in frame and isinstance(frame[name].dtype, pd.CategoricalDtype):
                frame[name] = drop_unused_categories(frame[name])
    frame.index = index
    frame.attrs["quality"] = quality
    frame.attrs["mapping"] = dict(columns)
    frame.attrs["source"] = raw.file
    frame.attrs["language"] = raw.lang
    return frame


def sample_ledger_path() -> Path:
    """The sample ledger shipped with the package (French-style shop, three years)."""
    return Path(__file__).with_name("data") / "sample_ledger.csv"
