"""The customer summary: one row per customer with recency, frequency, revenue, basket, rhythm and signals.

A purchase occasion is a distinct order (the order id when there is one, otherwise the customer-day) whose net
amount is not negative and that holds at least one purchase line: free items count, an order made only of
returns does not. Every line up to `as_of` counts in revenue, so returns reduce it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .columns import CONTACT_COLUMNS
from .errors import LedgerError
from .grouping import radix_argsort, sorted_groups
from .parsing import drop_unused_categories, sort_codes, sorted_factorize
from .quality import DataQuality

DAYS_PER_UNIT = {"D": 1.0, "W": 7.0, "M": 30.4375}
# the one default unit of durations (summary, analysis, backtest): days, what a shop owner reads directly
DEFAULT_TIME_UNIT = "D"
WINDOW_DAYS = 365


def unit_days(time_unit: str) -> float:
    """Days in one time unit: D = 1, W = 7, M = 30.4375 (a mean Gregorian month)."""
    try:
        return DAYS_PER_UNIT[str(time_unit).upper()]
    except KeyError:
        raise ValueError(f"time_unit must be one of D, W, M (got {time_unit!r})") from None


def _as_of(transactions: pd.DataFrame, as_of: object) -> pd.Timestamp:
    if as_of is None:
        return pd.Timestamp(transactions["date"].max()).normalize()
    try:
        return pd.Timestamp(as_of).normalize()
    except (ValueError, TypeError) as err:
        raise ValueError(f"as_of {as_of!r} is not a date") from err


def _require_columns(transactions: pd.DataFrame) -> None:
    missing = [c for c in ("customer_id", "date", "amount") if c not in transactions.columns]
    if missing:
        raise LedgerError(
            f"transactions lack the column(s) {', '.join(missing)}; read them with read_transactions"
        )


def _grouped(
    key: np.ndarray, amount: np.ndarray, purchase_line: np.ndarray, day: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Per distinct key, in key order: the key, net amount, whether it holds a purchase line, and (when `day`
    is given) its first day. Lines are summed in their ledger order (the sort is stable)."""
    order = radix_argsort(key)
    sorted_key = key[order]
    group, starts = sorted_groups(sorted_key)
    net = np.bincount(group, weights=amount[order])
    # a positive net needs a positive line, and positive lines are purchases (read_transactions makes every
    # return negative): count the purchase lines only when a zero net or a positive return leaves it open
    has_purchase = net > 0
    if (net == 0).any() or ((amount > 0) & ~purchase_line).any():
        has_purchase = np.bincount(group, weights=purchase_line[order]) > 0
    first_day = np.minimum.reduceat(day[order], starts) if day is not None else None
    return sorted_key[starts], net, has_purchase, first_day


