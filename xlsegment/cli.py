"""The `xlsegment` command: build a segmented workbook from a ledger, copy the sample ledger, manage the add-in.

Errors are one clear line on stderr with a non-zero exit code (2 = bad input or refused output, 1 = anything
unexpected); a progress bar goes to stderr only when it is a terminal and --quiet is not given.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import sys
import time
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import TextIO

EXIT_OK, EXIT_ERROR, EXIT_INPUT = 0, 1, 2

# CLI option -> keyword of analyze()/read_transactions (canonical column or its accepted alias)
COLUMN_OPTIONS: dict[str, str] = {
    "customer": "customer",
    "date": "date",
    "amount": "amount",
    "order": "order",
    "quantity": "quantity",
    "price": "price",
    "category": "category",
    "margin": "margin",
    "cost": "cost",
    "discount": "discount",
    "returned": "returned",
    "payment-delay": "payment_delay",
    "due-date": "due_date",
    "paid-date": "paid_date",
    "service-contacts": "service_contacts",
    "name": "name",
    "first-name": "first_name",
    "last-name": "last_name",
    "civility": "civility",
    "email": "email",
    "phone": "phone",
    "birthday": "birthday",
    "address": "address",
    "postcode": "postcode",
    "city": "city",
    "country": "country",
}

BUILD_EXAMPLE = """\
examples:
  xlsegment build ventes.csv -o clients.xlsx --lang fr
  xlsegment build online_retail.csv.gz -o retail.xlsx --customer CustomerID --date InvoiceDate \\
      --order InvoiceNo --quantity Quantity --price UnitPrice --as-of 2011-12-10 --time-unit W
  xlsegment sample -o sample_ledger.csv && xlsegment build sample_ledger.csv -o sample.xlsx
