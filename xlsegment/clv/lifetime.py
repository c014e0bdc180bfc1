"""The simple CLV's expected lifetime: measured on the cohorts when the ledger can show it, else derived from
the summary, and said in words (French or English) with what it was measured on.

Order of preference (`lifetime_basis`):
1. `cohorts`: the yearly retention r measured on the ledger's cohorts (`xlsegment.overtime.yearly_retention`:
   of the customer-years with a purchase whose next year is over, the share followed by a purchase the next
   year), when the transactions are given and at least MIN_CUSTOMER_YEARS customer-years are measured
   (this needs customers followed for two full years); lifetime = 1 / (1 - r), the mean of a geometric lifetime
   (Berger & Nasr 1998; Gupta & Lehmann 2003).
2. otherwise the rule the summary alone supports: `last_two_years` (share of the customers who bought in the
   12 months before the last 12 who bought again in the last 12, with two years of history), else `churn`
   (share of the customers known for over a year with no purchase in the last 12 months; lifetime = 1 / churn),
   else `default` (DEFAULT_LIFETIME_YEARS, with a warning).
The result is capped at the ledger's span (it cannot show customers staying longer; Fader & Hardie 2010,
Marketing Science 29(1), on extrapolating one retention rate) and at `max_years`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from xlsegment.clv._units import UNIT_DAYS, as_output, numeric_column, summary_unit
from xlsegment.labels import check_lang, label

DEFAULT_LIFETIME_YEARS = 3.0
MAX_LIFETIME_YEARS = 10.0
MIN_CUSTOMER_YEARS = 30  # fewer customer-years measured on the cohorts: too noisy, the summary's rule is used
METHODS = ("given", "cohorts", "last_two_years", "churn", "default")


@dataclass(frozen=True)
class LifetimeBasis:
    """The lifetime used by the simple CLV and how it was found.

    method: one of METHODS; years: the lifetime used (after the caps); measured_years: before the caps;
    rate: the yearly retention (cohorts, last_two_years) or churn (churn), NaN otherwise; count and base:
    the customer-years (cohorts) or customers behind the rate (retained or lost, out of base); history_years:
    the ledger's span; cap: '' (none), 'span' or 'max'; max_years: the cap asked for; cohorts: why the
    cohorts' measurement was not used ('' when it was, or when no transactions were given: 'too_short', no
    customer followed for two full years; 'too_few', fewer than MIN_CUSTOMER_YEARS) and cohorts_base, the
    customer-years it measured.
    """

    method: str
    years: float
    measured_years: float
    rate: float = math.nan
    count: int = 0
    base: int = 0
    history_years: float = 0.0
    cap: str = ""
    max_years: float = MAX_LIFETIME_YEARS
    cohorts: str = ""
    cohorts_base: int = 0

    def text(self, lang: str = "en") -> str:
        """Which lifetime the simple CLV uses and what it was measured on, in one or two sentences."""
        from xlsegment.overtime.text import count_text, number_text, percent_text

        lang = check_lang(lang)
        values = {
            "rate": percent_text(self.rate, lang) if not math.isnan(self.rate) else "",
            "count": count_text(self.count, lang),
            "base": count_text(self.base, lang),
            "history": number_text(self.history_years, lang, 1),
            "measured": number_text(self.measured_years, lang, 1)
            if math.isfinite(self.measured_years)
            else "∞",
            "years": number_text(self.years, lang, 1),
            "max": number_text(self.max_years, lang, 0),
            "default": number_text(self.measured_years, lang, 0 if self.measured_years.is_integer() else 1),
            "min": count_text(MIN_CUSTOMER_YEARS, lang),
            "cohorts_base": count_text(self.cohorts_base, lang),
        }
        parts = []
        if self.cohorts:
            parts.append(label(f"clv.lifetime.fallback.{self.cohorts}", lang).format(**values))
        parts.append(label(f"clv.lifetime.{self.method}", lang).format(**values))
        if self.cap:
            parts.append(label(f"clv.lifetime.cap.{self.cap}", lang).format(**values))
        return " ".join(parts)


def span_days(summary: pd.DataFrame) -> float:
    """Days from the earliest first purchase to as_of."""
    if "T" in summary.columns and len(summary):
        T = pd.to_numeric(summary["T"], errors="coerce")
        if T.notna().any():
            return float(T.max()) * UNIT_DAYS[summary_unit(summary)]
    return 0.0


def _from_cohorts(transactions: pd.DataFrame, as_of: object) -> tuple[LifetimeBasis | None, str, int]:
    """The cohorts' measurement, or None with why not ('too_short', 'too_few') and the customer-years seen."""
    from xlsegment.overtime.cohorts import yearly_retention

    try:
        measured = yearly_retention(transactions, as_of)
    except ValueError:  # nobody followed for two full years yet
        return None, "too_short", 0
    if measured.customer_years < MIN_CUSTOMER_YEARS:
        return None, "too_few", measured.customer_years
    years = measured.lifetime_years
    basis = LifetimeBasis("cohorts", years, years, measured.rate, measured.retained, measured.customer_years)
    return basis, "", measured.customer_years


