"""Pure tables of the report sheets, built from an `Analysis` and a language.

The openpyxl writer (`xlsegment.workbook`) and the xlwings Segment button both render these same tables, so
the headless workbook and the Excel buttons show the same content. Everything here is plain pandas: no Excel
library is imported. Each table is a `ReportTable`: a DataFrame whose headers are already labelled in the
chosen language, plus, per column, a stable key (the canonical column name, the same in every language) and a
display kind (`text`, `int`, `number`, `ratio` (small rates), `money`, `percent`, `date`, `flag`, `score`, or `general` for a
column of mixed values) that says how to format it.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from importlib import resources
from pathlib import PurePath
from typing import Any

import numpy as np
import pandas as pd

from xlsegment.columns import CONTACT_COLUMNS
from xlsegment.labels import check_lang, label
from xlsegment.report.formats import format_date, number_formats  # noqa: F401  (number_formats re-exported)
from xlsegment.report.model import MAX_SHEET_ROWS

KINDS = ("text", "int", "number", "ratio", "money", "percent", "date", "flag", "score", "general")

# classifications shown by their label (the `<code>_label` column) rather than their code, in display order
LABELLED_CLASSES = ("rfm_segment", "customer_type", "abc", "pareto", "lifecycle", "behaviour", "buyer_status")

# the customers view: canonical column -> display kind, in the order the columns are shown; columns the
# analysis does not have are skipped, columns it has that are not listed here are appended at the end
CUSTOMER_COLUMNS: tuple[tuple[str, str], ...] = (
    # what a shop owner reads first: who, segment, value, last purchase, next action
    ("customer_id", "text"),
    ("name", "text"),
    ("rfm_segment", "text"),
    ("customer_type", "text"),
    ("revenue", "money"),
    ("clv", "money"),
    ("p_alive", "percent"),
    ("last_purchase", "date"),
    ("next_action", "text"),
    ("channel", "text"),
    ("due_date", "date"),
    # the details (grouped in the workbook)
    ("civility", "text"),
    ("first_name", "text"),
    ("last_name", "text"),
    ("email", "text"),
    ("phone", "text"),
    ("city", "text"),
    ("postcode", "text"),
    ("address", "text"),
    ("birthday", "date"),
    ("abc", "text"),
    ("pareto", "text"),
    ("lifecycle", "text"),
    ("behaviour", "text"),
    ("buyer_status", "text"),
    ("value_score", "score"),
    ("r_score", "int"),
    ("f_score", "int"),
    ("m_score", "int"),
    ("rfm_code", "text"),
    ("t_score", "int"),
    ("frat_code", "text"),
    ("orders", "int"),
    ("basket", "money"),
    ("first_purchase", "date"),
    ("recency", "number"),
    ("frequency", "int"),
    ("T", "number"),
    ("t_x", "number"),
    ("mean_gap", "number"),
    ("purchases_per_year", "number"),
    ("purchase_rate", "ratio"),
    ("relationship_length", "number"),
    ("monetary_value", "money"),
    ("orders_12m", "int"),
    ("orders_prev_12m", "int"),
    ("revenue_12m", "money"),
    ("n_categories", "int"),
    ("main_category", "text"),
    ("margin", "money"),
    ("margin_rate", "percent"),
    ("discount_share", "percent"),
    ("returns", "money"),
    ("return_rate", "percent"),
    ("payment_delay", "days"),
    ("service_contacts", "int"),
    ("clv_simple", "money"),
    ("clv_simple_margin", "money"),
    ("expected_purchases", "number"),
    ("expected_aov", "money"),
    ("clv_margin", "money"),
    ("lapsed_6m", "flag"),
    ("lapsed_12m", "flag"),
    ("overdue", "flag"),
    ("slowing", "flag"),
    ("likely_lost", "flag"),
    ("lapse_reason", "text"),
    ("objective", "text"),
    ("suppressed_offer", "text"),
    ("suppressed_reason", "text"),
)
# the first columns of the Customers sheet, always shown; the others are details, grouped
ESSENTIAL_COLUMNS = (
    "customer_id",
    "name",
    "rfm_segment",
    "customer_type",
    "revenue",
    "clv",
    "p_alive",
    "last_purchase",
    "next_action",
    "channel",
    "due_date",
)
# columns left out of the Customers sheet: internal codes whose label is shown elsewhere, and the planner's
# own copy of the segment (the same as the classification it plans by)
HIDDEN_COLUMNS = ("segment", "segment_label")
# model figures shown even when blank: blank says the model was not reliable enough to give them
KEPT_EMPTY = ("p_alive", "expected_purchases", "expected_aov", "clv", "clv_margin")
# text columns whose long sentences wrap
LONG_TEXT_COLUMNS = (
    "next_action",
    "lapse_reason",
    "objective",
    "due_reason",
    "contact_plan",
    "reason",
    "message",
)
_KIND_OF = dict(CUSTOMER_COLUMNS) | {
    # columns of the other tables (playbook per segment...)
    "customers": "int",
    "customers_share": "percent",
    "revenue_share": "percent",
    "overdue_customers": "int",
    "value_at_stake": "money",
}

# durations expressed in the summary's time unit: their header names the unit ("Recency (days)")
DURATION_COLUMNS = ("recency", "T", "t_x", "mean_gap", "relationship_length")


SHEETS = ("summary", "week", "customers", "actions", "model", "settings")


@dataclass
class ReportTable:
    """One table of a report sheet: labelled frame, stable key and display kind per column.

    `row_keys` / `row_kinds` are set for tables read row by row (headline figures), where each row is one
    figure with its own format.
    """

    name: str
    title: str
    frame: pd.DataFrame
    keys: list[str]
    kinds: list[str]
    row_keys: list[str] = field(default_factory=list)
    row_kinds: list[str] = field(default_factory=list)
    lead: int = 0  # leading columns always shown (the Customers sheet groups the others)

    def header(self, key: str) -> str:
        """The labelled header of the column whose canonical key is `key` (KeyError when absent)."""
        return str(self.frame.columns[self.keys.index(key)])

    def has(self, key: str) -> bool:
        return key in self.keys

    def value(self, row_key: str) -> Any:
        """The value of the headline row `row_key` (tables with `row_keys`)."""
        return self.frame.iloc[self.row_keys.index(row_key), 1]


@dataclass
class Report:
    """Every table of the segmented workbook, in one language."""

    lang: str
    sheet_names: dict[str, str]
    title: str
    subtitle: str
    segment_by: str
    headline: ReportTable
    segments: ReportTable
    pareto: ReportTable
    rfm_grid: ReportTable | None
    customers: ReportTable
    actions: ReportTable | None
    mailing: ReportTable | None
    model: list[ReportTable]
    settings: ReportTable
    quality: ReportTable
    help: ReportTable
    top20_label: str = "Top 20 %"  # the Pareto group label the customers table shows for the top 20 %
    currency: str = ""  # currency code of amounts ("" = plain numbers)
    shop: str = ""  # the shop's name, on every printed page
    as_of_text: str = ""  # the analysis date as the language writes it
    story: list[str] = field(default_factory=list)  # the first sheet's plain sentences
    week: ReportTable | None = None  # the contact plan's week 1
    week_counts: list[tuple[str, int]] = field(default_factory=list)  # (channel label, customers) of week 1
    model_text: list[str] = field(default_factory=list)  # what the models found, in words
    glossary: ReportTable | None = None  # every Customers column explained
    model_verdicts: tuple[str, ...] = ()  # which CLV model and whether to trust it (clv.reliability)
    week_note: str = ""  # customers the plan holds out as a campaign's control group, per segment


# ---------------------------------------------------------------------------------------------- helpers


@lru_cache(maxsize=1)
def _classification_rows() -> tuple[tuple[str, str, str, str], ...]:
    """(classification, code, en, fr) rows of rules/classifications.csv, in file order."""
    path = resources.files("xlsegment") / "rules" / "classifications.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple((r["classification"], r["code"], r["en"], r["fr"]) for r in csv.DictReader(handle))


def classification_rows() -> tuple[tuple[str, str, str, str], ...]:
    """(classification, code, en, fr) rows of rules/classifications.csv, in file order."""
    return _classification_rows()


def class_label(classification: str, code: str, lang: str = "en") -> str:
    """The label of a classification code from rules/classifications.csv (the code itself when unknown)."""
    lang = check_lang(lang)
    for cls, c, en, fr in _classification_rows():
        if cls == classification and c == code:
            return (fr if lang == "fr" else en) or en or code
    return str(code)


def class_order(classification: str) -> list[str]:
    """The codes of a classification in the order rules/classifications.csv lists them."""
    return [c for cls, c, _, _ in _classification_rows() if cls == classification]


def column_label(key: str, lang: str) -> str:
    """Header of a canonical column (`col.<key>` in rules/labels_columns.csv; the key itself when unknown)."""
    text = label(f"col.{key}", lang)
    return key if text == f"col.{key}" else text


def _kind_of_series(key: str, series: pd.Series) -> str:
    if key in _KIND_OF:
        return _KIND_OF[key]
    if pd.api.types.is_bool_dtype(series):
        return "flag"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "date"
    if pd.api.types.is_integer_dtype(series):
        return "int"
    if pd.api.types.is_numeric_dtype(series):
        return "number"
    return "text"


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def unique_headers(headers: Iterable[str]) -> list[str]:
    """Make headers unique (an Excel table refuses duplicates): 'Segment', 'Segment (2)', ..."""
    seen: dict[str, int] = {}
    out = []
    for h in headers:
        h = _CONTROL.sub("", str(h)).strip() or "Column"
        base, n = h, seen.get(h.lower(), 0)
        while h.lower() in seen:
            n += 1
            h = f"{base} ({n + 1})"
        seen[h.lower()] = 0
        seen[base.lower()] = max(seen.get(base.lower(), 0), n)
        out.append(h)
    return out


def _table(name: str, title: str, columns: list[tuple[str, str, pd.Series | list]], lang: str) -> ReportTable:
    """A ReportTable from (key, kind, values) triples, headers labelled from labels_columns.csv."""
    headers = unique_headers(column_label(k, lang) for k, _, _ in columns)
    data = {
        h: (v.reset_index(drop=True) if isinstance(v, pd.Series) else v)
        for h, (_, _, v) in zip(headers, columns, strict=True)
    }
    frame = pd.DataFrame(data, columns=headers)
    return ReportTable(name, title, frame, [k for k, _, _ in columns], [k for _, k, _ in columns])


def _settings_of(analysis: Any) -> Any:
    return getattr(analysis, "settings", None)


def as_of_of(analysis: Any) -> pd.Timestamp | None:
    """The analysis date: the settings' as_of, else the summary's `attrs['as_of']`."""
    settings = _settings_of(analysis)
    value = getattr(settings, "as_of", None)
    if value is None:
        for frame in (getattr(analysis, "summary", None), getattr(analysis, "customers", None)):
            if frame is not None and frame.attrs.get("as_of") is not None:
                value = frame.attrs["as_of"]
                break
    return None if value is None else pd.Timestamp(value)


def time_unit_of(analysis: Any) -> str:
    settings = _settings_of(analysis)
    unit = getattr(settings, "time_unit", None)
    if unit is None:
        summary = getattr(analysis, "summary", None)
        unit = summary.attrs.get("time_unit") if summary is not None else None
    return str(unit or "D")


def _customers_frame(analysis: Any) -> pd.DataFrame:
    """The customers with `customer_id` as a column, without the frame's attrs: pandas deep-copies attrs
    (the data-quality report...) on every operation, which costs more than the operations themselves."""
    customers = pd.DataFrame(analysis.customers, copy=False)
    if "customer_id" in customers.columns:
        return customers.reset_index(drop=True)
    frame = customers.reset_index()
    return frame.rename(columns={frame.columns[0]: "customer_id"})


def _safe_div(num: float, den: float) -> float:
    return float(num) / float(den) if den else 0.0


# ------------------------------------------------------------------------------------------- the tables


def _is_empty(series: pd.Series) -> bool:
    """True when a column holds nothing to read (every value missing or blank text)."""
    if series.isna().all():
        return True
    if series.dtype == object or pd.api.types.is_string_dtype(series):
        return bool((series.dropna().astype(str).str.strip() == "").all())
    return False


def full_names(df: pd.DataFrame) -> pd.Series | None:
    """The customer's name: the `name` column, else first and last name joined; None without either."""
    if "name" in df.columns:
        return df["name"]
    parts = [c for c in ("first_name", "last_name") if c in df.columns]
    if not parts:
        return None
    text = [df[c].astype("object").where(df[c].notna(), "").astype(str) for c in parts]
    joined = text[0]
    for part in text[1:]:
        joined = joined + " " + part
    joined = joined.str.strip()
    return joined.where(joined != "", None)


