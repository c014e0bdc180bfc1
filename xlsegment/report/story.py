"""The first sheet's plain words: who the best customers are, who is slipping away and how much revenue that
is, what to do this week, and whether to trust the models, in a few sentences with the figures.

Every sentence is a label (`story.*` in rules/labels_workbook.csv) filled with figures computed here from the
customers frame, so the words are the user's to edit and the figures are the analysis's.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from xlsegment.labels import check_lang, label
from xlsegment.lapse import flag, late_on_rhythm, still_here
from xlsegment.report.formats import format_money, format_number, format_percent

# channel code -> sentence fragment key ("{n} calls"); other channels read "{n} x label"
CHANNEL_PHRASES = ("phone", "email", "letter", "sms", "visit", "collect_contact")


def best_customers(df: pd.DataFrame, lang: str, currency: str | None) -> str | None:
    """The top 20 % of customers by revenue and their share of revenue (and the Champions, when scored)."""
    if "revenue" not in df.columns or df.empty:
        return None
    revenue = df["revenue"].astype(float)
    total = float(revenue.sum())
    n_top = max(1, round(0.2 * len(df)))
    top = float(revenue.nlargest(n_top).sum())
    text = label("story.best", lang).format(
        n=format_number(n_top, lang),
        share=format_percent(top / total if total else 0.0, lang),
        revenue=format_money(top, lang, currency),
    )
    if "rfm_segment" in df.columns:
        champions = int((df["rfm_segment"].astype("object") == "champions").sum())
        if champions:
            text += " " + label("story.champions", lang).format(n=format_number(champions, lang))
    return text


def slipping_away(df: pd.DataFrame, lang: str, currency: str | None) -> list[str]:
    """Customers still active but late on their own rhythm or buying less, and those lapsed for 12 months,
    with the revenue they brought."""
    out = []
    lapsed = flag(df, "lapsed_12m")
    slipping = late_on_rhythm(df) | (flag(df, "slowing") & still_here(df))
    revenue = df["revenue"].astype(float) if "revenue" in df.columns else pd.Series(0.0, index=df.index)
    if slipping.any():
        out.append(
            label("story.slipping", lang).format(
                n=format_number(int(slipping.sum()), lang),
                revenue=format_money(float(revenue[slipping].sum()), lang, currency),
            )
        )
    if lapsed.any():
        out.append(
            label("story.lapsed", lang).format(
                n=format_number(int(lapsed.sum()), lang),
                revenue=format_money(float(revenue[lapsed].sum()), lang, currency),
            )
        )
    return out


def week_counts(plan: pd.DataFrame | None) -> list[tuple[str, str, int]]:
    """(channel code, channel label, customers) of the plan's week 1, most used channel first."""
    if plan is None or plan.empty or "week" not in plan.columns:
        return []
    week = plan[plan["week"] == 1]
    if week.empty:
        return []
    labels = week["channel_label"] if "channel_label" in week.columns else week["channel"]
    counts = (
        pd.DataFrame({"channel": week["channel"].astype(str), "label": labels.astype(str)})
        .value_counts(sort=True)
        .reset_index(name="n")
    )
    return [(str(r.channel), str(r.label), int(r.n)) for r in counts.itertuples(index=False)]


def this_week(plan: pd.DataFrame | None, lang: str, currency: str | None, sheet: str) -> str | None:
    """What to do this week, in counts per channel, and where the list is."""
    counts = week_counts(plan)
    if not counts:
        return None
    parts = [
        label(f"story.channel.{code}", lang).format(n=format_number(n, lang))
        if code in CHANNEL_PHRASES
        else f"{format_number(n, lang)} \u00d7 {text}"
        for code, text, n in counts
    ]
    last = f" {label('story.and', lang)} "  # the label file trims spaces: they are added here
    joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + last + parts[-1]
    week = plan[plan["week"] == 1]
    stake = float(week["value_at_stake"].astype(float).sum()) if "value_at_stake" in week.columns else 0.0
    return label("story.week", lang).format(
        contacts=joined, sheet=sheet, stake=format_money(stake, lang, currency)
    )


def reliability_sentences(analysis: Any, lang: str) -> list[str]:
    """The models' verdicts in plain sentences (contract 2: `xlsegment.clv.reliability.verdict_sentences`);
    none when that module is not there yet or the analysis has no reliability table."""
    try:
        from xlsegment.clv.reliability import verdict_sentences
    except ImportError:
        return []
    try:
        return [str(s) for s in verdict_sentences(analysis, lang) if str(s).strip()]
    except (KeyError, ValueError, TypeError, AttributeError):
        return []


def story(
    analysis: Any,
    df: pd.DataFrame,
    plan: pd.DataFrame | None,
    lang: str,
    currency: str | None,
    week_sheet: str,
) -> list[str]:
    """The sentences of the first sheet, in order (only those the data supports)."""
    lang = check_lang(lang)
    out = []
    best = best_customers(df, lang, currency)
    if best:
        out.append(best)
    out += slipping_away(df, lang, currency)
    week = this_week(plan, lang, currency, week_sheet)
    out.append(week or label("story.no_plan", lang))
    out += reliability_sentences(analysis, lang)
    return out
