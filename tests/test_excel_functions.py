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
    assert out[0][0] == "Customer" and [r[0] for r in out[1:3]] == ["c1", "c2"]
    assert all(r[0].startswith("xlsegment: RFM") for r in out[3:])  # two customers: the RFM warnings
    bad = f.seg_segments(LEDGER, "revenue, colour", JUN1, "en")
    assert bad[0][0].startswith("xlsegment: columns: 'colour' is not a column") and len(bad) == 1
    assert len(bad[0][0]) <= 250 and bad[0][0].endswith(", ...")


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


def test_unreadable_rows_are_left_out_and_named_under_the_spill():
    bad = [["customer", "date", "amount"], ["c1", JAN1, 5], [None, None, None], ["c2", "not a date", 7]]
    out = f.seg_summary(bad, None, None, "en", "orders")
    assert out[:2] == [["Customer", "Orders"], ["c1", 1]]
    assert out[2] == ["xlsegment: 1 row ignored: row 4 unreadable date", None]
    out = f.seg_summary([["customer", "date", "amount"], ["c1", JAN1, "abc"]], None, None, None, None)
    assert out[0][0].startswith("xlsegment: ledger range: no usable row")


def test_missing_column_message_speaks_of_columns_and_fits_a_cell():
    headers = ["Client", "Date", "Prix", *[f"Colonne {i}" for i in range(40)]]
    out = f.seg_summary([headers, ["c1", JAN1, 3, *[1] * 40]], None, None, None, None)
    message = out[0][0]
    # French headers get a French answer (the reader's errors are bilingual, #16)
    assert (
        message.startswith("xlsegment: plage du journal : aucune colonne de montant") and len(message) <= 250
    )
    assert "'Client', 'Date', 'Prix'" in message and "CLI" not in message and "--" not in message
    assert "amount" in message.split("(", 1)[-1]  # the advice names the header to write


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
    assert out[-1][0] == (
        "xlsegment: RFM frequency: every customer has the same value; all get the middle score 2"
    )  # one order each: the core's warning is said under the table
    for row in out[1:13]:
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


NA_COM = -2146826246  # how classic Excel hands a #N/A cell of a "raw" range


def _ledger_with_gaps(headers: list[str], error: object) -> list[list[object]]:
    """200 lines (range rows 2-201): an empty amount in row 17, an error cell in row 40, no date in row 88."""
    rows = [[f"c{i % 40}", JAN1 + i, 10 + i] for i in range(200)]
    rows[15][2] = None
    rows[38][2] = error
    rows[86][1] = None
    return [headers, *rows]


def test_rows_left_out_are_counted_and_named_under_the_spill():
    out = f.seg_segments(_ledger_with_gaps(["customer", "date", "amount"], NA_COM), "revenue", None, "en")
    assert out[41] == [
        "xlsegment: 3 rows ignored: row 17 no amount, row 40 #N/A (amount), row 88 no date",
        None,
    ]
    assert all(r[0].startswith("xlsegment: RFM") for r in out[42:])  # then the core's warnings, if any
    customers = {r[0]: r[1] for r in out[1:41]}
    assert len(customers) == 40
    # c15 lost its row-17 line (amount 25): five lines 15, 55, 95, 135, 175 -> 25 + 65 + 105 + 145 + 185 - 25
    assert customers["c15"] == pytest.approx(65 + 105 + 145 + 185)


def test_french_headers_give_french_labels_and_note_unless_lang_says_otherwise():
    ledger = _ledger_with_gaps(["Client", "Date", "Montant"], NA_COM)
    out = f.seg_segments(ledger, "revenue, rfm_segment", None, None)
    assert out[0] == ["Client", "Chiffre d'affaires", "Segment RFM"]
    assert out[41][0] == (
        "xlsegment: 3 lignes ignorées : ligne 17 pas de montant, ligne 40 #N/A (Montant), ligne 88 pas de date"
    )
    assert f.seg_segments(ledger, "revenue", None, "en")[0] == ["Customer", "Revenue"]


def test_many_excluded_rows_are_counted_not_all_named():
    rows = [["customer", "date", "amount"]] + [[f"c{i}", JAN1 + i, None if i % 2 else 5] for i in range(30)]
    note = f.seg_summary(rows, None, None, "en", "orders")[-1][0]
    assert note == (
        "xlsegment: 15 rows ignored: row 3 no amount, row 5 no amount, row 7 no amount, row 9 no amount, "
        "row 11 no amount, and 10 more"
    )


def test_numeric_customer_ids_stay_numbers_and_text_ids_stay_text():
    ledger = [
        ["customer", "date", "amount"],
        [17850.0, JAN1, 10],  # a number column, as Excel sends it
        [17850, FEB1, 5],
        ["00042", FEB1, 7],  # a text id with its leading zeros
        [12.5, MAR1, 1],
    ]
    out = f.seg_summary(ledger, JUN1, None, "en", "orders")
    assert sorted(out[1:], key=str) == sorted([[17850, 2], ["00042", 1], [12.5, 1]], key=str)
    assert isinstance(next(r[0] for r in out[1:] if r[1] == 2), int)


def test_a_whole_column_reference_is_trimmed_to_the_used_rows():
    ledger = _ledger_with_gaps(["customer", "date", "amount"], 5)
    blank = [None, None, None]
    whole = ledger + [blank] * (1_048_576 - len(ledger))  # =SEG_SEGMENTS(A:C): the same row object repeated
    assert f.seg_segments(whole, None, JUN1, "en") == f.seg_segments(ledger, None, JUN1, "en")


def test_error_cells_give_a_short_message_in_their_own_cell():
    assert f.seg_abc([[500], [NA_COM], [300], [200]]) == [["A"], ["xlsegment: #N/A (revenue)"], ["A"], ["B"]]
    out = f.seg_p_alive([[2], [NA_COM]], 30.43, 38.86, 0.2426, 4.4135, 0.7929, 2.4258)
    assert out[0][0] == pytest.approx(0.727, abs=5e-4) and out[1] == ["xlsegment: #N/A (frequency)"]
    assert f.seg_label([["champions"], [NA_COM]], None, "en") == [["Champions"], ["xlsegment: #N/A (code)"]]


def test_spilled_functions_take_the_core_defaults():
    from xlsegment.segments import SegmentConfig
    from xlsegment.summary import summarize

    def defaults(fn):
        return {k: p.default for k, p in inspect.signature(fn).parameters.items()}

    config = SegmentConfig()
    assert (defaults(f.seg_abc)["a_share"], defaults(f.seg_abc)["b_share"]) == tuple(config.abc_thresholds)
    assert defaults(f.seg_rfm)["bins"] == config.rfm_bins
    assert defaults(f.seg_segment_name)["bins"] == config.rfm_bins
    assert defaults(f.seg_summary)["time_unit"] == defaults(summarize)["time_unit"]
