"""The "Mouvements" (movements) and "Cohortes" (cohorts) sheets, as blocks of the report description.

Pure layout (xlsegment.report.model): a renderer (the openpyxl writer, the Excel buttons) draws them like any
other sheet. `overtime_sheets` computes the migration and the cohorts from the transactions of an analysis
and lays both sheets out; `movements_sheet` and `cohorts_sheet` lay out results already computed.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from xlsegment.labels import check_lang, day_text, label
from xlsegment.overtime.cohorts import Cohorts, cohort_label, cohorts, period_labels
from xlsegment.overtime.migration import CONTACT_SHOWN, GONE, NEW, SEGMENT_CODE_COLUMNS, Migration, migration
from xlsegment.overtime.text import ago_text, fill
from xlsegment.report.formats import currency_of
from xlsegment.report.layout import SheetBuilder, merge_widths, text_widths
from xlsegment.report.model import Book, Cell, Chart, ConditionalFormat, Series, Sheet, cell_ref, range_ref
from xlsegment.report.tables import ReportTable, column_label
from xlsegment.summary import DEFAULT_TIME_UNIT

COMPARE_MONTHS = 3  # default comparison: one quarter before the analysis date
CURVE_COHORTS = 6  # cohorts drawn on the retention chart, besides all cohorts pooled
SENTENCES = 5
HEAT = [("min", None, "FFFFFF"), ("percentile", 50, "FFE699"), ("max", None, "F8696B")]
GREEN_HEAT = [("min", None, "FFFFFF"), ("max", None, "63BE7B")]
LABEL_WIDTH = 30.0
CELL_WIDTH = 11.0


def default_compare_to(as_of: pd.Timestamp) -> pd.Timestamp:
    """One quarter before the analysis date (same day of the month, or the month's last day)."""
    return (pd.Timestamp(as_of) - pd.DateOffset(months=COMPARE_MONTHS)).normalize()


def cohort_grain(first: pd.Timestamp, as_of: pd.Timestamp) -> str:
    """Months for up to two years of history, quarters up to ten, years beyond: a triangle that stays
    readable on one page."""
    months = (as_of.year - first.year) * 12 + as_of.month - first.month + 1
    return "M" if months <= 24 else "Q" if months <= 120 else "Y"


def _date_text(day: pd.Timestamp, lang: str) -> str:
    return day_text(day, lang)


def _heat(ref: str, points: list) -> ConditionalFormat:
    return ConditionalFormat(ref, "color_scale", list(points))


def _sentences(b: SheetBuilder, lines: list[str], span: int) -> None:
    """Each sentence on its own row across `span` columns, wrapped on as many lines as its length needs."""
    width = sum(b.sheet.widths[:span]) or span * CELL_WIDTH
    for line in lines:
        b.text(line, "wrap", span=span, lines=max(1, math.ceil(len(line) / (width * 1.05))))


def _matrix_grid(b: SheetBuilder, matrix: pd.DataFrame, m: Migration, kind: str, name: str) -> None:
    """A migration matrix with row and column totals (live SUM formulas) and a heat map over the cells."""
    fmt = b.formats[kind]
    corner = f"{m.labelled_matrix().index.name} \u2192 {label('overtime.col.to', m.lang)}"
    headers = [corner, *[m.labels[c] for c in matrix.columns], label("overtime.total", m.lang)]
    rows = [b.header_cells(headers)]
    top = b.row + 1
    n_rows, n_cols = matrix.shape
    values = matrix.to_numpy()
    for i, code in enumerate(matrix.index):
        r = top + i
        cells = [Cell(m.labels[code], "label")]
        cells += [Cell(_plain(v), None, fmt) for v in values[i]]
        total = f"=SUM({range_ref(r, 2, r, 1 + n_cols)})"
        cells.append(Cell(_plain(values[i].sum()), "figure", fmt, total))
        rows.append(cells)
    bottom = top + n_rows
    totals = [Cell(label("overtime.total", m.lang), "label")]
    for j in range(n_cols + 1):
        col = 2 + j
        totals.append(
            Cell(_plain(values.sum() if j == n_cols else values[:, j].sum()), "figure", fmt,
                 f"=SUM({range_ref(top, col, bottom - 1, col)})")
        )  # fmt: skip
    rows.append(totals)
    b.grid(rows, name)
    b.sheet.formats.append(_heat(range_ref(top, 2, bottom - 1, 1 + n_cols), HEAT))


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _movers_table(m: Migration, lang: str) -> ReportTable:
    movers = m.movers.reset_index()
    columns: list[tuple[str, str]] = [("customer_id", "text")]
    columns += [(c, "text") for c in CONTACT_SHOWN if c in movers.columns]
    columns += [("from_label", "text"), ("to_label", "text"), ("revenue_start", "money"),
                ("revenue_end", "money"), ("last_purchase", "date")]  # fmt: skip
    ago = ago_text(m.start, m.end, lang)
    headers = {
        "from_label": fill("overtime.col.from", lang, ago=ago),
        "to_label": label("overtime.col.to", lang),
        "revenue_start": fill("overtime.col.revenue_start", lang, ago=ago),
        "revenue_end": label("overtime.col.revenue_end", lang),
    }
    frame = pd.DataFrame(
        {headers.get(key) or column_label(key, lang): movers[key].to_numpy() for key, _ in columns}
    )
    return ReportTable(
        "movers",
        label("overtime.movers.title", lang),
        frame,
        [k for k, _ in columns],
        [kind for _, kind in columns],
    )


def movements_sheet(m: Migration, currency: str | None = None) -> Sheet:
    """The Mouvements sheet of a migration: the biggest flows in words, the customer and annual-revenue
    matrices as heat maps, and the customers to call first."""
    lang = m.lang
    b = SheetBuilder("movements", label("sheet.movements", lang), lang, currency)
    n_cols = len(m.matrix.columns) + 2
    movers = _movers_table(m, lang)
    b.widths(merge_widths([LABEL_WIDTH] + [CELL_WIDTH + 2] * (n_cols - 1), text_widths(movers)))
    span = min(n_cols, 12)
    b.text(
        fill("overtime.movements.title", lang, start=_date_text(m.start, lang), end=_date_text(m.end, lang)),
        "title",
    )
    _sentences(b, [m.summary_sentence()], span)
    b.blank()
    b.text(label("overtime.movements.flows", lang), "heading")
    _sentences(b, m.sentences(SENTENCES, currency) or [label("overtime.movements.none", lang)], span)
    b.blank()
    shown = m.matrix.columns if m.matrix[GONE].sum() else m.matrix.columns.drop(GONE)  # an empty column: out
    b.text(label("overtime.movements.customers", lang), "heading")
    _matrix_grid(b, m.matrix[shown], m, "int", "migration_customers")
    b.blank()
    ago = ago_text(m.start, m.end, lang)
    b.text(fill("overtime.movements.revenue", lang, ago=ago), "heading")
    known = m.revenue_start.index.drop(NEW)  # not yet customers then: no revenue to show
    _matrix_grid(b, m.revenue_start.loc[known, shown].round(2), m, "money", "migration_revenue")
    b.blank()
    b.text(label("overtime.movers.title", lang), "heading")
    if len(m.movers):
        b.text(label("overtime.movers.note", lang), "note", span=span)
        block = b.table(movers, excel_name="tblMovers", stream=True)
        b.sheet.formats.append(
            ConditionalFormat(
                block.data_ref("revenue_start"),
                "data_bar",
                [("min", None, "5B9BD5"), ("max", None, "5B9BD5")],
            )
        )
    else:
        b.text(label("overtime.movers.none", lang), "note", span=span)
    b.sheet.gridlines = False
    b.sheet.page.orientation = "landscape"
    return b.sheet


def _triangle_grid(b: SheetBuilder, c: Cohorts, value: str, kind: str, name: str, points: list) -> None:
    triangle = c.triangle(value)
    sizes = c.table.drop_duplicates("cohort").set_index("cohort")["customers"]
    n = triangle.shape[1]
    headers = [label("overtime.cohort", b.lang), label("overtime.cohort_customers", b.lang)]
    rows = [b.header_cells(headers + period_labels(c.by, n, b.lang))]
    top = b.row + 1
    for cohort, values in triangle.iterrows():
        cells = [
            Cell(cohort_label(str(cohort), b.lang), "label"),
            Cell(int(sizes[cohort]), None, b.formats["int"]),
        ]
        cells += [Cell(_plain(v), None, b.formats[kind]) for v in values.to_numpy()]
        rows.append(cells)
    b.grid(rows, name)
    if n > 1 and len(triangle):
        first = 4 if value == "retention" else 3  # period 0 is 100 % for every cohort: left out of the scale
        if first <= 2 + n:
            b.sheet.formats.append(_heat(range_ref(top, first, top + len(triangle) - 1, 2 + n), points))


def _curve_cohorts(c: Cohorts) -> list[str]:
    """Up to CURVE_COHORTS cohorts evenly spread from the oldest, each with at least two periods seen."""
    names = c.table.groupby("cohort", sort=False)["period"].max()
    names = names[names >= 1].index.tolist()
    if len(names) <= CURVE_COHORTS:
        return names
    picks = np.unique(np.linspace(0, len(names) - 1, CURVE_COHORTS).round().astype(int))
    return [names[i] for i in picks]


def cohorts_sheet(
    c: Cohorts, lang: str = "en", currency: str | None = None, lifetime: str | None = None
) -> Sheet:
    """The Cohortes sheet: retention and revenue-per-customer triangles as heat maps and retention curves;
    `lifetime` (the simple CLV's `lifetime_text`) says which yearly retention the simple CLV uses."""
    lang = check_lang(lang)
    b = SheetBuilder("cohorts", label("sheet.cohorts", lang), lang, currency)
    n = c.retention.shape[1]
    b.widths([LABEL_WIDTH, 10] + [8.5] * max(n, 8))
    span = min(2 + n, 14)
    unit = label(f"overtime.grain.{c.by}", lang)
    b.text(fill("overtime.cohorts.title", lang, unit=unit), "title")
    _sentences(b, c.sentences(lang, currency) + ([lifetime] if lifetime else []), span)
    b.text(fill("overtime.cohorts.partial", lang, as_of=_date_text(c.as_of, lang)), "note", span=span)
    first = cohort_label(str(c.retention.index[0]), lang)
    b.text(fill("overtime.cohorts.first_cohort", lang, cohort=first), "note", span=span)
    b.blank()
    period = label(f"overtime.period.{c.by}", lang)
    b.text(fill("overtime.cohorts.retention", lang, unit=unit, period=period), "heading")
    _triangle_grid(b, c, "retention", "percent", "cohort_retention", GREEN_HEAT)
    b.blank()
    b.text(fill("overtime.cohorts.revenue", lang, unit=unit), "heading")
    _triangle_grid(b, c, "revenue_per_customer", "money", "cohort_revenue", GREEN_HEAT)
    b.blank()

    # the curves: periods in rows, pooled and a few cohorts in columns, then the line chart beside them
    b.text(label("overtime.cohorts.curves", lang), "heading")
    b.text(fill("overtime.cohorts.complete_only", lang, as_of=_date_text(c.as_of, lang)), "note", span=span)
    curve = c.curve()
    picks = _curve_cohorts(c)
    done = c.table[c.table["complete"]]
    retention = done.pivot(index="cohort", columns="period", values="retention").reindex(
        index=c.retention.index, columns=c.retention.columns
    )
    headers = [label("overtime.cohort_period", lang), label("overtime.cohorts.pooled", lang)]
    headers += [cohort_label(p, lang) for p in picks]
    rows = [b.header_cells(headers)]
    top = b.row + 1
    periods = period_labels(c.by, n, lang)
    for k in range(n):
        pooled = curve["retention"].get(k, np.nan)
        cells = [Cell(periods[k], "label"), Cell(_plain(pooled), None, b.formats["percent"])]
        cells += [Cell(_plain(retention.loc[p].iloc[k]), None, b.formats["percent"]) for p in picks]
        rows.append(cells)
    grid = b.grid(rows, "cohort_curves")
    series = [
        Series(range_ref(top, col, top + n - 1, col), cell_ref(grid.row, col), kind="line")
        for col in range(2, 3 + len(picks))
    ]
    b.sheet.charts.append(
        Chart(
            "line",
            label("overtime.cohorts.chart", lang),
            categories=range_ref(top, 1, top + n - 1, 1),
            series=series,
            anchor=cell_ref(grid.row, 4 + len(picks)),
            width=18,
            height=9,
            y_format="0%",
        )
    )
    b.sheet.gridlines = False
    b.sheet.page.orientation = "landscape"
    return b.sheet


def overtime_sheets(
    transactions: pd.DataFrame,
    as_of: object,
    *,
    lang: str = "en",
    compare_to: object = None,
    by: str = "rfm_segment",
    config: Any = None,
    time_unit: str = DEFAULT_TIME_UNIT,
    currency: str | None = None,
    lifetime: str | None = None,
) -> tuple[list[Sheet], list[str]]:
    """The Mouvements and Cohortes sheets for an analysis at `as_of`, and notes on what was left out.

    `compare_to` is the earlier date of the migration (default: one quarter before `as_of`); a date before
    the first purchase leaves the Mouvements sheet out, with a note. `lifetime` is the simple CLV's lifetime
    in words, shown under the cohorts' sentences."""
    lang = check_lang(lang)
    as_of_ts = pd.Timestamp(as_of).normalize()
    start = default_compare_to(as_of_ts) if compare_to is None else pd.Timestamp(compare_to).normalize()
    sheets: list[Sheet] = []
    notes: list[str] = []
    first = pd.Timestamp(transactions["date"].min()).normalize()
    if start >= as_of_ts:
        notes.append(fill("overtime.note.compare_after", lang, start=_date_text(start, lang)))
    elif start < first:
        notes.append(fill("overtime.note.compare_before", lang, start=_date_text(start, lang)))
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = migration(transactions, start, as_of_ts, by, config=config, lang=lang, time_unit=time_unit)
        sheets.append(movements_sheet(m, currency))
    sheets.append(
        cohorts_sheet(
            cohorts(transactions, cohort_grain(first, as_of_ts), as_of_ts), lang, currency, lifetime
        )
    )
    return sheets, notes


def with_overtime_sheets(
    book: Book, analysis: Any, compare_to: object = None, currency: str | None = None
) -> list[str]:
    """Insert the Mouvements and Cohortes sheets of `analysis` into `book`, after its Actions sheet (or at the
    end); return the notes on what was left out. Amounts in `currency` (default: the language's, as the
    report's). Uses the analysis' own settings (language, segment column,
    segmentation, time unit) and says which lifetime its simple CLV used."""
    settings = analysis.settings
    simple = (analysis.model or {}).get("simple_clv", {})
    same_lang = check_lang(settings.lang) == book.lang
    by = settings.segment_by if settings.segment_by in SEGMENT_CODE_COLUMNS else "rfm_segment"
    sheets, notes = overtime_sheets(
        analysis.transactions,
        analysis.as_of,
        lang=book.lang,
        compare_to=compare_to,
        by=by,
        config=settings.segments or None,
        time_unit=settings.time_unit,
        lifetime=simple.get("lifetime_text") if same_lang else None,
        currency=currency_of(book.lang, currency),
    )
    if book.sheets:  # print like the report's other sheets: its header (shop, date) and page-number footer
        shared = book.sheets[0].page
        for sheet in sheets:
            sheet.page = replace(sheet.page, header=shared.header, footer=shared.footer, paper=shared.paper)
    keys = [s.key for s in book.sheets]
    at = keys.index("actions") + 1 if "actions" in keys else len(keys)
    book.sheets[at:at] = sheets
    return notes
