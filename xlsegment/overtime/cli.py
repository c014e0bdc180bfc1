"""The `xlsegment measure` command: did a campaign work? Contacted vs held-out customers, in words.

Kept apart from xlsegment.cli (which only registers it) so the over-time commands live with their module.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

MEASURE_EXAMPLE = """\
  xlsegment measure ventes.csv --campaign campagne.csv --lang fr
  xlsegment measure ventes.csv --campaign campagne.csv --until 2026-12-31 -o mesure.csv
"""


def add_measure_parser(
    sub: argparse._SubParsersAction, column_options: dict[str, str], lang: str = "en"
) -> None:
    """The `measure` subcommand: LEDGER --campaign FILE, with the ledger options `build` has (help in `lang`)."""
    from xlsegment.cli import examples
    from xlsegment.cli_lang import say

    measure = sub.add_parser(
        "measure",
        help=say("measure.help", lang),
        description=say("measure.description", lang),
        epilog=examples(lang, MEASURE_EXAMPLE),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    measure.add_argument("ledger", help=say("ledger", lang))
    measure.add_argument("--campaign", required=True, help=say("measure.campaign", lang))
    measure.add_argument("--until", help=say("measure.until", lang))
    measure.add_argument("--confidence", type=float, default=None, help=say("measure.confidence", lang))
    measure.add_argument(
        "--lang", choices=["fr", "en", "auto"], type=str.lower, help=say("measure.lang", lang)
    )
    measure.add_argument("--currency", help=say("measure.currency", lang))
    measure.add_argument("-o", "--output", help=say("measure.output", lang))
    measure.add_argument("--force", action="store_true", help=say("force", lang))
    measure.add_argument("--config", help=say("measure.config", lang))
    measure.add_argument("--sheet", help=say("sheet", lang))
    columns = measure.add_argument_group(say("columns", lang), say("columns.description", lang))
    for option, keyword in column_options.items():
        columns.add_argument(f"--{option}", dest=f"col_{keyword}", metavar="COL", help=argparse.SUPPRESS)


def cmd_measure(args: argparse.Namespace, err: TextIO, out: TextIO, column_options: dict[str, str]) -> int:
    """Read the ledger and the campaign file, print one sentence per segment and channel, optionally a CSV."""
    from xlsegment.cli import CliError
    from xlsegment.cli_lang import say
    from xlsegment.ledger import read_transactions
    from xlsegment.overtime.campaign import CONFIDENCE, measure_campaign
    from xlsegment.settings import Settings

    ui = getattr(args, "ui_lang", "en")
    ledger, campaign = Path(args.ledger), Path(args.campaign)
    for path, key in ((ledger, "err.not_found"), (campaign, "err.no_campaign")):
        if not path.is_file():
            raise CliError(say(key, ui, path=repr(str(path))))
    output = Path(args.output) if args.output else None
    if output is not None and output.exists() and not args.force:
        raise CliError(say("err.exists", ui, path=repr(str(output))))
    settings = Settings.from_file(args.config) if args.config else Settings()
    reader = dict(settings.reader, **({"sheet": args.sheet} if args.sheet else {}))
    mapping = {kw: getattr(args, f"col_{kw}") for kw in column_options.values() if getattr(args, f"col_{kw}")}
    transactions = read_transactions(ledger, **reader, **{**settings.columns, **mapping})
    lang = args.lang or settings.lang
    if lang == "auto":
        lang = transactions.attrs.get("language", "en")
    try:
        result = measure_campaign(
            transactions,
            campaign,
            end=args.until,
            confidence=args.confidence or CONFIDENCE,
            lang=lang,
            currency=args.currency,
        )
    except ValueError as err_value:  # a date or confidence the user can fix
        raise CliError(str(err_value)) from err_value
    for line in result.sentences:
        print(line, file=out)
    print(result.method, file=out)
    if output is not None:
        from xlsegment.actions.mailing import write_csv

        write_csv(result.table, output, sep=";" if lang == "fr" else ",")
        print(say("wrote_file", lang, output=output), file=out)
    return 0


def add_campaign_options(build: argparse.ArgumentParser, lang: str = "en") -> None:
    """`build --campaign FILE [--hold-out SHARE]`: a control group marked in the mailing list, and its record."""
    from xlsegment.cli_lang import say

    build.add_argument("--campaign", metavar="FILE", help=say("campaign", lang))
    build.add_argument("--hold-out", type=float, metavar="SHARE", help=say("hold_out", lang))


def mark_control_group(args: argparse.Namespace, analysis) -> object | None:
    """With --campaign: add the control-group mark to the analysis' customers (shown in the mailing list) and
    return the campaign record to write once the workbook is saved; None without --campaign."""
    from xlsegment.cli import CliError
    from xlsegment.cli_lang import say
    from xlsegment.overtime.campaign import HOLDOUT_SHARE, plan_control_group

    if not args.campaign:
        if args.hold_out is not None:
            raise CliError(say("err.hold_out", getattr(args, "ui_lang", "en")))
        return None
    import pandas as pd

    settings = analysis.settings
    try:
        mark, campaign = plan_control_group(
            analysis.customers,
            analysis.as_of + pd.Timedelta(days=1),  # contacts go out after the analysis date
            share=HOLDOUT_SHARE if args.hold_out is None else args.hold_out,
            segment_by=settings.segment_by,
            lang=settings.lang,
        )
    except ValueError as err:
        raise CliError(str(err)) from err
    analysis.customers["control_group"] = mark
    return campaign


def check_campaign_path(args: argparse.Namespace) -> None:
    """Refuse an existing campaign file (without --force) before the long build."""
    from xlsegment.cli import CliError
    from xlsegment.cli_lang import say

    if args.campaign and Path(args.campaign).exists() and not args.force:
        raise CliError(say("err.campaign_exists", getattr(args, "ui_lang", "en"), path=repr(args.campaign)))
