"""Segment migration: where each customer of `start` stands at `end`, as a matrix and as sentences.

Both dates are segmented by the ordinary pipeline (`summarize(as_of=...)` then `segment`), so the segments
of the migration are exactly those a workbook built at each date shows. Customers not yet known at `start`
come from the row NEW; customers of `start` missing from the summary at `end` (their purchases all returned)
go to the column GONE: every customer of either date is counted once, so the rows add up to the customers of
`start` (plus the new ones) and the columns to the customers of `end` (plus the gone ones).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from xlsegment.labels import check_lang, label
from xlsegment.overtime.text import ago_text, count_text, fill, money_text
from xlsegment.summary import DEFAULT_TIME_UNIT

NEW = "_new"  # row: not yet a customer at `start`
GONE = "_gone"  # column: no longer in the summary at `end`
SEGMENT_CODE_COLUMNS = (
    "rfm_segment",
    "lifecycle",
    "abc",
    "pareto",
    "buyer_status",
    "behaviour",
    "customer_type",
)
CONTACT_SHOWN = ("name", "first_name", "last_name", "phone", "email")
DAYS_PER_YEAR = 365.25


@lru_cache(maxsize=1)
def _rank_table() -> dict[str, dict[str, tuple[int, bool]]]:
    table: dict[str, dict[str, tuple[int, bool]]] = {}
    path = resources.files("xlsegment") / "rules" / "segment_rank.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            rank = int(row["rank"])
            best = row["best"].strip().lower() in ("yes", "oui", "true", "1")
            table.setdefault(row["classification"], {})[row["code"]] = (rank, best)
    return table


def segment_rank(by: str) -> dict[str, tuple[int, bool]]:
    """Per code of classification `by`: (rank, best), 1 = most valuable, from rules/segment_rank.csv."""
    return dict(_rank_table().get(by, {}))


def segment_at(
    transactions: pd.DataFrame,
    as_of: object,
    by: str = "rfm_segment",
    config: Any = None,
    lang: str = "en",
    time_unit: str = DEFAULT_TIME_UNIT,
) -> pd.DataFrame:
    """The segmented customer summary at `as_of`, computing only the classification `by` (and its needs)."""
    from xlsegment.segments import segment
    from xlsegment.summary import summarize

    if by not in SEGMENT_CODE_COLUMNS:
        raise ValueError(
            f"migration follows a segment column; choose among {', '.join(SEGMENT_CODE_COLUMNS)}"
        )
    summary = summarize(transactions, as_of=as_of, time_unit=time_unit)
    return segment(summary, config, lang=lang, classifications=[by])


def annual_revenue(summary: pd.DataFrame) -> pd.Series:
    """Revenue per year of each customer's relationship up to the summary's date (CA annuel): revenue x 365.25
    / days known, the days floored at one year so a recent first order is not extrapolated. A customer who
    stopped buying keeps the yearly value they brought, which is what their move puts at stake."""
    as_of = pd.Timestamp(summary.attrs["as_of"])
    days = (as_of - pd.to_datetime(summary["first_purchase"])).dt.days.to_numpy(dtype=float) + 1.0
    years = np.maximum(days, DAYS_PER_YEAR) / DAYS_PER_YEAR
    return pd.Series(summary["revenue"].to_numpy(dtype=float) / years, index=summary.index)


@dataclass
class Migration:
    """Customers (and their annual revenue) moving between the segments of `by` from `start` to `end`.

    customers: one row per customer of either date (`from`, `to` codes and labels, annual revenue at each
        date, `direction` up / down / same / new / gone); matrix: customer counts (rows: segment at start,
        NEW last; columns: segment at end, GONE last); revenue_start / revenue_end: the same matrix of annual
        revenue at each date (`annual_revenue`); movers: customers who left the best segments for a lower
        one, most annual revenue at `start` first (the customers to call first); labels: code -> label of every row and column.
    """

    start: pd.Timestamp
    end: pd.Timestamp
    by: str
    lang: str
    customers: pd.DataFrame
    matrix: pd.DataFrame
    revenue_start: pd.DataFrame
    revenue_end: pd.DataFrame
    movers: pd.DataFrame
    labels: dict[str, str]

    def flows(self) -> pd.DataFrame:
        """One row per (from, to) pair with customers: labels, counts and annual revenue at both dates."""
        groups = self.customers.groupby(["from", "to"], observed=True, sort=False)
        out = groups.agg(
            customers=("direction", "size"),
            revenue_start=("revenue_start", "sum"),
            revenue_end=("revenue_end", "sum"),
            direction=("direction", "first"),
        ).reset_index()
        out.insert(1, "from_label", out["from"].map(self.labels))
        out.insert(3, "to_label", out["to"].map(self.labels))
        return out

    def labelled_matrix(self, which: str = "customers") -> pd.DataFrame:
        """The customer (or `revenue_start` / `revenue_end`) matrix with labels instead of codes."""
        frame = {
            "customers": self.matrix,
            "revenue_start": self.revenue_start,
            "revenue_end": self.revenue_end,
        }[which]
        out = frame.rename(index=self.labels, columns=self.labels)
        ago = ago_text(self.start, self.end, self.lang)
        out.index.name = fill("overtime.col.from", self.lang, ago=ago)
        out.columns.name = label("overtime.col.to", self.lang)
        return out

    def sentences(self, n: int = 5, currency: str | None = None) -> list[str]:
        """The `n` biggest changes in words, most annual revenue first (down moves before others of equal
        value): '38 Champions d'il y a 3 mois sont devenus À risque : 12 400 EUR de CA annuel'."""
        lang = self.lang
        flows = self.flows()
        flows = flows[flows["direction"] != "same"].copy()
        # what a flow is worth: the annual revenue it carried at start (at end for new customers)
        flows["value"] = np.where(flows["direction"] == "new", flows["revenue_end"], flows["revenue_start"])
        flows["down"] = flows["direction"].isin(["down", "gone"])
        flows = flows.sort_values(["value", "down", "customers"], ascending=False, kind="mergesort").head(n)
        ago = ago_text(self.start, self.end, lang)
        out = []
        for row in flows.itertuples(index=False):
            kind = "new" if row.direction == "new" else "gone" if row.direction == "gone" else "move"
            key = f"overtime.flow.{kind}.{'one' if row.customers == 1 else 'many'}"
            out.append(
                fill(
                    key,
                    lang,
                    n=count_text(row.customers, lang),
                    source=self.labels.get(row[0], row[0]),
                    target=self.labels.get(row.to, row.to),
                    ago=ago,
                    amount=money_text(row.value, lang, currency),
                )
            )
        return out

    def summary_sentence(self) -> str:
        """One line: how many customers moved up, down, stayed, arrived and left."""
        lang = self.lang
        counts = self.customers["direction"].value_counts()
        return fill(
            "overtime.migration.summary",
            lang,
            ago=ago_text(self.start, self.end, lang),
            up=int(counts.get("up", 0)),
            down=int(counts.get("down", 0)),
            same=int(counts.get("same", 0)),
            new=int(counts.get("new", 0)),
            gone=int(counts.get("gone", 0)),
        )


