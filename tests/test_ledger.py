"""read_transactions: every source kind, French and English headers, derived columns, what was detected."""

from __future__ import annotations

import copy
import datetime as dt
import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook
from openpyxl.worksheet.table import Table

from xlsegment.ledger import read_transactions
from xlsegment.summary import summarize


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


FRENCH = (
    "N° client;Date de commande;Montant;Catégorie;Nom\n"
    "C001;25/12/2024;1 234,50;Épicerie fine;Hélène Lefèvre\n"
    "C002;03/01/2025;12,00;Thés et cafés;François Guérin\n"
    "C001;04/01/2025;-5,50;Épicerie fine;Hélène Lefèvre\n"
)


# ---------------------------------------------------------------- DataFrames


def test_dataframe_is_not_modified_and_rows_keep_their_labels() -> None:
    df = pd.DataFrame(
        {
            "Client": ["a", " b ", "a", None],
            "Date": ["25/12/2024", "26/12/2024", "27/12/2024", "28/12/2024"],
            "CA": ["1 234,50", "10,00", "-3,00", "4,00"],
            "Retour": ["", "", "oui", ""],
        },
        index=[10, 11, 12, 13],
    )
    df.attrs["note"] = "mine"
    before = copy.deepcopy(df)
    tx = read_transactions(df)
    pd.testing.assert_frame_equal(df, before)
    assert df.attrs == {"note": "mine"}
    assert tx.index.tolist() == [10, 11, 12]  # the customer-less row 13 is left out
    assert tx["customer_id"].tolist() == ["a", "b", "a"]
    assert tx["amount"].tolist() == [1234.5, 10.0, -3.0]
    assert tx["returned"].tolist() == [False, False, True]
    assert tx.attrs["source"] == "DataFrame"
    assert tx.attrs["quality"].excluded == {"no_customer": 1}
    assert tx.attrs["quality"].examples == {"no_customer": [13]}


def test_dataframe_with_typed_columns() -> None:
    df = pd.DataFrame(
        {
            "CustomerID": [17850.0, 13047.0, np.nan],
            "InvoiceDate": pd.to_datetime(["2024-01-02 08:26", "2024-01-03", "2024-01-04"], format="ISO8601"),
            "Amount": [15.3, 20.0, 1.0],
        }
    )
    tx = read_transactions(df)
    assert tx["customer_id"].tolist() == ["17850", "13047"]
    # text keys, held as a categorical whose categories are sorted: the summary groups by its codes
    assert isinstance(tx["customer_id"].dtype, pd.CategoricalDtype)
    assert tx["customer_id"].cat.categories.tolist() == ["13047", "17850"]
    assert pd.api.types.is_string_dtype(tx["customer_id"].cat.categories.dtype)
    assert tx["date"].dtype == "datetime64[ns]"
    assert tx["date"].tolist() == [pd.Timestamp("2024-01-02 08:26"), pd.Timestamp("2024-01-03")]


# ---------------------------------------------------------------- CSV files


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_encodings_with_accented_headers_and_names(tmp_path: Path, encoding: str) -> None:
    path = _write(tmp_path / "ventes.csv", FRENCH, encoding)
    tx = read_transactions(path)
    assert tx.attrs["mapping"] == {
        "customer_id": "N° client",
        "date": "Date de commande",
        "amount": "Montant",
        "category": "Catégorie",
        "name": "Nom",
    }
    assert tx["name"].tolist() == ["Hélène Lefèvre", "François Guérin", "Hélène Lefèvre"]
    assert tx["category"].tolist() == ["Épicerie fine", "Thés et cafés", "Épicerie fine"]
    assert tx["amount"].tolist() == [1234.5, 12.0, -5.5]
    assert tx["date"].tolist() == [pd.Timestamp(d) for d in ("2024-12-25", "2025-01-03", "2025-01-04")]
    assert tx.index.tolist() == [2, 3, 4]  # file line numbers, header on line 1
    assert tx.attrs["source"] == "ventes.csv"


