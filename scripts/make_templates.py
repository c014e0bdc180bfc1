"""Generate workbook_templates/default.xlsx and restyled.xlsx (templates for `xlsegment build --template`).

A template restyles the output through the named cell styles 'xlsegment Title', 'xlsegment Header'... (Home >
Cell Styles in Excel) and keeps its own extra sheets (a logo or terms sheet) and defined names; sheets named
like ours (Summary, Customers, Actions, Model, Settings, or their French names) are replaced.
Run: python scripts/make_templates.py
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.workbook.defined_name import DefinedName

from xlsegment.workbook.styles import STYLE_NAMES, default_styles

OUT = Path(__file__).resolve().parents[1] / "workbook_templates"

README = (
    "Template for 'xlsegment build --template FILE'. Edit the cell styles named 'xlsegment ...' "
    "(Home > Cell Styles) and the theme; add your own sheets (logo, terms). xlsegment replaces the sheets "
    "named Summary, Customers, Actions, Model and Settings (Synthèse, Clients, Actions, Modèle, Paramètres) "
    "and keeps everything else."
)


def _style_samples(wb: Workbook, title: str) -> None:
    ws = wb.active
    ws.title = title
    ws["A1"] = README
    ws["A1"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 100
    ws.row_dimensions[1].height = 60
    for row, name in enumerate(STYLE_NAMES.values(), 3):
        ws.cell(row, 1, name).style = name


def default_template() -> Workbook:
    """Our named styles as the writer uses them without a template."""
    wb = Workbook()
    for style in default_styles().values():
        wb.add_named_style(style)
    _style_samples(wb, "Summary")
    return wb


def restyled_template() -> Workbook:
    """A sample restyling: serif fonts, green headers, a Logo sheet and a defined name that are kept."""
    wb = Workbook()
    wb._fonts = IndexedList(
        [Font(name="Georgia", sz=10, family=1)]
    )  # the default (Normal) font of every cell
    green, gold = "375623", "BF8F00"
    styles = {
        "title": NamedStyle(STYLE_NAMES["title"], font=Font(name="Georgia", size=20, bold=True, color=green)),
        "subtitle": NamedStyle(
            STYLE_NAMES["subtitle"], font=Font(name="Georgia", size=10, italic=True, color=gold)
        ),
        "heading": NamedStyle(
            STYLE_NAMES["heading"], font=Font(name="Georgia", size=13, bold=True, color=green)
        ),
        "header": NamedStyle(
            STYLE_NAMES["header"],
            font=Font(name="Georgia", size=11, bold=True, color="FFFFFF"),
            fill=PatternFill("solid", fgColor=green),
            alignment=Alignment(wrap_text=True, vertical="center"),
        ),
        "label": NamedStyle(
            STYLE_NAMES["label"],
            font=Font(name="Georgia", size=11),
            fill=PatternFill("solid", fgColor="E2EFDA"),
        ),
        "figure": NamedStyle(
            STYLE_NAMES["figure"], font=Font(name="Georgia", size=12, bold=True, color=gold)
        ),
        "note": NamedStyle(STYLE_NAMES["note"], font=Font(name="Georgia", size=10, italic=True)),
    }
    for style in styles.values():
        wb.add_named_style(style)
    _style_samples(wb, "Summary")
    logo = wb.create_sheet("Logo")
    logo["A1"] = "Boutique Exemple"
    logo["A1"].font = Font(name="Georgia", size=28, bold=True, color="FFFFFF")
    logo["A1"].fill = PatternFill("solid", fgColor=green)
    logo["A1"].alignment = Alignment(horizontal="center", vertical="center")
    logo.merge_cells("A1:F3")
    logo["A5"] = "12 rue des Exemples, 75000 Paris"
    logo.column_dimensions["A"].width = 20
    wb.defined_names["Company"] = DefinedName("Company", attr_text="Logo!$A$1")
    return wb


def main() -> None:
    OUT.mkdir(exist_ok=True)
    default_template().save(OUT / "default.xlsx")
    restyled_template().save(OUT / "restyled.xlsx")
    print(f"wrote {OUT / 'default.xlsx'} and {OUT / 'restyled.xlsx'}")


if __name__ == "__main__":
    main()
