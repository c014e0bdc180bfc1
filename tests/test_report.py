"""Report tables: values checked against direct pandas computations, labels, order, FR/EN."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_report_fixture import make_analysis

from xlsegment.report import (
    build_report,
    class_label,
    customers_view,
    headline,
    mailing_table,
    model_tables,
    pareto_table,
    rfm_grid,
    segment_table,
    settings_table,
    sheet_names,
    unique_headers,
)


def test_headline_values_match_pandas():
    a = make_analysis(80, seed=3)
    c = a.customers
    t = headline(a, "en")
    assert t.value("customers") == 80
    assert t.value("revenue") == pytest.approx(c["revenue"].sum())
    assert t.value("basket") == pytest.approx(c["revenue"].sum() / c["orders"].sum())
    top = c.loc[c["pareto"] == "top20", "revenue"].sum() / c["revenue"].sum()
    assert t.value("top20_share") == pytest.approx(top)
    assert t.value("lapsed") == int(c["lapsed_12m"].sum())
    assert t.value("active") + t.value("lapsed") == 80
    assert t.value("clv_total") == pytest.approx(np.nansum(c["clv"]))
    assert t.value("as_of") == pd.Timestamp("2024-01-01")
    assert len(t.row_keys) == len(t.row_kinds) == len(t.frame)


def test_headline_leaves_out_figures_without_their_column():
    a = make_analysis(20)
    a.customers = a.customers.drop(columns=["lapsed_12m", "pareto", "pareto_label", "clv"])
    t = headline(a, "en")
    assert "lapsed" not in t.row_keys and "top20_share" not in t.row_keys and "clv_total" not in t.row_keys
    assert t.value("customers") == 20


def test_segment_table_matches_groupby():
    a = make_analysis(120, seed=5)
    c = a.customers
    t = segment_table(a, "en", "rfm_segment")
    f = t.frame.set_index(t.header("segment"))
    for code, group in c.groupby("rfm_segment"):
        name = class_label("rfm_segment", code, "en")
        assert f.loc[name, t.header("customers")] == len(group)
        assert f.loc[name, t.header("revenue")] == pytest.approx(group["revenue"].sum())
        assert f.loc[name, t.header("basket")] == pytest.approx(
            group["revenue"].sum() / group["orders"].sum()
        )
        assert f.loc[name, t.header("avg_clv")] == pytest.approx(group["clv"].mean())
        assert f.loc[name, t.header("revenue_share")] == pytest.approx(
            group["revenue"].sum() / c["revenue"].sum()
        )
    # classification order of rules/classifications.csv
    assert t.row_keys == [
        k
        for k in ["champions", "loyal", "new", "at_risk", "hibernating", "lost"]
        if k in set(c["rfm_segment"])
    ]


@settings(max_examples=15, deadline=None)
@given(n=st.integers(1, 60), seed=st.integers(0, 10_000))
def test_segment_and_pareto_totals(n, seed):
    a = make_analysis(n, seed=seed)
    t = segment_table(a, "en")
    assert t.frame[t.header("customers")].sum() == n
    assert t.frame[t.header("customers_share")].sum() == pytest.approx(1.0)
    assert t.frame[t.header("revenue")].sum() == pytest.approx(a.customers["revenue"].sum())
    p = pareto_table(a, "en")
    assert len(p.frame) == min(n, 10)
    assert p.frame.iloc[:, 1].sum() == pytest.approx(a.customers["revenue"].sum())
    assert p.frame.iloc[-1, 2] == pytest.approx(1.0)
    if n % 10 == 0:  # equal tenths: revenue decreases from one tenth to the next
        assert (np.diff(p.frame.iloc[:, 1].to_numpy()) <= 1e-9).all()
    grid = rfm_grid(a, "en")
    assert grid.frame.iloc[:, 1:].to_numpy().sum() == n


def test_pareto_tenths_hold_a_tenth_of_customers():
    a = make_analysis(100, seed=1)
    p = pareto_table(a, "en")
    rev = np.sort(a.customers["revenue"].to_numpy())[::-1]
    assert p.frame.iloc[0, 1] == pytest.approx(rev[:10].sum())
    assert p.frame.iloc[1, 2] == pytest.approx(rev[:20].sum() / rev.sum())


def test_rfm_grid_counts_cells():
    a = make_analysis(90, seed=2)
    g = rfm_grid(a, "en")
    c = a.customers
    row = g.row_keys.index("5")
    assert g.frame.loc[row, "F3"] == int(((c["r_score"] == 5) & (c["f_score"] == 3)).sum())
    assert g.row_keys[0] == "5"  # best recency first


def test_rfm_grid_absent_without_scores():
    a = make_analysis(10)
    a.customers = a.customers.drop(columns=["r_score"])
    assert rfm_grid(a, "en") is None


def test_customers_view_labels_order_and_every_column():
    a = make_analysis(30, lang="fr")
    a.customers["extra_metric"] = 1.5
    t = customers_view(a, "fr")
    assert t.keys[0] == "customer_id" and t.frame.columns[0] == "Client"
    # classes shown by label, the code column not repeated
    assert t.frame[t.header("rfm_segment")].iloc[0] == a.customers["rfm_segment_label"].iloc[0]
    assert "rfm_segment_label" not in t.keys
    # every analysis column is shown (codes through their label)
    shown = set(t.keys)
    for col in a.customers.columns:
        assert col in shown or (col.endswith("_label") and col[:-6] in shown)
    assert "extra_metric" in shown and t.kinds[t.keys.index("extra_metric")] == "number"
    assert len(set(map(str.lower, t.frame.columns))) == len(t.frame.columns)
    assert t.kinds[t.keys.index("last_purchase")] == "date"
    assert t.kinds[t.keys.index("lapsed_12m")] == "flag"
    assert t.header("recency") == "Récence (jours)"  # durations name the time unit


def test_customers_view_does_not_modify_input():
    a = make_analysis(15)
    before = a.customers.copy()
    build_report(a, "en")
    pd.testing.assert_frame_equal(a.customers, before)


def testunique_headers():
    assert unique_headers(["Segment", "segment", "Segment", ""]) == [
        "Segment",
        "segment (2)",
        "Segment (3)",
        "Column",
    ]


def test_languages_and_sheet_names():
    assert sheet_names("fr") == {
        "summary": "Commencez ici",
        "week": "Cette semaine",
        "customers": "Clients",
        "actions": "Actions",
        "model": "Modèle",
        "settings": "Paramètres",
    }
    assert sheet_names("en")["customers"] == "Customers"
    fr, en = build_report(make_analysis(20, lang="fr"), "fr"), build_report(make_analysis(20), "en")
    assert fr.headline.frame.iloc[0, 0] == "Clients" and en.headline.frame.iloc[0, 0] == "Customers"
    with pytest.raises(ValueError, match="not supported"):
        build_report(make_analysis(5), "de")


def test_mailing_only_customers_with_an_action_sorted():
    a = make_analysis(50, seed=4)
    t = mailing_table(a, "en")
    expected = a.customers["next_action"].notna().sum()
    assert len(t.frame) == expected
    actions = t.frame[t.header("next_action")].tolist()
    assert actions == sorted(actions)
    assert t.has("email")


def test_model_tables_flatten_nested_results():
    @dataclasses.dataclass
    class Fit:
        params: dict
        converged: bool

    a = make_analysis(
        5, model={"bgnbd": Fit({"r": 0.24, "alpha": 4.4}, True), "backtest": pd.DataFrame({"x": [1, 2]})}
    )
    tables = model_tables(a, "en")
    params = dict(zip(tables[0].frame.iloc[:, 0], tables[0].frame.iloc[:, 1], strict=True))
    # parameters named in words, flags as Yes/No; keys without a label stay in the API only
    assert params == {"Purchase model (BG/NBD): r": 0.24, "Purchase model (BG/NBD): alpha": 4.4,
                      "Purchase model: fit converged": "Yes"}  # fmt: skip
    assert tables[1].frame["x"].tolist() == [1, 2]
    assert tables[1].title == "Backtest: predicted against actual purchases"
    none = model_tables(make_analysis(5), "fr")
    assert "Aucun modèle" in none[0].frame.iloc[0, 0]


def test_settings_table_lists_every_parameter():
    a = make_analysis(5)
    t = settings_table(a, "en")
    params = dict(zip(t.frame.iloc[:, 0], t.frame.iloc[:, 1], strict=True))
    assert params["RFM: number of scores"] == 5
    assert params["ABC: revenue thresholds"] == "[0.8, 0.95]"
    assert params["clv.horizon_months"] == 12  # no label for this key: shown by its name
    assert params["Time unit"] == "days"
    assert params["Language"] == "English"
    a.settings.actions = {"capacity": {"phone": 20, "email": 500}}
    fr = dict(zip(*settings_table(a, "fr").frame.T.values, strict=True))
    assert fr["Appels par semaine"] == 20 and fr["E-mails par semaine"] == 500
    assert fr["Langue"] == "Français"


def test_real_pipeline_segment_table_agrees_with_analysis_segments(sample_ledger):
    if not sample_ledger.exists():
        pytest.skip("sample ledger not generated")
    from xlsegment.pipeline import analyze

    a = analyze(sample_ledger)
    t = segment_table(a, "en", a.settings.segment_by)
    ours = t.frame.set_index(pd.Index(t.row_keys))
    theirs = a.segments  # computed by the pipeline, independently of report.py
    for code in theirs.index:
        assert ours.loc[code, t.header("customers")] == theirs.loc[code, "customers"]
        assert ours.loc[code, t.header("revenue")] == pytest.approx(theirs.loc[code, "revenue"])
        assert ours.loc[code, t.header("basket")] == pytest.approx(theirs.loc[code, "basket"])
        assert ours.loc[code, t.header("avg_clv")] == pytest.approx(theirs.loc[code, "mean_clv"])
