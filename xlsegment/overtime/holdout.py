"""A random control group per segment, held out of a mailing so its effect can be measured later.

Each customer gets a pseudo-random number from a hash of the seed and their customer id alone, and in each
segment the customers with the smallest numbers are held out (round(share x size) of them). So the choice
is reproducible, does not depend on row order, and a customer stays in (or out of) the control group when
the list is made again with a few customers more or less.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from xlsegment.actions.contact_plan import HELD_OUT, held_out_flags, planned_mask
from xlsegment.labels import label
from xlsegment.overtime.text import count_text, fill

HOLDOUT_SHARE = 0.10
HOLDOUT_SEED = 2024
SEGMENT_COLUMNS = ("segment", "rfm_segment", "segment_label")
CONTROL_GROUP_SETTINGS = ("hold_out", "hold_out_seed")  # keys of the actions settings


def _hash_key(seed: int) -> str:
    return f"xls{int(seed):013d}"[-16:]


def held_out_mask(
    customer_ids: np.ndarray, groups: np.ndarray, share: float = HOLDOUT_SHARE, seed: int = HOLDOUT_SEED
) -> np.ndarray:
    """True for the customers held out: in each group, the round(share x size) with the smallest hash."""
    if not 0 <= share < 1:
        raise ValueError(f"the held-out share must be between 0 and 1 (e.g. 0.1 for 10 %), got {share!r}")
    ids = np.asarray(customer_ids, dtype=object).astype(str).astype(object)
    draw = pd.util.hash_array(ids, hash_key=_hash_key(seed))
    group_codes, _ = pd.factorize(np.asarray(groups, dtype=object), use_na_sentinel=False)
    order = np.lexsort((ids, draw, group_codes))  # by group, then hash (ties by id)
    sorted_groups = group_codes[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_groups)) + 1]
    sizes = np.diff(np.r_[starts, len(order)])
    position = np.arange(len(order)) - np.repeat(starts, sizes)
    quota = np.floor(share * sizes + 0.5).astype(np.int64)
    out = np.zeros(len(ids), dtype=bool)
    out[order] = position < np.repeat(quota, sizes)
    return out


def segment_column(frame: pd.DataFrame, by: str | None) -> str:
    """`by`, or the first segment column the frame has."""
    if by is not None:
        if by not in frame.columns:
            raise KeyError(f"no column {by!r} to group the control group by")
        return by
    for column in SEGMENT_COLUMNS:
        if column in frame.columns:
            return column
    raise KeyError(f"no segment column ({', '.join(SEGMENT_COLUMNS)}) to draw a control group per segment")


def customer_ids(frame: pd.DataFrame) -> np.ndarray:
    """The customer ids of a contact list: its customer_id column, else its index."""
    if "customer_id" in frame.columns:
        return frame["customer_id"].to_numpy(dtype=object)
    return frame.index.to_numpy(dtype=object)


def hold_out(contacts, share: float = HOLDOUT_SHARE, seed: int = HOLDOUT_SEED, by: str | None = None):
    """A random `share` of each segment held out as the control group, not to be contacted.

    `contacts` is a frame with customer_id (column or index) and a segment column (`by`, default the first of
    segment, rfm_segment, segment_label): it comes back with a `held_out` column (True: held out). Or the
    MailingLists of `mailing_lists` (one list per segment): they come back without the held-out customers,
    who are in their `held_out` frame (on no list; `campaign_file` records both). The input is unchanged.
    """
    from xlsegment.actions.mailing import MailingLists

    if isinstance(contacts, MailingLists):
        return _hold_out_of_lists(contacts, share, seed, by)
    if not isinstance(contacts, pd.DataFrame):
        raise TypeError(f"hold_out takes a DataFrame or MailingLists, not {type(contacts).__name__}")
    out = contacts.copy()
    out[HELD_OUT] = control_group(out, segment_column(out, by), share, seed).to_numpy()
    return out


def _hold_out_of_lists(lists, share: float, seed: int, by: str | None):
    """MailingLists without the customers drawn into the control group, who join its `held_out` frame."""
    kept, held = {}, [] if lists.held_out is None else [lists.held_out]
    for code, frame in lists.lists.items():
        mask = control_group(frame, segment_column(frame, by), share, seed).to_numpy()
        held.append(frame[mask])
        if (~mask).any():
            kept[code] = frame[~mask].reset_index(drop=True)
    held_out = pd.concat(held, ignore_index=True) if held else None
    return dataclasses.replace(lists, lists=kept, held_out=held_out)


# ---------------------------------------------------------------- the control group of an analysis


def control_group_options(options: Mapping[str, Any]) -> tuple[dict[str, Any], float | None, int]:
    """The actions settings split: plan_actions' own options, then the control group's share of each segment
    (`actions.hold_out`, None or 0 for none) and seed (`actions.hold_out_seed`)."""
    rest = {k: v for k, v in options.items() if k not in CONTROL_GROUP_SETTINGS}
    share = options.get("hold_out")
    share = float(share) if share not in (None, "") and float(share) > 0 else None
    if share is not None and not 0 < share < 1:
        raise ValueError(f"the held-out share must be between 0 and 1 (e.g. 0.1 for 10 %), got {share!r}")
    return rest, share, int(options.get("hold_out_seed", HOLDOUT_SEED))


def control_group(
    customers: pd.DataFrame, classification: str, share: float = HOLDOUT_SHARE, seed: int = HOLDOUT_SEED
) -> pd.Series:
    """True for the customers held out: in each segment of `classification`, round(share x size) of them
    (drawn as `hold_out` draws). `analyze` draws it before the contact plan, which then leaves them out."""
    groups = customers[classification].astype("object").fillna("").to_numpy(dtype=object)
    mask = held_out_mask(customer_ids(customers), groups, share, seed)
    return pd.Series(mask, index=customers.index, name=HELD_OUT)


def mark_held_out(customers: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """After the plan: only customers with a next action stay held out, and their next action reads
    "Control group: do not contact" (the Customers sheet must not send anyone to call them)."""
    held = held_out_flags(customers) & planned_mask(customers).to_numpy()
    out = customers.assign(**{HELD_OUT: held})
    out.loc[held, "next_action"] = label("overtime.held_out.mark", lang)
    return out


def plan_note(plan: pd.DataFrame | None, lang: str = "en") -> str:
    """The sentence saying how many customers of each segment the contact plan holds out ('' when none)."""
    counts = {} if plan is None else plan.attrs.get(HELD_OUT, {})
    if not counts:
        return ""
    parts = ", ".join(f"{name} {count_text(n, lang)}" for name, n in counts.items())
    return fill("overtime.held_out.plan", lang, n=count_text(sum(counts.values()), lang), segments=parts)