@pytest.mark.parametrize(
    ("sep", "amounts"),
    [(";", ["1 234,50", "7,25"]), (",", ['"1,234.50"', "7.25"]), ("\t", ["1234.50", "7.25"])],
)
def test_csv_separators(tmp_path: Path, sep: str, amounts: list[str]) -> None:
    text = sep.join(["customer", "date", "amount"]) + "\n"
    text += sep.join(["c1", "2024-12-25", amounts[0]]) + "\n"
    text += sep.join(["c2", "2024-12-26", amounts[1]]) + "\n"
    tx = read_transactions(_write(tmp_path / "ledger.csv", text))
    assert tx["amount"].tolist() == [1234.5, 7.25]
    assert tx["customer_id"].tolist() == ["c1", "c2"]


def test_tsv_extension(tmp_path: Path) -> None:
    path = _write(tmp_path / "ledger.tsv", "client\tdate\tmontant\nA\t2024-01-05\t3,5\n")
    tx = read_transactions(path)
    assert tx["amount"].tolist() == [3.5]


def test_currency_signs_and_dot_thousands(tmp_path: Path) -> None:
    text = "client;date;montant\nA;01/02/2024;1.234,50 €\nB;01/02/2024;€ 12,00\nC;01/02/2024;EUR 0,99\n"
    tx = read_transactions(_write(tmp_path / "l.csv", text))
    assert tx["amount"].tolist() == [1234.5, 12.0, 0.99]


def test_dollar_amounts_in_an_english_file(tmp_path: Path) -> None:
    text = 'Customer,Date,Amount\nA,2024-02-01,"$1,234.50"\nB,2024-02-02,$12.00\n'
    tx = read_transactions(_write(tmp_path / "l.csv", text))
    assert tx["amount"].tolist() == [1234.5, 12.0]


def test_explicit_decimal_and_separator(tmp_path: Path) -> None:
    text = "client|date|montant\nA|2024-02-01|1.234\n"
    assert read_transactions(_write(tmp_path / "l.csv", text), sep="|", decimal=",")["amount"].tolist() == [
        1234.0
    ]


def test_french_file_reads_ambiguous_dates_day_first(tmp_path: Path) -> None:
    text = "client;date;montant\nA;01/02/2024;1\nB;03/04/2024;2\n"
    tx = read_transactions(_write(tmp_path / "l.csv", text))
    assert tx["date"].tolist() == [pd.Timestamp("2024-02-01"), pd.Timestamp("2024-04-03")]


def test_ambiguous_dates_in_an_english_file_are_noted_and_can_be_read_month_first(tmp_path: Path) -> None:
    path = _write(tmp_path / "l.csv", "customer,date,amount\nA,01/02/2024,1\nB,03/04/2024,2\n")
    tx = read_transactions(path)
    assert tx["date"].tolist() == [pd.Timestamp("2024-02-01"), pd.Timestamp("2024-04-03")]
    assert any("ambiguous" in note for note in tx.attrs["quality"].notes)
    tx = read_transactions(path, dayfirst=False)
    assert tx["date"].tolist() == [pd.Timestamp("2024-01-02"), pd.Timestamp("2024-03-04")]


def test_month_first_dates_decided_by_the_data(tmp_path: Path) -> None:
    path = _write(tmp_path / "l.csv", "customer,date,amount\nA,12/25/2024,1\nB,01/02/2024,2\n")
    tx = read_transactions(path)
    assert tx["date"].tolist() == [pd.Timestamp("2024-12-25"), pd.Timestamp("2024-01-02")]


def test_iso_dates_with_times(tmp_path: Path) -> None:
    text = "customer,date,amount\nA,2024-03-05 14:30:00,1\nB,2024-12-25,2\nC,2024-03-05T09:00:00,3\n"
    tx = read_transactions(_write(tmp_path / "l.csv", text))
    assert tx["date"].tolist() == [
        pd.Timestamp("2024-03-05 14:30"),
        pd.Timestamp("2024-12-25"),
        pd.Timestamp("2024-03-05 09:00"),
    ]


def test_gzipped_csv(tmp_path: Path) -> None:
    path = tmp_path / "ventes.csv.gz"
    with gzip.open(path, "wb") as handle:
        handle.write(FRENCH.encode("cp1252"))
    tx = read_transactions(path)
    assert tx["amount"].tolist() == [1234.5, 12.0, -5.5]
    assert tx["name"].iloc[0] == "Hélène Lefèvre"


