"""One escaping rule (workbook/safety.escape_text) for every cell written from text that is not ours.

Hostile text comes in through the ledger (customer ids, names, e-mails, categories, a header), a user's rule
table (a segment code), a user's playbook (the actions) and the settings; every sheet of the headless workbook is checked: such text is a
string cell with the quote prefix, never a formula, and appears in our own formulas only inside a string
literal.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import xlsegment as xs
from xlsegment.report import build_report
from xlsegment.workbook import write_workbook
from xlsegment.workbook.safety import FORMULA_START, WorkbookError, escape_text, typed_text

MARK = "evil.example"
HOSTILE = f'=HYPERLINK("http://{MARK}","x")'
_LITERAL = re.compile(r'"(?:[^"]|"")*"')


@pytest.mark.parametrize(
    ("value", "text", "quoted"),
    [
        (HOSTILE, HOSTILE, True),
        ("+cmd|' /C calc'!A0", "+cmd|' /C calc'!A0", True),
        ("-2+3", "-2+3", True),
        ("@SUM(A1)", "@SUM(A1)", True),
        ("\tTAB", "\tTAB", True),
        ("Dupont", "Dupont", False),
        ("a\x00b\x1fc", "abc", False),  # XML cannot hold these control characters
        (12.5, "12.5", False),
    ],
)
def test_escape_text(value, text, quoted) -> None:
    assert escape_text(value) == (text, quoted)


def test_office_js_gets_the_same_rule_as_a_leading_apostrophe() -> None:
    assert typed_text(HOSTILE) == "'" + HOSTILE
    assert typed_text("Dupont") == "Dupont"
    assert typed_text("'quoted") == "''quoted"  # Excel hides one leading apostrophe
    assert typed_text("a\x00b") == "ab"
    assert all(typed_text(start + "x").startswith("'") for start in FORMULA_START)


def test_text_too_long_for_a_cell_is_refused_naming_the_place() -> None:
    with pytest.raises(WorkbookError, match=r"^sheet 'Clients', cell A3: text of 40,000 characters"):
        escape_text("x" * 40_000, "sheet 'Clients', cell A3")


@pytest.fixture(scope="module")
def hostile_workbook(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    rng = np.random.default_rng(3)
    rows = []
    for c in range(40):
        for _ in range(int(rng.integers(1, 5))):
            day = pd.Timestamp("2023-01-01") + pd.Timedelta(days=int(rng.integers(0, 600)))
            customer = f"{HOSTILE}{c}" if c % 3 == 0 else f"K{c}"
            rows.append(
                (customer, day.strftime("%Y-%m-%d"), 10 + c, f"+{MARK}|{c % 2}", f"@{MARK}{c}", f"-{HOSTILE}")
            )
    ledger = folder / "ventes.csv"
    pd.DataFrame(rows, columns=[f"={MARK}", "date", "amount", "category", "email", "name"]).to_csv(
        ledger, index=False
    )
    rules = pd.read_csv(Path(xs.__file__).with_name("rules") / "segments_rfm.csv")
    rules.loc[0, "code"] = HOSTILE  # a user's rule table naming a segment with formula text
    rules.to_csv(folder / "rules.csv", index=False)
    playbook = pd.read_csv(Path(xs.__file__).with_name("rules") / "playbook.csv")
    playbook["action_en"] = "@" + MARK + " " + playbook["action_en"]  # a user's playbook with formula text
    playbook.to_csv(folder / "playbook.csv", index=False)
    settings = {
        "segments": {"rfm_table": str(folder / "rules.csv")},
        "clv": {"predictive": False},
        "actions": {"playbook": str(folder / "playbook.csv")},
    }
    analysis = xs.analyze(ledger, settings=settings, customer=f"={MARK}")
    out = folder / "segmented.xlsx"
    write_workbook(build_report(analysis, "en"), out)
    return out


def test_every_sheet_writes_hostile_text_as_quoted_text(hostile_workbook: Path) -> None:
    book = openpyxl.load_workbook(hostile_workbook)
    seen = {}
    playbook_cells = 0
    for sheet in book.worksheets:
        seen[sheet.title] = 0
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    outside_literals = _LITERAL.sub('""', str(cell.value))
                    assert MARK not in outside_literals, f"{sheet.title}!{cell.coordinate}: {cell.value}"
                elif isinstance(cell.value, str) and MARK in cell.value:
                    seen[sheet.title] += 1
                    playbook_cells += cell.value.startswith(f"@{MARK} ")
                    assert cell.data_type == "s"
                    if cell.value[:1] in FORMULA_START:
                        assert cell.quotePrefix, f"{sheet.title}!{cell.coordinate}: {cell.value!r}"
    # the streamed rows (Customers), single cells (Summary's segment names), tables (Actions), settings
    assert all(seen[name] > 0 for name in ("Start here", "Customers", "Actions", "Settings")), seen
    assert playbook_cells > 0  # the playbook's actions reached the workbook too
