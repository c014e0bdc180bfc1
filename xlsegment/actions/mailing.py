"""Mailing lists per segment (or any filter), ready for a mail merge, with a personal salutation.

Seed 001: letters carry each customer's name, never "Dear Sir or Madam". Customers the chosen channel cannot
reach (no address, e-mail or phone) are listed apart with the reason, so the user can complete the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from xlsegment.actions._text import as_text, fill_array, lookup
from xlsegment.actions.contact_plan import held_out_flags
from xlsegment.actions.plan import ActionPlan, customer_frame
from xlsegment.actions.playbook import CHANNELS, segment_labels
from xlsegment.actions.reach import COLLECT, NEEDS, Contacts, reachable
from xlsegment.atomic import atomic_write
from xlsegment.columns import CONTACT_COLUMNS
from xlsegment.errors import LedgerError
from xlsegment.labels import check_lang, label

_FEMALE = {"mme", "madame", "mrs", "ms", "miss", "mlle", "mademoiselle", "mevrouw", "frau"}
_MALE = {"m", "mr", "monsieur", "mister", "herr"}
_DATE_COLUMNS = ("birthday", "due_date")  # kept as dates, so the CSV writes them the language's way


@dataclass
class MailingLists:
    """Per segment code the customers to write to (`lists`), the selected customers the channel cannot
    reach (`missing`, with the reason), and the selected customers held out of the campaign as its control
    group (`held_out`: on no list, never to be contacted; the campaign file records them)."""

    lists: dict[str, pd.DataFrame]
    missing: pd.DataFrame
    report: list[str] = field(default_factory=list)
    classification: str = "rfm_segment"
    lang: str = "en"
    held_out: pd.DataFrame | None = None

    def frame(self) -> pd.DataFrame:
        """Every list in one frame (one sheet), in segment order."""
        if not self.lists:
            return self.missing.iloc[0:0].drop(columns=["missing_contact"], errors="ignore")
        return pd.concat(list(self.lists.values()), ignore_index=True)

    def write_csv(self, folder: str | Path, *, prefix: str = "mailing", sep: str | None = None) -> list[Path]:
        """One CSV per segment plus one of the customers without contact data; each written atomically, in
        the conventions of the lists' language (`sep` overrides the separator)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for code, frame in self.lists.items():
            path = folder / f"{prefix}_{self.classification}_{_safe(code)}.csv"
            write_csv(frame, path, sep=sep, lang=self.lang)
            written.append(path)
        if not self.missing.empty:
            path = folder / f"{prefix}_{self.classification}_missing_contact.csv"
            write_csv(self.missing, path, sep=sep, lang=self.lang)
            written.append(path)
        return written


