"""Load a ledger's raw cells from a CSV/TSV file, an Excel sheet or table, a Parquet file or a DataFrame.

Only the loading lives here: what the file really is (whatever its name says), which encoding, separator,
sheet and header row. Turning cells into typed canonical columns is `xlsegment.ledger`'s job. Every way a file
can fail to load ends in a `LedgerError` naming the file (and line) and saying what to do.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .columns import detect_columns, normalize_header
from .errors import LedgerError, Text, say

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
HEAD_BYTES = 1 << 16  # what the encoding, separator and header are guessed from
_PANDAS_MAJOR = int(pd.__version__.split(".")[0])
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")
COMPRESSED_SUFFIXES = (".gz", ".bz2", ".xz", ".zip")

# what a file is, from its first bytes (the name may lie: an "export.xlsx" that is a CSV, a PDF renamed .csv)
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "pdf"),
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),  # .xls, or an .xlsx encrypted with a password
    (b"\x1f\x8b", "gzip"),
    (b"PAR1", "parquet"),
)
BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
FALLBACK_ENCODING = "cp1252"  # Windows' Western European encoding: what French tills and Excel save


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
    notes: list[Text | str] = field(default_factory=list)
    index_labels: bool = False  # rows are named by the DataFrame's index labels, not sheet row numbers
    headers: list[str] = field(default_factory=list)  # every header of the source, read or not
    saved: pd.Timestamp | None = None  # when the file was last written (no sale can be dated after it)
    all_columns: Callable[[], pd.DataFrame] | None = None  # every column, when `frame` holds only those used

    def __post_init__(self) -> None:
        if not self.headers:
            self.headers = [str(c) for c in self.frame.columns]

    def row_names(self, positions: np.ndarray) -> list[object]:
        """User-visible names of the rows at `positions` (sheet row numbers, or index labels)."""
        if self.index_labels:
            return [self.frame.index[int(p)] for p in positions]
        return [int(p) + self.first_row for p in positions]

    @property
    def lang(self) -> str:
        return "fr" if self.french else "en"


# --------------------------------------------------------------------------------------------- what it is


def content_kind(head: bytes) -> str:
    """'pdf', 'zip', 'ole', 'gzip', 'parquet', 'binary' or 'text', from a file's first bytes."""
    for magic, kind in MAGIC:
        if head.startswith(magic):
            return kind
    if _utf16_order(head) or any(head.startswith(bom) for bom, _ in BOMS):
        return "text"
    sample = head[:8192]
    control = sum(sample.count(bytes([b])) for b in (*range(0, 9), 11, 12, *range(14, 27), *range(28, 32)))
    return "binary" if sample and control > len(sample) // 100 else "text"


