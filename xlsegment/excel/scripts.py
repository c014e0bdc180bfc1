"""One-click buttons (xlwings scripts): Segment, Refresh, Mailing lists and Settings, for every runtime.

The scripts work on the xlwings `Book` API that classic Excel, xlwings Server and xlwings Lite share. They
read the ledger (the selection, a table or sheet named Ledger/Ventes/Transactions, or the active sheet), run
`xlsegment.analyze` and write the tables of `xlsegment.report` - the same tables as the headless workbook.

Sheets the scripts write are their own: each is marked by a workbook-level defined name `xlsegment_<key>`
pointing at its A1 cell, found again through that name (even after a rename) and replaced whole at the next
run. A sheet the user made is never cleared, renamed or deleted: when it has the name we want, our sheet gets
another name.
"""

from __future__ import annotations

import contextlib
import dataclasses
import inspect
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import xlwings as xw
from xlwings import script

from xlsegment.excel.convert import ExcelInputError, frame_to_rows, is_blank, serial_to_timestamp
from xlsegment.labels import label
from xlsegment.report import number_formats
from xlsegment.workbook.safety import typed_text

LEDGER_NAMES = ("ledger", "ventes", "transactions", "journal", "sales")
MARK = "xlsegment_"  # defined-name prefix marking our sheets; xlsegment_ledger remembers the ledger range
OWN_KEYS = ("summary", "customers", "actions", "mailing", "settings")
SHEET_LABELS = {
    "summary": "sheet.button_summary",  # the button's summary sheet (not yet the workbook's "Start here")
    "customers": "sheet.customers",
    "actions": "sheet.actions",
    "settings": "sheet.settings",
    "mailing": "excel.sheet.mailing",
}
# the kinds that get a number format (text, flags and general cells keep Excel's default)
FORMATTED_KINDS = ("int", "number", "ratio", "money", "percent", "score", "date")


# ------------------------------------------------------------------------------------------- ledger
@dataclass
class LedgerSource:
    """Where the ledger was read from: its cells and a description for the status line."""

    values: list[list[Any]]
    where: str
    sheet: str
    address: str


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
        rng = _name_range(book, MARK + "ledger")
        if rng is not None and rng.sheet.name not in own:
            return _source(rng, label("excel.where.sheet", lang).format(sheet=rng.sheet.name))
    if selected is not None:
        return selected
    if selection is not None:
        for table in selection.sheet.tables:
            if table.range is not None and _in_range(selection, table.range):
                where = label("excel.where.table", lang).format(name=table.name, sheet=selection.sheet.name)
                return _source(table.range, where)
    for sheet in book.sheets:
        if sheet.name in own:
            continue
        for table in sheet.tables:
            if table.name.strip().lower() in LEDGER_NAMES and table.range is not None:
                where = label("excel.where.table", lang).format(name=table.name, sheet=sheet.name)
                return _source(table.range, where)
    for sheet in book.sheets:
        if sheet.name.strip().lower() in LEDGER_NAMES and sheet.name not in own:
            return _source(sheet.used_range, label("excel.where.sheet", lang).format(sheet=sheet.name))
    active = book.sheets.active
    if active.name in own:
        raise ExcelInputError(label("excel.error.own_sheet", lang).format(sheet=active.name))
    source = _source(active.used_range, label("excel.where.sheet", lang).format(sheet=active.name))
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
    where = label("excel.where.selection", lang).format(address=f"{selection.sheet.name}!{selection.address}")
    return _source(selection, where)


def _selection(book: Any) -> Any:
    try:
        return book.selection
    except Exception:  # no selection (a chart is selected, or the runtime has none)
        return None


def _source(rng: Any, where: str) -> LedgerSource:
    return LedgerSource(_rows_of(rng), where, rng.sheet.name, rng.address)


# ------------------------------------------------------------------------------------- own sheets
def _names(book: Any) -> dict[str, Any]:
    out = {}
    for name in book.names:
        text = str(name.name)
        out[text.split("!")[-1].lower()] = name
    return out


def _name_range(book: Any, name: str) -> Any:
    item = _names(book).get(name.lower())
    if item is None:
        return None
    try:
        return item.refers_to_range
    except Exception:  # the sheet was deleted: the name is #REF!
        return None


def _own_sheets(book: Any) -> dict[str, Any]:
    """Our sheets by key, found through their defined names."""
    found = {}
    for key in OWN_KEYS:
        rng = _name_range(book, MARK + key)
        if rng is not None:
            found[key] = rng.sheet
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


