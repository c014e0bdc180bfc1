"""Cell functions as Office.js calls them through xlwings Server (meta data and real payloads)."""

from __future__ import annotations

import json

import pytest

from xlsegment.excel.functions import __all__ as FUNCTION_NAMES

# Excel serial dates (1900 system): 45292 = 2024-01-01
JAN1, FEB1, MAR1, JUN1 = 45292, 45323, 45352, 45444


def test_meta_lists_every_function_with_help(server, functions):
    meta = server.custom_functions_meta(functions)
    ids = {f["id"] for f in meta["functions"]}
    assert ids == {name.upper() for name in FUNCTION_NAMES}
    for entry in meta["functions"]:
        assert entry["id"].startswith("SEG_")
        assert entry["description"] and not entry["description"].startswith("Python function")
        for param in entry["parameters"]:
            assert param["description"] and not param["description"].startswith("Positional argument"), (
                entry["id"],
                param["name"],
            )
    json.dumps(meta)  # what the server sends must be JSON


def test_optional_parameters_are_flagged(server, functions):
    meta = {f["id"]: f for f in server.custom_functions_meta(functions)["functions"]}
    summary = {p["name"]: p for p in meta["SEG_SUMMARY"]["parameters"]}
    assert "optional" not in summary["ledger"]
    assert summary["as_of"]["optional"] and summary["lang"]["optional"]


def test_summary_from_serial_dates_text_numbers_and_blank_cells(call):
    ledger = [
        ["Client", "Date", "Montant", ""],
        ["c1", JAN1, 10, ""],
        ["c1", MAR1, "20,5", ""],  # a French text number
        ["", "", "", ""],  # a blank row inside the range
        ["c2", FEB1, 40, ""],
        ["", "", "", ""],  # whole-column selections end with blank rows
    ]
    out = call("seg_summary", ledger, [[JUN1]], None, None, [["orders, revenue, last_purchase, recency"]])
    assert out[0] == ["Customer", "Orders", "Revenue", "Last purchase", "Recency"]
    rows = {r[0]: r for r in out[1:]}
    assert rows["c1"][1] == 2 and rows["c1"][2] == pytest.approx(30.5)
    assert rows["c1"][3] == {
        "type": "FormattedNumber",
        "basicValue": float(MAR1),
        "numberFormat": "yyyy-mm-dd",
    }
    assert rows["c1"][4] == pytest.approx(JUN1 - MAR1)  # days, as_of given as a serial
    assert rows["c2"][1] == 1 and rows["c2"][2] == pytest.approx(40.0)
    json.dumps(out)


def test_missing_values_come_out_empty_never_num_error(call):
    ledger = [["customer", "date", "amount"], ["c1", JAN1, 10], ["c2", FEB1, 5], ["c2", MAR1, 7]]
    out = call("seg_summary", ledger, [[JUN1]], None, None, [["mean_gap"]])
    rows = {r[0]: r for r in out[1:]}
    assert rows["c1"][1] == ""  # one-time buyer: no rhythm -> empty cell, not #NUM!
    assert rows["c2"][1] == pytest.approx(MAR1 - FEB1)
    assert "Num" not in json.dumps(out)


def test_error_cells_give_a_short_message_in_their_own_cell(call):
    error_cell = {"type": "Error", "basicValue": "#DIV/0!", "errorType": "Div0"}
    out = call("seg_abc", [[500], [error_cell], [""], ["300"], [200]], None, None)
    # 500 + 300 + 200 = 1000: 500 (before 0 %) A, 300 (before 50 %) A, 200 (before 80 %) B
    assert out == [["A"], ["xlsegment: #DIV/0! (revenue)"], [""], ["A"], ["B"]]
    na = {"type": "Error", "basicValue": "#N/A", "errorType": "NotAvailable"}
    out = call(
        "seg_p_alive", [[2], [na]], [[30.43]], [[38.86]], [[0.2426]], [[4.4135]], [[0.7929]], [[2.4258]]
    )
    assert out[0][0] == pytest.approx(0.727, abs=5e-4) and out[1] == ["xlsegment: #N/A (frequency)"]


def _ledger_with_gaps(n: int = 200) -> list[list]:
    """n lines: an empty amount in range row 17, a #N/A cell in row 40, an empty date in row 88."""
    na = {"type": "Error", "basicValue": "#N/A", "errorType": "NotAvailable"}
    rows = [[f"c{i % 40}", JAN1 + i, 10 + i] for i in range(n)]
    rows[15][2], rows[38][2], rows[86][1] = "", na, ""
    return [["customer", "date", "amount"], *rows]


def test_excluded_rows_are_reported_in_the_spill(call):
    out = call("seg_segments", _ledger_with_gaps(), [["revenue"]], None, None)
    assert out[0] == ["Customer", "Revenue"] and len({r[0] for r in out[1:41]}) == 40
    assert out[41] == [
        "xlsegment: 3 rows ignored: row 17 no amount, row 40 #N/A (amount), row 88 no date",
        "",
    ]


