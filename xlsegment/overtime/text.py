"""Numbers, amounts and durations in the sentences of the over-time views, French or English."""

from __future__ import annotations

import pandas as pd

from xlsegment.labels import label

DAYS_PER_MONTH = 30.4375


def fill(key: str, lang: str, **values: object) -> str:
    """The label `key` in `lang` with its `{name}` fields filled."""
    return label(key, lang).format(**values)


def count_text(n: float, lang: str) -> str:
    """A whole number with thousands grouped: 12 400 (French, narrow no-break space) or 12,400."""
    shown = f"{round(float(n)):,}"
    return shown.replace(",", "\u202f") if lang == "fr" else shown


def amount_text(value: float, lang: str, currency: str | None = None) -> str:
    """A whole amount with thousands grouped and the currency after it when known: 12 400 EUR."""
    shown = count_text(value, lang)
    return f"{shown} {currency}" if currency else shown


def number_text(value: float, lang: str, decimals: int = 1, signed: bool = False) -> str:
    """A decimal number, French (3,5) or English (3.5), with a sign when asked (+3,5)."""
    shown = f"{value:+,.{decimals}f}" if signed else f"{value:,.{decimals}f}"
    if lang == "fr":
        shown = shown.replace(",", "\u202f").replace(".", ",")
    return shown


def percent_text(share: float, lang: str, decimals: int = 1, signed: bool = False) -> str:
    """A share as a percentage: 18,2 % (French) or 18.2% (English)."""
    shown = number_text(100 * share, lang, decimals, signed)
    return f"{shown}\u00a0%" if lang == "fr" else f"{shown}%"


def ago_text(start: pd.Timestamp, end: pd.Timestamp, lang: str) -> str:
    """The time from `start` to `end` in words: 3 mois / 3 months, 1 an / 1 year, 45 jours / 45 days."""
    days = (pd.Timestamp(end) - pd.Timestamp(start)).days
    months = round(days / DAYS_PER_MONTH)
    if days < 45:
        n, unit = days, "day"
    elif months % 12 == 0:
        n, unit = months // 12, "year"
    else:
        n, unit = months, "month"
    return fill(f"overtime.ago.{unit}.{'one' if n == 1 else 'many'}", lang, n=n)
