"""Named cell styles of the workbook (number formats and column widths live in the report description).

A template restyles the output by defining named styles with the names in STYLE_NAMES (Home > Cell Styles in
Excel): the writer uses the template's definition when it has one, ours otherwise.
"""

from __future__ import annotations

from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side

ACCENT = "1F4E78"
LIGHT = "DDEBF7"

STYLE_NAMES = {
    "title": "xlsegment Title",
    "subtitle": "xlsegment Subtitle",
    "heading": "xlsegment Heading",
    "header": "xlsegment Header",
    "label": "xlsegment Label",
    "figure": "xlsegment Figure",
    "note": "xlsegment Note",
    "text": "xlsegment Text",
    "wrap": "xlsegment Wrapped text",
}


def default_styles() -> dict[str, NamedStyle]:
    """Our named styles, by role (the look of the default template)."""
    thin = Side(style="thin", color="9BC2E6")
    return {
        "title": NamedStyle(
            STYLE_NAMES["title"], font=Font(name="Calibri", size=18, bold=True, color=ACCENT)
        ),
        "subtitle": NamedStyle(
            STYLE_NAMES["subtitle"], font=Font(name="Calibri", size=10, italic=True, color="595959")
        ),
        "heading": NamedStyle(
            STYLE_NAMES["heading"], font=Font(name="Calibri", size=13, bold=True, color=ACCENT)
        ),
        "header": NamedStyle(
            STYLE_NAMES["header"],
            font=Font(name="Calibri", size=11, bold=True, color="FFFFFF"),
            fill=PatternFill("solid", fgColor=ACCENT),
            alignment=Alignment(wrap_text=True, vertical="center"),
            border=Border(bottom=thin),
        ),
        "label": NamedStyle(
            STYLE_NAMES["label"],
            font=Font(name="Calibri", size=11),
            fill=PatternFill("solid", fgColor=LIGHT),
            alignment=Alignment(wrap_text=True, vertical="center"),
        ),
        "figure": NamedStyle(
            STYLE_NAMES["figure"], font=Font(name="Calibri", size=12, bold=True, color=ACCENT)
        ),
        "text": NamedStyle(STYLE_NAMES["text"], font=Font(name="Calibri", size=11)),
        "wrap": NamedStyle(
            STYLE_NAMES["wrap"],
            font=Font(name="Calibri", size=11),
            alignment=Alignment(wrap_text=True, vertical="top"),
        ),
        "note": NamedStyle(
            STYLE_NAMES["note"],
            font=Font(name="Calibri", size=10, color="404040"),
            alignment=Alignment(wrap_text=True),
        ),
    }


def register_styles(wb) -> dict[str, str]:
    """Add our named styles the workbook (a template) does not define yet; return role -> style name."""
    existing = {getattr(s, "name", s) for s in wb.named_styles}
    for style in default_styles().values():
        if style.name not in existing:
            wb.add_named_style(style)
    return dict(STYLE_NAMES)
