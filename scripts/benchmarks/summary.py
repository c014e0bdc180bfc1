"""Speed and memory of read_transactions + summarize on generated ledgers, against lifetimes.

Ledgers of 1M lines (about 100,000 customers, string keys, three years of dates, 2 % returns) are written to
CSV in a temporary folder. Measured in the same run:
- read_transactions(DataFrame) + summarize against lifetimes' summary_data_from_transaction_data on the same
  DataFrame (target: at least 5x faster);
- read_transactions(CSV) + summarize against pandas.read_csv + summary_data_from_transaction_data;
- 10M lines: read_transactions(CSV) + summarize in a fresh process, wall time and peak memory (< 3 GB).
`run(quick=True)` uses 100,000 lines and skips the 10M ledger.

    python scripts/benchmarks/summary.py [--quick]
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

from benchmarks._common import BenchRow, in_fresh_process, timed  # noqa: E402

TARGET_RATIO = 5.0
TARGET_PEAK_MB = 3000.0
LINES_PER_CUSTOMER = 10
START = np.datetime64("2022-01-01")
DAYS = 3 * 365


def make_ledger(n_lines: int, seed: int = 1) -> pd.DataFrame:
    """A ledger of `n_lines` lines: customer_id text keys, date (day), amount (2 % negative returns)."""
    rng = np.random.default_rng(seed)
    n_customers = max(1, n_lines // LINES_PER_CUSTOMER)
    names = np.array([f"C{i:08d}" for i in range(n_customers)], dtype=object)
    # heavy-tailed activity: a few customers buy a lot, most a little
    weight = rng.gamma(0.7, 1.0, n_customers)
    customer = rng.choice(n_customers, n_lines, p=weight / weight.sum())
    day = rng.integers(0, DAYS, n_lines)
    amount = np.round(rng.gamma(2.0, 30.0, n_lines), 2)
    amount[rng.random(n_lines) < 0.02] *= -1
    return pd.DataFrame(
        {
            "customer_id": names[customer],  # pandas' own string dtype, what a user's frame holds
            "date": (START + day.astype("timedelta64[D]")).astype("datetime64[ns]"),
            "amount": amount,
        }
    )


def write_csv(ledger: pd.DataFrame, path: Path, chunk: int = 1_000_000) -> Path:
    """The ledger as CSV (ISO dates), written in chunks to keep the 10M file's memory down."""
    days = np.datetime_as_string(np.arange(START, START + DAYS + 1), unit="D").astype(object)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("customer_id,date,amount\n")
        for lo in range(0, len(ledger), chunk):
            part = ledger.iloc[lo : lo + chunk]
            offset = (part["date"].to_numpy().astype("datetime64[D]") - START).astype(np.int64)
            out = pd.DataFrame(
                {"c": part["customer_id"].to_numpy(), "d": days[offset], "a": part["amount"].to_numpy()}
            )
            out.to_csv(handle, header=False, index=False)
    return path


def ours(source: object) -> pd.DataFrame:
    from xlsegment.ledger import read_transactions
    from xlsegment.summary import summarize

    return summarize(read_transactions(source))


def lifetimes_summary(ledger: pd.DataFrame) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from lifetimes.utils import summary_data_from_transaction_data

        return summary_data_from_transaction_data(
            ledger, "customer_id", "date", monetary_value_col="amount", freq="D"
        )


def lifetimes_from_csv(path: Path) -> pd.DataFrame:
    ledger = pd.read_csv(path, dtype={"customer_id": str}, parse_dates=["date"])
    return lifetimes_summary(ledger)


def _fresh_read_and_summarize(path: str) -> None:
    """Run in a new interpreter by in_fresh_process: the peak memory of reading and summarising `path`."""
    ours(path)


def _label(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}k"


def _speed_rows(n: int, folder: Path, repeat: int) -> list[BenchRow]:
    ledger = make_ledger(n)
    csv = write_csv(ledger, folder / f"ledger_{_label(n)}.csv")
    customers = ledger["customer_id"].nunique()
    ours(ledger.iloc[:1000])  # warm up imports
    lifetimes_summary(ledger.iloc[:1000])
    t_df, summary = timed(lambda: ours(ledger), repeat=repeat)
    t_peer, ref = timed(lambda: lifetimes_summary(ledger), repeat=repeat)
    t_csv, _ = timed(lambda: ours(csv), repeat=repeat)
    t_peer_csv, _ = timed(lambda: lifetimes_from_csv(csv), repeat=repeat)
    # lifetimes counts return-only days as purchases: compare the figures on the ledger without returns
    clean = ledger[ledger["amount"] >= 0]
    mine, theirs = ours(clean), lifetimes_summary(clean)
    theirs = theirs.reindex(mine.index)
    same = bool(
        len(mine) == len(theirs.dropna())
        and np.array_equal(mine["frequency"].to_numpy(), theirs["frequency"].to_numpy())
        and np.array_equal(mine["T"].to_numpy(), theirs["T"].to_numpy())
    )
    note = (
        f"{n:,} lines, {customers:,} customers, {len(summary):,} summarised (lifetimes: {len(ref):,}, "
        f"it keeps return-only customers); without returns, same frequency and T as lifetimes: {same}"
    )
    target = f">= {TARGET_RATIO:.0f}x faster"
    return [
        BenchRow(
            name=f"read_transactions(DataFrame) + summarize, {_label(n)} lines",
            ours=t_df,
            peer=t_peer,
            peer_name="lifetimes summary_data_from_transaction_data (same DataFrame)",
            target=target,
            ok=t_peer / t_df >= TARGET_RATIO,
            note=note,
        ),
        BenchRow(
            name=f"read_transactions(CSV) + summarize, {_label(n)} lines",
            ours=t_csv,
            peer=t_peer_csv,
            peer_name="pandas.read_csv + lifetimes summary_data_from_transaction_data",
            target=target,
            ok=t_peer_csv / t_csv >= TARGET_RATIO,
            note=f"{csv.stat().st_size / 1e6:,.0f} MB CSV",
        ),
    ]


def _memory_rows(n: int, folder: Path) -> list[BenchRow]:
    ledger = make_ledger(n, seed=2)
    csv = write_csv(ledger, folder / f"ledger_{_label(n)}.csv")
    del ledger
    seconds, peak_mb = in_fresh_process(_fresh_read_and_summarize, str(csv))
    return [
        BenchRow(
            name=f"read_transactions(CSV) + summarize, {_label(n)} lines: peak memory",
            ours=peak_mb,
            unit="MB",
            target=f"< {TARGET_PEAK_MB:,.0f} MB",
            ok=peak_mb < TARGET_PEAK_MB,
            note=f"fresh process; {seconds:.1f} s; {csv.stat().st_size / 1e6:,.0f} MB CSV",
        ),
        BenchRow(
            name=f"read_transactions(CSV) + summarize, {_label(n)} lines", ours=seconds, note="same run"
        ),
    ]


def run(quick: bool = False) -> list[BenchRow]:
    with tempfile.TemporaryDirectory(prefix="xlsegment_bench_") as tmp:
        folder = Path(tmp)
        if quick:
            return _speed_rows(100_000, folder, repeat=1)
        rows = _speed_rows(1_000_000, folder, repeat=3)
        rows += _memory_rows(10_000_000, folder)
        return rows


if __name__ == "__main__":
    from bench import print_rows

    print_rows("summary", run(quick="--quick" in sys.argv))
