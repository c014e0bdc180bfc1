"""Code columns as categoricals (fast on a million customers) and their labels in French or English."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from xlsegment.labels import check_lang, label


def categorical(codes: np.ndarray, names: Sequence[str]) -> pd.Categorical:
    """A categorical of `names[codes]`; -1 in `codes` gives a missing value."""
    return pd.Categorical.from_codes(np.asarray(codes, dtype=np.int64), categories=list(names))


def code_label(
    classification: str, code: str, lang: str = "en", custom: dict[str, dict[str, str]] | None = None
) -> str:
    """Label of one code: the user's rule-table label if given, else labels_segments.csv, else the code."""
    lang = check_lang(lang)
    if custom and code in custom and custom[code].get(lang):
        return custom[code][lang]
    # a user's table may reuse a code of the other named-segment table (e.g. "champions" in a lifecycle table)
    fallbacks = {"rfm_segment": ("lifecycle",), "lifecycle": ("rfm_segment",)}.get(classification, ())
    for name in (classification, *fallbacks):
        key = f"{name}.{code}"
        text = label(key, lang)
        if text != key:
            return text
    return code


def labelled(
    codes: pd.Series, classification: str, lang: str = "en", custom: dict[str, dict[str, str]] | None = None
) -> pd.Series:
    """The `<column>_label` column of a code column (categorical in, categorical out)."""
    cat = codes.astype("category") if not isinstance(codes.dtype, pd.CategoricalDtype) else codes
    names = [code_label(classification, str(c), lang, custom) for c in cat.cat.categories]
    if len(set(names)) != len(names):  # two codes with one label: keep them apart
        names = [
            f"{n} ({c})" if names.count(n) > 1 else n for n, c in zip(names, cat.cat.categories, strict=True)
        ]
    values = pd.Categorical.from_codes(cat.cat.codes.to_numpy(), categories=names)
    return pd.Series(values, index=codes.index, name=f"{codes.name}_label")


def unique_counts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """np.unique(values, return_inverse=True, return_counts=True), in linear time for whole numbers.

    Recency in days, order counts and category counts are whole numbers in a small range: counting them
    is several times faster than the sort np.unique does on a million customers.
    """
    if len(values) and np.isfinite(values).all():
        low, high = float(values.min()), float(values.max())
        if high - low < 4_000_000 and np.array_equal(values, np.floor(values)):
            shifted = (values - low).astype(np.int64)
            counts = np.bincount(shifted)
            present = np.flatnonzero(counts)
            lookup = np.zeros(len(counts), dtype=np.int64)
            lookup[present] = np.arange(len(present))
            return present.astype(values.dtype) + low, lookup[shifted], counts[present]
    uniq, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    return uniq, inverse.reshape(-1), counts


def unique_from_descending(
    values: np.ndarray, order: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """unique_counts(values) from an order that sorts `values` descending (reuses the ABC ranking sort)."""
    n = len(values)
    if n == 0:
        return values[:0], np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    ranked = values[order]
    starts = np.ones(n, dtype=bool)
    starts[1:] = ranked[1:] != ranked[:-1]
    group = np.cumsum(starts) - 1
    d = int(group[-1]) + 1
    counts = np.diff(np.append(np.flatnonzero(starts), n))
    inverse = np.empty(n, dtype=np.int64)
    inverse[order] = d - 1 - group
    return ranked[starts][::-1], inverse, counts[::-1]
