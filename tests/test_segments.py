"""Segmentation engine: hand-checked classifications, invariants (hypothesis) and bad input."""

from __future__ import annotations

import csv
import warnings
from importlib import resources

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlsegment import (
    abc_classes,
    behaviour_classes,
    buyer_status,
    customer_types,
    explain,
    frat_scores,
    pareto_20_40,
    rfm_scores,
    segment,
    value_score,
)
from xlsegment.errors import ConfigError, LedgerError
from xlsegment.segments import (
    SegmentConfig,
    SegmentWarning,
    class_shares,
    explain_text,
    relabel,
    segment_rules_table,
)
from xlsegment.segments.rfm import fixed_scores, quantile_scores, score_dimension

CODE_COLUMNS = ["abc", "pareto", "buyer_status", "rfm_segment", "lifecycle", "behaviour", "customer_type"]


def make_summary(revenue, orders=None, recency=None, orders_12m=None, **extra) -> pd.DataFrame:
    """A customer summary as summarize() would give it (the columns segment() reads)."""
    n = len(revenue)
    revenue = np.asarray(revenue, dtype="float64")
    orders = np.asarray(orders if orders is not None else [1] * n, dtype="int64")
    recency = np.asarray(recency if recency is not None else [10.0] * n, dtype="float64")
    orders_12m = np.asarray(orders_12m if orders_12m is not None else np.where(recency <= 365, orders, 0))
    frame = pd.DataFrame(
        {
            "orders": orders,
            "frequency": orders - 1,
            "recency": recency,
            "revenue": revenue,
            "basket": revenue / np.maximum(orders, 1),
            "orders_12m": orders_12m,
            **extra,
        },
        index=pd.Index([f"c{i:03d}" for i in range(n)], name="customer_id"),
    )
    frame.attrs = {"as_of": pd.Timestamp("2024-12-31"), "time_unit": "D"}
    return frame


def quiet_segment(summary, config=None, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SegmentWarning)
        return segment(summary, config, **options)


# --- ABC and Pareto ---------------------------------------------------------------------------


def test_abc_hand_example():
    # total 1000; revenue ranked before each: 0, 500, 800, 900, 950, 980
    s = make_summary([100, 500, 20, 300, 50, 30])
    abc = abc_classes(s)
    assert abc.tolist() == ["B", "A", "C", "A", "B", "C"]
    info = abc.attrs["abc"]
    assert info["customers"] == [2, 2, 2]
    assert info["revenue_share"] == pytest.approx([0.8, 0.15, 0.05])


def test_abc_thresholds_configurable():
    s = make_summary([100, 500, 20, 300, 50, 30])
    # before: 100 -> 80 %, 300 -> 50 %, 50 -> 90 % (not below 90 %: C)
    assert abc_classes(s, thresholds=(0.5, 0.9)).tolist() == ["B", "A", "C", "B", "C", "C"]


def test_abc_ties_get_one_class_whatever_the_order():
    # 400 + 300 + 300: the two 300s straddle 80 %; both take the class of the first of them
    s = make_summary([300, 400, 300])
    assert abc_classes(s).tolist() == ["A", "A", "A"]
    assert abc_classes(s.iloc[::-1]).tolist() == ["A", "A", "A"]


def test_abc_non_positive_revenue_is_c():
    s = make_summary([100, 0, -20])
    assert abc_classes(s).tolist() == ["A", "C", "C"]


def test_pareto_hand_example():
    s = make_summary([100, 500, 20, 300, 50, 30])
    # ranks 1..6 -> share of customers before: 0, 1/6, 2/6, 3/6, 4/6, 5/6
    assert pareto_20_40(s).tolist() == ["next40", "top20", "rest40", "top20", "next40", "rest40"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.floats(min_value=0.01, max_value=1e6, allow_nan=False), min_size=1, max_size=200))