def own_sheet(book: Any, key: str, lang: str) -> tuple[Any, str | None]:
    """Our sheet for `key`, cleared (or new); and a note when a user sheet kept the name we wanted."""
    wanted = label(SHEET_LABELS[key], lang)[:31]
    sheet = _own_sheets(book).get(key)
    note = None
    taken = {s.name.lower() for s in book.sheets}
    if sheet is not None:
        sheet.clear()
        with contextlib.suppress(Exception):  # charts survive a clear: remove ours before redrawing
            for chart in list(sheet.charts):
                chart.delete()
        if sheet.name != wanted and wanted.lower() not in taken:
            sheet.name = wanted  # the language changed: follow it when the name is free
        return sheet, None
    name = wanted
    n = 1
    while name.lower() in taken:
        n += 1
        suffix = f" ({n})" if n > 2 else " (xlsegment)"
        name = wanted[: 31 - len(suffix)] + suffix
    if name != wanted:
        note = label("excel.status.kept", lang).format(name=wanted, new=name)
    last = book.sheets[len(book.sheets) - 1]
    sheet = book.sheets.add(name=name, after=last)
    _remember(book, MARK + key, name, "$A$1")
    return sheet, note


# ------------------------------------------------------------------------------------------ writing
@dataclass
class Layout:
    """Rows of a sheet built top to bottom, with the formats to apply once the values are written."""

    rows: list[list[Any]] = field(default_factory=list)
    bold: list[tuple[int, int]] = field(default_factory=list)  # (row, width), 1-based rows
    tables: dict[str, tuple[int, int]] = field(default_factory=dict)  # name -> (header row, last row)
    formats: list[tuple[int, int, int, int, str]] = field(default_factory=list)  # r1, c1, r2, c2, format

    def line(self, *values: Any, bold: bool = False) -> None:
        self.rows.append(list(values))
        if bold:
            self.bold.append((len(self.rows), max(1, len(values))))

    def blank(self) -> None:
        self.rows.append([])

    def table(self, table: Any, title: bool = True) -> None:
        """A ReportTable: title, header, rows; number formats by column kind (or by row for headlines)."""
        if title and table.title:
            self.line(table.title, bold=True)
        rows = frame_to_rows(table.frame)
        self.line(*rows[0], bold=True)
        first = len(self.rows) + 1
        self.rows.extend(rows[1:])
        last = len(self.rows)
        self.tables[table.name] = (first - 1, last)
        if last < first:
            return
        if table.row_kinds:
            for i, kind in enumerate(table.row_kinds):
                if kind in FORMATTED_KINDS:
                    self.formats.append((first + i, 2, first + i, 2, kind))
        else:
            for j, kind in enumerate(table.kinds):
                if kind in FORMATTED_KINDS:
                    self.formats.append((first, j + 1, last, j + 1, kind))

    def frame(self, frame: pd.DataFrame, headers: Sequence[str]) -> None:
        rows = frame_to_rows(frame, headers=list(headers))
        self.line(*rows[0], bold=True)
        self.rows.extend(rows[1:])


def _as_text(value: Any) -> Any:
    """A value set as if typed: text that Excel would take for a formula stays text (workbook.safety)."""
    return typed_text(value) if isinstance(value, str) else value


def _write(sheet: Any, layout: Layout, lang: str) -> None:
    """All values in one write, then bold rows and number formats."""
    if not layout.rows:
        return
    width = max(len(r) for r in layout.rows) or 1
    grid = [[_as_text(v) for v in r] + [None] * (width - len(r)) for r in layout.rows]
    sheet.range((1, 1), (len(grid), width)).value = grid
    for row, cols in layout.bold:
        sheet.range((row, 1), (row, cols)).font.bold = True
    formats = number_formats(lang)  # the headless workbook's formats
    for r1, c1, r2, c2, kind in layout.formats:
        sheet.range((r1, c1), (r2, c2)).number_format = formats[kind]
    with contextlib.suppress(Exception):  # autofit is cosmetic; some runtimes lack it
        sheet.range((1, 1), (len(grid), width)).columns.autofit()


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
    rows = []
    for row in _rows_of(sheet.used_range):
        if len(row) < 2 or is_blank(row[0]) or "." not in str(row[0]) and str(row[0]) not in _TOP_KEYS:
            continue
        key, value = str(row[0]).strip(), row[1]
        if key == "as_of" and isinstance(value, (int, float)) and not isinstance(value, bool):
            value = serial_to_timestamp(value).date().isoformat()  # Office.js sends dates as serials
        rows.append((key, value))
    return Settings.from_rows(rows, source=f"sheet {sheet.name!r}")


_TOP_KEYS = ("as_of", "time_unit", "lang", "segment_by")


def settings_layout(settings: Any) -> Layout:
    """The Settings sheet: title, header, one row per parameter (value, what it does)."""
    lang = settings.lang
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


