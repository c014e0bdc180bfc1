"""Excel cell functions (prefix SEG_): the core's summary, segments, CLV, lapse and actions in formulas.

One module for every runtime: xlwings picks its decorators at import (classic COM UDFs on Windows, Office.js
custom functions under xlwings Server and Lite, plain functions anywhere else). Each function:
- takes ranges as lists of rows, unconverted ("raw": xlwings cleans Office.js cells one by one, far too slowly
  for a ledger) and cleans them itself, vectorised: serial dates, text numbers, empty and error cells;
- has the same optional parameters and defaults as the Python API (a blank argument means "the default");
- returns plain values (dates as dates, missing as an empty cell, never #NUM!);
- turns bad input into one text cell naming the argument, column and row, never a traceback. Element-wise
  functions report a bad cell in that cell only.
"""

from __future__ import annotations

import contextlib
import inspect
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from xlwings import arg, func, ret

from xlsegment.clv import clv_formula, predict_clv
from xlsegment.excel.convert import (
    ERROR_PREFIX,
    ExcelInputError,
    broadcast,
    cell_error,
    error_cell_text,
    frame_to_rows,
    guarded,
    numbers_from_cells,
    officejs_runtime,
    range_to_frame,
    shaped,
    to_date,
    to_names,
    to_number,
    to_text,
)
from xlsegment.excel.culture import follow_excel_culture, resolve_lang
from xlsegment.excel.notes import excluded_note, warning_notes
from xlsegment.labels import label
from xlsegment.lapse import lapse_flags
from xlsegment.segments.config import ABC_THRESHOLDS, RFM_BINS
from xlsegment.summary import summarize

__all__ = [
    "seg_summary",
    "seg_rfm",
    "seg_segments",
    "seg_abc",
    "seg_segment_name",
    "seg_label",
    "seg_clv",
    "seg_p_alive",
    "seg_clv_predict",
    "seg_lapse",
    "seg_action",
    "seg_migration",
    "seg_cohorts",
]


def _defaults(fn: Any) -> dict[str, Any]:
    """The Python API's defaults of `fn`: the cell functions take theirs from here, never restated."""
    return {name: p.default for name, p in inspect.signature(fn).parameters.items()}


CLV = _defaults(clv_formula)
PREDICT = _defaults(predict_clv)
LAPSE = _defaults(lapse_flags)
TIME_UNIT = _defaults(summarize)["time_unit"]

LEDGER_DOC = "Ledger range with its header row: customer, date, amount (and order, quantity, category...)"
AS_OF_DOC = "Analysis date (default: the last date of the ledger)"
LANG_DOC = 'Language of labels and headers: "en" or "fr" (default: Excel\'s language, else the ledger\'s)'
UNIT_DOC = f'Time unit of durations: "D" days, "W" weeks, "M" months (default "{TIME_UNIT}")'

# default columns of SEG_SEGMENTS (canonical names; labelled in the chosen language)
SEGMENT_COLUMNS = (
    "orders",
    "revenue",
    "recency",
    "abc",
    "rfm_code",
    "rfm_segment_label",
    "customer_type_label",
    "value_score",
)
RFM_COLUMNS = ("r_score", "f_score", "m_score", "rfm_code", "rfm_segment", "rfm_segment_label")

if officejs_runtime():  # xlwings Server and Lite: labels follow the language Excel runs in
    follow_excel_culture()


# ------------------------------------------------------------------------------------------ helpers
def _lang(value: Any, ledger_lang: str | None = None) -> str:
    """The `lang` argument, else Excel's language (server, Lite), else the ledger's headers, else English."""
    return resolve_lang(to_text(value), ledger_lang)


def _unit(value: Any) -> str:
    unit = (to_text(value, TIME_UNIT) or TIME_UNIT).upper()[:1]
    if unit not in ("D", "W", "M"):
        raise ExcelInputError(f'time_unit: {value!r} is not "D", "W" or "M"')
    return unit


