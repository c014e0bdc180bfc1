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

from xlsegment.actions._text import date_text, fill, text
from xlsegment.actions.offers import check_transactions, full_price_suppression, main_categories
from xlsegment.actions.playbook import CHANNELS, MESSAGES, OFFERS, load_playbook, segment_label
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
    """`as_of` as given, else the summary's `attrs["as_of"]`, else the day after the last purchase."""
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


def _offer_text(offer: pd.Series, category: pd.Series, lang: str) -> pd.Series:
    names = {o: label(f"actions.offer.{o}", lang) for o in OFFERS if o != "none"}
    base = offer.map(names).fillna("").astype(object)
    has_cat = (offer == "discount") & category.notna() & (category.astype(str) != "")
    on_cat = fill("actions.offer.discount_on", lang, offer.index, category=category)
    return base.where(~has_cat, on_cat)


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

    The base date of the contact cadence is `last_contact` when the frame has it (else `last_purchase`); the
    next action is the earliest due of: birthday card (`birthday_lead_days` before the next birthday, for
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
    codes = frame[classification].astype(object)
    has_code = codes.notna() & (codes.astype(str) != "")
    code_text = codes.astype(str).where(has_code, "")
    rows = book.reindex(code_text.to_numpy())
    rows.index = index
    in_book = has_code & code_text.isin(book.index)
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
    last_purchase = _dates(frame, "last_purchase")
    last_contact = _dates(frame, "last_contact")
    from_contact = last_contact.notna()
    base = last_contact.where(from_contact, last_purchase)
    no_base = base.isna()
    if (no_base & in_book).any():
        report.append(
            f"{int((no_base & in_book).sum())} customer(s) have no last purchase or contact date: contact due now"
        )
    base = base.where(~no_base, as_of_ts)
    as_of64 = as_of_ts.to_datetime64()

    def due_after(days: pd.Series) -> pd.Series:
        step = pd.to_timedelta(days.fillna(0).astype("int64"), unit="D")
        return (base + step).where(days.fillna(0) > 0)

    primary = due_after(rows["cadence_days"]).where(in_book)
    second = due_after(rows["second_cadence_days"]).where(in_book & (rows["second_channel"].fillna("") != ""))
    birthday_on = next_birthday(_dates(frame, "birthday"), as_of_ts)
    wants_card = in_book & rows["birthday"].fillna(False).astype(bool)
    card = (birthday_on - pd.Timedelta(days=birthday_lead_days)).where(wants_card & birthday_on.notna())

    # earliest of (card, primary, second); ties keep that priority order
    far = np.datetime64("2262-01-01")
    stack = np.column_stack([s.to_numpy(dtype="datetime64[ns]") for s in (card, primary, second)])
    # compare on dates clamped to as_of: a birthday card due now wins over an overdue letter
    filled = np.where(np.isnat(stack), far, np.maximum(stack, as_of64.astype("datetime64[ns]")))
    choice = filled.argmin(axis=1)
    chosen = stack[np.arange(len(index)), choice]
    due_raw = pd.Series(chosen, index=index, dtype="datetime64[ns]")
    is_card = pd.Series(choice == 0, index=index) & card.notna()
    # a card inside its lead window is due now but not late: the birthday is still ahead
    overdue = (due_raw < as_of64).fillna(False) & in_book & ~is_card
    due = due_raw.where(~(due_raw < as_of64), as_of_ts).where(in_book)
    is_second = pd.Series(choice == 2, index=index) & in_book & ~is_card
    is_primary = in_book & ~is_card & ~is_second

    action = rows[f"action_{lang}"].where(is_primary, rows[f"second_action_{lang}"].where(is_second, ""))
    action = action.where(~is_card, label("actions.birthday", lang)).fillna("")
    channel = rows["channel"].where(is_primary, rows["second_channel"].where(is_second, "letter"))
    channel = channel.where(in_book, "").fillna("")
    cadence = rows["cadence_days"].where(is_primary, rows["second_cadence_days"]).fillna(0).astype(int)

    # message kind: a birthday card or a call (cordial, never selling) is an image message; otherwise the mix
    # rotates per cadence period of the due date, so successive contacts alternate and never mix kinds
    mix = rows["message_mix"].fillna("image")
    period = ((due.fillna(as_of_ts) - pd.Timestamp("1970-01-01")).dt.days // cadence.clip(lower=1)).to_numpy()
    message = pd.Series("image", index=index, dtype=object)
    for value in mix.unique():  # a handful of distinct mixes
        kinds = np.array(value.split("|"), dtype=object)
        where = (mix == value).to_numpy()
        message[where] = kinds[period[where] % len(kinds)]
    image_only = is_card | (channel == "phone")
    message = message.where(~image_only, "image").where(in_book, "")

    reason_base = fill(
        "actions.reason.after_purchase", lang, index, n=cadence, date=date_text(base, lang)
    ).where(
        ~from_contact,
        fill("actions.reason.after_contact", lang, index, n=cadence, date=date_text(base, lang)),
    )
    reason = reason_base.where(
        ~is_card, fill("actions.reason.birthday", lang, index, date=date_text(birthday_on, lang))
    )
    reason = reason.where(~overdue, reason + "; " + label("actions.reason.overdue", lang))
    reason = reason.where(in_book, "")
    reason = reason.where(has_code, label("actions.reason.no_segment", lang))
    reason = reason.where(
        ~(has_code & ~in_book), fill("actions.reason.no_playbook", lang, index, code=code_text)
    )

    # offers and their suppression
    offer_code = rows["offer"].fillna("none").where(in_book, "none")
    wants_discount = offer_code == "discount"
    category = pd.Series(np.nan, index=index, dtype=object)
    if "main_category" in frame.columns:
        category = frame["main_category"].astype(object)
    problem = check_transactions(transactions) if wants_discount.any() else None
    if (
        transactions is not None
        and "category" in transactions.columns
        and "customer_id" in transactions.columns
    ):
        tx = transactions.copy(deep=False)
        tx["customer_id"] = tx["customer_id"].astype(str)
        if category.isna().all() and "amount" in tx.columns:
            category = main_categories(tx).reindex(index).astype(object)
    offer_text = _offer_text(offer_code, category, lang).where(in_book, "")
    suppressed = pd.Series(False, index=index)
    suppressed_reason = pd.Series("", index=index, dtype=object)
    if wants_discount.any():
        if problem:
            report.append(problem)
        else:
            offered = category[wants_discount & category.notna()]
            check = full_price_suppression(offered, tx, as_of_ts, full_price_days, lang)
            suppressed.loc[check.index] = check["suppressed"].to_numpy()
            suppressed_reason.loc[check.index] = check["reason"].to_numpy()
            if suppressed.any():
                report.append(
                    f"{int(suppressed.sum())} discount offer(s) withheld: the customer bought that product "
                    f"family at full price in the last {full_price_days} days"
                )
    suppressed_offer = offer_text.where(suppressed, "")
    offer_text = offer_text.where(~suppressed, "")

    plans = contact_plans(book, lang)
    seg_labels = {c: segment_label(classification, c, lang) for c in set(code_text)}
    customers = pd.DataFrame(
        {
            "segment": codes,
            "segment_label": code_text.map(seg_labels).where(has_code, ""),
            "objective": rows[f"objective_{lang}"].fillna(""),
            "next_action": action,
            "channel": channel,
            "channel_label": channel.map(_names("channel", CHANNELS, lang)).fillna("").astype(object),
            "due_date": due,
            "due_reason": reason,
            "action_overdue": overdue.astype(bool),
            "message": message,
            "message_label": message.map(_names("message", MESSAGES, lang)).fillna("").astype(object),
            "offer": offer_text,
            "suppressed_offer": suppressed_offer,
            "suppressed_reason": suppressed_reason,
            "contact_plan": code_text.map(plans).fillna(""),
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
