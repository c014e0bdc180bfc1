"""The radix sort and sorted-group helpers the summary groups occasions with."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from xlsegment.grouping import radix_argsort, sorted_groups


@given(
    hnp.arrays(
        np.int64,
        st.integers(0, 300),
        elements=st.one_of(st.integers(0, 3), st.integers(0, 2**20), st.integers(0, 2**62)),
    )
)
def test_radix_argsort_is_numpys_stable_argsort(key: np.ndarray) -> None:
    np.testing.assert_array_equal(radix_argsort(key), np.argsort(key, kind="stable"))


def test_radix_argsort_of_wide_keys_takes_several_passes() -> None:
    rng = np.random.default_rng(0)
    for bits in (1, 15, 16, 17, 27, 33, 48, 63):
        key = rng.integers(0, 2**bits, 5000, dtype=np.int64)
        key[:50] = key[50:100]  # ties keep their order
        np.testing.assert_array_equal(radix_argsort(key), np.argsort(key, kind="stable"))


def test_sorted_groups_numbers_runs_of_equal_keys() -> None:
    number, starts = sorted_groups(np.array([3, 3, 5, 9, 9, 9]))
    assert number.tolist() == [0, 0, 1, 2, 2, 2]
    assert starts.tolist() == [0, 2, 3]
    number, starts = sorted_groups(np.array([], dtype=np.int64))
    assert number.size == 0 and starts.size == 0
