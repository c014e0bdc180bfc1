"""Speed and memory of the ledger -> customer summary, against lifetimes and a bare DuckDB group-by.

Three ledger shapes, generated here (string customer and order keys, three years, 2 % returns):
- `ordered`: date-ordered, about three lines per order, order ids (a till or web-shop export);
- `shuffled`: the same lines in random order;
- `no_ids`: one line per purchase, no order ids (occasions are customer-days).
Each is measured as a DataFrame (read_transactions + summarize), a CSV file (read_transactions + summarize)
and a Parquet file (summarize reads it with DuckDB, no pandas in the middle), against:
- lifetimes' summary_data_from_transaction_data on the same data (pandas.read_csv / read_parquet first);
- a bare DuckDB group-by of the same core columns (orders, then customers): the floor on this machine.
Contenders are run in turn for several rounds and the medians compared, at 1M and 10M lines. Then, once
each, the peak memory of the 10M-line CSV (read + summarize) and of a 100M-line Parquet ledger. `xlsegment
build` and the Spark engine have their own sections (scripts/benchmarks/build.py, spark.py).

    python scripts/benchmarks/summary.py [--quick] [--speed-only] [--lines N] [--shape S]
"""

from __future__ import annotations

import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

if __name__ == "__main__":  # run directly: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import BenchRow, alternated, in_fresh_process  # noqa: E402

SHAPES = ("ordered", "shuffled", "no_ids")
TARGET_LIFETIMES = 10.0  # at least 10x faster than lifetimes at 10M lines
TARGET_DUCKDB = 1.5  # within 1.5x of a bare DuckDB group-by
TARGET_PEAK_100M_MB = 4000.0
TARGET_PEAK_10M_MB = 1500.0
LINES_PER_CUSTOMER = 10
LINES_PER_ORDER = 3
START = np.datetime64("2022-01-01")
DAYS = 3 * 365
CDNOW = Path(__file__).resolve().parents[3] / "shared" / "data" / "cdnow_sample.csv"


def make_ledger(n_lines: int, shape: str = "ordered", seed: int = 1) -> pd.DataFrame:
    """A ledger of `n_lines` lines of the given shape: customer_id, [order_id], date, amount."""
    import pyarrow as pa
    import pyarrow.compute as pc

    rng = np.random.default_rng(seed)
    n_customers = max(1, n_lines // LINES_PER_CUSTOMER)
    weight = rng.gamma(0.7, 1.0, n_customers)  # heavy-tailed: a few customers buy a lot
    if shape == "no_ids":
        customer = rng.choice(n_customers, n_lines, p=weight / weight.sum())
        day = rng.integers(0, DAYS, n_lines)
        order = None
    else:
        n_orders = max(1, n_lines // LINES_PER_ORDER)
        order_customer = rng.choice(n_customers, n_orders, p=weight / weight.sum())
        order_day = np.sort(rng.integers(0, DAYS, n_orders))
        order = np.sort(rng.integers(0, n_orders, n_lines))
        customer, day = order_customer[order], order_day[order]
    amount = np.round(rng.gamma(2.0, 15.0, n_lines), 2)
    amount[rng.random(n_lines) < 0.02] *= -1
    columns = {"customer_id": _keys("C", customer, pa, pc)}
    if order is not None:
        columns["order_id"] = _keys("O", order, pa, pc)
    columns["date"] = (START + day.astype("timedelta64[D]")).astype("datetime64[ns]")
    columns["amount"] = amount
    ledger = pd.DataFrame(columns)
    if shape == "shuffled":
        ledger = ledger.iloc[rng.permutation(n_lines)].reset_index(drop=True)
    return ledger


def _keys(prefix: str, numbers: np.ndarray, pa, pc) -> pd.Series:
    """Text keys like C00000042 built in Arrow (10M Python strings would dominate the generation)."""
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), 8, "0")
    return pd.Series(pd.arrays.ArrowStringArray(pc.binary_join_element_wise(prefix, digits, "")))


