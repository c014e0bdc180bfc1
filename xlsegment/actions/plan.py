"""Per customer the next recommended action, channel, week and due date; per segment the playbook summary.

`plan_actions` puts the pieces together: when each contact falls due (`cadence`), the channel that reaches
the customer, the ranking and the weekly capacity (`contact_plan`, `schedule`), the message and the offer
(`offers`). Deterministic for a given `as_of`, never from the clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from xlsegment.actions._text import lookup, text
from xlsegment.actions.cadence import SegmentRows, cadence_due, due_reasons
from xlsegment.actions.contact_plan import SCHEDULE_COLUMNS, schedule_contacts
from xlsegment.actions.offers import plan_offers
from xlsegment.actions.playbook import (
    CHANNELS,
    MESSAGES,
    load_playbook,
    segment_label,
    segment_labels,
)
from xlsegment.actions.reach import COLLECT
from xlsegment.actions.schedule import late_and_gone
from xlsegment.errors import LedgerError
from xlsegment.labels import check_lang, label

CUSTOMER_COLUMNS = (
    "segment",
    "segment_label",
    "objective",
    "next_action",
    "channel",
    "channel_label",
    "due_date",
    "due_reason",
    "action_overdue",
    "message",
    "message_label",
    "offer",
    "suppressed_offer",
    "suppressed_reason",
    "contact_plan",
    *SCHEDULE_COLUMNS,
)


_TYPED = ("segment", "due_date", "action_overdue", "week", "rank", "value_at_stake", "urgency")


@dataclass
class ActionPlan:
    """What `plan_actions` returns: the per-customer plan, the per-segment summary and what was noticed."""

    customers: pd.DataFrame
    segments: pd.DataFrame
    report: list[str] = field(default_factory=list)
    as_of: pd.Timestamp | None = None
    classification: str = "rfm_segment"
    lang: str = "en"


def resolve_playbook(playbook: str | Path | pd.DataFrame | None) -> pd.DataFrame:
    """A validated playbook: loaded from `playbook` unless it already is one (from `load_playbook`)."""
    if (
        isinstance(playbook, pd.DataFrame)
        and "cadence_days" in playbook.columns
        and "source" in playbook.attrs
    ):
        return playbook
    return load_playbook(playbook)


def customer_frame(segmented: pd.DataFrame) -> pd.DataFrame:
    """The segmented customers indexed by customer_id as text (a column of that name wins over the index)."""
    if not isinstance(segmented, pd.DataFrame):
        raise LedgerError(f"expected a DataFrame of segmented customers, got {type(segmented).__name__}")
    frame = segmented.set_index("customer_id") if "customer_id" in segmented.columns else segmented
    frame = frame.copy(deep=False)
    frame.index = pd.Index(frame.index.astype(str), name="customer_id")
    if frame.index.has_duplicates:
        dup = frame.index[frame.index.duplicated()].unique()[:5].tolist()
        raise LedgerError(
            "customers appear more than once in the segmented table", column="customer_id", rows=dup
        )
    return frame


def resolve_as_of(frame: pd.DataFrame, as_of: object, segmented: pd.DataFrame) -> pd.Timestamp:
    """`as_of` as given, else the summary's `attrs["as_of"]`, else the latest last_purchase (day)."""
    if as_of is None:
        as_of = segmented.attrs.get("as_of")
    if as_of is None and "last_purchase" in frame.columns:
        last = pd.to_datetime(frame["last_purchase"], errors="coerce").max()
        if pd.notna(last):
            as_of = last.normalize()
    if as_of is None:
        raise LedgerError(
            "no as_of date: give as_of, or a summary with attrs['as_of'] or a last_purchase column",
            column="last_purchase",
        )
    try:
        stamp = pd.Timestamp(as_of)
    except (TypeError, ValueError) as exc:
        raise LedgerError(f"as_of {as_of!r} is not a date") from exc
    if pd.isna(stamp):
        raise LedgerError(f"as_of {as_of!r} is not a date")
    return stamp.normalize()


def _names(kind: str, codes: tuple[str, ...], lang: str) -> dict[str, str]:
    """Code -> label of one kind (channel, message, offer) in `lang`, for mapping whole columns at once."""
    return {code: label(f"actions.{kind}.{code}", lang) for code in codes}


def _cadence_text(days: pd.Series, lang: str) -> pd.Series:
    named = {d: label(f"actions.cadence.{d}", lang) for d in (7, 14, 30, 61, 91, 183, 365)}
    generic = label("actions.cadence.days", lang)
    return days.map(lambda d: named.get(int(d)) or generic.replace("{n}", str(int(d))) if d else "")


