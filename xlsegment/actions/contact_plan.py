"""The contact plan: who to contact this week (and the weeks after), on which channel, why, with what message.

`plan_actions` decides each customer's next contact from the playbook; this module turns those contacts into
a plan a shop can follow: the channel the customer can really be reached on (`reach`), the order of value at
stake x urgency and the week given by each channel's weekly capacity (`schedule`), and a one-sentence reason.
`contact_plan` is the public entry; `Analysis.plan` holds its result after `analyze`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from xlsegment.actions import schedule as sch
from xlsegment.actions._text import as_text, fill_array, lookup
from xlsegment.actions.playbook import CHANNELS, segment_labels
from xlsegment.actions.reach import COLLECT, NEEDS, Contacts, contact_detail, has_contact_data, usable
from xlsegment.errors import say
from xlsegment.labels import check_lang, label
from xlsegment.lapse import flag

if TYPE_CHECKING:
    from xlsegment.actions.cadence import Cadence, SegmentRows
    from xlsegment.actions.plan import ActionPlan


HELD_OUT = "held_out"  # customers' column: the campaign's control group (xlsegment.overtime), never scheduled

# per-customer columns the schedule adds to plan_actions' result
SCHEDULE_COLUMNS = ("week", "rank", "value_at_stake", "urgency", "contact", "plan_reason")
PLAN_COLUMNS = ("week", "rank", "customer_id", "name", "segment", "segment_label", "channel", "channel_label",
                "action_label", "reason", "message", "contact", "value_at_stake", "due_date", "objective",
                "offer")  # fmt: skip


def planned_mask(customers: pd.DataFrame) -> pd.Series:
    """True for the customers whose `next_action` says something (the plan gave them an action)."""
    action = customers["next_action"].astype("object")
    return action.notna() & (action.astype(str).str.strip() != "")


def held_out_flags(frame: pd.DataFrame) -> np.ndarray:
    """True for the customers held out of a campaign (the frame's `held_out` column; none without one)."""
    return flag(frame, HELD_OUT).to_numpy(dtype=bool)


def _choose_channels(
    frame: pd.DataFrame, rows: SegmentRows, slot: np.ndarray, caps: Mapping[str, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Channel and slot per customer: the contact's own channel when usable, else the playbook row's other
    channel, else collect_contact. Returns (channel, slot, why_not: the first channel given up, '' if none).

    A channel is usable when its weekly capacity is above 0 and the customer has the contact data it needs;
    a frame without any contact column cannot tell, so every channel counts as usable there.
    """
    n = len(slot)
    main, other = rows.take("channel"), rows.take("second_channel")
    first = np.select([slot == 0, slot == 1, slot == 2], ["letter", main, other], "").astype(object)
    second = np.select([slot == 0, slot == 1, slot == 2], ["email", other, main], "").astype(object)
    second_slot = np.select([slot == 0, slot == 1, slot == 2], [0, 2, 1], 1)
    have = usable(Contacts(frame)) if has_contact_data(frame) else None

    def ok(channels: np.ndarray) -> np.ndarray:
        out = np.zeros(n, dtype=bool)
        for chan in pd.unique(channels):
            if not chan or caps.get(chan, 0) <= 0:
                continue
            mask = channels == chan
            out[mask] = True if have is None else have[NEEDS[chan]][mask]
        return out

    ok_first, ok_second = ok(first), ok(second)
    channel = np.where(ok_first, first, np.where(ok_second, second, COLLECT)).astype(object)
    chosen_slot = np.where(ok_first | ~ok_second, slot, second_slot)
    channel[~rows.in_book] = ""
    why_not = np.where(ok_first | ~rows.in_book, "", first).astype(object)
    return channel, chosen_slot, why_not


def _days(frame: pd.DataFrame, as_of: pd.Timestamp) -> tuple[np.ndarray, np.ndarray]:
    """Days since the last purchase and the customer's own rhythm in days (NaN when unknown)."""
    from xlsegment.segments.config import days_per_unit

    unit = days_per_unit(frame)
    n = len(frame)
    if "last_purchase" in frame.columns:
        last = pd.to_datetime(frame["last_purchase"], errors="coerce").dt.normalize()
        recency = ((as_of - last).dt.days).to_numpy(dtype=float)
    elif "recency" in frame.columns:
        recency = pd.to_numeric(frame["recency"], errors="coerce").to_numpy(dtype=float) * unit
    else:
        recency = np.full(n, np.nan)
    if "mean_gap" in frame.columns:
        rhythm = pd.to_numeric(frame["mean_gap"], errors="coerce").to_numpy(dtype=float) * unit
    else:
        rhythm = np.full(n, np.nan)
    return recency, rhythm


def _per_distinct(values: np.ndarray, show: Callable[[float], str]) -> np.ndarray:
    """`show` applied once per distinct value ('' for NaN): customer bases repeat their figures."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    shown = np.array([show(float(u)) for u in uniques] + [""], dtype=object)
    return shown[codes]


def _whole(values: np.ndarray, lang: str) -> np.ndarray:
    """Whole numbers as text with the language's thousands separator ('' when unknown)."""
    sep = "\u202f" if lang == "fr" else ","
    rounded = np.where(np.isfinite(values), np.round(values), np.nan)
    return _per_distinct(rounded, lambda v: f"{v:,.0f}".replace(",", sep))


def _ratio(values: np.ndarray, lang: str) -> np.ndarray:
    """Ratios with one decimal, decimal comma in French ('' when unknown)."""
    rounded = np.where(np.isfinite(values), np.round(values, 1), np.nan)
    mark = "," if lang == "fr" else "."
    return _per_distinct(rounded, lambda v: f"{v:.1f}".replace(".", mark))


def _in_sentence(name: str) -> str:
    """A label as it reads inside a sentence: 'Phone call' -> 'phone call', 'SMS' and 'E-mail' kept."""
    return name[0].lower() + name[1:] if len(name) > 1 and name[1].islower() else name


def _reasons(
    seg_label: np.ndarray,
    recency: np.ndarray,
    rhythm: np.ndarray,
    value: np.ndarray,
    channel: np.ndarray,
    why_not: np.ndarray,
    caps: Mapping[str, int],
    birthday: np.ndarray,
    currency: str,
    lang: str,
) -> np.ndarray:
    """One sentence per customer: segment, lapse against their own rhythm, value at stake, and why the
    channel is not the playbook's (no contact data) or why the action is to collect contact details."""
    n = len(seg_label)
    amount = _whole(value, lang)
    value_txt = np.where(amount != "", amount + (f"\u00a0{currency}" if currency else ""), "")
    values = {"segment": seg_label, "days": _whole(recency, lang), "gap": _whole(rhythm, lang),
              "ratio": _ratio(recency / np.where(rhythm > 0, rhythm, np.nan), lang), "value": value_txt}  # fmt: skip
    repeat = np.isfinite(rhythm) & (rhythm > 0)
    late = repeat & (recency > rhythm)
    known = np.isfinite(recency)
    case = np.select([late, repeat & known, known], [0, 1, 2], 3)
    text = np.full(n, "", dtype=object)
    for number, key in enumerate(("late", "on_time", "single", "unknown")):
        rows = np.flatnonzero((case == number) & (seg_label != ""))  # each template on its own customers
        if len(rows):
            text[rows] = fill_array(
                f"actions.plan.reason.{key}", lang, len(rows), **{k: v[rows] for k, v in values.items()}
            )
    sep = " ; " if lang == "fr" else "; "
    if birthday.any():
        text = np.where(birthday, text + sep + label("actions.plan.reason.birthday", lang), text)
    gave_up = why_not != ""
    if gave_up.any():
        names = {c: _in_sentence(label(f"actions.channel.{c}", lang)) for c in (*CHANNELS, COLLECT)}
        lacking = {c: label(f"actions.missing.{c}", lang) for c in CHANNELS}
        unused = fill_array("actions.plan.unused", lang, n, channel=lookup(why_not, names, ""))
        missing = np.where(
            [caps.get(c, 0) <= 0 for c in why_not], unused, lookup(why_not, lacking, "")
        ).astype(object)
        instead = fill_array(
            "actions.plan.instead", lang, n, missing=missing, channel=lookup(channel, names, "")
        )
        collect = fill_array("actions.plan.collect", lang, n, missing=missing)
        suffix = np.where(channel == COLLECT, collect, instead)
        text = np.where(gave_up, text + sep + suffix, text)
    return np.where(seg_label != "", text + ".", "").astype(object)


def schedule_contacts(
    frame: pd.DataFrame,
    rows: SegmentRows,
    cadence: Cadence,
    as_of: pd.Timestamp,
    lang: str,
    report: list[str],
    *,
    gone: np.ndarray,
    capacity: Mapping[str, object] | None = None,
    value_basis: str | None = None,
    trust_clv: bool = True,
    currency: str | None = None,
) -> pd.DataFrame:
    """Per customer of `frame`: channel, slot, week, rank, due date, value at stake, urgency, contact, reason.

    Customers outside the playbook get week 0, rank 0 and no channel; customers held out of a campaign
    (`held_out`) keep the channel they would have had but get week 0: the weekly capacity goes to the others.
    `gone`: the customers `schedule.late_and_gone` says are gone (lateness does not raise their urgency).
    """
    caps = sch.capacities(capacity)
    n = len(frame)
    ids = frame.index.to_numpy(dtype=object).astype(str)
    channel, slot, why_not = _choose_channels(frame, rows, cadence.slot, caps)
    if not has_contact_data(frame) and rows.in_book.any():
        report.append(say("actions.note.no_contact_column"))
    basis = sch.value_basis(frame, value_basis, trust_clv=trust_clv)
    recency, rhythm = _days(frame, as_of)
    late = sch.lateness(recency, rhythm)
    value = sch.value_at_stake(frame, basis, late, trust_clv=trust_clv)
    priority = np.asarray(rows.take("priority", 0.0), dtype=float)
    urgency = sch.urgency(priority, late, gone)
    order = sch.ranking(value * urgency, value, ids)
    as_of64 = as_of.to_datetime64().astype("datetime64[ns]")
    release = sch.release_weeks(cadence.due, as_of64)
    held = held_out_flags(frame) & rows.in_book
    if held.any():
        report.append(f"control group: {int(held.sum())} customer(s) held out of the contact plan")
    week = sch.weekly_schedule(np.where(held, "", channel), order, release, caps)
    scheduled = week > 0
    position = np.empty(n, dtype=np.int64)
    position[order] = np.arange(n)
    ranked = np.flatnonzero(scheduled)
    ranked = ranked[np.lexsort((position[ranked], week[ranked]))]
    rank = np.zeros(n, dtype=np.int64)
    rank[ranked] = np.arange(1, len(ranked) + 1)
    nat = np.datetime64("NaT", "ns")
    due = sch.earliest_due(cadence.due, as_of64)
    due = np.where(scheduled, np.maximum(due, sch.week_start(week, as_of64)), nat)
    seg_label = np.where(
        rows.in_book, lookup(rows.code_text, segment_labels(rows.classification, lang), None), ""
    )
    currency = ("€" if lang == "fr" else "") if currency is None else currency
    reason = _reasons(seg_label, recency, rhythm, value, channel, why_not, caps, (cadence.slot == 0) & rows.in_book,
                      currency, lang)  # fmt: skip
    return pd.DataFrame(
        {
            "channel": channel,
            "slot": slot,
            "week": week,
            "rank": rank,
            "due_date": due,
            "value_at_stake": np.where(rows.in_book, value, np.nan),
            "urgency": np.where(rows.in_book, urgency, np.nan),
            "contact": _contacts(frame, channel),
            "plan_reason": reason,
        },
        index=frame.index,
    )


def _contacts(frame: pd.DataFrame, channel: np.ndarray) -> np.ndarray:
    """The contact used on each customer's channel; for collect_contact the e-mail or phone the customer
    has, to ask for the rest through it."""
    contacts = Contacts(frame)
    detail = contact_detail(contacts, channel)
    collect = channel == COLLECT
    if collect.any():
        have = usable(contacts)
        known = np.where(have["email"], contacts["email"], np.where(have["phone"], contacts["phone"], ""))
        detail = np.where(collect, known, detail).astype(object)
    return detail


def customer_names(frame: pd.DataFrame) -> np.ndarray:
    """Each customer's name as a letter would address it: the name column, else civility, first and last
    name ('Mme Marie Durand'), else ''."""
    contacts = Contacts(frame)
    parts = [contacts[c] for c in ("civility", "first_name", "last_name")]
    joined = np.array([" ".join(p for p in trio if p) for trio in zip(*parts, strict=True)], dtype=object)
    name = contacts["name"]
    return np.where(name != "", name, joined).astype(object)


def plan_table(plan: ActionPlan, customers: pd.DataFrame, weeks: int | None = None) -> pd.DataFrame:
    """The contact plan from `plan_actions`' result: one row per scheduled customer (weeks 1..`weeks`, all
    when None), by rank, with the columns PLAN_COLUMNS."""
    from xlsegment.actions.plan import customer_frame

    lang = plan.lang
    c = plan.customers
    keep = c["week"].to_numpy(dtype=np.int64) > 0
    if weeks is not None:
        keep &= c["week"].to_numpy(dtype=np.int64) <= int(weeks)
    c = c[keep].sort_values("rank", kind="stable")
    frame = customer_frame(customers).reindex(c.index)
    n = len(c)
    channel = as_text(c["channel"], n)
    kind = as_text(c["message_label"], n)
    offer = as_text(c["offer"], n)
    sep = " : " if lang == "fr" else ": "
    message = np.where(offer != "", kind + sep + offer, kind)
    message = np.where(channel == COLLECT, label("actions.collect.message", lang), message).astype(object)
    table = pd.DataFrame(
        {
            "week": c["week"].to_numpy(dtype=np.int64),
            "rank": c["rank"].to_numpy(dtype=np.int64),
            "customer_id": c.index.to_numpy(dtype=object),
            "name": customer_names(frame),
            "segment": c["segment"].to_numpy(dtype=object),
            "segment_label": as_text(c["segment_label"], n),
            "channel": channel,
            "channel_label": as_text(c["channel_label"], n),
            "action_label": as_text(c["next_action"], n),
            "reason": as_text(c["plan_reason"], n),
            "message": message,
            "contact": as_text(c["contact"], n),
            "value_at_stake": c["value_at_stake"].to_numpy(dtype=float),
            "due_date": c["due_date"].to_numpy(dtype="datetime64[ns]"),
            "objective": as_text(c["objective"], n),
            "offer": offer,
        }
    )
    table.attrs.update(as_of=plan.as_of, lang=lang, classification=plan.classification)
    table.attrs["held_out"] = held_out_counts(plan, customers)
    return table


def held_out_counts(plan: ActionPlan, customers: pd.DataFrame) -> dict[str, int]:
    """Customers held out of the plan per segment (label: count, most first; empty without a control
    group): the plan says whom it leaves out on purpose."""
    from xlsegment.actions.plan import customer_frame

    held = held_out_flags(customer_frame(customers).reindex(plan.customers.index))
    in_book = as_text(plan.customers["segment_label"], len(held)) != ""
    labels = plan.customers["segment_label"].to_numpy(dtype=object)[held & in_book]
    return {str(k): int(n) for k, n in pd.Series(labels).value_counts().items()}


def contact_plan(
    customers: pd.DataFrame,
    *,
    capacity: Mapping[str, object] | None = None,
    weeks: int | None = None,
    lang: str = "en",
    as_of: object = None,
    classification: str = "rfm_segment",
    playbook: str | Path | pd.DataFrame | None = None,
    transactions: pd.DataFrame | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Who to contact week by week: customers ranked by value at stake x urgency, cut to each channel's weekly
    `capacity` (defaults `schedule.DEFAULT_CAPACITY`: 20 calls, 100 letters, 500 e-mails, 50 customers to ask
    for their contact details...), week 1 being the 7 days from `as_of`; `weeks` keeps the first weeks only.

    `customers` is a segmented customer table (`segment()`'s or `analyze().customers`). `options` go to
    `plan_actions`: `value_basis` (default: predictive CLV when present and `trust_clv`, else simple CLV, else
    revenue of the last 12 months, else revenue), `currency`, `birthday_lead_days`, `full_price_days`.
    One row per scheduled customer, columns PLAN_COLUMNS, best first.
    """
    from xlsegment.actions.plan import plan_actions

    plan = plan_actions(
        customers,
        playbook,
        as_of,
        classification,
        transactions,
        check_lang(lang),
        capacity=capacity,
        **options,
    )
    return plan_table(plan, customers, weeks)