def write_files(ledger: pd.DataFrame, folder: Path, name: str) -> tuple[Path, Path]:
    """The ledger as CSV (ISO dates) and Parquet, written by Arrow."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(ledger.assign(date=ledger["date"].dt.date), preserve_index=False)
    csv, parquet = folder / f"{name}.csv", folder / f"{name}.parquet"
    pa_csv.write_csv(table, csv)
    pq.write_table(pa.Table.from_pandas(ledger, preserve_index=False), parquet)
    return csv, parquet


def ours(source: object) -> pd.DataFrame:
    """read_transactions + summarize (a Parquet path goes to DuckDB directly)."""
    from xlsegment.ledger import read_transactions
    from xlsegment.summary import summarize

    if isinstance(source, Path) and source.suffix == ".parquet":
        return summarize(source)
    return summarize(read_transactions(source))


def lifetimes_summary(source: object) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from lifetimes.utils import summary_data_from_transaction_data

    if isinstance(source, Path):
        if source.suffix == ".parquet":
            ledger = pd.read_parquet(source, columns=["customer_id", "date", "amount"])
        else:
            ledger = pd.read_csv(source, usecols=["customer_id", "date", "amount"], parse_dates=["date"])
    else:
        ledger = source
    return summary_data_from_transaction_data(
        ledger, "customer_id", "date", monetary_value_col="amount", freq="D"
    )


def bare_duckdb(source: object) -> object:
    """The floor: DuckDB groups lines into orders (or customer-days), then orders into customers."""
    import duckdb

    con = duckdb.connect()
    if isinstance(source, Path):
        reader = "read_parquet" if source.suffix == ".parquet" else "read_csv"
        relation = f"{reader}('{source}')"
    else:
        con.register("ledger", source)
        relation = "ledger"
    columns = set(con.execute(f"SELECT * FROM {relation} LIMIT 0").df().columns)
    order = "order_id" if "order_id" in columns else "CAST(date AS DATE)"
    sql = f"""
        WITH orders AS (
            SELECT customer_id, {order} AS o, MIN(CAST(date AS DATE)) AS day, SUM(amount) AS net
            FROM {relation} GROUP BY ALL)
        SELECT customer_id, COUNT(*) FILTER (WHERE net >= 0), MIN(day), MAX(day), SUM(net)
        FROM orders GROUP BY customer_id"""
    result = con.execute(sql).df()
    con.close()
    return result


def _label(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}k"


def _speed_rows(n: int, folder: Path, rounds: int, shapes: tuple[str, ...] = SHAPES) -> list[BenchRow]:
    rows = []
    for shape in shapes:
        ledger = make_ledger(n, shape)
        csv, parquet = write_files(ledger, folder, f"{shape}_{_label(n)}")
        for kind, source in (("DataFrame", ledger), ("CSV", csv), ("Parquet", parquet)):
            ours(source if kind != "DataFrame" else ledger.iloc[:1000])  # imports and caches warm
            medians = alternated(
                {
                    "ours": lambda s=source: ours(s),
                    "lifetimes": lambda s=source: lifetimes_summary(s),
                    "duckdb": lambda s=source: bare_duckdb(s),
                },
                rounds=rounds,
            )
            rows += _ratio_rows(f"{shape}, {kind}, {_label(n)} lines", medians, n >= 10_000_000)
    return rows


def _ratio_rows(name: str, medians: dict[str, float], binding: bool) -> list[BenchRow]:
    """Ours against lifetimes (>= 10x) and against the bare DuckDB group-by (<= 1.5x its time)."""
    t = medians["ours"]
    return [
        BenchRow(
            name=f"summary {name}",
            ours=t,
            peer=medians["lifetimes"],
            peer_name="lifetimes summary_data_from_transaction_data (after pandas read_csv/read_parquet)",
            target=f">= {TARGET_LIFETIMES:.0f}x faster" + ("" if binding else " (at 10M)"),
            ok=(medians["lifetimes"] / t >= TARGET_LIFETIMES) if binding else None,
        ),
        BenchRow(
            name=f"summary {name} vs DuckDB",
            ours=t,
            peer=medians["duckdb"],
            peer_name="bare DuckDB group-by of the core columns, same source",
            target=f"within {TARGET_DUCKDB}x of DuckDB" + ("" if binding else " (at 10M)"),
            ok=(t / medians["duckdb"] <= TARGET_DUCKDB) if binding else None,
            note="medians of alternated rounds",
        ),
    ]


def _fresh_summary(path: str, memory_limit: str | None = None) -> None:
    """Run in a new interpreter by in_fresh_process: read (CSV) and summarise, or summarise (Parquet)."""
    if memory_limit:
        from xlsegment.summary import summarize

        summarize(Path(path), memory_limit=memory_limit)
    else:
        ours(Path(path))


def _csv_memory_rows(folder: Path, n_lines: int, target_mb: float) -> list[BenchRow]:
    ledger = make_ledger(n_lines, "ordered", seed=2)
    csv, _ = write_files(ledger, folder, f"memory_{_label(n_lines)}")
    del ledger
    seconds, peak_mb = in_fresh_process(_fresh_summary, str(csv))
    return [
        BenchRow(
            name=f"read_transactions(CSV) + summarize, {_label(n_lines)} lines: peak memory",
            ours=peak_mb,
            unit="MB",
            target=f"< {target_mb:,.0f} MB",
            ok=peak_mb < target_mb,
            note=f"fresh process, {seconds:.0f} s, {csv.stat().st_size / 1e6:,.0f} MB CSV",
        )
    ]


def write_big_parquet(path: Path, n_lines: int, chunk: int = 10_000_000) -> Path:
    """A Parquet ledger of `n_lines` lines written chunk by chunk (never whole in memory)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer = None
    for i, lo in enumerate(range(0, n_lines, chunk)):
        part = make_ledger(min(chunk, n_lines - lo), "ordered", seed=10 + i)
        part["customer_id"] = part["customer_id"].str.replace("C", f"C{i % 10}", n=1)  # more customers
        part["order_id"] = f"{i}-" + part["order_id"]
        part["date"] = part["date"].astype("datetime64[us]")  # Spark reads micro-, not nanoseconds
        table = pa.Table.from_pandas(part, preserve_index=False)
        writer = writer or pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
    writer.close()
    return path


