"""Cell functions called directly (the classic path: on Linux xlwings' decorators leave them untouched)."""

from __future__ import annotations

import csv
import datetime as dt
import inspect
import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlsegment.excel import functions as f

JAN1, FEB1, MAR1, JUN1 = 45292, 45323, 45352, 45444  # Excel serials of 2024-01-01, 02-01, 03-01, 06-01
LEDGER = [
    ["customer", "date", "amount"],
    ["c1", dt.datetime(2024, 1, 1), 10.0],  # classic COM hands dates as datetimes
    ["c1", MAR1, "20,5"],  # Office.js hands serials; French text numbers
    ["c2", FEB1, 40],
]


def test_every_function_is_prefixed_documented_and_positional():
    for name in f.__all__:
        fn = getattr(f, name)
        assert name.startswith("seg_") and fn.__doc__
        for param in inspect.signature(fn).parameters.values():
            assert param.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD, (name, param.name)


def test_optional_parameters_share_the_python_api_defaults():
    from xlsegment.clv import clv_formula, predict_clv
    from xlsegment.lapse import lapse_flags

    def defaults(fn):
        return {k: p.default for k, p in inspect.signature(fn).parameters.items()}

    clv, api = defaults(f.seg_clv), defaults(clv_formula)
    for name in ("discount_rate", "margin_rate", "periods_per_year"):
        assert clv[name] == api[name]
    pred, api = defaults(f.seg_clv_predict), defaults(predict_clv)
    for name in ("horizon", "unit", "discount_rate"):
        assert pred[name] == api[name]
    lapse, api = defaults(f.seg_lapse), defaults(lapse_flags)
    assert (lapse["lapsed_months"], lapse["lost_months"]) == (api["lapsed_months"], api["lost_months"])


def test_summary_spill_with_chosen_columns():
    out = f.seg_summary(LEDGER, JUN1, None, "en", "orders; revenue; first_purchase")
    assert out[0] == ["Customer", "Orders", "Revenue", "First purchase"]
    rows = {r[0]: r for r in out[1:]}
    assert rows["c1"][1:] == [2, pytest.approx(30.5), dt.datetime(2024, 1, 1)]
    assert rows["c2"][1:] == [1, pytest.approx(40.0), dt.datetime(2024, 2, 1)]


def test_summary_headers_in_french():
    out = f.seg_summary(LEDGER, JUN1, "D", "fr", [["orders"], ["revenue"]])
    assert out[0] == ["Client", "Commandes", "Chiffre d'affaires"]


def test_summary_recency_in_weeks():
    out = f.seg_summary(LEDGER, JUN1, "W", "en", "recency")
    rows = {r[0]: r for r in out[1:]}
    assert rows["c2"][1] == pytest.approx((JUN1 - FEB1) / 7)