def test_french_excel_gives_french_labels_unless_lang_is_given(call):
    ledger = _ledger_with_gaps()
    out = call("seg_segments", ledger, [["revenue, rfm_segment"]], None, None, culture="fr-FR")
    assert out[0] == ["Client", "Chiffre d'affaires", "Segment RFM"]
    assert out[41][0].startswith("xlsegment: 3 lignes ignorées : ligne 17 pas de montant")
    assert call("seg_label", [["lost"]], None, None, culture="fr-FR") == [["Perdus"]]
    out = call("seg_segments", ledger, [["revenue"]], None, [["en"]], culture="fr-FR")
    assert out[0] == ["Customer", "Revenue"]
    assert call("seg_label", [["lost"]], None, None, culture="en-GB") == [["Lost"]]


def test_numeric_customer_ids_come_back_as_numbers(call):
    ledger = [["customer", "date", "amount"], [17850, JAN1, 10], [17850, FEB1, 5], [13047, MAR1, 7]]
    out = call("seg_summary", ledger, [[JUN1]], None, None, [["orders"]])
    assert sorted(out[1:]) == [[13047, 1], [17850, 2]]


def test_a_whole_column_reference_gives_the_used_rows_result(call):
    ledger = _ledger_with_gaps()
    whole = ledger + [["", "", ""]] * (1_048_576 - len(ledger))  # =SEG_SEGMENTS(A:C) as Office.js sends it
    assert call("seg_segments", whole, None, None, None) == call("seg_segments", ledger, None, None, None)


def test_bad_cell_gives_a_message_in_that_cell_only(call):
    out = call("seg_abc", [[500], ["lots"], [500]], None, None)
    assert out[0] == ["A"] and out[2] == ["A"]
    assert out[1][0].startswith("xlsegment: revenue") and "'lots'" in out[1][0]


def test_p_alive_matches_the_published_value(call):
    # Fader, Hardie & Lee (2005), CDNOW: x=2, t_x=30.43, T=38.86 weeks -> P(alive) = 0.727
    out = call("seg_p_alive", [[2]], [[30.43]], [[38.86]], [[0.2426]], [[4.4135]], [[0.7929]], [[2.4258]])
    assert out[0][0] == pytest.approx(0.727, abs=5e-4)


def test_text_numbers_in_model_parameters(call):
    out = call("seg_p_alive", [[2]], [["30,43"]], [[38.86]], [["0,2426"]], [[4.4135]], [[0.7929]], [[2.4258]])
    assert out[0][0] == pytest.approx(0.727, abs=5e-4)


def test_lapse_from_serial_dates(call):
    # 220 days is over 6 months of 30.4 days, 150 days is under
    out = call("seg_lapse", [[JUN1 - 220], [JUN1 - 150], [""]], [[JUN1]], None, None, [["lapsed"]], None)
    assert out == [[True], [False], [""]]


def test_omitted_optional_arguments_take_python_defaults(call, functions):
    # None in args = "use the Python default": SEG_CLV(basket, frequency, lifetime) with no discount
    out = call("seg_clv", [[50]], [[2]], [[24]], None, None, None)
    assert out == [[pytest.approx(50 * 2 * 24)]]


def test_label_in_french(call):
    assert call("seg_label", [["champions"]], [["rfm_segment"]], [["fr"]]) == [["Champions"]]
    out = call("seg_label", [["A"]], [["abc"]], [["fr"]])
    assert out[0][0] and out[0][0] != "A"


def test_bad_range_gives_a_readable_error_not_a_traceback(call):
    out = call("seg_summary", [["customer", "customer", "amount"], ["c1", JAN1, 3]], None, None, None, None)
    assert out == [
        [
            "xlsegment: ledger range: columns A ('customer') and B ('customer') have the same name; rename one of them"
        ]
    ]


def test_numpy_and_pandas_values_are_json_safe(call):
    ledger = [["customer", "date", "amount"]] + [[f"c{i % 7}", JAN1 + i, 10 + i] for i in range(60)]
    out = call("seg_segments", ledger, None, [[JUN1]], None)
    text = json.dumps(out)  # np.bool_, np.int64, Timestamp or NaN would fail or become errors here
    assert "NaN" not in text
    assert out[0][0] == "Customer" and [r[0] for r in out[1:8]] == [f"c{i}" for i in range(7)]
    assert all(r[0].startswith("xlsegment: RFM") and r[1:] == [""] * 8 for r in out[8:])  # warnings
    assert all(isinstance(v, (str, int, float, bool, dict)) or v is None for row in out for v in row)


def test_error_cell_inside_a_ledger_range_is_left_out_and_said(call):
    error_cell = {"type": "Error", "basicValue": "#N/A", "errorType": "NotAvailable"}
    ledger = [["customer", "date", "amount"], ["c1", JAN1, 10], ["c1", FEB1, error_cell], ["c1", MAR1, 5]]
    out = call("seg_summary", ledger, [[JUN1]], None, None, [["revenue"]])
    assert out[0] == ["Customer", "Revenue"]
    assert out[1][0] == "c1" and out[1][1] == pytest.approx(15.0)  # the #N/A line counts for nothing
    assert out[2] == ["xlsegment: 1 row ignored: row 3 #N/A (amount)", ""]