def customers_view(analysis: Any, lang: str = "en", segment_by: str = "rfm_segment") -> ReportTable:
    """One row per customer, labelled headers, classes shown by their label: the essential columns first
    (ESSENTIAL_COLUMNS, and the `segment_by` classification), then every other column of the analysis.

    A classification is shown through its `<code>_label` column when the analysis has one (the code column
    is then left out); the planner's copy of the segment and internal codes (HIDDEN_COLUMNS) and columns
    with nothing in them are left out; columns not listed in CUSTOMER_COLUMNS are appended at the end.
    `table.lead` is the number of leading essential columns.
    """
    lang = check_lang(lang)
    df = _customers_frame(analysis)
    names = full_names(df)
    if names is not None and "name" not in df.columns:
        df = df.assign(name=names)
    days = time_unit_of(analysis) == "D"
    order = list(CUSTOMER_COLUMNS)
    if segment_by not in ESSENTIAL_COLUMNS and segment_by in df.columns:
        order.insert(2, (segment_by, "text"))
    essential = set(ESSENTIAL_COLUMNS) | {segment_by}
    columns: list[tuple[str, str, pd.Series]] = []
    used: set[str] = {c for c in HIDDEN_COLUMNS if c in df.columns}
    if "segment" in df.columns and segment_by in df.columns and "segment" not in used:
        used.add("segment")

    def add(key: str, kind: str, values: pd.Series) -> None:
        # an empty column is left out, except a model's figures left blank on purpose (not reliable)
        if key in KEPT_EMPTY or not _is_empty(values):
            columns.append((key, kind, values))

    for key, kind in order:
        if key in used:
            continue
        if f"{key}_label" in df.columns and key in df.columns:
            add(key, "text", df[f"{key}_label"])
            used.update({key, f"{key}_label"})
        elif key in df.columns:
            if pd.api.types.is_bool_dtype(df[key]):
                kind = "flag"
            elif key in DURATION_COLUMNS and days:
                kind = "days"
            add(key, kind, df[key])
            used.add(key)
    for col in df.columns:
        col = str(col)
        if col in used:
            continue
        if f"{col}_label" in df.columns:  # a code with its label: show the label under the code's header
            add(col, "text", df[f"{col}_label"])
            used.update({col, f"{col}_label"})
            continue
        if col.endswith("_label") and col[: -len("_label")] in df.columns:
            continue
        add(col, _kind_of_series(col, df[col]), df[col])
        used.add(col)
    table = _table("customers", label("sheet.customers", lang), columns, lang)
    unit = label(f"unit.{time_unit_of(analysis)}", lang)
    renamed = [
        f"{header} ({unit})" if key in DURATION_COLUMNS else header
        for key, header in zip(table.keys, table.frame.columns, strict=True)
    ]
    table.frame.columns = unique_headers(renamed)
    lead = 0
    while lead < len(table.keys) and table.keys[lead] in essential:
        lead += 1
    table.lead = lead
    return table