@dataclass
class LedgerRead:
    """A ledger range read for a spilled table: the customer summary, the labels' language, and what the
    spill must say below itself (rows left out, warnings)."""

    summary: pd.DataFrame
    lang: str
    notes: list[str] = field(default_factory=list)
    ids: dict[str, Any] = field(default_factory=dict)  # customer key -> the number it was typed as
    transactions: pd.DataFrame | None = None  # the ledger read (the over-time functions follow it in time)


def _read_ledger(ledger: Any, as_of: Any, time_unit: Any, lang: Any) -> LedgerRead:
    """Ledger range -> canonical transactions -> customer summary (the core does all parsing).

    Unusable rows are left out, never silently: the spill ends with a line naming them.
    """
    from xlsegment import read_transactions

    frame = range_to_frame(ledger, what="ledger")
    transactions = read_transactions(frame, errors="exclude")
    summary = summarize(transactions, as_of=to_date(as_of, "as_of"), time_unit=_unit(time_unit))
    mapping = transactions.attrs.get("mapping", {})
    read = LedgerRead(summary, _lang(lang, transactions.attrs.get("language")), transactions=transactions)
    note = excluded_note(
        summary.attrs["quality"], read.lang, mapping=mapping, error_cells=frame.attrs.get("error_cells")
    )
    read.notes += [note] if note else []
    read.ids = typed_ids(frame[mapping["customer_id"]]) if "customer_id" in mapping else {}
    return read


def typed_ids(cells: pd.Series) -> dict[str, Any]:
    """Customer keys typed as numbers -> that number (17850, not '17850'), so lookups on the user's own id
    column match; keys typed as text keep their text and are not listed."""
    from xlsegment.parsing import parse_customer_ids

    distinct = pd.unique(cells.dropna())
    numbers = [
        v for v in distinct if isinstance(v, (int, float, np.number)) and not isinstance(v, (bool, np.bool_))
    ]
    if not numbers:
        return {}
    keys, _ = parse_customer_ids(pd.Series(numbers, dtype=object))
    return {
        str(k): int(v) if float(v).is_integer() else float(v)
        for k, v in zip(keys.astype(object), numbers, strict=True)
    }


@contextlib.contextmanager
def _warnings_noted() -> Iterator[list[str]]:
    """The core's warnings while a spilled function runs, as lines for under its table (filled on exit)."""
    notes: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield notes
    notes += warning_notes(caught)


def _header(key: str, lang: str) -> str:
    from xlsegment.report import column_label

    if key.endswith("_label"):
        return column_label(key[: -len("_label")], lang)
    return column_label(key, lang)


SHOWN_CHOICES = 12  # column names listed when a chosen column does not exist (a message must fit a cell)


def _pick(frame: pd.DataFrame, wanted: list[str], lang: str) -> list[str]:
    """Canonical column names from names or labelled headers the user typed, checked."""
    by_name = {c.lower(): c for c in map(str, frame.columns)}
    by_label = {_header(c, lang).lower(): c for c in map(str, frame.columns)}
    out = []
    for name in wanted:
        key = name.strip().lower()
        column = by_name.get(key) or by_name.get(f"{key}_label") or by_label.get(key)
        if column is None:
            names = [str(c) for c in frame.columns if not str(c).endswith("_label")]
            known = ", ".join(names[:SHOWN_CHOICES]) + (", ..." if len(names) > SHOWN_CHOICES else "")
            raise ExcelInputError(
                label("excel.error.no_column", lang).format(name=name, known=known, count=len(names))
            )
        out.append(column)
    return out


def _spill(read: LedgerRead, frame: pd.DataFrame, columns: list[str], notes: list[str]) -> list[list[Any]]:
    """customer_id then `columns`, labelled headers, clean cells, then the read's notes and `notes`."""
    lang = read.lang
    data = frame.reset_index()
    first = data.columns[0]
    data = data[[first, *[c for c in columns if c != first]]]
    if read.ids:
        data[first] = data[first].map(lambda key: read.ids.get(key, key))
    names = [_header("customer_id", lang), *[_header(c, lang) for c in data.columns[1:]]]
    for j, column in enumerate(data.columns):
        if names.count(names[j]) > 1 and not str(column).endswith("_label"):
            names[j] = f"{names[j]} (code)"
    officejs = officejs_runtime()
    rows = frame_to_rows(data, headers=names, officejs=officejs)
    blank = "" if officejs else None
    return rows + [[note] + [blank] * (len(names) - 1) for note in [*read.notes, *notes]]