def contact_plans(book: pd.DataFrame, lang: str) -> pd.Series:
    """Per playbook row the contact plan in words: 'Personal letter every quarter; Phone call twice a year'."""
    first = (
        book["channel"].map(lambda c: label(f"actions.channel.{c}", lang))
        + " "
        + _cadence_text(book["cadence_days"], lang)
    )
    has_second = book["second_channel"].astype(str) != ""
    second = (
        book["second_channel"].map(lambda c: label(f"actions.channel.{c}", lang) if c else "")
        + " "
        + (_cadence_text(book["second_cadence_days"], lang))
    )
    return first.where(~has_second, first + "; " + second)


def message_mix_text(mix: pd.Series, lang: str) -> pd.Series:
    """The message mix in words: 'Image message ..., Event message: one kind per contact, never together'."""

    def one(value: str) -> str:
        kinds = [label(f"actions.message.{k}", lang) for k in value.split("|") if k]
        if len(kinds) <= 1:
            return kinds[0] if kinds else ""
        return text("actions.message_mix", lang, messages=" / ".join(kinds))

    return mix.map(one)


def _require_classification(frame: pd.DataFrame, classification: str) -> None:
    if classification not in frame.columns:
        present = [c for c in ("abc", "pareto", "buyer_status", "rfm_segment", "lifecycle", "behaviour",
                               "customer_type") if c in frame.columns]  # fmt: skip
        raise LedgerError(
            f"no {classification!r} segment column in the segmented customers",
            column=classification,
            hint=f"classifications present: {', '.join(present) or 'none'}",
        )


def message_kinds(
    rows: SegmentRows, channel: np.ndarray, slot: np.ndarray, day: np.ndarray, cadence: np.ndarray
) -> np.ndarray:
    """Message kind per customer: a birthday card or a call (cordial, never selling) is an image message;
    otherwise the segment's mix rotates per cadence period of the due day, so successive contacts alternate
    and never mix kinds."""
    n = len(channel)
    mix = rows.take("message_mix", "image")
    period = day // np.maximum(cadence, 1)
    message = np.full(n, "image", dtype=object)
    for value in pd.unique(mix):  # a handful of distinct mixes
        kinds = np.array(str(value).split("|"), dtype=object)
        where = mix == value
        message[where] = kinds[period[where] % len(kinds)]
    message[(slot == 0) | (channel == "phone")] = "image"
    message[~rows.in_book | (channel == COLLECT)] = ""
    return message