def _memory_rows(folder: Path, n_lines: int, target_mb: float, memory_limit: str = "1GB") -> list[BenchRow]:
    """Peak memory of summarize on a big Parquet ledger, DuckDB capped at `memory_limit` (it spills). The
    7M-customer result (about 1.4 GB as numbers) comes on top of DuckDB's limit: 2GB peaked at 4.03 GB."""
    path = write_big_parquet(folder / f"big_{_label(n_lines)}.parquet", n_lines)
    seconds, peak_mb = in_fresh_process(_fresh_summary, str(path), memory_limit)
    return [
        BenchRow(
            name=f"summarize(Parquet), {_label(n_lines)} lines: peak memory",
            ours=peak_mb,
            unit="MB",
            target=f"< {target_mb:,.0f} MB",
            ok=peak_mb < target_mb,
            note=f"fresh process, memory_limit={memory_limit}, {seconds:.0f} s, "
            f"{path.stat().st_size / 1e6:,.0f} MB file",
        )
    ]


def run(
    quick: bool = False,
    speed: tuple[int, ...] = (1_000_000, 10_000_000),
    memory: bool = True,
    shapes: tuple[str, ...] = SHAPES,
) -> list[BenchRow]:
    """The speed rows of `shapes` at each size of `speed`, then (with `memory`) the two peak-memory rows."""
    with tempfile.TemporaryDirectory(prefix="xlsegment_bench_") as tmp:
        folder = Path(tmp)
        if quick:
            return _speed_rows(100_000, folder, rounds=1)
        rows = [row for n in speed for row in _speed_rows(n, folder, rounds=3, shapes=shapes)]
        if memory:
            rows += _csv_memory_rows(folder, 10_000_000, TARGET_PEAK_10M_MB)
            rows += _memory_rows(folder, 100_000_000, TARGET_PEAK_100M_MB)
        return rows  # `xlsegment build` and Spark: the bench's build and spark sections


if __name__ == "__main__":
    from bench import print_rows

    # --speed-only: the speed rows alone; --lines N: only that size; --shape S: only that ledger shape
    sizes, shapes = (1_000_000, 10_000_000), SHAPES
    if "--lines" in sys.argv:
        sizes = (int(sys.argv[sys.argv.index("--lines") + 1]),)
    if "--shape" in sys.argv:
        shapes = (sys.argv[sys.argv.index("--shape") + 1],)
    rows = run(quick="--quick" in sys.argv, speed=sizes, memory="--speed-only" not in sys.argv, shapes=shapes)
    print_rows("summary", rows)
