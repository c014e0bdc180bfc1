"""summarize: occasions, returns, durations in D/W/M, 12-month windows and optional signals, on tiny ledgers
whose expected values are worked out by hand in the comments."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from xlsegment.errors import LedgerError
from xlsegment.ledger import read_transactions
from xlsegment.summary import purchase_occasions, summarize

NONE = None


def _ledger(rows: list[tuple], columns: tuple[str, ...] = ("customer", "order", "date", "amount")):
    return read_transactions(pd.DataFrame(rows, columns=list(columns)))


@pytest.fixture
def small() -> pd.DataFrame:
    """Customers A (orders), B (only a return), C (customer-days and an order), D (an order netting < 0)."""
    return _ledger(
        [
            ("A", "O1", "2024-01-01 10:00", 100.0),
            ("A", "O1", "2024-01-01 15:00", 50.0),
            ("A", "O2", "2024-01-11", 0.0),  # a free item: an occasion
            ("A", "O3", "2024-01-21", -30.0),  # an order made only of a return: not an occasion
            ("A", "O4", "2024-02-10", 80.0),
            ("B", "O5", "2024-01-05", -20.0),
            ("C", NONE, "2024-02-01 09:00", 10.0),  # two lines the same day: one occasion
            ("C", NONE, "2024-02-01 18:00", 20.0),
            ("C", NONE, "2024-02-20", 5.0),
            ("C", "O6", "2024-02-20", 7.0),  # an order the same day: its own occasion
            ("C", NONE, "2024-03-05", 99.0),  # after as_of
            ("D", "O7", "2024-02-01", 10.0),
            ("D", "O7", "2024-02-01", -15.0),  # the order nets -5: not an occasion
            ("D", "O8", "2024-02-15", 20.0),
        ]
    )


def test_occasions_durations_and_revenue_by_hand(small: pd.DataFrame) -> None:
    s = summarize(small, as_of="2024-03-01")
    assert s.index.tolist() == ["A", "C", "D"]
    assert s.index.name == "customer_id"
    a, c, d = s.loc["A"], s.loc["C"], s.loc["D"]
    # A: O1 (150), O2 (0), O4 (80); 2024 is a leap year: Jan 1 -> Feb 10 = 40 days, -> Mar 1 = 60 days
    assert (a["orders"], a["frequency"]) == (3, 2)
    assert (a["first_purchase"], a["last_purchase"]) == (
        pd.Timestamp("2024-01-01"),
        pd.Timestamp("2024-02-10"),
    )
    assert (a["t_x"], a["T"], a["recency"]) == (40.0, 60.0, 20.0)
    assert a["revenue"] == 200.0  # 150 + 0 - 30 + 80
    assert a["basket"] == pytest.approx(200 / 3)
    assert a["monetary_value"] == 40.0  # repeat occasions 0 and 80
    assert a["relationship_length"] == 61.0
    assert a["purchase_rate"] == pytest.approx(3 / 61)
    assert a["purchases_per_year"] == pytest.approx(3 / (61 / 365.25))
    assert a["mean_gap"] == 20.0
    assert a["returns"] == 30.0
    assert a["return_rate"] == pytest.approx(30 / 230)
    # C: Feb 1 (30), Feb 20 customer-day (5), Feb 20 order O6 (7); the Mar 5 line is after as_of
    assert (c["orders"], c["t_x"], c["T"], c["recency"]) == (3, 19.0, 29.0, 10.0)
    assert c["revenue"] == 42.0
    assert c["monetary_value"] == 6.0  # (5 + 7) / 2
    assert c["returns"] == 0.0
    # D: O7 nets -5 and is no occasion, but its lines still count in revenue and returns
    assert (d["orders"], d["frequency"], d["first_purchase"]) == (1, 0, pd.Timestamp("2024-02-15"))
    assert d["revenue"] == 15.0
    assert d["monetary_value"] == 0.0
    assert np.isnan(d["mean_gap"])
    assert d["return_rate"] == 0.5  # 15 returned of 30 bought


def test_quality_report_of_the_summary(small: pd.DataFrame) -> None:
    s = summarize(small, as_of="2024-03-01")
    quality = s.attrs["quality"]
    assert quality.customers_only_returns == ["B"]
    assert quality.excluded == {"after_as_of": 1, "only_returns": 1}
    assert small.attrs["quality"].excluded == {}  # the ledger's own report is not touched
    assert s.attrs["as_of"] == pd.Timestamp("2024-03-01")
    assert s.attrs["time_unit"] == "D"


def test_as_of_defaults_to_the_last_date(small: pd.DataFrame) -> None:
    s = summarize(small)
    assert s.attrs["as_of"] == pd.Timestamp("2024-03-05")
    assert s.loc["C", "orders"] == 4
    assert s.loc["C", "revenue"] == 141.0
    assert "after_as_of" not in s.attrs["quality"].excluded


def test_lines_on_the_as_of_day_count_whatever_their_time(small: pd.DataFrame) -> None:
    s = summarize(small, as_of=pd.Timestamp("2024-03-05 08:00"))
    assert s.attrs["as_of"] == pd.Timestamp("2024-03-05")
    assert s.loc["C", "orders"] == 4


@pytest.mark.parametrize(("unit", "days"), [("D", 1.0), ("W", 7.0), ("M", 30.4375), ("w", 7.0)])
def test_time_units(small: pd.DataFrame, unit: str, days: float) -> None:
    s = summarize(small, as_of="2024-03-01", time_unit=unit)
    a = s.loc["A"]
    assert a["t_x"] == pytest.approx(40 / days)
    assert a["T"] == pytest.approx(60 / days)
    assert a["recency"] == pytest.approx(20 / days)
    assert a["relationship_length"] == pytest.approx(61 / days)
    assert a["mean_gap"] == pytest.approx(20 / days)
    assert a["purchase_rate"] == pytest.approx(3 / (61 / days))
    assert a["purchases_per_year"] == pytest.approx(3 / (61 / 365.25))  # per year whatever the unit
    assert s.attrs["time_unit"] == unit.upper()


def test_revenue_decomposes_into_rate_basket_and_length(small: pd.DataFrame) -> None:
    for unit in "DWM":
        s = summarize(small, as_of="2024-03-01", time_unit=unit)
        np.testing.assert_allclose(s["purchase_rate"] * s["basket"] * s["relationship_length"], s["revenue"])


def test_twelve_month_windows() -> None:
    # as_of 2025-12-31: the last 365 days start 2025-01-01; the 365 before start 2024-01-02 (2024 is leap)
    tx = _ledger(
        [
            ("E", NONE, "2025-12-31", 1.0),
            ("E", NONE, "2025-01-01", 2.0),
            ("E", NONE, "2024-12-31", 3.0),
            ("E", NONE, "2024-01-02", 4.0),
            ("E", NONE, "2024-01-01", 5.0),
            ("E", NONE, "2025-06-01", -0.5),  # a return inside the last year
        ]
    )
    e = summarize(tx, as_of="2025-12-31").loc["E"]
    assert (e["orders"], e["orders_12m"], e["orders_prev_12m"]) == (5, 2, 2)
    assert e["revenue_12m"] == 2.5


def test_every_line_a_separate_day_without_order_ids() -> None:
    tx = read_transactions(
        pd.DataFrame(
            {"client": ["X", "X", "X"], "date": ["05/01/2024", "05/01/2024", "06/01/2024"], "ca": [1, 2, 3]}
        )
    )
    x = summarize(tx).loc["X"]
    assert (x["orders"], x["frequency"], x["revenue"], x["monetary_value"]) == (2, 1, 6.0, 3.0)


def test_flagged_returns_reduce_revenue_and_feed_the_return_rate() -> None:
    tx = read_transactions(
        pd.DataFrame(
            {
                "client": ["R", "R", "R"],
                "date": ["2024-01-05", "2024-01-20", "2024-02-01"],
                "montant": [40, 10, 60],
                "retour": ["", "oui", ""],
            }
        )
    )
    r = summarize(tx).loc["R"]
    assert (r["orders"], r["revenue"], r["returns"]) == (2, 90.0, 10.0)
    assert r["return_rate"] == 0.1  # 10 of 100 bought


@pytest.fixture
def signals() -> pd.DataFrame:
    columns = ("customer", "date", "amount", "category", "margin", "discount", "payment delay",
               "service contacts", "email")  # fmt: skip
    return _ledger(
        [
            ("F", "2024-01-01", 50.0, "Vins", 20.0, 0.0, 0.0, 0, "a@x.fr"),
            ("F", "2024-01-02", 50.0, "Fromages", 10.0, 5.0, 10.0, 1, "b@x.fr"),
            ("F", "2024-01-03", 20.0, "Thés", 6.0, 0.0, np.nan, 2, None),
            ("F", "2024-01-04", -10.0, "Thés", -4.0, 0.0, np.nan, 1, None),
            ("G", "2024-01-01", 30.0, "Vins", 9.0, 0.0, 3.0, 0, "g@x.fr"),
            ("G", "2024-01-02", 10.0, None, 1.0, 0.0, 0.0, 0, "g2@x.fr"),
        ],
        columns,
    )


def test_optional_signals(signals: pd.DataFrame) -> None:
    s = summarize(signals)
    f, g = s.loc["F"], s.loc["G"]
    assert f["n_categories"] == 3
    assert f["main_category"] == "Fromages"  # Vins and Fromages both 50: the first in alphabetical order
    assert f["margin"] == 32.0  # 20 + 10 + 6 - 4
    assert f["margin_rate"] == pytest.approx(32 / 110)
    assert f["discount_share"] == pytest.approx(50 / 120)
    assert f["payment_delay"] == 5.0  # mean of the known delays 0 and 10
    assert f["service_contacts"] == 4.0
    assert f["returns"] == 10.0
    assert f["return_rate"] == pytest.approx(10 / 120)
    assert (g["n_categories"], g["main_category"]) == (1, "Vins")  # the line without category is not one
    assert g["margin_rate"] == pytest.approx(10 / 40)
    assert g["discount_share"] == 0.0


def test_contacts_keep_the_latest_known_value(signals: pd.DataFrame) -> None:
    s = summarize(signals)
    assert s.loc["F", "email"] == "b@x.fr"  # later lines have no e-mail: the last known one wins
    assert s.loc["G", "email"] == "g2@x.fr"


def test_signals_absent_when_the_ledger_lacks_them(small: pd.DataFrame) -> None:
    s = summarize(small)
    for column in ("n_categories", "main_category", "margin", "margin_rate", "discount_share",
                   "payment_delay", "service_contacts", "email"):  # fmt: skip
        assert column not in s.columns
    assert {"returns", "return_rate", "orders_12m", "orders_prev_12m", "revenue_12m"} <= set(s.columns)


def test_summarize_does_not_modify_the_transactions(signals: pd.DataFrame) -> None:
    before = copy.deepcopy(signals)
    summarize(signals, as_of="2024-01-02", time_unit="W")
    pd.testing.assert_frame_equal(signals, before)


def test_customer_ids_stay_text() -> None:
    tx = _ledger([("00042", NONE, "2024-01-01", 1.0), ("42", NONE, "2024-01-02", 2.0)])
    s = summarize(tx)
    assert s.index.tolist() == ["00042", "42"]
    assert pd.api.types.is_string_dtype(s.index.dtype)  # text (pandas' str on pandas 3), never numbers


def test_dates_before_1970() -> None:
    # regression: customer-day keys of negative day numbers collided with another customer's days
    tx = _ledger(
        [("A", NONE, "1999-12-03", 1.0), ("B", NONE, "2000-01-01", 2.0), ("B", NONE, "1999-12-01", 3.0)]
    )
    # the reader refuses sales before 1990 (a wrong century); the summary must still handle any date
    tx.loc[tx.index[2], "date"] = pd.Timestamp("1969-12-01")
    s = summarize(tx, as_of="2000-01-01")
    assert s["orders"].to_dict() == {"A": 1, "B": 2}
    assert s.loc["B", "first_purchase"] == pd.Timestamp("1969-12-01")


# ---------------------------------------------------------------- bad input


def test_bad_time_unit(small: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="time_unit must be one of D, W, M"):
        summarize(small, time_unit="Y")


def test_bad_as_of(small: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="as_of 'demain' is not a date"):
        summarize(small, as_of="demain")


def test_as_of_before_every_transaction(small: pd.DataFrame) -> None:
    with pytest.raises(LedgerError, match="no transaction on or before the as-of date 2023-01-01"):
        summarize(small, as_of="2023-01-01")


def test_missing_canonical_columns() -> None:
    with pytest.raises(LedgerError, match="lack the column.s. amount; read them with read_transactions"):
        summarize(pd.DataFrame({"customer_id": ["A"], "date": [pd.Timestamp("2024-01-01")]}))


def test_only_returns() -> None:
    # the reader already refuses a ledger of returns only, naming the file and column
    with pytest.raises(LedgerError, match="DataFrame, column 'amount': .* no purchase"):
        _ledger([("A", NONE, "2024-01-01", -1.0), ("B", NONE, "2024-01-02", -2.0)])
    tx = _ledger([("A", NONE, "2024-01-01", 1.0), ("B", NONE, "2024-01-02", -2.0)])
    with pytest.raises(LedgerError, match="no purchase"):
        summarize(tx[tx["amount"] < 0])


def test_empty_transactions(small: pd.DataFrame) -> None:
    with pytest.raises(LedgerError, match="no transactions"):
        summarize(small.iloc[:0])


def test_purchase_occasions_count_as_the_summary_does(sample_ledger) -> None:
    tx = read_transactions(sample_ledger)
    occ = purchase_occasions(tx)
    summary = summarize(tx)
    per_customer = occ.groupby("customer_id").size().reindex(summary.index)
    assert (per_customer.to_numpy() == summary["orders"].to_numpy()).all()
    assert occ["day"].max() == summary["last_purchase"].max()
    assert purchase_occasions(tx.iloc[:0]).empty


def test_a_hand_made_categorical_is_grouped_like_text(small: pd.DataFrame) -> None:
    # categories out of order and one no line uses: the same summary as the text keys give
    text = small.assign(customer_id=small["customer_id"].astype(object))
    shuffled = text.assign(
        customer_id=pd.Categorical(text["customer_id"], categories=["Z", "D", "C", "B", "A"])
    )
    expected = summarize(text, as_of="2024-03-01")
    got = summarize(shuffled, as_of="2024-03-01")
    assert got.index.tolist() == ["A", "C", "D"]
    pd.testing.assert_frame_equal(got, expected)


def test_lines_without_a_customer_are_refused() -> None:
    tx = pd.DataFrame(
        {"customer_id": ["A", None], "date": pd.to_datetime(["2024-01-01"] * 2), "amount": [1.0, 2.0]}
    )
    with pytest.raises(LedgerError, match="no customer"):
        summarize(tx)
