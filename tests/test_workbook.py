"""The openpyxl workbook: sheets, tables, formulas, formula-injection safety, repair checks, atomic save, templates."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.utils import FORMULAE
from test_report_fixture import make_analysis

from xlsegment.report import build_report
from xlsegment.workbook import (
    WorkbookError,
    audit_workbook,
    build_workbook,
    fastrows,
    save_atomic,
    write_workbook,
)
from xlsegment.workbook.formulas import check_functions, criterion
from xlsegment.workbook.safety import (
    SheetLayout,
    check_defined_name,
    check_sheet_name,
    check_string,
    check_table_headers,
    check_validation_list,
)

TEMPLATES = Path(__file__).resolve().parents[1] / "workbook_templates"
NASTY = ['=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "=1+1"]


def _write(tmp_path: Path, lang: str = "en", n: int = 40, template=None, **kw) -> Path:
    report = build_report(make_analysis(n, lang=lang, **kw), lang)
    return write_workbook(report, tmp_path / f"book_{lang}.xlsx", template=template)


@pytest.fixture(params=["en", "fr"])
def book(request, tmp_path):
    names = NASTY + [f"Client {i}" for i in range(40 - len(NASTY))]
    return _write(tmp_path, request.param, names=names), request.param


def test_sheets_in_order_and_language(book):
    path, lang = book
    wb = openpyxl.load_workbook(path)
    expected = {
        "en": ["Start here", "This week", "Customers", "Actions", "Model", "Settings"],
        "fr": ["Commencez ici", "Cette semaine", "Clients", "Actions", "Modèle", "Paramètres"],
    }[lang]
    assert wb.sheetnames == expected


def test_generated_file_passes_the_repair_audit(book):
    path, _ = book
    assert audit_workbook(str(path)) == []


def test_customers_table_frozen_filtered_formatted(book):
    path, lang = book
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[2]
    table = ws.tables["tblCustomers"]
    assert table.ref == f"A1:{openpyxl.utils.get_column_letter(ws.max_column)}41"
    assert [c.name for c in table.tableColumns] == [c.value for c in ws[1]]
    assert table.autoFilter is not None and table.tableStyleInfo.showRowStripes
    assert ws.freeze_panes == "C2"  # the customer and the name stay in view
    headers = [c.value for c in ws[1]]
    revenue = headers.index("Revenue" if lang == "en" else "Chiffre d'affaires") + 1
    last = headers.index("Last purchase" if lang == "en" else "Dernier achat") + 1
    # amounts in euros in French (the default), plain in English; one date format per language
    assert ws.cell(2, revenue).number_format == ("#,##0.00" if lang == "en" else '#,##0.00\\ "€"')
    assert ws.cell(2, last).is_date
    assert ws.cell(2, last).number_format == ("d mmm yyyy" if lang == "en" else "dd/mm/yyyy")
    assert len(ws.conditional_formatting) >= 3  # data bars / colour scales


def test_ledger_text_is_never_a_formula(book):
    path, _ = book
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[2]
    name_col = [c.value for c in ws[1]].index("Name" if "Name" in [c.value for c in ws[1]] else "Nom") + 1
    for i, text in enumerate(NASTY):
        cell = ws.cell(2 + i, name_col)
        assert cell.value == text
        assert cell.data_type == "s"
        assert cell.quotePrefix  # stays text when the user edits the cell
    # no formula anywhere outside the Summary sheet
    for sheet in wb.worksheets[1:]:
        assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


def test_formulas_use_only_portable_functions(book):
    path, _ = book
    wb = openpyxl.load_workbook(path)
    formulas = [c.value for row in wb.worksheets[0].iter_rows() for c in row if c.data_type == "f"]
    assert len(formulas) > 20
    for f in formulas:
        check_functions(f)
        assert all(name in FORMULAE for name in re.findall(r"([A-Z][A-Z0-9.]+)\(", f))
        assert "_xlfn" not in f and "#REF" not in f


def test_first_sheet_has_two_charts_and_heat_map(book):
    path, _ = book
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    assert len(ws._charts) == 2
    rules = [r for cf in ws.conditional_formatting for r in cf.rules]
    assert any(r.type == "colorScale" for r in rules)
    pareto = ws._charts[0]
    assert len(pareto._charts) == 2  # bars + line
    assert pareto._charts[1].y_axis.axId == 200 and pareto._charts[1].y_axis.crosses == "max"
    assert pareto.x_axis.delete is False and pareto.y_axis.delete is False


def test_fast_and_cell_paths_write_the_same_cells(tmp_path, monkeypatch):
    """The streamed-XML rows and openpyxl's own cells (used with lxml) give the same values and formats."""
    a = make_analysis(30, seed=9, names=NASTY + [f"C{i}" for i in range(25)])
    report = build_report(a, "en")
    fast = write_workbook(report, tmp_path / "fast.xlsx")
    assert fastrows.available(openpyxl.Workbook(write_only=True).create_sheet("x"))
    monkeypatch.setattr(fastrows, "available", lambda ws: False)
    slow = write_workbook(report, tmp_path / "slow.xlsx")
    wa, wb = openpyxl.load_workbook(fast), openpyxl.load_workbook(slow)
    for name in ("Customers", "Actions"):
        cells_a = [
            [(c.value, c.number_format, c.data_type, c.quotePrefix) for c in r] for r in wa[name].iter_rows()
        ]
        cells_b = [
            [(c.value, c.number_format, c.data_type, c.quotePrefix) for c in r] for r in wb[name].iter_rows()
        ]
        assert len(cells_a) == len(cells_b)
        for ra, rb in zip(cells_a, cells_b, strict=True):
            for x, y in zip(ra, rb, strict=True):
                if isinstance(x[0], float):
                    assert x[0] == pytest.approx(y[0], rel=1e-14) and x[1:] == y[1:]
                else:
                    assert x == y


