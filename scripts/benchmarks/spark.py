"""Benchmark of the Spark engine on a local session (local[2]): the customer summary next to DuckDB's.

Inputs: the CDNOW sample (read once by `read_transactions`, sent to both engines as the canonical
transactions) and a 10M-line Parquet ledger generated here (the summary benchmark's date-ordered shape,
never committed), which both engines read from disk. Spark's start-up (JVM and session) is reported on its
own row. The summaries' correctness is in tests/test_spark_engine.py; here the two engines' customer counts
are compared as a sanity check. Everything runs in a fresh interpreter, so the Spark JVM ends with it.

    python scripts/benchmarks/spark.py [--quick]     # --quick: 1M lines instead of 10M
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __name__ == "__main__":  # run directly: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import BenchRow, alternated, in_fresh_process  # noqa: E402
from benchmarks.summary import write_big_parquet  # noqa: E402

CORES = 2  # local[2]: this machine's two cores
# the reference data beside the repository, or beside a folder above it (a git worktree lives deeper)
CDNOW = next(
    (
        p / "shared/data/cdnow_sample.csv"
        for p in Path(__file__).resolve().parents
        if (p / "shared/data").is_dir()
    ),
    Path("shared/data/cdnow_sample.csv"),
)


def timed_engines(parquet: str, result: str, rounds: int) -> None:
    """In a fresh process: Spark's start-up, then each input summarised by Spark and DuckDB in turn."""
    from xlsegment.engines.spark import local_session
    from xlsegment.ledger import read_transactions
    from xlsegment.summary import summarize

    start = time.perf_counter()
    spark = local_session(CORES)
    found: dict[str, Any] = {"start": time.perf_counter() - start}
    try:
        inputs: dict[str, object] = {"parquet": parquet}
        if CDNOW.exists():
            inputs = {"cdnow": read_transactions(CDNOW), **inputs}
        for name, source in inputs.items():
            runs = {
                "spark": lambda s=source: len(summarize(s, engine="spark", spark=spark)),
                "duckdb": lambda s=source: len(summarize(s)),
            }
            first = {engine: _first_run(fn) for engine, fn in runs.items()}  # warm: plans, caches, JIT
            medians = alternated(runs, rounds=rounds if name == "cdnow" else 1)
            found[name] = {"first": first, "median": medians}
    finally:
        spark.stop()
    Path(result).write_text(json.dumps(found))


def _first_run(fn: Callable[[], int]) -> list[float]:
    start = time.perf_counter()
    customers = fn()
    return [time.perf_counter() - start, customers]


def _rows(found: dict[str, Any], lines: int, size_mb: float) -> list[BenchRow]:
    rows = [
        BenchRow(name=f"Spark local[{CORES}] session start", ours=found["start"], note="JVM + SparkSession")
    ]
    labels = {
        "cdnow": "CDNOW sample (DataFrame)",
        "parquet": f"{lines / 1e6:g}M-line Parquet ({size_mb:,.0f} MB)",
    }
    for key, label in labels.items():
        if key not in found:
            continue
        first, median = found[key]["first"], found[key]["median"]
        same = first["spark"][1] == first["duckdb"][1]
        rows.append(
            BenchRow(
                name=f"Spark summary, {label}",
                ours=median["spark"],
                peer=median["duckdb"],
                peer_name="DuckDB (the default engine), same input, same queries",
                note=f"first runs: Spark {first['spark'][0]:.1f} s, DuckDB {first['duckdb'][0]:.1f} s; "
                f"{first['spark'][1]:,} customers {'on both' if same else 'vs ' + format(first['duckdb'][1], ',')}",
            )
        )
    return rows


def run(quick: bool = False) -> list[BenchRow]:
    lines = 1_000_000 if quick else 10_000_000
    with tempfile.TemporaryDirectory(prefix="xlsegment_bench_spark_") as tmp:
        folder = Path(tmp)
        parquet = write_big_parquet(folder / f"spark_{lines}.parquet", lines)
        result = folder / "spark.json"
        in_fresh_process(timed_engines, str(parquet), str(result), 1 if quick else 3)
        return _rows(json.loads(result.read_text()), lines, parquet.stat().st_size / 1e6)


if __name__ == "__main__":
    from bench import print_rows

    print_rows("spark", run(quick="--quick" in sys.argv))
