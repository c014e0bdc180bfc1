"""Mailing lists per segment (or any filter), ready for a mail merge, with a personal salutation.

Seed 001: letters carry each customer's name, never "Dear Sir or Madam". Customers the chosen channel cannot
reach (no address, e-mail or phone) are listed apart with the reason, so the user can complete the file.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from xlsegment.actions._text import fill
from xlsegment.actions.plan import ActionPlan, customer_frame
from xlsegment.actions.playbook import CHANNELS, segment_labels
from xlsegment.errors import LedgerError
from xlsegment.labels import check_lang, label

CONTACT_COLUMNS = (
    "civility",
    "first_name",
    "last_name",
    "name",
    "address",
    "postcode",
    "city",
    "email",
    "phone",
)
_FEMALE = {"mme", "madame", "mrs", "ms", "miss", "mlle", "mademoiselle", "mevrouw", "frau"}
_MALE = {"m", "mr", "monsieur", "mister", "herr"}
_NEEDS = {"letter": ("address",), "visit": ("address",), "event": ("address",), "email": ("email",),
          "phone": ("phone",), "sms": ("phone",)}  # fmt: skip


@dataclass
class MailingLists:
    """Per segment code the customers to write to (`lists`), and the selected customers the channel cannot
    reach (`missing`, with the reason)."""

    lists: dict[str, pd.DataFrame]
    missing: pd.DataFrame
    report: list[str] = field(default_factory=list)
    classification: str = "rfm_segment"

    def frame(self) -> pd.DataFrame:
        """Every list in one frame (one sheet), in segment order."""
        if not self.lists:
            return self.missing.iloc[0:0].drop(columns=["missing_contact"], errors="ignore")
        return pd.concat(list(self.lists.values()), ignore_index=True)

    def write_csv(self, folder: str | Path, *, prefix: str = "mailing", sep: str = ",") -> list[Path]:
        """One CSV per segment plus one of the customers without contact data; each written atomically."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for code, frame in self.lists.items():
            path = folder / f"{prefix}_{self.classification}_{_safe(code)}.csv"
            write_csv(frame, path, sep=sep)
            written.append(path)
        if not self.missing.empty:
            path = folder / f"{prefix}_{self.classification}_missing_contact.csv"
            write_csv(self.missing, path, sep=sep)
            written.append(path)
        return written


