"""Numbers on the wire to Office.js: as short as JSON allows while Excel receives the same 15 digits."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from xlsegment.excel.convert import EXCEL_DIGITS, column_values, excel_numbers


def test_sums_lose_their_float_noise_and_whole_numbers_their_point():
    values = np.array([1191.3300000000002, 601.0, 68.8, 0.0, -0.0, 0.1 + 0.2, 8310477.05, 1e20, -2.5e-7])
    out = list(excel_numbers(values))
    assert out == [1191.33, 601, 68.8, 0, 0, 0.3, 8310477.05, 1e20, -2.5e-7]
    assert [type(v) for v in out[:4]] == [float, int, float, int]
    assert json.dumps(out[:3]) == "[1191.33, 601, 68.8]"


def test_missing_and_infinite_values_stay_empty_cells_for_office_js():
    series = pd.Series([1.5, np.nan, np.inf, 2.0])
    assert list(column_values(series, officejs=True)) == [1.5, "", "", 2]
    assert list(column_values(series)) == [1.5, None, None, 2.0]  # the classic path keeps its floats


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False, width=64), min_size=1, max_size=50))
def test_excel_sees_the_same_number_in_no_more_characters(values):
    arr = np.array(values, dtype=float)
    for before, after in zip(arr.tolist(), excel_numbers(arr).tolist(), strict=True):
        unit = 10.0 ** (math.floor(math.log10(abs(before))) - EXCEL_DIGITS + 1) if before else 0.0
        assert abs(after - before) <= unit  # within one unit of the 15th significant digit
        assert len(json.dumps(after)) <= len(json.dumps(before))
