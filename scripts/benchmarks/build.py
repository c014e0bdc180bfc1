"""Benchmark of `xlsegment build` on big CSV ledgers: total time, peak memory and where the time goes.

Two ledger shapes, generated here and written as CSV files:
- `orders`: the summary benchmark's date-ordered export (about three lines per order, order ids, text keys
  C00000042, 2 % returns, ISO dates, `,`): a till or web-shop export;
- `french`: one line per purchase from customers who buy at their own rate and stop after their own lifetime
  (the BTYD story, so the purchase models find something to fit), numeric customer numbers, a category and
  an e-mail, written the French way (`;`, decimal comma, day-first dates, French headers).

Each build is the real command (`xlsegment build ledger.csv -o out.xlsx`, through `xlsegment.cli.main`) in a
fresh interpreter, so the time and peak memory are those a user sees. The stages are timed by wrapping the
functions the command calls (the analysis' own progress marks, then report, over-time sheets, workbook):
read, summary, segments, CLV (of which model choice), lapse, plan (actions), report, over-time sheets, workbook
(of which sheets and zip). No peer does the whole job, so there is no ratio; the rows say where the time goes.

    python scripts/benchmarks/build.py               # 1M lines, both shapes
    python scripts/benchmarks/build.py --lines 10000000   # once, long (run it with nice)
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

if __name__ == "__main__":  # run directly: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import BenchRow, in_fresh_process  # noqa: E402
from benchmarks.summary import make_ledger, write_files  # noqa: E402

SHAPES = ("orders", "french")
DAYS = 3 * 365
START = np.datetime64("2022-01-01")
CATEGORIES = np.array(["Épicerie fine", "Arts de la table", "Cave", "Cadeaux", "Textile", "Librairie"])
# peak memory of a 1M-line build, in a fresh process
TARGET_PEAK_1M_MB = 2000.0


# ---------------------------------------------------------------------------------------------- ledgers


def btyd_ledger(n_lines: int, seed: int = 5) -> pd.DataFrame:
    """About `n_lines` purchases of customers who buy at a gamma-distributed Poisson rate and stop after an
    exponential lifetime with a gamma-distributed rate (Pareto/NBD's story), date-ordered."""
    rng = np.random.default_rng(seed)
    n = max(10, n_lines // 4)
    while True:
        rate = rng.gamma(0.8, 1 / 30, n)  # purchases per day
        lifetime = rng.exponential(1.0, n) / rng.gamma(0.7, 1 / 400, n)  # days
        first = rng.integers(0, DAYS, n)
        end = np.minimum(first + lifetime, DAYS - 1)
        counts = 1 + rng.poisson(rate * (end - first))
        kept = int(np.searchsorted(np.cumsum(counts), n_lines, side="right"))
        if kept < n:
            break
        n *= 2
    counts, first, end = counts[:kept], first[:kept], end[:kept]
    customer = np.repeat(np.arange(kept), counts)
    is_first = np.r_[True, customer[1:] != customer[:-1]]
    span = (end - first)[customer]
    day = first[customer] + np.where(is_first, 0.0, rng.random(len(customer)) * span).astype(int)
    spend = rng.gamma(3.0, 20.0, kept)  # each customer's typical basket
    amount = np.round(rng.gamma(4.0, spend[customer] / 4.0), 2)
    amount[rng.random(len(amount)) < 0.01] *= -1
    order = np.argsort(day, kind="stable")
    number = 100_000 + customer[order]
    return pd.DataFrame(
        {
            "Client": number,
            "Date": START + day[order].astype("timedelta64[D]"),
            "Montant": amount[order],
            "Catégorie": CATEGORIES[rng.integers(0, len(CATEGORIES), len(order))],
            "Email": pd.Series(number).astype(str) + "@exemple.fr",
        }
    )


def write_french_csv(ledger: pd.DataFrame, path: Path) -> Path:
    """The ledger as a French export: `;`, decimal comma, dd/mm/yyyy dates (written by Arrow)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pa_csv

    table = pa.Table.from_pandas(ledger, preserve_index=False)
    text = {
        "Date": pc.strftime(table["Date"], "%d/%m/%Y"),
        "Montant": pc.replace_substring(pc.cast(table["Montant"], pa.string()), ".", ","),
    }
    for name, column in text.items():
        table = table.set_column(table.schema.get_field_index(name), name, column)
    pa_csv.write_csv(table, path, pa_csv.WriteOptions(delimiter=";", quoting_style="needed"))
    return path


def ledger_csv(shape: str, n_lines: int, folder: Path) -> Path:
    """A CSV ledger of `n_lines` lines of the given shape in `folder`."""
    name = f"build_{shape}_{n_lines}"
    if shape == "orders":
        return write_files(make_ledger(n_lines, "ordered", seed=3), folder, name)[0]
    return write_french_csv(btyd_ledger(n_lines), folder / f"{name}.csv")


# ---------------------------------------------------------------------------------------------- stages


class StageClock:
    """Where a run's time goes: sequential stages (each lasts until the next mark) and nested calls, in
    wall-clock and CPU seconds (on a shared machine the CPU seconds say what load did to the clock)."""

    def __init__(self) -> None:
        self.marks: list[tuple[str, float, float]] = []
        self.nested: dict[str, list[float]] = {}

    def mark(self, stage: str) -> None:
        self.marks.append((stage, time.perf_counter(), time.process_time()))

    def stage(self, module: Any, name: str, stage: str) -> None:
        """Mark `stage` whenever module.name is called."""
        original = getattr(module, name)

        def marked(*args: Any, **kwargs: Any) -> Any:
            self.mark(stage)
            return original(*args, **kwargs)

        setattr(module, name, marked)

    def nest(self, module: Any, name: str, label: str) -> None:
        """Add the duration of every call of module.name to `label` (a part of the stage it runs in)."""
        original = getattr(module, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                spent = self.nested.setdefault(label, [0.0, 0.0])
                spent[0] += time.perf_counter() - wall
                spent[1] += time.process_time() - cpu

        setattr(module, name, timed)

    def seconds(self) -> dict[str, list[float]]:
        """[wall, CPU] seconds per stage, in order, then the nested parts (`clv: model choice`...)."""
        out: dict[str, list[float]] = {}
        for (stage, wall, cpu), (_, wall_end, cpu_end) in zip(self.marks[:-1], self.marks[1:], strict=True):
            if stage != "done":
                spent = out.setdefault(stage, [0.0, 0.0])
                spent[0] += wall_end - wall
                spent[1] += cpu_end - cpu
        return {**out, **self.nested}


def _analysis_marks(pipeline: Any, clock: StageClock) -> None:
    """The analysis' own progress marks (read, summary, segments, clv, lapse, actions) into the clock."""
    analyze = pipeline.analyze

    def marked(*args: Any, progress: Callable | None = None, **kwargs: Any) -> Any:
        def both(stage: str, fraction: float) -> None:
            clock.mark("plan" if stage == "actions" else stage)
            if progress is not None:
                progress(stage, fraction)

        result = analyze(*args, progress=both, **kwargs)
        clock.mark("other")  # the command's own steps between the analysis and the report
        return result

    pipeline.analyze = marked


def timed_build(csv: str, output: str, result: str) -> None:
    """Run `xlsegment build csv -o output` (in a fresh process), the seconds per stage saved to `result`."""
    import xlsegment.clv.predict as predict
    import xlsegment.overtime.sheets as overtime
    import xlsegment.pipeline as pipeline
    import xlsegment.report as report
    import xlsegment.workbook as workbook
    import xlsegment.workbook.writer as writer
    from xlsegment.cli import main

    clock = StageClock()
    _analysis_marks(pipeline, clock)
    clock.nest(predict, "choose_model", "clv: model choice")
    clock.stage(report, "build_report", "report")
    clock.stage(overtime, "with_overtime_sheets", "over-time sheets")
    clock.stage(workbook, "write_workbook", "workbook")
    clock.nest(writer, "build_workbook", "workbook: sheets")
    clock.nest(writer, "save_atomic", "workbook: zip")
    sizes = _table_sizes(workbook)
    code = main(["build", csv, "-o", output, "--force", "--quiet"])
    clock.mark("end")
    if code != 0:
        raise RuntimeError(f"xlsegment build exited with {code}")
    cpu = time.process_time()  # the machine is shared: CPU seconds say what load did to the wall clock
    Path(result).write_text(json.dumps({"stages": clock.seconds(), "rows": sizes, "cpu": cpu}))


def _table_sizes(workbook: Any) -> dict[str, int]:
    """Filled, as write_workbook is called: the longest table of each sheet of the written book, in rows."""
    from xlsegment.report import Table

    sizes: dict[str, int] = {}
    write = workbook.write_workbook

    def recorded(book: Any, *args: Any, **kwargs: Any) -> Any:
        for sheet in book.sheets:
            tables = [len(b.frame) for b in sheet.blocks if isinstance(b, Table)]
            sizes[sheet.name] = max(tables, default=0)
        return write(book, *args, **kwargs)

    workbook.write_workbook = recorded
    return sizes


def _label(n: int) -> str:
    return f"{n / 1_000_000:g}M" if n >= 1_000_000 else f"{n // 1000}k"


def build_row(shape: str, n_lines: int, folder: Path) -> BenchRow:
    """One build of a generated ledger in a fresh process: total, peak memory, the stages in the note."""
    csv = ledger_csv(shape, n_lines, folder)
    output, result = folder / f"{csv.stem}.xlsx", folder / f"{csv.stem}.json"
    seconds, peak_mb = in_fresh_process(timed_build, str(csv), str(output), str(result))
    found = json.loads(result.read_text())
    stages = found["stages"]
    biggest = max(found["rows"].items(), key=lambda kv: kv[1])
    where = ", ".join(f"{k} {wall:.1f}/{cpu:.1f}" for k, (wall, cpu) in stages.items())
    binding = n_lines == 1_000_000
    return BenchRow(
        name=f"xlsegment build, {shape}, {_label(n_lines)}-line CSV ({csv.stat().st_size / 1e6:,.0f} MB)",
        ours=seconds,
        target=f"peak < {TARGET_PEAK_1M_MB:,.0f} MB at 1M" if binding else "time and memory reported",
        ok=peak_mb < TARGET_PEAK_1M_MB if binding else None,
        note=f"peak {peak_mb:,.0f} MB, {found['cpu']:.0f} CPU s (fresh process); {output.stat().st_size / 1e6:,.1f} MB workbook, "
        f"largest sheet {biggest[0]!r} {biggest[1]:,} rows; wall/CPU seconds: {where}",
    )


def run(
    quick: bool = False, lines: tuple[int, ...] | None = None, shapes: tuple[str, ...] = SHAPES
) -> list[BenchRow]:
    sizes = lines or ((100_000,) if quick else (1_000_000,))
    with tempfile.TemporaryDirectory(prefix="xlsegment_bench_build_") as tmp:
        return [build_row(shape, n, Path(tmp)) for n in sizes for shape in shapes]


if __name__ == "__main__":
    import argparse

    from bench import print_rows

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="100k lines")
    parser.add_argument("--lines", type=int, nargs="*", help="ledger sizes in lines (default 1,000,000)")
    parser.add_argument("--shape", choices=SHAPES, nargs="*", help="ledger shapes (default: both)")
    args = parser.parse_args()
    sizes = tuple(args.lines) if args.lines else None
    print_rows("build", run(args.quick, sizes, tuple(args.shape or SHAPES)))
