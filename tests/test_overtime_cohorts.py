"""Cohorts by month or quarter of first purchase: shares and revenue equal a plain pandas computation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import xlsegment as xs
from xlsegment.overtime import cohorts, yearly_retention


@pytest.fixture(scope="module")
def sample_tx() -> pd.DataFrame:
    from xlsegment.ledger import sample_ledger_path

    return xs.read_transactions(sample_ledger_path())


def plain_occasions(tx: pd.DataFrame) -> pd.DataFrame:
    """Purchase occasions the plain way: orders (or customer-days) with a purchase line and a net >= 0."""
    day_key = "day " + tx["date"].dt.strftime("%Y-%m-%d")
    order_key = tx["order_id"].astype(object) if "order_id" in tx else pd.Series(np.nan, index=tx.index)
    lines = tx.assign(
        key=order_key.where(order_key.notna(), day_key).astype(str),
        buy=(tx["amount"] >= 0) & ~tx.get("returned", tx["amount"] < 0),
    )
    orders = lines.groupby(["customer_id", "key"], observed=True).agg(
        net=("amount", "sum"), buy=("buy", "any"), day=("date", "min")
    )
    kept = orders[(orders["net"] >= 0) & orders["buy"]].reset_index()
    return kept.assign(customer_id=kept["customer_id"].astype(str))


def summary_occasions(tx: pd.DataFrame) -> pd.DataFrame:
    """The summary's own occasions (the sample ledger has orders returned in full whose lines cancel to a
    float residue of either sign, so a re-implementation of the occasion rule can differ by a few orders)."""
    from xlsegment.summary import purchase_occasions

    return purchase_occasions(tx)


def plain_cohorts(tx: pd.DataFrame, freq: str, occ: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Retention and revenue-per-customer triangles with pandas periods and groupby, from occasions `occ`
    (customer_id, day)."""
    occ = occ.copy()
    occ["period"] = occ["day"].dt.to_period(freq)
    cohort = occ.groupby("customer_id")["period"].min()
    occ["cohort"] = occ["customer_id"].map(cohort)
    occ["k"] = (occ["period"] - occ["cohort"]).map(lambda off: off.n)
    size = cohort.value_counts()
    active = occ.groupby(["cohort", "k"])["customer_id"].nunique()
    retention = (active / active.index.get_level_values(0).map(size).to_numpy()).unstack()
    lines = tx.assign(customer_id=tx["customer_id"].astype(str))
    lines = lines[lines["customer_id"].isin(cohort.index)].copy()
    lines["cohort"] = lines["customer_id"].map(cohort)
    lines["k"] = (lines["date"].dt.to_period(freq) - lines["cohort"]).map(lambda off: off.n)
    lines = lines[lines["k"] >= 0]
    revenue = lines.groupby(["cohort", "k"])["amount"].sum()
    per_customer = (revenue / revenue.index.get_level_values(0).map(size).to_numpy()).unstack()
    return retention, per_customer


def _compare(ours: pd.DataFrame, theirs: pd.DataFrame) -> None:
    theirs = theirs.copy()
    theirs.index = [str(p) for p in theirs.index]
    ours = ours.copy()
    ours.index = [i.replace("-Q", "Q") for i in ours.index]
    # cells where nobody bought are 0 in ours and missing in the groupby; later-than-as-of cells are NaN in both
    theirs = theirs.reindex(index=ours.index, columns=ours.columns)
    observed = ours.notna()
    assert np.allclose(ours[observed].fillna(0).to_numpy(), theirs[observed].fillna(0).to_numpy())
    assert not theirs[~observed].notna().to_numpy().any()


@pytest.mark.parametrize("freq", ["M", "Q"])
def test_sample_cohorts_equal_plain_pandas(sample_tx, freq):
    result = cohorts(sample_tx, by=freq)
    retention, per_customer = plain_cohorts(sample_tx, freq, summary_occasions(sample_tx))
    _compare(result.retention, retention)
    _compare(result.revenue_per_customer, per_customer)
    assert (result.retention[0] == 1.0).all()
    sizes = result.table.drop_duplicates("cohort")["customers"].sum()
    assert sizes == len(xs.summarize(sample_tx))


def test_cohort_table_layout_and_curve(sample_tx):
    result = cohorts(sample_tx, by="Q")
    assert result.retention.index[0] == "2023-Q4" and result.retention.index[-1] == "2026-Q4"
    assert result.retention.shape == (13, 13)
    assert np.isnan(result.retention.iloc[-1, 1])  # the future is empty
    assert not result.table.loc[
        result.table["cohort"] == "2026-Q4", "complete"
    ].any()  # Oct 31 ends no quarter
    curve = result.curve()
    done = result.table[result.table["complete"] & (result.table["period"] == 1)]
    assert curve.loc[1, "retention"] == pytest.approx(done["active"].sum() / done["customers"].sum())
    assert curve.loc[0, "retention"] == 1.0
    cum = result.triangle("cumulative_revenue_per_customer")
    assert np.allclose(cum.iloc[0].to_numpy(), result.revenue_per_customer.iloc[0].cumsum().to_numpy())
    french = result.sentences("fr", currency="EUR")
    assert french[0].endswith("clients).") and "le trimestre suivant leur premier achat" in french[0]
    assert result.sentences("en")[1].startswith("One year after their first purchase")


def plain_yearly_retention(tx: pd.DataFrame) -> tuple[int, int]:
    """(customer-years with a purchase whose next year is over, those followed by a purchase the next year),
    counted with plain pandas: year k of a customer runs from 365.25 k days after their first purchase."""
    occ = summary_occasions(tx)
    first = occ.groupby("customer_id")["day"].transform("min")
    occ["year"] = np.floor((occ["day"] - first).dt.days / 365.25).astype(int)
    as_of = tx["date"].max().normalize()
    first_of = occ.groupby("customer_id")["day"].min()
    complete = np.floor(((as_of - first_of).dt.days + 1) / 365.25).astype(int)
    years = occ[["customer_id", "year"]].drop_duplicates()
    years = years[years["year"] + 1 < years["customer_id"].map(complete)]
    active = set(map(tuple, occ[["customer_id", "year"]].drop_duplicates().to_numpy()))
    kept = sum((c, y + 1) in active for c, y in years.to_numpy())
    return len(years), int(kept)


def test_yearly_retention_equals_a_plain_count(sample_tx):
    est = yearly_retention(sample_tx)
    customer_years, kept = plain_yearly_retention(sample_tx)
    assert (est.customer_years, est.retained) == (customer_years, kept) == (1394, 629)
    assert est.rate == pytest.approx(kept / customer_years)
    assert est.lifetime_years == pytest.approx(1 / (1 - est.rate))
    assert "années-clients" in est.text("fr")


def test_short_ledgers_and_bad_periods(sample_tx):
    short = sample_tx[sample_tx["date"] < "2024-06-01"]
    with pytest.raises(ValueError, match="too short"):
        yearly_retention(short)
    with pytest.raises(ValueError, match="month 'M', quarter 'Q'"):
        cohorts(sample_tx, by="W")
    assert cohorts(sample_tx, by="y").retention.index.tolist() == ["2023", "2024", "2025", "2026"]