def segment_table(analysis: Any, lang: str = "en", segment_by: str = "rfm_segment") -> ReportTable:
    """Per segment: customers, share of customers, revenue, share of revenue, average basket, average CLV.

    Definitions (the workbook's formulas compute the same): basket = segment revenue / segment orders;
    average CLV = mean of the customers' `clv` (else `clv_simple`), blanks ignored. Segments are listed in
    the order of rules/classifications.csv, only those with customers.
    """
    lang = check_lang(lang)
    df = _customers_frame(analysis)
    if segment_by not in df.columns:
        raise KeyError(f"the analysis has no {segment_by!r} column to build the segment table")
    codes = df[segment_by].astype("object")
    labels_col = f"{segment_by}_label"
    present = list(pd.unique(codes.dropna()))
    order = [c for c in class_order(segment_by) if c in present] + sorted(
        (c for c in present if c not in class_order(segment_by)), key=str
    )
    if labels_col in df.columns:
        first_label = df.groupby(codes, sort=False)[labels_col].first()
        names = [str(first_label.get(c, class_label(segment_by, c, lang))) for c in order]
    else:
        names = [class_label(segment_by, str(c), lang) for c in order]
    revenue = df["revenue"].astype(float)
    grouped_rev = revenue.groupby(codes).sum()
    counts = codes.value_counts()
    orders = df["orders"].astype(float).groupby(codes).sum() if "orders" in df.columns else None
    clv_col = "clv" if "clv" in df.columns else ("clv_simple" if "clv_simple" in df.columns else None)
    n, total = len(df), float(revenue.sum())
    rows = {"segment": names, "customers": [], "customers_share": [], "revenue": [], "revenue_share": []}
    basket, avg_clv = [], []
    for code in order:
        c, r = int(counts.get(code, 0)), float(grouped_rev.get(code, 0.0))
        rows["customers"].append(c)
        rows["customers_share"].append(_safe_div(c, n))
        rows["revenue"].append(r)
        rows["revenue_share"].append(_safe_div(r, total))
        if orders is not None:
            basket.append(_safe_div(r, orders.get(code, 0.0)))
        if clv_col is not None:
            values = df.loc[codes == code, clv_col].astype(float).dropna()
            avg_clv.append(float(values.mean()) if len(values) else math.nan)
    columns: list[tuple[str, str, list]] = [
        # the two shares side by side: the segment chart compares them (one contiguous range for Office.js)
        ("segment", "text", rows["segment"]),
        ("customers", "int", rows["customers"]),
        ("revenue", "money", rows["revenue"]),
        ("customers_share", "percent", rows["customers_share"]),
        ("revenue_share", "percent", rows["revenue_share"]),
    ]
    if orders is not None:
        columns.append(("basket", "money", basket))
    if clv_col is not None:
        columns.append(("avg_clv", "money", avg_clv))
    table = _table(
        "segments", f"{label('segments.title', lang)} ({column_label(segment_by, lang)})", columns, lang
    )
    table.row_keys = [str(c) for c in order]
    return table