def _purchases(
    lines: pd.DataFrame, cust: np.ndarray, day: np.ndarray, amount: np.ndarray, purchase_line: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Customer code, day and net amount of every purchase occasion (net >= 0, at least one purchase line).

    An occasion is an order (customer and order id) or, for lines without an order id, a customer-day.
    """
    cust = cust.astype(np.int64, copy=False)
    with_order = lines["order_id"].notna().to_numpy() if "order_id" in lines.columns else None
    parts = []
    by_day = slice(None) if with_order is None else ~with_order
    if with_order is None or by_day.any():
        d0 = int(day.min())
        span = int(day.max()) - d0 + 1
        key = cust[by_day] * span
        key += day[by_day]
        key -= d0
        key, net, has_purchase, _ = _grouped(key, amount[by_day], purchase_line[by_day])
        occ_cust = key // span
        parts.append((occ_cust, key - occ_cust * span + d0, net, has_purchase))
    if with_order is not None and with_order.any():
        orders = lines["order_id"]
        if isinstance(orders.dtype, pd.CategoricalDtype):  # read_transactions' order numbers
            order_code = orders.cat.codes.to_numpy()[with_order].astype(np.int64)
        else:
            order_code = pd.factorize(orders.to_numpy(dtype=object)[with_order])[0].astype(np.int64)
        n_codes = int(order_code.max()) + 1
        key, net, has_purchase, first_day = _grouped(
            cust[with_order] * n_codes + order_code,
            amount[with_order],
            purchase_line[with_order],
            day[with_order],
        )
        parts.append((key // n_codes, first_day, net, has_purchase))
    occ_cust, occ_day, occ_net, occ_has_purchase = (
        parts[0] if len(parts) == 1 else [np.concatenate(column) for column in zip(*parts, strict=True)]
    )
    is_purchase = occ_has_purchase & (occ_net >= 0)
    return occ_cust[is_purchase], occ_day[is_purchase], occ_net[is_purchase]


def purchase_occasions(transactions: pd.DataFrame) -> pd.DataFrame:
    """One row per purchase occasion, counted exactly as `summarize` counts orders: customer_id, day, amount.

    The backtest and the lapse windows count purchases with this, so their counts agree with the summary's.
    """
    _require_columns(transactions)
    if transactions.empty:
        return pd.DataFrame({"customer_id": [], "day": pd.to_datetime([]), "amount": []})
    day = pd.to_datetime(transactions["date"]).to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    day = day.astype(np.int64)
    cust, customers = factorize_sorted(transactions["customer_id"])
    amount = pd.to_numeric(transactions["amount"], errors="coerce").fillna(0.0).to_numpy(dtype="float64")
    if "returned" in transactions:
        returned = transactions["returned"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    else:
        returned = amount < 0
    p_cust, p_day, p_net = _purchases(transactions, cust, day, amount, ~returned & (amount >= 0))
    return pd.DataFrame(
        {
            "customer_id": np.asarray(customers, dtype=object)[p_cust],
            "day": p_day.astype("datetime64[D]").astype("datetime64[ns]"),
            "amount": p_net,
        }
    )


def factorize_sorted(keys: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the keys in sorted order of the distinct keys, and those keys as text.

    The customer column of `read_transactions` is a categorical with sorted categories: its codes are used
    as they are (categories no line uses are dropped). Other keys are factorized unsorted (one hash pass)
    and only the distinct keys sorted, which is much cheaper than sorting every key.
    """
    if isinstance(keys.dtype, pd.CategoricalDtype):
        keys = drop_unused_categories(keys)
        codes, text = sort_codes(keys.cat.codes.to_numpy(), keys.cat.categories)
    else:
        codes, text = sorted_factorize(keys.to_numpy(dtype=object) if keys.dtype == object else keys)
    if codes.size and codes.min() < 0:
        raise LedgerError("some transactions have no customer; read the ledger with read_transactions")
    return codes, np.asarray(text, dtype=object)


def _group_first_text(values: pd.Series, cust: np.ndarray, order: np.ndarray, n: int) -> np.ndarray:
    """Per customer, the last non-missing value in date order (contact details: the latest wins)."""
    out = np.full(n, None, dtype=object)
    present = values.notna().to_numpy()
    if not present.any():
        return out
    idx = np.flatnonzero(present)
    idx = idx[np.lexsort((order[idx], cust[idx]))]
    last = np.r_[cust[idx][1:] != cust[idx][:-1], True]
    out[cust[idx][last]] = values.to_numpy(dtype=object)[idx][last]
    return out


def summarize(
    transactions: pd.DataFrame, as_of: object = None, time_unit: str = DEFAULT_TIME_UNIT
) -> pd.DataFrame:
    """One row per customer with at least one purchase occasion up to `as_of` (default: last ledger date).

    Durations are counted in days and expressed in `time_unit` (D days, W weeks = days/7, M months =
    days/30.4375). Lines after `as_of` are ignored: they are the future a backtest compares against.
    See docs/architecture.md for every column.
    """
    days_per = unit_days(time_unit)
    _require_columns(transactions)
    base_quality = transactions.attrs.get("quality")
    quality = (
        base_quality.copy()
        if isinstance(base_quality, DataQuality)
        else DataQuality(rows_read=len(transactions))
    )
    if transactions.empty:
        raise LedgerError("the ledger has no transactions")
    as_of_ts = _as_of(transactions, as_of)
    dates = pd.to_datetime(transactions["date"]).to_numpy(dtype="datetime64[ns]")
    in_window = dates < (as_of_ts + pd.Timedelta(days=1)).to_datetime64()
    if not in_window.all():
        quality.exclude("after_as_of", int((~in_window).sum()))
    lines = transactions.loc[in_window] if not in_window.all() else transactions
    if lines.empty:
        raise LedgerError(f"no transaction on or before the as-of date {as_of_ts.date()}")

    day = (dates if lines is transactions else dates[in_window]).astype("datetime64[D]").astype(np.int64)
    cust, customers = factorize_sorted(lines["customer_id"])
    n_cust = len(customers)
    amount = lines["amount"].to_numpy(dtype="float64")
    returned = lines["returned"].to_numpy(dtype=bool) if "returned" in lines else amount < 0
    purchase_line = ~returned & (amount >= 0)

    p_cust, p_day, p_net = _purchases(lines, cust, day, amount, purchase_line)
    orders = np.bincount(p_cust, minlength=n_cust)
    buyer = orders > 0
    if not buyer.any():
        raise LedgerError("the ledger has no purchase: every order is a return or a cancellation")

    first = np.full(n_cust, np.iinfo(np.int64).max)
    last = np.full(n_cust, np.iinfo(np.int64).min)
    np.minimum.at(first, p_cust, p_day)
    np.maximum.at(last, p_cust, p_day)
    revenue = np.bincount(cust, weights=amount, minlength=n_cust)

    # lifetimes' monetary value: mean of the repeat occasions, the first (earliest, then smallest) left out
    # (all occasions minus the first, found without sorting: the smallest net on the first day)
    on_first_day = p_day == first[p_cust]
    first_net = np.full(n_cust, np.inf)
    np.minimum.at(first_net, p_cust[on_first_day], p_net[on_first_day])
    total_net = np.bincount(p_cust, weights=p_net, minlength=n_cust)
    repeat_sum = np.where(buyer, total_net - np.where(buyer, first_net, 0.0), 0.0)
    frequency = orders - 1
    purchase_days, repeat_day_value = _purchase_days(p_cust, p_day, p_net, on_first_day, total_net, n_cust)

    as_of_day = np.datetime64(as_of_ts.date(), "D").astype(np.int64)
    recent = p_day > as_of_day - WINDOW_DAYS
    before = (p_day > as_of_day - 2 * WINDOW_DAYS) & ~recent
    line_recent = day > as_of_day - WINDOW_DAYS

    t_x_days = (last - first).astype("float64")
    t_days = (as_of_day - first).astype("float64")
    relationship_days = t_days + 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        summary = pd.DataFrame(
            {
                "first_purchase": (first.astype("datetime64[D]")).astype("datetime64[ns]"),
                "last_purchase": (last.astype("datetime64[D]")).astype("datetime64[ns]"),
                "orders": orders,
                "frequency": frequency,
                "recency": (as_of_day - last) / days_per,
                "t_x": t_x_days / days_per,
                "T": t_days / days_per,
                "revenue": revenue,
                "basket": revenue / orders,
                "monetary_value": np.where(frequency > 0, repeat_sum / np.maximum(frequency, 1), 0.0),
                "purchase_days": purchase_days,
                "repeat_days": np.maximum(purchase_days - 1, 0),
                "repeat_day_value": repeat_day_value,
                "relationship_length": relationship_days / days_per,
                "purchase_rate": orders / (relationship_days / days_per),
                "purchases_per_year": orders / (relationship_days / 365.25),
                "mean_gap": np.where(frequency > 0, t_x_days / np.maximum(frequency, 1), np.nan) / days_per,
                "orders_12m": np.bincount(p_cust[recent], minlength=n_cust),
                "orders_prev_12m": np.bincount(p_cust[before], minlength=n_cust),
                "revenue_12m": np.bincount(
                    cust, weights=np.where(line_recent, amount, 0.0), minlength=n_cust
                ),
            },
            index=pd.Index(customers, name="customer_id", dtype=object),
        )
        _add_signals(summary, lines, cust, amount, returned, n_cust)
    _add_contacts(summary, lines, cust, day)

    only_returns = ~buyer
    if only_returns.any():
        quality.customers_only_returns = [str(c) for c in customers[only_returns]]
        lines_per_customer = np.bincount(cust, minlength=n_cust)
        quality.exclude("only_returns", int(lines_per_customer[only_returns].sum()))
        summary = summary.loc[buyer]
    summary.attrs.update(as_of=as_of_ts, time_unit=str(time_unit).upper(), quality=quality)
    return summary


def _purchase_days(
    p_cust: np.ndarray,
    p_day: np.ndarray,
    p_net: np.ndarray,
    on_first_day: np.ndarray,
    total_net: np.ndarray,
    n: int,
) -> tuple[np.ndarray, np.ndarray]:
    """BTYD inputs by purchase day (the papers' and lifetimes' x; several orders on one day are one repeat
    opportunity): distinct purchase days per customer, and the mean net value of the days after the first
    (each day's value the sum of its occasions' nets), 0 without a repeat day."""
    if not len(p_day):
        return np.zeros(n, dtype=np.int64), np.zeros(n)
    d0 = int(p_day.min())
    span = int(p_day.max()) - d0 + 1
    distinct = np.unique(p_cust.astype(np.int64) * span + (p_day - d0))
    purchase_days = np.bincount(distinct // span, minlength=n)
    first_day_net = np.bincount(p_cust[on_first_day], weights=p_net[on_first_day], minlength=n)
    repeat = np.maximum(purchase_days - 1, 0)
    value = np.where(repeat > 0, (total_net - first_day_net) / np.maximum(repeat, 1), 0.0)
    return purchase_days, value


def _add_signals(
    summary: pd.DataFrame,
    lines: pd.DataFrame,
    cust: np.ndarray,
    amount: np.ndarray,
    returned: np.ndarray,
    n: int,
) -> None:
    """Categories, margin, discount share, returns, payment delay and service contacts, when the ledger has them."""
    positive = np.maximum(amount, 0.0)
    gross = np.bincount(cust, weights=positive, minlength=n)
    returns = 0.0 - np.bincount(cust, weights=np.minimum(amount, 0.0), minlength=n)
    summary["returns"] = returns
    summary["return_rate"] = np.where(gross > 0, returns / np.where(gross > 0, gross, 1.0), 0.0)
    if "category" in lines.columns:
        category = lines["category"].to_numpy(dtype=object)
        has = pd.notna(category) & (amount > 0)
        if has.any():
            cat_code, cats = pd.factorize(category[has], sort=True)
            pair = pd.DataFrame({"c": cust[has], "k": cat_code, "v": amount[has]})
            per = pair.groupby(["c", "k"], sort=True)["v"].sum().reset_index()
            summary["n_categories"] = np.bincount(per["c"].to_numpy(), minlength=n)
            # main category: most revenue, ties to the first name in alphabetical order
            best = per.sort_values(["c", "v", "k"], ascending=[True, False, True]).drop_duplicates("c")
            main = np.full(n, None, dtype=object)
            main[best["c"].to_numpy()] = np.asarray(cats, dtype=object)[best["k"].to_numpy()]
            summary["main_category"] = main
        else:
            summary["n_categories"] = 0
            summary["main_category"] = None
    if "margin" in lines.columns:
        margin = lines["margin"].to_numpy(dtype="float64")
        known = ~np.isnan(margin)
        total = np.bincount(cust[known], weights=margin[known], minlength=n)
        base = np.bincount(cust[known], weights=amount[known], minlength=n)
        has_margin = np.bincount(cust[known], minlength=n) > 0
        summary["margin"] = np.where(has_margin, total, np.nan)
        summary["margin_rate"] = np.where(
            has_margin & (base > 0), total / np.where(base > 0, base, 1.0), np.nan
        )
    if "discounted" in lines.columns:
        discounted = lines["discounted"].to_numpy(dtype=bool)
        at_discount = np.bincount(cust, weights=np.where(discounted, positive, 0.0), minlength=n)
        summary["discount_share"] = np.where(gross > 0, at_discount / np.where(gross > 0, gross, 1.0), 0.0)
    if "payment_delay_days" in lines.columns:
        delay = lines["payment_delay_days"].to_numpy(dtype="float64")
        known = ~np.isnan(delay)
        count = np.bincount(cust[known], minlength=n)
        total = np.bincount(cust[known], weights=delay[known], minlength=n)
        summary["payment_delay"] = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    if "service_contacts" in lines.columns:
        contacts = np.nan_to_num(lines["service_contacts"].to_numpy(dtype="float64"))
        summary["service_contacts"] = np.bincount(cust, weights=contacts, minlength=n)


def _add_contacts(summary: pd.DataFrame, lines: pd.DataFrame, cust: np.ndarray, day: np.ndarray) -> None:
    """Contact columns carried through for mailing lists: the latest known value per customer."""
    n = len(summary)
    for column in CONTACT_COLUMNS:
        if column in lines.columns:
            values = _group_first_text(lines[column], cust, day, n)
            if column == "birthday":
                values = pd.to_datetime(pd.Series(values), errors="coerce").to_numpy()
            summary[column] = values