def _elementwise(
    compute: Any, names: tuple[str, ...], values: tuple[Any, ...], check: Any = None
) -> list[list[Any]]:
    """Run `compute(*float_arrays)` over broadcast ranges; a bad or blank cell affects only its own cell.

    `check(*float_arrays)` may return, per cell, an error text (or None) for values the model refuses.
    """
    shape, arrays = broadcast(*values)
    size = shape[0] * shape[1]
    numbers: list[np.ndarray] = []
    errors: list[str | None] = [None] * size
    missing = np.zeros(size, dtype=bool)
    for name, arr in zip(names, arrays, strict=True):
        nums, blank, errs = numbers_from_cells(arr, name)
        numbers.append(nums)
        missing |= blank
        errors = [e0 or e1 for e0, e1 in zip(errors, errs, strict=True)]
    ok = ~missing & np.array([e is None for e in errors], dtype=bool)
    if check is not None and ok.any():
        for i, err in zip(np.flatnonzero(ok), check(*(n[ok] for n in numbers)), strict=True):
            if err is not None:
                errors[i] = ERROR_PREFIX + err
                ok[i] = False
    result: list[Any] = [None] * size
    if ok.any():
        out = np.asarray(compute(*(n[ok] for n in numbers)), dtype=object)
        for i, value in zip(np.flatnonzero(ok), np.broadcast_to(out, (int(ok.sum()),)), strict=True):
            result[i] = value
    for i, err in enumerate(errors):
        if err is not None:
            result[i] = err
    return shaped(result, shape)


# ------------------------------------------------------------------------------------ spilled tables
@func
@arg("ledger", "raw", doc=LEDGER_DOC)
@arg("as_of", doc=AS_OF_DOC)
@arg("time_unit", doc=UNIT_DOC)
@arg("lang", doc=LANG_DOC)
@arg(
    "columns", ndim=2, doc="Columns to show (names or headers, a range or comma-separated text; default all)"
)
@ret("raw")  # the values are made ready for the runtime here, vectorised (see convert.column_values)
@guarded
def seg_summary(
    ledger: Any, as_of: Any = None, time_unit: Any = TIME_UNIT, lang: Any = None, columns: Any = None
) -> Any:
    """One row per customer: first and last purchase, orders, recency, revenue, basket, rhythm..."""
    with _warnings_noted() as notes:
        read = _read_ledger(ledger, as_of, time_unit, lang)
        summary = read.summary
        chosen = _pick(summary, to_names(columns), read.lang) if to_names(columns) else list(summary.columns)
    return _spill(read, summary, chosen, notes)


@func
@arg("ledger", "raw", doc=LEDGER_DOC)
@arg("as_of", doc=AS_OF_DOC)
@arg("bins", doc=f"Number of scores per dimension, 2 to 9 (default {RFM_BINS})")
@arg("lang", doc=LANG_DOC)
@arg("rules", "raw", doc="Optional rule table range: code, r_min, r_max, f_min, f_max, m_min, m_max")
@ret("raw")  # the values are made ready for the runtime here, vectorised (see convert.column_values)
@guarded
def seg_rfm(ledger: Any, as_of: Any = None, bins: Any = RFM_BINS, lang: Any = None, rules: Any = None) -> Any:
    """RFM per customer: R, F and M scores, the RFM code and the named segment (code and label)."""
    from xlsegment import segment

    with _warnings_noted() as notes:
        read = _read_ledger(ledger, as_of, None, lang)
        options: dict[str, Any] = {"rfm_bins": int(to_number(bins, "bins", default=RFM_BINS))}
        if to_names(rules):
            options["rfm_table"] = range_to_frame(rules, what="rules")
        segmented = segment(read.summary, options, lang=read.lang)
    return _spill(read, segmented, [c for c in RFM_COLUMNS if c in segmented.columns], notes)


