"""Buttons as xlwings Server runs them: a book JSON in, the actions Excel would carry out out."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest
from _officejs import book_json

SAMPLE = Path(__file__).resolve().parents[2] / "xlsegment" / "data" / "sample_ledger.csv"
ENGLISH_HEADERS = [
    "Order", "Date", "Customer", "Title", "First name", "Last name", "Email", "Phone", "Birthday", "Category",
    "Quantity", "Unit price", "Amount", "Discount", "Margin", "Returned", "Payment delay", "Service contacts",
]  # fmt: skip
WRITES = {"setValues", "sheetClear", "sheetDelete", "setSheetName", "setNumberFormat", "setFontProperty",
          "rangeClear", "addTable", "setAutofit"}  # fmt: skip


@pytest.fixture(scope="module")
def ledger_rows() -> list[list[str]]:
    """1,200 lines spread over the three years of the bundled sample ledger, as text cells, under English
    headers (the language is then English: `lang = auto` follows the ledger's headers)."""
    return [ENGLISH_HEADERS, *_french_rows()[1::14][:1200]]


def _french_rows() -> list[list[str]]:
    with SAMPLE.open(encoding="utf-8") as handle:
        return list(csv.reader(handle, delimiter=";"))


def _customers(rows: list[list[str]]) -> set[str]:
    """The customers the Python API finds in the same rows (the button must show exactly those)."""
    import pandas as pd

    from xlsegment import read_transactions, summarize

    frame = pd.DataFrame(rows[1:], columns=rows[0])
    return set(summarize(read_transactions(frame, errors="exclude")).index)


def _by_sheet(actions: list[dict], initial: list[str]) -> list[tuple[str | None, dict]]:
    """Each action with the name of the sheet it applies to, following the sheets added and deleted on the
    way (positions shift as the buttons add sheets)."""
    names, out = list(initial), []
    for a in actions:
        position = a.get("sheet_position")
        if a["func"] == "addSheet":
            names.insert(a["args"][0], a["args"][1])
            out.append((a["args"][1], a))
        elif a["func"] == "sheetDelete":
            out.append((names.pop(position), a))
        else:
            out.append((names[position] if position is not None else None, a))
    return out


def _sheet_actions(actions: list[dict], initial: list[str], name: str) -> list[dict]:
    """The actions that change the sheet called `name`."""
    return [a for sheet, a in _by_sheet(actions, initial) if sheet == name and a["func"] in WRITES]


def _cells(actions: list[dict], initial: list[str], name: str) -> dict[tuple[int, int], object]:
    """What the setValues actions put on the (last) sheet called `name`: (row, column) 1-based -> value."""
    out: dict[tuple[int, int], object] = {}
    for sheet, a in _by_sheet(actions, initial):
        if sheet != name:
            continue
        if a["func"] == "addSheet":
            out = {}  # a sheet added again under this name starts empty
        if a["func"] == "setValues":
            for i, row in enumerate(a["values"]):
                for j, value in enumerate(row):
                    if value is not None and value != "":
                        out[(a["start_row"] + 1 + i, a["start_column"] + 1 + j)] = value
    return out


def _values(actions: list[dict], initial: list[str], name: str) -> list[list]:
    """The sheet's values as rows (blank cells None), from its setValues actions."""
    cells = _cells(actions, initial, name)
    if not cells:
        return []
    height, width = max(r for r, _ in cells), max(c for _, c in cells)
    return [[cells.get((r, c)) for c in range(1, width + 1)] for r in range(1, height + 1)]


def _status_line(actions: list[dict], initial: list[str], first: str = "Start here") -> str:
    return next(str(v) for v in _cells(actions, initial, first).values() if "ledger rows" in str(v))


def _added(actions: list[dict]) -> list[str]:
    return [a["args"][1] for a in actions if a["func"] == "addSheet"]


# the sheets of `xlsegment build`, in its order (tests/server_mode/test_button_report.py compares them)
REPORT_SHEETS = "Start here,This week,Customers,Actions,Movements,Cohorts,Model,Settings".split(",")


def test_segment_writes_its_own_sheets_and_leaves_the_users_alone(run_script, ledger_rows):
    data = book_json(
        [{"name": "Ventes", "values": ledger_rows}, {"name": "Notes", "values": [["my notes"]]}], active=1
    )
    book, actions = run_script("segment", data)
    initial = ["Ventes", "Notes"]
    assert _added(actions) == REPORT_SHEETS
    positions = [a["args"][0] for a in actions if a["func"] == "addSheet"]
    assert positions == list(range(2, 10))  # after the user's sheets
    assert not _sheet_actions(actions, initial, "Ventes") and not _sheet_actions(actions, initial, "Notes")
    assert "sheetDelete" not in Counter(a["func"] for a in actions)
    names = {a["args"][0]: a["args"][1] for a in actions if a["func"] == "namesAdd"}
    assert names["xlsegment_summary"] == "='Start here'!$A$1"
    assert names["xlsegment_cohorts"] == "='Cohorts'!$A$1"
    assert names["xlsegment_ledger"].startswith("='Ventes'!$A$1:$R$1201")
    customers = _values(actions, initial, "Customers")
    assert customers[0][0] == "Customer"
    assert {r[0] for r in customers[1:]} == _customers(ledger_rows)
    status = _status_line(actions, initial)
    assert (
        "1200 ledger rows" in status
        and "sheet Ventes" in status
        and f"{len(_customers(ledger_rows))} customers" in status
    )


def _with_own_sheets(ledger_rows: list[list[str]], settings_rows: list[list] | None = None) -> dict:
    sheets = [
        {"name": "Ventes", "values": ledger_rows},
        {"name": "Summary", "values": [["old"]]},
        {"name": "Customers", "values": [["old"]]},
        {"name": "Actions", "values": [["old"]]},
    ]
    names = [
        {
            "name": f"xlsegment_{key}",
            "sheet_index": i,
            "address": "$A$1",
            "book_scope": True,
            "scope_sheet_index": None,
        }
        for i, key in ((1, "summary"), (2, "customers"), (3, "actions"))
    ]
    if settings_rows is not None:
        sheets.append({"name": "Settings", "values": settings_rows})
        names.append(
            {
                "name": "xlsegment_settings",
                "sheet_index": 4,
                "address": "$A$1",
                "book_scope": True,
                "scope_sheet_index": None,
            }
        )
    return book_json(sheets, names=names)


def test_second_run_replaces_its_sheets_in_place(run_script, ledger_rows):
    """Sheets of an earlier version (a "Summary" first sheet, no week or over-time sheets) are replaced at
    their place under today's names; the new sheets go right after their predecessor in the report."""
    book, actions = run_script("segment", _with_own_sheets(ledger_rows))
    deleted = [a["sheet_position"] for a in actions if a["func"] == "sheetDelete"]
    assert deleted == [1, 3, 4]  # Summary, Customers, Actions: each deleted, then added again at its place
    added = [a["args"] for a in actions if a["func"] == "addSheet"]
    assert added == [[i + 1, name] for i, name in enumerate(REPORT_SHEETS)]
    assert not _sheet_actions(actions, ["Ventes", "Summary", "Customers", "Actions"], "Ventes")


def test_a_user_sheet_with_our_name_is_never_touched(run_script, ledger_rows):
    data = book_json([{"name": "Ventes", "values": ledger_rows}, {"name": "Cohorts", "values": [["mine"]]}])
    book, actions = run_script("segment", data)
    assert _added(actions) == [name if name != "Cohorts" else "Cohorts (xlsegment)" for name in REPORT_SHEETS]
    initial = ["Ventes", "Cohorts"]
    assert not _sheet_actions(actions, initial, "Cohorts")
    kept = [v for v in _cells(actions, initial, "Start here").values() if "was not created by" in str(v)]
    assert kept == ["Sheet 'Cohorts' was not created by xlsegment and was left untouched; the result went to "
                    "'Cohorts (xlsegment)'"]  # fmt: skip


def test_settings_sheet_then_refresh_follows_the_edited_values(run_script, ledger_rows):
    _, actions = run_script("settings", book_json([{"name": "Ventes", "values": ledger_rows}]))
    rows = _values(actions, ["Ventes"], "Settings")
    table = {r[0]: r[1] for r in rows if r and r[0]}
    assert table["segments.rfm_bins"] == 5 and table["lang"] == "auto"
    assert table["lapse.lapsed_months"] == 6 and table["lapse.lost_months"] == 12
    # the user edits the sheet: French, 3 scores; Refresh writes French sheets with scores 1..3
    edited = [r[:] for r in rows]
    for r in edited:
        if r and r[0] == "lang":
            r[1] = "fr"
        if r and r[0] == "segments.rfm_bins":
            r[1] = "3"
    _, actions = run_script("refresh", _with_own_sheets(ledger_rows, edited))
    initial = ["Ventes", "Summary", "Customers", "Actions", "Settings"]
    assert _added(actions) == ["Commencez ici", "Cette semaine", "Clients", "Actions", "Mouvements", "Cohortes",
                               "Modèle", "Paramètres"]  # fmt: skip
    summary = _values(actions, initial, "Commencez ici")
    assert summary[0][0].startswith("Vos clients au ")
    customers = _values(actions, initial, "Clients")
    header = customers[0]
    r_col = header.index("Score R")
    assert {r[r_col] for r in customers[1:]} == {1, 2, 3}
    assert not _sheet_actions(actions, initial, "Ventes")


def test_selection_limits_what_is_read(run_script, ledger_rows):
    data = book_json([{"name": "Data", "values": ledger_rows}], selection="A1:R11")
    _, actions = run_script("segment", data)
    status = _status_line(actions, ["Data"])
    assert "10 ledger rows" in status and "Data!$A$1:$R$11" in status


def test_no_ledger_gives_an_alert_not_a_traceback(run_script):
    _, actions = run_script("segment", book_json([{"name": "Sheet1", "values": [[None]]}]))
    alerts = [a for a in actions if a["func"] == "alert"]
    assert alerts and "No ledger found" in alerts[0]["args"][0]
    assert not [a for a in actions if a["func"] in WRITES]


def test_mailing_lists_sheet(run_script, ledger_rows):
    _, actions = run_script("mailing", book_json([{"name": "Ventes", "values": ledger_rows}]))
    assert [a["args"][1] for a in actions if a["func"] == "addSheet"] == ["Mailing lists"]
    rows = _values(actions, ["Ventes"], "Mailing lists")
    assert rows[0][0] == "Mailing lists"
    e_mail = {r[i] for r in rows for i, v in enumerate(r) if isinstance(v, str) and "@" in v}
    assert e_mail  # contact data from the ledger reached the lists
    # one table per segment, drawn like the report's tables: styled header row, dates as dates
    from xlsegment.report import number_formats

    headers = [i + 1 for i, r in enumerate(rows) if r[0] == "Customer"]
    assert len(headers) >= 5
    formats = {(a["start_row"] + 1, a["start_column"] + 1): a["args"][0] for a in actions
               if a["func"] == "setNumberFormat"}  # fmt: skip
    for h in headers:
        due = rows[h - 1].index("Due by") + 1
        assert formats[(h + 1, due)] == number_formats("en")["date"]
        assert str(rows[h][due - 1])[:2] == "20"  # a date (xlwings sends dates as ISO text)
    fills = {a["start_row"] + 1 for a in actions if a["func"] == "setRangeColor"}
    assert set(headers) <= fills


def test_french_status_line_and_mailing_lists_speak_one_language_with_labels():
    rows = _french_rows()
    data = book_json([{"name": "Ventes", "values": [rows[0], *rows[1::14][:600]]}])
    import xlwings

    from xlsegment.excel.scripts import one_click

    book = xlwings.Book(json=data)
    one_click(book)
    actions = book.json()["actions"]
    initial = ["Ventes"]
    summary = _cells(actions, initial, "Commencez ici")
    lines = [str(v) for (r, _), v in sorted(summary.items()) if r > 40 and "lignes" in str(v) + " lignes"]
    status = next(line for line in lines if "lignes lues" in line)
    assert status.startswith("600 lignes lues depuis la feuille Ventes : ") and "sheet" not in status
    written = next(line for line in lines if line.startswith("Feuilles écrites : "))
    assert written.endswith("Modèle, Paramètres")
    mailing = _values(actions, initial, "Listes de diffusion")
    headers = [r for r in mailing if r and r[0] == "Client"]
    assert headers and all(h is None or "_" not in h for r in headers for h in r)  # labels, not column names
    cells = {v for r in mailing for v in r if isinstance(v, str)}
    assert not cells & {"email", "phone", "letter", "collect_contact", "hibernating", "need_attention"}
    assert cells & {"E-mail", "Téléphone", "Courrier"}  # channels by their French names


def test_one_click_writes_settings_once_then_segments_and_mailing(ledger_rows, server):
    import xlwings

    from xlsegment.excel.scripts import one_click

    book = xlwings.Book(json=book_json([{"name": "Ventes", "values": ledger_rows}]))
    one_click(book)  # what the classic ribbon button runs (xlsegment.excel.main)
    actions = book.json()["actions"]
    added = [a["args"][1] for a in actions if a["func"] == "addSheet"]
    # the Settings sheet first, then the report; Segment rewrites Settings in place with the parameters used
    assert added == ["Settings", *REPORT_SHEETS, "Mailing lists"]
    assert [a["args"][0] for a in actions if a["func"] == "addSheet"] == [1, 2, 3, 4, 5, 6, 7, 8, 1, 9]
    assert not _sheet_actions(actions, ["Ventes"], "Ventes")


def test_as_of_typed_as_a_date_cell_in_settings(run_script, ledger_rows):
    _, actions = run_script("settings", book_json([{"name": "Ventes", "values": ledger_rows}]))
    rows = [r[:] for r in _values(actions, ["Ventes"], "Settings")]
    for r in rows:
        if r and r[0] == "as_of":
            r[1] = 45473.0  # Office.js sends the date cell 2024-06-30 as its serial number
    _, actions = run_script("refresh", _with_own_sheets(ledger_rows, rows))
    initial = ["Ventes", "Summary", "Customers", "Actions", "Settings"]
    assert "30 Jun 2024" in _values(actions, initial, "Start here")[1][0]  # subtitle: customers as of then


def test_a_table_named_ventes_is_found_on_any_sheet(run_script, ledger_rows):
    n = 51
    table = {
        "name": "Ventes",
        "range_address": f"$A$1:$R${n}",
        "header_row_range_address": "$A$1:$R$1",
        "data_body_range_address": f"$A$2:$R${n}",
        "total_row_range_address": None,
        "show_headers": True,
        "show_totals": False,
        "table_style": "TableStyleMedium2",
        "show_autofilter": True,
    }
    sheets = [
        {"name": "Notes", "values": [["my notes"]]},
        {"name": "Data", "values": ledger_rows, "tables": [table]},
    ]
    _, actions = run_script("segment", book_json(sheets, active=0))
    status = _status_line(actions, ["Notes", "Data"])
    assert "50 ledger rows" in status and "table Ventes on sheet Data" in status


def test_rule_table_from_a_sheet_of_the_workbook(run_script, ledger_rows):
    _, actions = run_script("settings", book_json([{"name": "Ventes", "values": ledger_rows}]))
    rows = [r[:] for r in _values(actions, ["Ventes"], "Settings")]
    for r in rows:
        if r and r[0] == "segments.rfm_table":
            r[1] = "Mes règles"
    rules = [
        ["code", "r_min", "r_max", "f_min", "f_max", "m_min", "m_max", "label_en", "label_fr"],
        ["recent", 4, 5, None, None, None, None, "Recent", "Récents"],
        ["older", 1, 3, None, None, None, None, "Older", "Anciens"],
    ]
    data = _with_own_sheets(ledger_rows, rows)
    data["sheets"].append({"name": "Mes règles", "values": rules, "pictures": [], "tables": []})
    _, actions = run_script("refresh", data)
    initial = ["Ventes", "Summary", "Customers", "Actions", "Settings", "Mes règles"]
    customers = _values(actions, initial, "Customers")
    header = customers[0]
    r_col, seg_col = header.index("R score"), header.index("RFM segment")
    assert {r[seg_col] for r in customers[1:]} == {"Recent", "Older"}
    assert all((r[seg_col] == "Recent") == (r[r_col] >= 4) for r in customers[1:])
    assert not _sheet_actions(actions, initial, "Mes règles")  # the user's rule sheet is read, never written


def test_french_headers_give_french_sheets(run_script):
    """`lang = auto`: a ledger with French headers gets French sheets, with no setting to change."""
    rows = _french_rows()
    data = book_json([{"name": "Ventes", "values": [rows[0], *rows[1::14][:600]]}])
    _, actions = run_script("segment", data)
    added = [a["args"][1] for a in actions if a["func"] == "addSheet"]
    assert added == ["Commencez ici", "Cette semaine", "Clients", "Actions", "Mouvements", "Cohortes", "Modèle",
                     "Paramètres"]  # fmt: skip


INJECTIONS = [
    '=HYPERLINK("http://evil.example","click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "'=1+1",
]


def test_no_formula_from_ledger_text_in_any_written_cell(run_script, ledger_rows):
    """Customer ids, names, e-mails and categories that look like formulas reach every sheet as text."""
    header = ledger_rows[0]
    columns = [header.index(name) for name in ("Customer", "Last name", "Email", "Category")]
    rows = [header]
    for i, row in enumerate(ledger_rows[1:301]):
        row = row[:]
        for j in columns:
            row[j] = INJECTIONS[i % len(INJECTIONS)] + (f" {i % 13}" if j == columns[0] else "")
        rows.append(row)
    data = book_json([{"name": "Ventes", "values": rows}])
    _, actions = run_script("segment", data)
    _, mailing = run_script("mailing", data)
    texts = [
        v
        for a in [*actions, *mailing]
        if a["func"] == "setValues"
        for r in a["values"]
        for v in r
        if isinstance(v, str)
    ]
    written = {t for t in texts if any(bad.strip("\t\r'") in t for bad in INJECTIONS)}
    assert len(written) >= len(INJECTIONS)  # the nasty text did reach the sheets...
    ours = _described_formulas(data)
    formulas = {t for t in texts if t[:1] == "=" and t in ours}
    assert formulas and formulas == ours  # the report's own live formulas, exactly
    unsafe = [t for t in texts if t[:1] in ("=", "+", "-", "@", "\t", "\r") and t not in ours]
    assert not unsafe, unsafe[:5]  # ... but never as something Excel would run
    assert '\'=HYPERLINK("http://evil.example","click") 0' in texts
    assert "''=1+1" in texts  # a leading apostrophe of the user's own survives Excel's text marker


def _described_formulas(data: dict) -> set[str]:
    """Every formula of the report description (over-time sheets included) for the button's analysis."""
    import xlwings

    from xlsegment.excel.scripts import report_book, run_analysis
    from xlsegment.report.model import Grid

    analysis, _ = run_analysis(xlwings.Book(json=data))
    book, _ = report_book(analysis)  # the over-time sheets' totals included
    return {
        c.formula
        for sheet in book.sheets
        for block in sheet.blocks
        if isinstance(block, Grid)
        for row in block.rows
        for c in row
        if c.formula
    }
