"""Who first: customers ranked by value at stake x urgency, and spread over weeks by per-channel capacity.

Value at stake is the larger of what the customer is expected to bring (the predictive CLV when the analysis
trusts it, else the simple CLV, else the last 12 months' revenue, else the revenue) and the revenue at risk (a
year of the customer's value times the chance they are gone). Urgency is the segment's priority in the playbook times how far the customer is
past their own purchase rhythm (the shop's median rhythm for one-time buyers), not counting the lateness of
customers already gone. Each week a channel takes, in
that order, as many customers as its capacity among those whose contact is due by then; the others wait for
the following weeks, so nothing piles up on one day.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping

import numpy as np
import pandas as pd

# contacts a small shop can make in a week, per channel; collect_contact = customers to ask for their details
DEFAULT_CAPACITY = {"phone": 20, "letter": 100, "email": 500, "sms": 100, "visit": 5, "event": 50,
                    "collect_contact": 50}  # fmt: skip
# value-at-stake columns, first present (with a positive value) wins; "clv" only when the model is trusted
VALUE_BASES = ("clv", "clv_simple", "revenue_12m", "revenue")
# a customer past their rhythm gains urgency up to this many rhythms late (beyond, CLV says the rest)
MAX_LATENESS = 3.0


def capacities(capacity: Mapping[str, object] | None) -> dict[str, int]:
    """Weekly capacity per channel: DEFAULT_CAPACITY updated with `capacity` (whole numbers >= 0)."""
    out = dict(DEFAULT_CAPACITY)
    for key, value in (capacity or {}).items():
        if key not in out:
            raise ValueError(f"capacity: unknown channel {key!r}; known: {', '.join(DEFAULT_CAPACITY)}")
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            number = -1.0
        if not (number >= 0 and number == int(number)):
            raise ValueError(
                f"capacity {key} must be a whole number of contacts per week >= 0, not {value!r}"
            )
        out[key] = int(number)
    return out


def clv_trusted(reliability: pd.DataFrame | None) -> bool:
    """Whether the predictive CLV may measure value at stake: every model the predictions rest on (the
    reliability table's `used` rows, all rows without that column) judged "reliable"; without a table,
    trusted when it was computed."""
    if reliability is None or not isinstance(reliability, pd.DataFrame) or reliability.empty:
        return True
    rows = reliability[reliability["used"].astype(bool)] if "used" in reliability.columns else reliability
    return bool((rows["verdict"].astype(str) == "reliable").all())


def value_basis(frame: pd.DataFrame, basis: str | None = None, *, trust_clv: bool = True) -> str | None:
    """The column that measures value at stake: `basis` when given, else the first of VALUE_BASES present
    with a positive value ('clv' only when `trust_clv`); None when there is none."""
    if basis is not None:
        if basis not in frame.columns:
            raise ValueError(f"no {basis!r} column to measure the value at stake")
        return basis
    for column in VALUE_BASES:
        if column == "clv" and not trust_clv:
            continue
        if column in frame.columns and (pd.to_numeric(frame[column], errors="coerce") > 0).any():
            return column
    return None


def _numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)


def yearly_value(frame: pd.DataFrame) -> np.ndarray:
    """What a year of the customer is worth at their own pace: basket x purchases per year, else the last 12
    months' revenue (0 when unknown)."""
    paced = _numbers(frame, "basket") * _numbers(frame, "purchases_per_year")
    return np.nan_to_num(np.where(np.isfinite(paced), paced, _numbers(frame, "revenue_12m")), nan=0.0)


def value_at_stake(
    frame: pd.DataFrame, basis: str | None, late: np.ndarray, *, trust_clv: bool = True
) -> np.ndarray:
    """Per customer the value at stake (>= 0): the larger of the expected value (`basis` column) and the
    revenue at risk, a year of the customer's value times the chance they are gone (1 - P(alive) when the
    model is trusted, else how far past their rhythm they are: nothing on time, all of it two rhythms late)."""
    expected = np.nan_to_num(_numbers(frame, basis), nan=0.0) if basis is not None else np.zeros(len(frame))
    p_alive = _numbers(frame, "p_alive") if trust_clv else np.full(len(frame), np.nan)
    gone = np.where(
        np.isfinite(p_alive), 1.0 - p_alive, np.clip(np.nan_to_num(late, nan=0.0) - 1.0, 0.0, 1.0)
    )
    stake = np.maximum(expected, yearly_value(frame) * np.clip(gone, 0.0, 1.0))
    return np.clip(np.nan_to_num(stake, nan=0.0, posinf=0.0, neginf=0.0), 0, None)


def lateness(recency_days: np.ndarray, rhythm_days: np.ndarray) -> np.ndarray:
    """Time since the last purchase in units of the customer's own rhythm (mean gap between purchases); the
    median rhythm of the repeat buyers stands in for one-time buyers. NaN when nothing is known."""
    rhythm = np.where(rhythm_days > 0, rhythm_days, np.nan)
    typical = np.nanmedian(rhythm) if np.isfinite(rhythm).any() else np.nan
    rhythm = np.where(np.isfinite(rhythm), rhythm, typical)
    with np.errstate(invalid="ignore", divide="ignore"):
        return recency_days / rhythm


def urgency(priority: np.ndarray, late: np.ndarray, gone: np.ndarray | None = None) -> np.ndarray:
    """Segment priority x (1 + how many rhythms late, capped at MAX_LATENESS); on time counts as 1, and so
    do customers already `gone` (lapsed for a year or likely lost: waiting longer loses little more, while
    those still slipping away can be kept)."""
    extra = np.clip(np.nan_to_num(late, nan=0.0) - 1.0, 0.0, MAX_LATENESS)
    if gone is not None:
        extra = np.where(gone, 0.0, extra)
    return np.asarray(priority, dtype=float) * (1.0 + extra)


def lapse_of(frame: pd.DataFrame) -> pd.DataFrame | None:
    """The frame's lapse flags: its own columns, or `lapse_flags` with their defaults when the frame has the
    summary columns they need (recency, the mean gap or frequency and t_x, the 12-month order counts); None
    when neither is there (nothing tells the customers' rhythm)."""
    from xlsegment.lapse import lapse_flags

    if "overdue" in frame.columns:
        return frame
    gap = {"mean_gap"} <= set(frame.columns) or {"frequency", "t_x"} <= set(frame.columns)
    if not (gap and {"recency", "orders_12m", "orders_prev_12m"} <= set(frame.columns)):
        return None
    return lapse_flags(frame, p_alive=frame["p_alive"] if "p_alive" in frame.columns else None)


def late_and_gone(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Whose contact is late (`lapse.late_on_rhythm`: late on their own rhythm, not gone yet) and who is gone
    (lapsed for a year or likely lost), per customer; neither when the frame cannot tell (`lapse_of`)."""
    from xlsegment.lapse import late_on_rhythm, still_here

    flags = lapse_of(frame)
    if flags is None:
        return np.zeros(len(frame), dtype=bool), np.zeros(len(frame), dtype=bool)
    return late_on_rhythm(flags).to_numpy(dtype=bool), ~still_here(flags).to_numpy(dtype=bool)


def ranking(score: np.ndarray, tiebreak: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Positions from best to worst: highest score first, then highest `tiebreak`, then customer id."""
    return np.lexsort((ids, -tiebreak, -score))


def weekly_schedule(
    channel: np.ndarray, order: np.ndarray, release_week: np.ndarray, capacity: Mapping[str, int]
) -> np.ndarray:
    """Week (1 = this week) of each customer's contact: week after week each channel takes up to its capacity,
    best first (`order`), among customers released by then. 0 for customers without a channel ('') or on a
    channel without capacity."""
    week = np.zeros(len(channel), dtype=np.int64)
    for chan in pd.unique(channel[order]):
        if not chan:
            continue
        cap = capacity.get(chan, 0)
        if cap <= 0:  # collect_contact switched off: those customers stay unscheduled
            continue
        members = order[channel[order] == chan]  # best first
        week[members] = _fill(members, release_week[members], cap)
    return week


def _fill(members: np.ndarray, release: np.ndarray, cap: int) -> np.ndarray:
    """Greedy weekly filling for one channel; members are given best first."""
    if (release == release[0]).all():  # everyone due at once: plain slices of `cap`
        return release[0] + np.arange(len(members)) // cap
    weeks = np.empty(len(members), dtype=np.int64)
    by_release = np.argsort(release, kind="stable")
    heap: list[int] = []
    pos, current, done = 0, int(release[by_release[0]]), 0
    while done < len(members):
        while pos < len(members) and release[by_release[pos]] <= current:
            heapq.heappush(heap, int(by_release[pos]))  # index in `members` = rank within the channel
            pos += 1
        if not heap:
            current = int(release[by_release[pos]])
            continue
        for _ in range(min(cap, len(heap))):
            weeks[heapq.heappop(heap)] = current
            done += 1
        current += 1
    return weeks


def release_weeks(due: np.ndarray, as_of: np.datetime64) -> np.ndarray:
    """Week in which each contact falls due (1 = the 7 days from `as_of`; past dues count as this week)."""
    delta = due.astype("datetime64[D]") - as_of.astype("datetime64[D]")
    days = np.where(np.isnat(delta), 0, np.maximum(delta.astype(np.int64), 0))
    return (days // 7 + 1).astype(np.int64)


def earliest_due(due: np.ndarray, as_of: np.datetime64) -> np.ndarray:
    """The earliest day each contact can be made: its cadence due date, or today when that has passed (or
    there is none)."""
    return np.where(np.isnat(due), as_of, np.maximum(due, as_of))


def week_start(week: np.ndarray, as_of: np.datetime64) -> np.ndarray:
    """The first day of each week (week 1 starts on `as_of`)."""
    return as_of + (np.maximum(week, 1) - 1).astype("timedelta64[D]") * 7
