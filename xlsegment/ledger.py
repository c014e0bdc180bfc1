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
from .errors import LedgerError
from .parsing import (
    Parsed,
    blank,
    drop_unused_categories,
    parse_customer_ids,
    parse_dates,
    parse_flags,
    parse_numbers,
)
from .quality import DataQuality
from .sources import RawLedger, load_raw

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
                f"no column {header!r} (asked for as {canonical}); the columns are {listed}",
                file=raw.file,
                sheet=raw.sheet,
            )
        resolved[canonical] = matches[0]
    return resolved


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
        self.bad_rows = np.zeros(len(raw.frame), dtype=bool)
        self.quality = DataQuality(
            source=raw.file, sheet=raw.sheet, rows_read=len(raw.frame), mapping=dict(columns)
        )
        self.quality.notes.extend(raw.notes)

    def cells(self, canonical: str) -> pd.Series:
        return self.raw.frame[self.columns[canonical]]

    def check(self, canonical: str, parsed: Parsed, what: str) -> None:
        """Raise on unreadable cells (or mark them excluded with errors='exclude')."""
        if not parsed.bad.any():
            return
        positions = np.flatnonzero(parsed.bad)
        if self.errors == "exclude" and canonical in (
            "customer_id",
            "date",
            "amount",
            "quantity",
            "unit_price",
        ):
            self.bad_rows[positions] = True
            self.quality.exclude(f"bad_{canonical}", len(positions), self.raw.row_names(positions[:5]))
            return
        values = self.cells(canonical).iloc[positions[:3]].tolist()
        shown = ", ".join(repr(v) for v in values)
        verb = "is not" if len(positions) == 1 else "are not"
        raise LedgerError(
            f"{shown}{', ...' if len(positions) > 3 else ''} {verb} {what}",
            file=self.raw.file,
            sheet=self.raw.sheet,
            column=self.columns[canonical],
            rows=self.raw.row_names(positions),
            hint=f"{len(positions)} unreadable cell(s); fix them, or leave those rows out with errors='exclude' (CLI: --skip-bad-rows)",
        )

    def numbers(self, canonical: str) -> Parsed:
        parsed = parse_numbers(self.cells(canonical), self.decimal, self.raw.sep)
        self.check(canonical, parsed, "a number")
        if parsed.note:
            self.quality.note(f"{self.columns[canonical]}: {parsed.note}")
        return parsed

    def dates(self, canonical: str, required: bool = True) -> Parsed:
        parsed = parse_dates(self.cells(canonical), self.dayfirst)
        if required:
            self.check(canonical, parsed, "a date")
        elif parsed.bad.any():
            self.quality.note(
                f"{self.columns[canonical]}: {int(parsed.bad.sum())} unreadable date(s) left empty"
            )
        if parsed.note:
            self.quality.note(f"{self.columns[canonical]}: {parsed.note}")
        return parsed

    def flags(self, canonical: str) -> Parsed:
        parsed = parse_flags(self.cells(canonical))
        self.check(canonical, parsed, "yes/no")
        return parsed

    def text(self, canonical: str) -> pd.Series:
        cells = self.cells(canonical)
        if pd.api.types.is_string_dtype(cells.dtype) and cells.dtype != object:
            text = cells.str.strip()
        else:
            text = cells.where(cells.isna(), cells.astype(str).str.strip())
        return text.where(~blank(text), np.nan)


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
        reader.quality.note("amount computed as quantity x unit price")
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
            reader.quality.note(f"{cols['margin']}: read as a margin rate (margin = amount x rate)")
            return amount * margin
        return margin
    if "cost" in cols:
        reader.quality.note(f"{cols['cost']}: margin computed as amount - cost")
        return amount - reader.numbers("cost").values.to_numpy()
    return None