def test_control_characters_removed(tmp_path):
    path = _write(tmp_path, names=["bad\x00name\x07", *[f"n{i}" for i in range(39)]])
    ws = openpyxl.load_workbook(path)["Customers"]
    assert ws["B2"].value == "badname"


def test_text_too_long_for_a_cell_is_refused_with_its_place(tmp_path):
    names = ["x" * 40_000, *[f"n{i}" for i in range(39)]]
    report = build_report(make_analysis(40, names=names), "en")
    with pytest.raises(WorkbookError, match=r"sheet 'Customers', cell B2: text of 40,000 characters"):
        write_workbook(report, tmp_path / "long.xlsx")
    assert not list(tmp_path.iterdir())  # no half workbook, no temp file


def test_criterion_escapes_wildcards_and_operators():
    assert criterion("Top 20 %") == '"Top 20 %"'
    assert criterion("a*b?c~") == '"a~*b~?c~~"'
    assert criterion("<5") == '"=<5"'
    assert criterion('say "hi"') == '"say ""hi"""'


def test_check_functions_refuses_new_functions():
    check_functions('=IFERROR(SUMIFS(A:A,B:B,"XLOOKUP(")/2,0)')  # text inside quotes is not a function
    with pytest.raises(ValueError, match="XLOOKUP"):
        check_functions("=XLOOKUP(1,A:A,B:B)")


# ------------------------------------------------------------------------------------------ repair rules


@pytest.mark.parametrize(
    "name, problem",
    [
        ("A" * 32, "32 characters"),
        ("Bad/Name", "forbids"),
        ("What?", "forbids"),
        ("[x]", "forbids"),
        ("'quoted", "apostrophe"),
        ("History", "reserved"),
        ("", "empty"),
    ],
)
def test_sheet_name_rules(name, problem):
    with pytest.raises(WorkbookError, match=problem):
        check_sheet_name(name)


def test_sheet_name_duplicate_ignoring_case():
    with pytest.raises(WorkbookError, match="twice"):
        check_sheet_name("customers", ["Customers"])
    assert check_sheet_name("Clients", ["Customers"]) == "Clients"


@pytest.mark.parametrize("name", ["A1", "XFD100", "R1C1", "R", "c", "1abc", "has space", "tbl-x"])
def test_defined_names_refused(name):
    with pytest.raises(WorkbookError):
        check_defined_name(name)


def test_defined_names_accepted():
    assert check_defined_name("tblCustomers") == "tblCustomers"
    assert check_defined_name("_x.y") == "_x.y"


@pytest.mark.parametrize(
    "headers, problem",
    [
        (["a", "A"], "twice"),
        (["a", 2024], "not text"),
        (["a", " "], "empty"),
        (["a", "x" * 256], "longer than 255"),
        (["a", "two\nlines"], "line break"),
    ],
)
def test_table_header_rules(headers, problem):
    with pytest.raises(WorkbookError, match=problem):
        check_table_headers(headers, "sheet 'X'")


