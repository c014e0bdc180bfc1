"""Cohorts: customers grouped by the month (or quarter, or year) of their first purchase, followed over time.

For each cohort and each later calendar period (0 = the period of the first purchase) the table gives the
share of the cohort that bought again (a purchase occasion, counted as the summary counts orders) and the
revenue per customer of the cohort (every ledger line, returns included, as the summary's revenue). The
yearly retention measured here gives the expected lifetime of the simple CLV (`yearly_retention`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from xlsegment.labels import check_lang, label
from xlsegment.overtime.text import count_text, fill, money_text, number_text, percent_text
from xlsegment.summary import factorize_sorted

PERIODS = {"M": 12, "Q": 4, "Y": 1}  # periods per year
DAYS_PER_YEAR = 365.25


def _check_by(by: str) -> str:
    norm = str(by).strip().upper()[:1]
    if norm not in PERIODS:
        raise ValueError(f"cohorts are by month 'M', quarter 'Q' or year 'Y' (got {by!r})")
    return norm


def period_index(days: np.ndarray, by: str) -> np.ndarray:
    """Calendar period number of each day (datetime64[D] as int): months, quarters or years since 1970."""
    months = np.asarray(days, dtype="datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return months // (12 // PERIODS[by])


def period_start(index: np.ndarray | int, by: str) -> pd.DatetimeIndex:
    """First day of each period number of `period_index`."""
    months = np.asarray(index, dtype=np.int64) * (12 // PERIODS[by])
    return pd.DatetimeIndex(months.astype("datetime64[M]").astype("datetime64[ns]"))


def period_name(index: np.ndarray, by: str) -> list[str]:
    """Readable period names: 2024-01, 2024-Q1 or 2024."""
    starts = period_start(index, by)
    if by == "M":
        return [f"{d.year}-{d.month:02d}" for d in starts]
    if by == "Q":
        return [f"{d.year}-Q{(d.month - 1) // 3 + 1}" for d in starts]
    return [str(d.year) for d in starts]


def period_labels(by: str, n: int, lang: str) -> list[str]:
    """Column headers of `n` periods since the first purchase: M0, M+1, ... (T0, T+1 for quarters in French)."""
    short = label(f"overtime.period_short.{by}", lang)
    return [f"{short}{k}" if k == 0 else f"{short}+{k}" for k in range(n)]


def cohort_label(name: str, lang: str) -> str:
    """A cohort's name as the reader writes it: 2024-Q1 is 2024-T1 in French."""
    return name.replace("-Q", f"-{label('overtime.period_short.Q', lang)}")


def _occasions_and_lines(
    transactions: pd.DataFrame, as_of: object
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Timestamp]:
    """Purchase occasions (the summary's rule) and the ledger lines, both up to `as_of` included."""
    from xlsegment.summary import purchase_occasions

    dates = pd.to_datetime(transactions["date"])
    as_of_ts = (dates.max() if as_of is None else pd.Timestamp(as_of)).normalize()
    keep = (dates < as_of_ts + pd.Timedelta(days=1)).to_numpy()
    lines = transactions if keep.all() else transactions.loc[keep]
    if lines.empty:
        raise ValueError(f"no transaction on or before {as_of_ts.date()}")
    return purchase_occasions(lines), lines, as_of_ts


