"""Which channels can reach each customer, from the contact data the ledger carries.

A letter (and a visit or an event invitation) needs a postal address, an e-mail an address with an '@', a
call or a text message a phone number with at least six digits. The contact plan and the mailing lists both
ask this module, so "reachable" means the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from xlsegment.actions._text import as_text

# what each channel needs: one of the contact kinds below
NEEDS = {"letter": "address", "visit": "address", "event": "address", "email": "email", "phone": "phone",
         "sms": "phone"}  # fmt: skip
# the ledger columns that hold each kind of contact data
KIND_COLUMNS = {"address": ("address",), "email": ("email",), "phone": ("phone",)}
MIN_PHONE_DIGITS = 6
COLLECT = "collect_contact"  # the plan's action when no channel of the playbook reaches the customer


def text_column(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A contact column as stripped text (object array), '' when absent or missing; each distinct value is
    stripped once."""
    if column not in frame.columns:
        return np.full(len(frame), "", dtype=object)
    values = as_text(frame[column].to_numpy(dtype=object), len(frame))
    codes, uniques = pd.factorize(values)
    stripped = np.array([u.strip() for u in uniques] + [""], dtype=object)
    return stripped[codes]


class Contacts(dict):
    """Contact columns of one frame as stripped text, each read once on first use."""

    def __init__(self, frame: pd.DataFrame) -> None:
        super().__init__()
        self.frame = frame

    def __missing__(self, column: str) -> np.ndarray:
        self[column] = text_column(self.frame, column)
        return self[column]


def per_value(values: np.ndarray, test: Callable[[str], bool]) -> np.ndarray:
    """`test` applied once per distinct value, as a boolean array."""
    codes, uniques = pd.factorize(values)
    results = np.array([bool(test(u)) for u in uniques] + [False], dtype=bool)
    return results[codes]


def has_contact_data(frame: pd.DataFrame) -> bool:
    """Whether the frame carries any contact column at all (address, e-mail or phone)."""
    return any(c in frame.columns for cols in KIND_COLUMNS.values() for c in cols)


def usable(contacts: Contacts) -> dict[str, np.ndarray]:
    """Per contact kind ('address', 'email', 'phone') whether each customer has usable data of that kind."""
    return {
        "address": contacts["address"] != "",
        "email": per_value(contacts["email"], lambda v: "@" in v),
        "phone": per_value(contacts["phone"], lambda v: sum(ch.isdigit() for ch in v) >= MIN_PHONE_DIGITS),
    }


def reachable(contacts: Contacts, channel: np.ndarray) -> np.ndarray:
    """Whether each customer can be reached on their channel ('' = any of address, e-mail, phone;
    never on collect_contact, the plan's word for "we lack their details")."""
    have = usable(contacts)
    out = have["address"] | have["email"] | have["phone"]
    for chan, kind in NEEDS.items():
        mask = channel == chan
        if mask.any():
            out = np.where(mask, have[kind], out)
    return (out & (channel != COLLECT)).astype(bool)


def contact_detail(contacts: Contacts, channel: np.ndarray) -> np.ndarray:
    """The contact used on each customer's channel: the e-mail, the phone number or the postal address
    (address, postcode and city on one line); '' for other channels."""
    n = len(channel)
    address = contacts["address"]
    town = _join(contacts["postcode"], contacts["city"], " ")
    postal = _join(address, town, ", ")
    detail = {"address": postal, "email": contacts["email"], "phone": contacts["phone"]}
    out = np.full(n, "", dtype=object)
    for chan, kind in NEEDS.items():
        mask = channel == chan
        if mask.any():
            out[mask] = detail[kind][mask]
    return out


def _join(left: np.ndarray, right: np.ndarray, sep: str) -> np.ndarray:
    both = (left != "") & (right != "")
    return np.where(both, left + sep + right, left + right).astype(object)
