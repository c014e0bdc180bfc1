"""The whole analysis in one call: ledger -> summary -> segments -> CLV -> lapse flags -> actions.

`analyze` is what the adapters (workbook writer, Excel buttons, CLI) call, so they all show the same numbers.
A stage that the data cannot support (a CLV model with too few repeat buyers) is noted, not fatal: the
other results stay usable.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .quality import DataQuality
from .settings import Settings

Progress = Callable[[str, float], None]

STAGES = ("read", "summary", "segments", "clv", "lapse", "actions")


@dataclass
class Analysis:
    """Everything an analysis produced; `customers` has one row per customer with every column."""

    transactions: pd.DataFrame
    summary: pd.DataFrame
    customers: pd.DataFrame
    segments: pd.DataFrame
    actions: pd.DataFrame | None
    model: dict[str, Any] | None
    quality: DataQuality
    settings: Settings
    notes: list[str] = field(default_factory=list)
    plan: pd.DataFrame | None = None  # the contact plan, week by week (actions.contact_plan.PLAN_COLUMNS)
    action_plan: Any = None  # plan_actions' full result (per customer and per segment)

    @property
    def as_of(self) -> pd.Timestamp:
        return self.summary.attrs["as_of"]


def segment_summary(customers: pd.DataFrame, by: str = "rfm_segment") -> pd.DataFrame:
    """Per segment of `by`: customers, share of customers, revenue, share of revenue, basket and mean CLV."""
    if by not in customers.columns:
        raise KeyError(f"no classification column {by!r} in the customers")
    groups = customers.groupby(by, observed=True, sort=False)
    table = pd.DataFrame(
        {
            "customers": groups.size(),
            "revenue": groups["revenue"].sum(),
            "orders": groups["orders"].sum(),
        }
    )
    label_col = f"{by}_label"
    if label_col in customers.columns:
        table.insert(0, "label", groups[label_col].first())
    table["customer_share"] = table["customers"] / max(len(customers), 1)
    total = customers["revenue"].sum()
    table["revenue_share"] = table["revenue"] / total if total else 0.0
    table["basket"] = table["revenue"] / table["orders"].where(table["orders"] > 0)
    for clv_col in ("clv", "clv_simple"):
        if clv_col in customers.columns:
            table[f"mean_{clv_col}"] = groups[clv_col].mean()
    table.index.name = by
    return table.sort_values("revenue", ascending=False)


def _captured(notes: list[str], stage: str, fn: Callable[[], Any]) -> Any:
    """Run a stage, keeping its warnings as notes for the report instead of letting them scroll by."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn()
    for warning in caught:
        if issubclass(warning.category, (DeprecationWarning, PendingDeprecationWarning)):
            continue
        text = f"{stage}: {warning.message}"
        if text not in notes:
            notes.append(text)
    return result


def _predictive(
    summary: pd.DataFrame, settings: Settings, notes: list[str]
) -> tuple[pd.DataFrame | None, dict]:
    """BG/NBD + Gamma-Gamma CLV, or None with a note when the data cannot support the models."""
    from .clv import predict_clv

    options = {k: settings.clv[k] for k in ("horizon", "unit", "discount_rate") if k in settings.clv}
    try:
        predicted = _captured(notes, "clv", lambda: predict_clv(summary, **options))
    except (ValueError, RuntimeError, FloatingPointError) as err:
        notes.append(f"clv: predictive CLV not computed ({err})")
        return None, {}
    model = {k: predicted.attrs[k] for k in ("bgnbd", "gamma_gamma") if predicted.attrs.get(k) is not None}
    model["horizon"] = options.get("horizon", 12)
    model["horizon_unit"] = options.get("unit", "M")
    return predicted, model