def test_abc_shares_monotone_and_sum_to_one(revenues):
    s = make_summary(revenues)
    abc = abc_classes(s)
    info = abc.attrs["abc"]
    assert sum(info["revenue_share"]) == pytest.approx(1.0)
    assert sum(info["customer_share"]) == pytest.approx(1.0)
    rev = s["revenue"]
    # every A customer has at least the revenue of every B customer, and B of C
    for high, low in (("A", "B"), ("B", "C"), ("A", "C")):
        if (abc == high).any() and (abc == low).any():
            assert rev[abc == high].min() >= rev[abc == low].max()
    assert abc.iloc[int(np.argmax(rev.to_numpy()))] == "A"


def test_class_shares_table():
    seg = quiet_segment(make_summary([100, 500, 20, 300, 50, 30]))
    table = class_shares(seg, "abc")
    assert table.index.tolist() == ["A", "B", "C"]
    assert table["revenue"].tolist() == [800, 150, 50]
    assert table["customer_share"].sum() == pytest.approx(1.0)


# --- buyer status and behaviour ----------------------------------------------------------------


def test_buyer_status_hand_example():
    s = make_summary([10, 10, 10, 10], orders=[1, 5, 4, 3], orders_12m=[1, 3, 1, 2])
    assert buyer_status(s).tolist() == ["first_time", "regular", "occasional", "occasional"]
    assert buyer_status(s, regular_min_orders_12m=2).tolist() == [
        "first_time",
        "regular",
        "occasional",
        "regular",
    ]


def test_behaviour_classes_hand_example():
    # baskets 100, 20, 300, 10, 50 -> median 50; recency 400 days is beyond 12 months
    s = make_summary(
        [400, 80, 300, 10, 50],
        orders=[4, 4, 1, 1, 1],
        recency=[5, 20, 30, 40, 400],
        orders_12m=[4, 4, 1, 1, 0],
    )
    out = behaviour_classes(s)
    assert out.tolist() == [
        "regular_heavy",
        "regular_light",
        "occasional_heavy",
        "occasional_light",
        "former",
    ]
    assert out.attrs["behaviour"]["median"] == 50
    # with 6 months, a purchase 200 days ago makes a former buyer too
    s2 = make_summary([10, 10], recency=[100, 200])
    assert behaviour_classes(s2, former_months=6).tolist()[1] == "former"
    assert behaviour_classes(s2, former_months=12).tolist()[1] != "former"


def test_behaviour_reads_recency_in_the_summary_unit():
    s = make_summary([10, 10], recency=[50, 60])  # weeks: 350 and 420 days
    s.attrs["time_unit"] = "W"
    assert behaviour_classes(s).tolist() == ["occasional_light", "former"]


def test_behaviour_heavy_by_revenue():
    s = make_summary([100, 300], orders=[10, 1], orders_12m=[0, 0])
    assert behaviour_classes(s, heavy_by="basket").tolist() == ["occasional_light", "occasional_heavy"]
    assert behaviour_classes(s, heavy_by="revenue").tolist() == ["occasional_light", "occasional_heavy"]
    s2 = make_summary([400, 300], orders=[10, 1], orders_12m=[0, 0])
    assert behaviour_classes(s2, heavy_by="revenue").tolist() == ["occasional_heavy", "occasional_light"]


# --- RFM binning -------------------------------------------------------------------------------


def test_quantile_equal_groups_without_ties():
    scores, info = quantile_scores(np.arange(100, dtype=float), 5)
    assert np.bincount(scores).tolist() == [0, 20, 20, 20, 20, 20]
    assert info["ranges"][0] == [0.0, 19.0] and info["ranges"][4] == [80.0, 99.0]
    assert info["warning"] is None


def test_quantile_big_tie_keeps_the_scale():
    # 60 % one-time buyers: score 1 for them, the others spread over 2..5 (no collapse)
    values = np.array([1] * 60 + [2] * 15 + [3] * 10 + [4] * 8 + [5] * 4 + [8] * 3, dtype=float)
    with pytest.warns(SegmentWarning, match="60%"):
        scores, _ = score_dimension(values, 5, "quantile")
    assert set(scores[values == 1]) == {1}
    assert scores.max() == 5 and sorted(set(scores)) == [1, 2, 3, 4, 5]