@func
@arg("ledger", "raw", doc=LEDGER_DOC)
@arg("columns", "raw", doc="Columns to show (names or headers, a range or comma-separated text)")
@arg("as_of", doc=AS_OF_DOC)
@arg("lang", doc=LANG_DOC)
@ret("raw")  # the values are made ready for the runtime here, vectorised (see convert.column_values)
@guarded
def seg_segments(ledger: Any, columns: Any = None, as_of: Any = None, lang: Any = None) -> Any:
    """Full segmentation per customer (ABC, Pareto, RFM, lifecycle, behaviour, value score, type)."""
    from xlsegment import segment

    with _warnings_noted() as notes:
        read = _read_ledger(ledger, as_of, None, lang)
        segmented = segment(read.summary, None, lang=read.lang)
        wanted = to_names(columns)
        chosen = (
            _pick(segmented, wanted, read.lang)
            if wanted
            else [c for c in SEGMENT_COLUMNS if c in segmented.columns]
        )
    return _spill(read, segmented, chosen, notes)


# ------------------------------------------------------------------------------------- element-wise
@func
@arg("revenue", "raw", doc="Revenue of each customer (a column)")
@arg("a_share", doc=f"Cumulative revenue share closing class A (default {ABC_THRESHOLDS[0]})")
@arg("b_share", doc=f"Cumulative revenue share closing class B (default {ABC_THRESHOLDS[1]})")
@guarded
def seg_abc(revenue: Any, a_share: Any = ABC_THRESHOLDS[0], b_share: Any = ABC_THRESHOLDS[1]) -> Any:
    """ABC class (A, B, C) of each revenue: A makes the first 80 % of the total, B up to 95 %, C the rest."""
    from xlsegment.segments.abc import abc_codes

    thresholds = (
        to_number(a_share, "a_share", default=ABC_THRESHOLDS[0]),
        to_number(b_share, "b_share", default=ABC_THRESHOLDS[1]),
    )

    def compute(values: np.ndarray) -> np.ndarray:
        codes, _ = abc_codes(values, thresholds)
        return np.array(["A", "B", "C"], dtype=object)[np.asarray(codes, dtype=int)]

    return _elementwise(compute, ("revenue",), (revenue,))


@func
@arg("r", "raw", doc="Recency score(s), 1 = longest ago")
@arg("f", "raw", doc="Frequency score(s)")
@arg("m", "raw", doc="Monetary score(s)")
@arg(
    "rules",
    ndim=2,
    doc="Optional rule table range (code, r_min, r_max, f_min, f_max, m_min, m_max, label_en, label_fr)",
)
@arg("lang", doc=LANG_DOC)
@arg("bins", doc=f"Scale of the scores (default {RFM_BINS})")
@guarded
def seg_segment_name(
    r: Any, f: Any, m: Any, rules: Any = None, lang: Any = None, bins: Any = RFM_BINS
) -> Any:
    """Named RFM segment (Champions, Loyal, At risk...) of R, F, M scores, from the rule table."""
    from xlsegment.segments.codes import code_label
    from xlsegment.segments.rules import apply_rule_table

    lang = _lang(lang)
    table = range_to_frame(rules, what="rules") if to_names(rules) else "rfm"
    n = int(to_number(bins, "bins", default=RFM_BINS))

    def check(*scores: np.ndarray) -> list[str | None]:
        errors: list[str | None] = [None] * len(scores[0])
        for name, s in zip("rfm", scores, strict=True):
            for i in np.flatnonzero((s < 1) | (s > n) | (s != np.round(s))):
                errors[i] = errors[i] or f"{name}: a score is a whole number from 1 to {n}, not {s[i]:g}"
        return errors

    def compute(*scores: np.ndarray) -> np.ndarray:
        codes, info = apply_rule_table(*(s.astype(np.int64) for s in scores), table, n)
        labels = info.get("labels") or {}
        return np.array([code_label("rfm_segment", str(c), lang, labels) for c in codes], dtype=object)

    return _elementwise(compute, ("r", "f", "m"), (r, f, m), check)


