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

from xlsegment.cli_lang import argparse_in, say, system_lang, ui_lang
from xlsegment.labels import label

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
  xlsegment build ventes.csv -o clients.xlsx --lang fr
  xlsegment build online_retail.csv.gz -o retail.xlsx --customer CustomerID --date InvoiceDate \\
      --order InvoiceNo --quantity Quantity --price UnitPrice --as-of 2011-12-10 --time-unit W
  xlsegment sample -o sample_ledger.csv && xlsegment build sample_ledger.csv -o sample.xlsx
"""


def examples(lang: str, lines: str = BUILD_EXAMPLE) -> str:
    """The epilog of a help: "examples:" in `lang`, then the command lines."""
    return f"{say('examples', lang)}:\n{lines}"


class CliError(Exception):
    """A problem the user can fix; printed as one line, exit code 2."""


class Progress:
    """A one-line progress bar on a terminal's stderr; silent when stderr is not a terminal or --quiet."""

    def __init__(self, stream: TextIO, enabled: bool, width: int = 30, lang: str = "en") -> None:
        self.stream = stream
        self.lang = lang
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
        self.show(0.6 * fraction, say(f"stage.{stage}", self.lang))

    def writing(self, stage: str, done: int, total: int) -> None:
        word = say("writing", self.lang)
        self.show(0.6 + 0.4 * (done / total if total else 1.0), f"{word} {stage} {done:,}/{total:,}")

    def close(self) -> None:
        if self.enabled and self.last:
            self.stream.write("\r" + " " * len(self.last) + "\r")
            self.stream.flush()