"""


class CliError(Exception):
    """A problem the user can fix; printed as one line, exit code 2."""


class Progress:
    """A one-line progress bar on a terminal's stderr; silent when stderr is not a terminal or --quiet."""

    def __init__(self, stream: TextIO, enabled: bool, width: int = 30) -> None:
        self.stream = stream
        self.enabled = enabled and hasattr(stream, "isatty") and stream.isatty()
        self.width = width
        self.last = ""

    def show(self, fraction: float, what: str) -> None:
        if not self.enabled:
            return
        fraction = min(max(fraction, 0.0), 1.0)
        done = int(round(fraction * self.width))
        line = f"\r[{'#' * done}{'.' * (self.width - done)}] {fraction:4.0%} {what[:40]:<40}"
        if line != self.last:
            self.stream.write(line)
            self.stream.flush()
            self.last = line

    def analysis(self, stage: str, fraction: float) -> None:
        self.show(0.6 * fraction, stage)

    def writing(self, stage: str, done: int, total: int) -> None:
        self.show(0.6 + 0.4 * (done / total if total else 1.0), f"writing {stage} {done:,}/{total:,}")

    def close(self) -> None:
        if self.enabled and self.last:
            self.stream.write("\r" + " " * len(self.last) + "\r")
            self.stream.flush()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xlsegment",
        description="Classify your customers from your own sales ledger (RFM, ABC, CLV, actions).",
        epilog=BUILD_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from xlsegment import __version__

    parser.add_argument("--version", action="version", version=f"xlsegment {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    build = sub.add_parser(
        "build",
        help="build a segmented workbook from a ledger",
        description="Read a sales ledger (CSV, Excel, Parquet) and write a formatted, self-explaining workbook: "
        "Summary, Customers, Actions, Model and Settings sheets.",
        epilog=BUILD_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    build.add_argument("ledger", nargs="?", help="the sales ledger (never modified)")
    build.add_argument(
        "--sample", action="store_true", help="use the bundled sample ledger instead of LEDGER"
    )
    build.add_argument("-o", "--output", required=True, help="the workbook to write (.xlsx)")
    build.add_argument("--as-of", help="analysis date, e.g. 2024-12-31 (default: the ledger's last date)")
    build.add_argument(
        "--time-unit", choices=["D", "W", "M"], type=str.upper, help="unit of durations: days, weeks, months"
    )
    build.add_argument(
        "--lang",
        choices=["fr", "en", "auto"],
        type=str.lower,
        help="language of the workbook, sheet names included (default: the ledger's language)",
    )
    build.add_argument("--config", help="settings file (JSON or TOML)")
    build.add_argument("--sheet", help="sheet of an Excel ledger")
    build.add_argument(
        "--skip-bad-rows",
        action="store_true",
        help="leave out rows with an unreadable date or amount (counted in the data-quality report) instead of stopping",
    )
    build.add_argument(
        "--drop-duplicates",
        action="store_true",
        help="leave out lines that repeat an earlier line exactly (reported either way)",
    )
    order = build.add_mutually_exclusive_group()
    order.add_argument(
        "--dayfirst", action="store_true", help="dates like 01/02/2024 are day first (1 February)"
    )
    order.add_argument(
        "--monthfirst", action="store_true", help="dates like 01/02/2024 are month first (January 2)"
    )
    build.add_argument(
        "--lines-are-orders",
        action="store_true",
        help="each ledger line is a whole order (no order numbers, several orders a day are several purchases)",
    )
    build.add_argument("--template", help="template workbook whose styles, theme and extra sheets are kept")
    build.add_argument("--force", action="store_true", help="replace the output if it exists")
    build.add_argument(
        "--compare-to",
        help="earlier date of the Movements sheet (default: one quarter before the analysis date)",
    )
    build.add_argument(
        "--no-overtime", action="store_true", help="leave out the Movements and Cohorts sheets"
    )
    build.add_argument("--quiet", "-q", action="store_true", help="no progress bar and no summary line")
    columns = build.add_argument_group(
        "column mapping",
        "name the ledger's column for each field (default: recognised from common French/English headers)",
    )
    for option, keyword in COLUMN_OPTIONS.items():
        columns.add_argument(
            f"--{option}",
            dest=f"col_{keyword}",
            metavar="COL",
            help=f"column holding the {option.replace('-', ' ')}",
        )

    sample = sub.add_parser(
        "sample",
        help="copy the bundled sample ledger",
        description="Copy the bundled sample ledger (a French-style shop, CSV) to FILE.",
    )
    sample.add_argument("-o", "--output", required=True, help="where to write the sample ledger (.csv)")
    sample.add_argument("--force", action="store_true", help="replace the file if it exists")

    from xlsegment.overtime.cli import add_measure_parser

    add_measure_parser(sub, COLUMN_OPTIONS)

    addin = sub.add_parser("addin", help="install, remove or check the Excel add-in")
    addin.add_argument("action", choices=["install", "remove", "status"])
    addin.add_argument(
        "--target", help="folder (or .xlam path) to install into (default: Excel's startup folder)"
    )
    addin.add_argument(
        "--force", action="store_true", help="replace or remove a file this tool did not build"
    )
    addin.add_argument("--lang", choices=["fr", "en"], type=str.lower, default="en")

    lite = sub.add_parser(
        "lite",
        help="write the xlwings Lite main.py and requirements.txt",
        description="Write the xlwings Lite main.py and requirements.txt into FOLDER (printed without FOLDER).",
    )
    lite.add_argument("folder", nargs="?", help="folder to write main.py and requirements.txt into")
    lite.add_argument("--wheel-url", help="https:// address of an xlsegment wheel (until it is on PyPI)")
    lite.add_argument(
        "--force", action="store_true", help="replace main.py and requirements.txt if they exist"
    )
    return parser


def _settings(args: argparse.Namespace):
    from xlsegment.settings import Settings

    settings = Settings.from_file(args.config) if args.config else Settings()
    changes = {}
    if args.as_of:
        changes["as_of"] = args.as_of
    if args.time_unit:
        changes["time_unit"] = args.time_unit
    if args.lang:
        changes["lang"] = args.lang
    reader = dict(settings.reader)
    if args.sheet:
        reader["sheet"] = args.sheet
    if args.lines_are_orders:
        reader["lines_are_orders"] = True
    if args.skip_bad_rows:
        reader["errors"] = "exclude"
    if args.drop_duplicates:
        reader["drop_duplicates"] = True
    if args.dayfirst or args.monthfirst:
        reader["dayfirst"] = bool(args.dayfirst)
    if reader != settings.reader:
        changes["reader"] = reader
    return dataclasses.replace(settings, **changes) if changes else settings


def _check_paths(ledger: Path, output: Path, force: bool) -> None:
    if not ledger.exists():
        raise CliError(f"ledger {str(ledger)!r} not found")
    if ledger.is_dir():
        raise CliError(f"ledger {str(ledger)!r} is a folder, not a file")
    if output.suffix.lower() != ".xlsx":
        raise CliError(f"output {str(output)!r} must end in .xlsx")
    if output.resolve() == ledger.resolve() or (output.exists() and os.path.samefile(output, ledger)):
        raise CliError(f"output {str(output)!r} is the input ledger; choose another file name")
    if output.exists() and not force:
        raise CliError(f"output {str(output)!r} already exists; use --force to replace it")
    if not output.resolve().parent.is_dir():
        raise CliError(f"folder {str(output.resolve().parent)!r} does not exist")


def cmd_build(args: argparse.Namespace, err: TextIO, out: TextIO) -> int:
    from xlsegment.ledger import sample_ledger_path
    from xlsegment.overtime.sheets import with_overtime_sheets
    from xlsegment.pipeline import analyze
    from xlsegment.report import build_report, describe
    from xlsegment.workbook import write_workbook

    notes: list[str] = []
    if args.sample == bool(args.ledger):
        raise CliError(
            "give either a LEDGER file or --sample, not both"
            if args.sample
            else "give a LEDGER file (or --sample)"
        )
    ledger = sample_ledger_path() if args.sample else Path(args.ledger)
    output = Path(args.output)
    _check_paths(ledger, output, args.force)
    if args.template and not Path(args.template).is_file():
        raise CliError(f"template {args.template!r} not found")
    settings = _settings(args)
    mapping = {kw: getattr(args, f"col_{kw}") for kw in COLUMN_OPTIONS.values() if getattr(args, f"col_{kw}")}
    progress = Progress(err, enabled=not args.quiet)
    start = time.perf_counter()
    try:
        analysis = analyze(ledger, settings=settings, progress=progress.analysis, **mapping)
        report = build_report(analysis, analysis.settings.lang)
        book = describe(report)
        if not args.no_overtime:  # the over-time sheets (xlsegment.overtime)
            notes = with_overtime_sheets(book, analysis, args.compare_to)
        write_workbook(
            book, output, template=args.template, force=args.force, source=ledger, progress=progress.writing
        )
    finally:
        progress.close()
    for line in analysis.quality.warnings(analysis.settings.lang):
        print(f"xlsegment build: {line}", file=err)
    if not args.quiet:
        q = analysis.quality
        excluded = getattr(q, "rows_excluded", 0)
        print(
            f"Wrote {output}: {len(analysis.customers):,} customers from {getattr(q, 'rows_read', 0):,} rows"
            f" ({excluded:,} excluded), {len(report.segments.frame)} segments, in {time.perf_counter() - start:.1f} s",
            file=out,
        )
        for note in notes:
            print(note, file=err)
    return EXIT_OK


def cmd_sample(args: argparse.Namespace, err: TextIO, out: TextIO) -> int:
    output = Path(args.output)
    if output.exists() and not args.force:
        raise CliError(f"{str(output)!r} already exists; use --force to replace it")
    if not output.resolve().parent.is_dir():
        raise CliError(f"folder {str(output.resolve().parent)!r} does not exist")
    source = resources.files("xlsegment") / "data" / "sample_ledger.csv"
    if not source.is_file():
        raise CliError(
            "the sample ledger is not bundled with this installation (xlsegment/data/sample_ledger.csv)"
        )
    with resources.as_file(source) as path:
        shutil.copyfile(path, output)
    print(f"Wrote {output}; try: xlsegment build {output} -o segmented.xlsx", file=out)
    return EXIT_OK


def cmd_measure(args: argparse.Namespace, err: TextIO, out: TextIO) -> int:
    from xlsegment.overtime.cli import cmd_measure as measure

    return measure(args, err, out, COLUMN_OPTIONS)


def cmd_addin(args: argparse.Namespace, err: TextIO, out: TextIO) -> int:
    try:
        from xlsegment.excel.addin import addin_command
    except ImportError as exc:
        raise CliError(f"the Excel add-in is not available in this installation ({exc})") from exc
    return int(addin_command(args.action, target=args.target, force=args.force, lang=args.lang) or 0)


def cmd_lite(args: argparse.Namespace, err: TextIO, out: TextIO) -> int:
    from xlsegment.excel.lite import lite_command

    return lite_command(args.folder, wheel_url=args.wheel_url, force=args.force)


def _input_errors() -> tuple[type[BaseException], ...]:
    from xlsegment.errors import ConfigError, LedgerError
    from xlsegment.workbook.safety import WorkbookError

    return (
        CliError,
        LedgerError,
        ConfigError,
        WorkbookError,
        FileNotFoundError,
        PermissionError,
        IsADirectoryError,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `xlsegment` console script; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    err, out = sys.stderr, sys.stdout
    if args.command is None:
        parser.print_help(err)
        return EXIT_INPUT
    handlers = {"build": cmd_build, "sample": cmd_sample, "addin": cmd_addin, "measure": cmd_measure}
    handler = {**handlers, "lite": cmd_lite}[args.command]
    try:
        return handler(args, err, out)
    except KeyboardInterrupt:
        print("xlsegment: interrupted; no output was written", file=err)
        return 130
    except _input_errors() as exc:
        lang = _error_language(args, exc)
        word = "erreur :" if lang == "fr" else "error:"
        print(f"xlsegment {args.command}: {word} {_one_line(exc, lang)}", file=err)
        return EXIT_INPUT
    except Exception as exc:  # anything unexpected still gets one line, not a traceback
        print(
            f"xlsegment {args.command}: unexpected error ({type(exc).__name__}): {_one_line(exc)}", file=err
        )
        return EXIT_ERROR


def _error_language(args: argparse.Namespace, exc: BaseException) -> str:
    """The user's language for an error: --lang, else the ledger's (when the reader could tell), else the
    system locale."""
    chosen = getattr(args, "lang", None)
    if chosen in ("fr", "en"):
        return chosen
    if getattr(exc, "lang", None) in ("fr", "en"):
        return exc.lang
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if value:
            return "fr" if value.lower().startswith("fr") else "en"
    return "en"


def _one_line(exc: BaseException, lang: str = "en") -> str:
    message = getattr(exc, "message", None)
    text = (message(lang) if callable(message) else str(exc)).strip() or type(exc).__name__
    if isinstance(exc, (FileNotFoundError, PermissionError, IsADirectoryError)) and exc.filename:
        text = f"{exc.strerror}: {exc.filename}"
        if isinstance(exc, PermissionError):
            text += " (is the file open in Excel, or the folder read-only?)"
    return " ".join(text.split())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