def _special_label(code: str, lang: str) -> str | None:
    if code == NEW:
        return label("overtime.row.new", lang)
    if code == GONE:
        return label("overtime.col.gone", lang)
    return None


def _codes(segmented: pd.DataFrame, by: str) -> tuple[pd.Series, dict[str, str]]:
    """The segment codes as text and code -> label from a segmented frame (its own, maybe custom, labels)."""
    codes = segmented[by].astype("object").astype(str)
    label_col = f"{by}_label"
    labels = {}
    if label_col in segmented.columns:
        pairs = pd.DataFrame({"c": codes, "l": segmented[label_col].astype("object")}).drop_duplicates("c")
        labels = dict(zip(pairs["c"], pairs["l"].astype(str), strict=True))
    return codes, labels


def migration(
    transactions: pd.DataFrame,
    start: object,
    end: object = None,
    by: str = "rfm_segment",
    *,
    config: Any = None,
    lang: str = "en",
    time_unit: str = DEFAULT_TIME_UNIT,
    best: Mapping[str, bool] | None = None,
) -> Migration:
    """Segment the customers at `start` and at `end` (default: the ledger's last date) and follow each one.

    `transactions` is what `read_transactions` returns; `config` the segmentation settings (SegmentConfig or
    dict), the same at both dates. `best` overrides which codes count as best segments (default:
    rules/segment_rank.csv); a mover is a customer of a best segment at `start` who is in a lower-ranked
    segment that is not a best one at `end`, or gone.
    """
    lang = check_lang(lang)
    end_ts = (
        pd.Timestamp(transactions["date"].max()).normalize() if end is None else pd.Timestamp(end).normalize()
    )
    start_ts = pd.Timestamp(start).normalize()
    if start_ts >= end_ts:
        raise ValueError(f"start {start_ts.date()} must be before end {end_ts.date()}")
    before = segment_at(transactions, start_ts, by, config, lang, time_unit)
    after = segment_at(transactions, end_ts, by, config, lang, time_unit)
    code_from, labels_from = _codes(before, by)
    code_to, labels_to = _codes(after, by)
    labels = {**labels_from, **labels_to, NEW: _special_label(NEW, lang), GONE: _special_label(GONE, lang)}

    # every customer of either date; segments as small integer codes over one list of segment codes
    ids = after.index if after.index.is_unique and before.index.isin(after.index).all() else None
    ids = before.index.union(after.index) if ids is None else ids
    pos_before, pos_after = before.index.get_indexer(ids), after.index.get_indexer(ids)
    categories = list(after[by].cat.categories) if isinstance(after[by].dtype, pd.CategoricalDtype) else []
    segments = list(dict.fromkeys([*categories, *code_from.unique(), *code_to.unique()]))
    codes = [*segments, NEW, GONE]
    new_code, gone_code = len(segments), len(segments) + 1
    source = _code_numbers(code_from, codes, pos_before, new_code)
    target = _code_numbers(code_to, codes, pos_after, gone_code)

    ranks = segment_rank(by)
    best_of = dict(best) if best is not None else {code: flag for code, (_, flag) in ranks.items()}
    rank = np.array([ranks.get(c, (-1, False))[0] for c in codes])
    is_best = np.array([bool(best_of.get(c, False)) for c in codes])
    direction = _directions(source, target, rank, new_code, gone_code)

    frame = pd.DataFrame(index=pd.Index(ids, name="customer_id"))
    frame["from"] = pd.Categorical.from_codes(source, categories=codes)
    frame["to"] = pd.Categorical.from_codes(target, categories=codes)
    frame["from_label"] = pd.Categorical.from_codes(source, categories=_labels_of(codes, labels))
    frame["to_label"] = pd.Categorical.from_codes(target, categories=_labels_of(codes, labels))
    frame["revenue_start"] = _taken(annual_revenue(before).to_numpy(), pos_before)
    frame["revenue_end"] = _taken(annual_revenue(after).to_numpy(), pos_after)
    frame["revenue_between"] = _taken(after["revenue"].to_numpy(dtype=float), pos_after) - _taken(
        before["revenue"].to_numpy(dtype=float), pos_before
    )
    frame["last_purchase"] = after["last_purchase"].to_numpy()[pos_after]  # every customer is known at end
    frame["direction"] = direction

    rows = [codes[i] for i in np.flatnonzero(np.bincount(source, minlength=len(codes))) if i != new_code]
    cols = [codes[i] for i in np.flatnonzero(np.bincount(target, minlength=len(codes))) if i != gone_code]
    matrix = _pivot(source, target, None, codes, rows + [NEW], cols + [GONE]).astype(np.int64)
    revenue_start = _pivot(
        source, target, frame["revenue_start"].to_numpy(), codes, rows + [NEW], cols + [GONE]
    )
    revenue_end = _pivot(source, target, frame["revenue_end"].to_numpy(), codes, rows + [NEW], cols + [GONE])

    moved_down = (direction == "down") | (direction == "gone")
    movers = frame.loc[is_best[source] & ~is_best[target] & moved_down].copy()
    for column in CONTACT_SHOWN:
        if column in after.columns:
            movers[column] = after[column].reindex(movers.index).to_numpy(dtype=object)
    movers = movers.sort_values(["revenue_start", "last_purchase"], ascending=[False, True], kind="mergesort")
    return Migration(start_ts, end_ts, by, lang, frame, matrix, revenue_start, revenue_end, movers, labels)


