"""Segment migration between two dates: counts add up to the customers of both dates, movers, sentences."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import xlsegment as xs
from xlsegment.overtime import GONE, NEW, migration, segment_rank

START, END = "2026-07-31", "2026-10-31"


@pytest.fixture(scope="module")
def sample_tx() -> pd.DataFrame:
    from xlsegment.ledger import sample_ledger_path

    return xs.read_transactions(sample_ledger_path())


@pytest.fixture(scope="module")
def sample_migration(sample_tx):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return migration(sample_tx, START, END, lang="fr")


def _segments_at(tx: pd.DataFrame, as_of: str, by: str = "rfm_segment") -> pd.Series:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return xs.segment(xs.summarize(tx, as_of=as_of))[by].astype(str)


def test_rows_and_columns_add_up_to_the_customers_of_each_date(sample_tx, sample_migration):
    m = sample_migration
    before, after = _segments_at(sample_tx, START), _segments_at(sample_tx, END)
    rows = m.matrix.drop(index=NEW).sum(axis=1)
    cols = m.matrix.drop(columns=GONE).sum(axis=0)
    assert rows.to_dict() == before.value_counts().reindex(rows.index).to_dict()
    assert cols.to_dict() == after.value_counts().reindex(cols.index).to_dict()
    assert int(m.matrix.loc[NEW].sum()) == len(after.index.difference(before.index)) == 93
    assert int(m.matrix[GONE].sum()) == len(before.index.difference(after.index))
    assert int(m.matrix.to_numpy().sum()) == len(before.index.union(after.index)) == len(m.customers)
    # the full segmentation and migration's classification-only segmentation agree customer by customer
    assert (m.customers.loc[after.index, "to"] == after).all()


def plain_annual(summary: pd.DataFrame) -> pd.Series:
    """Revenue per year of relationship, the days known floored at one year."""
    days = (summary.attrs["as_of"] - summary["first_purchase"]).dt.days + 1
    return summary["revenue"] / (np.maximum(days, 365.25) / 365.25)


def test_revenue_matrix_is_the_annual_revenue_at_each_date(sample_tx, sample_migration):
    m = sample_migration
    start = xs.summarize(sample_tx, as_of=START)
    seg = _segments_at(sample_tx, START)
    expected = plain_annual(start).groupby(seg).sum()
    got = m.revenue_start.drop(index=NEW).sum(axis=1)
    assert np.allclose(got.to_numpy(), expected.reindex(got.index).to_numpy())
    assert m.revenue_start.loc[NEW].sum() == 0.0
    end = xs.summarize(sample_tx, as_of=END)
    assert m.revenue_end.to_numpy().sum() == pytest.approx(plain_annual(end).sum())
    # a customer who stopped buying keeps the yearly value they brought: movers are worth something
    assert (m.movers["revenue_start"] > 0).all()


def test_movers_left_the_best_segments_most_valuable_first(sample_migration):
    m = sample_migration
    ranks = segment_rank("rfm_segment")
    best = {code for code, (_, flag) in ranks.items() if flag}
    assert best == {"champions", "loyal"}
    assert len(m.movers) > 0
    assert m.movers["from"].isin(best).all()
    assert not m.movers["to"].isin(best).any()
    assert all(ranks[t][0] > ranks[f][0] for f, t in zip(m.movers["from"], m.movers["to"], strict=True))
    assert m.movers["revenue_start"].is_monotonic_decreasing
    # every such customer is listed
    c = m.customers
    expected = c[c["from"].isin(best) & ~c["to"].isin(best)]
    assert set(expected.index) == set(m.movers.index)
    assert "phone" in m.movers.columns


def test_sentences_name_the_biggest_flows_in_french(sample_migration):
    m = sample_migration
    lines = m.sentences(n=3, currency="EUR")
    assert len(lines) == 3
    flows = m.flows()
    moved = flows[flows["direction"] != "same"]
    top = moved.assign(v=np.where(moved["direction"] == "new", moved["revenue_end"], moved["revenue_start"]))
    top = top.sort_values("v", ascending=False).iloc[0]
    assert lines[0].startswith(f"{top['customers']} {top['from_label']} d'il y a 3 mois sont devenus")
    assert lines[0].endswith(f"{round(top['v']):,}\u00a0€ de CA annuel".replace(",", "\u202f"))
    assert "3 mois" in m.summary_sentence()
    assert m.labelled_matrix().index.name == "Segment il y a 3 mois"


def test_english_sentences_and_other_classifications(sample_tx):
    m = migration(sample_tx, "2025-10-31", END, by="abc", lang="en")
    assert list(m.matrix.index) == ["A", "B", "C", NEW]
    assert m.labels["A"] == "A customers"
    assert all("of 1 year ago became" in s or "new in the last 1 year" in s for s in m.sentences())
    before, after = _segments_at(sample_tx, "2025-10-31", "abc"), _segments_at(sample_tx, END, "abc")
    assert int(m.matrix.drop(columns=GONE).sum().sum()) == len(after)
    assert int(m.matrix.drop(index=NEW).sum(axis=1).sum()) == len(before)


def test_bad_dates_and_classifications_are_refused(sample_tx):
    with pytest.raises(ValueError, match="before"):
        migration(sample_tx, END, START)
    with pytest.raises(ValueError, match="segment column"):
        migration(sample_tx, START, END, by="value_score")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n_lines=st.integers(5, 120),
    n_customers=st.integers(1, 30),
    seed=st.integers(0, 10_000),
    split=st.floats(0.2, 0.8),
)
def test_counts_always_add_up(n_lines, n_customers, seed, split):
    rng = np.random.default_rng(seed)
    ledger = pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in rng.integers(0, n_customers, n_lines)],
            "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 400, n_lines), "D"),
            "amount": np.round(rng.normal(40, 30, n_lines), 2),
        }
    )
    tx = xs.read_transactions(ledger)
    first, last = tx["date"].min(), tx["date"].max()
    start = (first + (last - first) * split).normalize()
    if start >= last.normalize() or (tx["date"] <= start).sum() == 0:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            before = xs.summarize(tx, as_of=start)
        except xs.LedgerError:  # no purchase yet at start: nothing to compare
            return
        m = migration(tx, start, last, by="abc")
        after = xs.summarize(tx, as_of=last)
    assert int(m.matrix.drop(index=NEW).to_numpy().sum()) == len(before)
    assert int(m.matrix.drop(columns=GONE).to_numpy().sum()) == len(after)
    assert int(m.matrix.to_numpy().sum()) == len(before.index.union(after.index))
