"""The consistency rules of segments/consistency.py hold for every customer of real ledgers."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import xlsegment as xs
from xlsegment.segments.consistency import FORMER_MAX_R_SCORE, RULES, check_consistency


def analysed(source, **settings):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return xs.analyze(source, settings={"clv": {"predictive": False}, **settings})


def assert_consistent(analysis) -> None:
    customers = analysis.customers
    broken = check_consistency(customers)
    assert broken.empty, broken.groupby("rule").size().to_dict()
    # every rule was checked (its columns are there)
    assert {"r_score", "lifecycle", "rfm_segment", "behaviour", "customer_type", "lapsed_12m"} <= set(
        customers
    )


def test_sample_ledger(sample_ledger):
    assert_consistent(analysed(sample_ledger))


def test_cdnow_master(cdnow_master):
    analysis = analysed(cdnow_master)
    assert_consistent(analysis)
    customers = analysis.customers
    former = customers["behaviour"] == "former"
    assert former.sum() > 10_000  # most CDNOW customers lapsed: the rule has work to do
    assert (customers.loc[former, "r_score"] <= FORMER_MAX_R_SCORE).all()


@pytest.mark.slow
def test_online_retail(online_retail):
    assert_consistent(analysed(online_retail))


def test_the_369_day_customer_is_no_longer_a_good_customer():
    """The issue's case: quantile R3 after 369 days read "Need attention" and "Good customer"."""
    rows = [("old", "2023-01-02", 50.0), ("old", "2023-06-01", 40.0), ("old", "2023-11-27", 45.0)]
    for i in range(40):  # many customers who lapsed even longer ago push the quantiles down
        rows.append((f"gone{i}", f"2021-0{1 + i % 9}-1{i % 10}", 30.0 + i))
    for i in range(10):
        rows.append((f"now{i}", f"2024-11-{10 + i}", 20.0 + i))
    ledger = pd.DataFrame(rows, columns=["customer_id", "date", "amount"]).assign(
        date=lambda d: pd.to_datetime(d["date"])
    )
    analysis = analysed(ledger, as_of="2024-11-30")
    old = analysis.customers.loc["old"]
    assert old["recency"] == 369
    assert old["behaviour"] == "former" and old["customer_type"] == "losing"
    assert old["r_score"] <= FORMER_MAX_R_SCORE
    assert old["lifecycle"] not in ("new", "good", "very_good")
    assert old["rfm_segment"] not in ("need_attention", "champions", "loyal")
    assert_consistent(analysis)


def test_check_consistency_names_the_rule_and_customer():
    customers = pd.DataFrame(
        {"recency": [400.0, 10.0], "r_score": [3, 5], "lifecycle": ["good", "very_good"],
         "rfm_segment": ["need_attention", "lost"], "behaviour": ["former", "regular_heavy"],
         "customer_type": ["losing", "key"]},
        index=pd.Index(["a", "b"], name="customer_id"),
    )  # fmt: skip
    customers.attrs["time_unit"] = "D"
    broken = check_consistency(customers)
    assert set(map(tuple, broken.to_numpy())) == {
        ("former_recency_score", "a"), ("former_lifecycle", "a"), ("former_rfm_segment", "a"),
        ("lost_not_very_good", "b"),
    }  # fmt: skip
    assert set(broken["rule"]) <= set(RULES)
    assert np.isin(["former_behaviour", "lapse_flags"], RULES).all()