def test_customer_ids_keep_leading_zeros(tmp_path: Path) -> None:
    path = _write(tmp_path / "l.csv", "customer_id,date,amount\n00042,2024-01-01,1\n42,2024-01-02,2\n")
    assert read_transactions(path)["customer_id"].tolist() == ["00042", "42"]


# ---------------------------------------------------------------- Excel and Parquet


def _excel_ledger(path: Path) -> Path:
    book = Workbook()
    book.active.title = "Notes"
    book.active["A1"] = "Remarques"
    sheet = book.create_sheet("Ventes 2024")
    sheet.append(["Journal des ventes 2024"])  # a title above the header
    sheet.append([])
    sheet.append(["N° client", "Date de commande", "Montant TTC", "Catégorie"])
    sheet.append(["00042", dt.datetime(2024, 3, 5, 14, 30), 12.5, "Fromages"])
    sheet.append([17, 45400, "1 234,50", "Vins"])  # a serial number and a text amount
    sheet.append(["00042", "25/12/2024", 3, "Vins"])
    sheet.append([None, None, None, None])  # trailing empty row
    book.save(path)
    return path


def test_excel_sheet_by_name_with_a_title_row(tmp_path: Path) -> None:
    tx = read_transactions(_excel_ledger(tmp_path / "book.xlsx"), sheet="Ventes 2024")
    assert tx.index.tolist() == [4, 5, 6]  # sheet rows: header on row 3
    assert tx["customer_id"].tolist() == ["00042", "17", "00042"]
    assert tx["date"].tolist() == [
        pd.Timestamp("2024-03-05 14:30"),
        pd.Timestamp("2024-04-18"),  # serial 45400
        pd.Timestamp("2024-12-25"),
    ]
    assert tx["amount"].tolist() == [12.5, 1234.5, 3.0]
    quality = tx.attrs["quality"]
    assert quality.sheet == "Ventes 2024"
    assert quality.rows_read == 3
    assert tx.attrs["mapping"]["amount"] == "Montant TTC"


def test_excel_sheet_name_matches_case_insensitively(tmp_path: Path) -> None:
    tx = read_transactions(_excel_ledger(tmp_path / "book.xlsx"), sheet="ventes 2024")
    assert len(tx) == 3