def test_rfm_matches_the_python_api(rfm_orders):
    from xlsegment import read_transactions, segment, summarize

    with open(rfm_orders, encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    out = f.seg_rfm(rows, "2006-12-31", 5, "en", None)
    assert out[0][:5] == ["Customer", "R score", "F score", "M score", "RFM code"]
    api = segment(summarize(read_transactions(rfm_orders), as_of="2006-12-31"))
    got = pd.DataFrame(out[1:], columns=out[0]).set_index("Customer")
    assert len(got) == len(api) == 995
    for column, key in (("R score", "r_score"), ("F score", "f_score"), ("M score", "m_score")):
        assert (got[column].astype(int) == api.loc[got.index, key].astype(int)).all()


def test_segments_default_and_unknown_column():
    out = f.seg_segments(LEDGER, None, JUN1, "en")
    assert out[0][0] == "Customer" and len(out) == 3
    bad = f.seg_segments(LEDGER, "revenue, colour", JUN1, "en")
    assert bad[0][0].startswith("xlsegment: columns: 'colour' is not a column") and len(bad) == 1


def test_abc_classes_by_hand():
    # total 1000: revenue before each customer 0 %, 50 %, 80 %, 90 %, 96 % -> A A B B C
    assert f.seg_abc([[500], [300], [100], [60], [40]]) == [["A"], ["A"], ["B"], ["B"], ["C"]]
    # a row range works the same, with other thresholds (A up to 50 %)
    assert f.seg_abc([[500, 300, 100, 60, 40]], 0.5, 0.9) == [["A", "B", "B", "C", "C"]]


def test_segment_name_from_scores_and_a_user_rule_table():
    assert f.seg_segment_name(5, 5, 5) == [["Champions"]]
    assert f.seg_segment_name(5, 5, 5, [["code", "r_min"], ["x", "y"]])[0][0].startswith("xlsegment:")
    rules = [
        ["code", "r_min", "r_max", "f_min", "f_max", "m_min", "m_max", "label_en", "label_fr"],
        ["vip", 4, 5, 4, 5, None, None, "VIP", "Très bons clients"],
    ]
    out = f.seg_segment_name([[5], [1]], [[4], [1]], [[1], [1]], rules, "fr")
    assert out[0] == ["Très bons clients"]
    assert out[1][0] and out[1][0] != "Très bons clients"  # no rule matches: "other"


def test_segment_name_bad_score_only_in_its_cell():
    out = f.seg_segment_name([[5], [7]], [[5], [5]], [[5], [5]])
    assert out[0] == ["Champions"]
    assert out[1][0] == "xlsegment: r: a score is a whole number from 1 to 5, not 7"


def test_simple_clv_formula_by_hand():
    assert f.seg_clv(50, 2, 24) == [[pytest.approx(2400.0)]]  # 50 x 2 per month x 24 months
    # discounted monthly at (1.1)^(1/12) - 1: 100 x annuity factor of 12 months
    i = 1.1 ** (1 / 12) - 1
    expected = 100 * (1 - (1 + i) ** -12) / i
    assert f.seg_clv(100, 1, 12, 0.1) == [[pytest.approx(expected)]]


def test_p_alive_and_predictive_clv_published_values():
    params = [[0.2426, 4.4135, 0.7929, 2.4258, 6.2488, 3.7446, 15.4477]]
    assert f.seg_p_alive(2, 30.43, 38.86, 0.2426, 4.4135, 0.7929, 2.4258)[0][0] == pytest.approx(
        0.727, abs=5e-4
    )
    # undiscounted CLV over 39 weeks = E[Y(39)] (1.226, Fader et al. 2005) x Gamma-Gamma E[M | x=2, m=50]
    p, q, g = 6.2488, 3.7446, 15.4477
    aov = p * (g + 2 * 50) / (p * 2 + q - 1)
    out = f.seg_clv_predict(2, 30.43, 38.86, 50, params, 39, "W", 0, "W")
    assert out[0][0] == pytest.approx(1.226 * aov, rel=2e-3)


def test_predictive_clv_needs_seven_parameters():
    out = f.seg_clv_predict(2, 30, 38, 50, [[0.2, 4.4, 0.8]], None, None, None, None)
    assert out == [["xlsegment: params: expected 7 numbers (r, alpha, a, b, p, q, gamma), got 3"]]


def test_history_errors_stay_in_their_cells():
    out = f.seg_p_alive([[2], [2], ["x"]], [[30], [50], [1]], [[38], [38], [2]], 0.24, 4.4, 0.79, 2.4)
    assert out[0][0] == pytest.approx(f.seg_p_alive(2, 30, 38, 0.24, 4.4, 0.79, 2.4)[0][0])
    assert "t_x" in out[1][0] and "cannot exceed T" in out[1][0]
    assert out[2][0] == "xlsegment: frequency: 'x' is not a number"


def test_lapse_reason_labels_and_flags():
    day = pd.Timestamp("2024-06-01")
    out = f.seg_lapse(
        [[day - pd.Timedelta(days=400)], [day - pd.Timedelta(days=10)]], day, None, None, None, "en"
    )
    assert out[0][0] and "12" in out[0][0]
    assert out[1] == [None]  # bought 10 days ago: active, empty cell
    fr = f.seg_lapse([[day - pd.Timedelta(days=400)]], day, None, None, None, "fr")
    assert fr[0][0] != out[0][0]
    assert f.seg_lapse([[day - pd.Timedelta(days=400)]], day, None, None, "lost", None) == [[True]]


def test_lapse_rejects_a_future_purchase_and_a_bad_output():
    out = f.seg_lapse([[JUN1 + 5]], JUN1, None, None, None, None)
    assert "is after the analysis date" in out[0][0]
    assert f.seg_lapse(JAN1, JUN1, None, None, "maybe", None)[0][0].startswith("xlsegment: output:")


def test_next_action_from_code_or_label_in_both_languages():
    from xlsegment.actions.playbook import load_playbook

    book = load_playbook().set_index(["classification", "code"])
    en = book.loc[("rfm_segment", "champions"), "action_en"]
    fr = book.loc[("rfm_segment", "champions"), "action_fr"]
    assert f.seg_action([["champions"], ["Champions"]]) == [[en], [en]]
    assert f.seg_action("champions", None, "fr") == [[fr]]
    out = f.seg_action([["zzz"], [None]])
    assert out[0][0] == "xlsegment: segment, cell 1: 'zzz' is not a rfm_segment code or label" and out[1] == [
        None
    ]


def test_labels_and_bad_language():
    assert f.seg_label([["champions", "lost"]], "rfm_segment", "fr") == [["Champions", "Perdus"]]
    assert f.seg_label("x", None, "de")[0][0].startswith("xlsegment: language 'de' is not supported")


def test_bad_time_unit_and_empty_ledger():
    assert f.seg_summary(LEDGER, None, "Q", None, None)[0][0].startswith(
        "xlsegment: time_unit: 'Q' is not \"D\""
    )
    assert f.seg_summary([[None]], None, None, None, None)[0][0].startswith(
        "xlsegment: the ledger range is empty"
    )


def test_core_errors_name_the_row_of_the_range():
    bad = [["customer", "date", "amount"], ["c1", JAN1, 5], [None, None, None], ["c2", "not a date", 7]]
    out = f.seg_summary(bad, None, None, None, None)
    assert out == [
        [
            "xlsegment: ledger range, column 'date', row 4: 'not a date' is not a date (fix the cell(s) in the ledger)"
        ]
    ]
    out = f.seg_summary([["customer", "date", "amount"], ["c1", JAN1, "abc"]], None, None, None, None)
    assert out[0][0].startswith("xlsegment: ledger range, column 'amount', row 2: 'abc' is not a number")


def test_no_nan_ever_reaches_a_cell():
    ledger = [["customer", "date", "amount"]] + [[f"c{i % 5}", JAN1 + 3 * i, 10 + i] for i in range(40)]
    out = f.seg_summary(ledger, None, None, None, None)
    assert not any(isinstance(v, float) and math.isnan(v) for row in out for v in row)


def test_rfm_with_a_rule_table_range_and_fewer_scores():
    ledger = [["customer", "date", "amount"]] + [[f"c{i}", JAN1 + 10 * i, 10 * (i + 1)] for i in range(12)]
    rules = [
        ["code", "r_min", "r_max", "f_min", "f_max", "m_min", "m_max", "label_en", "label_fr"],
        ["recent", 3, 3, None, None, None, None, "Recent buyers", "Acheteurs récents"],
        ["older", 1, 2, None, None, None, None, "Older buyers", "Acheteurs anciens"],
    ]
    out = f.seg_rfm(ledger, JUN1, 3, "fr", rules)
    header = out[0]
    r_col, label_col = header.index("Score R"), len(header) - 1
    for row in out[1:]:
        assert row[r_col] in (1, 2, 3)
        assert row[label_col] == ("Acheteurs récents" if row[r_col] == 3 else "Acheteurs anciens")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(0, 1e6, allow_nan=False), min_size=2, max_size=25),
    st.data(),
)
def test_a_bad_cell_changes_only_its_own_cell(values, data):
    i = data.draw(st.integers(0, len(values) - 1))
    blank = [[v] for v in values]
    blank[i] = [None]
    bad = [[v] for v in values]
    bad[i] = ["n/a"]
    out_blank, out_bad = f.seg_abc(blank), f.seg_abc(bad)
    assert out_bad[i][0].startswith("xlsegment: revenue:") and out_blank[i] == [None]
    assert [r for j, r in enumerate(out_bad) if j != i] == [r for j, r in enumerate(out_blank) if j != i]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), st.floats(0, 50), st.floats(0, 50)), min_size=1, max_size=10))
def test_p_alive_is_computed_cell_by_cell(histories):
    params = (0.2426, 4.4135, 0.7929, 2.4258)
    xs = [[x] for x, _, _ in histories]
    txs = [[min(a, b)] for _, a, b in histories]
    ts = [[max(a, b)] for _, a, b in histories]
    together = f.seg_p_alive(xs, txs, ts, *params)
    for k in range(len(histories)):
        alone = f.seg_p_alive(xs[k][0], txs[k][0], ts[k][0], *params)
        assert together[k][0] == pytest.approx(alone[0][0])
        assert 0 <= together[k][0] <= 1
