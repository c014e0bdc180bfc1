"""The customer summary: one row per customer with recency, frequency, revenue, basket, rhythm and signals.

A purchase occasion is a distinct order (the order id when there is one, otherwise the customer-day) whose net
amount is not negative and that holds at least one purchase line: free items count, an order made only of
returns does not. Every line up to `as_of` counts in revenue, so returns reduce it.

The definitions are SQL (`xlsegment/sql/*.sql`), run by DuckDB in-process on the transactions as they are
(a pandas frame is scanned, not copied) or by Apache Spark; this module prepares the ledger view, fills the
parameters and turns the result into the summary frame with its data-quality report.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .columns import CONTACT_COLUMNS
from .engines import Engine, check_engine
from .engines.queries import query
from .errors import LedgerError, say
from .memory import with_system_arrow_memory
from .parsing import drop_unused_categories, sort_codes, sorted_factorize
from .quality import DataQuality

DAYS_PER_UNIT = {"D": 1.0, "W": 7.0, "M": 30.4375}
# the one default unit of durations (summary, analysis, backtest): days, what a shop owner reads directly
DEFAULT_TIME_UNIT = "D"
WINDOW_DAYS = 365
# amounts are compared to the millionth: an order returned in full nets zero, and two equal revenues are
# equal, whatever order the engine (or pandas) adds the lines in
MONEY_DECIMALS = 6
DAYS_PER_YEAR = 365.25

# optional canonical columns the queries read, and the SQL type of the NULL that stands in when absent
OPTIONAL_COLUMNS = {
    "order_id": "VARCHAR",
    "category": "VARCHAR",
    "margin": "DOUBLE",
    "discounted": "BOOLEAN",
    "payment_delay_days": "DOUBLE",
    "service_contacts": "DOUBLE",
}
# summary columns present only when the ledger has the column they come from
SIGNALS = {
    "category": ("n_categories", "main_category"),
    "margin": ("margin", "margin_rate"),
    "discounted": ("discount_share",),
    "payment_delay_days": ("payment_delay",),
    "service_contacts": ("service_contacts",),
}
TEXT_COLUMNS = ("main_category",)
INTEGER_COLUMNS = ("orders", "frequency", "purchase_days", "repeat_days", "orders_12m", "orders_prev_12m")


def unit_days(time_unit: str) -> float:
    """Days in one time unit: D = 1, W = 7, M = 30.4375 (a mean Gregorian month)."""
    try:
        return DAYS_PER_UNIT[str(time_unit).upper()]
    except KeyError:
        raise ValueError(f"time_unit must be one of D, W, M (got {time_unit!r})") from None


def _as_of(last_date: object, as_of: object) -> pd.Timestamp:
    if as_of is None:
        return pd.Timestamp(last_date).normalize()
    try:
        return pd.Timestamp(as_of).normalize()
    except (ValueError, TypeError) as err:
        raise ValueError(f"as_of {as_of!r} is not a date") from err


def _require_columns(columns: object, file: str | None = None) -> None:
    missing = [c for c in ("customer_id", "date", "amount") if c not in set(columns)]
    if missing:
        raise LedgerError(say("engine.missing_columns", columns=", ".join(missing)), file=file)


def _scannable(transactions: pd.DataFrame) -> tuple[object, pd.Index | None]:
    """The columns the queries read, as an Arrow table (or, without pyarrow, a frame) DuckDB scans in place,
    and the customer keys when the engine is given their codes.

    Keys that are clean text stay text (DuckDB hashes them while it groups). Keys `read_transactions` had to
    clean are categoricals: the engine groups their integer codes (customer categories in sorted order, so
    code order is text order; an order's code only has to be its own) and the customer texts come back at
    the end. Line dates go in as calendar days, all the summary counts. A `line` number breaks ties between
    contact details. Arrow is scanned in parallel with no per-value work.
    """
    used = ("customer_id", "date", "amount", "returned", *OPTIONAL_COLUMNS, *CONTACT_COLUMNS)
    columns = {c: transactions[c] for c in used if c in transactions.columns}
    keys = None
    for key in ("customer_id", "order_id", "category"):
        values = columns.get(key)
        if values is None or not isinstance(values.dtype, pd.CategoricalDtype):
            continue
        if key != "order_id":  # the engine orders customers, and breaks category ties, by text
            values = _sorted_categories(values)
        if key == "category":
            columns[key] = values
            continue
        if key == "customer_id":
            keys = values.cat.categories
        codes = values.cat.codes.to_numpy()
        columns[key] = pd.arrays.IntegerArray(codes.astype(np.int64), codes < 0)  # missing = NULL
    if any(c in columns for c in CONTACT_COLUMNS):
        columns["line"] = np.arange(len(transactions))
    try:
        import pyarrow as pa
    except ImportError:  # DuckDB scans the frame itself
        return _frame(columns), keys
    try:
        arrays = {name: _arrow(name, values, pa) for name, values in columns.items()}
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):  # mixed-type object keys
        return _frame(columns), keys
    return pa.table(arrays), keys


def _frame(columns: dict[str, object]) -> pd.DataFrame:
    """The columns as one frame numbered from 0, for DuckDB to scan when Arrow cannot hold them."""
    frame = pd.DataFrame(columns, copy=False)
    frame.index = pd.RangeIndex(len(frame))
    return frame


def _sorted_categories(values: pd.Series) -> pd.Series:
    """A categorical whose categories are in sorted order (as `read_transactions` makes them)."""
    categories = values.cat.categories
    if len(categories) > 1 and not _sorted_text(categories):
        return values.cat.reorder_categories(categories.sort_values())
    return values


def _sorted_text(categories: pd.Index) -> bool:
    """Whether text categories are in sorted order, compared by Arrow in C when it can."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:
        return categories.is_monotonic_increasing
    try:
        text = pa.array(categories.to_numpy(dtype=object) if categories.dtype == object else categories)
        return pc.all(pc.less_equal(text[:-1], text[1:])).as_py()
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):  # keys of mixed types
        return categories.is_monotonic_increasing