def analyze(
    source: object,
    *,
    settings: Settings | dict | str | None = None,
    progress: Progress | None = None,
    **mapping: str | None,
) -> Analysis:
    """Read a ledger and compute every per-customer result the reports show.

    `source` is anything `read_transactions` accepts (or transactions it already returned); `mapping` names
    columns (`customer="CustomerID"`), on top of `settings.columns`.
    """
    from .actions import plan_actions
    from .actions.contact_plan import plan_table
    from .actions.schedule import capacities, clv_trusted
    from .clv import simple_clv
    from .lapse import lapse_flags
    from .ledger import read_transactions
    from .segments import segment
    from .summary import summarize

    settings = Settings.coerce(settings)
    notes: list[str] = []

    def step(name: str) -> None:
        if progress is not None:
            progress(name, STAGES.index(name) / len(STAGES))

    step("read")
    if isinstance(source, pd.DataFrame) and "quality" in source.attrs and "customer_id" in source.columns:
        transactions = source
    else:
        columns = {**settings.columns, **{k: v for k, v in mapping.items() if v is not None}}
        transactions = read_transactions(source, **settings.reader, **columns)
    if settings.lang == "auto":
        settings = dataclasses.replace(settings, lang=transactions.attrs.get("language", "en"))
    step("summary")
    summary = summarize(transactions, as_of=settings.as_of, time_unit=settings.time_unit)
    quality = summary.attrs["quality"]
    lang = settings.lang

    step("segments")
    segmented = _captured(notes, "segments", lambda: segment(summary, settings.segments or None, lang=lang))

    step("clv")
    simple_options = {k: settings.clv[k] for k in ("lifetime", "discount_rate") if k in settings.clv}
    if "simple_unit" in settings.clv:
        simple_options["unit"] = settings.clv["simple_unit"]
    simple = _captured(notes, "clv", lambda: simple_clv(summary, **simple_options))
    customers = segmented.join(
        simple[[c for c in ("clv_simple", "clv_simple_margin") if c in simple.columns]]
    )
    model: dict[str, Any] = {"simple_clv": dict(simple.attrs)}
    predicted = None
    if settings.clv.get("predictive", True):
        predicted, fitted = _predictive(summary, settings, notes)
        model.update(fitted)
        if predicted is not None:
            keep = [
                c
                for c in ("p_alive", "expected_purchases", "expected_aov", "clv", "clv_margin")
                if c in predicted
            ]
            customers = customers.join(predicted[keep])
    if settings.backtest.get("split_date"):
        from .clv import backtest

        bt_options = {k: v for k, v in settings.backtest.items() if k in ("split_date", "horizon", "unit")}
        try:
            model["backtest"] = _captured(notes, "backtest", lambda: backtest(transactions, **bt_options))
        except (ValueError, RuntimeError) as err:
            notes.append(f"backtest: not computed ({err})")

    step("lapse")
    lapse = _captured(
        notes,
        "lapse",
        lambda: lapse_flags(
            summary, p_alive=predicted, lang=lang, transactions=transactions, **settings.lapse
        ),
    )
    customers = customers.join(lapse[[c for c in lapse.columns if c not in customers.columns]])

    step("actions")
    options = {"trust_clv": clv_trusted(model.get("reliability")), **settings.actions}
    options["capacity"] = capacities(options.get("capacity"))
    settings = dataclasses.replace(settings, actions={**settings.actions, "capacity": options["capacity"]})
    plan = _captured(
        notes,
        "actions",
        lambda: plan_actions(
            customers,
            as_of=summary.attrs["as_of"],
            classification=settings.segment_by,
            transactions=transactions,
            lang=lang,
            **options,
        ),
    )
    planned = plan.customers
    new_cols = [c for c in planned.columns if c not in customers.columns]
    customers = customers.join(planned[new_cols])
    notes.extend(f"actions: {line}" for line in plan.report if f"actions: {line}" not in notes)
    customers.attrs = dict(segmented.attrs)
    customers.attrs.update(
        as_of=summary.attrs["as_of"], time_unit=summary.attrs["time_unit"], quality=quality
    )
    for note in notes:
        quality.note(note)
    if progress is not None:
        progress("done", 1.0)
    return Analysis(
        transactions=transactions,
        summary=summary,
        customers=customers,
        segments=segment_summary(customers, settings.segment_by),
        actions=plan.segments,
        model=model,
        quality=quality,
        settings=settings,
        notes=notes,
        plan=plan_table(plan, customers),
        action_plan=plan,
    )
