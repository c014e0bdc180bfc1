"""Promotional budget guidance: the share kept for current customers and its split across segments.

Seed 001: give at least 15-20 % of the promotional budget to messages aimed only at current customers. The
current customers get that minimum share (20 % by default), or more when the contact plan's letters, calls and
e-mails cost more. Their part is shared across segments in proportion to the revenue at stake times the playbook's
budget weight, in whole cents, so the parts always add up exactly to the budget.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from xlsegment.actions._text import as_text, money, percent, text
from xlsegment.actions.plan import customer_frame, resolve_playbook
from xlsegment.actions.playbook import segment_label
from xlsegment.errors import LedgerError
from xlsegment.labels import check_lang, label

RECOMMENDED_MIN_SHARE = 0.15
# cost of one contact per channel (postage and printing for a letter; staff time is not counted)
DEFAULT_CONTACT_COSTS = {"letter": 1.50, "event": 1.50, "visit": 0.0, "phone": 0.0, "sms": 0.08, "email": 0.01,
                         "collect_contact": 0.0}  # fmt: skip
BASES = ("revenue", "revenue_12m", "clv", "clv_simple")


@dataclass
class BudgetSplit:
    """What `budget_split` returns: one row per budget line (new customers, then each segment) and the rule."""

    table: pd.DataFrame
    rule: str
    warnings: list[str]


def split_cents(total_cents: int, weights: np.ndarray) -> np.ndarray:
    """Whole cents proportional to `weights` that add up exactly to `total_cents` (largest remainder;
    ties go to the earlier line)."""
    weights = np.asarray(weights, dtype=float)
    if total_cents == 0 or len(weights) == 0:
        return np.zeros(len(weights), dtype=np.int64)
    exact = total_cents * weights / weights.sum()
    floors = np.floor(exact).astype(np.int64)
    left = int(total_cents - floors.sum())
    order = np.lexsort((np.arange(len(weights)), -(exact - floors)))
    floors[order[:left]] += 1
    return floors


def budget_split(
    segmented: pd.DataFrame,
    budget: float,
    *,
    current_share: float = 0.20,
    classification: str = "rfm_segment",
    basis: str = "revenue",
    playbook: str | Path | pd.DataFrame | None = None,
    lang: str = "en",
    plan: pd.DataFrame | None = None,
    plan_weeks: int | None = None,
    contact_costs: Mapping[str, float] | None = None,
) -> BudgetSplit:
    """Split `budget` between new customers and current customers' segments, with the rule in words.

    Current customers get at least `current_share` (default 20 %; below 15 % a warning recalls seed 001's
    advice), and more when the contacts of the contact `plan` (`Analysis.plan`, its first `plan_weeks` weeks or
    all of it) cost more at `contact_costs` per contact (DEFAULT_CONTACT_COSTS updated with yours).
    Each segment of `classification` receives that part in proportion to `basis` (column summed per segment:
    revenue, revenue_12m, clv or clv_simple; negatives count as 0) times its playbook `budget_weight`. When no
    segment has anything at stake the part is split equally. Amounts are in cents and sum exactly to the budget.
    """
    lang = check_lang(lang)
    budget_value, share = _amounts(budget, current_share)
    if basis not in BASES:
        raise ValueError(f"basis must be one of {', '.join(BASES)}, not {basis!r}")
    frame = customer_frame(segmented)
    for column, why in ((classification, "segment column in the segmented customers"),
                        (basis, "column to weigh the segments by")):  # fmt: skip
        if column not in frame.columns:
            raise LedgerError(f"no {column!r} {why}", column=column)
    book = resolve_playbook(playbook)
    book = book[book["classification"] == classification].set_index("code")

    total_cents = int(round(budget_value * 100))
    floor_cents = int(round(total_cents * share))
    contacts, cost_cents = plan_cost(plan, plan_weeks, contact_costs)
    current_cents = min(max(floor_cents, cost_cents), total_cents)
    stakes = segment_stakes(frame, classification, basis, book)
    weighted = (stakes["at_stake"] * stakes["budget_weight"]).to_numpy()
    equal = not weighted.sum() > 0
    stakes["cents"] = split_cents(current_cents, np.ones(len(stakes)) if equal else weighted)
    table = _table(stakes, total_cents - current_cents, current_cents, classification, lang)
    table["budget_share"] = table["amount"] / budget_value if budget_value else 0.0

    notes: list[str] = []
    if share < RECOMMENDED_MIN_SHARE:
        note = text("actions.budget.low_share", lang, pct=percent(share, lang))
        notes.append(note)
        warnings.warn(note, UserWarning, stacklevel=2)
    if stakes.empty and current_cents:
        notes.append(text("actions.budget.no_segment", lang))
    rule = text(
        "actions.budget.rule_equal" if equal else "actions.budget.rule",
        lang,
        current_pct=percent(current_cents / total_cents if total_cents else share, lang),
        new_pct=percent(1 - current_cents / total_cents if total_cents else 1 - share, lang),
        current=money(current_cents / 100, lang),
        new=money((total_cents - current_cents) / 100, lang),
        budget=money(total_cents / 100, lang),
        basis=label(f"actions.basis.{basis}", lang),
    )
    if current_cents > floor_cents:
        rule += " " + text(
            "actions.budget.plan_cost",
            lang,
            contacts=f"{contacts:,}".replace(",", "\u202f" if lang == "fr" else ","),
            cost=money(cost_cents / 100, lang),
            min_pct=percent(share, lang),
        )
    return BudgetSplit(table, rule, notes)


def _amounts(budget: object, current_share: object) -> tuple[float, float]:
    """The budget and the minimum share as numbers, or a ValueError saying what is expected."""
    try:
        budget_value = float(budget)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise ValueError(f"budget must be a number, not {budget!r}") from exc
    if not math.isfinite(budget_value) or budget_value < 0:
        raise ValueError(f"budget must be a finite amount >= 0, not {budget!r}")
    try:
        share = float(current_share)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise ValueError(f"current_share must be a number between 0 and 1, not {current_share!r}") from exc
    if not 0 <= share <= 1:
        raise ValueError(f"current_share must be between 0 and 1 (e.g. 0.2 for 20 %), not {current_share!r}")
    return budget_value, share


def segment_stakes(frame: pd.DataFrame, classification: str, basis: str, book: pd.DataFrame) -> pd.DataFrame:
    """Per segment present (playbook order, then others by code): customers, `basis` summed (negatives as 0)
    and the playbook's budget weight (1 outside the playbook)."""
    code_text = as_text(frame[classification].to_numpy(dtype=object), len(frame))
    stake_each = np.clip(
        np.nan_to_num(pd.to_numeric(frame[basis], errors="coerce").to_numpy(dtype=float)), 0, None
    )
    has = code_text != ""
    ids, uniques = pd.factorize(code_text[has])
    uniques = [str(u) for u in uniques]
    stake = pd.Series(np.bincount(ids, weights=stake_each[has], minlength=len(uniques)), index=uniques)
    counts = pd.Series(np.bincount(ids, minlength=len(uniques)), index=uniques)
    order = [c for c in book.index if c in counts.index] + sorted(c for c in uniques if c not in book.index)
    weight = [float(book.at[c, "budget_weight"]) if c in book.index else 1.0 for c in order]
    return pd.DataFrame(
        {
            "customers": counts.reindex(order).fillna(0).astype(int),
            "at_stake": stake.reindex(order).fillna(0.0),
            "budget_weight": weight,
        },
        index=pd.Index(order, dtype=object),
    )