@dataclass
class Cohorts:
    """The cohort table (`table`, one row per cohort and period) and its triangles.

    table columns: cohort (name), cohort_start, period (0 = first-purchase period), customers (cohort size),
    active (customers with a purchase in the period), retention (active / customers), revenue,
    revenue_per_customer, cumulative_revenue_per_customer, complete (the period ended by `as_of`).
    """

    by: str
    as_of: pd.Timestamp
    table: pd.DataFrame

    def triangle(self, value: str = "retention") -> pd.DataFrame:
        """Cohorts in rows (oldest first), periods since the first purchase in columns."""
        out = self.table.pivot(index="cohort", columns="period", values=value)
        return out.reindex(self.table["cohort"].drop_duplicates())

    @property
    def retention(self) -> pd.DataFrame:
        """Share of each cohort buying in each later period (the retention triangle)."""
        return self.triangle("retention")

    @property
    def revenue_per_customer(self) -> pd.DataFrame:
        """Revenue per customer of each cohort in each later period."""
        return self.triangle("revenue_per_customer")

    def curve(self) -> pd.DataFrame:
        """Retention and revenue per customer per period since first purchase, all cohorts pooled (weighted by
        cohort size) over complete periods only: the typical customer's path."""
        done = self.table[self.table["complete"]]
        pooled = done.groupby("period").agg(
            customers=("customers", "sum"), active=("active", "sum"), revenue=("revenue", "sum")
        )
        pooled["retention"] = pooled["active"] / pooled["customers"]
        pooled["revenue_per_customer"] = pooled["revenue"] / pooled["customers"]
        return pooled

    def sentences(self, lang: str = "en", currency: str | None = None) -> list[str]:
        """The pooled retention after one period and after one year, in words."""
        lang = check_lang(lang)
        curve = self.curve()
        out = []
        unit = fill(f"overtime.period.{self.by}", lang)
        if 1 in curve.index:
            out.append(
                fill(
                    "overtime.cohorts.next_period",
                    lang,
                    share=percent_text(curve.loc[1, "retention"], lang),
                    unit=unit,
                    cohorts=count_text(curve.loc[1, "customers"], lang),
                )
            )
        year = PERIODS[self.by]
        if self.by != "Y" and year in curve.index:
            out.append(
                fill(
                    "overtime.cohorts.after_year",
                    lang,
                    share=percent_text(curve.loc[year, "retention"], lang),
                    unit=unit,
                    grain=label(f"overtime.grain.{self.by}", lang),
                    amount=money_text(curve.loc[year, "revenue_per_customer"], lang, currency, 2),
                )
            )
        return out


def cohorts(transactions: pd.DataFrame, by: str = "M", as_of: object = None) -> Cohorts:
    """Customers by `by` ('M' month, 'Q' quarter, 'Y' year) of first purchase, with, for each later period,
    the share still buying and the revenue per customer, up to `as_of` (default: the ledger's last date)."""
    by = _check_by(by)
    occasions, lines, as_of_ts = _occasions_and_lines(transactions, as_of)
    if occasions.empty:
        raise ValueError("the ledger has no purchase to form cohorts")
    cust_codes, customers = occasions["customer_id"].factorize(sort=True)
    occ_period = period_index(occasions["day"].to_numpy(dtype="datetime64[D]"), by)
    first = np.full(len(customers), np.iinfo(np.int64).max)
    np.minimum.at(first, cust_codes, occ_period)

    last_period = int(period_index(np.array([as_of_ts.to_datetime64()]), by)[0])
    first_cohort = int(first.min())
    n_periods = last_period - first_cohort + 1
    cohort_of = first - first_cohort  # 0-based cohort number per customer
    size = np.bincount(cohort_of, minlength=n_periods)

    # active: distinct (customer, period) pairs (marked in a table: linear, no sort), per (cohort, offset)
    offset = occ_period - first[cust_codes]
    seen = np.zeros(len(customers) * n_periods, dtype=bool)
    seen[cust_codes.astype(np.int64) * n_periods + offset] = True
    pair_cust, pair_offset = np.divmod(np.flatnonzero(seen), n_periods)
    active = np.bincount(cohort_of[pair_cust] * n_periods + pair_offset, minlength=n_periods * n_periods)

    # revenue: every line of a cohort customer from the first-purchase period on
    # each line's customer: the ledger's own sorted codes, matched to the buyers once per distinct customer
    line_cust, line_names = factorize_sorted(lines["customer_id"])
    line_code = pd.Index(customers).get_indexer(pd.Index(line_names).astype(customers.dtype))[line_cust]
    line_period = period_index(pd.to_datetime(lines["date"]).to_numpy(dtype="datetime64[D]"), by)
    known = line_code >= 0
    line_offset = line_period[known] - first[line_code[known]]
    keep = line_offset >= 0
    cell = cohort_of[line_code[known][keep]] * n_periods + line_offset[keep]
    amount = pd.to_numeric(lines["amount"], errors="coerce").fillna(0.0).to_numpy(dtype=float)[known][keep]
    revenue = np.bincount(cell, weights=amount, minlength=n_periods * n_periods)

    cohort_idx, period = np.divmod(np.arange(n_periods * n_periods), n_periods)
    observed = (size[cohort_idx] > 0) & (cohort_idx + period <= n_periods - 1)
    cohort_idx, period = cohort_idx[observed], period[observed]
    cell = cohort_idx * n_periods + period
    abs_period = first_cohort + cohort_idx + period
    period_end = period_start(abs_period + 1, by) - pd.Timedelta(days=1)
    table = pd.DataFrame(
        {
            "cohort": period_name(first_cohort + cohort_idx, by),
            "cohort_start": period_start(first_cohort + cohort_idx, by),
            "period": period,
            "customers": size[cohort_idx],
            "active": active[cell],
            "revenue": revenue[cell],
            "complete": np.asarray(period_end <= as_of_ts),
        }
    )
    table.insert(5, "retention", table["active"] / table["customers"])
    table.insert(7, "revenue_per_customer", table["revenue"] / table["customers"])
    table.insert(
        8,
        "cumulative_revenue_per_customer",
        table.groupby("cohort", sort=False)["revenue_per_customer"].cumsum(),
    )
    return Cohorts(by, as_of_ts, table)