def _safe(code: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", str(code)) or "segment"


def write_csv(frame: pd.DataFrame, path: str | Path, *, sep: str = ",") -> Path:
    """Write `frame` as UTF-8 CSV (with BOM, so Excel reads accents) via a temporary file and os.replace:
    a reader never sees a half-written file and a failure leaves the old file in place."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as handle:
            frame.to_csv(handle, index=False, sep=sep, date_format="%Y-%m-%d")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _text_col(frame: pd.DataFrame, column: str) -> pd.Series:
    """A contact column as stripped text, '' when absent or missing."""
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    col = frame[column]
    return col.astype(object).where(col.notna(), "").astype(str).str.strip()


def salutations(frame: pd.DataFrame, lang: str = "en") -> pd.Series:
    """The opening of a letter per customer: 'Chère Madame Dupont' / 'Dear Mrs Dupont' when the civility and
    last name are known, else 'Bonjour Marie' / 'Dear Marie' from the first name, else the full name, else a
    plain 'Bonjour' / 'Hello' (never 'Madame, Monsieur')."""
    lang = check_lang(lang)
    index = frame.index
    civ_raw = _text_col(frame, "civility")
    if "civility" not in frame.columns and "title" in frame.columns:
        civ_raw = _text_col(frame, "title")
    civ = civ_raw.str.lower().str.replace(".", "", regex=False).str.strip()
    last = _text_col(frame, "last_name")
    first = _text_col(frame, "first_name")
    name = _text_col(frame, "name")
    has_last = last != ""
    female = civ.isin(_FEMALE) & has_last
    male = civ.isin(_MALE) & has_last
    choices = [
        (female, fill("actions.salutation.f", lang, index, last_name=last)),
        (male, fill("actions.salutation.m", lang, index, last_name=last)),
        (first != "", fill("actions.salutation.first_name", lang, index, first_name=first)),
        (name != "", fill("actions.salutation.name", lang, index, name=name)),
    ]
    out = pd.Series(label("actions.salutation.none", lang), index=index, dtype=object)
    for mask, value in reversed(choices):
        out = value.where(mask, out)
    return out


def _reachable(frame: pd.DataFrame, channel: pd.Series) -> pd.Series:
    """Whether each customer can be reached on their channel ('' = any of address, e-mail, phone)."""
    address = _text_col(frame, "address") != ""
    email = _text_col(frame, "email").str.contains("@", regex=False)
    phone = _text_col(frame, "phone").str.replace(r"\D", "", regex=True).str.len() >= 6
    have = {"address": address, "email": email, "phone": phone}
    anything = address | email | phone
    out = anything.copy()
    for chan, needs in _NEEDS.items():
        mask = channel == chan
        if mask.any():
            out = out.where(~mask, have[needs[0]])
    return out


def mailing_lists(
    segmented: pd.DataFrame,
    classification: str = "rfm_segment",
    segments: Iterable[str] | None = None,
    *,
    where: pd.Series | np.ndarray | Callable[[pd.DataFrame], pd.Series] | None = None,
    channel: str | None = None,
    plan: ActionPlan | None = None,
    lang: str = "en",
) -> MailingLists:
    """Mail-merge lists of the customers of `segments` (default: every segment present) of `classification`.

    `where` narrows the selection further (a boolean Series aligned on the customers, or a function of the
    frame). `channel` ('letter', 'email', 'phone', 'sms', ...) decides which contact data is required; without
    it the channel planned for each customer in `plan` is used, else any address, e-mail or phone will do.
    Customers selected but not reachable go to `missing` with the reason, never silently dropped.
    """
    lang = check_lang(lang)
    frame = customer_frame(segmented)
    if classification not in frame.columns:
        raise LedgerError(
            f"no {classification!r} segment column in the segmented customers", column=classification
        )
    if channel is not None and channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}; use one of {', '.join(CHANNELS)} or None")
    codes = frame[classification].astype(object)
    has_code = codes.notna()
    code_text = codes.astype(str).where(has_code, "")
    selected = has_code.copy()
    present_codes = set(code_text[has_code])
    if segments is not None:
        wanted = list(dict.fromkeys(str(s) for s in ([segments] if isinstance(segments, str) else segments)))
        selected &= code_text.isin(wanted)
    else:
        wanted = list(dict.fromkeys(code_text[has_code]))
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

    # from here on only the selected customers are handled
    sub = frame[selected.to_numpy()]
    sub_codes = code_text[selected.to_numpy()]
    if channel is not None:
        chan = pd.Series(channel, index=sub.index, dtype=object)
    elif plan is not None:
        chan = plan.customers["channel"].reindex(sub.index).fillna("").astype(object)
    else:
        chan = pd.Series("", index=sub.index, dtype=object)
    reachable = _reachable(sub, chan)

    cols = {"customer_id": sub.index.to_series()}
    cols["segment"] = sub_codes
    cols["segment_label"] = sub_codes.map(segment_labels(classification, lang)).fillna(sub_codes)
    cols["salutation"] = salutations(sub, lang)
    for column in CONTACT_COLUMNS:
        if column in sub.columns:
            cols[column] = _text_col(sub, column)
    if channel is not None or plan is not None:
        cols["channel"] = chan
    if plan is not None:
        for column in ("next_action", "due_date", "offer"):
            cols[column] = plan.customers[column].reindex(sub.index)
    table = pd.DataFrame(cols, index=sub.index)

    ok = reachable.to_numpy()
    reached = table[ok]
    groups = dict(list(reached.groupby("segment", sort=False)))
    lists = {code: groups[code].reset_index(drop=True) for code in wanted if code in groups}
    by_channel = {c: label(f"actions.missing.{c}", lang) for c in _NEEDS}
    reasons = chan.map(by_channel).fillna(label("actions.missing.any", lang)).astype(object)
    missing = table[~ok].copy()
    missing["missing_contact"] = reasons[~ok]
    missing = missing.reset_index(drop=True)
    if len(missing):
        report.append(
            f"{len(missing)} selected customer(s) cannot be reached: no contact data for the channel"
        )
    generic = int((reached["salutation"] == label("actions.salutation.none", lang)).sum())
    if generic:
        report.append(f"{generic} customer(s) have no name on file: their letter opens with a plain greeting")
    return MailingLists(lists, missing, report, classification)
