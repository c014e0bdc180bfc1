"""When each customer's next contact falls due by the playbook: birthday card, main or second contact.

Deterministic for a given `as_of`: the due date comes from the playbook cadence counted from the last contact
(or purchase), or from the customer's next birthday for segments whose playbook row says so; never from the
clock.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from xlsegment.actions._text import as_text, date_strings, fill_array
from xlsegment.actions.playbook import CHANNELS
from xlsegment.actions.schedule import earliest_due
from xlsegment.errors import say
from xlsegment.labels import label


def dates(frame: pd.DataFrame, column: str) -> pd.Series:
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


@dataclass
class SegmentRows:
    """Each customer's segment code and its playbook row (the playbook rows of one classification)."""

    codes: pd.Series
    code_text: np.ndarray
    has_code: np.ndarray
    in_book: np.ndarray
    position: np.ndarray
    book: pd.DataFrame
    classification: str

    @classmethod
    def of(cls, frame: pd.DataFrame, classification: str, book: pd.DataFrame) -> SegmentRows:
        codes = frame[classification]
        code_text = as_text(codes.to_numpy(dtype=object), len(frame))
        has_code = code_text != ""
        pos = book.index.get_indexer(code_text)
        in_book = has_code & (pos >= 0)
        return cls(codes, code_text, has_code, in_book, np.maximum(pos, 0), book, classification)

    def take(self, column: str, missing: object = "") -> np.ndarray:
        """The playbook value of each customer's segment (object array; `missing` outside the playbook)."""
        values = self.book[column].to_numpy(dtype=object)[self.position]
        return np.where(self.in_book, values, missing)

    def notes(self, classification: str) -> list[str]:
        """What the report says about customers without a code or without a playbook row."""
        notes = []
        stray = self.has_code & ~self.in_book
        if stray.any():
            unknown = ", ".join(sorted(set(self.code_text[stray])))
            notes.append(say("actions.note.no_playbook_row", n=int(stray.sum()), codes=unknown))
        if (~self.has_code).any():
            notes.append(
                say("actions.note.no_code", n=int((~self.has_code).sum()), classification=classification)
            )
        return notes


@dataclass
class Cadence:
    """When each customer's next contact falls due by the playbook, and which contact it is."""

    due: np.ndarray  # the cadence date (may be past), NaT outside the playbook
    slot: np.ndarray  # 0 birthday card, 1 main contact, 2 second contact
    overdue: np.ndarray
    base: np.ndarray  # the date the cadence counts from
    from_contact: np.ndarray  # base is a contact (logged), not a purchase
    days: np.ndarray  # cadence in days of the chosen contact (0 for a card)
    birthday: np.ndarray