def plan_actions(
    segmented: pd.DataFrame,
    playbook: str | Path | pd.DataFrame | None = None,
    as_of: object = None,
    classification: str = "rfm_segment",
    transactions: pd.DataFrame | None = None,
    lang: str = "en",
    *,
    birthday_lead_days: int = 14,
    full_price_days: int = 90,
    capacity: Mapping[str, object] | None = None,
    value_basis: str | None = None,
    trust_clv: bool = True,
    currency: str | None = None,
) -> ActionPlan:
    """Next action per customer of `segmented` (one row per customer, with the `classification` code column).

    The playbook cadence gives when each contact falls due (`cadence_due`: birthday card `birthday_lead_days`
    before the next birthday, main contact, second contact); the channel is the playbook's when the customer
    has the contact data for it, else the row's other channel, else `collect_contact`; customers are ranked by
    value at stake x urgency and spread over weeks by the weekly `capacity` per channel (see `schedule`), and
    the due date is the later of the cadence date and the start of the customer's week (`due_reason` says
    which); `action_overdue` marks the customers late on their own rhythm and not gone yet
    (`schedule.late_and_gone`). Discount offers are withheld for a product family bought at full price in
    the last `full_price_days` days (needs `transactions` with category and discount).
    Returns an ActionPlan: `customers` (indexed by customer_id, columns CUSTOMER_COLUMNS), `segments`
    (per segment: customers, revenue, objective, measures, contact plan) and `report` (notes).
    """
    lang = check_lang(lang)
    if birthday_lead_days < 0 or full_price_days < 1:
        raise ValueError("birthday_lead_days must be >= 0 and full_price_days >= 1")
    frame = customer_frame(segmented)
    _require_classification(frame, classification)
    book_all = resolve_playbook(playbook)
    report = list(book_all.attrs.get("report", []))
    book = book_all[book_all["classification"] == classification].set_index("code")
    if book.empty:
        raise LedgerError(
            f"the playbook has no row for classification {classification!r}", column=classification
        )
    as_of_ts = resolve_as_of(frame, as_of, segmented)
    rows = SegmentRows.of(frame, classification, book)
    report.extend(rows.notes(classification))
    cadence = cadence_due(frame, rows, as_of_ts, birthday_lead_days, report)
    late, gone = late_and_gone(frame)
    scheduled = schedule_contacts(
        frame, rows, cadence, as_of_ts, lang, report, gone=gone,
        capacity=capacity, value_basis=value_basis, trust_clv=trust_clv, currency=currency,
    )  # fmt: skip
    channel = scheduled["channel"].to_numpy(dtype=object)
    slot = scheduled["slot"].to_numpy()
    due = scheduled["due_date"].to_numpy(dtype="datetime64[ns]")
    action = np.select(
        [channel == COLLECT, slot == 0, slot == 1, slot == 2],
        [label("actions.collect.action", lang), label("actions.birthday", lang), rows.take(f"action_{lang}"),
         rows.take(f"second_action_{lang}")],
        "",
    ).astype(object)  # fmt: skip
    action[~rows.in_book] = ""
    as_of64 = as_of_ts.to_datetime64().astype("datetime64[ns]")
    day = np.where(np.isnat(due), as_of64, due).astype("datetime64[D]").astype("int64")
    message = message_kinds(rows, channel, slot, day, cadence.days)
    offer = plan_offers(frame, rows, transactions, as_of_ts, full_price_days, lang, report)
    plans = contact_plans(book, lang)
    channel_names = _names("channel", (*CHANNELS, COLLECT), lang)
    columns = {
        "segment": rows.codes.to_numpy(),
        "segment_label": np.where(
            rows.has_code, lookup(rows.code_text, segment_labels(classification, lang), None), ""
        ),
        "objective": rows.take(f"objective_{lang}").astype(object),
        "next_action": action,
        "channel": channel,
        "channel_label": lookup(channel, channel_names, ""),
        "due_date": due,
        "due_reason": due_reasons(rows, cadence, lang, scheduled["week"].to_numpy(), due, as_of_ts),
        "action_overdue": late & rows.in_book,
        "message": message,
        "message_label": lookup(message, _names("message", MESSAGES, lang), ""),
        "offer": offer.offer,
        "suppressed_offer": offer.suppressed_offer,
        "suppressed_reason": offer.suppressed_reason,
        "contact_plan": lookup(rows.code_text, plans.to_dict(), ""),
        **{name: scheduled[name].to_numpy() for name in SCHEDULE_COLUMNS},
    }
    # explicit object Series: text stays plain Python strings (no conversion to arrow strings per column)
    index = frame.index
    customers = pd.DataFrame(
        {
            name: pd.Series(values, index=index, dtype=object if name not in _TYPED else None)
            for name, values in columns.items()
        },
        index=index,
    )
    segments = _segment_summary(frame, customers, book, classification, lang, plans)
    return ActionPlan(customers, segments, report, as_of_ts, classification, lang)


def _segment_summary(
    frame: pd.DataFrame,
    customers: pd.DataFrame,
    book: pd.DataFrame,
    classification: str,
    lang: str,
    plans: pd.Series,
) -> pd.DataFrame:
    """One row per playbook segment of the classification (in playbook order), with its customers."""
    revenue = pd.to_numeric(frame["revenue"], errors="coerce") if "revenue" in frame.columns else None
    codes = customers["segment"].astype(object).where(customers["segment"].notna(), "").astype(str)
    counts = codes.value_counts()
    total = max(int(len(codes)), 1)
    rev = revenue.groupby(codes).sum() if revenue is not None else pd.Series(dtype=float)
    total_rev = float(revenue.sum()) if revenue is not None else 0.0
    overdue = customers["action_overdue"].groupby(codes).sum()
    order = list(book.index) + sorted(c for c in counts.index if c and c not in book.index)
    mixes = message_mix_text(book["message_mix"], lang)
    rows = []
    for code in order:
        known = code in book.index
        n = int(counts.get(code, 0))
        seg_rev = float(rev.get(code, 0.0)) if revenue is not None else np.nan
        rows.append(
            {
                "classification": classification,
                "segment": code,
                "segment_label": segment_label(classification, code, lang),
                "customers": n,
                "customers_share": n / total,
                "revenue": seg_rev,
                "revenue_share": seg_rev / total_rev if revenue is not None and total_rev else np.nan,
                "objective": book.at[code, f"objective_{lang}"] if known else "",
                "measures": book.at[code, f"measures_{lang}"] if known else "",
                "next_action": book.at[code, f"action_{lang}"] if known else "",
                "contact_plan": plans.get(code, "") if known else "",
                "message_mix": mixes[code] if known else "",
                "offer": label(f"actions.offer.{book.at[code, 'offer']}", lang) if known else "",
                "overdue_customers": int(overdue.get(code, 0)),
            }
        )
    return pd.DataFrame(rows)