def _utf16_order(head: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' for UTF-16 text without a byte-order mark (every other byte is zero)."""
    sample = head[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def sniff_encoding(head: bytes) -> str:
    """The encoding of a text file from its first bytes: a byte-order mark, UTF-16 without one, UTF-8, or
    Windows-1252 when the bytes are not UTF-8 (a multi-byte character cut at the end of the sample is UTF-8)."""
    for bom, encoding in BOMS:
        if head.startswith(bom):
            return encoding
    order = _utf16_order(head)
    if order:
        return order
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as err:
        if err.start >= len(head) - 3 and len(head) >= HEAD_BYTES - 3:
            return "utf-8"
        return FALLBACK_ENCODING


def _line_of(path: Path, offset: int) -> int:
    """The 1-based line number of byte `offset` of a (possibly compressed) file."""
    with _open_binary(path) as handle:
        data = handle.read(offset)
    return data.count(b"\n") + 1


def _first_undecodable(path: Path, encoding: str) -> tuple[int, bytes] | None:
    """(line, bytes) of the first bytes of the file that `encoding` cannot decode, or None."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with _open_binary(path) as handle:
        while chunk := handle.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as err:
                bad = chunk[err.start : err.end]
                return _line_of(path, offset + err.start), bad
            offset += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as err:
        return _line_of(path, offset), err.object[err.start : err.end]
    return None


def _undecodable_error(path: Path, line: int, bad: bytes, lang: str) -> LedgerError:
    return LedgerError(
        say("ledger.undecodable", bytes=bad.hex(" ")),
        file=path.name,
        rows=[line],
        hint=say("ledger.hint_resave_utf8"),
        lang=lang,
    )


def _decoding_fallback(path: Path, encoding: str, head: bytes) -> tuple[str, Text]:
    """After the sniffed encoding failed further down the file: Windows-1252 for a file whose head was plain
    ASCII; a refusal naming the line when the head was real UTF-8 (two encodings in one file)."""
    found = _first_undecodable(path, encoding)
    line, bad = found if found else (0, b"")
    if encoding.startswith("utf-8") and head.isascii():
        second = _first_undecodable(path, FALLBACK_ENCODING)
        if second is None:
            return FALLBACK_ENCODING, say("ledger.note_cp1252", line=line)
        line, bad = second
    elif encoding.startswith("utf-8"):
        raise LedgerError(
            say("ledger.mixed_encoding"), file=path.name, rows=[line], hint=say("ledger.hint_resave_utf8")
        )
    raise _undecodable_error(path, line, bad, "fr" if encoding == FALLBACK_ENCODING else "en")


def _refuse_mixed_head(path: Path, head: bytes) -> None:
    """A head that is not UTF-8 but holds UTF-8 accents before the first bad byte mixes two encodings:
    reading it all as Windows-1252 would garble every accent before (Hélène -> HÃ©lÃ¨ne)."""
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as err:
        before = head[: err.start]
        if not before.isascii():
            line = before.count(b"\n") + 1
            raise LedgerError(
                say("ledger.mixed_encoding"), file=path.name, rows=[line], hint=say("ledger.hint_resave_utf8")
            ) from None


# --------------------------------------------------------------------------------------------- CSV


def _sniff_separator(text: str) -> str:
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines[:20]), delimiters="".join(SEPARATORS)).delimiter
    except csv.Error:
        counts = {sep: lines[0].count(sep) for sep in SEPARATORS}
        return max(counts, key=counts.get) if max(counts.values()) else ","


def _open_binary(path: Path):
    suffix = path.suffix.lower()
    if suffix == ".gz":
        import gzip

        return gzip.open(path, "rb")
    if suffix == ".bz2":
        import bz2

        return bz2.open(path, "rb")
    if suffix == ".xz":
        import lzma

        return lzma.open(path, "rb")
    if suffix == ".zip":
        import zipfile

        archive = zipfile.ZipFile(path)
        return archive.open(archive.namelist()[0])
    return path.open("rb")


def _open_head(path: Path, size: int = HEAD_BYTES) -> bytes:
    with _open_binary(path) as handle:
        return handle.read(size)


def _fields_beyond(record: list[str], width: int) -> int:
    """How many fields a record has, trailing empty ones beyond the header's width not counted."""
    n = len(record)
    while n > width and not record[n - 1].strip():
        n -= 1
    return n


def ragged_rows(path: Path, encoding: str, sep: str, width: int) -> tuple[list[int], list[int]]:
    """File rows (header = row 1) with more fields than the header, and with fewer (blank lines ignored)."""
    long, short = [], []
    with io.TextIOWrapper(_open_binary(path), encoding=encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=sep)
        next(reader, None)
        for i, record in enumerate(reader, start=2):
            if not record:
                continue
            n = _fields_beyond(record, width)
            if n > width:
                long.append(i)
            elif n < width:
                short.append(i)
    return long, short


def _check_ragged(path: Path, encoding: str, sep: str, width: int, notes: list, lang: str) -> None:
    """Refuse rows with more fields than the header (their values would land in the wrong columns); note the
    rows with fewer (their missing cells are read as empty)."""
    long, short = ragged_rows(path, encoding, sep, width)
    if long:
        raise LedgerError(
            say("ledger.long_rows", n=len(long), width=width),
            file=path.name,
            rows=long,
            hint=say("ledger.hint_long_rows", sep=SEP_NAMES.get(sep, sep)),
            lang=lang,
        )
    if short:
        notes.append(say("ledger.note_short_rows", n=len(short), rows=", ".join(map(str, short[:5]))))


SEP_NAMES = {"\t": "tab", ",": ",", ";": ";", "|": "|"}
# encodings as users know them (Excel's "Save as" names)
ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (BOM)",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16 LE",
    "utf-16-be": "UTF-16 BE",
    "utf-32": "UTF-32",
    FALLBACK_ENCODING: "Windows-1252",
}


def _read_csv(path: Path, encoding: str, options: dict, headers: list[str]) -> tuple[pd.DataFrame, bool]:
    """pandas.read_csv with pyarrow's multi-threaded reader when pandas has it (about 8x faster on 1M lines),
    else, or when pyarrow refuses the file, with the C engine. Returns the frame and whether the fast reader
    read it (it checks every row's number of fields; the C engine does not, so the caller does)."""
    fast = {key: value for key, value in options.items() if key != "skipinitialspace"}  # our parsers strip
    # pandas 2.2's pyarrow engine reads "00042" as 42.0 and empty cells as "None" even with dtype=str
    if _PANDAS_MAJOR >= 3:

        def ragged(row: object) -> str:
            return "error"  # rows with another number of fields: the C engine's path below names them

        try:
            return pd.read_csv(path, encoding=encoding, engine="pyarrow", on_bad_lines=ragged, **fast), True
        except Exception:  # no pyarrow (Pyodide), bad UTF-8, newlines inside quotes, ragged rows...
            pass
    usecols = options.get("usecols")
    slow = {**options, "index_col": False}
    if usecols is None:
        return pd.read_csv(path, encoding=encoding, **slow), False
    # the C engine also strips the spaces after separators from the header, so names would not match:
    # pick the columns by position and name them as the header reads
    positions = sorted({headers.index(c) for c in usecols})
    frame = pd.read_csv(path, encoding=encoding, **{**slow, "usecols": positions})
    frame.columns = [headers[i] for i in positions]
    return frame, False


def check_duplicate_headers(
    headers: Iterable[object], used: Iterable[object], file: str, sheet: str | None, lang: str
) -> None:
    """Refuse a column we read whose header appears twice: which of the two was meant cannot be told."""
    names = [str(h) for h in headers]
    for name in dict.fromkeys(str(u) for u in used):
        positions = [i + 1 for i, h in enumerate(names) if h == name]
        if len(positions) > 1:
            raise LedgerError(
                say("ledger.duplicate_header", positions=", ".join(map(str, positions))),
                file=file,
                sheet=sheet,
                column=name,
                hint=say("ledger.hint_duplicate_header"),
                lang=lang,
            )


def read_csv_raw(
    path: Path,
    *,
    sep: str | None = None,
    encoding: str | None = None,
    columns: Callable[[list[str]], list[str]] | None = None,
    head: bytes | None = None,
) -> RawLedger:
    """CSV/TSV cells as text (missing = NaN), reading only the columns `columns(headers)` keeps."""
    head = _open_head(path) if head is None else head
    if not head.strip():
        raise LedgerError(say("ledger.empty_file"), file=path.name, hint=say("ledger.hint_export"))
    notes: list[Text | str] = []
    if encoding is None:
        encoding = sniff_encoding(head)
        if encoding == FALLBACK_ENCODING:
            _refuse_mixed_head(path, head)
    text = head.decode(encoding, errors="replace")  # the whole file is decoded strictly below
    sep = sep or ("\t" if path.suffix.lower() in (".tsv", ".tab") else _sniff_separator(text))
    french = sep == ";" or encoding == FALLBACK_ENCODING
    lang = "fr" if french else "en"
    try:
        headers = next(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=sep), [])
    except csv.Error as err:
        raise LedgerError(
            say("ledger.unparseable", detail=err), file=path.name, hint=say("ledger.hint_export")
        ) from err
    if not any(h.strip() for h in headers):
        raise LedgerError(say("ledger.empty_file"), file=path.name, hint=say("ledger.hint_export"), lang=lang)
    usecols = columns(headers) if columns else None
    check_duplicate_headers(headers, usecols or [], path.name, None, lang)
    options = dict(
        sep=sep, dtype=str, keep_default_na=False, na_values=[""], usecols=usecols, skipinitialspace=True
    )
    try:
        try:
            frame, checked = _read_csv(path, encoding, options, headers)
        except UnicodeDecodeError:
            encoding, note = _decoding_fallback(path, encoding, head)
            notes.append(note)
            frame, checked = _read_csv(path, encoding, options, headers)
        if not checked:
            _check_ragged(path, encoding, sep, len(headers), notes, lang)
    except LedgerError:
        raise
    except (pd.errors.ParserError, ValueError, csv.Error, UnicodeError) as err:
        detail = " ".join(str(err).split())[:200]
        raise LedgerError(
            say("ledger.unparseable", detail=detail),
            file=path.name,
            hint=say("ledger.hint_export"),
            lang=lang,
        ) from err
    all_columns = None
    if usecols is not None:
        frame = frame[[c for c in usecols if c in frame.columns]]
        if len(usecols) < len(headers):
            everything = {**options, "usecols": None}
            all_columns = lambda: _read_csv(path, encoding, everything, headers)[0]  # noqa: E731
    return RawLedger(
        all_columns=all_columns,
        frame=frame,
        file=path.name,
        first_row=2,
        sep=sep,
        encoding=encoding,
        french=french or encoding == FALLBACK_ENCODING,
        notes=notes,
        headers=list(headers),
        saved=_saved(path),
    )


