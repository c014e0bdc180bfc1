"""One-click buttons (xlwings scripts): Segment, Refresh, Mailing lists and Settings, for every runtime.

The scripts work on the xlwings `Book` API that classic Excel, xlwings Server and xlwings Lite share. They
read the ledger (the selection, a table or sheet named Ledger/Ventes/Transactions, or the active sheet), run
`xlsegment.analyze` and draw the report description (`xlsegment.report.describe`) with `excel.render`: the
same sheets, tables, charts, conditional formats and formulas as the headless workbook.

Sheets the scripts write are their own: each is marked by a workbook-level defined name `xlsegment_<key>`
pointing at its A1 cell, found again through that name (even after a rename) and replaced whole at the next
run (deleted and added again at the same place: Excel tables and charts do not go away with a clear). A sheet
the user made is never cleared, renamed or deleted: when it has the name we want, our sheet gets another name.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import xlwings as xw
from xlwings import script

from xlsegment.excel.convert import ExcelInputError, is_blank, serial_to_timestamp
from xlsegment.labels import check_lang, label
from xlsegment.workbook.safety import typed_text

LEDGER_NAMES = ("ledger", "ventes", "transactions", "journal", "sales")
MARK = "xlsegment_"  # defined-name prefix marking our sheets; xlsegment_ledger remembers the ledger range
LEDGER_MARK = MARK + "ledger"
# sheets the buttons write besides the report description's: the mailing lists (the report's own sheets,
# Settings included, are named by the description in the user's language)
MAILING = "mailing"


# ------------------------------------------------------------------------------------------- ledger
@dataclass
class LedgerSource:
    """Where the ledger was read from: its cells and a description for the status line."""

    values: list[list[Any]]
    place: tuple[str, dict[str, str]]  # label key of "where it was read" and its fields
    sheet: str
    address: str

    def where(self, lang: str) -> str:
        """Where the ledger was read, said in `lang` (the status line follows the ledger's language)."""
        key, fields = self.place
        return label(key, lang).format(**fields)


def _rows_of(rng: Any) -> list[list[Any]]:
    values = rng.options(ndim=2).value
    return [list(row) for row in (values or [])]


def _own_sheet_names(book: Any) -> set[str]:
    return {sheet.name for sheet in _own_sheets(book).values()}


def _in_range(cell: Any, area: Any) -> bool:
    rows, cols = area.shape
    return area.row <= cell.row < area.row + rows and area.column <= cell.column < area.column + cols


def find_ledger(
    book: Any, lang: str = "en", remembered: bool = False, selection_first: bool = False
) -> LedgerSource:
    """The ledger range: the remembered one (Refresh), the selection, a named table or sheet, the active sheet.

    `selection_first`: a range of several rows and columns selected on a user sheet wins over the
    remembered ledger (the classic button, which both segments and refreshes).
    """
    own = _own_sheet_names(book)
    selection = _selection(book)
    if selection is not None and selection.sheet.name in own:
        selection = None
    selected = _selected_range(selection, lang)
    if selection_first and selected is not None:
        return selected
    if remembered:
        rng = _name_range(book, LEDGER_MARK)
        if rng is not None and rng.sheet.name not in own:
            return _source(rng, "excel.where.sheet", sheet=rng.sheet.name)
    if selected is not None:
        return selected
    if selection is not None:
        for table in selection.sheet.tables:
            if table.range is not None and _in_range(selection, table.range):
                return _source(table.range, "excel.where.table", name=table.name, sheet=selection.sheet.name)
    for sheet in book.sheets:
        if sheet.name in own:
            continue
        for table in sheet.tables:
            if table.name.strip().lower() in LEDGER_NAMES and table.range is not None:
                return _source(table.range, "excel.where.table", name=table.name, sheet=sheet.name)
    for sheet in book.sheets:
        if sheet.name.strip().lower() in LEDGER_NAMES and sheet.name not in own:
            return _source(sheet.used_range, "excel.where.sheet", sheet=sheet.name)
    active = book.sheets.active
    if active.name in own:
        raise ExcelInputError(label("excel.error.own_sheet", lang).format(sheet=active.name))
    source = _source(active.used_range, "excel.where.sheet", sheet=active.name)
    if len(source.values) < 2:
        raise ExcelInputError(label("excel.error.no_ledger", lang))
    return source


def _selected_range(selection: Any, lang: str) -> LedgerSource | None:
    """The selection as the ledger when it is a range of several rows and columns."""
    if selection is None:
        return None
    rows, cols = selection.shape
    if rows < 2 or cols < 2:
        return None
    return _source(selection, "excel.where.selection", address=f"{selection.sheet.name}!{selection.address}")


def _selection(book: Any) -> Any:
    try:
        return book.selection
    except Exception:  # no selection (a chart is selected, or the runtime has none)
        return None


def _source(rng: Any, key: str, **fields: str) -> LedgerSource:
    return LedgerSource(_rows_of(rng), (key, fields), rng.sheet.name, rng.address)


# ------------------------------------------------------------------------------------- own sheets
def _names(book: Any) -> dict[str, Any]:
    out = {}
    for name in book.names:
        text = str(name.name)
        out[text.split("!")[-1].lower()] = name
    return out


def _name_range(book: Any, name: str) -> Any:
    item = _names(book).get(name.lower())
    return None if item is None else _refers(item)


def _refers(item: Any) -> Any:
    """The range a defined name points at, or None when its sheet was deleted (the name is #REF!)."""
    try:
        return item.refers_to_range
    except Exception:
        return None


def _own_sheets(book: Any) -> dict[str, Any]:
    """Our sheets by key, found through their defined names (xlsegment_<key>; the ledger's is not a sheet)."""
    found = {}
    for name, item in _names(book).items():  # the names are read once
        if name.startswith(MARK) and name != LEDGER_MARK:
            rng = _refers(item)
            if rng is not None:
                found[name[len(MARK) :]] = rng.sheet
    return found


def _quoted(sheet_name: str) -> str:
    return "'" + sheet_name.replace("'", "''") + "'"


def _remember(book: Any, name: str, sheet_name: str, address: str) -> None:
    """Point the workbook-level name at an address (replacing a stale definition)."""
    existing = _names(book).get(name.lower())
    refers_to = f"={_quoted(sheet_name)}!{address}"
    if existing is not None:
        existing.delete()
    book.names.add(name, refers_to)


def own_sheet(
    book: Any, key: str, name: str, lang: str, after: Any = None, known: dict[str, str] | None = None
) -> tuple[Any, str | None]:
    """Our sheet for `key`, called `name`, new and empty: an old one is deleted and replaced at its place, a
    new one goes right after the sheet `after` (or last); and a note when a user sheet kept the name.

    `known`: our sheets' names by key, read before this run added any sheet (xlwings' Office.js engine
    does not move a defined name's sheet index when a sheet is inserted before it, so names read after
    an insertion point at the wrong sheet)."""
    wanted = name[:31]
    if known is None:
        old = _own_sheets(book).get(key)
    else:
        old = next((s for s in book.sheets if s.name == known.get(key)), None)
    position = None
    if old is not None:
        names = [s.name for s in book.sheets]
        position = names.index(old.name)
        keep_name = (
            old.name
            if old.name.lower() != wanted.lower() and wanted.lower() in map(str.lower, names)
            else None
        )
        old.delete()  # tables, charts and formats go with it
        wanted = keep_name or wanted
    taken = {s.name.lower() for s in book.sheets}
    name, n, note = wanted, 1, None
    while name.lower() in taken:
        n += 1
        suffix = f" ({n})" if n > 2 else " (xlsegment)"
        name = wanted[: 31 - len(suffix)] + suffix
    if name != wanted:
        note = label("excel.status.kept", lang).format(name=wanted, new=name)
    count = len(book.sheets)
    if position is None and after is not None:
        position = [s.name for s in book.sheets].index(after.name) + 1
    if position == 0:
        sheet = book.sheets.add(name=name, before=book.sheets[0])
    else:  # after its left neighbour (xlwings' Office.js engine misplaces `before=` beyond the first sheet)
        left = position - 1 if position is not None and position <= count else count - 1
        sheet = book.sheets.add(name=name, after=book.sheets[left])
    _remember(book, MARK + key, name, "$A$1")
    return sheet, note


# ------------------------------------------------------------------------------------------ writing
@dataclass
class Layout:
    """Rows of a sheet built top to bottom (the values to edit of Settings, the status lines), with the rows
    shown bold."""

    rows: list[list[Any]] = field(default_factory=list)
    bold: list[tuple[int, int]] = field(default_factory=list)  # (row, width), 1-based rows

    def line(self, *values: Any, bold: bool = False) -> None:
        self.rows.append(list(values))
        if bold:
            self.bold.append((len(self.rows), max(1, len(values))))

    def blank(self) -> None:
        self.rows.append([])


def _as_text(value: Any) -> Any:
    """A value set as if typed: text that Excel would take for a formula stays text (workbook.safety)."""
    return typed_text(value) if isinstance(value, str) else value


def _write(sheet: Any, layout: Layout, first_row: int = 1) -> None:
    """All values in one write from row `first_row`, then the bold rows."""
    if not layout.rows:
        return
    width = max(len(r) for r in layout.rows) or 1
    grid = [[_as_text(v) for v in r] + [None] * (width - len(r)) for r in layout.rows]
    top = first_row - 1
    sheet.range((first_row, 1), (top + len(grid), width)).value = grid
    for row, cols in layout.bold:
        sheet.range((top + row, 1), (top + row, cols)).font.bold = True


# ----------------------------------------------------------------------------------------- settings
def _default_rows() -> list[tuple[str, Any]]:
    """Settings rows with the Python API's own defaults (read from the signatures, never restated)."""
    from xlsegment.actions.schedule import DEFAULT_CAPACITY
    from xlsegment.clv import predict_clv, simple_clv
    from xlsegment.lapse import lapse_flags
    from xlsegment.segments import SegmentConfig
    from xlsegment.settings import Settings

    base = Settings()
    rows: list[tuple[str, Any]] = [
        ("as_of", None),
        ("time_unit", base.time_unit),
        ("lang", base.lang),
        ("segment_by", base.segment_by),
    ]
    seg = {f.name: f for f in dataclasses.fields(SegmentConfig)}
    for key in ("abc_thresholds", "rfm_bins", "rfm_method", "rfm_table", "lifecycle_table", "former_months"):
        rows.append((f"segments.{key}", seg[key].default))
    pc = inspect.signature(predict_clv).parameters
    rows += [(f"clv.{k}", pc[k].default) for k in ("horizon", "unit", "discount_rate")]
    rows.append(("clv.lifetime", inspect.signature(simple_clv).parameters["lifetime"].default))
    lf = inspect.signature(lapse_flags).parameters
    rows += [(f"lapse.{k}", lf[k].default) for k in ("lapsed_months", "lost_months", "overdue_factor")]
    rows += [(f"actions.capacity.{k}", v) for k, v in DEFAULT_CAPACITY.items()]
    return rows


def _cell(value: Any) -> Any:
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(list(value) if isinstance(value, tuple) else value)
    return value


def read_settings(book: Any) -> Any:
    """Settings from our Settings sheet (column A the parameter, B the value); defaults without one."""
    from xlsegment.settings import Settings

    sheet = _own_sheets(book).get("settings")
    if sheet is None:
        return Settings()
    rows: list[tuple[str, Any]] = []
    for row in _rows_of(sheet.used_range):
        if rows and (not row or is_blank(row[0])):
            break  # the table of values ends at its first blank row (the parameters used follow below)
        if len(row) < 2 or is_blank(row[0]) or "." not in str(row[0]) and str(row[0]) not in _TOP_KEYS:
            continue
        key, value = str(row[0]).strip(), row[1]
        if key == "as_of" and isinstance(value, (int, float)) and not isinstance(value, bool):
            value = serial_to_timestamp(value).date().isoformat()  # Office.js sends dates as serials
        rows.append((key, value))
    return Settings.from_rows(rows, source=f"sheet {sheet.name!r}")


_TOP_KEYS = ("as_of", "time_unit", "lang", "segment_by")


def settings_layout(settings: Any, lang: str | None = None) -> Layout:
    """The Settings sheet: title, header, one row per parameter (value, what it does), labels in `lang`."""
    lang = check_lang(lang or settings.lang)
    current = dict(settings.to_rows())
    layout = Layout()
    layout.line(label("excel.settings.title", lang), bold=True)
    layout.line(label("excel.marker", lang))
    layout.blank()
    layout.line(
        label("excel.settings.key", lang), label("excel.settings.value", lang), label("excel.settings.help", lang),
        bold=True,
    )  # fmt: skip
    seen = set()
    for key, default in [*_default_rows(), *settings.to_rows()]:
        if key in seen:
            continue
        seen.add(key)
        value = current.get(key, default)
        text = label(f"excel.settings.help.{key}", lang)
        layout.line(key, _cell(value), "" if text == f"excel.settings.help.{key}" else text)
    return layout


def write_settings(
    book: Any,
    settings: Any = None,
    *,
    lang: str | None = None,
    report: Any = None,
    after: Any = None,
    known: dict[str, str] | None = None,
) -> Any:
    """Write (or rewrite, keeping the user's values) the Settings sheet and return it.

    `report`: the description's Settings sheet (parameters used, data quality, how to read the sheets),
    drawn below the values to edit; `after`, `known`: see `own_sheet`."""
    from xlsegment.excel.render import SheetRenderer
    from xlsegment.report import sheet_names

    settings = settings if settings is not None else read_settings(book)
    lang = check_lang(lang or settings.lang)
    name = report.name if report is not None else sheet_names(lang)["settings"]
    sheet, _ = own_sheet(book, "settings", name, lang, after=after, known=known)
    layout = settings_layout(settings, lang)
    _write(sheet, layout)
    if report is not None:
        SheetRenderer(sheet, report, row_offset=len(layout.rows) + 1).render()
    return sheet


# ------------------------------------------------------------------------------------------ reports
def _status(analysis: Any, source: LedgerSource, lang: str) -> str:
    quality = analysis.quality
    return label("excel.status.read", lang).format(
        rows=quality.rows_read,
        where=source.where(lang),
        customers=len(analysis.customers),
        excluded=quality.rows_excluded,
    )


def run_analysis(
    book: Any, *, remembered: bool = False, selection_first: bool = False
) -> tuple[Any, LedgerSource]:
    """Settings from the sheet, ledger from the workbook, then `analyze` (errors name range rows)."""
    from xlsegment import analyze
    from xlsegment.excel.convert import range_to_frame

    settings = read_settings(book)
    source = find_ledger(book, settings.lang, remembered=remembered, selection_first=selection_first)
    frame = range_to_frame(source.values, what=source.where(settings.lang))
    reader = {**settings.reader, "errors": settings.reader.get("errors", "exclude")}
    settings = dataclasses.replace(
        settings, reader=reader, segments=_sheet_rule_tables(book, settings.segments)
    )
    analysis = analyze(frame, settings=settings)
    analysis.quality.source = f"{_book_name(book)} / {source.sheet}"
    return analysis, source


def _sheet_rule_tables(book: Any, segments: dict[str, Any]) -> dict[str, Any]:
    """Rule tables named by a sheet of the workbook (segments.rfm_table = "My rules") read from that sheet."""
    from xlsegment.excel.convert import range_to_frame

    out = dict(segments)
    sheets = {sheet.name.strip().lower(): sheet for sheet in book.sheets}
    for key in ("rfm_table", "lifecycle_table"):
        value = out.get(key)
        if isinstance(value, str) and value.strip().lower() in sheets:
            sheet = sheets[value.strip().lower()]
            table = range_to_frame(_rows_of(sheet.used_range), what=f"rule table {sheet.name!r}")
            table.attrs["source"] = f"sheet {sheet.name}"
            out[key] = table.reset_index(drop=True)
    return out


def _book_name(book: Any) -> str:
    try:
        return str(book.name)
    except Exception:  # a runtime without a book name
        return "Excel"


def report_book(analysis: Any) -> tuple[Any, list[str]]:
    """The report description of an analysis as `xlsegment build` makes it by default - every sheet, the
    over-time ones (Movements, Cohorts) included - and the notes on what was left out."""
    from xlsegment.overtime.sheets import with_overtime_sheets
    from xlsegment.report import build_report, describe

    settings = analysis.settings
    described = describe(build_report(analysis, settings.lang, settings.segment_by))
    notes = with_overtime_sheets(described, analysis)
    return described, notes


def segment_book(
    book: Any, *, remembered: bool = False, selection_first: bool = False, done: Any = None
) -> list[str]:
    """Segment: analyse the ledger and (re)write every sheet of the report, in the order and the language of
    the headless workbook (Start here, This week, Customers, Actions, Movements, Cohorts, Model), then the
    Settings sheet (the values to edit, then the parameters used and the data quality); return the status
    lines, which are also written under the first sheet.

    Our sheets of an earlier run that this report no longer has (Movements when the comparison date falls
    before the first sale) are removed. `done` receives (analysis, source), so one click can reuse the
    analysis for the mailing lists.
    """
    from xlsegment.excel.render import SheetRenderer

    analysis, source = run_analysis(book, remembered=remembered, selection_first=selection_first)
    if done is not None:
        done(analysis, source)
    lang = analysis.settings.lang
    described, notes = report_book(analysis)
    known = {key: sheet.name for key, sheet in _own_sheets(book).items()}
    _drop_stale_sheets(book, known, {sheet.key for sheet in described.sheets})
    written, previous, first = [], None, None
    for spec in described.sheets:
        if spec.key == "settings":
            continue
        sheet, note = own_sheet(book, spec.key, spec.name, lang, after=previous, known=known)
        notes += [note] if note else []
        SheetRenderer(sheet, spec).render()
        written.append(sheet.name)
        previous, first = sheet, first or sheet
    settings_sheet = write_settings(
        book, read_settings(book), lang=lang, report=described.sheet("settings"), after=previous, known=known
    )
    written.append(settings_sheet.name)
    _remember(book, LEDGER_MARK, source.sheet, _absolute(source.address))
    lines = [
        _status(analysis, source, lang),
        label("excel.status.written", lang).format(sheets=", ".join(written)),
        *notes,
    ]
    _write(first, Layout([[line] for line in lines]), first_row=described.sheets[0].next_row + 1)
    return lines


def _drop_stale_sheets(book: Any, known: dict[str, str], keys: set[str]) -> None:
    """Delete our report sheets (and their names) whose key the new report does not have."""
    names = _names(book)
    for key, name in list(known.items()):
        if key not in keys and key != MAILING:
            next(s for s in book.sheets if s.name == name).delete()
            names[MARK + key].delete()
            del known[key]


def _absolute(address: str) -> str:
    if "$" in address:
        return address
    parts = address.split(":")
    out = []
    for part in parts:
        letters = "".join(ch for ch in part if ch.isalpha())
        digits = part[len(letters) :]
        out.append(f"${letters}${digits}" if digits else f"${letters}")
    return ":".join(out)


def mailing_table(frame: pd.DataFrame, lang: str) -> Any:
    """A mailing list as a reader sees it, as a table of the report description: the segment by its label
    (not its code), the channel by its name, headers in `lang`, dates as dates."""
    from xlsegment.report import CUSTOMER_COLUMNS, ReportTable, column_label

    out = (
        frame.drop(columns=["segment"])
        if {"segment", "segment_label"} <= set(frame.columns)
        else frame.copy()
    )
    if "channel" in out.columns:
        out["channel"] = out["channel"].map(lambda c: label(f"actions.channel.{c}", lang) if c else c)
    keys = ["segment" if c == "segment_label" else str(c) for c in out.columns]
    kind_of = dict(CUSTOMER_COLUMNS)  # the Customers sheet's kinds
    kinds = [kind_of.get(key, "text") for key in keys]
    out.columns = [column_label(k, lang) for k in keys]
    return ReportTable(MAILING, "", out.reset_index(drop=True), keys, kinds)


def mailing_sheet(lists: Any, segment_by: str, status: str, lang: str) -> Any:
    """The Mailing lists sheet as a report description: title, status, then one table per segment (customers
    with their contact data) and the customers selected but unreachable, drawn by the buttons' renderer."""
    from xlsegment.report import class_label
    from xlsegment.report.layout import SheetBuilder, merge_widths, text_widths

    blocks = [
        (f"{class_label(segment_by, str(code), lang)} ({len(frame)})", mailing_table(frame, lang))
        for code, frame in lists.lists.items()
    ]
    if len(lists.missing):
        blocks.append((f"{label('excel.mailing.missing', lang)} ({len(lists.missing)})",
                       mailing_table(lists.missing, lang)))  # fmt: skip
    b = SheetBuilder(MAILING, label("excel.sheet.mailing", lang), lang)
    b.sheet.page.orientation = "landscape"  # a dozen columns of names and addresses
    b.widths(merge_widths(*(text_widths(table) for _, table in blocks)) or [40.0])
    b.text(label("excel.sheet.mailing", lang), "title")
    b.text(status, "note")
    b.text(label("excel.marker", lang), "note")
    for title, table in blocks:
        b.blank()
        b.text(title, "heading")
        b.table(table)
    return b.sheet


def mailing_book(book: Any, analysed: tuple[Any, LedgerSource] | None = None) -> list[str]:
    """Mailing lists: one block per segment (customers with their contact data), then those unreachable."""
    from xlsegment.actions import mailing_lists
    from xlsegment.excel.render import SheetRenderer

    analysis, source = analysed or run_analysis(book, remembered=True)
    settings = analysis.settings
    lang = settings.lang
    lists = mailing_lists(analysis.customers, settings.segment_by, plan=analysis.plan, lang=lang)
    spec = mailing_sheet(lists, settings.segment_by, _status(analysis, source, lang), lang)
    sheet, note = own_sheet(book, MAILING, spec.name, lang)
    SheetRenderer(sheet, spec).render()
    return [f"{sheet.name}: {sum(len(f) for f in lists.lists.values())}", *([note] if note else [])]


def one_click(book: Any) -> list[str]:
    """The classic ribbon button: Settings sheet on the first run, then Segment and Mailing lists."""
    if "settings" not in _own_sheets(book):
        write_settings(book)
    kept: list[tuple[Any, LedgerSource]] = []
    lines = segment_book(
        book,
        remembered=True,
        selection_first=True,
        done=lambda analysis, source: kept.append((analysis, source)),
    )
    lines += mailing_book(book, kept[0])
    return lines


def _report_error(book: Any, exc: Exception) -> None:
    """Show a failure where the user looks: an alert where the runtime has one, else raise the message."""
    from xlsegment.excel.convert import error_text

    message = error_text(exc)
    try:
        book.app.alert(message, title="xlsegment")
    except Exception:
        raise ExcelInputError(message) from exc


def _safely(action: Any, book: Any) -> None:
    try:
        action(book)
    except (ValueError, KeyError, LookupError) as exc:  # input problems: tell the user, no traceback
        _report_error(book, exc)


# -------------------------------------------------------------------------------------------- buttons
@script
def segment(book: xw.Book) -> None:
    """Segment: read the ledger, write the Summary, Customers and Actions sheets."""
    _safely(segment_book, book)


@script
def refresh(book: xw.Book) -> None:
    """Refresh: run Segment again on the same ledger with the current Settings sheet."""
    _safely(lambda b: segment_book(b, remembered=True), book)


@script
def mailing(book: xw.Book) -> None:
    """Mailing lists: one list per segment with the contact data, and who cannot be reached."""
    _safely(mailing_book, book)


@script
def settings(book: xw.Book) -> None:
    """Settings: write the Settings sheet to edit (as-of date, thresholds, language, rule tables)."""
    _safely(write_settings, book)


__all__ = ["segment", "refresh", "mailing", "settings"]
