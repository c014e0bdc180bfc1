"""A random control group per segment, held out of a mailing so its effect can be measured later.

Each customer gets a pseudo-random number from a hash of the seed and their customer id alone, and in each
segment the customers with the smallest numbers are held out (round(share x size) of them). So the choice
is reproducible, does not depend on row order, and a customer stays in (or out of) the control group when
the list is made again with a few customers more or less.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

HOLDOUT_SHARE = 0.10
HOLDOUT_SEED = 2024
SEGMENT_COLUMNS = ("segment", "rfm_segment", "segment_label")


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
    """`contacts` with a `held_out` column: True for a random `share` of each segment, not to be contacted.

    `contacts` is a frame with customer_id (column or index) and a segment column (`by`, default the first of
    segment, rfm_segment, segment_label), or the MailingLists of `mailing_lists` (one list per segment): the
    same type comes back, the input unchanged.
    """
    from xlsegment.actions.mailing import MailingLists

    if isinstance(contacts, MailingLists):
        lists = {code: hold_out(frame, share, seed, by) for code, frame in contacts.lists.items()}
        return dataclasses.replace(contacts, lists=lists)
    if not isinstance(contacts, pd.DataFrame):
        raise TypeError(f"hold_out takes a DataFrame or MailingLists, not {type(contacts).__name__}")
    out = contacts.copy()
    groups = out[segment_column(out, by)].astype("object").fillna("").to_numpy(dtype=object)
    out["held_out"] = held_out_mask(customer_ids(out), groups, share, seed)
    return out
