"""Per customer the next recommended action, channel and due date; per segment the playbook summary.

Deterministic for a given `as_of`: the due date comes from the playbook cadence counted from the last contact
(or purchase), or from the customer's next birthday for segments whose playbook row says so; never from the
clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from xlsegment.actions._text import as_text, date_strings, fill_array, lookup, text
from xlsegment.actions.offers import check_transactions, full_price_suppression, main_categories
from xlsegment.actions.playbook import (
    CHANNELS,
    MESSAGES,
    OFFERS,
    load_playbook,
    segment_label,
    segment_labels,
)
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
)


_TYPED = ("segment", "due_date", "action_overdue")


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


def _dates(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    return pd.to_datetime(frame[column], errors="coerce").dt.normalize().astype("datetime64[ns]")


def next_birthday(birthdays: pd.Series, as_of: pd.Timestamp) -> pd.Series:
    """The next occurrence of each birthday on or after `as_of` (29 February becomes 28 in common years)."""
    known = birthdays.notna()
    out = pd.Series(pd.NaT, index=birthdays.index, dtype="datetime64[ns]")
    if not known.any():
        return out
    month = birthdays[known].dt.month.to_numpy()
    day = birthdays[known].dt.day.to_numpy()

    def on(year: np.ndarray) -> pd.Series:
        leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
        safe_day = np.where((month == 2) & (day == 29) & ~leap, 28, day)
        return pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": safe_day}))

    year = np.full(len(month), as_of.year)
    this_year = on(year)
    later = this_year.to_numpy() < as_of.to_datetime64()
    result = on(np.where(later, year + 1, year))
    out[known] = result.to_numpy()
    return out


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
) -> ActionPlan:
    """Next action per customer of `segmented` (one row per customer, with the `classification` code column).

    The base date of the contact cadence is `last_<channel>` (last_letter, last_phone, last_email, ...) when the
    frame logs that channel, else `last_contact`, else `last_purchase`; the next action is the earliest due of: birthday card (`birthday_lead_days` before the next birthday, for
    playbook rows with birthday = yes and a known birthday), the main contact, the second contact. A due date
    already past becomes `as_of` with `action_overdue` True. Discount offers are withheld for a product family bought
    at full price in the last `full_price_days` days (needs `transactions` with category and discount).
    Returns an ActionPlan: `customers` (indexed by customer_id, columns CUSTOMER_COLUMNS), `segments`
    (per segment: customers, revenue, objective, measures, contact plan) and `report` (notes).
    """
    lang = check_lang(lang)
    if birthday_lead_days < 0 or full_price_days < 1:
        raise ValueError("birthday_lead_days must be >= 0 and full_price_days >= 1")
    frame = customer_frame(segmented)
    if classification not in frame.columns:
        present = [c for c in ("abc", "pareto", "buyer_status", "rfm_segment", "lifecycle", "behaviour",
                               "customer_type") if c in frame.columns]  # fmt: skip
        raise LedgerError(
            f"no {classification!r} segment column in the segmented customers",
            column=classification,
            hint=f"classifications present: {', '.join(present) or 'none'}",
        )
    book_all = resolve_playbook(playbook)
    report = list(book_all.attrs.get("report", []))
    book = book_all[book_all["classification"] == classification].set_index("code")
    if book.empty:
        raise LedgerError(
            f"the playbook has no row for classification {classification!r}", column=classification
        )
    as_of_ts = resolve_as_of(frame, as_of, segmented)
    index = frame.index
    n = len(index)
    codes = frame[classification]
    code_raw = codes.to_numpy(dtype=object)
    code_text = as_text(code_raw, n)
    has_code = code_text != ""
    pos = book.index.get_indexer(code_text)
    in_book = has_code & (pos >= 0)
    safe = np.maximum(pos, 0)

    def take(column: str, missing: object = "") -> np.ndarray:
        """The playbook value of each customer's segment (object array; `missing` outside the playbook)."""
        values = book[column].to_numpy(dtype=object)[safe]
        return np.where(in_book, values, missing)

    unknown = sorted(set(code_text[has_code & ~in_book]))
    if unknown:
        report.append(
            f"{int((has_code & ~in_book).sum())} customer(s) have segment codes without a playbook row "
            f"({', '.join(unknown)}): no action planned for them"
        )
    if (~has_code).any():
        report.append(
            f"{int((~has_code).sum())} customer(s) have no {classification} code: no action planned"
        )

    # base dates of the contact cadence
    nat = np.datetime64("NaT", "ns")
    as_of64 = as_of_ts.to_datetime64().astype("datetime64[ns]")
    last_purchase = _dates(frame, "last_purchase").to_numpy(dtype="datetime64[ns]")
    last_contact = _dates(frame, "last_contact").to_numpy(dtype="datetime64[ns]")
    from_contact = ~np.isnat(last_contact)
    base = np.where(from_contact, last_contact, last_purchase)
    no_base = np.isnat(base)
    if (no_base & in_book).any():
        report.append(
            f"{int((no_base & in_book).sum())} customer(s) have no last purchase or contact date: contact due now"
        )
    base = np.where(no_base, as_of64, base)

    cadence_1 = take("cadence_days", 0).astype("int64")
    cadence_2 = take("second_cadence_days", 0).astype("int64")
    second_ok = in_book & (take("second_channel", "") != "") & (cadence_2 > 0)
    # a per-channel contact log (last_letter, last_phone, last_email, ...) restarts that channel's cadence
    channel_1, channel_2 = take("channel"), take("second_channel")
    base_1, base_2 = base.copy(), base.copy()
    logged_1 = np.zeros(n, dtype=bool)
    logged_2 = np.zeros(n, dtype=bool)
    for chan in CHANNELS:
        logged = _dates(frame, f"last_{chan}").to_numpy(dtype="datetime64[ns]")
        known = ~np.isnat(logged)
        if not known.any():
            continue
        hit_1, hit_2 = known & (channel_1 == chan), known & (channel_2 == chan)
        base_1, base_2 = np.where(hit_1, logged, base_1), np.where(hit_2, logged, base_2)
        logged_1 |= hit_1
        logged_2 |= hit_2
    primary = np.where(in_book & (cadence_1 > 0), base_1 + cadence_1.astype("timedelta64[D]"), nat)
    second = np.where(second_ok, base_2 + cadence_2.astype("timedelta64[D]"), nat)
    birthday_on = next_birthday(_dates(frame, "birthday"), as_of_ts).to_numpy(dtype="datetime64[ns]")
    wants_card = in_book & take("birthday", False).astype(bool) & ~np.isnat(birthday_on)
    card = np.where(wants_card, birthday_on - np.timedelta64(birthday_lead_days, "D"), nat)

    # earliest of (card, primary, second), compared on dates clamped to as_of so that a birthday card due
    # now wins over an overdue letter; ties keep that priority order
    stack = np.column_stack([card, primary, second])
    filled = np.where(np.isnat(stack), np.datetime64("2262-01-01", "ns"), np.maximum(stack, as_of64))
    choice = filled.argmin(axis=1)
    due_raw = stack[np.arange(n), choice]
    is_card = (choice == 0) & ~np.isnat(card)
    late = ~np.isnat(due_raw) & (due_raw < as_of64)
    # a card inside its lead window is due now but not late: the birthday is still ahead
    overdue = late & in_book & ~is_card
    due = np.where(late, as_of64, due_raw)
    due = np.where(in_book, due, nat)
    is_second = (choice == 2) & in_book & ~is_card
    is_primary = in_book & ~is_card & ~is_second

    action = np.select(
        [is_card, is_primary, is_second],
        [label("actions.birthday", lang), take(f"action_{lang}"), take(f"second_action_{lang}")],
        "",
    ).astype(object)
    channel = np.select(
        [is_card, is_primary, is_second], ["letter", take("channel"), take("second_channel")], ""
    ).astype(object)
    cadence = np.where(is_primary, cadence_1, np.where(is_second, cadence_2, 0))

    # message kind: a birthday card or a call (cordial, never selling) is an image message; otherwise the mix
    # rotates per cadence period of the due date, so successive contacts alternate and never mix kinds
    mix = take("message_mix", "image")
    day = np.where(np.isnat(due), as_of64, due).astype("datetime64[D]").astype("int64")
    period = day // np.maximum(cadence, 1)
    message = np.full(n, "image", dtype=object)
    for value in pd.unique(mix):  # a handful of distinct mixes
        kinds = np.array(str(value).split("|"), dtype=object)
        where = mix == value
        message[where] = kinds[period[where] % len(kinds)]
    message[is_card | (channel == "phone")] = "image"
    message[~in_book] = ""

    is_logged = np.where(is_second, logged_2, logged_1)
    from_contact = from_contact | is_logged
    base_txt = date_strings(np.where(is_second, base_2, base_1), lang)
    reason = np.where(
        from_contact,
        fill_array("actions.reason.after_contact", lang, n, n=cadence, date=base_txt),
        fill_array("actions.reason.after_purchase", lang, n, n=cadence, date=base_txt),
    )
    if is_card.any():
        card_txt = fill_array("actions.reason.birthday", lang, n, date=date_strings(birthday_on, lang))
        reason = np.where(is_card, card_txt, reason)
    reason = np.where(overdue, reason + "; " + label("actions.reason.overdue", lang), reason)
    reason = np.where(in_book, reason, "")
    reason = np.where(has_code, reason, label("actions.reason.no_segment", lang))
    if (has_code & ~in_book).any():
        no_row = fill_array("actions.reason.no_playbook", lang, n, code=code_text)
        reason = np.where(has_code & ~in_book, no_row, reason)

    # offers and their suppression
    offer_code = take("offer", "none")
    wants_discount = offer_code == "discount"
    category = np.full(n, None, dtype=object)
    if "main_category" in frame.columns:
        category = frame["main_category"].to_numpy(dtype=object)
    problem = check_transactions(transactions) if wants_discount.any() else None
    tx = None
    if transactions is not None and {"category", "customer_id"} <= set(transactions.columns):
        tx = transactions.copy(deep=False)
        tx["customer_id"] = tx["customer_id"].astype(str)
        if pd.isna(category).all() and "amount" in tx.columns:
            category = main_categories(tx).reindex(index).to_numpy(dtype=object)
    category_txt = as_text(category, n)
    offer_names = {o: label(f"actions.offer.{o}", lang) for o in OFFERS if o != "none"}
    offer_text = lookup(offer_code, offer_names, "")
    on_family = wants_discount & (category_txt != "")
    if on_family.any():
        offer_text = np.where(
            on_family, fill_array("actions.offer.discount_on", lang, n, category=category_txt), offer_text
        )
    suppressed = np.zeros(n, dtype=bool)
    suppressed_reason = np.full(n, "", dtype=object)
    if wants_discount.any():
        if problem:
            report.append(problem)
        elif tx is not None and on_family.any():
            offered = pd.Series(category[on_family], index=index[on_family], dtype=object)
            check = full_price_suppression(offered, tx, as_of_ts, full_price_days, lang)
            suppressed[on_family] = check["suppressed"].to_numpy(dtype=bool)
            suppressed_reason[on_family] = check["reason"].to_numpy(dtype=object)
            if suppressed.any():
                report.append(
                    f"{int(suppressed.sum())} discount offer(s) withheld: the customer bought that product "
                    f"family at full price in the last {full_price_days} days"
                )
    suppressed_offer = np.where(suppressed, offer_text, "").astype(object)
    offer_text = np.where(suppressed, "", offer_text).astype(object)

    plans = contact_plans(book, lang)
    columns = {
        "segment": codes.to_numpy(),
        "segment_label": lookup(code_text, segment_labels(classification, lang), None),
        "objective": take(f"objective_{lang}").astype(object),
        "next_action": action,
        "channel": channel,
        "channel_label": lookup(channel, _names("channel", CHANNELS, lang), ""),
        "due_date": due,
        "due_reason": reason.astype(object),
        "action_overdue": overdue,
        "message": message,
        "message_label": lookup(message, _names("message", MESSAGES, lang), ""),
        "offer": offer_text,
        "suppressed_offer": suppressed_offer,
        "suppressed_reason": suppressed_reason,
        "contact_plan": lookup(code_text, plans.to_dict(), ""),
    }
    columns["segment_label"] = np.where(has_code, columns["segment_label"], "")
    # explicit object Series: text stays plain Python strings (no conversion to arrow strings per column)
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