def _payment_delay(reader: _Reader) -> np.ndarray | None:
    cols = reader.columns
    if "payment_delay_days" in cols:
        return reader.numbers("payment_delay_days").values.to_numpy()
    if "due_date" in cols and "paid_date" in cols:
        due = reader.dates("due_date", required=False).values
        paid = reader.dates("paid_date", required=False).values
        reader.quality.note("payment delay computed as paid date - due date (days late, 0 when on time)")
        return (paid - due).dt.days.clip(lower=0).to_numpy(dtype="float64")
    return None


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
    **mapping: str | None,
) -> pd.DataFrame:
    """Read a ledger into canonical transactions (see docs/architecture.md for the columns).

    `mapping` names source headers by canonical keyword (`customer="CustomerID"`, `order="InvoiceNo"`,
    `amount="Montant TTC"`...); other columns are recognised from common French and English headers.
    The frame's index is the source row (sheet/file row number, or the input DataFrame's index);
    `attrs["quality"]` is the data-quality report and `attrs["mapping"]` what each column was read from.
    `lines_are_orders=True` says each line is a whole order (an order-level export without order numbers):
    two lines of a customer on the same day are then two purchases, not one.
    """
    if errors not in ("raise", "exclude"):
        raise ValueError("errors must be 'raise' or 'exclude'")
    explicit = _explicit_mapping(mapping)
    raw = load_raw(source, sheet=sheet, table=table, sep=sep, encoding=encoding, explicit=explicit)
    columns = detect_columns(raw.frame.columns, _resolve_headers(raw, explicit))
    french = raw.french or any(normalize_header(h) in _FRENCH_HINTS for h in columns.values())
    for needed, keyword in (("customer_id", "customer"), ("date", "date")):
        if needed not in columns:
            raise LedgerError(
                f"no {keyword} column found among {', '.join(repr(h) for h in raw.headers)}",
                file=raw.file,
                sheet=raw.sheet,
                hint=f"name it with {keyword}='<header>' (CLI: --{keyword} '<header>')",
            )
    if "amount" not in columns and not ("quantity" in columns and "unit_price" in columns):
        raise LedgerError(
            f"no amount column (nor quantity and unit price) found among {', '.join(repr(h) for h in raw.headers)}",
            file=raw.file,
            sheet=raw.sheet,
            hint="name it with amount='<header>' (CLI: --amount '<header>')",
        )
    reader = _Reader(
        raw, columns, decimal, dayfirst if dayfirst is not None else (True if french else None), errors
    )
    out: dict[str, object] = {}

    customer, no_customer = parse_customer_ids(reader.cells("customer_id"))
    date = reader.dates("date")
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
        out["order_id"], _ = parse_customer_ids(reader.cells("order_id"))
    elif lines_are_orders:
        rows = np.arange(len(raw.frame)) if raw.index_labels else np.arange(len(raw.frame)) + raw.first_row
        out["order_id"] = pd.Series(rows.astype(str), dtype=object)
        reader.quality.note("each line is an order (lines_are_orders)")
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
            reader.check("discount", discount, "a number")
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
    excluded = reader.bad_rows.copy()
    for reason, mask in (("no_customer", no_customer), ("no_date", no_date), ("no_amount", no_amount)):
        fresh = mask & ~excluded
        if fresh.any():
            positions = np.flatnonzero(fresh)
            quality.exclude(reason, len(positions), raw.row_names(positions[:5]))
        excluded |= mask
    keep = ~excluded
    if not keep.any():
        raise LedgerError(
            "no usable row: every row lacks a customer, a date or an amount",
            file=raw.file,
            sheet=raw.sheet,
            hint=str(quality).replace("\n", "; "),
        )

    if raw.index_labels:
        index = raw.frame.index if keep.all() else raw.frame.index[keep]
    else:
        index = pd.Index(np.flatnonzero(keep) + raw.first_row, name="row")
    columns_out = {"customer_id": customer, "date": date.values, "amount": amount, **out}
    every_row = bool(keep.all())
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
    frame.attrs["language"] = "fr" if french else "en"
    return frame


def sample_ledger_path() -> Path:
    """The sample ledger shipped with the package (French-style shop, three years)."""
    return Path(__file__).with_name("data") / "sample_ledger.csv"