def test_string_and_validation_limits():
    check_string("x" * 32_767, "A1")
    with pytest.raises(WorkbookError, match="32,767"):
        check_string("x" * 32_768, "sheet 'S', cell A1")
    assert check_validation_list(["a", "b"], "A1") == '"a,b"'
    with pytest.raises(WorkbookError, match="255"):
        check_validation_list([f"item{i}" for i in range(60)], "A1")
    with pytest.raises(WorkbookError, match="commas"):
        check_validation_list(["a,b"], "A1")


def test_overlapping_tables_and_merges_refused():
    layout = SheetLayout("S")
    layout.claim("A1:C10", "tblA")
    layout.claim("A12:C20", "tblB")
    with pytest.raises(WorkbookError, match="overlaps table tblA"):
        layout.claim("C10:D11", "merge", "merged range")


def test_audit_finds_problems_openpyxl_lets_through(tmp_path):
    from openpyxl.worksheet.table import Table, TableColumn

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["a", "b"])
    ws.append([1, 2])
    t = Table(displayName="A1", ref="A1:B2")
    t.tableColumns = [TableColumn(id=1, name="a"), TableColumn(id=2, name="other")]
    ws.add_table(t)
    ws.merge_cells("B2:C3")
    wb.save(tmp_path / "bad.xlsx")
    problems = " | ".join(audit_workbook(str(tmp_path / "bad.xlsx")))
    assert "looks like a cell reference" in problems
    assert "do not match" in problems
    assert "overlaps" in problems


# ------------------------------------------------------------------------------------------ saving


def test_existing_output_refused_without_force(tmp_path):
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"keep me")
    report = build_report(make_analysis(10), "en")
    with pytest.raises(WorkbookError, match="already exists; use --force"):
        write_workbook(report, out)
    assert out.read_bytes() == b"keep me"
    write_workbook(report, out, force=True)
    assert openpyxl.load_workbook(out).sheetnames[0] == "Start here"


def test_output_equal_to_input_refused(tmp_path):
    ledger = tmp_path / "ledger.xlsx"
    ledger.write_bytes(b"ledger")
    report = build_report(make_analysis(10), "en")
    wb = build_workbook(report)
    with pytest.raises(WorkbookError, match="is the input ledger"):
        save_atomic(wb, ledger, force=True, source=ledger)
    assert ledger.read_bytes() == b"ledger"


def test_crash_while_saving_leaves_old_output_and_no_temp_file(tmp_path, monkeypatch):
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"previous")
    wb = build_workbook(build_report(make_analysis(10), "en"))

    def boom(path):
        Path(path).write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(wb, "save", boom)
    with pytest.raises(OSError, match="disk full"):
        save_atomic(wb, out, force=True)
    assert out.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]


def test_output_must_be_xlsx(tmp_path):
    wb = build_workbook(build_report(make_analysis(5), "en"))
    with pytest.raises(WorkbookError, match=r"\.xlsx"):
        save_atomic(wb, tmp_path / "out.csv")


# ------------------------------------------------------------------------------------------ templates


def test_template_restyles_and_keeps_its_sheets(tmp_path):
    path = _write(tmp_path, "fr", template=TEMPLATES / "restyled.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [
        *["Commencez ici", "Cette semaine", "Clients", "Actions", "Modèle", "Paramètres"],
        "Logo",
    ]  # its Summary replaced
    assert wb["Commencez ici"]["A1"].font.name == "Georgia"  # template's named style
    assert wb["Clients"]["A1"].fill.fgColor.rgb.endswith("375623")
    assert wb["Logo"]["A1"].value == "Boutique Exemple" and "A1:F3" in wb["Logo"].merged_cells
    assert "Company" in wb.defined_names
    assert wb["Clients"]["D2"].font.name == "Georgia"  # data cells take the template's default font
    assert audit_workbook(str(path)) == []


def test_default_template_gives_the_default_look(tmp_path):
    plain = openpyxl.load_workbook(_write(tmp_path, "en"))
    (tmp_path / "book_en.xlsx").rename(tmp_path / "plain.xlsx")
    templ = openpyxl.load_workbook(_write(tmp_path, "en", template=TEMPLATES / "default.xlsx"))
    assert templ.sheetnames == plain.sheetnames
    for coord in ("A1", "A2", "A4"):
        fa, fb = templ["Start here"][coord].font, plain["Start here"][coord].font
        assert (fa.name, fa.sz, fa.b, fa.color.rgb) == (fb.name, fb.sz, fb.b, fb.color.rgb)


