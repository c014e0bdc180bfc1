"""The buttons draw the headless workbook: Segment's Office.js actions against `xlsegment build`'s file,
sheet by sheet (names and order, values and live formulas cell by cell, Excel tables, charts by kind, count
and place, conditional formats, number formats, frozen panes, column widths, merged cells, the outline).
Both come from one report description; the headless side is made here as `xlsegment build` makes it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from _officejs import book_json
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries

from xlsegment.excel.render import column_width_points, frozen_range
from xlsegment.workbook.safety import typed_text

SAMPLE = Path(__file__).resolve().parents[2] / "xlsegment" / "data" / "sample_ledger.csv"


@pytest.fixture(scope="module")
def both(tmp_path_factory, run_script_module):
    """(Segment's actions, the button's sheets as (name, position) in order, the headless workbook of the
    same analysis, written as `xlsegment build` writes it)."""
    import csv

    import xlwings

    from xlsegment.excel.scripts import run_analysis
    from xlsegment.overtime.sheets import with_overtime_sheets
    from xlsegment.report import build_report, describe
    from xlsegment.workbook import write_workbook

    with SAMPLE.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    data = book_json([{"name": "Ventes", "values": [rows[0], *rows[1::9][:1500]]}])
    actions = run_script_module("segment", data)
    sheets = [(a["args"][1], a["args"][0]) for a in actions if a["func"] == "addSheet"]
    analysis, _ = run_analysis(xlwings.Book(json=data))  # the analysis the button made
    # as `xlsegment build` (cli.cmd_build) describes it: the report, then the over-time sheets
    book = describe(build_report(analysis, analysis.settings.lang))
    with_overtime_sheets(book, analysis)
    path = write_workbook(book, tmp_path_factory.mktemp("headless") / "book.xlsx")
    return actions, sheets, openpyxl.load_workbook(path)


def _on(actions: list[dict], position: int, func: str) -> list[dict]:
    return [a for a in actions if a["func"] == func and a.get("sheet_position") == position]


def _ref(a: dict, offset: int = 0) -> str:
    """The A1 range an action applies to, moved up `offset` rows (to the description's rows)."""
    row = a["start_row"] + 1 - offset
    first = f"{get_column_letter(a['start_column'] + 1)}{row}"
    last = f"{get_column_letter(a['start_column'] + a['column_count'])}{row + a['row_count'] - 1}"
    return first if first == last else f"{first}:{last}"


def _shift(ref: str, offset: int) -> str:
    c1, r1, c2, r2 = range_boundaries(ref.replace("$", ""))
    first, last = f"{get_column_letter(c1)}{r1 - offset}", f"{get_column_letter(c2)}{r2 - offset}"
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


def _pairs(both):
    """(headless sheet, position of the button's sheet, row offset) for every sheet, in order."""
    actions, sheets, wb = both
    for ws, (_, position) in zip(wb.worksheets, sheets, strict=True):
        yield ws, position, _offset(ws, _cells(actions, position))


def test_the_same_sheets_in_the_same_order_and_language(both):
    actions, sheets, wb = both
    assert [name for name, _ in sheets] == wb.sheetnames
    assert wb.sheetnames == [
        "Commencez ici", "Cette semaine", "Clients", "Actions", "Mouvements", "Cohortes", "Modèle", "Paramètres",
    ]  # fmt: skip


def test_every_cell_of_every_headless_sheet_is_written_by_the_button(both):
    actions = both[0]
    for ws, position, offset in _pairs(both):
        cells = _cells(actions, position)
        compared = 0
        for row in ws.iter_rows():
            for c in row:
                if c.value is None:
                    continue
                button = cells.get((c.row + offset, c.column))
                assert _same(c.value, button), (ws.title, c.coordinate, c.value, button)
                compared += 1
        assert compared > 10, ws.title
        last = ws.max_row + offset
        described = [(r, col) for (r, col) in cells if offset < r <= last]
        assert len(described) == compared, ws.title  # nothing more inside the described area


def test_the_live_formulas_are_formulas_on_both_sides(both):
    actions = both[0]
    total = 0
    for ws, position, offset in _pairs(both):
        cells = _cells(actions, position)
        formulas = {(c.row, c.column): c.value for row in ws.iter_rows() for c in row if c.data_type == "f"}
        written = {(r - offset, c): v for (r, c), v in cells.items() if str(v).startswith("=")}
        assert written == formulas, ws.title
        total += len(formulas)
    assert total > 30  # the first sheet's figures, segment table and RFM grid, the movement totals


def test_the_same_excel_tables_frozen_panes_widths_merges_and_outline(both):
    actions = both[0]
    for ws, position, offset in _pairs(both):
        headless = {t.displayName: t.ref for t in ws.tables.values()}
        button = {a["args"][3]: _shift(a["args"][0], offset) for a in _on(actions, position, "addTable")}
        assert button == headless, ws.title
        frozen = [a["args"][0] for a in _on(actions, position, "freezePaneAtRange")]
        assert frozen == ([frozen_range(ws.freeze_panes)] if ws.freeze_panes else []), ws.title
        widths = {a["start_column"] + 1: a["args"][0] for a in _on(actions, position, "setColumnWidth")}
        expected = {
            col: column_width_points(d.width)
            for d in ws.column_dimensions.values()
            if d.customWidth
            for col in range(d.min, d.max + 1)
        }
        assert widths == pytest.approx(expected, abs=0.02), ws.title  # the file keeps the width to ~1e-6
        merges = sorted(_ref(a, offset) for a in _on(actions, position, "rangeMerge"))
        assert merges == sorted(str(m) for m in ws.merged_cells.ranges), ws.title
    customers = both[2]["Clients"]
    hidden = [k for k, d in customers.column_dimensions.items() if d.hidden]
    grouped = _on(actions, dict(both[1])["Clients"], "setColumnHidden")
    assert hidden and [_ref(a).split(":")[0][:-1] for a in grouped] == [hidden[0]]


def _formats(actions: list[dict], position: int, offset: int) -> dict[tuple[int, int], str]:
    """Cell -> number format, as the setNumberFormat actions leave the sheet (in the description's rows)."""
    out = {}
    for a in _on(actions, position, "setNumberFormat"):
        for i in range(a["row_count"]):
            for j in range(a["column_count"]):
                out[(a["start_row"] + 1 + i - offset, a["start_column"] + 1 + j)] = a["args"][0]
    return out


def test_every_number_format_of_the_headless_sheets(both):
    actions = both[0]
    checked = 0
    for ws, position, offset in _pairs(both):
        formats = _formats(actions, position, offset)
        for row in ws.iter_rows():
            for c in row:
                if c.value is None or isinstance(c.value, str) and c.data_type != "f":
                    continue  # a text cell shows the same under any format
                assert formats.get((c.row, c.column), "General") == c.number_format, (
                    ws.title, c.coordinate, c.value,
                )  # fmt: skip
                checked += 1
    assert checked > 1000


def _kind(chart) -> str:
    """A headless chart's kind as the description names it (col, bar, line, combo)."""
    parts = getattr(chart, "_charts", [chart])
    if len(parts) > 1:
        return "combo"
    return "line" if chart.tagname == "lineChart" else chart.type


KIND_OF_TYPE = {"ColumnClustered": "col", "BarClustered": "bar", "LineMarkers": "line"}


def test_the_charts_by_kind_count_and_place_and_every_conditional_format(both):
    actions = both[0]
    kinds_seen = []
    for ws, position, offset in _pairs(both):
        charts = _on(actions, position, "addChart")
        secondary = _on(actions, position, "setChartSeries")
        button = []
        for i, a in enumerate(charts):
            kind = KIND_OF_TYPE[a["args"][1]]
            on_line = [s for s in secondary if s["args"][0] == i]
            if on_line:
                assert [s["args"][1:] for s in on_line] == [
                    [1, {"chart_type": "LineMarkers", "axis_group": "Secondary"}]
                ]
                kind = "combo"
            button.append((kind, a["args"][9]))
        headless = [
            (_kind(c), f"${get_column_letter(c.anchor._from.col + 1)}${c.anchor._from.row + 1}")
            for c in ws._charts
        ]
        assert sorted(button) == sorted(headless), ws.title
        kinds_seen += [k for k, _ in headless]
        cf = sorted((str(r.sqref), rule.type) for r in ws.conditional_formatting for rule in r.rules)
        types = {"DataBar": "dataBar", "ColorScale": "colorScale"}
        drawn = sorted(
            (_ref(a, offset), types[a["args"][0]["type"]])
            for a in _on(actions, position, "addConditionalFormat")
        )
        assert drawn == cf, ws.title
    assert sorted(kinds_seen) == ["bar", "combo", "line"]  # Pareto, segment shares, the cohorts' retention


def test_status_lines_in_the_users_language_under_the_first_sheet(both):
    actions, sheets, wb = both
    cells = _cells(actions, sheets[0][1])
    below = [v for (r, _), v in sorted(cells.items()) if r > wb.worksheets[0].max_row]
    assert below[0].startswith("1500 lignes lues depuis la feuille Ventes : ")
    assert below[1] == "Feuilles écrites : " + ", ".join(wb.sheetnames)


def test_each_sheet_prints_as_the_headless_sheet(both):
    """xlwings Server: the page set-up goes to the add-in's JavaScript callback (excel/page.py), one call per
    sheet, with what the headless file holds: orientation, paper, fit to pages, title rows, header, footer,
    page breaks."""
    from xlsegment.excel.page import PAGE_CALLBACK

    actions = both[0]
    calls = [a["args"][1:] for a in actions if a["func"] == "runMacro" and a["args"][0] == PAGE_CALLBACK]
    pages = dict(calls)
    assert len(pages) == len(calls) == len(both[1])  # one call per sheet
    for ws, position, offset in _pairs(both):
        page, setup = pages[position], ws.page_setup
        assert page["orientation"].lower() == setup.orientation, ws.title
        assert (page["paperSize"], int(setup.paperSize)) == ("A4", 9)  # 9: A4 in the file format
        assert (page["fitWidth"], page["fitHeight"]) == (setup.fitToWidth, setup.fitToHeight), ws.title
        titles = ws.print_title_rows
        if titles:
            first, last = (int(r) + offset for r in titles.replace("$", "").split(":"))
            titles = f"${first}:${last}"
        assert page["titleRows"] == (titles or ""), ws.title
        texts = (ws.oddHeader.center.text or "", ws.oddFooter.center.text or "")  # None: none in the file
        assert (page["header"], page["footer"]) == texts, ws.title
        assert page["breaks"] == [f"A{b.id + 1 + offset}" for b in ws.row_breaks.brk], ws.title
    assert all(any(p[k] for p in pages.values()) for k in ("breaks", "titleRows", "header", "footer"))
