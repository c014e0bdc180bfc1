"""Ledgers with random defects: the reader and the CLI never fail other than with a LedgerError (exit 2), never
modify the input, always count every row once, never let ledger text become a formula and never leave a file
behind. Bounded (small examples, few of them) and derandomised under CI by conftest's profile."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import re
import shutil
import tempfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlsegment import cli
from xlsegment.errors import LedgerError
from xlsegment.ledger import read_transactions

MARK = "evil.example"
CUSTOMERS = [
    "C1",
    "C2",
    "C3",
    "Amélie",
    "Ame\u0301lie",
    "B\u200bob",
    f'=HYPERLINK("http://{MARK}")',
    "+cmd|x",
    "",
]
DATES = [
    "2024-01-05",
    "05/01/2024",
    "25/01/2024",
    "12/13/2024",
    "2099-01-01",
    "1900-01-01",
    "demain",
    "#N/A",
    "",
]
AMOUNTS = [
    "12.50",
    "12,50",
    "1 234,50",
    "(5.00)",
    "3-",
    "12,5%",
    "inf",
    "1e308",
    "#VALUE!",
    "abc",
    "-7",
    "0",
    "",
]
EMAILS = [f"@{MARK}", "a@b.fr", "#REF!", "", "line\nbreak"]

ROW = st.tuples(
    st.sampled_from(CUSTOMERS), st.sampled_from(DATES), st.sampled_from(AMOUNTS), st.sampled_from(EMAILS)
)


@st.composite
def ledgers(draw) -> tuple[bytes, str]:
    """The bytes of a CSV ledger with random defects, and its file name."""
    sep = draw(st.sampled_from([",", ";", "\t"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    rows = draw(st.lists(ROW, min_size=1, max_size=12))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\n")
    writer.writerow(["client", "date", "montant", "email"])
    for row in rows:
        cells = list(row)
        if draw(st.integers(0, 9)) == 0:  # a ragged row
            cells.append("extra")
        writer.writerow(cells)
        if draw(st.integers(0, 9)) == 0:  # an exact duplicate line
            writer.writerow(cells)
    text = buffer.getvalue()
    if draw(st.booleans()) and encoding != "utf-16":
        text = text.replace("\n", "\r\n")
    data = text.encode(encoding, errors="replace")
    if draw(st.integers(0, 14)) == 0:
        data = data[: max(1, len(data) // 2)]  # a truncated export
    return data, draw(st.sampled_from(["ventes.csv", "export.xlsx", "ledger.txt"]))


@contextlib.contextmanager
def _folder():
    path = Path(tempfile.mkdtemp(prefix="xlsegment-prop-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers(), st.sampled_from(["raise", "exclude"]))
def test_reader_refuses_or_reads_and_counts_every_row_once(case, errors) -> None:
    data, name = case
    with _folder() as folder:
        path = folder / name
        path.write_bytes(data)
        try:
            tx = read_transactions(path, errors=errors)
        except LedgerError as error:
            assert error.message("fr") and error.message("en").startswith(name)
        else:
            quality = tx.attrs["quality"]
            assert quality.rows_read == quality.rows_kept + quality.rows_excluded
            assert len(tx) == quality.rows_kept
            assert tx["customer_id"].notna().all() and tx["date"].notna().all() and tx["amount"].notna().all()
            assert (tx["amount"].abs() <= 1e12).all()
        assert path.read_bytes() == data
        assert [p.name for p in folder.iterdir()] == [name]


_LITERAL = re.compile(r'"(?:[^"]|"")*"')


@pytest.mark.slow
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers())
def test_cli_build_exits_0_or_2_and_leaves_only_its_workbook(case) -> None:
    data, name = case
    with _folder() as folder:
        path = folder / name
        path.write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        out = folder / "out.xlsx"
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = cli.main(["build", str(path), "-o", str(out), "-q", "--skip-bad-rows"])
        assert code in (0, 2), err.getvalue()
        assert "unexpected" not in err.getvalue()
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
        assert sorted(p.name for p in folder.iterdir()) == sorted(
            [name] + (["out.xlsx"] if code == 0 else [])
        )
        if code == 0:
            book = openpyxl.load_workbook(out)
            for sheet in book.worksheets:
                for row in sheet.iter_rows():
                    for cell in row:
                        if cell.data_type == "f":
                            assert MARK not in _LITERAL.sub('""', str(cell.value))
                        elif isinstance(cell.value, str) and cell.value[:1] in "=+-@":
                            assert cell.quotePrefix, f"{sheet.title}!{cell.coordinate}"
