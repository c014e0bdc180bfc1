"""The whole analysis in one call: ledger -> summary -> segments -> CLV -> lapse flags -> actions.

`analyze` is what the adapters (workbook writer, Excel buttons, CLI) call, so they all show the same numbers.
A stage that the data cannot support (a CLV model with too few repeat buyers) is noted, not fatal: the
other results stay usable.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .errors import Text, say
from .labels import check_lang, label
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
    reliability: pd.DataFrame | None = None  # one verdict per CLV model (xlsegment.clv.reliability)

    @property
    def as_of(self) -> pd.Timestamp:
        return self.summary.attrs["as_of"]

    @property
    def lang(self) -> str:
        """The language of the analysis ('fr' or 'en'): every follow-up below answers in it."""
        return check_lang(self.settings.lang)

    # follow-ups: the plain functions with this analysis' customers, language and settings

    def explain(self, customer_id: object, *, as_dict: bool = False) -> str | dict[str, str]:
        """Why a customer is where it is (text, or {classification: sentence} with `as_dict=True`), and
        where the contact plan puts them."""
        from .segments import explain

        found = explain(self.customers, customer_id, self.lang, as_dict=as_dict)
        planned = self._planned(customer_id)
        if planned is None:
            return found
        line = label("explain.plan", self.lang).format(
            week=int(planned["week"]), action=planned["action_label"], channel=planned["channel_label"],
            reason=planned["reason"],
        )  # fmt: skip
        if as_dict:
            return {**found, "plan": line}
        return f"{found}\n- {label('explain.plan_title', self.lang)} — {line}"

    def _planned(self, customer_id: object) -> pd.Series | None:
        if self.plan is None or self.plan.empty:
            return None
        rows = self.plan[self.plan["customer_id"].astype(str) == str(customer_id)]
        return rows.iloc[0] if len(rows) else None

    def contact_plan(
        self, *, capacity: dict[str, int] | None = None, weeks: int | None = None
    ) -> pd.DataFrame:
        """The contact plan again with other weekly capacities (merged on the analysis' own), or cut to the
        first `weeks`; `self.plan` without arguments."""
        from .actions.contact_plan import contact_plan

        if capacity is None:
            return (
                self.plan if weeks is None else self.plan[self.plan["week"] <= weeks].reset_index(drop=True)
            )
        from .actions.schedule import clv_trusted
        from .overtime.holdout import control_group_options

        options = {"trust_clv": clv_trusted((self.model or {}).get("reliability")), **self.settings.actions}
        options = control_group_options(options)[0]  # the customers keep their held_out column
        options["capacity"] = {**options.get("capacity", {}), **capacity}
        return contact_plan(
            self.customers, weeks=weeks, lang=self.lang, as_of=self.as_of, classification=self.settings.segment_by,
            transactions=self.transactions, **options,
        )  # fmt: skip

    def lapse_flags(self, **options: Any) -> pd.DataFrame:
        """Lapse flags with the analysis' settings (`options` override them), reasons in its language."""
        from .lapse import lapse_flags

        p_alive = self.customers["p_alive"] if "p_alive" in self.customers.columns else None
        settings = {**self.settings.lapse, **options}
        return lapse_flags(
            self.summary, p_alive=p_alive, lang=self.lang, transactions=self.transactions, **settings
        )

    def mailing_lists(self, segments: Iterable[str] | str | None = None, **options: Any) -> Any:
        """Mail-merge lists of the analysis' segments (`segments`: codes of its classification), the channel
        from its contact plan unless `channel=` is given; salutations and CSV in its language."""
        from .actions import mailing_lists

        options.setdefault("plan", None if "channel" in options else self.plan)
        return mailing_lists(self.customers, self.settings.segment_by, segments, lang=self.lang, **options)

    def budget_split(self, budget: float, **options: Any) -> Any:
        """`budget` split between new and current customers (at least 20 %, more when the contact plan costs
        more) and across the analysis' segments, with the rule in its language."""
        from .actions import budget_split

        options.setdefault("plan", self.plan)
        return budget_split(
            self.customers, budget, classification=self.settings.segment_by, lang=self.lang, **options
        )


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
        args = warning.message.args
        _add_note(
            notes, stage, args[0] if len(args) == 1 and isinstance(args[0], str) else str(warning.message)
        )
    return result


def _add_note(notes: list[str], stage: str, text: object) -> None:
    """A stage's note, labelled with the stage (`errors.say`: both languages), once."""
    note = say("note.stage", stage=say(f"note.stage.{stage}"), text=text)
    if note not in notes:
        notes.append(note)


def _error_text(err: BaseException) -> Text | str:
    """An error's message in both languages when it has them (LedgerError, ConfigError), else as it is."""
    message = getattr(err, "message", None)
    return Text(message("en"), message("fr")) if callable(message) else str(err)


def _predictive(
    summary: pd.DataFrame, settings: Settings, notes: list[str], transactions: pd.DataFrame
) -> tuple[pd.DataFrame | None, dict]:
    """Purchase model + Gamma-Gamma CLV (the model chosen on the ledger), or None with a note."""
    from .clv import predict_clv

    keys = ("horizon", "unit", "discount_rate", "model")
    options = {k: settings.clv[k] for k in keys if k in settings.clv}
    run = lambda: predict_clv(summary, **options, transactions=transactions, lang=settings.lang)  # noqa: E731
    try:
        predicted = _captured(notes, "clv", run)
    except (ValueError, RuntimeError, FloatingPointError) as err:
        _add_note(notes, "clv", say("note.clv_not_computed", error=_error_text(err)))
        return None, {}
    model = {k: predicted.attrs[k] for k in ("model", "choice", predicted.attrs["model"], "gamma_gamma")}
    model["reliability"] = predicted.attrs["reliability"]
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
    from .overtime.holdout import control_group, control_group_options, mark_held_out
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
    summary = summarize(transactions, as_of=settings.as_of, time_unit=settings.time_unit, **settings.summary)
    quality = summary.attrs["quality"]
    lang = settings.lang

    step("segments")
    segmented = _captured(notes, "segments", lambda: segment(summary, settings.segments or None, lang=lang))

    step("clv")
    simple_options = {k: settings.clv[k] for k in ("lifetime", "discount_rate") if k in settings.clv}
    if "simple_unit" in settings.clv:
        simple_options["unit"] = settings.clv["simple_unit"]
    simple = _captured(
        notes, "clv", lambda: simple_clv(summary, **simple_options, transactions=transactions, lang=lang)
    )  # the lifetime: retention measured on the ledger's cohorts when it shows enough history
    # the simple CLV explains itself: basket (summary) x purchases per unit x lifetime, each visible
    simple_columns = ("purchases_per_unit", "lifetime", "clv_simple", "clv_simple_margin")
    customers = segmented.join(simple[[c for c in simple_columns if c in simple.columns]])
    model: dict[str, Any] = {"simple_clv": dict(simple.attrs)}
    predicted = None
    if settings.clv.get("predictive", True):
        predicted, fitted = _predictive(summary, settings, notes, transactions)
        model.update(fitted)
        if predicted is not None:
            keep = [
                c
                for c in ("p_alive", "expected_purchases", "expected_aov", "clv", "clv_margin", "clv_reason")
                if c in predicted
            ]
            customers = customers.join(predicted[keep])
    if settings.backtest.get("split_date"):
        from .clv import backtest

        bt_options = {k: v for k, v in settings.backtest.items() if k in ("split_date", "horizon", "unit")}
        try:
            model["backtest"] = _captured(notes, "backtest", lambda: backtest(transactions, **bt_options))
        except (ValueError, RuntimeError) as err:
            _add_note(notes, "backtest", say("note.not_computed", error=_error_text(err)))

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
    options, share, seed = control_group_options(options)
    options["capacity"] = capacities(options.get("capacity"))
    settings = dataclasses.replace(settings, actions={**settings.actions, "capacity": options["capacity"]})
    if share and settings.segment_by in customers.columns:  # a campaign's control group, drawn per segment
        # before the plan, which leaves it out
        customers = customers.assign(held_out=control_group(customers, settings.segment_by, share, seed))
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
    if "held_out" in customers.columns:
        customers = mark_held_out(customers, lang)
    for line in plan.report:
        _add_note(notes, "actions", line)
    customers.attrs = dict(segmented.attrs)
    customers.attrs.update(
        as_of=summary.attrs["as_of"], time_unit=summary.attrs["time_unit"], quality=quality
    )
    for note in notes:
        quality.note(note, console=False)
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
        reliability=model.get("reliability"),
    )