def headline(analysis: Any, lang: str = "en") -> ReportTable:
    """The headline figures as rows (figure label, value); `row_keys` names each figure.

    customers, revenue, revenue_per_customer, basket (revenue / orders), top20_share (revenue of the
    `pareto == "top20"` customers / revenue), active and lapsed (by `lapsed_12m`), active_share, clv_total,
    as_of. Figures whose input column is missing are left out.
    """
    lang = check_lang(lang)
    df = _customers_frame(analysis)
    n = len(df)
    revenue = float(df["revenue"].astype(float).sum())
    rows: list[tuple[str, str, Any]] = [
        ("customers", "int", n),
        ("revenue", "money", revenue),
        ("revenue_per_customer", "money", _safe_div(revenue, n)),
    ]
    if "orders" in df.columns:
        rows.append(("basket", "money", _safe_div(revenue, float(df["orders"].astype(float).sum()))))
    if "pareto" in df.columns:
        top = float(df.loc[df["pareto"].astype("object") == "top20", "revenue"].astype(float).sum())
        rows.append(("top20_share", "percent", _safe_div(top, revenue)))
    if "lapsed_12m" in df.columns:
        lapsed = int(df["lapsed_12m"].astype("boolean").fillna(False).astype(bool).sum())
        rows += [
            ("active", "int", n - lapsed),
            ("lapsed", "int", lapsed),
            ("active_share", "percent", _safe_div(n - lapsed, n)),
        ]
    if "clv" in df.columns and df["clv"].notna().any():  # no total of predictions the data cannot support
        rows.append(("clv_total", "money", float(df["clv"].astype(float).sum())))
    as_of = as_of_of(analysis)
    if as_of is not None:
        rows.append(("as_of", "date", as_of))
    frame = pd.DataFrame(
        {
            label("headline.figure", lang): [label(f"headline.{k}", lang) for k, _, _ in rows],
            label("headline.value", lang): [v for _, _, v in rows],
        }
    )
    return ReportTable(
        "headline",
        label("headline.title", lang),
        frame,
        ["figure", "value"],
        ["text", "text"],
        row_keys=[k for k, _, _ in rows],
        row_kinds=[kind for _, kind, _ in rows],
    )


def pareto_table(analysis: Any, lang: str = "en") -> ReportTable:
    """Revenue per tenth of customers (ranked by revenue, largest first) and the cumulative share.

    Tenth k holds the customers of rank r (0-based) with floor(10 r / n) == k - 1; fewer tenths when there
    are fewer than ten customers.
    """
    lang = check_lang(lang)
    revenue = np.sort(_customers_frame(analysis)["revenue"].astype(float).to_numpy())[::-1]
    n = len(revenue)
    groups = (np.arange(n) * 10) // max(n, 1)
    sums = pd.Series(revenue).groupby(groups).sum() if n else pd.Series(dtype=float)
    total = float(revenue.sum())
    cumulative = sums.cumsum() / total if total else sums * 0.0
    percent = "\u00a0%" if lang == "fr" else "%"  # no break inside "10 %": it is a chart's axis label
    names = [f"{10 * (k + 1)}{percent}" for k in sums.index]
    columns = [
        ("decile", "text", names),
        ("revenue", "money", [float(v) for v in sums]),
        ("cumulative", "percent", [float(v) for v in cumulative]),
    ]
    headers = [label("pareto.decile", lang), label("pareto.revenue", lang), label("pareto.cumulative", lang)]
    frame = pd.DataFrame({h: v for h, (_, _, v) in zip(headers, columns, strict=True)})
    return ReportTable(
        "pareto", label("pareto.title", lang), frame, [k for k, _, _ in columns], [k for _, k, _ in columns]
    )