@func
@arg("code", "raw", doc="Segment or class code(s), e.g. champions, A, at_risk")
@arg("classification", doc="rfm_segment, abc, pareto, buyer_status, lifecycle, behaviour, customer_type")
@arg("lang", doc=LANG_DOC)
@guarded
def seg_label(code: Any, classification: Any = "rfm_segment", lang: Any = None) -> Any:
    """Label of a segment or class code in English or French."""
    from xlsegment.report import class_label

    lang = _lang(lang)
    cls = to_text(classification, "rfm_segment") or "rfm_segment"
    shape, (codes,) = broadcast(code)
    out = [
        _error_cell(c, "code")
        or (None if c is None or str(c).strip() == "" else class_label(cls, _code_text(c), lang))
        for c in codes.ravel()
    ]
    return shaped(out, shape)


def _error_cell(value: Any, what: str) -> str | None:
    """The short message a cell shows for an error cell it was given ("#N/A in revenue"); None otherwise."""
    error = cell_error(value)
    if error is None:
        return None
    return ERROR_PREFIX + error_cell_text(error, what)


def _code_text(value: Any) -> str:
    return to_text(value, "") or ""


@func
@arg("basket", "raw", doc="Average basket (order value)")
@arg("frequency", "raw", doc="Purchases per period")
@arg("lifetime", "raw", doc="Expected lifetime in periods")
@arg("discount_rate", doc=f"Yearly discount rate, e.g. 0.1 (default {CLV['discount_rate']:g})")
@arg("margin_rate", doc=f"Margin rate applied to revenue (default {CLV['margin_rate']:g} = revenue CLV)")
@arg(
    "periods_per_year",
    doc=f"Periods per year: 12 months, 1 year, 52.18 weeks (default {CLV['periods_per_year']:g})",
)
@guarded
def seg_clv(
    basket: Any,
    frequency: Any,
    lifetime: Any,
    discount_rate: Any = CLV["discount_rate"],
    margin_rate: Any = CLV["margin_rate"],
    periods_per_year: Any = CLV["periods_per_year"],
) -> Any:
    """Simple CLV = basket x purchases per period x lifetime, discounted, times the margin rate."""
    d = to_number(discount_rate, "discount_rate", default=CLV["discount_rate"])
    mr = to_number(margin_rate, "margin_rate", default=CLV["margin_rate"])
    ppy = to_number(periods_per_year, "periods_per_year", default=CLV["periods_per_year"])
    return _elementwise(
        lambda b, fq, lt: clv_formula(b, fq, lt, d, mr, ppy),
        ("basket", "frequency", "lifetime"),
        (basket, frequency, lifetime),
    )


def _model_params(names: tuple[str, ...], values: tuple[Any, ...]) -> list[float]:
    params = []
    for name, value in zip(names, values, strict=True):
        number = to_number(value, name)
        if number is None:
            raise ExcelInputError(f"{name}: the model parameter is required (fit it with the Segment button)")
        params.append(number)
    return params


@func
@arg("frequency", "raw", doc="Repeat purchases x (orders - 1)")
@arg("t_x", "raw", doc="Time from first to last purchase, in the model's unit")
@arg("T", "raw", doc="Time from first purchase to the analysis date, in the model's unit")
@arg("r", doc="BG/NBD r")
@arg("alpha", doc="BG/NBD alpha")
@arg("a", doc="BG/NBD a")
@arg("b", doc="BG/NBD b")
@guarded
def seg_p_alive(frequency: Any, t_x: Any, T: Any, r: Any, alpha: Any, a: Any, b: Any) -> Any:  # noqa: N803
    """Probability the customer is still active (BG/NBD), from (frequency, t_x, T) and the model parameters."""
    from xlsegment.clv import bgnbd_p_alive

    params = _model_params(("r", "alpha", "a", "b"), (r, alpha, a, b))
    return _elementwise(
        lambda x, tx, tt: bgnbd_p_alive(x, tx, tt, *params),
        ("frequency", "t_x", "T"),
        (frequency, t_x, T),
        _check_history,
    )