def _parser(lang: str = "en") -> argparse.ArgumentParser:
    """The command line, its help in `lang` (argparse's own words too, inside `argparse_in(lang)`)."""
    parser = argparse.ArgumentParser(
        prog="xlsegment",
        description=say("description", lang),
        epilog=examples(lang),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from xlsegment import __version__
    from xlsegment.overtime.cli import add_campaign_options, add_measure_parser

    parser.add_argument(
        "--version", action="version", version=f"xlsegment {__version__}", help=say("version", lang)
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    build = sub.add_parser(
        "build",
        help=say("build.help", lang),
        description=say("build.description", lang),
        epilog=examples(lang),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    build.add_argument("ledger", nargs="?", help=say("ledger", lang))
    build.add_argument("--sample", action="store_true", help=say("sample", lang))
    build.add_argument("-o", "--output", required=True, help=say("output", lang))
    build.add_argument("--as-of", help=say("as_of", lang))
    build.add_argument("--time-unit", choices=["D", "W", "M"], type=str.upper, help=say("time_unit", lang))
    build.add_argument(
        "--lang",
        choices=["fr", "en", "auto"],
        type=str.lower,
        help=say("lang", lang),
    )
    build.add_argument("--currency", type=str.upper, help=say("currency", lang))
    build.add_argument("--shop", help=say("shop", lang))
    build.add_argument("--config", help=say("config", lang))
    build.add_argument("--sheet", help=say("sheet", lang))
    build.add_argument(
        "--skip-bad-rows",
        action="store_true",
        help=say("skip_bad_rows", lang),
    )
    build.add_argument(
        "--drop-duplicates",
        action="store_true",
        help=say("drop_duplicates", lang),
    )
    order = build.add_mutually_exclusive_group()
    order.add_argument("--dayfirst", action="store_true", help=say("dayfirst", lang))
    order.add_argument("--monthfirst", action="store_true", help=say("monthfirst", lang))
    build.add_argument(
        "--lines-are-orders",
        action="store_true",
        help=say("lines_are_orders", lang),
    )
    build.add_argument(
        "--engine",
        choices=["duckdb", "spark"],
        type=str.lower,
        help=say("engine", lang),
    )
    build.add_argument("--memory-limit", metavar="SIZE", help=say("memory_limit", lang))
    build.add_argument("--template", help=say("template", lang))
    build.add_argument("--force", action="store_true", help=say("force", lang))
    build.add_argument(
        "--compare-to",
        help=say("compare_to", lang),
    )
    build.add_argument("--no-overtime", action="store_true", help=say("no_overtime", lang))
    add_campaign_options(build, lang)
    build.add_argument("--quiet", "-q", action="store_true", help=say("quiet", lang))
    columns = build.add_argument_group(say("columns", lang), say("columns.description", lang))
    for option, keyword in COLUMN_OPTIONS.items():
        columns.add_argument(
            f"--{option}",
            dest=f"col_{keyword}",
            metavar="COL",
            help=say("column", lang, field=_field(keyword, option, lang)),
        )

    sample = sub.add_parser(
        "sample",
        help=say("sample_cmd.help", lang),
        description=say("sample_cmd.description", lang),
    )
    sample.add_argument("-o", "--output", required=True, help=say("sample_output", lang))
    sample.add_argument("--force", action="store_true", help=say("sample_force", lang))
    _lang_option(sample, say("ui_lang", lang))

    add_measure_parser(sub, COLUMN_OPTIONS, lang)

    addin = sub.add_parser("addin", help=say("addin.help", lang), description=say("addin.description", lang))
    addin.add_argument("action", choices=["install", "remove", "status"])
    addin.add_argument("--target", help=say("addin_target", lang))
    addin.add_argument("--force", action="store_true", help=say("addin_force", lang))
    _lang_option(addin, say("addin_lang", lang))

    lite = sub.add_parser("lite", help=say("lite.help", lang), description=say("lite.description", lang))
    lite.add_argument("folder", nargs="?", help=say("lite.folder", lang))
    lite.add_argument("--wheel-url", help=say("lite.wheel_url", lang))
    lite.add_argument("--force", action="store_true", help=say("lite.force", lang))
    _lang_option(lite, say("ui_lang", lang))

    server = sub.add_parser(
        "server", help=say("server.help", lang), description=say("server.description", lang)
    )
    server.add_argument("folder", help=say("server.folder", lang))
    server.add_argument("--force", action="store_true", help=say("server.force", lang))
    _lang_option(server, say("ui_lang", lang))
    return parser


def _lang_option(command: argparse.ArgumentParser, help_text: str) -> None:
    """`--lang fr|en`: the language a command speaks (and writes in)."""
    command.add_argument("--lang", choices=["fr", "en"], type=str.lower, help=help_text)


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
    engine = {k: v for k, v in (("engine", args.engine), ("memory_limit", args.memory_limit)) if v}
    if engine:
        changes["summary"] = {**settings.summary, **engine}
    return dataclasses.replace(settings, **changes) if changes else settings


def _check_paths(ledger: Path, output: Path, force: bool, lang: str = "en") -> None:
    if not ledger.exists():
        raise CliError(say("err.not_found", lang, path=repr(str(ledger))))
    if ledger.is_dir():
        raise CliError(say("err.folder", lang, path=repr(str(ledger))))
    if output.suffix.lower() != ".xlsx":
        raise CliError(say("err.xlsx", lang, path=repr(str(output))))
    if output.resolve() == ledger.resolve() or (output.exists() and os.path.samefile(output, ledger)):
        raise CliError(say("err.same", lang, path=repr(str(output))))
    if output.exists() and not force:
        raise CliError(say("err.exists", lang, path=repr(str(output))))
    if not output.resolve().parent.is_dir():
        raise CliError(say("err.no_folder", lang, path=repr(str(output.resolve().parent))))


def cmd_build(args: argparse.Namespace, err: TextIO, out: TextIO) -> int:
    from xlsegment.ledger import sample_ledger_path
    from xlsegment.overtime.campaign import write_campaign
    from xlsegment.overtime.cli import campaign_record, check_campaign_path, control_group_settings
    from xlsegment.overtime.sheets import with_overtime_sheets
    from xlsegment.pipeline import analyze
    from xlsegment.report import build_report, describe
    from xlsegment.report.formats import format_number
    from xlsegment.workbook import write_workbook

    notes: list[str] = []
    if args.sample == bool(args.ledger):
        raise CliError(say("err.one_ledger" if args.sample else "err.no_ledger", args.ui_lang))
    ledger = sample_ledger_path() if args.sample else Path(args.ledger)
    output = Path(args.output)
    _check_paths(ledger, output, args.force, args.ui_lang)
    check_campaign_path(args)
    if args.template and not Path(args.template).is_file():
        raise CliError(say("err.template", args.ui_lang, path=repr(args.template)))
    settings = control_group_settings(args, _settings(args))
    mapping = {kw: getattr(args, f"col_{kw}") for kw in COLUMN_OPTIONS.values() if getattr(args, f"col_{kw}")}
    progress = Progress(err, enabled=not args.quiet, lang=args.ui_lang)
    start = time.perf_counter()
    try:
        analysis = analyze(ledger, settings=settings, progress=progress.analysis, **mapping)
        campaign = campaign_record(args, analysis)
        report = build_report(analysis, analysis.settings.lang, currency=args.currency, shop=args.shop)
        book = describe(report)
        if not args.no_overtime:  # the over-time sheets (xlsegment.overtime)
            notes = with_overtime_sheets(book, analysis, args.compare_to, currency=args.currency)
        write_workbook(
            book, output, template=args.template, force=args.force, source=ledger, progress=progress.writing
        )
        if campaign is not None:
            write_campaign(campaign, args.campaign, analysis.settings.lang)
    finally:
        progress.close()
    for line in analysis.quality.warnings(analysis.settings.lang):
        print(f"xlsegment build: {line}", file=err)
    if not args.quiet:
        q = analysis.quality
        excluded = getattr(q, "rows_excluded", 0)
        lang = analysis.settings.lang  # the ledger's language, once it is read
        print(
            say(
                "wrote",
                lang,
                output=output,
                customers=format_number(len(analysis.customers), lang),
                rows=format_number(getattr(q, "rows_read", 0), lang),
                excluded=format_number(excluded, lang),
                segments=len(report.segments.frame),
                seconds=format_number(time.perf_counter() - start, lang, 1),
            ),
            file=out,
        )
        for note in notes:
            print(note, file=err)
    return EXIT_OK


def cmd_sample(args: argparse.Namespace, err: TextIO, out: TextIO) -> int:
    output = Path(args.output)
    if output.exists() and not args.force:
        raise CliError(say("err.exists_plain", args.ui_lang, path=repr(str(output))))
    if not output.resolve().parent.is_dir():
        raise CliError(say("err.no_folder", args.ui_lang, path=repr(str(output.resolve().parent))))
    source = resources.files("xlsegment") / "data" / "sample_ledger.csv"
    if not source.is_file():
        raise CliError(say("err.no_sample", args.ui_lang))
    with resources.as_file(source) as path:
        shutil.copyfile(path, output)
    print(say("wrote_sample", args.ui_lang, output=output), file=out)
    return EXIT_OK


def cmd_measure(args: argparse.Namespace, err: TextIO, out: TextIO) -> int:
    from xlsegment.overtime.cli import cmd_measure as measure

    return measure(args, err, out, COLUMN_OPTIONS)


def cmd_addin(args: argparse.Namespace, err: TextIO, out: TextIO) -> int:
    try:
        from xlsegment.excel.addin import addin_command
    except ImportError as exc:
        raise CliError(say("err.no_addin", args.ui_lang, detail=exc)) from exc
    lang = args.lang or args.ui_lang
    return int(addin_command(args.action, target=args.target, force=args.force, lang=lang) or 0)


def cmd_lite(args: argparse.Namespace, err: TextIO, out: TextIO) -> int:
    from xlsegment.excel.lite import lite_command

    return lite_command(args.folder, wheel_url=args.wheel_url, force=args.force, lang=args.ui_lang)


def _field(keyword: str, option: str, lang: str) -> str:
    """How the help names a ledger field: its label (`field.*`, else `col.*`), else the option's words."""
    for key in (f"field.{keyword}", f"col.{keyword}"):
        text = label(key, lang)
        if text != key:
            return text
    return option.replace("-", " ")


def cmd_server(args: argparse.Namespace, err: TextIO, out: TextIO) -> int:
    from xlsegment.excel.server import server_command

    return server_command(args.folder, force=args.force, lang=args.ui_lang)


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
        MemoryError,  # the summary outgrew --memory-limit: the message says to raise it
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `xlsegment` console script; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = ui_lang(argv)  # --lang, else the system's; the ledger's once it is read
    err, out = sys.stderr, sys.stdout
    with argparse_in(lang):
        parser = _parser(lang)
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help(err)
            return EXIT_INPUT
    args.ui_lang = lang
    handlers = {"build": cmd_build, "sample": cmd_sample, "addin": cmd_addin, "measure": cmd_measure}
    handler = {**handlers, "lite": cmd_lite, "server": cmd_server}[args.command]
    try:
        return handler(args, err, out)
    except KeyboardInterrupt:
        print(f"xlsegment: {say('interrupted', lang)}", file=err)
        return 130
    except _input_errors() as exc:
        lang = _error_language(args, exc)
        word = "erreur :" if lang == "fr" else "error:"
        print(f"xlsegment {args.command}: {word} {_one_line(exc, lang)}", file=err)
        return EXIT_INPUT
    except Exception as exc:  # anything unexpected still gets one line, not a traceback
        print(
            f"xlsegment {args.command}: {say('unexpected', lang)} ({type(exc).__name__}): {_one_line(exc)}",
            file=err,
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
    return system_lang()


def _one_line(exc: BaseException, lang: str = "en") -> str:
    message = getattr(exc, "message", None)
    text = (message(lang) if callable(message) else str(exc)).strip() or type(exc).__name__
    if isinstance(exc, (FileNotFoundError, PermissionError, IsADirectoryError)) and exc.filename:
        text = f"{exc.strerror}: {exc.filename}"
        if isinstance(exc, PermissionError):
            text += " " + say("err.open", lang)
    return " ".join(text.split())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