def rfm_grid(analysis: Any, lang: str = "en") -> ReportTable | None:
    """Customers counted by recency score (rows, best first) and frequency score (columns); None without scores."""
    lang = check_lang(lang)
    df = _customers_frame(analysis)
    if not {"r_score", "f_score"} <= set(df.columns):
        return None
    r = pd.to_numeric(df["r_score"], errors="coerce")
    f = pd.to_numeric(df["f_score"], errors="coerce")
    r_values = sorted(
        {int(v) for v in r.dropna()} | set(range(1, int(r.max() if r.notna().any() else 0) + 1)), reverse=True
    )
    f_values = sorted(
        {int(v) for v in f.dropna()} | set(range(1, int(f.max() if f.notna().any() else 0) + 1))
    )
    counts = pd.crosstab(r, f).reindex(index=r_values, columns=f_values, fill_value=0)
    frame = pd.DataFrame({label("grid.corner", lang): [f"R{v}" for v in r_values]})
    for v in f_values:
        frame[f"F{v}"] = counts[v].astype(int).to_numpy() if v in counts.columns else 0
    table = ReportTable(
        "rfm_grid",
        label("grid.title", lang),
        frame,
        ["r_score", *[f"f{v}" for v in f_values]],
        ["text", *["int"] * len(f_values)],
    )
    table.row_keys = [str(v) for v in r_values]
    return table


def _relabel(name: str, title: str, frame: pd.DataFrame, lang: str) -> ReportTable:
    """Every column of `frame` with a labelled header; a code column with a `<code>_label` column beside it
    shows the label under the code's header."""
    names = [str(c) for c in frame.columns]
    columns = []
    for col, name_ in zip(frame.columns, names, strict=True):
        if name_.endswith("_label") and name_[: -len("_label")] in names:
            continue
        if f"{name_}_label" in names:
            columns.append((name_, "text", frame[frame.columns[names.index(f"{name_}_label")]]))
        else:
            columns.append((name_, _kind_of_series(name_, frame[col]), frame[col]))
    return _table(name, title, columns, lang)


def actions_table(analysis: Any, lang: str = "en") -> ReportTable | None:
    """The playbook per segment (`analysis.actions`), headers labelled; None when there is none."""
    lang = check_lang(lang)
    actions = getattr(analysis, "actions", None)
    if actions is None or not isinstance(actions, pd.DataFrame) or actions.columns.empty:
        return None
    frame = actions.reset_index() if actions.index.name is not None else actions.reset_index(drop=True)
    if "classification" in frame.columns:  # one classification for the whole table: said in the title
        frame = frame.drop(columns="classification")
    return _relabel("actions", label("actions.title", lang), frame, lang)


def mailing_table(analysis: Any, lang: str = "en", segment_by: str = "rfm_segment") -> ReportTable | None:
    """Customers to contact, one row each, grouped by next action (largest revenue first within an action).

    Columns: customer, the contact columns the ledger has, segment, next action, channel, due date, offer
    withheld (the segment's objective is in the playbook above it); only customers with a next action. None when the analysis plans no actions.
    """
    from xlsegment.actions.contact_plan import held_out_flags, planned_mask

    lang = check_lang(lang)
    df = _customers_frame(analysis)
    if "next_action" not in df.columns:
        return None
    # a campaign's control group is on no mailing list (xlsegment.overtime)
    keep = planned_mask(df) & ~held_out_flags(df)
    sub = df.loc[keep]
    if "revenue" in sub.columns:
        sub = sub.assign(_rev=sub["revenue"].astype(float))
        sub = sub.sort_values(["next_action", "_rev"], ascending=[True, False], kind="mergesort")
    columns: list[tuple[str, str, pd.Series]] = [("customer_id", "text", sub["customer_id"])]
    columns += [(c, _KIND_OF.get(c, "text"), sub[c]) for c in CONTACT_COLUMNS if c in sub.columns]
    seg = f"{segment_by}_label" if f"{segment_by}_label" in sub.columns else segment_by
    if seg in sub.columns:
        columns.append((segment_by, "text", sub[seg]))
    for key in (
        "next_action",
        "channel",
        "due_date",
        "suppressed_offer",
        "suppressed_reason",
    ):
        shown = f"{key}_label" if f"{key}_label" in sub.columns else key  # a code by its label
        if shown in sub.columns and not _is_empty(sub[shown]):
            columns.append((key, _KIND_OF.get(key, "text"), sub[shown]))
    return _table("mailing", label("mailing.title", lang), columns, lang)


def _plain(value: Any) -> Any:
    """A scalar a cell can hold: numbers, text, dates and booleans as they are, anything else as JSON text."""
    if isinstance(value, (date, datetime, pd.Timestamp)):  # dates as ISO text: readable in a mixed column
        ts = pd.Timestamp(value)
        return ts.date().isoformat() if ts == ts.normalize() else ts.isoformat(sep=" ")
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, PurePath):
        return str(value)
    try:
        return json.dumps(value, default=str, ensure_ascii=False)
    except TypeError:
        return str(value)


