"""Bad ledgers: one test per case, each message naming the file, sheet, column and rows; errors='exclude'."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook
from openpyxl.worksheet.table import Table

from xlsegment.errors import LedgerError
from xlsegment.ledger import read_transactions


def _ledger_with_bad_amounts(path: Path) -> Path:
    """300 data lines (file lines 2..301) whose amounts on file lines 17, 230 and 231 read 'abc'."""
    lines = ["client;date;montant"] + [f"C{i % 7};01/02/2024;{i},50" for i in range(300)]
    for line in (17, 230, 231):
        lines[line - 1] = "C1;01/02/2024;abc"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_non_number_amount_names_file_column_and_rows(tmp_path: Path) -> None:
    path = _ledger_with_bad_amounts(tmp_path / "ventes.csv")
    with pytest.raises(LedgerError) as info:
        read_transactions(path)
    message = str(info.value)
    assert message.startswith("ventes.csv, column 'montant', rows 17, 230, 231: 'abc'")
    assert "not a number" in message
    assert info.value.rows == [17, 230, 231]
    assert info.value.column == "montant"
    assert "errors='exclude'" in message


def test_exclude_counts_unreadable_amounts_instead(tmp_path: Path) -> None:
    path = _ledger_with_bad_amounts(tmp_path / "ventes.csv")
    tx = read_transactions(path, errors="exclude")
    assert len(tx) == 297
    assert not tx.index.isin([17, 230, 231]).any()
    quality = tx.attrs["quality"]
    assert quality.excluded == {"bad_amount": 3}
    assert quality.examples == {"bad_amount": [17, 230, 231]}
    assert (quality.rows_read, quality.rows_kept) == (300, 297)
    assert dict(quality.rows("fr"))["Lignes exclues : montant illisible"] == "3 (lignes 17, 230, 231)"


def test_many_bad_cells_list_the_first_rows_and_how_many_more(tmp_path: Path) -> None:
    text = "client;date;montant\n" + "".join(f"A;01/02/2024;x{i}\n" for i in range(8)) + "A;01/02/2024;1\n"
    (tmp_path / "l.csv").write_text(text)
    with pytest.raises(LedgerError) as info:
        read_transactions(tmp_path / "l.csv")
    message = str(info.value)
    assert "rows 2, 3, 4, 5, 6 (and 3 more)" in message
    assert "'x0', 'x1', 'x2', ..." in message


def test_bad_date_names_the_rows(tmp_path: Path) -> None:
    text = "client;date;montant\nA;01/02/2024;1\nB;31/02/2024;2\nC;demain;3\nD;05/02/2024;4\n"
    (tmp_path / "dates.csv").write_text(text)
    with pytest.raises(LedgerError) as info:
        read_transactions(tmp_path / "dates.csv")
    message = str(info.value)
    assert message.startswith("dates.csv, column 'date', rows 3, 4: '31/02/2024', 'demain'")
    assert "not a date" in message


def test_bad_date_excluded_and_counted(tmp_path: Path) -> None:
    text = "client;date;montant\nA;01/02/2024;1\nB;31/02/2024;2\n"
    (tmp_path / "dates.csv").write_text(text)
    tx = read_transactions(tmp_path / "dates.csv", errors="exclude")
    assert tx.index.tolist() == [2]
    assert tx.attrs["quality"].excluded == {"bad_date": 1}


def test_bad_cell_in_an_excel_sheet_names_the_sheet_and_sheet_row(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Ventes"
    sheet.append(["Journal des ventes"])
    sheet.append(["N° client", "Date", "Montant"])
    sheet.append(["A", dt.datetime(2024, 1, 2), 10])
    sheet.append(["B", dt.datetime(2024, 1, 3), "dix"])
    book.save(tmp_path / "compta.xlsx")
    with pytest.raises(LedgerError) as info:
        read_transactions(tmp_path / "compta.xlsx")
    assert str(info.value).startswith("compta.xlsx, sheet 'Ventes', column 'Montant', row 4: 'dix' is not")


def test_bad_cell_in_an_excel_table_names_the_sheet_and_row(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Data"
    for row in (["Customer", "Date", "Amount"], ["c1", dt.date(2024, 1, 2), 10], ["c2", "hier", 3]):
        sheet.append(row)
    sheet.add_table(Table(displayName="Sales", ref="A1:C3"))
    book.save(tmp_path / "t.xlsx")
    with pytest.raises(LedgerError) as info:
        read_transactions(tmp_path / "t.xlsx", table="Sales")
    assert str(info.value).startswith("t.xlsx, sheet 'Data', column 'Date', row 3: 'hier' is not a date")


def test_bad_cell_in_a_dataframe_names_the_index_label() -> None:
    df = pd.DataFrame(
        {"Client": ["a", "b"], "Date": ["2024-01-01", "2024-01-02"], "CA": ["1", "deux"]}, index=[100, 101]
    )
    with pytest.raises(LedgerError) as info:
        read_transactions(df)
    assert str(info.value).startswith("DataFrame, column 'CA', row 101: 'deux' is not a number")


def test_bad_quantity_names_its_column(tmp_path: Path) -> None:
    text = "client;date;quantité;prix unitaire\nA;01/02/2024;2;3,5\nA;01/02/2024;deux;3,5\n"
    (tmp_path / "q.csv").write_text(text)
    with pytest.raises(LedgerError) as info:
        read_transactions(tmp_path / "q.csv")
    assert str(info.value).startswith("q.csv, column 'quantité', row 3: 'deux' is not a number")


def test_bad_return_flag_names_its_column(tmp_path: Path) -> None:
    text = "client;date;montant;retour\nA;01/02/2024;2;oui\nA;01/02/2024;3;peut-être\n"
    (tmp_path / "r.csv").write_text(text)
    with pytest.raises(LedgerError) as info:
        read_transactions(tmp_path / "r.csv")
    assert str(info.value).startswith("r.csv, column 'retour', row 3: 'peut-être' is not yes/no")


def test_unknown_explicit_column(tmp_path: Path) -> None:
    (tmp_path / "l.csv").write_text("client;date;montant\nA;01/02/2024;1\n")
    with pytest.raises(LedgerError) as info:
        read_transactions(tmp_path / "l.csv", amount="Prix TTC")
    message = str(info.value)
    assert message.startswith("l.csv: no column 'Prix TTC' (asked for as amount)")
    assert "'client', 'date', 'montant'" in message


def test_unknown_explicit_column_in_a_sheet_names_the_sheet(tmp_path: Path) -> None:
    book = Workbook()
    book.active.title = "Ventes"
    book.active.append(["Client", "Date", "Montant"])
    book.active.append(["A", dt.datetime(2024, 1, 2), 1])
    book.save(tmp_path / "b.xlsx")
    with pytest.raises(LedgerError, match=r"^b\.xlsx, sheet 'Ventes': no column 'Acheteur'"):
        read_transactions(tmp_path / "b.xlsx", customer="Acheteur")


def test_missing_customer_column(tmp_path: Path) -> None:
    (tmp_path / "l.csv").write_text("date;montant\n01/01/2024;1\n")
    with pytest.raises(LedgerError) as info:
        read_transactions(tmp_path / "l.csv")
    message = str(info.value)
    assert message.startswith("l.csv: no customer column found among 'date', 'montant'")
    assert "customer='<header>'" in message


def test_missing_date_column(tmp_path: Path) -> None:
    (tmp_path / "l.csv").write_text("client;montant\nA;1\n")
    with pytest.raises(LedgerError, match=r"^l\.csv: no date column found among 'client', 'montant'"):
        read_transactions(tmp_path / "l.csv")


def test_missing_amount_column(tmp_path: Path) -> None:
    (tmp_path / "l.csv").write_text("client;date;quantité\nA;01/01/2024;1\n")
    with pytest.raises(LedgerError) as info:
        read_transactions(tmp_path / "l.csv")
    message = str(info.value)
    assert message.startswith("l.csv: no amount column (nor quantity and unit price) found among")
    assert "amount='<header>'" in message


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "vide.csv").write_text("")
    with pytest.raises(LedgerError, match=r"^vide\.csv: the file is empty \(export the sales ledger"):
        read_transactions(tmp_path / "vide.csv")


def test_header_only_file_has_nothing_usable(tmp_path: Path) -> None:
    (tmp_path / "h.csv").write_text("client;date;montant\n")
    with pytest.raises(LedgerError, match=r"^h\.csv: the ledger has a header row but no data rows"):
        read_transactions(tmp_path / "h.csv")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LedgerError) as info:
        read_transactions(tmp_path / "absent.csv")
    assert str(info.value) == f"{tmp_path / 'absent.csv'}: file not found"


def test_folder_instead_of_a_file(tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="is a folder"):
        read_transactions(tmp_path)


def test_old_xls_workbook(tmp_path: Path) -> None:
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(LedgerError, match=r"^old\.xls: old \.xls workbooks are not supported"):
        read_transactions(tmp_path / "old.xls")


def test_nothing_usable_lists_the_reasons(tmp_path: Path) -> None:
    (tmp_path / "l.csv").write_text("client;date;montant\n;01/01/2024;1\nA;;2\nB;01/01/2024;\n")
    with pytest.raises(LedgerError) as info:
        read_transactions(tmp_path / "l.csv")
    message = str(info.value)
    assert message.startswith(
        "l.csv: no usable row: each of the 3 rows read lacks a customer, a date or an amount"
    )
    assert "no customer: 1 (rows 2)" in message
    assert "no date: 1 (rows 3)" in message
    assert "no amount: 1 (rows 4)" in message


def test_unknown_sheet(tmp_path: Path) -> None:
    book = Workbook()
    book.active.title = "Ventes"
    book.create_sheet("Clients")
    book.save(tmp_path / "b.xlsx")
    with pytest.raises(LedgerError) as info:
        read_transactions(tmp_path / "b.xlsx", sheet="Achats")
    assert str(info.value) == "b.xlsx: no sheet named 'Achats'; the sheets are 'Ventes', 'Clients'"


def test_unknown_table(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    for row in (["Customer", "Date", "Amount"], ["c1", dt.date(2024, 1, 2), 10]):
        sheet.append(row)
    sheet.add_table(Table(displayName="Sales", ref="A1:C2"))
    book.save(tmp_path / "t.xlsx")
    with pytest.raises(LedgerError) as info:
        read_transactions(tmp_path / "t.xlsx", table="Orders")
    assert str(info.value) == "t.xlsx: no table named 'Orders'; the tables are 'Sales'"


def test_corrupt_workbook(tmp_path: Path) -> None:
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip file")
    with pytest.raises(LedgerError, match=r"^broken\.xlsx: cannot be opened as an Excel workbook"):
        read_transactions(tmp_path / "broken.xlsx")


def test_unknown_keyword() -> None:
    df = pd.DataFrame({"client": ["A"], "date": ["2024-01-01"], "montant": [1]})
    with pytest.raises(TypeError, match=r"unknown column keyword 'montnat'; use one of: .*amount"):
        read_transactions(df, montnat="montant")


def test_unknown_errors_mode() -> None:
    df = pd.DataFrame({"client": ["A"], "date": ["2024-01-01"], "montant": [1]})
    with pytest.raises(ValueError, match="errors must be 'raise' or 'exclude'"):
        read_transactions(df, errors="ignore")