def _arrow(name: str, values: object, pa: object) -> object:
    """One column as an Arrow array; line dates (datetime64[ns]) as calendar days, which spares the engine a
    timestamp conversion per line."""
    if name == "date" and getattr(values, "dtype", None) == "datetime64[ns]":
        return pa.array(np.asarray(values).astype("datetime64[D]"))
    return pa.Array.from_pandas(values)


@dataclass
class _Ledger:
    """The engine with the view `ledger` over the transactions, the columns they have, and the customer
    keys when the engine groups codes instead of texts."""

    runner: Engine
    present: set[str]
    keys: pd.Index | None = None

    def customers(self, values: pd.Series) -> pd.Index:
        """The customer_id column of a result as the summary's index (text keys, or the frame's own)."""
        if self.keys is not None:
            values = pd.Series(self.keys.take(values.to_numpy(dtype=np.int64)))
        elif isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype(values.cat.categories.dtype)
        if pd.api.types.is_string_dtype(values.dtype) and values.dtype != object:
            return pd.Index(values, name="customer_id")  # pandas' text (Arrow): no Python string per customer
        return pd.Index(values.to_numpy(dtype=object), name="customer_id", dtype=object)


def _ledger_view(present: set[str]) -> str:
    """The canonical ledger the queries read: every column they use, NULL when the transactions lack it."""
    select = ["customer_id", "CAST(date AS DATE) AS day", "CAST(amount AS DOUBLE) AS amount"]
    select.append(
        "COALESCE(returned, FALSE) AS returned" if "returned" in present else "amount < 0 AS returned"
    )
    for column, sql_type in OPTIONAL_COLUMNS.items():
        select.append(column if column in present else f"CAST(NULL AS {sql_type}) AS {column}")
    select += [c for c in (*CONTACT_COLUMNS, "line") if c in present]
    return "SELECT " + ", ".join(select) + " FROM transactions"


@contextmanager
def _engine(transactions: object, engine: str, spark: object, memory_limit: str | None) -> Iterator[_Ledger]:
    """The engine with the view `ledger` defined over the transactions (a frame, a Parquet path, or for
    Spark a Spark DataFrame)."""
    file = Path(transactions).name if isinstance(transactions, str | Path) else None
    if check_engine(engine) == "spark":
        from .engines.spark import spark_engine

        with spark_engine(transactions, spark) as (runner, present):
            _require_columns(present, file)
            runner.view("ledger", _ledger_view(present))
            yield _Ledger(runner, present)
        return
    from .engines.duck import connect, parquet_source

    keys = None
    with connect(memory_limit=memory_limit) as runner:
        if file is not None:
            path = Path(transactions)
            if not path.exists():
                raise LedgerError(say("ledger.not_found"), file=str(path))
            runner.view("transactions", parquet_source(path))
            present = set(runner.fetch("DESCRIBE transactions")["column_name"])
        else:
            scannable, keys = _scannable(transactions)
            runner.register("transactions", scannable)
            present = set(getattr(scannable, "column_names", None) or scannable.columns)
        _require_columns(present, file)
        runner.view("ledger", _ledger_view(present))
        yield _Ledger(runner, present, keys)


