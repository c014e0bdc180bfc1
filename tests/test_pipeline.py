"""analyze(): the whole chain on the bundled sample and on small hand-made ledgers."""

from __future__ import annotations

import pandas as pd
import pytest

import xlsegment as xs
from xlsegment.pipeline import segment_summary


@pytest.fixture(scope="module")
def sample_analysis():
    from xlsegment.ledger import sample_ledger_path

    return xs.analyze(sample_ledger_path(), settings={"lang": "fr"})


def test_sample_has_one_row_per_customer_with_every_layer(sample_analysis):
    a = sample_analysis
    assert a.customers.index.equals(a.summary.index)
    assert len(a.customers) == 2000
    for column in ("abc", "rfm_segment", "behaviour", "customer_type", "value_score", "clv_simple", "p_alive",
                   "clv", "lapsed_6m", "next_action", "due_date"):  # fmt: skip
        assert column in a.customers.columns, column
        assert a.customers[column].notna().all(), column
    assert a.customers["p_alive"].between(0, 1).all()
    assert (a.customers["clv"] >= 0).all()


def test_segment_table_partitions_customers_and_revenue(sample_analysis):
    a = sample_analysis
    assert a.segments["customers"].sum() == len(a.customers)
    assert a.segments["revenue"].sum() == pytest.approx(a.customers["revenue"].sum())
    assert a.segments["customer_share"].sum() == pytest.approx(1.0)
    assert a.segments["revenue_share"].sum() == pytest.approx(1.0)


def test_french_labels_and_quality_report(sample_analysis):
    a = sample_analysis
    assert "Champions" in set(a.customers["rfm_segment_label"])
    assert "Clients fidèles" in set(a.customers["rfm_segment_label"])
    assert a.quality.rows_read == len(a.transactions)
    assert a.quality.mapping["customer_id"] == "N° client"


def test_segment_summary_on_a_hand_made_frame():
    customers = pd.DataFrame(
        {
            "seg": ["a", "a", "b"],
            "revenue": [100.0, 50.0, 50.0],
            "orders": [2, 1, 5],
            "clv": [10.0, 20.0, 30.0],
        },
        index=pd.Index(["c1", "c2", "c3"], name="customer_id"),
    )
    table = segment_summary(customers, "seg")
    assert table.loc["a", "customers"] == 2 and table.loc["b", "customers"] == 1
    assert table.loc["a", "revenue_share"] == pytest.approx(0.75)
    assert table.loc["a", "basket"] == pytest.approx(50.0)
    assert table.loc["b", "basket"] == pytest.approx(10.0)
    assert table.loc["a", "mean_clv"] == pytest.approx(15.0)
    assert list(table.index) == ["a", "b"]


def _ledger(rows):
    return pd.DataFrame(rows, columns=["client", "date", "montant"])


def test_small_ledger_values_and_input_untouched():
    ledger = _ledger(
        [
            ("A", "2025-01-10", 100.0),
            ("A", "2025-03-10", 50.0),
            ("A", "2025-03-10", 25.0),  # same day: one occasion
            ("B", "2025-02-01", 40.0),
            ("C", "2025-03-01", 10.0),
            ("C", "2025-03-05", -10.0),  # a return
        ]
    )
    before = ledger.copy(deep=True)
    a = xs.analyze(ledger, settings={"as_of": "2025-03-31", "clv": {"predictive": False}})
    pd.testing.assert_frame_equal(ledger, before)
    c = a.customers
    assert c.loc["A", "orders"] == 2 and c.loc["A", "revenue"] == pytest.approx(175.0)
    assert c.loc["C", "revenue"] == pytest.approx(0.0)
    assert c.loc["C", "return_rate"] == pytest.approx(1.0)
    assert c.loc["A", "recency"] == 21 and c.loc["B", "T"] == 58
    assert "p_alive" not in c.columns
    assert c.loc["A", "abc"] == "A"


def test_degenerate_ledgers_give_usable_results():
    one = _ledger([("solo", "2025-01-01", 20.0)])
    a = xs.analyze(one)
    assert len(a.customers) == 1
    assert a.customers.loc["solo", "clv_simple"] >= 0
    assert any(
        "cannot be fitted" in note for note in a.notes
    )  # the model could not be fitted, and it is said

    same_day = _ledger([(f"c{i}", "2025-05-05", 10.0) for i in range(30)])
    b = xs.analyze(same_day)
    assert len(b.customers) == 30
    assert set(b.customers["buyer_status"]) == {"first_time"}


def test_transactions_already_read_are_reused(sample_analysis):
    again = xs.analyze(sample_analysis.transactions, settings={"clv": {"predictive": False}})
    assert again.transactions is sample_analysis.transactions
    pd.testing.assert_series_equal(again.customers["rfm_segment"], sample_analysis.customers["rfm_segment"])


def test_progress_is_reported_in_order():
    seen = []
    xs.analyze(_ledger([("A", "2025-01-01", 5.0)]), progress=lambda stage, frac: seen.append((stage, frac)))
    assert [s for s, _ in seen] == ["read", "summary", "segments", "clv", "lapse", "actions", "done"]
    assert [f for _, f in seen] == sorted(f for _, f in seen) and seen[-1][1] == 1.0