def test_excel_table_by_name(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Data"
    sheet.append(["Ventes"])
    sheet.append(["autre chose", 1])
    for row, values in enumerate(
        [["Customer", "Date", "Amount"], ["c1", dt.date(2024, 1, 2), 10], ["c2", dt.date(2024, 1, 3), 7.5]],
        start=3,
    ):
        for col, value in enumerate(values, start=4):
            sheet.cell(row=row, column=col, value=value)
    sheet.add_table(Table(displayName="Sales", ref="D3:F5"))
    book.save(tmp_path / "t.xlsx")
    tx = read_transactions(tmp_path / "t.xlsx", table="sales")
    assert tx.index.tolist() == [4, 5]
    assert tx["customer_id"].tolist() == ["c1", "c2"]
    assert tx["amount"].tolist() == [10.0, 7.5]
    assert tx["date"].tolist() == [pd.Timestamp("2024-01-02"), pd.Timestamp("2024-01-03")]
    assert tx.attrs["quality"].sheet == "Data"


def test_excel_sheet_named_ventes_is_chosen_by_default(tmp_path: Path) -> None:
    book = Workbook()
    book.active.title = "Accueil"
    book.active.append(["Bienvenue", "ici"])
    sheet = book.create_sheet("Ventes")
    sheet.append(["Client", "Date", "Montant"])
    sheet.append(["A", dt.datetime(2024, 5, 1), 9])
    book.save(tmp_path / "b.xlsx")
    tx = read_transactions(tmp_path / "b.xlsx")
    assert tx["amount"].tolist() == [9.0]
    assert tx.attrs["quality"].sheet == "Ventes"


def test_parquet(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame(
        {
            "id_client": ["007", "008"],
            "date": pd.to_datetime(["2024-01-01", "2024-01-02"]),
            "total": [1.5, 2.5],
        }
    )
    frame.to_parquet(tmp_path / "l.parquet")
    tx = read_transactions(tmp_path / "l.parquet")
    assert tx["customer_id"].tolist() == ["007", "008"]
    assert tx["amount"].tolist() == [1.5, 2.5]
    assert tx.attrs["source"] == "l.parquet"


# ---------------------------------------------------------------- column detection


@pytest.mark.parametrize(
    ("customer", "date", "amount"),
    [
        ("client", "date", "montant"),
        ("n° client", "date de commande", "CA"),
        ("id_client", "Date", "total"),
        ("Customer", "Order Date", "Amount"),
        ("N° Client", "Date Commande", "Montant TTC"),
        ("CustomerID", "InvoiceDate", "Revenue"),
    ],
)
def test_core_headers_detected(customer: str, date: str, amount: str) -> None:
    df = pd.DataFrame({customer: ["A"], date: ["2024-01-05"], amount: ["10"], "Notes": ["x"]})
    tx = read_transactions(df)
    assert tx.attrs["mapping"] == {"customer_id": customer, "date": date, "amount": amount}
    assert tx["amount"].tolist() == [10.0]
    assert "Notes" not in tx.columns


def test_optional_french_headers_detected() -> None:
    df = pd.DataFrame(
        {
            "N° commande": ["F1", "F1"],
            "Client": ["A", "A"],
            "Date": ["05/01/2024", "05/01/2024"],
            "Quantité": ["2", "1"],
            "Prix unitaire": ["3,50", "10,00"],
            "Famille": ["Thés", "Vins"],
            "Marge": ["2,00", "4,00"],
            "Remise": ["0", "1,5"],
        }
    )
    tx = read_transactions(df)
    assert tx.attrs["mapping"] == {
        "order_id": "N° commande",
        "customer_id": "Client",
        "date": "Date",
        "quantity": "Quantité",
        "unit_price": "Prix unitaire",
        "category": "Famille",
        "margin": "Marge",
        "discount": "Remise",
    }
    assert tx["amount"].tolist() == [7.0, 10.0]  # quantity x unit price
    assert tx["order_id"].tolist() == ["F1", "F1"]
    assert tx["margin"].tolist() == [2.0, 4.0]
    assert tx["discount"].tolist() == [0.0, 1.5]
    assert tx["discounted"].tolist() == [False, True]
    assert "amount computed as quantity x unit price" in tx.attrs["quality"].notes


def test_explicit_keyword_mapping_wins_over_detection() -> None:
    df = pd.DataFrame(
        {
            "Client": ["wrong", "wrong"],
            "Acheteur final": ["A", "B"],
            "Jour J": ["2024-01-05", "2024-01-06"],
            "Valeur €": ["1", "2"],
            "Montant": ["100", "200"],
        }
    )
    tx = read_transactions(df, customer="Acheteur final", date="Jour J", amount="Valeur €")
    assert tx["customer_id"].tolist() == ["A", "B"]
    assert tx["amount"].tolist() == [1.0, 2.0]
    assert tx.attrs["mapping"]["customer_id"] == "Acheteur final"
    assert tx.attrs["mapping"]["amount"] == "Valeur €"


def test_explicit_header_matches_case_and_accents_loosely() -> None:
    df = pd.DataFrame({"Acheteur": ["A"], "Échéance": ["2024-01-05"], "Valeur": ["1"]})
    tx = read_transactions(df, customer="acheteur", date="echeance", amount="VALEUR")
    assert tx.attrs["mapping"]["date"] == "Échéance"
    assert tx["date"].tolist() == [pd.Timestamp("2024-01-05")]


def test_cost_gives_margin() -> None:
    df = pd.DataFrame({"client": ["A", "A"], "date": ["2024-01-05"] * 2, "montant": [10, 4], "coût": [6, 1]})
    tx = read_transactions(df)
    assert tx["margin"].tolist() == [4.0, 3.0]


def test_margin_given_as_a_rate() -> None:
    df = pd.DataFrame(
        {"client": ["A", "A"], "date": ["2024-01-05"] * 2, "montant": [100, 40], "marge": ["30%", "50%"]}
    )
    assert read_transactions(df)["margin"].tolist() == [30.0, 20.0]


def test_due_and_paid_dates_give_payment_delay() -> None:
    df = pd.DataFrame(
        {
            "client": ["A", "B", "C"],
            "date": ["02/01/2024"] * 3,
            "montant": [1, 1, 1],
            "date d'échéance": ["10/01/2024", "10/01/2024", "10/01/2024"],
            "date de paiement": ["15/01/2024", "08/01/2024", None],
        }
    )
    tx = read_transactions(df)
    delay = tx["payment_delay_days"].tolist()
    assert delay[:2] == [5.0, 0.0]  # paid early counts as on time
    assert np.isnan(delay[2])


def test_payment_delay_column() -> None:
    df = pd.DataFrame({"client": ["A"], "date": ["2024-01-05"], "montant": [1], "retard de paiement": ["12"]})
    assert read_transactions(df)["payment_delay_days"].tolist() == [12.0]


def test_returned_flag_makes_the_amount_negative() -> None:
    df = pd.DataFrame(
        {
            "client": ["A", "A", "A"],
            "date": ["2024-01-05", "2024-01-06", "2024-01-07"],
            "montant": ["20", "20", "-5"],
            "retour": ["", "oui", "non"],
        }
    )
    tx = read_transactions(df)
    assert tx["returned"].tolist() == [False, True, True]
    assert tx["amount"].tolist() == [20.0, -20.0, -5.0]


def test_negative_quantity_is_a_return() -> None:
    df = pd.DataFrame(
        {"client": ["A", "A"], "date": ["2024-01-05"] * 2, "qté": ["2", "-1"], "prix": ["5", "5"]}
    )
    tx = read_transactions(df)
    assert tx["amount"].tolist() == [10.0, -5.0]
    assert tx["returned"].tolist() == [False, True]


def test_contact_columns_are_carried_through() -> None:
    df = pd.DataFrame(
        {
            "client": ["A", "B"],
            "date": ["2024-01-05", "2024-01-06"],
            "montant": [1, 2],
            "Prénom": ["Léa", "Marc"],
            "Nom": ["Dubois", "Roux"],
            "E-mail": ["lea@exemple.fr", None],
            "Téléphone": ["06 12 34 56 78", "01 02 03 04 05"],
            "Date de naissance": ["29/09/1954", ""],
            "Contacts SAV": ["1", "0"],
        }
    )
    tx = read_transactions(df)
    assert tx["first_name"].tolist() == ["Léa", "Marc"]
    assert tx["last_name"].tolist() == ["Dubois", "Roux"]  # "Nom" next to "Prénom" is the family name
    assert tx["email"].iloc[0] == "lea@exemple.fr" and pd.isna(tx["email"].iloc[1])
    assert tx["phone"].tolist() == ["06 12 34 56 78", "01 02 03 04 05"]
    assert tx["birthday"].iloc[0] == pd.Timestamp("1954-09-29") and pd.isna(tx["birthday"].iloc[1])
    assert tx["service_contacts"].tolist() == [1.0, 0.0]


def test_what_was_detected_is_reported_in_the_quality_report(tmp_path: Path) -> None:
    tx = read_transactions(_write(tmp_path / "ventes.csv", FRENCH))
    quality = tx.attrs["quality"]
    assert quality.mapping == tx.attrs["mapping"]
    assert quality.source == "ventes.csv"
    assert (quality.rows_read, quality.rows_kept) == (3, 3)
    rows = dict(quality.rows("fr"))
    assert rows["Colonne customer_id"] == "N° client"
    assert rows["Lignes lues"] == 3
    assert any("decimal comma" in note for note in quality.infos)  # how it was read, nothing guessed
    assert any("virgule décimale" in str(note) for _, note in quality.rows("fr"))


def test_rows_without_customer_date_or_amount_are_counted_by_reason(tmp_path: Path) -> None:
    text = "client;date;montant\n;01/01/2024;1\nA;;2\nB;01/01/2024;\nC;02/01/2024;5\n;;\n"
    tx = read_transactions(_write(tmp_path / "l.csv", text))
    assert tx.index.tolist() == [5]
    quality = tx.attrs["quality"]
    # the all-empty line 6 lacks everything: listed under each reason, counted once in the rows excluded
    assert quality.excluded == {"no_customer": 2, "no_date": 2, "no_amount": 2}
    assert quality.examples == {"no_customer": [2, 6], "no_date": [3, 6], "no_amount": [4, 6]}
    assert (quality.rows_read, quality.rows_kept, quality.rows_excluded) == (5, 1, 4)


def test_return_with_negative_quantity_and_unsigned_amount_is_negative() -> None:
    # regression: tills that print the line total unsigned next to a negative quantity added returns to revenue
    df = pd.DataFrame(
        {"client": ["A", "A"], "date": ["2024-01-05"] * 2, "quantité": [2, -1], "montant": [10, 5]}
    )
    tx = read_transactions(df)
    assert tx["returned"].tolist() == [False, True]
    assert tx["amount"].tolist() == [10.0, -5.0]


def test_explicit_header_matches_loosely_in_a_csv_too(tmp_path: Path) -> None:
    # regression: a CSV read only the detected columns, so a loosely spelled explicit header was never loaded
    path = _write(tmp_path / "l.csv", "Acheteur;Date;Montant\nA;01/02/2024;1\n")
    tx = read_transactions(path, customer="acheteur")
    assert tx["customer_id"].tolist() == ["A"]
    assert tx.attrs["mapping"]["customer_id"] == "Acheteur"


def test_short_lines_and_quoted_newlines_still_read(tmp_path: Path) -> None:
    # files the fast reader refuses go through pandas' C engine: a short line, a name over two lines
    text = 'client;date;montant;nom\nA;01/02/2024;1;"Léa\nDubois"\nB;02/02/2024\nC;03/02/2024;2,5;Marc\n'
    tx = read_transactions(_write(tmp_path / "l.csv", text))
    assert tx["customer_id"].tolist() == ["A", "C"]
    assert tx["name"].tolist() == ["Léa\nDubois", "Marc"]
    assert tx.attrs["quality"].excluded == {"no_amount": 1}


def test_spaces_after_separators_are_ignored(tmp_path: Path) -> None:
    text = "client; date; montant; catégorie\nA; 01/02/2024; 1,5; Vins\n"
    tx = read_transactions(_write(tmp_path / "l.csv", text))
    assert tx["amount"].tolist() == [1.5]
    assert tx["date"].tolist() == [pd.Timestamp("2024-02-01")]
    assert tx["category"].tolist() == ["Vins"]


@pytest.fixture
def without_pyarrow(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read CSV files as where pyarrow is missing (Pyodide): pandas' C engine only."""
    real = pd.read_csv

    def read_csv(*args, **kwargs):
        if kwargs.get("engine") == "pyarrow":
            raise ImportError("pyarrow engine disabled for this test")
        return real(*args, **kwargs)

    monkeypatch.setattr("xlsegment.sources.pd.read_csv", read_csv)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_without_pyarrow(tmp_path: Path, encoding: str, without_pyarrow: None) -> None:
    tx = read_transactions(_write(tmp_path / "ventes.csv", FRENCH, encoding))
    assert tx["name"].tolist() == ["Hélène Lefèvre", "François Guérin", "Hélène Lefèvre"]
    assert tx["amount"].tolist() == [1234.5, 12.0, -5.5]
    assert tx.attrs["mapping"]["customer_id"] == "N° client"


def test_spaces_after_separators_without_pyarrow(tmp_path: Path, without_pyarrow: None) -> None:
    # regression: the C engine stripped the header's spaces too, so the columns to read were not found
    text = "client; date; montant; catégorie\nA; 01/02/2024; 1,5; Vins\n"
    tx = read_transactions(_write(tmp_path / "l.csv", text))
    assert tx["amount"].tolist() == [1.5]
    assert tx.attrs["mapping"]["date"] == " date"


def test_lines_are_orders_counts_same_day_lines_as_separate_purchases() -> None:
    df = pd.DataFrame({"client": ["a", "a", "b"], "date": ["2025-01-02"] * 3, "montant": [10.0, 5.0, 7.0]})
    merged = summarize(read_transactions(df))
    separate = summarize(read_transactions(df, lines_are_orders=True))
    assert merged.loc["a", "orders"] == 1 and separate.loc["a", "orders"] == 2
    assert separate.loc["a", "revenue"] == merged.loc["a", "revenue"] == 15.0
    assert separate.loc["a", "basket"] == 7.5