# --------------------------------------------------------------------------------------------- Excel


def _header_row(rows: list[tuple]) -> int:
    """Index of the header row: the first of the top rows with two or more text cells."""
    for i, row in enumerate(rows[:30]):
        texts = [v for v in row if isinstance(v, str) and v.strip()]
        if len(texts) >= 2:
            return i
    return 0


def _rows_to_frame(rows: list[tuple], file: str, sheet: str | None, top: int = 1) -> RawLedger:
    """Cells of a sheet (a list of row tuples, top-left at sheet row `top`) to a raw ledger.

    Headers are kept as written (a repeated header is refused by `check_duplicate_headers` if it is read);
    blank headers are named `column N`."""
    if not rows:
        raise LedgerError(say("ledger.sheet_empty"), file=file, sheet=sheet)
    h = _header_row(rows)
    width = max(len(r) for r in rows)
    header = list(rows[h]) + [None] * (width - len(rows[h]))
    names = [
        str(value).strip() if value is not None and str(value).strip() else f"column {j + 1}"
        for j, value in enumerate(header)
    ]
    body = [tuple(r) + (None,) * (width - len(r)) for r in rows[h + 1 :]]
    while body and all(v is None or (isinstance(v, str) and not v.strip()) for v in body[-1]):
        body.pop()
    frame = pd.DataFrame(body, columns=range(width), dtype=object)
    frame.columns = names
    return RawLedger(frame=frame, file=file, sheet=sheet, first_row=top + h + 1, headers=names)


