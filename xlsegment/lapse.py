"""Lapse flags per customer (seeds 001, 003), each with its reason in words (French or English).

- lapsed_6m / lapsed_12m: no purchase for more than `lapsed_months` / `lost_months` months (6 and 12 by default;
  the column names keep the contract's names, attrs and the reason text give the months used);
- overdue: time since the last purchase exceeds `overdue_factor` times the customer's own mean gap
  (repeat buyers only);
- slowing: fewer than `slowing_ratio` times the orders of the previous window in the recent window;
- likely_lost: P(alive) below `p_alive_threshold`, when a BG/NBD model was fitted.
No customer whose last purchase is within `grace_days` is lapsed, overdue or likely lost.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xlsegment.clv._units import UNIT_DAYS, check_unit, numeric_column, require_columns, summary_unit
from xlsegment.labels import check_lang, label
from xlsegment.summary import purchase_occasions

FLAG_COLUMNS = ("lapsed_6m", "lapsed_12m", "overdue", "slowing", "likely_lost")
MONTH_DAYS = UNIT_DAYS["M"]


def lapse_flags(
    summary: pd.DataFrame,
    lapsed_months: float = 6,
    lost_months: float = 12,
    overdue_factor: float = 2.0,
    slowing_ratio: float = 0.5,
    min_previous_orders: int = 2,
    p_alive=None,
    p_alive_threshold: float = 0.2,
    grace_days: float = 30,
    lang: str = "en",
    transactions: pd.DataFrame | None = None,
    window_months: float = 12,
) -> pd.DataFrame:
    """Flags lapsed_6m, lapsed_12m, overdue, slowing, likely_lost and lapse_reason, indexed by customer_id.

    `p_alive`: a Series indexed by customer_id, a frame with a p_alive column (predict_clv's result) or a
    fitted BGNBDResult (then P(alive) is computed from the summary); None leaves likely_lost False.
    Slowing compares orders_12m with orders_prev_12m; with another `window_months`, pass the canonical
    `transactions` to count purchase days in the two windows. `min_previous_orders` avoids flagging a
    customer who went from 1 order to 0.
    """
    lang = check_lang(lang)
    what = "lapse_flags"
    _check_params(
        lapsed_months,
        lost_months,
        overdue_factor,
        slowing_ratio,
        p_alive_threshold,
        grace_days,
        window_months,
    )
    require_columns(summary, ["recency"], what)
    unit_days = UNIT_DAYS[summary_unit(summary)]
    recency_days = numeric_column(summary, "recency", what) * unit_days
    out = pd.DataFrame(index=summary.index.copy())
    out.index.name = summary.index.name or "customer_id"
    settled = recency_days > grace_days  # bought recently: never lapsed, overdue or lost

    out["lapsed_6m"] = settled & (recency_days > lapsed_months * MONTH_DAYS)
    out["lapsed_12m"] = settled & (recency_days > lost_months * MONTH_DAYS)

    gap_days = _mean_gap_days(summary, unit_days)
    with np.errstate(invalid="ignore"):
        out["overdue"] = settled & (gap_days > 0) & (recency_days > overdue_factor * gap_days)

    recent, previous = _window_orders(summary, transactions, window_months)
    out["slowing"] = (previous >= min_previous_orders) & (recent < slowing_ratio * previous)

    pa = _p_alive(summary, p_alive)
    with np.errstate(invalid="ignore"):
        out["likely_lost"] = settled & np.isfinite(pa) & (pa < p_alive_threshold)

    out["lapse_reason"] = _reasons(
        out, recency_days, gap_days, recent, previous, pa, lapsed_months, lost_months, overdue_factor,
        window_months, p_alive_threshold, lang,
    )  # fmt: skip
    out.attrs.update(
        {
            "lapsed_months": lapsed_months,
            "lost_months": lost_months,
            "overdue_factor": overdue_factor,
            "slowing_ratio": slowing_ratio,
            "window_months": window_months,
            "p_alive_threshold": p_alive_threshold,
            "likely_lost_available": bool(np.isfinite(pa).any()),
            "grace_days": grace_days,
        }
    )
    return out


def flag(frame: pd.DataFrame, column: str) -> pd.Series:
    """A yes/no column of `frame` as plain booleans (missing column or cell: no)."""
    if column not in frame.columns:
        return pd.Series(False, index=frame.index)
    return frame[column].astype("boolean").fillna(False).astype(bool)


def still_here(flags: pd.DataFrame) -> pd.Series:
    """Customers not gone yet: neither lapsed for `lost_months` (`lapsed_12m`) nor likely lost."""
    return ~flag(flags, "lapsed_12m") & ~flag(flags, "likely_lost")


def late_on_rhythm(flags: pd.DataFrame) -> pd.Series:
    """Customers late on their own rhythm and not gone yet (`overdue` and `still_here`): a contact should
    already have brought them back. The one rule behind the contact plan's "late" flag and the first sheet's
    customers "slipping away"."""
    return flag(flags, "overdue") & still_here(flags)


def _check_params(
    lapsed_months, lost_months, overdue_factor, slowing_ratio, threshold, grace_days, window
) -> None:
    checks = {
        "lapsed_months": lapsed_months > 0,
        "lost_months": lost_months > 0,
        "overdue_factor": overdue_factor > 0,
        "slowing_ratio": 0 < slowing_ratio <= 1,
        "p_alive_threshold": 0 <= threshold <= 1,
        "grace_days": grace_days >= 0,
        "window_months": window > 0,
    }
    values = {
        "lapsed_months": lapsed_months,
        "lost_months": lost_months,
        "overdue_factor": overdue_factor,
        "slowing_ratio": slowing_ratio,
        "p_alive_threshold": threshold,
        "grace_days": grace_days,
        "window_months": window,
    }
    for name, ok in checks.items():
        if not ok:
            raise ValueError(f"lapse_flags: {name}={values[name]!r} is out of range")


def _mean_gap_days(summary: pd.DataFrame, unit_days: float) -> np.ndarray:
    """The customer's mean gap between purchases in days (NaN for one-time buyers)."""
    if "mean_gap" in summary.columns:
        return pd.to_numeric(summary["mean_gap"], errors="coerce").to_numpy(dtype=float) * unit_days
    require_columns(summary, ["frequency", "t_x"], "lapse_flags (overdue)")
    x = pd.to_numeric(summary["frequency"], errors="coerce").to_numpy(dtype=float)
    tx = pd.to_numeric(summary["t_x"], errors="coerce").to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x > 0, tx / x, np.nan) * unit_days


