"""Benchmark of the headless workbook: a 100k-customer segmented workbook against XlsxWriter.

Ours: the whole workbook (Summary formulas and charts, the Customers table, Actions with the mailing list,
Model, Settings) written by `xlsegment.workbook.write_workbook` (openpyxl write-only mode). Peer: the same
Customers table (same values and number formats) written by XlsxWriter in constant-memory mode, in the same
run. Both run in fresh processes from the same pickled Analysis, so the time and peak memory are the writer's.
Targets: under 2x XlsxWriter's time, under 1 GB peak.
"""

from __future__ import annotations

import pickle
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

if __name__ == "__main__":  # run directly: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import BenchRow, in_fresh_process, timed  # noqa: E402

CATEGORIES = ["Épicerie fine", "Arts de la table", "Cave", "Cadeaux", "Textile", "Librairie"]


def synthetic_ledger(n_customers: int, seed: int = 7) -> pd.DataFrame:
    """A ledger of about 4 lines per customer over three years, with order numbers, categories and e-mails."""
    rng = np.random.default_rng(seed)
    orders_per = rng.geometric(0.3, n_customers)
    cust = np.repeat(np.arange(n_customers), orders_per)
    n = len(cust)
    start = pd.Timestamp("2022-01-01").value // 86_400_000_000_000
    first = rng.integers(0, 1000, n_customers)
    day = first[cust] + rng.integers(0, 95, n).cumsum() % 1095
    day = np.minimum(day, 1094)
    ids = np.char.add("C", np.char.zfill(cust.astype(str), 6))
    return pd.DataFrame(
        {
            "order": np.char.add("O", np.arange(n).astype(str)),
            "customer": ids,
            "date": pd.to_datetime((start + day) * 86_400, unit="s"),
            "amount": np.round(rng.gamma(2.0, 35.0, n), 2),
            "category": np.asarray(CATEGORIES)[rng.integers(0, len(CATEGORIES), n)],
            "email": np.char.add(ids, "@example.com"),
        }
    )


def prepare(n_customers: int, folder: Path) -> Path:
    """Run the real pipeline once on a synthetic ledger and pickle the Analysis for both writers."""
    from xlsegment.pipeline import analyze
    from xlsegment.settings import Settings

    ledger = synthetic_ledger(n_customers)
    analysis = analyze(
        ledger, settings=Settings(lang="fr"), customer="customer", date="date", amount="amount", order="order"
    )
    path = folder / f"analysis_{n_customers}.pkl"
    with path.open("wb") as handle:
        pickle.dump(analysis, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def write_ours(pickled: str, output: str) -> None:
    from xlsegment.report import build_report
    from xlsegment.workbook import write_workbook

    with open(pickled, "rb") as handle:
        analysis = pickle.load(handle)
    write_workbook(build_report(analysis), output, force=True)


def write_xlsxwriter(pickled: str, output: str) -> None:
    """The Customers table alone, same values and formats, XlsxWriter constant_memory."""
    import xlsxwriter

    from xlsegment.report import customers_view
    from xlsegment.workbook.cells import column_values
    from xlsegment.workbook.styles import number_formats

    with open(pickled, "rb") as handle:
        analysis = pickle.load(handle)
    table = customers_view(analysis, "fr")
    formats = number_formats("fr")
    wb = xlsxwriter.Workbook(output, {"constant_memory": True, "strings_to_formulas": False})
    ws = wb.add_worksheet("Clients")
    fmts = [wb.add_format({"num_format": formats[k]}) for k in table.kinds]
    header = wb.add_format({"bold": True})
    ws.write_row(0, 0, [str(c) for c in table.frame.columns], header)
    columns = [column_values(table.frame.iloc[:, j], k) for j, k in enumerate(table.kinds)]
    for i, row in enumerate(zip(*columns, strict=True), 1):
        for j, value in enumerate(row):
            if value is not None:
                ws.write(i, j, value, fmts[j])
    wb.close()


def run(quick: bool = False) -> list[BenchRow]:
    n = 10_000 if quick else 100_000
    rows: list[BenchRow] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        prep_time, pickled = timed(lambda: prepare(n, folder))
        ours_s, ours_mb = in_fresh_process(write_ours, str(pickled), str(folder / "ours.xlsx"))
        peer_s, peer_mb = in_fresh_process(write_xlsxwriter, str(pickled), str(folder / "peer.xlsx"))
        size = (folder / "ours.xlsx").stat().st_size / 1e6
    ratio = ours_s / peer_s
    rows.append(
        BenchRow(
            f"workbook {n:,} customers, time",
            ours_s,
            peer_s,
            "XlsxWriter constant_memory (Customers table)",
            "s",
            "ours < 2x peer (ratio > 0.5x)",
            ratio < 2.0,
            f"ours/peer = {ratio:.2f}; whole workbook {size:.0f} MB; pipeline {prep_time:.0f} s (not counted)",
        )
    )
    rows.append(
        BenchRow(
            f"workbook {n:,} customers, peak memory",
            ours_mb,
            peer_mb,
            "XlsxWriter constant_memory (Customers table)",
            "MB",
            "< 1024 MB",
            ours_mb < 1024,
        )
    )
    return rows


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    for row in run(quick):
        print(row)