def cadence_due(
    frame: pd.DataFrame, rows: SegmentRows, as_of: pd.Timestamp, birthday_lead_days: int, report: list[str]
) -> Cadence:
    """The earliest due of: birthday card, main contact, second contact, each from its base date.

    The base of a channel's cadence is `last_<channel>` when the frame logs that channel, else `last_contact`,
    else `last_purchase` (else `as_of`: due now).
    """
    n = len(frame)
    nat = np.datetime64("NaT", "ns")
    as_of64 = as_of.to_datetime64().astype("datetime64[ns]")
    in_book = rows.in_book
    last_purchase = dates(frame, "last_purchase").to_numpy(dtype="datetime64[ns]")
    last_contact = dates(frame, "last_contact").to_numpy(dtype="datetime64[ns]")
    from_contact = ~np.isnat(last_contact)
    base = np.where(from_contact, last_contact, last_purchase)
    no_base = np.isnat(base)
    if (no_base & in_book).any():
        report.append(say("actions.note.no_base", n=int((no_base & in_book).sum())))
    base = np.where(no_base, as_of64, base)

    cadence_1 = rows.take("cadence_days", 0).astype("int64")
    cadence_2 = rows.take("second_cadence_days", 0).astype("int64")
    second_ok = in_book & (rows.take("second_channel", "") != "") & (cadence_2 > 0)
    # a per-channel contact log (last_letter, last_phone, last_email, ...) restarts that channel's cadence
    channel_1, channel_2 = rows.take("channel"), rows.take("second_channel")
    base_1, base_2 = base.copy(), base.copy()
    logged_1 = np.zeros(n, dtype=bool)
    logged_2 = np.zeros(n, dtype=bool)
    for chan in CHANNELS:
        logged = dates(frame, f"last_{chan}").to_numpy(dtype="datetime64[ns]")
        known = ~np.isnat(logged)
        if not known.any():
            continue
        hit_1, hit_2 = known & (channel_1 == chan), known & (channel_2 == chan)
        base_1, base_2 = np.where(hit_1, logged, base_1), np.where(hit_2, logged, base_2)
        logged_1 |= hit_1
        logged_2 |= hit_2
    primary = np.where(in_book & (cadence_1 > 0), base_1 + cadence_1.astype("timedelta64[D]"), nat)
    second = np.where(second_ok, base_2 + cadence_2.astype("timedelta64[D]"), nat)
    birthday_on = next_birthday(dates(frame, "birthday"), as_of).to_numpy(dtype="datetime64[ns]")
    wants_card = in_book & rows.take("birthday", False).astype(bool) & ~np.isnat(birthday_on)
    card = np.where(wants_card, birthday_on - np.timedelta64(birthday_lead_days, "D"), nat)

    # earliest of (card, primary, second), compared on dates clamped to as_of so that a birthday card due
    # now wins over an overdue letter; ties keep that priority order
    stack = np.column_stack([card, primary, second])
    filled = np.where(np.isnat(stack), np.datetime64("2262-01-01", "ns"), np.maximum(stack, as_of64))
    choice = filled.argmin(axis=1)
    due = np.where(in_book, stack[np.arange(n), choice], nat)
    is_card = (choice == 0) & ~np.isnat(card)
    slot = np.where(is_card, 0, np.where(choice == 2, 2, 1))
    late = ~np.isnat(due) & (due < as_of64)
    # a card inside its lead window is due now but not late: the birthday is still ahead
    overdue = late & in_book & ~is_card
    is_second = slot == 2
    return Cadence(
        due=due,
        slot=slot,
        overdue=overdue,
        base=np.where(is_second, base_2, base_1),
        from_contact=from_contact | np.where(is_second, logged_2, logged_1),
        days=np.where(slot == 1, cadence_1, np.where(is_second, cadence_2, 0)),
        birthday=birthday_on,
    )


def due_reasons(
    rows: SegmentRows,
    cadence: Cadence,
    lang: str,
    week: np.ndarray | None = None,
    planned: np.ndarray | None = None,
    as_of: pd.Timestamp | None = None,
) -> np.ndarray:
    """Why the contact falls due when it does, in words: the cadence or the birthday, since when it is due when
    that date has passed, and the contact plan's week when the channel's capacity put it later (`week` and
    `planned`, the plan's due dates)."""
    n = len(rows.code_text)
    base_txt = date_strings(cadence.base, lang)
    reason = np.where(
        cadence.from_contact,
        fill_array("actions.reason.after_contact", lang, n, n=cadence.days, date=base_txt),
        fill_array("actions.reason.after_purchase", lang, n, n=cadence.days, date=base_txt),
    )
    is_card = (cadence.slot == 0) & rows.in_book
    if is_card.any():
        card_txt = fill_array("actions.reason.birthday", lang, n, date=date_strings(cadence.birthday, lang))
        reason = np.where(is_card, card_txt, reason)
    sep = " ; " if lang == "fr" else "; "
    if cadence.overdue.any():  # the cadence date has passed: due since then
        since = fill_array("actions.reason.overdue", lang, n, date=date_strings(cadence.due, lang))
        reason = np.where(cadence.overdue, reason + sep + since, reason)
    if week is not None and planned is not None and as_of is not None:
        as_of64 = as_of.to_datetime64().astype("datetime64[ns]")
        earliest = earliest_due(cadence.due, as_of64)
        later = (week > 1) & ~np.isnat(planned) & (planned > earliest)
        if later.any():
            pushed = fill_array("actions.reason.week", lang, n, week=week)
            reason = np.where(later, reason + sep + pushed, reason)
    reason = np.where(rows.in_book, reason, "")
    reason = np.where(rows.has_code, reason, label("actions.reason.no_segment", lang))
    stray = rows.has_code & ~rows.in_book
    if stray.any():
        no_row = fill_array("actions.reason.no_playbook", lang, n, code=rows.code_text)
        reason = np.where(stray, no_row, reason)
    return reason.astype(object)
