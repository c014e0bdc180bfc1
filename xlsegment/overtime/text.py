"""Numbers, amounts and durations in the sentences of the over-time views, French or English, written as
the workbook writes them (`xlsegment.report.formats`)."""

from __future__ import annotations

import pandas as pd

from xlsegment.labels import label
from xlsegment.report.formats import format_money, format_number, with_symbol

DAYS_PER_MONTH = 30.4375


def fill(key: str, lang: str, **values: object) -> str:
    """The label `key` in `lang` with its `{name}` fields filled."""
    return label(key, lang).format(**values)


def count_text(n: float, lang: str) -> str:
    """A whole number with thousands grouped: 12 400 (French, narrow no-break space) or 12,400."""
    return format_number(round(float(n)), lang)


def money_text(value: float, lang: str, currency: str | None = None, decimals: int = 0) -> str:
    """An amount as the workbook writes it in a sentence: 12 400 € in French, €12,400 in English (with
    `currency`, else the language's default: EUR in French, none in English)."""
    if decimals == 0:
        return format_money(value, lang, currency)
    return with_symbol(format_number(value, lang, decimals), lang, currency, "\u00a0{symbol}", "{symbol}")


def number_text(value: float, lang: str, decimals: int = 1, signed: bool = False) -> str:
    """A decimal number, French (3,5) or English (3.5), with a sign when asked (+3,5)."""
    shown = format_number(value, lang, decimals)
    return f"+{shown}" if signed and not shown.startswith("-") and float(value) != 0 else shown


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
