"""Speed and memory targets of xlsegment, each measured against a peer in the same run.

    python scripts/bench.py            # every section, full sizes (several minutes)
    python scripts/bench.py --quick    # small sizes, a smoke run
    python scripts/bench.py summary clv

Each section is a module of scripts/benchmarks/ with `run(quick) -> list[BenchRow]`; a row prints ours, the
peer, the ratio (peer / ours: how many times faster or lighter we are) and the target.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchmarks._common import BenchRow  # noqa: E402

SECTIONS = ("summary", "segments", "clv", "actions", "excel", "workbook", "overtime", "build", "spark")


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f} {unit}" if unit == "MB" else f"{value:.3f} {unit}"


def print_rows(section: str, rows: list[BenchRow]) -> None:
    print(f"\n== {section}")
    print(f"{'measurement':<58} {'ours':>12} {'peer':>12} {'ratio':>8}  {'target':<28} ok")
    for row in rows:
        ratio = f"{row.ratio:.1f}x" if row.ratio is not None else "-"
        ok = {True: "yes", False: "NO", None: "-"}[row.ok]
        print(
            f"{row.name:<58} {_fmt(row.ours, row.unit):>12} {_fmt(row.peer, row.unit):>12} {ratio:>8}  "
            f"{row.target:<28} {ok}"
        )
        if row.peer_name or row.note:
            print(
                f"    {('peer: ' + row.peer_name) if row.peer_name else ''}{'; ' if row.peer_name and row.note else ''}{row.note}"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "sections", nargs="*", help=f"sections to run (default: all of {', '.join(SECTIONS)})"
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args = parser.parse_args(argv)
    missed = 0
    for section in args.sections or SECTIONS:
        try:
            module = importlib.import_module(f"benchmarks.{section}")
        except ModuleNotFoundError as err:
            print(f"\n== {section}: not available ({err})")
            continue
        start = time.perf_counter()
        try:
            rows = module.run(quick=args.quick)
        except Exception:
            print(f"\n== {section}: FAILED")
            traceback.print_exc()
            missed += 1
            continue
        print_rows(section, rows)
        print(f"   ({time.perf_counter() - start:.0f} s)")
        missed += sum(1 for row in rows if row.ok is False)
    print(f"\n{missed} target(s) missed" if missed else "\nall targets met")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