def _occasion_views(runner: Engine, as_of: pd.Timestamp) -> None:
    runner.view("lines", query("lines", as_of=as_of))
    runner.view(
        "orders", query("orders", as_of=as_of, window_days=WINDOW_DAYS, money_decimals=MONEY_DECIMALS)
    )


def _ledger_facts(runner: Engine) -> tuple[int, object]:
    facts = runner.fetch(query("ledger")).iloc[0]
    if facts["no_customer"] > 0:
        raise LedgerError(say("engine.no_customer"))
    return int(facts["lines"]), facts["last_date"]


def _day_column(values: pd.Series) -> np.ndarray:
    return pd.to_datetime(values).to_numpy(dtype="datetime64[ns]")


def ledger_orders(transactions: pd.DataFrame, as_of: object = None) -> pd.DataFrame:
    """One row per order up to `as_of` (default: the last ledger day), grouped exactly as `summarize` groups
    lines into orders: customer_id, day (the order's first), amount (its net) and occasion (whether it is a
    purchase occasion), ordered by customer and day. Loyalty points are earned and taken back per order."""
    _require_columns(transactions.columns)
    if transactions.empty:
        return pd.DataFrame({"customer_id": [], "day": pd.to_datetime([]), "amount": [], "occasion": []})
    with _engine(transactions, "duckdb", None, None) as ledger:
        _, last_date = _ledger_facts(ledger.runner)
        _occasion_views(ledger.runner, _as_of(last_date, as_of))
        orders = ledger.runner.fetch(query("order_rows"))
    return pd.DataFrame(
        {
            "customer_id": ledger.customers(orders["customer_id"]).to_numpy(),
            "day": _day_column(orders["day"]),
            "amount": orders["amount"].to_numpy(dtype="float64"),
            "occasion": orders["occasion"].to_numpy(dtype=bool),
        }
    )


def purchase_occasions(transactions: pd.DataFrame) -> pd.DataFrame:
    """One row per purchase occasion, counted exactly as `summarize` counts orders: customer_id, day, amount.

    The backtest and the lapse windows count purchases with this, so their counts agree with the summary's.
    """
    orders = ledger_orders(transactions)
    return orders.loc[orders["occasion"], ["customer_id", "day", "amount"]].reset_index(drop=True)


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
        raise LedgerError(say("engine.no_customer"))
    return codes, np.asarray(text, dtype=object)


@with_system_arrow_memory
def summarize(
    transactions: pd.DataFrame,
    as_of: object = None,
    time_unit: str = DEFAULT_TIME_UNIT,
    *,
    engine: str = "duckdb",
    spark: object = None,
    memory_limit: str | None = None,
) -> pd.DataFrame:
    """One row per customer with at least one purchase occasion up to `as_of` (default: last ledger date).

    Durations are counted in days and expressed in `time_unit` (D days, W weeks = days/7, M months =
    days/30.4375). Lines after `as_of` are ignored: they are the future a backtest compares against.
    `transactions` are the canonical transactions: a pandas frame (from `read_transactions`), or a Parquet
    file or folder holding those columns (hive partitions allowed), which DuckDB streams from disk.
    `engine="spark"` runs the same queries on Apache Spark (`spark` = a SparkSession, else a local one; the
    transactions may then also be a Spark DataFrame); `memory_limit` (e.g. "2GB") caps DuckDB, which spills
    to a temporary folder beyond it. See docs/architecture.md for every column.
    """
    days_per = unit_days(time_unit)
    if isinstance(transactions, pd.DataFrame):
        _require_columns(transactions.columns)
        if transactions.empty:
            raise LedgerError(say("engine.no_transactions"))
    base_quality = getattr(transactions, "attrs", {}).get("quality")
    with _engine(transactions, engine, spark, memory_limit) as ledger:
        n_lines, last_date = _ledger_facts(ledger.runner)
        if n_lines == 0:
            raise LedgerError(say("engine.no_transactions"))
        as_of_ts = _as_of(last_date, as_of)
        _occasion_views(ledger.runner, as_of_ts)
        days = "customer_days" if "order_id" in ledger.present else "customer_days_without_order_ids"
        ledger.runner.view("customer_days", query(days))
        table = ledger.runner.fetch(
            query("summary", window_days=WINDOW_DAYS, days_per_unit=days_per, days_per_year=DAYS_PER_YEAR)
        )
        if ledger.present & set(SIGNALS):
            table = _with_signals(table, ledger.runner.fetch(query("signals", money_decimals=MONEY_DECIMALS)))
        contacts = [c for c in CONTACT_COLUMNS if c in ledger.present]
        latest = ledger.runner.fetch(_contacts_query(contacts)) if contacts and len(table) else None
    quality = (
        base_quality.copy()
        if isinstance(base_quality, DataQuality)
        else DataQuality(source=_source_name(transactions), rows_read=n_lines)
    )
    quality.exclude("after_as_of", n_lines - int(table["lines"].sum()))
    if table.empty:
        raise LedgerError(say("engine.nothing_before_as_of", date=as_of_ts.date()))
    buyers = int((table["orders"] > 0).sum())  # the query puts them first
    if buyers == 0:
        raise LedgerError(say("engine.no_purchase"))
    if buyers < len(table):
        others = table.iloc[buyers:]
        quality.customers_only_returns = [str(c) for c in ledger.customers(others["customer_id"])]
        quality.exclude("only_returns", int(others["lines"].sum()))
        table = table.iloc[:buyers]  # a view of the buyers' rows, not a copy
    summary = _summary_frame(table, ledger)
    del table  # ten million customers' rows: not kept twice
    if latest is not None:
        _add_contacts(summary, latest.set_index(ledger.customers(latest["customer_id"])), contacts)
    summary.attrs.update(as_of=as_of_ts, time_unit=str(time_unit).upper(), quality=quality)
    return summary