def _code_numbers(codes: pd.Series, names: list[str], positions: np.ndarray, missing: int) -> np.ndarray:
    """Per customer (rows at `positions`, -1 = absent) the number of its segment code in `names`."""
    number_of = {name: i for i, name in enumerate(names)}
    cat = codes.astype("category")
    lookup = np.array([number_of[str(c)] for c in cat.cat.categories] + [missing], dtype=np.int64)
    per_row = lookup[cat.cat.codes.to_numpy()]
    return np.where(positions >= 0, per_row[positions], missing)


def _taken(values: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """values[positions] with 0 where the customer is absent (-1)."""
    return np.where(positions >= 0, np.asarray(values, dtype=float)[positions], 0.0)


def _labels_of(codes: list[str], labels: Mapping[str, str]) -> list[str]:
    out = [labels.get(c, c) for c in codes]
    return [
        f"{text} ({code})" if out.count(text) > 1 else text for text, code in zip(out, codes, strict=True)
    ]


def _directions(source: np.ndarray, target: np.ndarray, rank: np.ndarray, new: int, gone: int) -> np.ndarray:
    """'new', 'gone', 'same', 'up' or 'down' per customer; codes without a rank move 'across' (no order)."""
    r_from, r_to = rank[source], rank[target]
    ranked = (r_from > 0) & (r_to > 0)
    return np.select(
        [source == new, target == gone, source == target, ranked & (r_to < r_from), ranked & (r_to > r_from)],
        ["new", "gone", "same", "up", "down"],
        "across",
    ).astype(object)


def _pivot(
    source: np.ndarray,
    target: np.ndarray,
    weights: np.ndarray | None,
    codes: list[str],
    rows: list[str],
    cols: list[str],
) -> pd.DataFrame:
    """Customers (or the sum of `weights`) per (from, to) pair, laid out on `rows` x `cols`."""
    k = len(codes)
    cells = np.bincount(source * k + target, weights=weights, minlength=k * k).reshape(k, k)
    full = pd.DataFrame(cells, index=codes, columns=codes)
    table = full.loc[rows, cols]
    table.index.name, table.columns.name = "from", "to"
    return table
