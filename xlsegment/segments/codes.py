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
    key = f"{classification}.{code}"
    text = label(key, lang)
    return code if text == key else text


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