def _safe(code: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", str(code)) or "segment"


# how a spreadsheet of each language expects a CSV: separator, decimal mark, dates
CSV_CONVENTIONS = {"fr": (";", ",", "%d/%m/%Y"), "en": (",", ".", "%Y-%m-%d")}


def write_csv(frame: pd.DataFrame, path: str | Path, *, sep: str | None = None, lang: str = "en") -> Path:
    """Write `frame` as UTF-8 CSV (with BOM, so Excel reads accents) in the conventions of `lang` (French:
    `;`, decimal comma, dates 31/12/2026; English: `,`, decimal point, 2026-12-31), via a temporary file and
    os.replace: a reader never sees a half-written file and a failure leaves the old file in place."""
    default_sep, decimal, dates = CSV_CONVENTIONS[check_lang(lang)]

    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8-sig", newline="") as handle:
            frame.to_csv(handle, index=False, sep=sep or default_sep, decimal=decimal, date_format=dates)

    return atomic_write(path, write)


def _civility_kind(civility: np.ndarray) -> np.ndarray:
    """'f', 'm' or '' per customer from the civility text (Mme, Madame, Mrs, M., Monsieur, Mr, ...)."""
    codes, uniques = pd.factorize(civility)
    norm = [str(u).lower().replace(".", "").strip() for u in uniques]
    kinds = np.array(["f" if c in _FEMALE else "m" if c in _MALE else "" for c in norm] + [""], dtype=object)
    return kinds[codes]


def addressees(frame: pd.DataFrame, lang: str = "en", contacts: Contacts | None = None) -> pd.Series:
    """Whom a letter is addressed to, for the envelope or the address block: 'Madame Marie Durand' /
    'Mrs Marie Durand' when the civility is known, else the name on file ('' when there is none)."""
    lang = check_lang(lang)
    text_of = contacts if contacts is not None else Contacts(frame)
    civ_column = "civility" if "civility" in frame.columns or "title" not in frame.columns else "title"
    kind = _civility_kind(text_of[civ_column])
    first, last, name = text_of["first_name"], text_of["last_name"], text_of["name"]
    full = np.where((first != "") & (last != ""), first + " " + last, first + last)
    full = np.where(full != "", full, name).astype(object)
    word = np.select(
        [kind == "f", kind == "m"], [label("actions.civility.f", lang), label("actions.civility.m", lang)], ""
    )
    out = np.where((word != "") & (full != ""), word + " " + full, full)
    return pd.Series(out.astype(object), index=frame.index, dtype=object)


def salutations(frame: pd.DataFrame, lang: str = "en", contacts: Contacts | None = None) -> pd.Series:
    """The opening of a letter per customer: 'Chère Madame Dupont' / 'Dear Mrs Dupont' when the civility and
    last name are known, else 'Bonjour Marie' / 'Dear Marie' from the first name, else the full name, else a
    plain 'Bonjour' / 'Hello' (never 'Madame, Monsieur')."""
    lang = check_lang(lang)
    n = len(frame)
    text_of = contacts if contacts is not None else Contacts(frame)
    civ_column = "civility" if "civility" in frame.columns or "title" not in frame.columns else "title"
    kind = _civility_kind(text_of[civ_column])
    last = text_of["last_name"]
    first = text_of["first_name"]
    name = text_of["name"]
    has_last = last != ""
    out = np.select(
        [(kind == "f") & has_last, (kind == "m") & has_last, first != "", name != ""],
        [
            fill_array("actions.salutation.f", lang, n, last_name=last),
            fill_array("actions.salutation.m", lang, n, last_name=last),
            fill_array("actions.salutation.first_name", lang, n, first_name=first),
            fill_array("actions.salutation.name", lang, n, name=name),
        ],
        label("actions.salutation.none", lang),
    )
    return pd.Series(out.astype(object), index=frame.index, dtype=object)


def _per_customer(plan: ActionPlan | pd.DataFrame) -> pd.DataFrame:
    """The planned channel, next action, due date and offer per customer_id, from plan_actions' result or
    from the contact plan (`Analysis.plan`: customers not scheduled have no channel there)."""
    if isinstance(plan, ActionPlan):
        return plan.customers
    table = plan.set_index(plan["customer_id"].astype(str))
    return table.rename(columns={"action_label": "next_action"})


def mailing_lists(
    segmented: pd.DataFrame,
    classification: str = "rfm_segment",
    segments: Iterable[str] | None = None,
    *,
    where: pd.Series | np.ndarray | Callable[[pd.DataFrame], pd.Series] | None = None,
    channel: str | None = None,
    plan: ActionPlan | pd.DataFrame | None = None,
    lang: str = "en",
) -> MailingLists:
    """Mail-merge lists of the customers of `segments` (default: every segment present) of `classification`.

    `where` narrows the selection further (a boolean Series aligned on the customers, or a function of the
    frame). `channel` ('letter', 'email', 'phone', 'sms', ...) decides which contact data is required; without
    it the channel planned for each customer in `plan` (plan_actions' result or the contact plan) is used, else any address, e-mail or phone will do.
    Customers selected but not reachable go to `missing` with the reason, never silently dropped; customers
    held out of a campaign (a true `held_out` column, see `xlsegment.overtime.hold_out`) go to `held_out`.
    """
    lang = check_lang(lang)
    frame = customer_frame(segmented)
    if classification not in frame.columns:
        raise LedgerError(
            f"no {classification!r} segment column in the segmented customers", column=classification
        )
    if channel is not None and channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}; use one of {', '.join(CHANNELS)} or None")
    code_text = as_text(frame[classification].to_numpy(dtype=object), len(frame))
    has_code = code_text != ""
    in_order = [str(c) for c in pd.unique(code_text[has_code])]
    present_codes = set(in_order)
    if segments is not None:
        wanted = list(dict.fromkeys(str(s) for s in ([segments] if isinstance(segments, str) else segments)))
        selected = pd.Series(has_code & np.isin(code_text, wanted), index=frame.index)
    else:
        wanted = in_order
        selected = pd.Series(has_code, index=frame.index)
    report: list[str] = [f"segment {code!r} has no customers" for code in wanted if code not in present_codes]
    if where is not None:
        mask = where(frame) if callable(where) else where
        if isinstance(mask, pd.Series):
            mask = mask.copy()
            mask.index = mask.index.astype(str)
            if not mask.index.equals(frame.index):
                mask = mask.reindex(frame.index)
            mask = mask.fillna(False).astype(bool)
        else:
            mask = pd.Series(np.asarray(mask, dtype=bool), index=frame.index)
        selected &= mask

    planned = _per_customer(plan) if plan is not None else None
    # from here on only the selected customers are handled
    keep = selected.to_numpy(dtype=bool)
    sub = frame[keep]
    m = len(sub)
    sub_codes = code_text[keep]
    if channel is not None:
        chan = np.full(m, channel, dtype=object)
    elif plan is not None:
        chan = as_text(planned["channel"].reindex(sub.index).to_numpy(dtype=object), m)
    else:
        chan = np.full(m, "", dtype=object)
    contacts = Contacts(sub)
    ok = reachable(contacts, chan)

    cols: dict[str, object] = {"customer_id": sub.index.to_numpy(dtype=object), "segment": sub_codes}
    cols["segment_label"] = lookup(sub_codes, segment_labels(classification, lang), None)
    cols["addressee"] = addressees(sub, lang, contacts).to_numpy(dtype=object)
    cols["salutation"] = salutations(sub, lang, contacts).to_numpy(dtype=object)
    for column in CONTACT_COLUMNS:
        if column in _DATE_COLUMNS and column in sub.columns:
            cols[column] = pd.to_datetime(sub[column], errors="coerce").to_numpy(dtype="datetime64[ns]")
        elif column in sub.columns:
            cols[column] = contacts[column]
    if channel is not None or plan is not None:
        cols["channel"] = chan
    if plan is not None:
        for column in ("next_action", "due_date", "offer"):
            cols[column] = planned[column].reindex(sub.index).to_numpy()
    table = pd.DataFrame(
        {k: pd.Series(v, dtype=None if k in _DATE_COLUMNS else object) for k, v in cols.items()}
    )

    held = held_out_flags(sub)  # the campaign's control group: on no list, and not "missing" either
    held_out = None
    if held.any():
        held_out = table.iloc[np.flatnonzero(held)].reset_index(drop=True)
        report.append(f"{int(held.sum())} selected customer(s) held out as the campaign's control group")
    ok &= ~held
    lists = {}
    for code in wanted:
        rows = np.flatnonzero(ok & (sub_codes == code))
        if len(rows):
            lists[code] = table.iloc[rows].reset_index(drop=True)
    by_channel = {c: label(f"actions.missing.{c}", lang) for c in (*NEEDS, COLLECT)}
    reasons = lookup(chan, by_channel, label("actions.missing.any", lang))
    unreached = ~ok & ~held
    missing = table.iloc[np.flatnonzero(unreached)].reset_index(drop=True)
    missing["missing_contact"] = pd.Series(reasons[unreached], dtype=object)
    if len(missing):
        report.append(
            f"{len(missing)} selected customer(s) cannot be reached: no contact data for the channel"
        )
    plain = label("actions.salutation.none", lang)
    generic = int((ok & (cols["salutation"] == plain)).sum())
    if generic:
        report.append(f"{generic} customer(s) have no name on file: their letter opens with a plain greeting")
    return MailingLists(lists, missing, report, classification, lang, held_out)
