"""What may go into a cell, and checks for what makes Excel "repair" a file although every Linux reader opens
it without a word.

`escape_text` is THE rule for text that is not ours (ledger cells, rule tables, playbook, settings): every
writer path calls it (openpyxl streamed rows, single cells, the Summary sheet; Office.js and COM through
`typed_text`). The checks raise `WorkbookError` naming the sheet, cell or table at fault; see
docs/workbook.md for the list and why each rule exists.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils.cell import range_boundaries

from xlsegment.parsing import MAX_CELL_TEXT

MAX_SHEET_NAME = 31
MAX_STRING = MAX_CELL_TEXT
# a cell whose text starts with one of these is a formula (or DDE) to Excel, LibreOffice or a CSV importer
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
MAX_VALIDATION_LIST = 255
MAX_TABLE_HEADER = 255
FORBIDDEN_SHEET_CHARS = set("[]:*?/\\")

_A1_LIKE = re.compile(r"^[A-Za-z]{1,3}[0-9]+$")
_R1C1_LIKE = re.compile(r"^([Rr][0-9]*)?([Cc][0-9]*)?$")
_NAME_OK = re.compile(r"^[A-Za-z_\\][A-Za-z0-9_.\\]*$")


class WorkbookError(ValueError):
    """The workbook cannot be written as asked without Excel having to repair it (or the output is refused)."""


def clean_text(value: object) -> str:
    """A value as cell text: the control characters XML cannot hold removed."""
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def escape_text(value: object, where: str = "cell") -> tuple[str, bool]:
    """Text that is not ours, as a cell must hold it, and whether it needs the quote prefix.

    The text is always written as a string (never a formula); when it starts like a formula (`=HYPERLINK(`,
    `+cmd|`, `-2+3`, `@SUM(`) the quote prefix keeps it text when the user edits the cell too. Control
    characters XML cannot hold are removed; text over 32,767 characters is refused naming `where`.
    """
    text = value if type(value) is str and not ILLEGAL_CHARACTERS_RE.search(value) else clean_text(value)
    if len(text) > MAX_STRING:
        raise WorkbookError(
            f"{where}: text of {len(text):,} characters; an Excel cell holds at most {MAX_STRING:,}"
        )
    return text, is_formula_like(text)


def is_formula_like(text: str) -> bool:
    """True when Excel would take `text`, not ours (ledger, rule tables, settings), for a formula."""
    return text[:1] in FORMULA_START


def typed_text(value: object, where: str = "cell") -> str:
    """`escape_text` for an API that reads values as if typed (Office.js `setValues`, COM `Range.Value`): a
    leading apostrophe, which Excel keeps hidden as the cell's text marker, makes text that looks like a
    formula (or that itself starts with an apostrophe) stay exactly that text."""
    text, quoted = escape_text(value, where)
    return "'" + text if quoted or text[:1] == "'" else text


def check_sheet_name(name: str, existing: Iterable[str] = ()) -> str:
    """A sheet name Excel accepts: 1-31 characters, none of []:*?/\\, no leading/trailing apostrophe,
    not 'History', unique ignoring case."""
    if not isinstance(name, str) or not name.strip():
        raise WorkbookError(f"sheet name {name!r} is empty")
    if len(name) > MAX_SHEET_NAME:
        raise WorkbookError(f"sheet name {name!r} has {len(name)} characters; Excel allows {MAX_SHEET_NAME}")
    bad = sorted(FORBIDDEN_SHEET_CHARS & set(name))
    if bad:
        raise WorkbookError(f"sheet name {name!r} contains {''.join(bad)!r}, which Excel forbids")
    if name.startswith("'") or name.endswith("'"):
        raise WorkbookError(f"sheet name {name!r} starts or ends with an apostrophe")
    if name.lower() == "history":
        raise WorkbookError("sheet name 'History' is reserved by Excel")
    if name.lower() in {e.lower() for e in existing}:
        raise WorkbookError(f"sheet name {name!r} is used twice (Excel ignores case)")
    return name


def check_defined_name(name: str) -> str:
    """A defined or table name Excel accepts: starts with a letter, _ or \\, letters/digits/_/. only, and does
    not look like a cell reference (A1, XFD100, R1C1, R, C)."""
    if not name or len(name) > 255 or not _NAME_OK.match(name):
        raise WorkbookError(f"name {name!r} is not a valid Excel name (letters, digits, _ and . only)")
    if _A1_LIKE.match(name) or _R1C1_LIKE.match(name):
        raise WorkbookError(f"name {name!r} looks like a cell reference, which makes Excel repair the file")
    return name


def check_table_headers(headers: Sequence[object], where: str) -> list[str]:
    """Table headers Excel accepts: text (not numbers), not empty, at most 255 characters, unique ignoring
    case. Returns them as strings (the same strings must go to the header cells and the TableColumns)."""
    seen: dict[str, int] = {}
    out = []
    for i, header in enumerate(headers, 1):
        if not isinstance(header, str):
            raise WorkbookError(
                f"{where}: table header {i} is {header!r}, not text (Excel repairs numeric headers)"
            )
        if not header.strip():
            raise WorkbookError(f"{where}: table header {i} is empty")
        if len(header) > MAX_TABLE_HEADER:
            raise WorkbookError(
                f"{where}: table header {header[:40]!r}... is longer than {MAX_TABLE_HEADER} characters"
            )
        if "\n" in header or "\r" in header:
            raise WorkbookError(f"{where}: table header {header!r} holds a line break")
        key = header.lower()
        if key in seen:
            raise WorkbookError(
                f"{where}: table header {header!r} appears twice (columns {seen[key]} and {i})"
            )
        seen[key] = i
        out.append(header)
    return out


def check_string(value: str, where: str) -> str:
    """Text that fits in one cell (at most 32,767 characters)."""
    if len(value) > MAX_STRING:
        raise WorkbookError(
            f"{where}: text of {len(value):,} characters; an Excel cell holds at most {MAX_STRING:,}"
        )
    return value


def check_validation_list(items: Sequence[str], where: str) -> str:
    """The inline list of a data validation: comma-joined, quoted, at most 255 characters."""
    text = ",".join(items)
    if len(text) > MAX_VALIDATION_LIST:
        raise WorkbookError(
            f"{where}: validation list of {len(text)} characters; Excel allows {MAX_VALIDATION_LIST} "
            "(use a range on a sheet instead)"
        )
    if any('"' in i or "," in i for i in items):
        raise WorkbookError(f"{where}: validation list items may not contain commas or double quotes")
    return f'"{text}"'


class SheetLayout:
    """The ranges a sheet's tables and merged cells occupy, to refuse overlaps before they are written."""

    def __init__(self, sheet: str) -> None:
        self.sheet = sheet
        self.claims: list[tuple[tuple[int, int, int, int], str, str]] = []

    def claim(self, ref: str, what: str, kind: str = "table") -> str:
        """Record `ref` (A1:C9) for `what`; raise when it overlaps a table or merged range already there."""
        box = range_boundaries(ref)
        for other, name, other_kind in self.claims:
            if _overlap(box, other):
                raise WorkbookError(
                    f"sheet {self.sheet!r}: {kind} {what} ({ref}) overlaps {other_kind} {name}"
                )
        self.claims.append((box, what, kind))
        return ref


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    a_min_col, a_min_row, a_max_col, a_max_row = a
    b_min_col, b_min_row, b_max_col, b_max_row = b
    return not (
        a_max_col < b_min_col or b_max_col < a_min_col or a_max_row < b_min_row or b_max_row < a_min_row
    )


