"""Property tests: the summary (SQL run by DuckDB) against an independent pandas group-by, row-order independence, revenue and
row accounting, and the BTYD invariants (frequency >= 0, t_x <= T, orders >= 1)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlsegment.errors import LedgerError
from xlsegment.ledger import read_transactions
from xlsegment.summary import summarize

START = pd.Timestamp("2023-01-01")
# quarters are exact in binary floating point, so sums do not depend on the order of addition
AMOUNTS = st.sampled_from([0.0, 0.25, 1.0, 2.5, 10.0, 99.75, -0.25, -1.0, -2.5, -10.0])
ROW = st.tuples(
    st.sampled_from(["A", "B", "C", "007", "7"]),
    st.one_of(st.none(), st.sampled_from(["o1", "o2", "o3", "o4"])),
    st.integers(0, 800),
    st.integers(0, 23),
    AMOUNTS,
)
FAST = settings(max_examples=40, deadline=None)


def _frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer": [r[0] for r in rows],
            "order": [r[1] for r in rows],
            "date": [START + pd.Timedelta(days=r[2], hours=r[3]) for r in rows],
            "amount": [r[4] for r in rows],
        }
    )


def _reference(frame: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Occasions, revenue and the BTYD inputs by plain pandas group-bys, written from the definitions in
    docs/architecture.md, not from the code (nor its SQL)."""
    lines = frame[frame["date"].dt.normalize() <= as_of].copy()
    lines["day"] = lines["date"].dt.normalize()
    lines["key"] = np.where(
        lines["order"].notna(), "order " + lines["order"].astype(str), lines["day"].astype(str)
    )
    lines["purchase"] = lines["amount"] >= 0
    occasions = lines.groupby(["customer", "key"]).agg(
        net=("amount", "sum"), bought=("purchase", "any"), day=("day", "min")
    )
    occasions = occasions[occasions["bought"] & (occasions["net"] >= 0)].reset_index()
    out = occasions.groupby("customer").agg(orders=("key", "size"), first=("day", "min"), last=("day", "max"))
    out["revenue"] = lines.groupby("customer")["amount"].sum().reindex(out.index)
    out["lines"] = lines.groupby("customer").size().reindex(out.index)
    by_customer = {c: occ.sort_values(["day", "net"]) for c, occ in occasions.groupby("customer")}
    days = {c: occ.groupby("day")["net"].sum() for c, occ in by_customer.items()}
    age = {c: (as_of - occ["day"]).dt.days for c, occ in by_customer.items()}
    recent = lines[(as_of - lines["day"]).dt.days < 365]
    out["monetary_value"] = [
        by_customer[c]["net"].iloc[1:].mean() if out.loc[c, "orders"] > 1 else 0.0 for c in out.index
    ]
    out["purchase_days"] = [len(days[c]) for c in out.index]
    out["repeat_day_value"] = [days[c].iloc[1:].mean() if len(days[c]) > 1 else 0.0 for c in out.index]
    out["orders_12m"] = [int((age[c] < 365).sum()) for c in out.index]
    out["orders_prev_12m"] = [int(((age[c] >= 365) & (age[c] < 730)).sum()) for c in out.index]
    out["revenue_12m"] = recent.groupby("customer")["amount"].sum().reindex(out.index, fill_value=0.0)
    out.attrs["lines_in_window"] = len(lines)
    return out


@st.composite
def ledgers(draw):
    rows = draw(st.lists(ROW, min_size=1, max_size=40))
    as_of = draw(st.one_of(st.none(), st.integers(0, 820).map(lambda d: START + pd.Timedelta(days=d))))
    return rows, as_of


@FAST
@given(ledgers())
def test_summary_matches_an_independent_group_by(case) -> None:
    rows, as_of = case
    frame = _frame(rows)
    as_of_day = (as_of if as_of is not None else frame["date"].max()).normalize()
    expected = _reference(frame, as_of_day)
    if expected.empty:  # refused by the reader (returns only) or by the summary (nothing up to as_of)
        with pytest.raises(LedgerError):
            summarize(read_transactions(frame), as_of=as_of)
        return
    tx = read_transactions(frame)
    s = summarize(tx, as_of=as_of)
    assert s.index.tolist() == sorted(expected.index)
    expected = expected.loc[s.index]
    assert s["orders"].tolist() == expected["orders"].tolist()
    assert s["first_purchase"].tolist() == expected["first"].tolist()
    assert s["last_purchase"].tolist() == expected["last"].tolist()
    assert s["revenue"].tolist() == expected["revenue"].tolist()
    assert s["t_x"].tolist() == (expected["last"] - expected["first"]).dt.days.astype(float).tolist()
    assert s["T"].tolist() == (as_of_day - expected["first"]).dt.days.astype(float).tolist()
    for column in ("monetary_value", "purchase_days", "repeat_day_value", "orders_12m", "orders_prev_12m",
                   "revenue_12m"):  # fmt: skip
        np.testing.assert_allclose(s[column], expected[column], rtol=1e-12, err_msg=column)
    assert (s["repeat_days"] == s["purchase_days"] - 1).all()
    # every line up to as_of is either a summarised customer's or counted under "only returns"
    quality = s.attrs["quality"]
    assert (
        expected["lines"].sum() + quality.excluded.get("only_returns", 0) == expected.attrs["lines_in_window"]
    )
    assert quality.excluded.get("after_as_of", 0) == len(frame) - expected.attrs["lines_in_window"]
    in_window = set(frame.loc[frame["date"].dt.normalize() <= as_of_day, "customer"])
    assert sorted(quality.customers_only_returns) == sorted(in_window - set(s.index))