def _table(
    stakes: pd.DataFrame, new_cents: int, current_cents: int, classification: str, lang: str
) -> pd.DataFrame:
    """One row for new customers, then one per segment (one unsplit row when no customer has a segment)."""

    def row(group: str, code: str, customers: int, at_stake: float, weight: float, cents: int) -> dict:
        return {
            "group": group,
            "group_label": label(f"actions.budget.{group}", lang),
            "segment": code,
            "segment_label": segment_label(classification, code, lang) if code else "",
            "customers": customers,
            "revenue_at_stake": at_stake,
            "budget_weight": weight,
            "amount": cents / 100,
        }

    rows = [row("new", "", 0, 0.0, np.nan, new_cents)]
    rows += [row("current", code, int(r.customers), float(r.at_stake), float(r.budget_weight), int(r.cents))
             for code, r in stakes.iterrows()]  # fmt: skip
    if stakes.empty:
        rows.append(row("current", "", 0, 0.0, np.nan, current_cents))
    return pd.DataFrame(rows)


def plan_cost(
    plan: pd.DataFrame | None, weeks: int | None, costs: Mapping[str, float] | None
) -> tuple[int, int]:
    """(contacts, cost in cents) of the contact plan's first `weeks` weeks (all when None)."""
    if plan is None or len(plan) == 0:
        return 0, 0
    unit = {**DEFAULT_CONTACT_COSTS, **(costs or {})}
    rows = plan if weeks is None else plan[plan["week"] <= weeks]
    per_channel = rows["channel"].astype(str).value_counts()
    cents = sum(int(round(n * float(unit.get(chan, 0.0)) * 100)) for chan, n in per_channel.items())
    return int(per_channel.sum()), cents