def _check_history(x: np.ndarray, tx: np.ndarray, tt: np.ndarray, *_: np.ndarray) -> list[str | None]:
    """Per cell, refuse histories the model cannot have: negative values, t_x after T."""
    errors: list[str | None] = [None] * len(x)
    for i in np.flatnonzero((x < 0) | (tx < 0) | (tt < 0)):
        errors[i] = "frequency, t_x and T must be zero or positive"
    for i in np.flatnonzero(tx > tt + 1e-9):
        errors[i] = (
            errors[i] or "t_x (first to last purchase) cannot exceed T (first purchase to analysis date)"
        )
    return errors


@func
@arg("frequency", "raw", doc="Repeat purchases x (orders - 1)")
@arg("t_x", "raw", doc="Time from first to last purchase, in the model's unit")
@arg("T", "raw", doc="Time from first purchase to the analysis date, in the model's unit")
@arg("monetary_value", "raw", doc="Mean value of the repeat purchases (0 for one-time buyers)")
@arg("params", "raw", doc="The 7 model parameters in a row or column: r, alpha, a, b, p, q, gamma")
@arg("horizon", doc=f"Horizon in `unit` (default {PREDICT['horizon']:g})")
@arg("unit", doc=f'Unit of the horizon: "D", "W", "M" or "Y" (default "{PREDICT["unit"]}")')
@arg("discount_rate", doc=f"Yearly discount rate (default {PREDICT['discount_rate']:g})")
@arg("model_unit", doc='Unit of t_x and T the model was fitted in: "D", "W" (default) or "M"')
@guarded
def seg_clv_predict(
    frequency: Any,
    t_x: Any,
    T: Any,  # noqa: N803
    monetary_value: Any,
    params: Any,
    horizon: Any = PREDICT["horizon"],
    unit: Any = PREDICT["unit"],
    discount_rate: Any = PREDICT["discount_rate"],
    model_unit: Any = "W",
) -> Any:
    """Predictive CLV over the horizon (BG/NBD purchases x Gamma-Gamma order value, discounted)."""
    from xlsegment.clv import BGNBDResult, GammaGammaResult

    values = [v for row in _rows(params) for v in row if v is not None and str(v).strip() != ""]
    if len(values) != 7:
        raise ExcelInputError(f"params: expected 7 numbers (r, alpha, a, b, p, q, gamma), got {len(values)}")
    p = _model_params(("r", "alpha", "a", "b", "p", "q", "gamma"), tuple(values))
    mu = (to_text(model_unit, "W") or "W").upper()[:1]
    h = to_number(horizon, "horizon", default=PREDICT["horizon"])
    u = (to_text(unit, PREDICT["unit"]) or PREDICT["unit"]).upper()[:1]
    d = to_number(discount_rate, "discount_rate", default=PREDICT["discount_rate"])
    bg = BGNBDResult(dict(zip(("r", "alpha", "a", "b"), p[:4], strict=True)), float("nan"), True, 0, 0, mu)
    gg = GammaGammaResult(dict(zip(("p", "q", "gamma"), p[4:], strict=True)), float("nan"), True, 0, 0, 0)

    def compute(x: np.ndarray, tx: np.ndarray, tt: np.ndarray, m: np.ndarray) -> np.ndarray:
        summary = pd.DataFrame({"frequency": x, "t_x": tx, "T": tt, "monetary_value": m})
        summary.attrs["time_unit"] = mu
        return predict_clv(summary, horizon=h, unit=u, discount_rate=d, bgnbd=bg, gamma_gamma=gg)[
            "clv"
        ].to_numpy()

    return _elementwise(
        compute,
        ("frequency", "t_x", "T", "monetary_value"),
        (frequency, t_x, T, monetary_value),
        _check_history,
    )


def _rows(value: Any) -> list[list[Any]]:
    from xlsegment.excel.convert import as_rows

    return as_rows(value)


