"""Small helpers shared by the action modules: labelled templates filled per customer, dates and money."""

from __future__ import annotations

import re

import pandas as pd

from xlsegment.labels import label

_PLACEHOLDER = re.compile(r"(\{\w+\})")


def fill(key: str, lang: str, index: pd.Index, **values: object) -> pd.Series:
    """The label `key` in `lang` with each `{name}` replaced by `values[name]` (a scalar or a Series).

    Vectorised: the template is split once and the pieces concatenated column-wise.
    """
    template = label(key, lang)
    out = pd.Series("", index=index, dtype=object)
    for piece in _PLACEHOLDER.split(template):
        if not piece:
            continue
        name = piece[1:-1] if _PLACEHOLDER.fullmatch(piece) else None
        if name is None or name not in values:
            out = out + piece
            continue
        value = values[name]
        if isinstance(value, pd.Series):
            out = out + value.reindex(index).astype(object).where(value.reindex(index).notna(), "").astype(
                str
            )
        else:
            out = out + str(value)
    return out


def text(key: str, lang: str, **values: object) -> str:
    """The label `key` in `lang` formatted with scalar values."""
    template = label(key, lang)
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(0)[1:-1], m.group(0))), template)


def date_text(dates: pd.Series, lang: str) -> pd.Series:
    """Dates as text the reader expects: 31/12/2026 in French, 2026-12-31 in English."""
    fmt = "%d/%m/%Y" if lang == "fr" else "%Y-%m-%d"
    return dates.dt.strftime(fmt).astype(object).where(dates.notna(), "")


def money(value: float, lang: str) -> str:
    """An amount with two decimals, French style (1 234,50) or English (1,234.50)."""
    if lang == "fr":
        return f"{value:,.2f}".replace(",", "\u202f").replace(".", ",")
    return f"{value:,.2f}"


def percent(share: float, lang: str) -> str:
    """A share as a percentage with at most one decimal (20 %, 17.5 %)."""
    pct = round(share * 100, 1)
    shown = f"{pct:g}"
    if lang == "fr":
        shown = shown.replace(".", ",")
    return f"{shown} %"
