"""Did the actions work: contacted customers against the held-out control group, since the contact date.

A campaign file lists who was contacted when, by which channel, and who was held out (`hold_out`). Later,
`measure_campaign` reads the ledger and compares, per segment and channel and overall, the share of customers
who bought (a purchase occasion, counted as the summary counts orders) and the revenue per customer (every
ledger line, returns included) from each customer's contact date to `end`, with confidence intervals (see
xlsegment.overtime.stats) and a sentence saying whether the difference is real.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from xlsegment.actions.contact_plan import planned_mask
from xlsegment.errors import LedgerError, Text
from xlsegment.labels import check_lang, label
from xlsegment.overtime import stats
from xlsegment.overtime.holdout import customer_ids, segment_column
from xlsegment.overtime.text import fill, money_text, number_text, percent_text

CAMPAIGN_COLUMNS = ("customer_id", "segment", "segment_label", "channel", "date", "held_out")
REQUIRED = ("customer_id", "date", "held_out")
CONFIDENCE = 0.95
ALL = "*"
_TRUE = {"1", "true", "yes", "y", "oui", "o", "vrai", "x"}
_FALSE = {"0", "false", "no", "n", "non", "faux", ""}


def campaign_file(contacts, date: object, channel: str | None = None) -> pd.DataFrame:
    """The campaign record of a held-out contact list: customer_id, segment, segment_label, channel, date,
    held_out. `contacts` comes from `hold_out` (a frame with its held_out column, or MailingLists and their
    control group); `channel` fills a list that has no channel column."""
    from xlsegment.actions.mailing import MailingLists

    if isinstance(contacts, MailingLists):
        held = contacts.held_out if contacts.held_out is not None else contacts.frame().iloc[0:0]
        contacts = pd.concat(
            [contacts.frame().assign(held_out=False), held.assign(held_out=True)], ignore_index=True
        )
    if "held_out" not in contacts.columns:
        raise ValueError(
            "the contact list has no held_out column: draw the control group with hold_out first"
        )
    segment_col = segment_column(contacts, None)
    out = pd.DataFrame({"customer_id": customer_ids(contacts).astype(str)})
    out["segment"] = contacts[segment_col].astype("object").to_numpy()
    if "segment_label" in contacts.columns:
        out["segment_label"] = contacts["segment_label"].astype("object").to_numpy()
    if channel is not None:
        out["channel"] = channel
    elif "channel" in contacts.columns:
        out["channel"] = contacts["channel"].astype("object").to_numpy()
    else:
        out["channel"] = ""
    out["date"] = pd.Timestamp(date).normalize()
    out["held_out"] = contacts["held_out"].astype(bool).to_numpy()
    return out[[c for c in CAMPAIGN_COLUMNS if c in out.columns]]


def _headers(lang: str) -> dict[str, str]:
    return {column: label(f"overtime.campaign.col.{column}", lang) for column in CAMPAIGN_COLUMNS}


def write_campaign(
    campaign: pd.DataFrame, path: str | Path, lang: str = "en", sep: str | None = None
) -> Path:
    """Write the campaign file as CSV (headers in `lang`; `;` in French so Excel opens it in columns)."""
    from xlsegment.actions.mailing import write_csv

    lang = check_lang(lang)
    frame = campaign.copy()
    frame["date"] = pd.to_datetime(frame["date"]).dt.strftime("%Y-%m-%d")
    yes, no = label("overtime.yes", lang), label("overtime.no", lang)
    frame["held_out"] = np.where(frame["held_out"].astype(bool), yes, no)
    frame = frame.rename(columns=_headers(lang))
    return write_csv(frame, path, sep=sep or (";" if lang == "fr" else ","))


def _said(key: str, **values: object) -> Text:
    """A message of the campaign file in both languages (the CLI answers in the user's)."""
    return Text(*(label(f"overtime.campaign.err.{key}", lang).format(**values) for lang in ("en", "fr")))


def _bad_rows(bad: np.ndarray) -> list[int]:
    """Line numbers of the file (the header is line 1) of the first bad rows."""
    return [int(i) + 2 for i in np.flatnonzero(bad)[:5]]


def _flag(values: pd.Series, source: str, column: str) -> np.ndarray:
    text = values.astype("object").fillna("").astype(str).str.strip().str.lower()
    bad = ~text.isin(_TRUE | _FALSE)
    if bad.any():
        raise LedgerError(_said("flag", value=repr(text[bad].iloc[0])), file=source, column=column,
                          rows=_bad_rows(bad.to_numpy()))  # fmt: skip
    return text.isin(_TRUE).to_numpy()


def read_campaign(source: str | Path | pd.DataFrame) -> pd.DataFrame:
    """A campaign file (CSV with English or French headers, `,` or `;`) or frame, with canonical columns."""
    name = str(source) if not isinstance(source, pd.DataFrame) else "campaign"
    if isinstance(source, pd.DataFrame):
        raw = source.copy()
    else:
        try:
            raw = pd.read_csv(source, sep=None, engine="python", dtype=str, encoding="utf-8-sig")
        except FileNotFoundError:
            raise
        except (ValueError, UnicodeDecodeError) as err:
            raise LedgerError(_said("unreadable", detail=err), file=name) from err
    known = {c: c for c in CAMPAIGN_COLUMNS}
    for lang in ("en", "fr"):
        known.update({text.strip().lower(): column for column, text in _headers(lang).items()})
    headers = {known.get(str(h).strip().lower(), h): str(h) for h in raw.columns}  # canonical: the file's
    raw = raw.rename(columns=lambda h: known.get(str(h).strip().lower(), h))
    missing = [c for c in REQUIRED if c not in raw.columns]
    if missing:
        names = ", ".join(f"{_headers('en')[c]} / {_headers('fr')[c]}" for c in missing)
        raise LedgerError(_said("missing", columns=names), file=name)
    out = raw[[c for c in CAMPAIGN_COLUMNS if c in raw.columns]].copy()
    out["customer_id"] = out["customer_id"].astype("object").astype(str).str.strip()
    dates = pd.to_datetime(out["date"], errors="coerce", format="mixed", dayfirst=False)
    if dates.isna().any():
        raise LedgerError(
            _said("dates"), file=name, column=headers["date"], rows=_bad_rows(dates.isna().to_numpy())
        )
    out["date"] = dates.dt.normalize()
    out["held_out"] = _flag(out["held_out"], name, headers["held_out"])
    for column in ("segment", "channel"):
        if column not in out.columns:
            out[column] = ""
        out[column] = out[column].astype("object").fillna("").astype(str)
    return out


@dataclass
class CampaignResult:
    """The measurement: an overall row (segment and channel ALL) then one row per segment and channel."""

    table: pd.DataFrame
    end: pd.Timestamp
    confidence: float
    lang: str

    @property
    def sentences(self) -> list[str]:
        """One sentence per row, in the table's order."""
        return self.table["text"].tolist()

    @property
    def method(self) -> str:
        """How the intervals were computed, in words."""
        return fill(
            "overtime.campaign.method",
            self.lang,
            confidence=percent_text(self.confidence, self.lang, 0),
        )


def _outcomes(transactions: pd.DataFrame, campaign: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """Per campaign row: bought (a purchase occasion from its date to `end`) and revenue over the same days."""
    from xlsegment.summary import purchase_occasions

    dates = pd.to_datetime(transactions["date"])
    lines = transactions.loc[(dates < end + pd.Timedelta(days=1)).to_numpy()]
    start = campaign["date"].to_numpy(dtype="datetime64[ns]")
    bought = np.zeros(len(campaign), dtype=bool)
    revenue = np.zeros(len(campaign))
    if not lines.empty:
        occasions = purchase_occasions(lines)
        ids = campaign["customer_id"].to_numpy(dtype=object)
        # each occasion joined to every campaign row of its customer (a customer may be in several rows)
        pairs = pd.DataFrame({"customer_id": ids, "row": np.arange(len(ids)), "start": start})
        occasions["customer_id"] = occasions["customer_id"].astype(str)
        occ = occasions.merge(pairs, on="customer_id", how="inner")
        hit = occ.loc[occ["day"] >= occ["start"], "row"].to_numpy()
        bought[np.unique(hit)] = True
        line_frame = pd.DataFrame(
            {
                "customer_id": lines["customer_id"].astype("object").astype(str).to_numpy(),
                "date": pd.to_datetime(lines["date"]).dt.normalize().to_numpy(),
                "amount": pd.to_numeric(lines["amount"], errors="coerce").fillna(0.0).to_numpy(),
            }
        )
        joined = line_frame.merge(pairs, on="customer_id", how="inner")
        joined = joined[joined["date"] >= joined["start"]]
        revenue += np.bincount(
            joined["row"].to_numpy(), weights=joined["amount"].to_numpy(), minlength=len(ids)
        )
    out = campaign.copy()
    out["bought"] = bought
    out["revenue"] = revenue
    return out


def _measure_group(group: pd.DataFrame, confidence: float) -> dict[str, float]:
    contacted, held = group[~group["held_out"]], group[group["held_out"]]
    n1, n2 = len(contacted), len(held)
    k1, k2 = int(contacted["bought"].sum()), int(held["bought"].sum())
    rate = stats.proportion_difference(k1, n1, k2, n2, confidence)
    money = stats.mean_difference(contacted["revenue"].to_numpy(), held["revenue"].to_numpy(), confidence)
    return {
        "contacted": n1,
        "held_out": n2,
        "buyers_contacted": k1,
        "buyers_held_out": k2,
        "rate_contacted": k1 / n1 if n1 else math.nan,
        "rate_held_out": k2 / n2 if n2 else math.nan,
        "rate_difference": rate.difference,
        "rate_low": rate.low,
        "rate_high": rate.high,
        "revenue_contacted": float(contacted["revenue"].mean()) if n1 else math.nan,
        "revenue_held_out": float(held["revenue"].mean()) if n2 else math.nan,
        "revenue_difference": money.difference,
        "revenue_low": money.low,
        "revenue_high": money.high,
        "verdict": _verdict(n1, n2, rate),
        "revenue_verdict": _verdict(n1, n2, money),
    }


def _verdict(n1: int, n2: int, interval: stats.Interval) -> str:
    if n2 == 0:
        return "no_control"
    if n1 == 0 or math.isnan(interval.low):
        return "too_few"
    if interval.excludes_zero:
        return "real_uplift" if interval.difference > 0 else "real_drop"
    return "not_significant"


def _sentence(row: pd.Series, lang: str, currency: str | None) -> str:
    who = row["segment_label"] if row["segment"] != ALL else label("overtime.campaign.all", lang)
    if row["channel"] not in ("", ALL):
        who = f"{who}, {row['channel_label']}"
    if row["verdict"] in ("no_control", "too_few"):
        return fill(f"overtime.campaign.{row['verdict']}", lang, who=who, n=int(row["held_out"]))
    return fill(
        "overtime.campaign.sentence",
        lang,
        who=who,
        rate_c=percent_text(row["rate_contacted"], lang),
        rate_h=percent_text(row["rate_held_out"], lang),
        diff=number_text(100 * row["rate_difference"], lang, 1, signed=True),
        low=number_text(100 * row["rate_low"], lang, 1, signed=True),
        high=number_text(100 * row["rate_high"], lang, 1, signed=True),
        confidence=percent_text(row["confidence"], lang, 0),
        rev_c=money_text(row["revenue_contacted"], lang, currency, 2),
        rev_h=money_text(row["revenue_held_out"], lang, currency, 2),
        verdict=label(f"overtime.campaign.verdict.{row['verdict']}", lang),
        revenue_verdict=label(f"overtime.campaign.revenue.{row['revenue_verdict']}", lang),
    )


def measure_campaign(
    transactions: pd.DataFrame,
    campaign: str | Path | pd.DataFrame,
    *,
    end: object = None,
    confidence: float = CONFIDENCE,
    lang: str = "en",
    currency: str | None = None,
) -> CampaignResult:
    """Compare contacted and held-out customers of `campaign` (a file or frame, see `read_campaign`) in the
    ledger from each contact date to `end` (default: the ledger's last date), per segment and channel and
    overall: purchase rate and revenue per customer, differences with their `confidence` intervals, a
    verdict (real_uplift, real_drop, not_significant, no_control, too_few) and a sentence in `lang`."""
    lang = check_lang(lang)
    plan = read_campaign(campaign)
    end_ts = pd.Timestamp(transactions["date"].max() if end is None else end).normalize()
    if (plan["date"] > end_ts).all():
        raise ValueError(fill("overtime.campaign.err.future", lang, date=end_ts.date().isoformat()))
    rows = _outcomes(transactions, plan, end_ts)
    if "segment_label" not in rows.columns:
        rows["segment_label"] = rows["segment"]
    rows["segment_label"] = rows["segment_label"].astype("object").fillna(rows["segment"]).astype(str)
    records = []
    for (segment, channel), group in rows.groupby(["segment", "channel"], sort=True):
        records.append({"segment": segment, "segment_label": group["segment_label"].iloc[0], "channel": channel,
                        **_measure_group(group, confidence)})  # fmt: skip
    if len(records) != 1:  # the overall verdict first: what a reader wants to know before the details
        records.insert(0, {"segment": ALL, "segment_label": label("overtime.campaign.all", lang), "channel": ALL,
                        **_measure_group(rows, confidence)})  # fmt: skip
    table = pd.DataFrame(records)
    table["channel_label"] = [
        label(f"actions.channel.{c}", lang) if c not in ("", ALL) else "" for c in table["channel"]
    ]
    table["channel_label"] = np.where(
        table["channel_label"].str.startswith("actions.channel."), table["channel"], table["channel_label"]
    )
    table["confidence"] = confidence
    table["text"] = [_sentence(row, lang, currency) for _, row in table.iterrows()]
    return CampaignResult(table, end_ts, confidence, lang)


def campaign_of(customers: pd.DataFrame, date: object, segment_by: str = "rfm_segment") -> pd.DataFrame:
    """The campaign record of an analysis made with a control group (`actions.hold_out`): every customer
    with a next action, contacted from `date` on their planned channel, or held out. `customers` is
    `Analysis.customers`."""
    if "held_out" not in customers.columns:
        raise ValueError("the analysis has no control group: set actions.hold_out (e.g. 0.1) before analyze")
    planned = customers.loc[planned_mask(customers)]
    contacts = pd.DataFrame(
        {
            "customer_id": planned.index.astype(str)
            if "customer_id" not in planned
            else planned["customer_id"],
            "segment": planned[segment_by].astype("object").to_numpy(),
            "channel": planned["channel"].astype("object").to_numpy() if "channel" in planned else "",
            "held_out": planned["held_out"].astype(bool).to_numpy(),
        },
        index=planned.index,
    )
    if f"{segment_by}_label" in planned.columns:
        contacts["segment_label"] = planned[f"{segment_by}_label"].astype("object").to_numpy()
    return campaign_file(contacts, date)
