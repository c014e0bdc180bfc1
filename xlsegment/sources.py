"""Load a ledger's raw cells from a CSV/TSV file, an Excel sheet or table, a Parquet file or a DataFrame.

Only the loading lives here: which encoding, separator, sheet and header row. Turning cells into typed
canonical columns is `xlsegment.ledger`'s job.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .columns import detect_columns, normalize_header
from .errors import LedgerError

LEDGER_SHEET_NAMES = (
    "ledger",
    "ventes",
    "transactions",
    "sales",
    "journal des ventes",
    "journal",
    "orders",
    "commandes",
)
SEPARATORS = (";", ",", "\t", "|")
_PANDAS_MAJOR = int(pd.__version__.split(".")[0])


@dataclass
class RawLedger:
    """The cells of a ledger as read, with what is needed to name rows the way the user sees them."""

    frame: pd.DataFrame
    file: str
    sheet: str | None = None
    first_row: int = 2  # the user-visible row number of the first data row (1-based, header above it)
    sep: str | None = None
    encoding: str | None = None
    french: bool = False
    notes: list[str] = field(default_factory=list)
    index_labels: bool = False  # rows are named by the DataFrame's index labels, not sheet row numbers
    headers: list[str] = field(default_factory=list)  # every header of the source, read or not

    def __post_init__(self) -> None:
        if not self.headers:
            self.headers = [str(c) for c in self.frame.columns]

    def row_names(self, positions: np.ndarray) -> list[object]:
        """User-visible names of the rows at `positions` (sheet row numbers, or index labels)."""
        if self.index_labels:
            return [self.frame.index[int(p)] for p in positions]
        return [int(p) + self.first_row for p in positions]


def _sniff_encoding(head: bytes) -> str:
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as err:
        # a multi-byte character cut at the end of the sample is still UTF-8
        if err.start >= len(head) - 3:
            return "utf-8"
        return "cp1252"


def _sniff_separator(text: str) -> str:
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines[:20]), delimiters="".join(SEPARATORS)).delimiter
    except csv.Error:
        counts = {sep: lines[0].count(sep) for sep in SEPARATORS}
        return max(counts, key=counts.get) if max(counts.values()) else ","


def _open_head(path: Path, size: int = 1 << 16) -> bytes:
    if path.suffix.lower() == ".gz":
        import gzip

        with gzip.open(path, "rb") as handle:
            return handle.read(size)
    if path.suffix.lower() in (".bz2", ".xz", ".zip"):
        return pd.read_csv(path, nrows=50, dtype=str, header=None).to_csv(index=False).encode()
    with path.open("rb") as handle:
        return handle.read(size)


def _read_csv(path: Path, encoding: str, options: dict, headers: list[str]) -> pd.DataFrame:
    """pandas.read_csv with pyarrow's multi-threaded reader when pandas has it (about 8x faster on 1M lines),
    else, or when pyarrow refuses the file, with the C engine, which then reports any problem itself."""
    fast = {key: value for key, value in options.items() if key != "skipinitialspace"}  # our parsers strip
    # pandas 2.2's pyarrow engine reads "00042" as 42.0 and empty cells as "None" even with dtype=str
    if _PANDAS_MAJOR >= 3:
        try:
            return pd.read_csv(path, encoding=encoding, engine="pyarrow", **fast)
        except Exception:  # no pyarrow (Pyodide), bad UTF-8, newlines inside quotes, ragged rows...
            pass
    usecols = options.get("usecols")
    if usecols is None:
        return pd.read_csv(path, encoding=encoding, **options)
    # the C engine also strips the spaces after separators from the header, so names would not match:
    # pick the columns by position and name them as the header reads
    positions = sorted({headers.index(c) for c in usecols})
    frame = pd.read_csv(path, encoding=encoding, **{**options, "usecols": positions})
    frame.columns = [headers[i] for i in positions]
    return frame


def read_csv_raw(
    path: Path,
    *,
    sep: str | None = None,
    encoding: str | None = None,
    columns: Callable[[list[str]], list[str]] | None = None,
) -> RawLedger:
    """CSV/TSV cells as text (missing = NaN), reading only the columns `columns(headers)` keeps."""
    head = _open_head(path)
    encoding = encoding or _sniff_encoding(head)
    text = head.decode(encoding, errors="replace")
    sep = sep or ("\t" if path.suffix.lower() in (".tsv", ".tab") else _sniff_separator(text))
    headers = next(csv.reader(io.StringIO(text), delimiter=sep), [])
    if not headers:
        raise LedgerError("the file is empty", file=path.name)
    usecols = columns(headers) if columns else None
    options = dict(
        sep=sep, dtype=str, keep_default_na=False, na_values=[""], usecols=usecols, skipinitialspace=True
    )
    try:
        frame = _read_csv(path, encoding, options, headers)
    except UnicodeDecodeError:
        if encoding.startswith("utf-8"):
            encoding = "cp1252"
            frame = _read_csv(path, encoding, options, headers)
        else:
            raise
    except (pd.errors.ParserError, ValueError) as err:
        raise LedgerError(f"cannot be read as a table: {err}", file=path.name) from err
    if usecols is not None:
        frame = frame[[c for c in usecols if c in frame.columns]]
    french = sep == ";" or encoding == "cp1252"
    return RawLedger(
        frame=frame,
        file=path.name,
        first_row=2,
        sep=sep,
        encoding=encoding,
        french=french,
        headers=list(headers),
    )


def _header_row(rows: list[tuple]) -> int:
    """Index of the header row: the first of the top rows with two or more text cells."""
    for i, row in enumerate(rows[:30]):
        texts = [v for v in row if isinstance(v, str) and v.strip()]
        if len(texts) >= 2:
            return i
    return 0


def _rows_to_frame(rows: list[tuple], file: str, sheet: str | None, top: int = 1) -> RawLedger:
    """Cells of a sheet (a list of row tuples, top-left at sheet row `top`) to a raw ledger."""
    if not rows:
        raise LedgerError("the sheet is empty", file=file, sheet=sheet)
    h = _header_row(rows)
    width = max(len(r) for r in rows)
    header = list(rows[h]) + [None] * (width - len(rows[h]))
    names, seen = [], set()
    for j, value in enumerate(header):
        name = str(value).strip() if value is not None and str(value).strip() else f"column {j + 1}"
        while name in seen:
            name += "_"
        seen.add(name)
        names.append(name)
    body = [tuple(r) + (None,) * (width - len(r)) for r in rows[h + 1 :]]
    while body and all(v is None or (isinstance(v, str) and not v.strip()) for v in body[-1]):
        body.pop()
    frame = pd.DataFrame(body, columns=names, dtype=object)
    return RawLedger(frame=frame, file=file, sheet=sheet, first_row=top + h + 1)


def _pick_sheet(names: list[str], sheet: str | None, file: str) -> str:
    if sheet is not None:
        for name in names:
            if name == sheet or name.strip().lower() == str(sheet).strip().lower():
                return name
        raise LedgerError(
            f"no sheet named {sheet!r}; the sheets are {', '.join(map(repr, names))}", file=file
        )
    for wanted in LEDGER_SHEET_NAMES:
        for name in names:
            if name.strip().lower() == wanted:
                return name
    return names[0]


def read_excel_raw(path: Path, *, sheet: str | None = None, table: str | None = None) -> RawLedger:
    """Cells of an Excel sheet (by name, a sheet called Ledger/Ventes/Transactions, or the first) or table."""
    import openpyxl

    try:
        if table is not None:
            book = openpyxl.load_workbook(path, data_only=True)
            for ws in book.worksheets:
                for name, ref in ws.tables.items():
                    if name.lower() == table.lower():
                        cells = ws[ref]
                        rows = [tuple(c.value for c in row) for row in cells]
                        top = cells[0][0].row
                        raw = _rows_to_frame(rows, path.name, ws.title, top)
                        return raw
            names = [n for ws in book.worksheets for n in ws.tables]
            raise LedgerError(
                f"no table named {table!r}; the tables are {', '.join(map(repr, names)) or 'none'}",
                file=path.name,
            )
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except LedgerError:
        raise
    except Exception as err:  # a corrupt or password-protected file
        raise LedgerError(f"cannot be opened as an Excel workbook ({err})", file=path.name) from err
    try:
        name = _pick_sheet(book.sheetnames, sheet, path.name)
        rows = list(book[name].iter_rows(values_only=True))
    finally:
        book.close()
    return _rows_to_frame(rows, path.name, name)


def read_parquet_raw(path: Path) -> RawLedger:
    try:
        frame = pd.read_parquet(path)
    except ImportError as err:
        raise LedgerError(
            "reading Parquet needs pyarrow: pip install 'xlsegment[parquet]'", file=path.name
        ) from err
    return RawLedger(frame=frame, file=path.name, first_row=1, index_labels=False)


def load_raw(
    source: object,
    *,
    sheet: str | None = None,
    table: str | None = None,
    sep: str | None = None,
    encoding: str | None = None,
    explicit: dict[str, str] | None = None,
) -> RawLedger:
    """Load any supported source; CSV files are read only for the columns the ledger uses."""
    if isinstance(source, pd.DataFrame):
        return RawLedger(frame=source, file="DataFrame", first_row=0, index_labels=True)
    path = Path(source)  # type: ignore[arg-type]
    if not path.exists():
        raise LedgerError("file not found", file=str(path))
    if path.is_dir():
        raise LedgerError("is a folder, not a ledger file", file=str(path))
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in (".xlsx", ".xlsm", ".xltx", ".xltm"):
        return read_excel_raw(path, sheet=sheet, table=table)
    if suffixes and suffixes[-1] == ".xls":
        raise LedgerError("old .xls workbooks are not supported; save it as .xlsx or CSV", file=path.name)
    if suffixes and suffixes[-1] in (".parquet", ".pq"):
        return read_parquet_raw(path)

    def keep(headers: list[str]) -> list[str]:
        # explicit headers match case- and accent-insensitively, as read_transactions resolves them
        loose = {normalize_header(h): h for h in reversed(headers)}
        wanted = {
            k: h if h in headers else loose.get(normalize_header(h), h) for k, h in (explicit or {}).items()
        }
        mapping = detect_columns(headers, wanted)
        used = [h for h in headers if h in set(mapping.values())]
        return used or headers

    return read_csv_raw(path, sep=sep, encoding=encoding, columns=keep)
