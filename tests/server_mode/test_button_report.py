"""The buttons draw the headless workbook: Segment's Office.js actions against `xlsegment build`'s file,
sheet by sheet (values and live formulas cell by cell, Excel tables, charts, conditional formats, freeze
panes, number formats). Both come from one report description."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from _officejs import book_json
from openpyxl.utils import get_column_letter

from xlsegment.excel.render import frozen_range
from xlsegment.workbook.safety import typed_text

KEYS = ("summary", "customers", "actions", "model", "settings")
# Known gap (issue 13, open): the headless workbook's first sheet became "Start here" and it gained "This week"
# (issue 12) after the buttons' renderer was written; the buttons still draw the earlier Summary and no week
# sheet. strict: these turn red the day the buttons catch up, so the marks must then go.
BUTTONS_BEHIND = pytest.mark.xfail(
    strict=True, reason="buttons do not yet draw the Start here / This week sheets of the headless report"
)


@pytest.fixture(scope="module")
def both(tmp_path_factory, run_script_module):
    """(Segment's actions, positions of its sheets by key, the headless workbook of the same analysis)."""
    import csv

    import xlwings

    from xlsegment.excel.scripts import run_analysis
    from xlsegment.report import build_report
    from xlsegment.workbook import write_workbook

    sample = Path(__file__).resolve().parents[2] / "xlsegment" / "data" / "sample_ledger.csv"
    with sample.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    data = book_json([{"name": "Ventes", "values": [rows[0], *rows[1::9][:1500]]}])
    actions = run_script_module("segment", data)
    positions = dict(zip(KEYS, [a["args"][0] for a in actions if a["func"] == "addSheet"], strict=True))
    analysis, _ = run_analysis(xlwings.Book(json=data))  # the analysis the button made
    report = build_report(analysis, analysis.settings.lang, analysis.settings.segment_by)
    path = write_workbook(report, tmp_path_factory.mktemp("headless") / "book.xlsx")
    return actions, positions, openpyxl.load_workbook(path)


def _on(actions: list[dict], position: int, func: str) -> list[dict]:
    return [a for a in actions if a["func"] == func and a.get("sheet_position") == position]


def _ref(a: dict) -> str:
    first = f"{get_column_letter(a['start_column'] + 1)}{a['start_row'] + 1}"
    last = f"{get_column_letter(a['start_column'] + a['column_count'])}{a['start_row'] + a['row_count']}"
    return first if first == last else f"{first}:{last}"


def _cells(actions: list[dict], position: int) -> dict[tuple[int, int], object]:
    out = {}
    for a in _on(actions, position, "setValues"):
        for i, row in enumerate(a["values"]):
            for j, value in enumerate(row):
                if value is not None and value != "":
                    out[(a["start_row"] + 1 + i, a["start_column"] + 1 + j)] = value
    return out


def _same(headless: object, button: object) -> bool:
    if isinstance(headless, str):
        return button == (headless if headless.startswith("=") else typed_text(headless))
    if isinstance(headless, bool):
        return button is headless
    if isinstance(headless, (dt.datetime, dt.date)):  # xlwings sends dates to Office.js as ISO text
        return str(button).startswith(headless.isoformat()[:10])
    if isinstance(headless, (int, float)):
        # two separate analyses (the button's and the headless one): fitted model parameters may differ in
        # the 8th digit, as the engine's parallel sums may add in another order
        return isinstance(button, (int, float)) and button == pytest.approx(headless, rel=1e-6, abs=1e-9)
    return False


def _offset(ws, cells: dict) -> int:
    """Rows the button's sheet has above the description (the values to edit, on the Settings sheet)."""
    first = ws.cell(1, 1).value
    return min(r for (r, c), v in cells.items() if c == 1 and v == first) - 1


@pytest.mark.parametrize("key", [pytest.param("summary", marks=BUTTONS_BEHIND), *KEYS[1:]])
def test_every_cell_of_the_headless_sheet_is_written_by_the_button(both, key):
    actions, positions, wb = both
    ws = wb[[a["args"][1] for a in actions if a["func"] == "addSheet"][list(KEYS).index(key)]]
    cells = _cells(actions, positions[key])
    offset = _offset(ws, cells)
    compared = 0
    for row in ws.iter_rows():
        for c in row:
            if c.value is None:
                continue
            button = cells.get((c.row + offset, c.column))
            assert _same(c.value, button), (key, c.coordinate, c.value, button)
            compared += 1
    assert compared > 20
    last = ws.max_row + offset
    described = [(r, col) for (r, col) in cells if offset < r <= last]
    assert len(described) == compared  # nothing more inside the described area than the headless sheet has


@BUTTONS_BEHIND
def test_the_same_excel_tables_freeze_panes_and_number_formats(both):
    actions, positions, wb = both
    for key in KEYS:
        ws = wb.worksheets[KEYS.index(key)]
        position = positions[key]
        headless = {t.displayName: t.ref for t in ws.tables.values()}
        button = {a["args"][3]: a["args"][0].replace("$", "") for a in _on(actions, position, "addTable")}
        assert button == headless, key
        frozen = [a["args"][0] for a in _on(actions, position, "freezePaneAtRange")]
        assert frozen == ([frozen_range(ws.freeze_panes)] if ws.freeze_panes else []), key
    ws = wb.worksheets[1]  # Customers: each column's number format
    formats = {
        a["start_column"] + 1: a["args"][0] for a in _on(actions, positions["customers"], "setNumberFormat")
    }
    last = ws.max_row
    for col in range(1, ws.max_column + 1):
        filled = next((r for r in range(2, last + 1) if ws.cell(r, col).value is not None), None)
        if filled is None:
            continue  # an empty column: no cell carries its format in the headless file
        fmt = ws.cell(filled, col).number_format
        assert formats.get(col, "General") == fmt, (ws.cell(1, col).value, fmt, formats.get(col))
    assert {"tblCustomers", "tblPlaybook", "tblMailing"} <= {
        a["args"][3] for a in actions if a["func"] == "addTable"
    }


@BUTTONS_BEHIND
def test_the_three_charts_and_every_conditional_format(both):
    actions, positions, wb = both
    summary = wb.worksheets[0]
    charts = _on(actions, positions["summary"], "addChart")
    assert len(charts) == len(summary._charts) == 3
    anchors = sorted(
        f"${get_column_letter(c.anchor._from.col + 1)}${c.anchor._from.row + 1}" for c in summary._charts
    )
    assert sorted(a["args"][9] for a in charts) == anchors
    types = [a["args"][1] for a in charts]
    assert types == ["ColumnClustered", "BarClustered", "BarClustered"]  # Pareto (+ line), two segment bars
    line = _on(actions, positions["summary"], "setChartSeries")
    assert [a["args"][1:] for a in line] == [[1, {"chart_type": "LineMarkers", "axis_group": "Secondary"}]]
    for key in KEYS:
        ws = wb.worksheets[KEYS.index(key)]
        headless = sorted(str(cf.sqref) for cf in ws.conditional_formatting)
        button = sorted(_ref(a) for a in _on(actions, positions[key], "addConditionalFormat"))
        assert button == headless, key
    kinds = [a["args"][0]["type"] for a in actions if a["func"] == "addConditionalFormat"]
    assert kinds.count("DataBar") >= 3 and kinds.count("ColorScale") >= 2  # bars and the RFM heat map