def test_quantile_few_distinct_values_spread_with_warning():
    with pytest.warns(SegmentWarning, match="only 2 distinct"):
        scores, _ = score_dimension(np.array([1.0, 1.0, 2.0]), 5, "quantile")
    assert scores.tolist() == [1, 1, 5]
    with pytest.warns(SegmentWarning, match="same value"):
        scores, _ = score_dimension(np.array([7.0, 7.0]), 5, "quantile")
    assert scores.tolist() == [3, 3]


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=300),
    st.integers(min_value=2, max_value=9),
)
def test_quantile_ties_never_split_and_monotone(values, n):
    x = np.asarray(values, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SegmentWarning)
        scores, _ = quantile_scores(x, n)
        down, _ = quantile_scores(x, n, higher_is_better=False)
    assert scores.min() >= 1 and scores.max() <= n
    for v in np.unique(x):
        assert len(set(scores[x == v])) == 1
    order = np.argsort(x, kind="stable")
    assert np.all(np.diff(scores[order]) >= 0)
    assert np.all(np.diff(down[order]) <= 0)
    if len(np.unique(x)) >= n:
        assert len(set(scores)) == n


def test_fixed_thresholds_upper_bounds_inclusive():
    rec, _ = fixed_scores(np.array([0, 30, 31, 90, 365, 400.0]), [30, 90, 180, 365], higher_is_better=False)
    assert rec.tolist() == [5, 5, 4, 4, 2, 1]
    freq, _ = fixed_scores(np.array([1, 2, 3, 4, 8, 9.0]), [1, 2, 4, 8])
    assert freq.tolist() == [1, 2, 3, 3, 4, 5]
    with pytest.raises(ConfigError, match="increasing"):
        fixed_scores(np.array([1.0]), [5, 2])


def test_rfm_scores_fixed_in_days_whatever_the_unit():
    s = make_summary([10, 20, 30], orders=[1, 3, 9], recency=[2, 10, 60])  # weeks
    s.attrs["time_unit"] = "W"
    breaks = {"recency": [30, 90, 180, 365], "frequency": [1, 2, 4, 8], "monetary": [10, 15, 25, 50]}
    out = rfm_scores(s, method="fixed", breaks=breaks)
    assert out["r_score"].tolist() == [5, 4, 1]  # 14, 70, 420 days
    assert out["f_score"].tolist() == [1, 3, 5]
    assert out["m_score"].tolist() == [1, 3, 4]
    assert out["rfm_code"].tolist() == ["511", "433", "154"]


def test_rfm_recency_high_score_is_recent():
    s = make_summary(list(range(1, 11)), recency=list(range(10, 110, 10)))
    out = rfm_scores(s)
    assert out["r_score"].iloc[0] == 5 and out["r_score"].iloc[-1] == 1
    ranges = out.attrs["rfm"]["dimensions"]["recency"]["ranges"]
    assert ranges[4] == [10.0, 20.0]  # score 5 = the most recent fifth


def test_frat_adds_breadth_score():
    s = make_summary(
        list(range(1, 11)), n_categories=[1, 1, 1, 2, 2, 3, 3, 4, 5, 6], main_category=["x"] * 10
    )
    out = frat_scores(s)
    assert out["t_score"].iloc[0] == 1 and out["t_score"].iloc[-1] == 5
    assert (out["frat_code"].astype(str) == out["rfm_code"].astype(str) + out["t_score"].astype(str)).all()


# --- value score and customer types ------------------------------------------------------------


def test_value_score_lists_absent_signals():
    s = make_summary([10, 20, 30], orders=[1, 2, 3])
    out = value_score(s)
    info = out.attrs["value_score"]
    assert info["signals"] == ["frequency"]
    assert set(info["absent"]) == {"margin", "full_price", "no_returns", "pays_on_time", "few_contacts"}
    assert out.tolist() == [0.0, 50.0, 100.0]  # percentile of orders in the last 12 months