def _flatten(
    prefix: str, value: Any, out: list[tuple[str, Any]], tables: list[tuple[str, pd.DataFrame]]
) -> None:
    if isinstance(value, pd.DataFrame):
        tables.append((prefix, value))
    elif isinstance(value, pd.Series):
        for k, v in value.items():
            _flatten(f"{prefix}.{k}" if prefix else str(k), v, out, tables)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            _flatten(f"{prefix}.{f.name}" if prefix else f.name, getattr(value, f.name), out, tables)
    elif isinstance(value, dict):
        for k, v in value.items():
            _flatten(f"{prefix}.{k}" if prefix else str(k), v, out, tables)
    else:
        out.append((prefix, _plain(value)))


def _flat_model(analysis: Any) -> tuple[list[tuple[str, Any]], list[tuple[str, pd.DataFrame]]]:
    model = getattr(analysis, "model", None)
    rows: list[tuple[str, Any]] = []
    tables: list[tuple[str, pd.DataFrame]] = []
    if model is not None:
        _flatten(
            "",
            model if not hasattr(model, "__dict__") or dataclasses.is_dataclass(model) else vars(model),
            rows,
            tables,
        )
    return rows, tables


def _known(key: str, lang: str) -> str | None:
    """The label of a labelled key (`model.key.*`, `setting.*`), None when no label file names it."""
    text = label(key, lang)
    return None if text == key else text


def model_tables(analysis: Any, lang: str = "en") -> list[ReportTable]:
    """The technical block of the Model sheet: the fitted parameters and fit figures a label names
    (`model.key.<flattened key>` in rules/labels_workbook.csv, e.g. `model.key.bgnbd.params.r`), plus one
    table per DataFrame the model holds (the backtest, for instance). Raw keys without a label stay in
    `analysis.model` (the Python API) rather than in the workbook."""
    lang = check_lang(lang)
    headers = [label("model.parameter", lang), label("model.value", lang)]
    rows, tables = _flat_model(analysis)
    shown = [(text, value) for key, value in rows if (text := _known(f"model.key.{key}", lang))]
    shown = [(text, _plain_value(value, lang)) for text, value in shown]
    if not shown:
        shown = [(label("model.none", lang), None)]
    frame = pd.DataFrame({headers[0]: [k for k, _ in shown], headers[1]: [v for _, v in shown]})
    out = [
        ReportTable(
            "model", label("model.technical", lang), frame, ["parameter", "value"], ["text", "general"]
        )
    ]
    for name, df in tables:
        if _known(f"model.table.{name}", lang) is None:  # raw tables without a label stay in the API
            continue
        keep_index = df.index.name is not None or not isinstance(df.index, pd.RangeIndex)
        sub = df.reset_index() if keep_index else df.reset_index(drop=True)
        out.append(_relabel(f"model_{name}", label(f"model.table.{name}", lang), sub, lang))
    return out


def _plain_value(value: Any, lang: str) -> Any:
    """A value for a key/value table: booleans as Oui/Non (Yes/No), fractional numbers to 4 decimals, the
    rest as a cell holds it."""
    if isinstance(value, (bool, np.bool_)):
        return label("flag.yes" if value else "flag.no", lang)
    value = _plain(value)
    if isinstance(value, float) and math.isfinite(value) and value != int(value):
        return round(value, 4)
    return value


def model_text(analysis: Any, lang: str = "en", currency: str | None = None) -> list[str]:
    """What the lifetime-value models found, in plain sentences with the figures (none without a model)."""
    from xlsegment.report.formats import format_money, format_number
    from xlsegment.report.story import reliability_sentences

    lang = check_lang(lang)
    df = _customers_frame(analysis)
    model = getattr(analysis, "model", None) or {}
    horizon = model.get("horizon", 12) if isinstance(model, dict) else 12
    code = model.get("model", "bgnbd") if isinstance(model, dict) else "bgnbd"
    out = []
    if "p_alive" in df.columns:
        p = df["p_alive"].astype(float)
        out.append(
            label("model.text.alive", lang).format(
                n=format_number(int((p > 0.5).sum()), lang), total=format_number(len(df), lang)
            )
        )
    if "expected_purchases" in df.columns:
        out.append(
            label("model.text.purchases", lang).format(
                n=format_number(float(df["expected_purchases"].astype(float).sum()), lang),
                horizon=format_number(horizon, lang),
                model=label(f"clv.model.{code}", lang),
            )
        )
    if "clv" in df.columns:
        clv = df["clv"].astype(float)
        out.append(
            label("model.text.clv", lang).format(
                total=format_money(float(clv.sum()), lang, currency),
                mean=format_money(float(clv.mean()), lang, currency),
                horizon=format_number(horizon, lang),
            )
        )
    elif "clv_simple" in df.columns:
        out.append(label("model.none", lang))
    simple = model.get("simple_clv", {}) if isinstance(model, dict) else {}
    if simple.get("lifetime_text") and lang == getattr(_settings_of(analysis), "lang", None):
        out.append(simple["lifetime_text"])  # which lifetime the simple CLV used (xlsegment.clv.lifetime)
    out += reliability_sentences(analysis, lang)
    out.append(label("model.text.read", lang))
    return out


def _setting_rows(area: str, values: Any, lang: str) -> list[tuple[str, Any]]:
    """(label, value) rows of one settings area, nested tables flattened (`actions.capacity.phone`)."""
    rows: list[tuple[str, Any]] = []
    for key, value in dict(values or {}).items():
        name = f"{area}.{key}"
        if isinstance(value, dict):
            rows += _setting_rows(name, value, lang)
            continue
        text = _known(f"setting.{name}", lang) or name
        rows.append((text, _plain_value(value, lang)))
    return rows


