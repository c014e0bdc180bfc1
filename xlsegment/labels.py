"""French and English labels from the editable tables `rules/labels_*.csv` (columns key,en,fr)."""

from __future__ import annotations

import csv
from datetime import date
from functools import lru_cache
from importlib import resources

LANGUAGES = ("en", "fr")


def check_lang(lang: str) -> str:
    """Return `lang` normalised ('fr', 'en'), or raise ValueError naming the choices.

    'auto' (the ledger's language, not known yet, e.g. before a ledger is read) reads as English.
    """
    norm = (lang or "en").strip().lower()
    norm = "en" if norm == "auto" else norm[:2]
    if norm not in LANGUAGES:
        raise ValueError(f"language {lang!r} is not supported; use one of {', '.join(LANGUAGES)}")
    return norm


@lru_cache(maxsize=1)
def _table() -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = {}
    rules = resources.files("xlsegment") / "rules"
    for entry in sorted(rules.iterdir(), key=lambda e: e.name):
        if not (entry.name.startswith("labels_") and entry.name.endswith(".csv")):
            continue
        with entry.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                key = (row.get("key") or "").strip()
                if key:
                    table[key] = {lang: (row.get(lang) or "").strip() for lang in LANGUAGES}
    return table


def label(key: str, lang: str = "en") -> str:
    """The label of `key` in `lang`; the key itself when no table names it."""
    entry = _table().get(key)
    if not entry:
        return key
    return entry[check_lang(lang)] or entry["en"] or key


def day_text(day: date, lang: str = "en") -> str:
    """A date as a sentence writes it in `lang` (`format.date_text`: 31/10/2026, 31 Oct 2026), the order of
    the workbook's date cells (`format.date_cell`)."""
    return label("format.date_text", lang).format(
        d=day.day, dd=f"{day.day:02d}", mm=f"{day.month:02d}", mon=day.strftime("%b"), yyyy=day.year
    )


def labels(lang: str = "en") -> dict[str, str]:
    """Every known key with its label in `lang`."""
    return {key: label(key, lang) for key in _table()}