def test_value_score_hand_computed_signals():
    s = make_summary(
        [100, 100],
        orders=[2, 4],
        return_rate=[0.0, 0.5],
        discount_share=[0.25, 1.0],
        payment_delay=[0.0, 30.0],
        service_contacts=[0.0, 4.0],
    )
    assert value_score(s, weights={"no_returns": 1}).tolist() == [100.0, 50.0]
    assert value_score(s, weights={"full_price": 1}).tolist() == [75.0, 0.0]
    assert value_score(s, weights={"pays_on_time": 1}).tolist() == [100.0, 50.0]
    assert value_score(s, weights={"few_contacts": 1}).tolist() == [100.0, 50.0]  # 4 contacts / 4 orders
    both = value_score(s, weights={"no_returns": 3, "full_price": 1}).tolist()
    assert both == [pytest.approx((3 * 100 + 75) / 4, abs=0.05), pytest.approx((3 * 50 + 0) / 4, abs=0.05)]
    with pytest.raises(ConfigError, match="unknown signals"):
        value_score(s, weights={"loyalty": 1})


def test_customer_types_rules():
    s = make_summary(
        [1000, 900, 10, 10, 10, 10, 10],
        orders=[10, 10, 1, 1, 3, 3, 3],
        recency=[5, 5, 5, 5, 5, 5, 500],
        orders_12m=[10, 10, 1, 1, 3, 3, 0],
        margin_rate=[0.3, -0.1, 0.3, 0.3, 0.3, 0.3, 0.3],
        return_rate=[0.0, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0],
    )
    s.loc["c002", ["revenue", "basket"]] = [200, 200]  # one big first purchase: occasional heavy
    out = customer_types(s)
    assert out["c000"] == "key"
    assert out["c001"] == "losing"  # negative margin
    assert out["c002"] == "high_potential"
    assert out["c003"] == "losing"  # returns
    assert out["c004"] in ("base", "high_potential")
    assert out["c006"] == "losing"  # former
    assert "losing" in out.attrs["customer_type"]["rule"]


# --- segment(): contract and invariants --------------------------------------------------------


def random_summary(n: int, seed: int = 0, **extra) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    orders = rng.geometric(0.45, n)
    recency = rng.integers(0, 900, n).astype(float)
    revenue = np.round(orders * rng.gamma(2.0, 40.0, n), 2)
    orders_12m = np.where(recency < 365, rng.integers(0, orders + 1), 0)
    return make_summary(revenue, orders=orders, recency=recency, orders_12m=orders_12m, **extra)


def test_segment_contract_columns_and_partition():
    s = random_summary(
        500, n_categories=np.random.default_rng(1).integers(1, 6, 500), main_category=["a"] * 500
    )
    before = s.copy()
    seg = quiet_segment(s, lang="fr")
    pd.testing.assert_frame_equal(s, before)  # input untouched
    assert list(seg.index) == list(s.index)
    assert list(seg.columns[: len(s.columns)]) == list(s.columns)
    for col in CODE_COLUMNS:
        assert seg[col].notna().all(), col
        assert f"{col}_label" in seg.columns
    for col in ("r_score", "f_score", "m_score", "t_score"):
        assert seg[col].between(1, 5).all()
    assert seg["value_score"].between(0, 100).all()
    assert (
        seg["rfm_code"].astype(str) == seg[["r_score", "f_score", "m_score"]].astype(str).agg("".join, axis=1)
    ).all()
    assert seg.loc[seg["abc"] == "A", "abc_label"].iloc[0] == "Clients A"
    rules = seg.attrs["segment_rules"]
    assert rules["abc"]["thresholds"] == [0.8, 0.95]
    assert len(rules["rfm"]["dimensions"]["monetary"]["ranges"]) == 5
    assert rules["rfm_segment"]["gaps"] == 0 and rules["lifecycle"]["gaps"] == 0
    assert seg.attrs["as_of"] == s.attrs["as_of"]
    # bundled tables cover every cell: nobody is "other"
    assert (seg["rfm_segment"] != "other").all() and (seg["lifecycle"] != "other").all()