def settings_table(analysis: Any, lang: str = "en", segment_by: str = "rfm_segment") -> ReportTable:
    """Every parameter used: version, source, as-of date, time unit, language, then each area's settings
    (labelled by `setting.<area>.<key>` in rules/labels_workbook.csv when a label exists)."""
    from xlsegment import __version__

    lang = check_lang(lang)
    settings = _settings_of(analysis)
    quality = getattr(analysis, "quality", None)
    unit = time_unit_of(analysis)
    rows: list[tuple[str, Any]] = [
        (label("settings.version", lang), __version__),
        (label("settings.source", lang), getattr(quality, "source", None)),
        (label("settings.as_of", lang), format_date(as_of_of(analysis), lang)),
        (label("settings.time_unit", lang), label(f"unit.{unit}", lang)),
        (label("settings.lang", lang), label(f"lang.{lang}", lang)),
        (label("settings.segment_by", lang), column_label(segment_by, lang)),
    ]
    for area in ("segments", "clv", "lapse", "actions", "columns", "reader", "backtest"):
        rows += _setting_rows(area, getattr(settings, area, None), lang)
    headers = [label("settings.parameter", lang), label("settings.value", lang)]
    frame = pd.DataFrame({headers[0]: [k for k, _ in rows], headers[1]: [v for _, v in rows]})
    return ReportTable(
        "settings", label("settings.title", lang), frame, ["parameter", "value"], ["text", "general"]
    )


def quality_table(analysis: Any, lang: str = "en") -> ReportTable:
    """The data-quality report (rows read, kept, excluded by reason, customers with only returns, the
    ledger column read for each field, notes); a field's internal name is replaced by its label."""
    lang = check_lang(lang)
    quality = getattr(analysis, "quality", None)
    rows = list(quality.rows(lang)) if quality is not None and hasattr(quality, "rows") else []
    fields = dict(getattr(quality, "mapping", {}) or {})
    prefix = "Colonne " if lang == "fr" else "Column "
    named = {
        f"{prefix}{key}": label("quality.column", lang).format(field=_field_label(key, lang))
        for key in fields
    }
    headers = [label("quality.item", lang), label("quality.value", lang)]
    frame = pd.DataFrame(
        {
            headers[0]: [named.get(str(k), str(k)) for k, _ in rows],
            headers[1]: [_plain_value(v, lang) for _, v in rows],
        }
    )
    return ReportTable("quality", label("quality.title", lang), frame, ["item", "value"], ["text", "general"])


def _field_label(key: str, lang: str) -> str:
    """The label of a ledger field (`field.<key>`, else the column label, else the key)."""
    return _known(f"field.{key}", lang) or column_label(key, lang)


def help_table(analysis: Any, lang: str = "en") -> ReportTable:
    """How to read each sheet: (sheet name, what it shows), then the time unit of durations."""
    lang = check_lang(lang)
    unit = time_unit_of(analysis)
    names = [label(f"sheet.{s}", lang) for s in SHEETS]
    texts = [label(f"help.{s}", lang) for s in SHEETS]
    names.append(label("sheet.customers", lang))
    texts.append(label("help.recency", lang).format(unit=label(f"unit.{unit}", lang)))
    frame = pd.DataFrame({label("help.sheet", lang): names, label("help.text", lang): texts})
    return ReportTable("help", label("help.title", lang), frame, ["sheet", "text"], ["text", "text"])


def glossary_table(customers: ReportTable, lang: str = "en") -> ReportTable:
    """One row per column of the Customers sheet: its header and what it means (`doc.<key>` labels)."""
    lang = check_lang(lang)
    texts = [_known(f"doc.{key}", lang) or "" for key in customers.keys]
    frame = pd.DataFrame(
        {
            label("glossary.column", lang): [str(c) for c in customers.frame.columns],
            label("glossary.text", lang): texts,
        }
    )
    return ReportTable("glossary", label("glossary.title", lang), frame, ["column", "text"], ["text", "text"])


WEEK_COLUMNS: tuple[tuple[str, str, str], ...] = (
    # (key in the workbook, column of the contact plan, display kind)
    ("rank", "rank", "int"),
    ("customer_id", "customer_id", "text"),
    ("name", "name", "text"),
    ("segment", "segment_label", "text"),
    ("channel", "channel_label", "text"),
    ("action", "action_label", "text"),
    ("reason", "reason", "text"),
    ("message", "message", "text"),
    ("contact", "contact", "text"),
    ("value_at_stake", "value_at_stake", "money"),
    ("due_date", "due_date", "date"),
)


def plan_of(analysis: Any) -> pd.DataFrame | None:
    """The contact plan (contract 3: `Analysis.plan`, one row per scheduled customer with a `week`), or None."""
    plan = getattr(analysis, "plan", None)
    if isinstance(plan, pd.DataFrame) and {"week", "channel"} <= set(plan.columns):
        return plan
    return None


def week_table(analysis: Any, lang: str = "en", week: int = 1) -> ReportTable | None:
    """The contact plan's week `week` (1 = this week) by rank: who, why, how, what to say, with a blank
    'done' column to tick on paper; None without a plan."""
    lang = check_lang(lang)
    plan = plan_of(analysis)
    if plan is None:
        return None
    rows = plan[plan["week"] == week]
    if "rank" in rows.columns:
        rows = rows.sort_values("rank", kind="stable")
    columns: list[tuple[str, str, Any]] = [
        (key, kind, rows[col]) for key, col, kind in WEEK_COLUMNS if col in rows.columns
    ]
    columns.append(("done", "text", [None] * len(rows)))
    return _table("week", label("week.title", lang), columns, lang)