def _pick_sheet(names: list[str], sheet: str | None, file: str) -> str:
    if sheet is not None:
        for name in names:
            if name == sheet or name.strip().lower() == str(sheet).strip().lower():
                return name
        raise LedgerError(say("ledger.no_sheet", sheet=sheet, sheets=", ".join(map(repr, names))), file=file)
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
                        raw.saved = _saved(path)
                        return raw
            names = [n for ws in book.worksheets for n in ws.tables]
            raise LedgerError(
                say("ledger.no_table", table=table, tables=", ".join(map(repr, names)) or "-"), file=path.name
            )
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except LedgerError:
        raise
    except Exception as err:  # a damaged file, or a zip that is not a workbook
        detail = " ".join(str(err).split())[:120] or type(err).__name__
        raise LedgerError(
            say("ledger.bad_workbook", detail=detail), file=path.name, hint=say("ledger.hint_resave_xlsx")
        ) from err
    try:
        name = _pick_sheet(book.sheetnames, sheet, path.name)
        rows = list(book[name].iter_rows(values_only=True))
    finally:
        book.close()
    raw = _rows_to_frame(rows, path.name, name)
    raw.saved = _saved(path)
    return raw


def read_parquet_raw(path: Path) -> RawLedger:
    try:
        frame = pd.read_parquet(path)
    except ImportError as err:
        raise LedgerError(say("ledger.parquet_needs_pyarrow"), file=path.name) from err
    except Exception as err:  # a damaged file
        detail = " ".join(str(err).split())[:120]
        raise LedgerError(say("ledger.unparseable", detail=detail), file=path.name) from err
    return RawLedger(frame=frame, file=path.name, first_row=1, index_labels=False, saved=_saved(path))