def test_segment_labels_switch_language():
    seg = quiet_segment(random_summary(50))
    fr = relabel(seg, "fr")
    assert set(fr["customer_type_label"].astype(str)) <= {
        "Client clé",
        "Client à fort potentiel",
        "Client de base",
        "Client perdant",
    }
    assert (fr["abc"] == seg["abc"]).all()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(min_value=1, max_value=120),
    st.integers(min_value=0, max_value=10_000),
    st.randoms(),
    st.sampled_from(["quantile", "r_rfm"]),
)
def test_segment_does_not_depend_on_row_order(n, seed, rnd, method):
    s = random_summary(n, seed)
    order = list(range(n))
    rnd.shuffle(order)
    a = quiet_segment(s, rfm_method=method)
    b = quiet_segment(s.iloc[order], rfm_method=method).loc[a.index]
    cols = [*CODE_COLUMNS, "r_score", "f_score", "m_score", "value_score"]
    pd.testing.assert_frame_equal(
        a[cols].astype(str).reset_index(drop=True), b[cols].astype(str).reset_index(drop=True)
    )


def test_segment_one_customer():
    seg = quiet_segment(make_summary([120.0], orders=[3], recency=[30], orders_12m=[3]))
    row = seg.iloc[0]
    assert row["abc"] == "A" and row["pareto"] == "top20"
    assert row["buyer_status"] == "regular"
    assert (row["r_score"], row["f_score"], row["m_score"]) == (3, 3, 3)
    assert row["rfm_segment"] == "need_attention" and row["lifecycle"] == "good"


def test_segment_all_one_purchase():
    s = make_summary([10, 20, 30, 40, 50, 60], orders=[1] * 6, recency=[1, 50, 100, 200, 300, 700])
    with pytest.warns(SegmentWarning, match="frequency"):
        seg = segment(s)
    assert (seg["buyer_status"] == "first_time").all()
    assert (seg["f_score"] == 3).all()
    assert seg["behaviour"].iloc[-1] == "former"
    assert seg["m_score"].tolist() == [1, 2, 3, 3, 4, 5] or seg["m_score"].is_monotonic_increasing


def test_segment_all_equal_amounts():
    # every customer spent the same: nobody outweighs anybody
    s = make_summary([50.0] * 8, orders=[1, 2, 3, 4, 1, 2, 3, 4], recency=[10, 20, 30, 40, 50, 60, 70, 80])
    with pytest.warns(SegmentWarning, match="monetary"):
        seg = segment(s, heavy_by="revenue")
    assert (seg["abc"] == "A").all()
    assert (seg["m_score"] == 3).all()
    assert seg["behaviour"].isin(["regular_light", "occasional_light"]).all()
    # every order has the same amount: the same basket, all light buyers
    orders = np.array([1, 2, 3, 4, 1, 2, 3, 4])
    same_basket = make_summary(50.0 * orders, orders=orders, recency=[10, 20, 30, 40, 50, 60, 70, 80])
    seg = quiet_segment(same_basket)
    assert seg["behaviour"].isin(["regular_light", "occasional_light"]).all()
    assert seg["m_score"].tolist() == seg["f_score"].tolist()


def test_segment_empty_summary():
    s = make_summary([])
    seg = quiet_segment(s)
    assert len(seg) == 0 and "rfm_segment_label" in seg.columns


def test_segment_missing_column_is_named():
    s = make_summary([10, 20]).drop(columns=["orders_12m"])
    with pytest.raises(LedgerError, match="orders_12m"):
        segment(s)


