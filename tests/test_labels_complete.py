"""Every label exists in both languages, once: a blank French label would silently show English."""

from __future__ import annotations

import csv
import re
from collections import Counter
from importlib import resources
from pathlib import Path

import pytest

RULES = resources.files("xlsegment") / "rules"
LABEL_FILES = sorted(e for e in RULES.iterdir() if e.name.startswith("labels_") and e.name.endswith(".csv"))
PACKAGE = Path(__file__).resolve().parents[1] / "xlsegment"


def _rows(entry) -> list[dict[str, str]]:
    with entry.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("entry", LABEL_FILES, ids=[e.name for e in LABEL_FILES])
def test_every_label_is_written_in_english_and_french(entry) -> None:
    rows = _rows(entry)
    assert rows, f"{entry.name} is empty"
    blank = [
        (row.get("key"), lang)
        for row in rows
        if (row.get("key") or "").strip()
        for lang in ("en", "fr")
        if not (row.get(lang) or "").strip()
    ]
    assert blank == [], f"{entry.name}: labels without text: {blank}"
    split = [row.get("key") for row in rows if None in row]  # an unquoted comma cuts a text short
    assert split == [], f"{entry.name}: rows with more than three fields: {split}"


def test_label_keys_are_unique_across_files() -> None:
    counts = Counter((row.get("key") or "").strip() for entry in LABEL_FILES for row in _rows(entry))
    assert [key for key, n in counts.items() if key and n > 1] == []


def test_every_message_the_reader_says_has_its_label() -> None:
    """`errors.say(key)` falls back to the key itself: a missing row would print `ledger.xyz` to a user."""
    keys = {(row.get("key") or "").strip() for entry in LABEL_FILES for row in _rows(entry)}
    used = set()
    for module in PACKAGE.rglob("*.py"):
        used |= set(re.findall(r'say\(\s*"([a-z_.]+)"', module.read_text(encoding="utf-8")))
    assert used, "no say() call found"
    # the CLI's own say() (cli_lang) reads its keys under "cli."
    assert sorted(k for k in used if k not in keys and f"cli.{k}" not in keys) == []