@FAST
@given(ledgers())
def test_ledgers_without_order_ids_match_the_general_grouping(case) -> None:
    """Without an order id column, each customer-day is its one order (customer_days_without_order_ids.sql):
    the summary equals the one the general grouping (customer_days.sql) makes of the same lines, and the
    independent group-by."""
    rows, as_of = case
    rows = [(customer, None, day, hour, amount) for customer, _, day, hour, amount in rows]
    frame = _frame(rows).drop(columns="order")
    as_of_day = (as_of if as_of is not None else frame["date"].max()).normalize()
    expected = _reference(_frame(rows), as_of_day)
    if expected.empty:
        return  # refused, as test_summary_matches_an_independent_group_by checks
    tx = read_transactions(frame)
    assert "order_id" not in tx
    s = summarize(tx, as_of=as_of)
    general = summarize(tx.assign(order_id=pd.Series(None, index=tx.index, dtype=object)), as_of=as_of)
    pd.testing.assert_frame_equal(s, general)
    expected = expected.loc[s.index]
    assert s["orders"].tolist() == expected["orders"].tolist()
    assert s["revenue"].tolist() == expected["revenue"].tolist()
    for column in ("monetary_value", "purchase_days", "repeat_day_value", "revenue_12m"):
        np.testing.assert_allclose(s[column], expected[column], rtol=1e-12, err_msg=column)


@FAST
@given(ledgers(), st.randoms(use_true_random=False))
def test_summary_does_not_depend_on_row_order(case, random) -> None:
    rows, as_of = case
    if as_of is None:
        as_of = START + pd.Timedelta(days=max(r[2] for r in rows))
    shuffled = list(rows)
    random.shuffle(shuffled)
    try:
        s = summarize(read_transactions(_frame(rows)), as_of=as_of, time_unit="W")
    except LedgerError:
        with pytest.raises(LedgerError):
            summarize(read_transactions(_frame(shuffled)), as_of=as_of, time_unit="W")
        return
    t = summarize(read_transactions(_frame(shuffled)), as_of=as_of, time_unit="W")
    pd.testing.assert_frame_equal(s, t, check_exact=False, rtol=1e-12)


@FAST
@given(ledgers(), st.sampled_from("DWM"))
def test_btyd_invariants_and_revenue_of_kept_rows(case, unit) -> None:
    rows, as_of = case
    frame = _frame(rows)
    try:
        s = summarize(read_transactions(frame), as_of=as_of, time_unit=unit)
    except LedgerError:
        return
    assert (s["orders"] >= 1).all()
    assert (s["frequency"] >= 0).all()
    assert (s["frequency"] == s["orders"] - 1).all()
    assert (s["t_x"] >= 0).all() and (s["t_x"] <= s["T"]).all()
    np.testing.assert_allclose(s["recency"] + s["t_x"], s["T"], atol=1e-9)
    assert (s["orders_12m"] + s["orders_prev_12m"] <= s["orders"]).all()
    assert ((s["return_rate"] >= 0) & (s["return_rate"] <= 1) | (s["revenue"] < 0)).all()
    np.testing.assert_allclose(s["purchase_rate"] * s["basket"] * s["relationship_length"], s["revenue"])
    # the summary's revenue is the net revenue of the kept rows: customers with a purchase, up to as_of
    kept = frame[frame["customer"].isin(s.index) & (frame["date"].dt.normalize() <= s.attrs["as_of"])]
    assert s["revenue"].sum() == kept["amount"].sum()


@FAST
@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.sampled_from(["A", "B", " ", ""])),
            st.one_of(st.none(), st.sampled_from(["2024-01-05", "2024-02-05", ""])),
            st.one_of(st.none(), st.sampled_from(["1", "-2", "0", " "])),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_every_row_read_is_kept_or_excluded_once(rows) -> None:
    frame = pd.DataFrame(rows, columns=["client", "date", "montant"])
    usable = [bool(c and c.strip()) and bool(d) and bool(a and a.strip()) for c, d, a in rows]
    if not any(usable):
        with pytest.raises(LedgerError, match="no usable row"):
            read_transactions(frame)
        return
    if all(a.strip().startswith("-") for (c, d, a), ok in zip(rows, usable, strict=True) if ok):
        with pytest.raises(LedgerError, match="no purchase"):  # returns only: refused by the reader
            read_transactions(frame)
        return
    tx = read_transactions(frame)
    quality = tx.attrs["quality"]
    assert len(tx) == sum(usable) == quality.rows_kept
    assert quality.rows_read == len(rows)
    assert quality.rows_kept + quality.rows_excluded == len(rows)  # each row once, whatever its reasons
    assert tx.index.tolist() == [i for i, ok in enumerate(usable) if ok]