@dataclass
class Retention:
    """Yearly retention measured on the ledger: of the customers who bought in one year of their relationship
    (counted from their first purchase), the share who bought in the next year."""

    rate: float
    retained: int
    customer_years: int

    @property
    def lifetime_years(self) -> float:
        """Expected lifetime of a customer in years, 1 / (1 - rate) (a geometric lifetime)."""
        from xlsegment.clv.lifetime import lifetime_from_retention

        return float(lifetime_from_retention(self.rate))

    def text(self, lang: str = "en") -> str:
        """How the rate was measured, in words."""
        return fill(
            "overtime.retention.text",
            lang,
            rate=percent_text(self.rate, lang),
            retained=count_text(self.retained, lang),
            total=count_text(self.customer_years, lang),
            years=number_text(self.lifetime_years, lang, 1),
        )


def yearly_retention(transactions: pd.DataFrame, as_of: object = None) -> Retention:
    """Yearly retention for the simple CLV's lifetime, measured on every complete pair of relationship years.

    Year k of a customer runs from day 365.25 k to 365.25 (k + 1) after their first purchase. Each (customer,
    k) where the customer bought in year k and year k + 1 is over by `as_of` counts once in the denominator,
    and in the numerator when they also bought in year k + 1. Raises ValueError when no customer has a
    complete second year.
    """
    occasions, _, as_of_ts = _occasions_and_lines(transactions, as_of)
    cust, _ = pd.factorize(occasions["customer_id"].to_numpy(dtype=object))
    day = occasions["day"].to_numpy(dtype="datetime64[D]").astype(np.int64)
    first = np.full(cust.max() + 1, np.iinfo(np.int64).max)
    np.minimum.at(first, cust, day)
    as_of_day = np.datetime64(as_of_ts.date(), "D").astype(np.int64)
    complete_years = np.floor((as_of_day - first + 1) / DAYS_PER_YEAR).astype(np.int64)
    year = np.floor((day - first[cust]) / DAYS_PER_YEAR).astype(np.int64)
    width = int(complete_years.max()) + 2
    active = np.unique(cust.astype(np.int64) * width + year)
    a_cust, a_year = np.divmod(active, width)
    counted = a_year + 1 < complete_years[a_cust]  # year k + 1 is over
    total = int(counted.sum())
    if total == 0:
        raise ValueError("no customer has a complete year after a year of purchases: the ledger is too short")
    retained = int(np.isin(active[counted] + 1, active).sum())
    return Retention(retained / total, retained, total)