def test_segment_missing_value_names_the_customer():
    s = make_summary([10, 20, 30])
    s.loc["c001", "revenue"] = np.nan
    with pytest.raises(LedgerError, match="c001") as err:
        segment(s)
    assert "revenue" in str(err.value)


def test_segment_rejects_a_non_frame():
    with pytest.raises(LedgerError, match="DataFrame"):
        segment([1, 2, 3])


def test_segment_unknown_option():
    with pytest.raises(ConfigError, match="rfm_binz"):
        segment(make_summary([1, 2]), rfm_binz=3)


def test_segment_config_checks():
    with pytest.raises(ConfigError, match="rfm_method"):
        SegmentConfig(rfm_method="kmeans")
    with pytest.raises(ConfigError, match="rfm_breaks"):
        SegmentConfig(rfm_method="fixed")
    with pytest.raises(ConfigError, match="abc_thresholds"):
        SegmentConfig(abc_thresholds=(0.95, 0.8))
    with pytest.raises(ConfigError, match="rfm_bins"):
        SegmentConfig(rfm_bins=1)
    with pytest.raises(ConfigError, match="heavy_by"):
        SegmentConfig(heavy_by="margin")
    with pytest.raises(ConfigError, match="former_months"):
        SegmentConfig(former_months=0)


def test_value_weights_must_be_non_negative_numbers():
    with pytest.raises(ConfigError, match=">= 0"):
        value_score(make_summary([1, 2]), weights={"frequency": -1})


def test_fixed_breaks_must_name_known_dimensions():
    with pytest.raises(ConfigError, match="unknown dimensions"):
        segment(make_summary([1, 2]), rfm_method="fixed", rfm_breaks={"recent": [1, 2]})


def test_text_numbers_in_the_summary_are_read_and_bad_ones_named():
    s = make_summary([10, 20, 30])
    s["revenue"] = ["10", "20", "trente"]
    with pytest.raises(LedgerError, match="c002"):
        segment(s)


def test_segment_three_scores_with_the_five_score_tables():
    seg = quiet_segment(random_summary(300), rfm_bins=3)
    assert seg["r_score"].between(1, 3).all()
    assert (seg["rfm_segment"] != "other").all()
    assert seg.attrs["segment_rules"]["rfm_segment"]["rescaled_from"] == [3, 3, 3]


def test_segment_config_from_settings_dict():
    cfg = {"regular_min_orders_12m": 1, "former_months": 6}
    seg = quiet_segment(make_summary([10, 10], orders=[2, 2], recency=[10, 200], orders_12m=[1, 1]), cfg)
    assert seg["buyer_status"].tolist() == ["regular", "regular"]
    assert seg["behaviour"].iloc[1] == "former"


def test_segment_rules_table_lists_thresholds():
    seg = quiet_segment(random_summary(200))
    table = segment_rules_table(seg, "fr")
    assert {"classification", "item", "value"} == set(table.columns)
    assert "Classe ABC" in set(table["classification"])
    assert (table["value"] == "80% / 95%").any()


# --- explain -----------------------------------------------------------------------------------


def test_explain_one_sentence_per_classification():
    s = random_summary(100, n_categories=[2] * 100, main_category=["Vins"] * 100)
    seg = quiet_segment(s)
    cid = seg.index[0]
    en = explain(seg, cid, as_dict=True)
    fr = explain(seg, cid, lang="fr", as_dict=True)
    assert set(en) == set(fr) == {*CODE_COLUMNS, "rfm", "frat", "value_score"}
    row = seg.loc[cid]
    assert str(row["rfm_code"]) in en["rfm"]
    assert f"R{row['r_score']} F{row['f_score']} M{row['m_score']}" in en["rfm_segment"]
    assert str(row["abc_label"]) in en["abc"]
    assert "Vins" in fr["frat"]
    assert fr["customer_type"].startswith(str(relabel(seg, "fr").loc[cid, "customer_type_label"]))
    with pytest.raises(KeyError, match="nobody"):
        explain(seg, "nobody")
    assert explain_text(seg, cid, "fr").split("\n") == list(fr.values())