def _from_summary(summary: pd.DataFrame, span: float) -> LifetimeBasis:
    """Today's rule on the summary alone (`span`: its span_days): retention over the last two years, else
    churn, else the default."""
    if {"orders_12m", "orders_prev_12m"} <= set(summary.columns) and span >= 2 * UNIT_DAYS["Y"]:
        prev = pd.to_numeric(summary["orders_prev_12m"], errors="coerce").fillna(0).to_numpy() > 0
        cur = pd.to_numeric(summary["orders_12m"], errors="coerce").fillna(0).to_numpy() > 0
        if prev.sum() >= 1:
            rate = float((prev & cur).sum() / prev.sum())
            years = float(lifetime_from_retention(rate))
            return LifetimeBasis(
                "last_two_years", years, years, rate, int((prev & cur).sum()), int(prev.sum())
            )
    if {"recency", "T"} <= set(summary.columns) and span >= UNIT_DAYS["Y"]:
        unit_days = UNIT_DAYS[summary_unit(summary)]
        age = numeric_column(summary, "T", "simple_clv") * unit_days
        rec = numeric_column(summary, "recency", "simple_clv") * unit_days
        old = age >= UNIT_DAYS["Y"]
        if old.sum() >= 1:
            lost = int((rec[old] > UNIT_DAYS["Y"]).sum())
            churn = lost / int(old.sum())
            years = 1.0 / churn if churn > 0 else math.inf
            return LifetimeBasis("churn", years, years, churn, lost, int(old.sum()))
    return LifetimeBasis("default", DEFAULT_LIFETIME_YEARS, DEFAULT_LIFETIME_YEARS)


def lifetime_basis(
    summary: pd.DataFrame,
    transactions: pd.DataFrame | None = None,
    max_years: float = MAX_LIFETIME_YEARS,
) -> LifetimeBasis:
    """The expected lifetime in years for the simple CLV, measured on the cohorts of `transactions` when they
    show enough history, else from the summary (see the module docstring), capped at the ledger's span and
    at `max_years`. A warning-worthy default has method 'default'."""
    basis, why_not, cohorts_base = None, "", 0
    span = span_days(summary)
    if transactions is not None and span + 1 < 2 * UNIT_DAYS["Y"]:
        why_not = "too_short"  # nobody can have two full years yet: no pass over the ledger for nothing
    elif transactions is not None:
        basis, why_not, cohorts_base = _from_cohorts(transactions, summary.attrs.get("as_of"))
    if basis is None:
        basis = _from_summary(summary, span)
    history = span / UNIT_DAYS["Y"]
    years, cap = basis.measured_years, ""
    if 0 < history < max_years and years > history:
        years, cap = history, "span"
    elif years > max_years:
        years, cap = float(max_years), "max"
    return LifetimeBasis(
        basis.method, years, basis.measured_years, basis.rate, basis.count, basis.base,
        history, cap, float(max_years), why_not, cohorts_base,
    )  # fmt: skip


def given_basis(years: float, summary: pd.DataFrame) -> LifetimeBasis:
    """A lifetime the user gave (in years), said as such."""
    return LifetimeBasis("given", years, years, history_years=span_days(summary) / UNIT_DAYS["Y"])


def lifetime_from_retention(retention):
    """Expected lifetime in periods when a customer stays each period with probability `retention`: 1/(1-r)."""
    r = np.asarray(retention, dtype=float)
    with np.errstate(divide="ignore"):
        return as_output(np.where((r >= 0) & (r < 1), 1.0 / (1.0 - np.clip(r, 0, 1)), np.inf))