def _saved(path: Path) -> pd.Timestamp:
    return pd.Timestamp(path.stat().st_mtime, unit="s")


# --------------------------------------------------------------------------------------------- any source


def _is_workbook_zip(path: Path) -> bool:
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def _kind_of(path: Path, head: bytes) -> str:
    """What to read the file as: 'excel', 'parquet' or 'csv'; refuses what is no table at all."""
    suffix = path.suffix.lower()
    kind = content_kind(head)
    if suffix == ".xls" and kind != "text":
        raise LedgerError(say("ledger.xls"), file=path.name, hint=say("ledger.hint_save_xlsx"))
    if kind == "pdf":
        raise LedgerError(say("ledger.pdf"), file=path.name, hint=say("ledger.hint_export"))
    if kind == "ole":
        raise LedgerError(say("ledger.ole"), file=path.name, hint=say("ledger.hint_save_xlsx"))
    if kind == "parquet" or (suffix in (".parquet", ".pq") and kind != "text"):
        return "parquet"
    if kind == "zip" and suffix != ".zip":
        if suffix in EXCEL_SUFFIXES or _is_workbook_zip(path):
            return "excel"
        raise LedgerError(say("ledger.not_a_workbook_zip"), file=path.name, hint=say("ledger.hint_export"))
    if suffix in EXCEL_SUFFIXES:
        first_line = head.split(b"\n", 1)[0]
        if kind == "text" and any(sep.encode() in first_line for sep in SEPARATORS):
            return "csv"  # an export named .xlsx that is really a CSV: read it as what it is (noted)
        raise LedgerError(
            say("ledger.bad_workbook", detail=say(f"ledger.kind.{kind}")),
            file=path.name,
            hint=say("ledger.hint_resave_xlsx"),
        )
    if kind == "binary" and suffix not in COMPRESSED_SUFFIXES:
        raise LedgerError(say("ledger.binary"), file=path.name, hint=say("ledger.hint_export"))
    return "csv"


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
        raise LedgerError(say("ledger.not_found"), file=str(path))
    if path.is_dir():
        raise LedgerError(say("ledger.is_folder"), file=str(path))
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
        kind = _kind_of(path, head)
        if kind == "excel":
            raw = read_excel_raw(path, sheet=sheet, table=table)
            if path.suffix.lower() not in EXCEL_SUFFIXES:
                raw.notes.append(say("ledger.note_really_excel"))
            return raw
        if kind == "parquet":
            return read_parquet_raw(path)

        def keep(headers: list[str]) -> list[str]:
            # explicit headers match case- and accent-insensitively, as read_transactions resolves them
            loose = {normalize_header(h): h for h in reversed(headers)}
            wanted = {
                k: h if h in headers else loose.get(normalize_header(h), h)
                for k, h in (explicit or {}).items()
            }
            mapping = detect_columns(headers, wanted)
            used = [h for h in headers if h in set(mapping.values())]
            return used or headers

        compressed = path.suffix.lower() in COMPRESSED_SUFFIXES
        raw = read_csv_raw(path, sep=sep, encoding=encoding, columns=keep, head=None if compressed else head)
        if path.suffix.lower() in EXCEL_SUFFIXES:
            raw.notes.append(say("ledger.note_really_csv"))
        return raw
    except PermissionError as err:
        raise LedgerError(
            say("ledger.no_permission"), file=path.name, hint=say("ledger.hint_permission")
        ) from err
    except (EOFError, OSError) as err:  # a truncated archive, an unreadable disk block
        detail = " ".join(str(err).split())[:120] or type(err).__name__
        raise LedgerError(
            say("ledger.unparseable", detail=detail), file=path.name, hint=say("ledger.hint_export")
        ) from err
