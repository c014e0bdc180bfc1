"""Templates: restyle the write-only workbook from a template workbook, and carry its own sheets over.

The template is read with openpyxl (normal mode: it is small); the output stays a write-only workbook, so a
template costs no memory per customer. Taken from the template: its named cell styles (the writer's roles
`xlsegment Title`, `xlsegment Header`... use them), its default font and theme, its document properties, its
defined names, and every sheet not named like ours, copied cell by cell (values, styles, comments,
hyperlinks, merged cells, column widths, row heights, freeze panes, tab colour, conditional formats, data
validation, tables, and the charts and images openpyxl loaded). See docs/workbook.md for what openpyxl drops.
"""

from __future__ import annotations

import os
import warnings
from copy import copy
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import NamedStyle
from openpyxl.utils.indexed_list import IndexedList

from xlsegment.workbook.safety import WorkbookError, check_defined_name


def load_template(path: str | os.PathLike) -> Workbook:
    """The template workbook, or WorkbookError naming the file."""
    path = Path(path)
    if not path.is_file():
        raise WorkbookError(f"template {str(path)!r} does not exist")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it drops
            return load_workbook(path)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise WorkbookError(
            f"template {str(path)!r} is not an Excel workbook openpyxl can read: {exc}"
        ) from exc


def apply_look(template: Workbook, wb: Workbook) -> None:
    """Give the (new, still empty) write-only workbook the template's default font, theme, properties and
    named styles. Must run before any cell is styled."""
    wb._fonts = IndexedList([copy(template._fonts[0])])
    if template.loaded_theme:
        wb.loaded_theme = template.loaded_theme
    wb.properties = copy(template.properties)
    existing = set(wb.named_styles)
    for style in template._named_styles:
        if style.name in existing:
            continue
        wb.add_named_style(
            NamedStyle(
                name=style.name,
                font=copy(style.font),
                fill=copy(style.fill),
                border=copy(style.border),
                alignment=copy(style.alignment),
                number_format=style.number_format,
                protection=copy(style.protection),
            )
        )


def copy_sheets(template: Workbook, wb: Workbook, skip: set[str]) -> list[str]:
    """Copy the template's sheets whose lower-cased title is not in `skip` to the end of `wb`; their names."""
    kept = []
    for src in template.worksheets:
        if src.title.lower() in skip:
            continue
        _copy_sheet(src, wb.create_sheet(src.title))
        kept.append(src.title)
    for name, defined in template.defined_names.items():
        check_defined_name(name)
        wb.defined_names[name] = copy(defined)
    return kept


def _copy_cell(ws: Any, c: Any) -> Any:
    n = WriteOnlyCell(ws)
    if c.has_style:
        if c.style and c.style in ws.parent.named_styles:
            n.style = c.style
        n.font, n.fill, n.border = copy(c.font), copy(c.fill), copy(c.border)
        n.alignment, n.protection = copy(c.alignment), copy(c.protection)
        n.number_format = c.number_format
    n._value, n.data_type = c._value, c.data_type
    if getattr(c, "comment", None) is not None:
        n.comment = copy(c.comment)
    if getattr(c, "hyperlink", None) is not None:
        n.hyperlink = copy(c.hyperlink)
    return n


def _copy_sheet(src: Any, ws: Any) -> None:
    for key, dim in src.column_dimensions.items():
        ws.column_dimensions[key].width = dim.width
        ws.column_dimensions[key].hidden = dim.hidden
    for idx, dim in src.row_dimensions.items():
        if dim.height is not None:
            ws.row_dimensions[idx].height = dim.height
    ws.sheet_properties.tabColor = src.sheet_properties.tabColor
    ws.sheet_view.showGridLines = src.sheet_view.showGridLines
    if src.freeze_panes:
        ws.freeze_panes = src.freeze_panes
    for row in src.iter_rows():
        ws.append([_copy_cell(ws, c) if (c.value is not None or c.has_style) else None for c in row])
    for merged in src.merged_cells.ranges:
        ws.merged_cells.add(merged.coord)
    ws.conditional_formatting = src.conditional_formatting
    ws.data_validations = src.data_validations
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "In write-only mode you must add table columns manually")
        for table in src.tables.values():
            check_defined_name(table.displayName)
            if ws.parent._duplicate_name(table.displayName):
                raise WorkbookError(
                    f"template sheet {src.title!r}: table name {table.displayName!r} is already used in the workbook"
                )
            ws.add_table(table)
    for chart in src._charts:
        ws.add_chart(chart)
    for image in src._images:
        ws.add_image(image)