def test_missing_or_broken_template(tmp_path):
    report = build_report(make_analysis(5), "en")
    with pytest.raises(WorkbookError, match="does not exist"):
        write_workbook(report, tmp_path / "o.xlsx", template=tmp_path / "none.xlsx")
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook")
    with pytest.raises(WorkbookError, match="not an Excel workbook"):
        write_workbook(report, tmp_path / "o.xlsx", template=bad)


@settings(max_examples=40, deadline=None)
@given(texts=st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=8))
def test_any_ledger_text_reads_back_as_the_same_text(tmp_path_factory, texts):
    """Whatever a ledger holds (formula-like, markup, whitespace, control characters), the streamed rows give
    back the same text (XML-illegal characters removed), as text, never as a formula."""
    import pandas as pd

    from xlsegment.report import ReportTable
    from xlsegment.workbook.cells import clean_text

    frame = pd.DataFrame({"Text": texts})
    table = ReportTable("t", "t", frame, ["text"], ["text"])
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("S")
    ws.append(["Text"])
    fastrows.stream(ws, fastrows.render_rows(ws, table.frame, table.kinds, ["@"], 2), 2)
    path = tmp_path_factory.mktemp("prop") / "t.xlsx"
    wb.save(path)
    back = openpyxl.load_workbook(path)["S"]
    for i, text in enumerate(texts, 2):
        expected = clean_text(text).replace("\r\n", "\n").replace("\r", "\n")
        cell = back.cell(i, 1)
        assert cell.data_type != "f"
        assert (cell.value or "") == expected


def test_odd_column_names_still_give_a_valid_table(tmp_path):
    a = make_analysis(12)
    a.customers["bell\x07column"] = 1.0
    a.customers["Revenue "] = 2.0  # would clash with the labelled 'Revenue' after trimming
    path = write_workbook(build_report(a, "en"), tmp_path / "odd.xlsx")
    assert audit_workbook(str(path)) == []
    headers = [c.value for c in openpyxl.load_workbook(path)["Customers"][1]]
    assert "bellcolumn" in headers and len({h.lower() for h in headers}) == len(headers)


def test_top20_formula_uses_the_label_the_customers_sheet_shows(tmp_path):
    a = make_analysis(30, lang="en")
    a.customers["pareto_label"] = a.customers["pareto"].map(
        {"top20": "Best fifth", "next40": "Mid", "rest40": "Low"}
    )
    report = build_report(a, "fr")  # report language differs from the analysis labels
    assert report.top20_label == "Best fifth"
    wb = openpyxl.load_workbook(write_workbook(report, tmp_path / "t.xlsx"))
    formulas = [c.value for row in wb.worksheets[0].iter_rows() for c in row if c.data_type == "f"]
    assert any('"Best fifth"' in f for f in formulas)


def test_template_with_a_clashing_table_or_bad_name_is_refused(tmp_path):
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.table import Table

    report = build_report(make_analysis(8), "en")
    clash = openpyxl.Workbook()
    ws = clash.active
    ws.title = "Extra"
    ws.append(["a", "b"])
    ws.append([1, 2])
    ws.add_table(Table(displayName="tblCustomers", ref="A1:B2"))
    clash.save(tmp_path / "clash.xlsx")
    with pytest.raises(WorkbookError, match="tblCustomers"):
        write_workbook(report, tmp_path / "o.xlsx", template=tmp_path / "clash.xlsx")
    bad = openpyxl.Workbook()
    bad.defined_names["AB12"] = DefinedName("AB12", attr_text="Sheet!$A$1")
    bad.save(tmp_path / "bad_name.xlsx")
    with pytest.raises(WorkbookError, match="looks like a cell reference"):
        write_workbook(report, tmp_path / "o.xlsx", template=tmp_path / "bad_name.xlsx")
    assert not (tmp_path / "o.xlsx").exists()


def test_infinite_and_missing_numbers_give_empty_cells():
    import numpy as np
    import pandas as pd

    from xlsegment.workbook.cells import column_values

    assert column_values(pd.Series([1.5, np.inf, np.nan, -np.inf]), "money") == [1.5, None, None, None]
    assert column_values(pd.Series([1, "x", float("inf"), None], dtype=object), "general") == [
        1,
        "x",
        None,
        None,
    ]
    assert column_values(pd.Series([True, None], dtype=object), "flag") == [True, None]
    assert column_values(pd.Series(["2024-01-02", None]), "date")[0].year == 2024
