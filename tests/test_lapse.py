"""Lapse flags (seeds 001, 003): lapsed, overdue, slowing, likely lost, with reasons in French and English."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import xlsegment as xs
from xlsegment.clv import BGNBDResult

AS_OF = "2024-12-31"


def ledger(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["customer_id", "date", "amount"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


@pytest.fixture(scope="module")
def tx() -> pd.DataFrame:
    rows = [
        # yesterday: bought on 2024-12-30, a regular customer
        *[("yesterday", f"2024-{m:02d}-28", 20.0) for m in range(1, 12)],
        ("yesterday", "2024-12-30", 20.0),
        # seven months without a purchase
        ("seven", "2023-11-01", 50.0),
        ("seven", "2024-05-30", 50.0),
        # 14 months without a purchase
        ("fourteen", "2023-01-15", 80.0),
        ("fourteen", "2023-10-31", 80.0),
        # buys every 10 days, then stops 40 days ago: overdue (40 > 2 x 10) but not lapsed
        *[
            ("rhythm", d.strftime("%Y-%m-%d"), 15.0)
            for d in pd.date_range("2024-09-12", "2024-11-21", freq="10D")
        ],
        # 6 orders in the previous 12 months, 1 in the last 12: slowing
        *[("slower", f"2023-{m:02d}-10", 30.0) for m in (1, 3, 5, 7, 9, 11)],
        ("slower", "2024-12-01", 30.0),
        # one order two months ago
        ("once", "2024-10-31", 10.0),
    ]
    return ledger(rows)


@pytest.fixture(scope="module")
def summary(tx) -> pd.DataFrame:
    return xs.summarize(tx, as_of=AS_OF, time_unit="D")


def test_flags(summary):
    out = xs.lapse_flags(summary)
    assert list(out.columns) == [
        "lapsed_6m",
        "lapsed_12m",
        "overdue",
        "slowing",
        "likely_lost",
        "lapse_reason",
    ]
    assert out.index.name == "customer_id"
    expected = {
        "yesterday": (False, False, False, False),
        "seven": (True, False, False, False),  # 215 days since, usual gap 211 days
        "fourteen": (True, True, False, True),  # gap 289 days, 427 since; 2 orders in the previous 12 months
        "rhythm": (False, False, True, False),
        "slower": (False, False, False, True),
        "once": (False, False, False, False),
    }
    for cust, (l6, l12, over, slow) in expected.items():
        row = out.loc[cust]
        assert (row["lapsed_6m"], row["lapsed_12m"], row["overdue"], row["slowing"]) == (
            l6,
            l12,
            over,
            slow,
        ), cust
    assert not out["likely_lost"].any()
    assert out.loc["yesterday", "lapse_reason"] == "" and out.loc["once", "lapse_reason"] == ""


def test_reasons_in_english_and_french(summary):
    en = xs.lapse_flags(summary, lang="en")
    fr = xs.lapse_flags(summary, lang="fr")
    # 2023-10-31 -> 2024-12-31: 427 days = 14.03 months
    assert en.loc["fourteen", "lapse_reason"] == (
        "No purchase for 14 months (over 12); Slowing down: 0 orders in the last 12 months against 2 in the 12 before"
    )
    assert fr.loc["fourteen", "lapse_reason"] == (
        "Aucun achat depuis 14 mois (plus de 12); Ralentit : 0 commandes sur les 12 derniers mois contre 2 sur les "
        "12 précédents"
    )
    assert en.loc["rhythm", "lapse_reason"] == (
        "Overdue: 40 days since the last purchase, over 2 times the usual gap of 10 days"
    )
    assert fr.loc["slower", "lapse_reason"].startswith(
        "Ralentit : 1 commandes sur les 12 derniers mois contre 6"
    )
    assert en.loc["seven", "lapse_reason"] == "No purchase for 7 months (over 6)"


def test_configurable_thresholds(summary):
    out = xs.lapse_flags(summary, lapsed_months=1, lost_months=7, overdue_factor=5, slowing_ratio=0.1)
    assert out.loc["rhythm", "lapsed_6m"]  # 40 days > 1 month
    assert not out.loc["rhythm", "overdue"]  # 40 days < 5 x 10
    assert out.loc["seven", "lapsed_12m"]  # 7 months > 7 months? 215 days > 213 days
    assert not out.loc["slower", "slowing"]  # 1 is not below 0.1 x 6
    assert out.attrs["lost_months"] == 7


def test_likely_lost_from_p_alive_series_frame_or_model(summary):
    p = pd.Series(0.5, index=summary.index)
    p["fourteen"] = 0.05
    p["yesterday"] = 0.01  # the grace period protects a customer who bought yesterday
    out = xs.lapse_flags(summary, p_alive=p, p_alive_threshold=0.2)
    assert out["likely_lost"].sum() == 1 and out.loc["fourteen", "likely_lost"]
    assert "Likely lost: 5% probability" in out.loc["fourteen", "lapse_reason"]
    fr = xs.lapse_flags(summary, p_alive=p.to_frame("p_alive"), lang="fr")
    assert "Probablement perdu : 5 % de probabilité" in fr.loc["fourteen", "lapse_reason"]
    model = BGNBDResult({"r": 0.24, "alpha": 4.4 * 7, "a": 0.79, "b": 2.4}, -1.0, True, 6, 5, "D")
    from_model = xs.lapse_flags(summary, p_alive=model, p_alive_threshold=0.5)
    expected = np.asarray(model.p_alive(summary["frequency"], summary["t_x"], summary["T"])) < 0.5
    expected &= summary["recency"].to_numpy() > 30
    np.testing.assert_array_equal(from_model["likely_lost"].to_numpy(), expected)
    assert from_model.attrs["likely_lost_available"]


def test_slowing_over_another_window_needs_transactions(summary, tx):
    with pytest.raises(ValueError, match="transactions"):
        xs.lapse_flags(summary, window_months=6)
    out = xs.lapse_flags(summary, transactions=tx, window_months=6)
    # slower: 0 orders in Jan-Jun 2024, 1 in the last 6 months -> not slowing; seven: 1 then 0 -> too few before
    assert not out["slowing"].any()
    same = xs.lapse_flags(summary, transactions=tx, window_months=12)
    pd.testing.assert_series_equal(same["slowing"], xs.lapse_flags(summary)["slowing"])


def test_mean_gap_and_recency_in_other_units(tx):
    weeks = xs.lapse_flags(xs.summarize(tx, as_of=AS_OF, time_unit="W"))
    days = xs.lapse_flags(xs.summarize(tx, as_of=AS_OF, time_unit="D"))
    pd.testing.assert_frame_equal(weeks, days)


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("lapsed_months", 0),
        ("overdue_factor", -1),
        ("slowing_ratio", 1.5),
        ("p_alive_threshold", 2),
        ("grace_days", -3),
    ],
)
def test_bad_parameters(summary, param, value):
    with pytest.raises(ValueError, match=param):
        xs.lapse_flags(summary, **{param: value})


def test_bad_language(summary):
    with pytest.raises(ValueError, match="language"):
        xs.lapse_flags(summary, lang="de")


def test_missing_recency():
    with pytest.raises(ValueError, match="recency"):
        xs.lapse_flags(pd.DataFrame({"orders": [1]}))


def test_p_alive_of_the_wrong_length(summary):
    with pytest.raises(ValueError, match="p_alive"):
        xs.lapse_flags(summary, p_alive=[0.5, 0.5])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=1500), min_size=0, max_size=12),
    st.sampled_from(["D", "W", "M"]),
    st.floats(0.5, 5.0),
    st.floats(0.0, 1.0),
)
def test_bought_yesterday_is_never_lapsed(days_ago, unit, factor, p):
    """Whatever the history, a customer whose last purchase was yesterday is not lapsed, overdue or lost."""
    as_of = pd.Timestamp(AS_OF)
    rows = [("c", (as_of - pd.Timedelta(days=d)).strftime("%Y-%m-%d"), 10.0) for d in days_ago]
    rows.append(("c", (as_of - pd.Timedelta(days=1)).strftime("%Y-%m-%d"), 10.0))
    summary = xs.summarize(ledger(rows), as_of=as_of, time_unit=unit)
    out = xs.lapse_flags(summary, overdue_factor=factor, p_alive=pd.Series(p, index=summary.index))
    row = out.loc["c"]
    assert not (row["lapsed_6m"] or row["lapsed_12m"] or row["overdue"] or row["likely_lost"])
