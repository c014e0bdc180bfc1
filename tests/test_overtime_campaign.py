"""Control groups and campaign measurement: a known uplift injected into a simulated ledger is recovered, none
is found where none was injected (at the stated confidence), and the intervals match their references."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

import xlsegment as xs
from xlsegment.overtime import stats
from xlsegment.overtime.holdout import held_out_mask

CAMPAIGN_DATE = pd.Timestamp("2024-03-01")
BASE_RATE = {"loyal": 0.30, "at_risk": 0.15}
UPLIFT = {"loyal": 0.08, "at_risk": 0.0}  # what contacting adds to the purchase rate, per segment
MEAN_BASKET = 60.0


def simulated(seed: int = 11, n: int = 20_000) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A ledger in which contacted loyal customers buy more after the campaign date, at-risk ones do not,
    and the campaign (with its 10 % control group) that was run on it."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"K{i:06d}" for i in range(n)], dtype=object)
    segment = np.where(rng.random(n) < 0.5, "loyal", "at_risk")
    contacts = pd.DataFrame(
        {"customer_id": ids, "segment": segment, "channel": np.where(segment == "loyal", "letter", "email")}
    )
    campaign = xs.campaign_file(xs.hold_out(contacts, 0.10, seed=seed), CAMPAIGN_DATE)
    held = campaign["held_out"].to_numpy()
    rate = np.vectorize(BASE_RATE.get)(segment) + np.where(held, 0.0, np.vectorize(UPLIFT.get)(segment))
    buys = rng.random(n) < rate
    history = pd.DataFrame({"customer_id": ids, "date": pd.Timestamp("2023-06-01"), "amount": 50.0})
    after = pd.DataFrame(
        {
            "customer_id": ids[buys],
            "date": CAMPAIGN_DATE + pd.to_timedelta(rng.integers(0, 60, buys.sum()), "D"),
            "amount": np.round(rng.gamma(2.0, MEAN_BASKET / 2, buys.sum()), 2),
        }
    )
    # purchases before the campaign must not count
    before = pd.DataFrame(
        {"customer_id": ids[:500], "date": CAMPAIGN_DATE - pd.Timedelta(days=3), "amount": 99.0}
    )
    return xs.read_transactions(pd.concat([history, before, after], ignore_index=True)), campaign


@pytest.fixture(scope="module")
def measured():
    ledger, campaign = simulated()
    return xs.measure_campaign(ledger, campaign, lang="en"), campaign


def test_known_uplift_is_recovered(measured):
    result, _ = measured
    row = result.table.set_index("segment").loc["loyal"]
    assert row["contacted"] + row["held_out"] == pytest.approx(10_000, abs=200)
    assert row["held_out"] == round(0.1 * (row["contacted"] + row["held_out"]))
    assert row["rate_low"] <= UPLIFT["loyal"] <= row["rate_high"]
    assert row["rate_low"] > 0 and row["verdict"] == "real_uplift"
    true_revenue_uplift = UPLIFT["loyal"] * MEAN_BASKET
    assert row["revenue_low"] <= true_revenue_uplift <= row["revenue_high"]
    assert row["revenue_verdict"] == "real_uplift"
    assert "the action worked (the difference is real)" in row["text"]


def test_no_uplift_where_none_was_injected(measured):
    result, _ = measured
    row = result.table.set_index("segment").loc["at_risk"]
    assert row["rate_low"] <= 0 <= row["rate_high"]
    assert row["verdict"] == "not_significant"
    assert "may be chance" in row["text"]
    overall = result.table.set_index("segment").loc["*"]
    assert overall["contacted"] + overall["held_out"] == 20_000


def test_counts_equal_a_plain_computation(measured):
    result, campaign = measured
    ledger, _ = simulated()
    lines = ledger.assign(customer_id=ledger["customer_id"].astype(str))
    after = lines[lines["date"] >= CAMPAIGN_DATE]
    bought = set(after.loc[after["amount"] > 0, "customer_id"])
    revenue = after.groupby("customer_id")["amount"].sum()
    table = result.table.set_index("segment")
    for segment, group in campaign.groupby("segment"):
        held = group[group["held_out"]]
        sent = group[~group["held_out"]]
        row = table.loc[segment]
        assert row["buyers_held_out"] == held["customer_id"].isin(bought).sum()
        assert row["buyers_contacted"] == sent["customer_id"].isin(bought).sum()
        assert row["revenue_held_out"] == pytest.approx(revenue.reindex(held["customer_id"]).fillna(0).mean())


def test_false_alarm_rate_matches_the_confidence_and_uplift_is_found():
    # 2,000 campaigns without any effect: about 5 % of 95 % intervals miss zero (binomial 99.9 % bounds)
    rng = np.random.default_rng(3)
    n1, n2, p = 1800, 200, 0.2
    k1, k2 = rng.binomial(n1, p, 2000), rng.binomial(n2, p, 2000)
    false_alarms = sum(
        stats.proportion_difference(a, n1, b, n2).excludes_zero for a, b in zip(k1, k2, strict=True)
    )
    assert 0.03 * 2000 <= false_alarms <= 0.07 * 2000
    # and with a 15-point uplift (about 5 standard errors), nearly every campaign finds it
    k1 = rng.binomial(n1, p + 0.15, 500)
    k2 = rng.binomial(n2, p, 500)
    found = sum(stats.proportion_difference(a, n1, b, n2).low > 0 for a, b in zip(k1, k2, strict=True))
    assert found >= 0.97 * 500


def test_intervals_match_their_references():
    # Newcombe (1998), Statistics in Medicine 17, 873-890: 56/70 - 48/80, method 10 -> 0.0524 to 0.3339
    d = stats.proportion_difference(56, 70, 48, 80)
    assert (round(d.difference, 4), round(d.low, 4), round(d.high, 4)) == (0.2, 0.0524, 0.3339)
    # Wilson interval of 81/263 in the same paper's companion (Newcombe 1998, Stat Med 17, 857-872): 0.2553-0.3662
    assert tuple(round(v, 4) for v in stats.wilson(81, 263)) == (0.2553, 0.3662)
    rng = np.random.default_rng(0)
    x1, x2 = rng.gamma(2, 30, 300), rng.gamma(2, 25, 40)
    ours = stats.mean_difference(x1, x2, 0.9)
    ref = sps.ttest_ind(x1, x2, equal_var=False).confidence_interval(0.9)
    assert ours.low == pytest.approx(ref.low) and ours.high == pytest.approx(ref.high)
    # a control group of 5 where nobody bought: not a certain difference (Welch alone would say so, with the
    # spread of the contacted only); with 300 held out and still nobody buying, it is one
    bought = np.where(rng.random(200) < 0.2, rng.gamma(2, 30, 200), 0.0)
    assert sps.ttest_ind(bought, np.zeros(5), equal_var=False).confidence_interval(0.95).low > 0
    small = stats.mean_difference(bought, np.zeros(5))
    assert small.low < 0 < small.high
    pooled = sps.ttest_ind(bought, np.zeros(5), equal_var=True).confidence_interval(0.95)
    assert small.high - small.low > pooled.high - pooled.low  # as wide as equal spreads, or wider
    assert stats.mean_difference(bought, np.zeros(300)).low > 0


def test_hold_out_is_reproducible_and_exact_per_segment():
    ids = np.array([f"C{i}" for i in range(1000)], dtype=object)
    groups = np.where(np.arange(1000) % 3 == 0, "a", "b")
    mask = held_out_mask(ids, groups, 0.1, seed=7)
    assert mask[groups == "a"].sum() == round(0.1 * (groups == "a").sum())
    assert mask[groups == "b"].sum() == round(0.1 * (groups == "b").sum())
    shuffled = np.random.default_rng(1).permutation(1000)
    again = held_out_mask(ids[shuffled], groups[shuffled], 0.1, seed=7)
    assert np.array_equal(again, mask[shuffled])  # row order does not matter
    assert not np.array_equal(held_out_mask(ids, groups, 0.1, seed=8), mask)
    with pytest.raises(ValueError, match="between 0 and 1"):
        held_out_mask(ids, groups, 10)


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(1, 300), share=st.floats(0.0, 0.5), seed=st.integers(0, 10**6), extra=st.integers(0, 299)
)
def test_adding_one_customer_changes_the_control_group_by_at_most_one(n, share, seed, extra):
    ids = np.array([f"C{i}" for i in range(n + 1)], dtype=object)
    groups = np.zeros(n + 1, dtype=object)
    small = held_out_mask(ids[:n], groups[:n], share, seed)
    big = held_out_mask(ids, groups, share, seed)
    assert small.sum() == np.floor(share * n + 0.5)
    changed = np.flatnonzero(small != big[:n])
    assert len(changed) <= 1


def test_mailing_lists_get_a_control_group_and_the_campaign_file_round_trips(tmp_path):
    analysis = xs.analyze(xs.read_transactions(_sample()), settings={"clv": {"predictive": False}})
    lists = xs.mailing_lists(analysis.customers, "rfm_segment", channel="email", lang="fr")
    marked = xs.hold_out(lists, 0.2, seed=1)
    assert set(marked.lists) == set(lists.lists)
    held = marked.held_out.groupby("segment").size()
    for code, frame in marked.lists.items():
        assert held.get(code, 0) == round(0.2 * len(lists.lists[code]))
        assert len(frame) + held.get(code, 0) == len(lists.lists[code])  # the input is unchanged
    campaign = xs.campaign_file(marked, "2026-11-02")
    assert campaign.columns.tolist() == [
        "customer_id",
        "segment",
        "segment_label",
        "channel",
        "date",
        "held_out",
    ]
    for lang in ("fr", "en"):
        path = xs.write_campaign(campaign, tmp_path / f"campagne_{lang}.csv", lang=lang)
        header = path.read_text(encoding="utf-8-sig").splitlines()[0]
        assert header == ("client;segment;libellé segment;canal;date;témoin" if lang == "fr" else
                          "customer_id,segment,segment_label,channel,date,held_out")  # fmt: skip
        back = xs.read_campaign(path)
        assert back["held_out"].tolist() == campaign["held_out"].tolist()
        assert back["customer_id"].tolist() == campaign["customer_id"].tolist()
        assert (back["date"] == pd.Timestamp("2026-11-02")).all()


def test_no_control_group_and_bad_files_are_explained(tmp_path):
    ledger, campaign = simulated(n=400)
    none_held = campaign.assign(held_out=False)
    result = xs.measure_campaign(ledger, none_held, lang="fr")
    assert set(result.table["verdict"]) == {"no_control"}
    assert "aucun client n'a été mis de côté" in result.sentences[0]
    assert "Newcombe" in result.method and "Welch" in result.method
    bad = tmp_path / "bad.csv"
    bad.write_text("client;date;témoin\nK1;2024-03-01;peut-être\n", encoding="utf-8")
    with pytest.raises(xs.LedgerError, match="is not yes or no") as info:
        xs.read_campaign(bad)
    assert info.value.message("fr") == (
        f"{bad}, colonne 'témoin', ligne 2 : 'peut-être' n'est ni oui ni non (témoin ou non)"
    )
    no_date = tmp_path / "no_date.csv"
    no_date.write_text("client;témoin\nK1;oui\n", encoding="utf-8")
    with pytest.raises(xs.LedgerError) as info:
        xs.read_campaign(no_date)
    assert info.value.message("fr").endswith(
        "il manque au fichier de campagne la ou les colonnes date / date"
    )
    with pytest.raises(ValueError, match="il n'y a encore rien à mesurer"):
        xs.measure_campaign(ledger, campaign.assign(date=pd.Timestamp("2030-01-01")), lang="fr")


def _sample():
    from xlsegment.ledger import sample_ledger_path

    return sample_ledger_path()
