"""Migration and cohorts on the public data sets: CDNOW master (no order ids) and UCI Online Retail
(invoices, cancellations)."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from test_overtime_cohorts import _compare, plain_cohorts, plain_occasions, summary_occasions
from test_overtime_migration import plain_annual

import xlsegment as xs
from xlsegment.overtime import GONE, NEW, cohorts, migration


def _check_counts(tx: pd.DataFrame, start: str, end: str | None = None, by: str = "rfm_segment") -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = migration(tx, start, end, by=by)
        before = xs.summarize(tx, as_of=start)
        after = xs.summarize(tx, as_of=end)
    assert int(m.matrix.drop(index=NEW).to_numpy().sum()) == len(before)
    assert int(m.matrix.drop(columns=GONE).to_numpy().sum()) == len(after)
    assert int(m.matrix.loc[NEW].sum()) == len(after.index.difference(before.index))
    assert int(m.matrix.to_numpy().sum()) == len(before.index.union(after.index))
    assert m.revenue_end.to_numpy().sum() == pytest.approx(plain_annual(after).sum())


@pytest.mark.slow
def test_cdnow_migration_and_cohorts(cdnow_master):
    cdnow = xs.read_transactions(cdnow_master)
    # CDNOW: every customer's first purchase is in 1997-Q1, so there are three monthly cohorts
    _check_counts(cdnow, "1997-12-31", "1998-06-30")
    result = cohorts(cdnow, by="M")
    assert result.retention.index.tolist()[:3] == ["1997-01", "1997-02", "1997-03"]
    assert len(result.retention) == 3
    assert result.table.drop_duplicates("cohort")["customers"].sum() == 23_570
    retention, per_customer = plain_cohorts(cdnow, "M", plain_occasions(cdnow))
    _compare(result.retention, retention)
    _compare(result.revenue_per_customer, per_customer)


@pytest.mark.slow
def test_online_retail_migration_and_cohorts(online_retail):
    retail = xs.read_transactions(online_retail)
    _check_counts(retail, "2011-09-09", by="abc")
    result = cohorts(retail, by="Q")
    retention, per_customer = plain_cohorts(retail, "Q", summary_occasions(retail))
    _compare(result.retention, retention)
    _compare(result.revenue_per_customer, per_customer)
    # cancellations reduce a cohort's revenue: period revenue sums to the ledger's net revenue of its buyers
    buyers = result.table.drop_duplicates("cohort")["customers"].sum()
    assert buyers == len(xs.summarize(retail))
    total = (result.table["revenue"]).sum()
    first = summary_occasions(retail).groupby("customer_id")["day"].min()
    lines = retail[retail["customer_id"].astype(str).isin(first.index)]
    later = lines["date"].dt.to_period("Q") >= lines["customer_id"].astype(str).map(first).dt.to_period("Q")
    assert total == pytest.approx(lines.loc[later.to_numpy(), "amount"].sum())