def _window_orders(summary, transactions, window_months) -> tuple[np.ndarray, np.ndarray]:
    """Orders in the recent window and in the window before, per customer of the summary."""
    if window_months == 12 and (
        {"orders_12m", "orders_prev_12m"} <= set(summary.columns) or transactions is None
    ):
        require_columns(summary, ["orders_12m", "orders_prev_12m"], "lapse_flags (slowing)")
        recent = pd.to_numeric(summary["orders_12m"], errors="coerce").fillna(0).to_numpy(dtype=float)
        previous = pd.to_numeric(summary["orders_prev_12m"], errors="coerce").fillna(0).to_numpy(dtype=float)
        return recent, previous
    if transactions is None:
        raise ValueError(
            f"lapse_flags: a slowing window of {window_months} months needs the transactions "
            "(the summary only holds 12-month counts); pass transactions=..."
        )
    as_of = summary.attrs.get("as_of")
    as_of = pd.Timestamp(as_of) if as_of is not None else pd.Timestamp(transactions["date"].max())
    occ = purchase_occasions(transactions)
    age = (as_of.normalize() - occ["day"]).dt.days.to_numpy()
    span = 365.0 * window_months / 12.0  # as the summary's orders_12m: 365 days per 12 months
    cust = occ["customer_id"]
    recent = cust[(age >= 0) & (age < span)].value_counts()
    previous = cust[(age >= span) & (age < 2 * span)].value_counts()
    idx = summary.index.astype(str)
    return (
        recent.reindex(idx).fillna(0).to_numpy(dtype=float),
        previous.reindex(idx).fillna(0).to_numpy(dtype=float),
    )


def _p_alive(summary: pd.DataFrame, p_alive) -> np.ndarray:
    n = len(summary)
    if p_alive is None:
        return np.full(n, np.nan)
    if hasattr(p_alive, "p_alive") and hasattr(p_alive, "params"):  # a fitted BGNBDResult
        if not p_alive.usable:
            return np.full(n, np.nan)
        require_columns(summary, ["frequency", "t_x", "T"], "lapse_flags (P(alive))")
        unit = check_unit(summary_unit(summary))
        if p_alive.time_unit != unit:
            raise ValueError(
                f"lapse_flags: the model is in unit {p_alive.time_unit!r}, the summary in {unit!r}"
            )
        values = p_alive.p_alive(
            summary["frequency"].to_numpy(float), summary["t_x"].to_numpy(float), summary["T"].to_numpy(float)
        )
        return np.asarray(values, dtype=float)
    if isinstance(p_alive, pd.DataFrame):
        require_columns(p_alive, ["p_alive"], "lapse_flags (p_alive frame)")
        p_alive = p_alive["p_alive"]
    if isinstance(p_alive, pd.Series):
        return pd.to_numeric(p_alive.reindex(summary.index), errors="coerce").to_numpy(dtype=float)
    values = np.asarray(p_alive, dtype=float)
    if values.shape != (n,):
        raise ValueError(f"lapse_flags: p_alive has {values.size} values for {n} customers")
    return values


def _percent(value: float, lang: str) -> str:
    return f"{value:.0%}" if lang == "en" else f"{value * 100:.0f} %"


def _number(value: float) -> str:
    return f"{value:g}" if float(value) != int(value) else str(int(value))


def _reasons(out, recency_days, gap_days, recent, previous, pa, lapsed_months, lost_months, factor, window,
             threshold, lang) -> list[str]:  # fmt: skip
    """One text per customer joining the reasons of its flags ('' when none)."""
    parts: list[list[str]] = [[] for _ in range(len(out))]
    t_lapsed = label("lapse.reason.lapsed", lang)
    months = recency_days / MONTH_DAYS
    long_flag = out["lapsed_12m"].to_numpy()
    short_flag = out["lapsed_6m"].to_numpy() & ~long_flag
    for flags, limit in ((long_flag, lost_months), (short_flag, lapsed_months)):
        for i in np.flatnonzero(flags):
            parts[i].append(t_lapsed.format(months=int(months[i]), threshold=_number(limit)))
    t_over = label("lapse.reason.overdue", lang)
    for i in np.flatnonzero(out["overdue"].to_numpy() & ~long_flag):
        parts[i].append(
            t_over.format(days=int(recency_days[i]), factor=_number(factor), gap=int(round(gap_days[i])))
        )
    t_slow = label("lapse.reason.slowing", lang)
    for i in np.flatnonzero(out["slowing"].to_numpy()):
        parts[i].append(
            t_slow.format(recent=int(recent[i]), previous=int(previous[i]), window=_number(window))
        )
    t_lost = label("lapse.reason.likely_lost", lang)
    for i in np.flatnonzero(out["likely_lost"].to_numpy()):
        parts[i].append(t_lost.format(p=_percent(pa[i], lang), threshold=_percent(threshold, lang)))
    return ["; ".join(p) for p in parts]
