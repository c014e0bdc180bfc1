"""Number formats of the report, in one place: Excel format strings per display kind, and the same numbers
written inside sentences (the first sheet's plain words), per language and currency.

French: day-first dates, amounts as "1 234,56 €" (EUR by default); English: "31 Oct 2026", no currency symbol
unless one is set. Flags are stored as 1/0 and shown Oui/Non (Yes/No) by their format, so formulas can count
them and every language reads them.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from xlsegment.labels import check_lang, day_text, label

# currency code -> (symbol, symbol after the number in French)
CURRENCIES = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF", "CAD": "$", "XOF": "FCFA", "MAD": "MAD"}
DEFAULT_CURRENCY = {"fr": "EUR", "en": ""}


def currency_of(lang: str, currency: str | None = None) -> str:
    """The currency code to show (upper case), or "" for plain numbers: `currency` when given, else the
    language's default (EUR for French)."""
    code = (currency if currency is not None else DEFAULT_CURRENCY[check_lang(lang)]).strip().upper()
    if code and code not in CURRENCIES:
        raise ValueError(f"currency {currency!r} is not supported; use one of {', '.join(CURRENCIES)}")
    return code


def money_format(lang: str, currency: str | None = None, decimals: int = 2) -> str:
    """Excel format of an amount: `#,##0.00 "€"` in French, `"€"#,##0.00` in English, plain without a
    currency."""
    base = "#,##0" + ("." + "0" * decimals if decimals else "")
    return with_symbol(base, lang, currency, '\\ "{symbol}"', '"{symbol}"')


def with_symbol(text: str, lang: str, currency: str | None, after: str, before: str) -> str:
    """`text` with the currency symbol where the language puts it: after the number in French (and for
    symbols of letters, "12 CHF"), before it in English ("€12"); `after`/`before` spell the symbol
    ("{symbol}" is replaced). Plain `text` without a currency."""
    code = currency_of(lang, currency)
    if not code:
        return text
    symbol = CURRENCIES[code]
    if check_lang(lang) == "fr" or len(symbol) > 1:
        return text + after.format(symbol=symbol)
    return before.format(symbol=symbol) + text


def flag_format(lang: str) -> str:
    """Excel format showing 1 as Oui/Yes and 0 as Non/No."""
    yes, no = label("flag.yes", lang), label("flag.no", lang)
    return f'"{yes}";"{yes}";"{no}"'


def number_formats(lang: str, currency: str | None = None) -> dict[str, str]:
    """Display kind -> Excel number format."""
    lang = check_lang(lang)
    return {
        "text": "@",
        "int": "#,##0",
        "number": "#,##0.00",
        "days": "#,##0",
        "ratio": "0.0000",
        "money": money_format(lang, currency),
        "money0": money_format(lang, currency, 0),
        "percent": "0.0%",
        "date": label("format.date_cell", lang),  # one date format per language, in rules/labels_workbook.csv
        "flag": flag_format(lang),
        "score": "0.0",
        "general": "General",
    }


def format_date(value: Any, lang: str) -> str:
    """A date as the language writes it in text (31/10/2026, 31 Oct 2026); '?' when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "?"
    ts = pd.Timestamp(value)
    if pd.isna(ts):
        return "?"
    return day_text(ts, lang)


def _group(digits: str, sep: str) -> str:
    out = []
    while len(digits) > 3:
        out.insert(0, digits[-3:])
        digits = digits[:-3]
    out.insert(0, digits)
    return sep.join(out)


def format_number(value: float, lang: str, decimals: int = 0) -> str:
    """A number as the language writes it: 12 345,6 in French (narrow no-break space), 12,345.6 in English."""
    fr = check_lang(lang) == "fr"
    if not math.isfinite(float(value)):
        return "-"
    text = f"{abs(float(value)):.{decimals}f}"
    whole, _, frac = text.partition(".")
    grouped = _group(whole, "\u202f" if fr else ",")
    if frac:
        grouped += ("," if fr else ".") + frac
    return ("-" if float(value) < 0 and float(text) != 0 else "") + grouped


def format_money(value: float, lang: str, currency: str | None = None) -> str:
    """An amount in a sentence, rounded to the unit: 12 345 € in French, €12,345 in English."""
    v = float(value)
    text = format_number(math.copysign(math.floor(abs(v) + 0.5), v) if math.isfinite(v) else v, lang)
    return with_symbol(text, lang, currency, "\u00a0{symbol}", "{symbol}")


def format_percent(share: float, lang: str, decimals: int = 0) -> str:
    """A share (0.257) as a percentage in a sentence: 26 % in French, 26% in English."""
    text = format_number(100 * float(share), lang, decimals)
    return f"{text}\u00a0%" if check_lang(lang) == "fr" else f"{text}%"
