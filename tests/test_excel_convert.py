"""The Excel boundary: ranges to frames, clean JSON-safe cells out, readable errors."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xlsegment.excel.convert import (
    ExcelInputError,
    as_rows,
    broadcast,
    cell,
    column_letter,
    error_text,
    frame_to_rows,
    guarded,
    numbers_from_cells,
    range_to_frame,
    serial_to_timestamp,
    to_bool,
    to_date,
    to_names,
    to_number,
)


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


def test_serial_dates_follow_excel():
    assert serial_to_timestamp(45292) == pd.Timestamp("2024-01-01")  # Excel shows 45292 as 2024-01-01
    assert serial_to_timestamp(61) == pd.Timestamp("1900-03-01")
    assert serial_to_timestamp(45292.5) == pd.Timestamp("2024-01-01 12:00")
    assert serial_to_timestamp("") is None


def test_to_date_accepts_every_form():
    expected = pd.Timestamp("2024-03-31")
    for value in (
        45382,
        [[45382]],
        dt.date(2024, 3, 31),
        dt.datetime(2024, 3, 31),
        "2024-03-31",
        "31/03/2024",
    ):
        assert to_date(value, "as_of") == expected, value
    assert to_date(None, "as_of") is None
    with pytest.raises(ExcelInputError, match="as_of: 'soon' is not a date"):
        to_date("soon", "as_of")


def test_to_number_reads_french_and_english_text():
    assert to_number("1 234,5", "x") == 1234.5
    assert to_number("1,234.5", "x") == 1234.5
    assert to_number("12,5 %", "x") == pytest.approx(0.125)
    assert to_number("", "x", default=3.0) == 3.0
    with pytest.raises(ExcelInputError, match="x: 'abc' is not a number"):
        to_number("abc", "x")


def test_to_bool_and_names():
    assert to_bool("VRAI", "flag", default=False) is True
    assert to_bool(None, "flag", default=True) is True
    with pytest.raises(ExcelInputError):
        to_bool("maybe", "flag", default=False)
    assert to_names([["orders, revenue"], ["recency"], [None]]) == ["orders", "revenue", "recency"]
    assert to_names("a;b") == ["a", "b"]


def test_range_to_frame_keeps_range_rows_and_drops_blank_rows_and_columns():
    rows = [
        [None, None, None, None],
        ["Client", "Date", "Montant", None],
        ["c1", 45292, "10,5", None],
        ["", " ", None, None],
        ["c2", 45293, 3, None],
    ]
    frame = range_to_frame(rows)
    assert list(frame.columns) == ["Client", "Date", "Montant"]
    assert list(frame.index) == [3, 5]  # rows of the range, header on row 2
    assert frame.loc[3, "Montant"] == "10,5"  # parsing is the core's job


def test_range_to_frame_errors_name_column_and_row():
    with pytest.raises(ExcelInputError, match="ledger range is empty"):
        range_to_frame([[None, ""]])
    with pytest.raises(ExcelInputError, match="column B: it has values but no header in row 1"):
        range_to_frame([["customer", None], ["c1", 5]])
    with pytest.raises(
        ExcelInputError, match=r"columns A \('amount'\) and C \('Amount'\) have the same name"
    ):
        range_to_frame([["amount", "date", "Amount"], [1, 2, 3]])
    with pytest.raises(ExcelInputError, match="header row but no data rows"):
        range_to_frame([["customer", "date", "amount"]])


def test_range_to_frame_does_not_modify_its_input():
    rows = [["customer", "amount"], ["c1", ""]]
    copy = [r[:] for r in rows]
    range_to_frame(rows)
    assert rows == copy


def test_cell_casts_numpy_pandas_and_missing():
    assert cell(np.bool_(True)) is True
    assert cell(np.int64(3)) == 3 and type(cell(np.int64(3))) is int
    assert type(cell(np.float32(1.5))) is float
    assert cell(float("nan")) is None and cell(np.inf) is None
    assert cell(pd.NaT) is None and cell(pd.NA) is None and cell(None) is None
    assert cell(pd.Timestamp("2024-01-02 03:04")) == dt.datetime(2024, 1, 2, 3, 4)
    assert cell(pd.Timedelta(hours=36)) == 1.5
    assert cell(pd.Period("2024-01", "M")) == "2024-01"


def test_frame_to_rows_every_dtype():
    frame = pd.DataFrame(
        {
            "d": pd.to_datetime(["2024-01-01", None]),
            "f": [1.5, np.nan],
            "i": np.array([1, 2], dtype=np.int64),
            "b": np.array([True, False]),
            "nb": pd.array([True, None], dtype="boolean"),
            "ni": pd.array([1, None], dtype="Int64"),
            "s": pd.Series(["x", None], dtype="string"),
            "c": pd.Categorical(["A", None]),
            "o": [np.float64(2.0), pd.NaT],
            "td": pd.to_timedelta([1, None], unit="D"),
        }
    )
    rows = frame_to_rows(frame)
    assert rows[0] == list(frame.columns)
    assert rows[1] == [dt.datetime(2024, 1, 1), 1.5, 1, True, True, 1, "x", "A", 2.0, 1.0]
    assert rows[2] == [None, None, 2, False, None, None, None, None, None, None]
    for value in rows[1]:
        assert type(value) in (dt.datetime, float, int, bool, str)
    json.dumps(rows, default=str)


def test_frame_to_rows_with_labels_and_no_rows():
    frame = pd.DataFrame({"a": [], "b": []})
    assert frame_to_rows(frame, headers=["A", "B"]) == [["A", "B"]]
    with pytest.raises(ValueError):
        frame_to_rows(frame, headers=["A"])


cells = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**12), 10**12),
    st.booleans(),
    st.text(max_size=5),
    st.datetimes(min_value=dt.datetime(1901, 1, 1), max_value=dt.datetime(2100, 1, 1)),
)


@given(st.lists(st.lists(cells, min_size=3, max_size=3), min_size=1, max_size=20))
def test_frame_to_rows_is_always_json_safe(rows):
    frame = pd.DataFrame(rows, columns=["x", "y", "z"])
    out = frame_to_rows(frame)
    assert len(out) == len(rows) + 1
    for row in out[1:]:
        for value in row:
            assert value is None or type(value) in (str, int, float, bool, dt.datetime)
            assert not (isinstance(value, float) and not math.isfinite(value))
    json.dumps(out, default=lambda v: v.isoformat())


@given(st.lists(st.one_of(st.none(), st.floats(-1e9, 1e9), st.text(max_size=4)), min_size=1, max_size=30))
def test_numbers_from_cells_marks_each_bad_cell_only(values):
    nums, blank, errors = numbers_from_cells(np.array(values, dtype=object), "x")
    for value, number, is_blank, error in zip(values, nums, blank, errors, strict=True):
        if isinstance(value, float):
            assert number == value and not is_blank and error is None
        elif error is not None:
            assert error.startswith("xlsegment: x:") and math.isnan(number)


def test_broadcast_like_excel_and_refuses_mismatched_ranges():
    shape, (a, b) = broadcast([[1], [2], [3]], 5)
    assert shape == (3, 1) and b.ravel().tolist() == [5, 5, 5]
    with pytest.raises(ExcelInputError, match="different sizes"):
        broadcast([[1], [2]], [[1], [2], [3]])


def test_as_rows_shapes():
    assert as_rows(None) == [] and as_rows(4) == [[4]] and as_rows([1, 2]) == [[1, 2]]
    assert as_rows([[1], [2, 3]]) == [[1, None], [2, 3]]


def test_guarded_keeps_the_signature_and_turns_errors_into_text():
    import inspect

    @guarded
    def f(x, y=2):
        raise ValueError(f"bad {x}")

    assert list(inspect.signature(f).parameters) == ["x", "y"]
    assert f(1) == [["xlsegment: bad 1"]]

    @guarded
    def g():
        raise ZeroDivisionError("division by zero")

    assert g() == [["xlsegment: unexpected ZeroDivisionError: division by zero"]]
    assert error_text(KeyError("amount")) == "xlsegment: missing 'amount'"


def test_text_keys_keep_their_zeros_and_number_columns_become_float():
    frame = range_to_frame(
        [["customer", "amount", "date"], ["00042", 10, 45292.0], [42, "", 45293.0], ["7", 3.5, ""]]
    )
    assert frame["customer"].tolist() == ["00042", 42, "7"]
    assert frame["amount"].dtype == "float64" and frame["amount"].isna().tolist() == [False, True, False]
    assert frame["date"].dtype == "float64"


def test_office_js_error_and_formatted_cells_in_a_range():
    error = {"type": "Error", "basicValue": "#N/A", "errorType": "NotAvailable"}
    formatted = {"type": "FormattedNumber", "basicValue": 45292.0, "numberFormat": "d/m/yyyy"}
    frame = range_to_frame([["customer", "date"], ["c1", formatted], ["c2", error]])
    assert frame["date"].tolist()[0] == 45292.0 and pd.isna(frame["date"].tolist()[1])


def test_office_js_rows_are_plain_json_with_formatted_dates():
    frame = pd.DataFrame(
        {
            "when": pd.to_datetime(["2024-01-01", None]),
            "mixed": pd.Series([pd.Timestamp("2024-01-02"), "text"], dtype=object),
            "x": [1.5, np.nan],
        }
    )
    rows = frame_to_rows(frame, officejs=True)
    json.dumps(rows)  # no datetime, NaN or numpy value left
    date = {"type": "FormattedNumber", "numberFormat": "yyyy-mm-dd"}
    assert rows[1][0] == {**date, "basicValue": 45292.0}
    assert rows[1][1] == {**date, "basicValue": 45293.0}
    assert rows[2] == ["", "text", ""]


def test_a_title_above_the_header_is_skipped():
    rows = [["Ventes 2024", None, None], [None, None, None], ["client", "date", "montant"], ["c1", 45292, 10]]
    frame = range_to_frame(rows)
    assert list(frame.columns) == ["client", "date", "montant"] and list(frame.index) == [4]
    assert list(range_to_frame([["amount"], [1.0], [2.0]]).index) == [2, 3]  # a one-column range