@func
@arg("last_purchase", "raw", doc="Date(s) of the last purchase")
@arg("as_of", doc="Analysis date (default: today)")
@arg(
    "lapsed_months",
    doc=f"Months without purchase that make a lapsed customer (default {LAPSE['lapsed_months']:g})",
)
@arg(
    "lost_months", doc=f"Months without purchase that make a lost customer (default {LAPSE['lost_months']:g})"
)
@arg("output", doc='"reason" (default: the reason, empty when active), "lapsed" or "lost" (TRUE/FALSE)')
@arg("lang", doc=LANG_DOC)
@guarded
def seg_lapse(
    last_purchase: Any,
    as_of: Any = None,
    lapsed_months: Any = LAPSE["lapsed_months"],
    lost_months: Any = LAPSE["lost_months"],
    output: Any = "reason",
    lang: Any = None,
) -> Any:
    """Lapse flag of a customer from the last purchase date: no purchase for 6 (lapsed) or 12 (lost) months."""
    lang = _lang(lang)
    day = to_date(as_of, "as_of") or pd.Timestamp.today().normalize()
    lapsed = to_number(lapsed_months, "lapsed_months", default=LAPSE["lapsed_months"])
    lost = to_number(lost_months, "lost_months", default=LAPSE["lost_months"])
    what = (to_text(output, "reason") or "reason").lower()
    column = {"reason": "lapse_reason", "lapsed": "lapsed_6m", "lost": "lapsed_12m"}.get(what)
    if column is None:
        raise ExcelInputError(f'output: {output!r} is not "reason", "lapsed" or "lost"')
    shape, (cells,) = broadcast(last_purchase)
    out: list[Any] = [None] * cells.size
    days: dict[int, float] = {}
    for i, value in enumerate(cells.ravel()):
        out[i] = _error_cell(value, "last_purchase")
        if out[i] is not None:
            continue
        try:
            stamp = to_date(value, f"last_purchase, cell {i + 1}")
        except ExcelInputError as exc:
            out[i] = ERROR_PREFIX + str(exc)
            continue
        if stamp is not None:
            if stamp.normalize() > day:
                out[i] = (
                    f"{ERROR_PREFIX}last_purchase, cell {i + 1}: {stamp.date()} is after the analysis date {day.date()}"
                )
            else:
                days[i] = (day - stamp.normalize()).days
    if days:
        summary = pd.DataFrame({"recency": list(days.values()), "frequency": 0.0, "t_x": 0.0})
        summary["orders_12m"] = 0
        summary["orders_prev_12m"] = 0
        summary.attrs["time_unit"] = "D"
        flags = lapse_flags(summary, lapsed_months=lapsed, lost_months=lost, lang=lang)[column].tolist()
        for i, value in zip(days, flags, strict=True):
            out[i] = (value or None) if column == "lapse_reason" else bool(value)
    return shaped(out, shape)


@func
@arg("segment", "raw", doc="Segment code or label (e.g. champions, At risk, A)")
@arg(
    "classification",
    doc="rfm_segment (default), abc, pareto, buyer_status, lifecycle, behaviour, customer_type",
)
@arg("lang", doc=LANG_DOC)
@guarded
def seg_action(segment: Any, classification: Any = "rfm_segment", lang: Any = None) -> Any:
    """Next action for a segment, from the playbook (rules/playbook.csv)."""
    from xlsegment.actions.playbook import load_playbook, playbook_row_index
    from xlsegment.report import classification_rows

    lang = _lang(lang)
    cls = to_text(classification, "rfm_segment") or "rfm_segment"
    rows = playbook_row_index(load_playbook(), cls)
    known = {}
    for c, code, en, fr in classification_rows():
        if c == cls:
            for text in (code, en, fr):
                known[str(text).strip().lower()] = code
    if not known:
        raise ExcelInputError(f"classification: {cls!r} is not known")
    shape, (cells,) = broadcast(segment)
    out: list[Any] = []
    for i, value in enumerate(cells.ravel()):
        error = _error_cell(value, "segment")
        text = to_text(value)
        if error is not None or text is None:
            out.append(error)
            continue
        code = known.get(text.lower())
        if code is None or code not in rows.index:
            out.append(f"{ERROR_PREFIX}segment, cell {i + 1}: {text!r} is not a {cls} code or label")
            continue
        out.append(rows.loc[code, f"action_{lang}"])
    return shaped(out, shape)


# ------------------------------------------------------------------------ over time (xlsegment.overtime)
MIGRATION_VALUES = ("customers", "revenue_start", "revenue_end")
COHORT_VALUES = ("retention", "revenue_per_customer", "active", "cumulative_revenue_per_customer")