def sheet_names(lang: str = "en") -> dict[str, str]:
    """Sheet key -> sheet name in `lang`."""
    lang = check_lang(lang)
    return {s: label(f"sheet.{s}", lang) for s in SHEETS}


def build_report(
    analysis: Any,
    lang: str | None = None,
    segment_by: str | None = None,
    *,
    currency: str | None = None,
    shop: str | None = None,
) -> Report:
    """Every table of the segmented workbook from an Analysis, in `lang` (default: the settings' language).

    `segment_by` is the classification of the segment table and charts (default: the settings'
    `segment_by`, else rfm_segment); falls back to the first classification the analysis has when that one
    is missing. `currency` (EUR, USD, GBP...; default EUR in French, none in English) formats amounts;
    `shop` names the shop in the title and on every printed page (default: the ledger's file name on the
    printed pages only).
    """
    from xlsegment.report.formats import currency_of
    from xlsegment.report.story import story

    lang = check_lang(lang or getattr(_settings_of(analysis), "lang", None) or "en")
    currency = currency_of(lang, currency)
    segment_by = segment_by or getattr(_settings_of(analysis), "segment_by", None) or "rfm_segment"
    frame = _customers_frame(analysis)
    columns = set(frame.columns)
    if segment_by not in columns:
        segment_by = next((c for c in LABELLED_CLASSES if c in columns), segment_by)
    quality = getattr(analysis, "quality", None)
    as_of = as_of_of(analysis)
    source = getattr(quality, "source", None) or "?"
    top20 = class_label("pareto", "top20", lang)
    if {"pareto", "pareto_label"} <= columns:
        shown = frame.loc[frame["pareto"].astype("object") == "top20", "pareto_label"]
        if len(shown):
            top20 = str(shown.iloc[0])
    from xlsegment.clv.reliability import verdict_sentences
    from xlsegment.overtime.holdout import plan_note

    names = sheet_names(lang)
    customers, left_out = fit_to_sheet(customers_view(analysis, lang, segment_by), 1, keep_by="revenue")
    sentences = story(analysis, frame, plan_of(analysis), lang, currency, names["week"])
    if left_out:  # said where the figures computed from the Customers sheet are read
        sentences.append(cut_sentence("sheet.cut.customers", lang, customers, left_out, names["customers"]))
    return Report(
        lang=lang,
        top20_label=top20,
        model_verdicts=tuple(verdict_sentences(analysis, lang)),
        sheet_names=names,
        title=label("wb.title_shop" if shop else "wb.title", lang).format(
            shop=shop, as_of=format_date(as_of, lang)
        ),
        subtitle=label("wb.subtitle", lang).format(source=source, as_of=format_date(as_of, lang)),
        segment_by=segment_by,
        headline=headline(analysis, lang),
        segments=segment_table(analysis, lang, segment_by),
        pareto=pareto_table(analysis, lang),
        rfm_grid=rfm_grid(analysis, lang),
        customers=customers,
        actions=actions_table(analysis, lang),
        mailing=mailing_table(analysis, lang, segment_by),
        model=model_tables(analysis, lang),
        settings=settings_table(analysis, lang, segment_by),
        quality=quality_table(analysis, lang),
        help=help_table(analysis, lang),
        currency=currency,
        shop=shop or str(source),
        as_of_text=format_date(as_of, lang),
        story=sentences,
        week=week_table(analysis, lang),
        week_note=plan_note(plan_of(analysis), lang),
        week_counts=[(text, n) for _, text, n in _week_counts(analysis)],
        model_text=model_text(analysis, lang, currency),
        glossary=glossary_table(customers, lang),
    )


def fit_to_sheet(table: ReportTable, first_row: int, keep_by: str | None = None) -> tuple[ReportTable, int]:
    """`table` cut to the rows one Excel sheet holds below its header at `first_row`, and how many rows were
    left out (0: it fits whole). With `keep_by` (a column key) the rows of its largest values are kept, in
    their order; otherwise the first rows."""
    room = MAX_SHEET_ROWS - first_row
    frame = table.frame
    if len(frame) <= room:
        return table, 0
    if keep_by and table.has(keep_by):
        values = pd.to_numeric(frame[table.header(keep_by)], errors="coerce").fillna(-np.inf).to_numpy()
        kept = np.sort(np.argsort(-values, kind="stable")[:room])
    else:
        kept = np.arange(room)
    return dataclasses.replace(table, frame=frame.iloc[kept].reset_index(drop=True)), len(frame) - room


def cut_sentence(key: str, lang: str, shown: ReportTable, left_out: int, sheet: str = "") -> str:
    """The sentence saying that a table was cut to one sheet (sheet.cut.* labels)."""
    from xlsegment.report.formats import format_number

    n = len(shown.frame)
    return label(key, lang).format(
        limit=format_number(MAX_SHEET_ROWS, lang), shown=format_number(n, lang),
        total=format_number(n + left_out, lang), left=format_number(left_out, lang), sheet=sheet,
    )  # fmt: skip


def _week_counts(analysis: Any) -> list[tuple[str, str, int]]:
    from xlsegment.report.story import week_counts

    return week_counts(plan_of(analysis))