# --- data files --------------------------------------------------------------------------------


def _rules_csv(name: str) -> list[dict[str, str]]:
    entry = resources.files("xlsegment") / "rules" / name
    with entry.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_classifications_and_labels_agree():
    classes = _rules_csv("classifications.csv")
    labels = {row["key"]: row for row in _rules_csv("labels_segments.csv")}
    assert {"abc", "pareto", "buyer_status", "rfm_segment", "lifecycle", "behaviour", "customer_type"} <= {
        r["classification"] for r in classes
    }
    for row in classes:
        entry = labels[f"{row['classification']}.{row['code']}"]
        assert (entry["en"], entry["fr"]) == (row["en"], row["fr"])
        assert row["description_en"] and row["description_fr"]


def test_every_code_produced_is_in_classifications():
    classes = {(r["classification"], r["code"]) for r in _rules_csv("classifications.csv")}
    seg = quiet_segment(random_summary(400))
    for col in CODE_COLUMNS:
        for code in seg[col].cat.categories:
            assert (col, code) in classes, (col, code)


def test_segment_only_chosen_classifications():
    s = random_summary(80).drop(columns=["orders_12m"])  # RFM alone does not need it
    seg = quiet_segment(s, classifications=["rfm_segment"])
    added = [c for c in seg.columns if c not in s.columns]
    assert added == [
        "value_note",
        "r_score",
        "f_score",
        "m_score",
        "rfm_code",
        "rfm_segment",
        "rfm_segment_label",
    ]
    assert set(explain(seg, seg.index[0], as_dict=True)) == {"rfm", "rfm_segment"}
    assert set(segment_rules_table(seg)["classification"]) == {"RFM scores", "RFM segment"}
    full = quiet_segment(random_summary(80), classifications=["customer_type"])
    assert {"abc", "behaviour", "value_score", "customer_type"} <= set(full.columns)
    assert "rfm_segment" not in full.columns
    with pytest.raises(ConfigError, match="unknown classifications"):
        segment(s, classifications=["clv"])


def test_explain_names_the_reason_of_a_losing_customer():
    s = make_summary(
        [100, 200, 300, 400], orders=[2, 2, 2, 2], orders_12m=[2, 2, 2, 2], return_rate=[0.4, 0.0, 0.0, 0.0]
    )
    seg = quiet_segment(s)
    assert seg.loc["c000", "customer_type"] == "losing"
    assert "40%" in explain(seg, "c000", as_dict=True)["customer_type"]
    assert "25%" in explain(seg, "c000", as_dict=True)["customer_type"]
    assert "retours" in explain(seg, "c000", "fr", as_dict=True)["customer_type"]


def test_user_table_codes_borrow_known_labels():
    table = pd.DataFrame({"code": ["champions", "inactive"], "r_min": [3, 1], "r_max": [5, 2]})
    seg = quiet_segment(random_summary(40), lifecycle_table=table, lang="fr")
    assert set(seg["lifecycle_label"].astype(str)) <= {"Champions", "Inactif"}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=-1e4, max_value=1e4, allow_nan=False), min_size=0, max_size=200))
def test_fast_unique_helpers_match_numpy(values):
    from xlsegment.segments.abc import ranked_order
    from xlsegment.segments.codes import unique_counts, unique_from_descending

    x = np.asarray(values, dtype=float)
    whole = np.round(x)  # whole numbers take the counting path
    cases = [
        (x, unique_counts(x)),
        (whole, unique_counts(whole)),
        (x, unique_from_descending(x, ranked_order(x)[0])),
    ]
    for data, (uniq, inverse, counts) in cases:
        ref_uniq, ref_inverse, ref_counts = np.unique(data, return_inverse=True, return_counts=True)
        assert np.array_equal(uniq, ref_uniq)
        assert np.array_equal(inverse, ref_inverse.reshape(-1))
        assert np.array_equal(counts, ref_counts)
