"""The `xlsegment measure` command: did a campaign work? Contacted vs held-out customers, in words.

Kept apart from xlsegment.cli (which only registers it) so the over-time commands live with their module.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from xlsegment.cli_lang import say

MEASURE_EXAMPLE = """\
  xlsegment measure ventes.csv --campaign campagne.csv --lang fr
  xlsegment measure ventes.csv --campaign campagne.csv --until 2026-12-31 -o mesure.csv
"""


def add_measure_parser(
    sub: argparse._SubParsersAction, column_options: dict[str, str], lang: str = "en"
) -> None:
    """The `measure` subcommand: LEDGER --campaign FILE, with the ledger options `build` has; help in `lang`."""
    from xlsegment.cli import examples

    measure = sub.add_parser(
        "measure",
        help=say("measure.help", lang),
        description=say("measure.description", lang),
        epilog=examples(lang, MEASURE_EXAMPLE),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    measure.add_argument("ledger", help=say("measure.ledger", lang))
    measure.add_argument("--campaign", required=True, help=say("measure.campaign", lang))
    measure.add_argument("--until", help=say("measure.until", lang))
    measure.add_argument("--confidence", type=float, default=None, help=say("measure.confidence", lang))
    measure.add_argument(
        "--lang", choices=["fr", "en", "auto"], type=str.lower, help=say("measure.lang", lang)
    )
    measure.add_argument("--currency", type=str.upper, help=say("measure.currency", lang))
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
    from xlsegment.errors import LedgerError
    from xlsegment.ledger import read_transactions
    from xlsegment.overtime.campaign import CONFIDENCE, measure_campaign
    from xlsegment.settings import Settings

    ui = getattr(args, "ui_lang", "en")
    ledger, campaign = Path(args.ledger), Path(args.campaign)
    for path, what in ((ledger, "measure.ledger_file"), (campaign, "measure.campaign_file")):
        if not path.is_file():
            raise CliError(say("measure.err.not_found", ui, what=say(what, ui), path=repr(str(path))))
    output = Path(args.output) if args.output else None
    if output is not None and output.exists() and not args.force:
        raise CliError(say("measure.err.exists", ui, path=repr(str(output))))
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
    except LedgerError:  # the campaign file's own error: file, column, rows, in the user's language
        raise
    except ValueError as err_value:  # a date or confidence the user can fix
        raise CliError(str(err_value)) from err_value
    for line in result.sentences:
        print(line, file=out)
    print(result.method, file=out)
    if output is not None:
        from xlsegment.actions.mailing import write_csv

        write_csv(result.table, output, sep=";" if lang == "fr" else ",")
        print(say("measure.wrote", lang, output=output), file=out)
    return 0


def add_campaign_options(build: argparse.ArgumentParser, lang: str = "en") -> None:
    """`build --campaign FILE [--hold-out SHARE]`: a control group held out of the plan, and its record."""
    build.add_argument("--campaign", metavar="FILE", help=say("campaign", lang))
    build.add_argument("--hold-out", type=float, metavar="SHARE", help=say("hold_out", lang))


def control_group_settings(args: argparse.Namespace, settings):
    """With --campaign: the settings with the control group to hold out of the plan (`actions.hold_out`,
    default 10 % of each segment); unchanged without --campaign."""
    import dataclasses

    from xlsegment.cli import CliError
    from xlsegment.overtime.holdout import HOLDOUT_SHARE, control_group_options

    if not args.campaign:
        if args.hold_out is not None:
            raise CliError(say("err.hold_out_alone", getattr(args, "ui_lang", "en")))
        return settings
    actions = {**settings.actions, "hold_out": HOLDOUT_SHARE if args.hold_out is None else args.hold_out}
    try:
        control_group_options(actions)
    except ValueError as err:
        raise CliError(str(err)) from err
    return dataclasses.replace(settings, actions=actions)


def campaign_record(args: argparse.Namespace, analysis) -> object | None:
    """With --campaign: the campaign record to write once the workbook is saved (contacts from the day
    after the analysis date, the control group held out); None without --campaign."""
    import pandas as pd

    from xlsegment.overtime.campaign import campaign_of

    if not args.campaign:
        return None
    return campaign_of(
        analysis.customers, analysis.as_of + pd.Timedelta(days=1), analysis.settings.segment_by
    )


def check_campaign_path(args: argparse.Namespace) -> None:
    """Refuse an existing campaign file (without --force) before the long build."""
    from xlsegment.cli import CliError

    if args.campaign and Path(args.campaign).exists() and not args.force:
        raise CliError(say("err.campaign_exists", getattr(args, "ui_lang", "en"), path=repr(args.campaign)))