def write_settings(book: Any, settings: Any = None) -> Any:
    """Write (or rewrite, keeping the user's values) the Settings sheet; return the settings."""
    settings = settings if settings is not None else read_settings(book)
    sheet, _ = own_sheet(book, "settings", settings.lang)
    _write(sheet, settings_layout(settings), settings.lang)
    return settings


# ------------------------------------------------------------------------------------------ reports
def _summary_layout(report: Any, status: list[str], lang: str) -> Layout:
    layout = Layout()
    layout.line(report.title, bold=True)
    layout.line(report.subtitle)
    for line in status:
        layout.line(line)
    layout.line(label("excel.marker", lang))
    for table in (report.headline, report.segments, report.pareto, report.rfm_grid, report.quality):
        if table is not None:
            layout.blank()
            layout.table(table)
    return layout


def _segment_chart(sheet: Any, layout: Layout, report: Any) -> None:
    """Customers per segment as a bar chart next to the tables, where the runtime can draw charts."""
    if "segments" not in layout.tables:
        return
    header, last = layout.tables["segments"]
    if last <= header:
        return
    with contextlib.suppress(Exception):  # a runtime without charts still gets every table
        chart = sheet.charts.add(left=620, top=20, width=420, height=260)
        chart.chart_type = "bar_clustered"
        chart.set_source_data(sheet.range((header, 1), (last, 2)))
        chart.name = "xlsegment_segments"


def _actions_layout(report: Any, lang: str) -> Layout:
    layout = Layout()
    layout.line(label("sheet.actions", lang), bold=True)
    layout.line(label("excel.marker", lang))
    for table in (report.actions, report.mailing):
        if table is not None:
            layout.blank()
            layout.table(table)
    return layout


def _customers_layout(report: Any) -> Layout:
    layout = Layout()
    layout.table(report.customers, title=False)
    return layout


def _status(analysis: Any, source: LedgerSource, lang: str) -> str:
    quality = analysis.quality
    return label("excel.status.read", lang).format(
        rows=quality.rows_read,
        where=source.where,
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
    frame = range_to_frame(source.values, what=source.where)
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


def segment_book(
    book: Any, *, remembered: bool = False, selection_first: bool = False, done: Any = None
) -> list[str]:
    """Segment: analyse the ledger and (re)write Summary, Customers and Actions; return the status lines.

    `done` receives (analysis, source), so one click can reuse the analysis for the mailing lists.
    """
    from xlsegment.report import build_report

    analysis, source = run_analysis(book, remembered=remembered, selection_first=selection_first)
    if done is not None:
        done(analysis, source)
    lang = analysis.settings.lang
    report = build_report(analysis, lang, analysis.settings.segment_by)
    status = _status(analysis, source, lang)
    sheets, notes = {}, []
    for key in ("summary", "customers", "actions"):
        sheets[key], note = own_sheet(book, key, lang)
        notes += [note] if note else []
    summary = _summary_layout(report, [status, *notes], lang)
    _write(sheets["summary"], summary, lang)
    _segment_chart(sheets["summary"], summary, report)
    _write(sheets["customers"], _customers_layout(report), lang)
    _write(sheets["actions"], _actions_layout(report, lang), lang)
    written = [sheet.name for sheet in sheets.values()]
    _remember(book, MARK + "ledger", source.sheet, _absolute(source.address))
    return [status, label("excel.status.written", lang).format(sheets=", ".join(written)), *notes]


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


def mailing_book(book: Any, analysed: tuple[Any, LedgerSource] | None = None) -> list[str]:
    """Mailing lists: one block per segment (customers with their contact data), then those unreachable."""
    from xlsegment.actions import mailing_lists
    from xlsegment.report import class_label, column_label

    analysis, source = analysed or run_analysis(book, remembered=True)
    settings = analysis.settings
    lang = settings.lang
    lists = mailing_lists(analysis.customers, settings.segment_by, plan=analysis.plan, lang=lang)
    layout = Layout()
    layout.line(label("excel.sheet.mailing", lang), bold=True)
    layout.line(_status(analysis, source, lang))
    layout.line(label("excel.marker", lang))
    for code, frame in lists.lists.items():
        layout.blank()
        layout.line(f"{class_label(settings.segment_by, str(code), lang)} ({len(frame)})", bold=True)
        layout.frame(frame, [column_label(str(c), lang) for c in frame.columns])
    if len(lists.missing):
        layout.blank()
        layout.line(label("excel.mailing.missing", lang) + f" ({len(lists.missing)})", bold=True)
        layout.frame(lists.missing, [column_label(str(c), lang) for c in lists.missing.columns])
    sheet, note = own_sheet(book, "mailing", lang)
    _write(sheet, layout, lang)
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