def audit_workbook(path: str) -> list[str]:
    """Re-read a written .xlsx and list every rule above it breaks (empty list when clean); for tests."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    problems: list[str] = []
    names: list[str] = []
    for ws in wb.worksheets:
        try:
            check_sheet_name(ws.title, names)
        except WorkbookError as exc:
            problems.append(str(exc))
        names.append(ws.title)
        layout = SheetLayout(ws.title)
        for table in ws.tables.values():
            min_col, min_row, max_col, max_row = range_boundaries(table.ref)
            header_cells = [ws.cell(min_row, c).value for c in range(min_col, max_col + 1)]
            where = f"{ws.title}!{table.ref}"
            for check, args in (
                (check_defined_name, (table.displayName,)),
                (check_table_headers, (header_cells, where)),
                (layout.claim, (table.ref, table.displayName)),
            ):
                try:
                    check(*args)
                except WorkbookError as exc:
                    problems.append(str(exc))
            if [c.name for c in table.tableColumns] != header_cells:
                problems.append(
                    f"{ws.title}: table {table.displayName} columns do not match its header cells"
                )
        for merged in ws.merged_cells.ranges:
            try:
                layout.claim(merged.coord, merged.coord, "merged range")
            except WorkbookError as exc:
                problems.append(str(exc))
        for dv in ws.data_validations.dataValidation:
            if (
                dv.type == "list"
                and dv.formula1
                and dv.formula1.startswith('"')
                and len(dv.formula1) - 2 > 255
            ):
                problems.append(f"{ws.title}: validation list longer than 255 characters")
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and len(cell.value) > MAX_STRING:
                    problems.append(f"{ws.title}!{cell.coordinate}: string longer than {MAX_STRING}")
    for name in wb.defined_names:
        try:
            check_defined_name(name)
        except WorkbookError as exc:
            problems.append(str(exc))
    return problems