def _source_name(transactions: object) -> str:
    if isinstance(transactions, str | Path):
        return Path(transactions).name
    return "DataFrame" if isinstance(transactions, pd.DataFrame) else type(transactions).__name__


def _with_signals(table: pd.DataFrame, signals: pd.DataFrame) -> pd.DataFrame:
    """The summary rows with the signals of the optional columns, placed before the line count."""
    merged = table.merge(signals, on="customer_id", how="left", validate="one_to_one")
    columns = [c for c in table.columns if c != "lines"] + [c for c in signals.columns if c != "customer_id"]
    return merged[[*columns, "lines"]]


def _contacts_query(contacts: list[str]) -> str:
    latest = ",\n    ".join(
        f"ARG_MAX({c}, (day, line)) FILTER (WHERE {c} IS NOT NULL) AS {c}" for c in contacts
    )
    return query("contacts").replace("{latest}", latest)


def _summary_frame(table: pd.DataFrame, ledger: _Ledger) -> pd.DataFrame:
    """The engine's rows as the summary frame: typed columns, signals the ledger has, customers as index."""
    absent = {c for source, columns in SIGNALS.items() if source not in ledger.present for c in columns}
    keep = [c for c in table.columns if c not in absent and c not in ("customer_id", "lines")]
    summary = table[keep]  # copy-on-write: only the columns converted below are copied
    summary.index = ledger.customers(table["customer_id"])
    for column in ("first_purchase", "last_purchase"):
        summary[column] = _day_column(summary[column])
    for column in INTEGER_COLUMNS:
        if summary[column].dtype != "int64":
            summary[column] = summary[column].fillna(0).astype("int64")
    numbers = [c for c in summary.columns if c not in INTEGER_COLUMNS and c not in TEXT_COLUMNS]
    for column in numbers[2:]:  # after the two dates; Spark may hand back decimals or nullable types
        if summary[column].dtype != "float64":
            summary[column] = pd.to_numeric(summary[column]).astype("float64")
    if "main_category" in summary:
        summary["main_category"] = _text_values(summary["main_category"])
    return summary


def _add_contacts(summary: pd.DataFrame, latest: pd.DataFrame, contacts: list[str]) -> None:
    """Contact columns carried through for mailing lists: the latest known value per customer."""
    latest = latest.reindex(summary.index)
    for column in contacts:
        values = latest[column]
        if column == "birthday":
            summary[column] = pd.to_datetime(values, errors="coerce").to_numpy(dtype="datetime64[ns]")
        else:
            summary[column] = _text_values(values)


def _text_values(values: pd.Series) -> np.ndarray:
    """Text as plain Python strings with None for missing (pandas then picks its text dtype)."""
    out = values.to_numpy(dtype=object, copy=True)  # without copy it may be a read-only view
    out[pd.isna(out)] = None
    return out
