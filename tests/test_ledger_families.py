"""Every family of broken or tricky ledger, fed to the reader and to the CLI.

Each one is either refused with a `LedgerError` (in French and English, naming the file and, where there is
one, the sheet, column and rows) or read, with a line in the data-quality report when something was guessed,
cleaned or left out. None may reach "unexpected error", and no input file is ever modified.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from xlsegment import cli
from xlsegment.errors import LedgerError
from xlsegment.ledger import read_transactions

FRENCH = "client;date;montant\n" + "".join(
    f"C{i % 5};{i % 27 + 1:02d}/0{i % 9 + 1}/2024;{i + 1},50\n" for i in range(40)
)
ENGLISH = "customer,date,amount\nA,2024-01-05,5.00\nB,2024-02-01,6.50\nC,2024-03-01,7.25\n"


def _text(text: str, encoding: str = "utf-8") -> Callable[[Path], None]:
    return lambda path: path.write_bytes(text.encode(encoding))


def _bytes(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


def _workbook(rows: list[list[object]]) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        book = openpyxl.Workbook()
        book.active.title = "Ventes"
        for row in rows:
            book.active.append(row)
        book.save(path)

    return write


def _two_encodings(lines: int) -> bytes:
    """A UTF-8 ledger (with accents) whose last line, after `lines` lines, was appended in Windows-1252."""
    head = "client;date;montant\nHélène;01/02/2024;1,00\n" + "C;01/02/2024;2,00\n" * lines
    return head.encode() + "Zoé;01/02/2024;3,00\n".encode("cp1252")


JAN = pd.Timestamp("2024-01-05").to_pydatetime()
NOISE = bytes(range(256)) * 20  # every byte value: NULs and control characters

# name, file name, how to write it, expected: ("error", English part, French part) or ("ok", note part or None)
FAMILIES: list[tuple[str, str, Callable[[Path], None], tuple]] = [
    ("empty file", "e.csv", _bytes(b""), ("error", "the file is empty", "le fichier est vide")),
    ("blank lines only", "e.csv", _bytes(b"\n\n  \n"), ("error", "the file is empty", "le fichier est vide")),
    (
        "header only",
        "h.csv",
        _text("client;date;montant\n"),
        ("error", "header row but no data", "aucune ligne de données"),
    ),
    ("UTF-8 with BOM", "b.csv", _bytes(b"\xef\xbb\xbf" + FRENCH.encode()), ("ok", None)),
    ("UTF-16 with BOM", "u.csv", _text(FRENCH, "utf-16"), ("ok", None)),
    ("UTF-16 LE without BOM", "u.csv", _text(FRENCH, "utf-16-le"), ("ok", None)),
    ("UTF-16 BE without BOM", "u.csv", _text(FRENCH, "utf-16-be"), ("ok", None)),
    ("UTF-32 with BOM", "u.csv", _text(FRENCH, "utf-32"), ("ok", None)),
    (
        "cp1252 byte after 64 KiB",
        "w.csv",
        _text(
            FRENCH
            + "".join(f"C{i % 5};01/02/2024;{i},00\n" for i in range(4000))
            + "Hélène;01/02/2024;3,00\n",
            "cp1252",
        ),
        ("ok", "line 4042 is not UTF-8"),
    ),
    (
        "UTF-8 accents, then a cp1252 line after 64 KiB",
        "m.csv",
        _bytes(_two_encodings(5000)),
        ("error", "row 5003: this line is not UTF-8", "ligne 5003"),
    ),
    (
        "UTF-8 accents, then a cp1252 line within the first 64 KiB",
        "m.csv",
        _bytes(_two_encodings(3000)),
        ("error", "row 3003: this line is not UTF-8 while the lines before it are", "deux encodages"),
    ),
    (
        "bytes that are no text at all",
        "x.csv",
        _bytes(b"client;date;montant\nA;01/02/2024;1\n" + b"\x81\x8d\x8f\x90\x9d" * 3),
        ("error", "neither UTF-8 nor Windows-1252", "ni en UTF-8 ni en Windows-1252"),
    ),
    ("binary file", "bin.csv", _bytes(NOISE), ("error", "binary content", "contenu binaire")),
    (
        "PDF named .csv",
        "ventes.csv",
        _bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + NOISE),
        ("error", "is a PDF document", "est un document PDF"),
    ),
    (
        "PDF",
        "ventes.pdf",
        _bytes(b"%PDF-1.7\n" + NOISE),
        ("error", "is a PDF document", "est un document PDF"),
    ),
    ("xlsx that is really a CSV", "export.xlsx", _text(FRENCH), ("ok", "holds CSV text")),
    (
        "xlsx holding plain text",
        "broken.xlsx",
        _text("not a zip file"),
        ("error", "cannot be opened as an Excel workbook", "classeur Excel"),
    ),
    (
        "zip-broken xlsx",
        "broken.xlsx",
        _bytes(b"PK\x03\x04" + NOISE[:500]),
        ("error", "cannot be opened as an Excel workbook", "classeur Excel"),
    ),
    (
        "password-protected xlsx",
        "secret.xlsx",
        _bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + NOISE),
        ("error", "password-protected", "mot de passe"),
    ),
    (
        "old .xls",
        "old.xls",
        _bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + NOISE),
        ("error", "old .xls", ".xls"),
    ),
    (
        "a zip that is no workbook",
        "data.csv",
        _bytes(b"PK\x05\x06" + b"\0" * 18),
        ("error", "zip archive", "archive zip"),
    ),
    (
        "invalid UTF-8 in the head",
        "i.csv",
        _bytes(ENGLISH.encode() + b"D,2024-03-02,\xe9\xe9\n"),
        ("error", "'éé' is not a number", "ne se lit pas comme un nombre"),
    ),
    (
        "mixed UTC offsets",
        "tz.csv",
        _text(
            "customer,date,amount\nA,2024-01-01T10:00:00+01:00,5\nB,2024-02-01T10:00:00+02:00,6\nC,2024-03-01,3\n"
        ),
        ("ok", "time-zone offset"),
    ),
    (
        "two columns with one header",
        "d.csv",
        _text("customer,date,amount,amount\nA,2024-01-01,5,6\n"),
        ("error", "columns 3, 4", "colonnes 3, 4"),
    ),
    (
        "returns only",
        "r.csv",
        _text("customer,date,amount\nA,2024-01-01,-5\nB,2024-02-01,-6\n"),
        ("error", "no purchase", "aucun achat"),
    ),
    (
        "inf and Infinity amounts",
        "i.csv",
        _text("customer,date,amount\nA,2024-01-01,inf\nB,2024-02-01,6\nC,2024-02-01,Infinity\n"),
        ("error", "rows 2, 4: 'inf', 'Infinity': not a plausible number", "nombre invraisemblable"),
    ),
    (
        "amounts that overflow a sum",
        "h.csv",
        _text("customer,date,amount\nA,2024-01-01,1e308\nA,2024-02-01,1e308\nB,2024-02-01,3\n"),
        ("error", "rows 2, 3", "lignes 2, 3"),
    ),
    (
        "NaN text amount",
        "n.csv",
        _text("customer,date,amount\nA,2024-01-01,NaN\nB,2024-02-01,6\n"),
        ("error", "row 2: 'NaN' is not a number", "ligne 2"),
    ),
    (
        "40,000-character customer id",
        "l.csv",
        _text("customer,date,amount\n" + "X" * 40_000 + ",2024-01-01,5\nB,2024-02-01,6\n"),
        ("error", "column 'customer', row 2: text longer than an Excel cell", "plus long qu'une cellule"),
    ),
    (
        "percent sign in an amount",
        "p.csv",
        _text("client;date;montant\nA;01/02/2024;12,5%\nB;03/02/2024;10\n"),
        ("error", "row 2: '12,5%': a percentage is not an amount", "un pourcentage n'est pas un montant"),
    ),
    (
        "Excel errors in the customer column",
        "x.csv",
        _text("customer,date,amount\n#N/A,2024-01-01,5\n#REF!,2024-02-01,6\nB,2024-02-01,7\n"),
        ("error", "rows 2, 3: '#N/A', '#REF!': an Excel error value", "valeur d'erreur Excel"),
    ),
    (
        "Excel error in the amount column",
        "x.csv",
        _text("customer,date,amount\nA,2024-01-01,5\nC,2024-02-03,#VALUE!\n"),
        ("error", "row 3: '#VALUE!': an Excel error value", "valeur d'erreur Excel"),
    ),
    (
        "French Excel error in the date column",
        "x.csv",
        _text("client;date;montant\nA;#VALEUR!;5\nB;03/02/2024;7\n"),
        ("error", "'#VALEUR!': an Excel error value", "valeur d'erreur Excel"),
    ),
    (
        "Excel errors in a contact column",
        "x.csv",
        _text("customer,date,amount,email\nA,2024-01-01,5,#N/A\nB,2024-02-01,6,b@x.fr\n"),
        ("ok", "Excel error value(s)"),
    ),
    (
        "Excel error cell in a workbook",
        "v.xlsx",
        _workbook([["client", "date", "montant"], ["A", JAN, 3], ["#DIV/0!", JAN, 4]]),
        ("error", "sheet 'Ventes', column 'client', row 3", "feuille 'Ventes'"),
    ),
    (
        "a date in 2099",
        "f.csv",
        _text("customer,date,amount\nA,2099-01-01,5\nB,2024-02-01,6\n"),
        ("error", "row 2: '2099-01-01': dated after the file was saved", "postérieure à l'enregistrement"),
    ),
    (
        "a date in 1900",
        "o.csv",
        _text("customer,date,amount\nA,1900-01-01,5\nB,2024-02-01,6\n"),
        ("error", "dated before 1990", "antérieure à 1990"),
    ),
    (
        "day-first and month-first in one column",
        "dm.csv",
        _text("customer,date,amount\nA,25/01/2024,5\nB,12/13/2024,6\nC,10/02/2024,7\n"),
        (
            "error",
            "day first (rows 2: '25/01/2024') and month first (rows 3: '12/13/2024')",
            "jour en premier",
        ),
    ),
    (
        "month-first only",
        "md.csv",
        _text("customer,date,amount\nA,11/01/2024,5\nB,12/13/2024,6\n"),
        ("ok", None),
    ),
    (
        "ambiguous day/month",
        "am.csv",
        _text("customer,date,amount\nA,01/02/2024,5\nB,03/04/2024,6\n"),
        ("ok", "ambiguous"),
    ),
    (
        "unreadable date",
        "bd.csv",
        _text("client;date;montant\nA;31/02/2024;1\nB;05/02/2024;4\n"),
        ("error", "row 2: '31/02/2024' is not a date", "ne se lit pas comme une date"),
    ),
    (
        "zero-width space as a customer",
        "z.csv",
        _text("customer,date,amount\n\u200b,2024-01-01,5\nB,2024-02-01,6\n"),
        ("ok", "no customer"),
    ),
    (
        "one name in NFC and NFD",
        "n.csv",
        _text("customer,date,amount\nAme\u0301lie,2024-01-01,5\nAm\u00e9lie,2024-02-01,7\n"),
        ("ok", "merged"),
    ),
    (
        "rows with extra fields",
        "r.csv",
        _text("customer,date,amount\nA,2024-01-01,5,99\nB,2024-02-01,6\nC,2024-03-01,12,50\n"),
        ("error", "rows 2, 4: 2 row(s) have more fields than the header", "plus de champs"),
    ),
    (
        "rows with missing fields",
        "s.csv",
        _text("customer,date,amount,category\nA,2024-01-01,5\nB,2024-02-01,6,x\n"),
        ("ok", "fewer fields"),
    ),
    (
        "mixed separators",
        "ms.csv",
        _text("client;date;montant\nA;01/02/2024;5\nB,01/02/2024,6\nC;03/02/2024;7\n"),
        ("ok", "fewer fields"),
    ),
    (
        "quoted newlines",
        "q.csv",
        _text('customer,date,amount,note\nA,2024-01-01,5,"two\nlines"\nB,2024-02-01,6,x\n'),
        ("ok", None),
    ),
    (
        "exact duplicate lines",
        "dup.csv",
        _text("customer,date,amount\n" + "A,2024-01-01,5\n" * 50 + "B,2024-02-01,6\n"),
        ("ok", "49 line(s) repeat an earlier line exactly"),
    ),
    (
        "thousands 1 234,50 and 1.234,50",
        "t.csv",
        _text("client;date;montant\nA;21/02/2024;1 234,50\nB;23/02/2024;1.234,50\n"),
        ("ok", None),
    ),
    (
        "thousands 1,234.50",
        "t.csv",
        _text('customer,date,amount\nA,2024-01-01,"1,234.50"\nB,2024-01-02,12.5\n'),
        ("ok", None),
    ),
    (
        "currency symbols",
        "c.csv",
        _text("client;date;montant\nA;21/02/2024;12,50 €\nB;23/02/2024;€ 3,00\nC;24/02/2024;EUR 4\n"),
        ("ok", None),
    ),
    (
        "negative in parentheses and trailing minus",
        "n.csv",
        _text("customer,date,amount\nA,2024-01-01,(5.00)\nA,2024-01-02,3.00-\nA,2024-03-01,20\n"),
        ("ok", None),
    ),
    (
        "no customer column",
        "nc.csv",
        _text("foo,date,amount\nA,2024-01-01,5\n"),
        ("error", "no customer column found among 'foo', 'date', 'amount'", "aucune colonne client"),
    ),
    (
        "no amount column",
        "na.csv",
        _text("customer,date,bar\nA,2024-01-01,5\n"),
        ("error", "no amount column", "aucune colonne de montant"),
    ),
]


def _write(tmp_path: Path, name: str, make: Callable[[Path], None]) -> Path:
    path = tmp_path / name
    make(path)
    return path


@pytest.mark.parametrize(("family", "name", "make", "expected"), FAMILIES, ids=[f[0] for f in FAMILIES])
def test_every_family_is_refused_clearly_or_read_with_a_report(
    tmp_path, family, name, make, expected
) -> None:
    path = _write(tmp_path, name, make)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    if expected[0] == "error":
        with pytest.raises(LedgerError) as info:
            read_transactions(path)
        error = info.value
        assert error.bilingual(), f"{family}: no French message"
        english, french = error.message("en"), error.message("fr")
        assert english.startswith(path.name) and french.startswith(path.name)
        assert expected[1] in english, english
        assert expected[2] in french, french
        assert english != french
    else:
        tx = read_transactions(path)
        quality = tx.attrs["quality"]
        assert quality.rows_read == quality.rows_kept + quality.rows_excluded
        assert len(tx) == quality.rows_kept > 0
        report = "\n".join(quality.warnings("en"))
        if expected[1] is None:
            assert report == "", report
        else:
            assert expected[1] in report, report
            assert report != "\n".join(quality.warnings("fr"))  # said in French too
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


@pytest.mark.parametrize(
    ("text", "amounts"),
    [
        ("client;date;montant\nA;21/02/2024;1 234,50\nB;23/02/2024;1.234,50\n", [1234.5, 1234.5]),
        ('customer,date,amount\nA,2024-01-01,"1,234.50"\nB,2024-01-02,12.5\n', [1234.5, 12.5]),
        (
            "client;date;montant\nA;21/02/2024;12,50 €\nB;23/02/2024;€ 3,00\nC;24/02/2024;EUR 4\n",
            [12.5, 3.0, 4.0],
        ),
        (
            "customer,date,amount\nA,2024-01-01,(5.00)\nA,2024-01-02,3.00-\nA,2024-03-01,20\n",
            [-5.0, -3.0, 20.0],
        ),
    ],
)
def test_spelled_amounts(tmp_path, text, amounts) -> None:
    assert read_transactions(_write(tmp_path, "l.csv", _text(text)))["amount"].tolist() == amounts


def test_encodings_read_the_same_rows(tmp_path) -> None:
    reference = read_transactions(_write(tmp_path, "a.csv", _text(FRENCH)))
    for encoding in ("utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252"):
        tx = read_transactions(_write(tmp_path, f"{encoding}.csv", _text(FRENCH, encoding)))
        pd.testing.assert_frame_equal(tx, reference, check_like=True)


def test_late_cp1252_byte_keeps_the_accent(tmp_path) -> None:
    text = "client;date;montant\n" + "C;01/02/2024;1,00\n" * 5000 + "Hélène;01/02/2024;3,00\n"
    tx = read_transactions(_write(tmp_path, "w.csv", _text(text, "cp1252")))
    assert tx["customer_id"].iloc[-1] == "Hélène"


def test_time_zones_keep_the_local_time(tmp_path) -> None:
    text = (
        "customer,date,amount\nA,2024-01-01T23:30:00+01:00,5\nB,2024-02-01T10:00:00-05:00,6\nC,2024-03-01,3\n"
    )
    tx = read_transactions(_write(tmp_path, "tz.csv", _text(text)))
    assert tx["date"].tolist() == [
        pd.Timestamp("2024-01-01 23:30"),
        pd.Timestamp("2024-02-01 10:00"),
        pd.Timestamp("2024-03-01"),
    ]


def test_a_user_decided_order_reads_the_rest_and_refuses_the_other_kind(tmp_path) -> None:
    path = _write(
        tmp_path, "dm.csv", _text("customer,date,amount\nA,25/01/2024,5\nB,12/13/2024,6\nC,10/02/2024,7\n")
    )
    with pytest.raises(LedgerError, match=r"row 3: '12/13/2024' cannot be read day first"):
        read_transactions(path, dayfirst=True)
    tx = read_transactions(path, dayfirst=True, errors="exclude")
    assert tx["date"].tolist() == [pd.Timestamp("2024-01-25"), pd.Timestamp("2024-02-10")]
    assert tx.attrs["quality"].excluded == {"bad_date": 1}


def test_month_first_evidence_is_followed_not_swapped(tmp_path) -> None:
    tx = read_transactions(
        _write(tmp_path, "md.csv", _text("customer,date,amount\nA,11/01/2024,5\nB,12/13/2024,6\n"))
    )
    assert tx["date"].tolist() == [pd.Timestamp("2024-11-01"), pd.Timestamp("2024-12-13")]


def test_ids_are_normalised_and_merges_reported(tmp_path) -> None:
    text = "customer,date,amount\nAme\u0301lie,2024-01-01,5\nAm\u00e9lie,2024-02-01,7\nB\u200bob,2024-02-03,1\nBob,2024-02-04,2\n"
    tx = read_transactions(_write(tmp_path, "n.csv", _text(text)))
    assert tx["customer_id"].tolist() == ["Amélie", "Amélie", "Bob", "Bob"]
    note = "\n".join(tx.attrs["quality"].warnings("en"))
    assert "2 spelling(s)" in note and "'Ame\\u0301lie'" in note and "'B\\u200bob'" in note


def test_duplicates_can_be_dropped_and_are_counted(tmp_path) -> None:
    path = _write(
        tmp_path, "d.csv", _text("customer,date,amount\n" + "A,2024-01-01,5\n" * 3 + "B,2024-02-01,6\n")
    )
    tx = read_transactions(path, drop_duplicates=True)
    quality = tx.attrs["quality"]
    assert len(tx) == 2 and quality.excluded == {"duplicate": 2} and quality.examples == {"duplicate": [3, 4]}
    assert (quality.rows_read, quality.rows_kept, quality.rows_excluded) == (4, 2, 2)


def test_duplicates_compare_whole_lines_not_only_the_columns_read(tmp_path) -> None:
    # two units of two different products at the same price on the same day are not a duplicate
    text = "customer,date,amount,product\nA,2024-01-01,5,tea\nA,2024-01-01,5,coffee\nB,2024-02-01,6,tea\n"
    tx = read_transactions(_write(tmp_path, "d.csv", _text(text)))
    assert tx.attrs["quality"].warnings("en") == []


def test_a_row_with_several_problems_is_counted_once_with_all_its_reasons(tmp_path) -> None:
    text = "client;date;montant\nA;01/02/2024;1\nB;31/02/2024;abc\nC;03/02/2024;x\n"
    tx = read_transactions(_write(tmp_path, "l.csv", _text(text)), errors="exclude")
    quality = tx.attrs["quality"]
    assert quality.excluded == {"bad_date": 1, "bad_amount": 2}
    assert quality.examples == {"bad_date": [3], "bad_amount": [3, 4]}
    assert (quality.rows_read, quality.rows_kept, quality.rows_excluded) == (3, 1, 2)


def test_an_implausible_date_can_be_left_out_and_the_analysis_date_ignores_it(tmp_path) -> None:
    from xlsegment.summary import summarize

    text = "customer,date,amount\nA,2099-01-01,5\nB,2024-02-01,6\nA,2024-03-01,7\n"
    tx = read_transactions(_write(tmp_path, "f.csv", _text(text)), errors="exclude")
    assert tx.attrs["quality"].excluded == {"implausible_date": 1}
    assert summarize(tx).attrs["as_of"] == pd.Timestamp("2024-03-01")


def test_permission_denied_is_a_ledger_error(tmp_path, monkeypatch) -> None:
    path = _write(tmp_path, "p.csv", _text(ENGLISH))
    if os.geteuid() != 0:
        path.chmod(0)
    else:  # root reads anything: make the open fail as it would for a user
        real = Path.open

        def refuse(self, *args, **kwargs):
            if self == path:
                raise PermissionError(13, "Permission denied", str(path))
            return real(self, *args, **kwargs)

        monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(LedgerError, match=r"^p\.csv: cannot be read: permission denied"):
        read_transactions(path)


def test_a_folder_and_a_missing_file(tmp_path) -> None:
    with pytest.raises(LedgerError, match="is a folder"):
        read_transactions(tmp_path)
    with pytest.raises(LedgerError) as info:
        read_transactions(tmp_path / "absent.csv")
    assert info.value.message("fr").endswith("absent.csv : fichier introuvable")


ERROR_FAMILIES = [f for f in FAMILIES if f[3][0] == "error"]


@pytest.mark.parametrize(
    ("family", "name", "make", "expected"), ERROR_FAMILIES, ids=[f[0] for f in ERROR_FAMILIES]
)
def test_the_cli_answers_every_refusal_in_one_line_with_exit_code_2(
    tmp_path, capsys, family, name, make, expected
) -> None:
    path = _write(tmp_path, name, make)
    out = tmp_path / "out.xlsx"
    assert cli.main(["build", str(path), "-o", str(out), "-q", "--lang", "fr"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unexpected" not in err and "Traceback" not in err
    assert err.startswith("xlsegment build: erreur : ") and expected[2] in err
    assert not out.exists()