def _choice(value: Any, what: str, choices: tuple[str, ...]) -> str:
    text = (to_text(value, choices[0]) or choices[0]).strip().lower()
    if text not in choices:
        raise ExcelInputError(f"{what}: {value!r} is not one of {', '.join(choices)}")
    return text


def _grid(read: LedgerRead, headers: list[str], frame: pd.DataFrame, notes: list[str]) -> list[list[Any]]:
    """A labelled table (first column = row labels) as spilled rows, then the read's notes and `notes`."""
    officejs = officejs_runtime()
    rows = frame_to_rows(frame, headers=headers, officejs=officejs)
    blank = "" if officejs else None
    return rows + [[note] + [blank] * (len(headers) - 1) for note in [*read.notes, *notes]]


@func
@arg("ledger", "raw", doc=LEDGER_DOC)
@arg("start", doc="Earlier date: the segments customers are followed from")
@arg("end", doc="Later date (default: the last date of the ledger)")
@arg(
    "by",
    doc="Segment column followed: rfm_segment (default), lifecycle, abc, pareto, buyer_status, behaviour, customer_type",
)
@arg("values", doc='"customers" (default), "revenue_start" or "revenue_end" (annual revenue at each date)')
@arg("lang", doc=LANG_DOC)
@ret("raw")  # the values are made ready for the runtime here, vectorised (see convert.column_values)
@guarded
def seg_migration(
    ledger: Any,
    start: Any,
    end: Any = None,
    by: Any = "rfm_segment",
    values: Any = "customers",
    lang: Any = None,
) -> Any:
    """Customers moving from each segment at `start` (rows) to each segment at `end` (columns), new and gone
    included (xlsegment.overtime.migration)."""
    from xlsegment.overtime import migration

    which = _choice(values, "values", MIGRATION_VALUES)
    first = to_date(start, "start")
    if first is None:
        raise ExcelInputError("start: a date is needed")
    with _warnings_noted() as notes:
        read = _read_ledger(ledger, end, None, lang)
        moved = migration(
            read.transactions, first, to_date(end, "end"), to_text(by, "rfm_segment"), lang=read.lang
        )
        table = moved.labelled_matrix(which)
    headers = [f"{table.index.name} \u2192 {table.columns.name}", *map(str, table.columns)]
    return _grid(read, headers, table.reset_index(), notes)


@func
@arg("ledger", "raw", doc=LEDGER_DOC)
@arg("by", doc='Cohorts by "M" month (default), "Q" quarter or "Y" year of first purchase')
@arg(
    "values",
    doc='"retention" (default: share buying), "revenue_per_customer", "active", "cumulative_revenue_per_customer"',
)
@arg("as_of", doc=AS_OF_DOC)
@arg("lang", doc=LANG_DOC)
@ret("raw")  # the values are made ready for the runtime here, vectorised (see convert.column_values)
@guarded
def seg_cohorts(
    ledger: Any, by: Any = "M", values: Any = "retention", as_of: Any = None, lang: Any = None
) -> Any:
    """Cohort triangle: customers by period of first purchase (rows), share still buying (or revenue per
    customer) in each later period (columns) (xlsegment.overtime.cohorts)."""
    from xlsegment.overtime.cohorts import cohort_label, cohorts, period_labels

    which = _choice(values, "values", COHORT_VALUES)
    with _warnings_noted() as notes:
        read = _read_ledger(ledger, as_of, None, lang)
        result = cohorts(read.transactions, to_text(by, "M") or "M", to_date(as_of, "as_of"))
        triangle = result.triangle(which)
    sizes = result.table.drop_duplicates("cohort").set_index("cohort")["customers"]
    frame = pd.DataFrame({"cohort": [cohort_label(c, read.lang) for c in triangle.index]})
    frame["customers"] = sizes.reindex(triangle.index).to_numpy()
    for k, name in enumerate(period_labels(result.by, triangle.shape[1], read.lang)):
        frame[name] = triangle.iloc[:, k].to_numpy()
    headers = [
        label("overtime.cohort", read.lang),
        label("overtime.cohort_customers", read.lang),
        *frame.columns[2:],
    ]
    return _grid(read, headers, frame, notes)
