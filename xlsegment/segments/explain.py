"""explain(): why a customer is where it is, one sentence per classification, as text or as a dict.

Sentences are templates in rules/labels_segments.csv (keys explain.*, reason.*), filled with the
customer's own figures and the thresholds recorded by segment().
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xlsegment.labels import check_lang, label
from xlsegment.segments.abc import ABC_CODES
from xlsegment.segments.behaviour import BEHAVIOUR_CODES
from xlsegment.segments.codes import code_label
from xlsegment.segments.config import days_per_unit
from xlsegment.segments.rules import rescale
from xlsegment.segments.types import REASONS, type_codes


def _num(value: Any, lang: str, decimals: int = 0) -> str:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not np.isfinite(x):
        return "-"
    text = f"{x:,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",") if lang == "fr" else text


def _pct(value: float, lang: str) -> str:
    text = f"{value:.0%}"
    return text.replace("%", "\u00a0%") if lang == "fr" else text


def _orders(value: Any, lang: str) -> str:
    """ "1 order", "6 orders" ("0 commande", "1 commande", "6 commandes" in French)."""
    n = float(value)
    single = n <= 1 if lang == "fr" else n == 1
    return f"{_num(n, lang)} {label('word.order' if single else 'word.orders', lang)}"


def _say(key: str, lang: str, **fields: Any) -> str:
    return label(key, lang).format(**fields)


def explain(
    segmented: pd.DataFrame, customer_id: Any, lang: str = "en", *, as_dict: bool = False
) -> str | dict[str, str]:
    """Why one customer of `segment()`'s result is where it is, as text to read (a heading, then one line per
    classification: its name and the sentence with the customer's figures and the thresholds), or with
    `as_dict=True` as {classification: sentence}."""
    sentences = explanations(segmented, customer_id, lang)
    if as_dict:
        return sentences
    lang = check_lang(lang)
    lines = [label("explain.heading", lang).format(customer=customer_id)]
    lines += [f"- {label(f'classification.{name}', lang)} — {text}" for name, text in sentences.items()]
    return "\n".join(lines)


@dataclass
class _Customer:
    """One customer's row with what every sentence needs: the rules segment() recorded and the language."""

    segmented: pd.DataFrame
    key: Any
    row: pd.Series
    rules: dict
    lang: str

    def has(self, name: str, column: str | None = None) -> bool:
        return name in self.rules and (column or name) in self.segmented.columns

    def label_of(self, classification: str) -> str:
        custom = self.rules.get(classification, {}).get("labels")
        return code_label(classification, str(self.row[classification]), self.lang, custom)

    @property
    def days(self) -> float:
        """Days since the last purchase (NaN without recency)."""
        if "recency" not in self.segmented.columns:
            return float("nan")
        return float(self.row["recency"]) * days_per_unit(self.segmented)


def _customer(segmented: pd.DataFrame, customer_id: Any, lang: str) -> _Customer:
    rules = segmented.attrs.get("segment_rules")
    if not rules:
        raise ValueError("explain needs the output of segment() (its attrs['segment_rules'] is missing)")
    key = customer_id
    if key not in segmented.index:
        key = str(customer_id)
        if key not in segmented.index:
            raise KeyError(f"customer {customer_id!r} is not in the segmented customers")
    row = segmented.loc[key]
    if isinstance(row, pd.DataFrame):
        row = row.iloc[0]
    return _Customer(segmented, key, row, rules, lang)


def _abc(c: _Customer) -> str:
    abc = c.rules["abc"]
    low = abc["lowest_revenue"]
    return _say(
        "explain.abc",
        c.lang,
        label=c.label_of("abc"),
        revenue=_num(c.row["revenue"], c.lang, 2),
        low_a=_num(low[0], c.lang, 2),
        low_b=_num(low[1], c.lang, 2),
        t_a=_pct(abc["thresholds"][0], c.lang),
        t_b=_pct(abc["thresholds"][1], c.lang),
    )


def _pareto(c: _Customer) -> str:
    rank = int((c.segmented["revenue"] > c.row["revenue"]).sum()) + 1
    return _say(
        "explain.pareto",
        c.lang,
        label=c.label_of("pareto"),
        rank=_num(rank, c.lang),
        n=_num(len(c.segmented), c.lang),
    )


def _buyer_status(c: _Customer) -> str:
    return _say(
        "explain.buyer_status",
        c.lang,
        label=c.label_of("buyer_status"),
        orders=_orders(c.row["orders"], c.lang),
        orders_12m=_orders(c.row["orders_12m"], c.lang),
        min_orders=_orders(c.rules["buyer_status"]["regular_min_orders_12m"], c.lang),
    )


def _rfm(c: _Customer) -> dict[str, str]:
    """The RFM scores sentence, then the rule tables built on them (RFM segment, lifecycle)."""
    rfm = c.rules["rfm"]
    dims = rfm["dimensions"]
    row, lang = c.row, c.lang
    r, f, m = int(row["r_score"]), int(row["f_score"]), int(row["m_score"])
    frequency = row[dims["frequency"]["column"]]
    out = {
        "rfm": _say(
            "explain.rfm",
            lang,
            code=row["rfm_code"],
            recency=_num(float(row[dims["recency"]["column"]]) * days_per_unit(c.segmented), lang),
            r=r,
            frequency=_orders(frequency, lang)
            if dims["frequency"]["column"] == "orders"
            else _num(frequency, lang, 2),
            f=f,
            monetary=_num(row[dims["monetary"]["column"]], lang, 2),
            m=m,
            method=label(f"method.{rfm['method']}", lang),
        )
    }
    for name in ("rfm_segment", "lifecycle"):
        if c.has(name):
            out[name] = _rule_sentence(
                name, c.rules[name], row[name], c.label_of(name), (r, f, m), tuple(rfm["n_scores"]), lang
            )
    return out


def _frat(c: _Customer) -> str:
    return _say(
        "explain.frat",
        c.lang,
        code=c.row["frat_code"],
        n_categories=_num(c.row.get("n_categories"), c.lang),
        t=int(c.row["t_score"]),
        main_category=c.row.get("main_category", "-"),
    )


def _behaviour(c: _Customer) -> str:
    beh = c.rules["behaviour"]
    if c.row["behaviour"] == "former":
        return _say(
            "explain.behaviour_former",
            c.lang,
            label=c.label_of("behaviour"),
            recency=_num(c.days, c.lang),
            former_days=_num(beh["former_days"], c.lang),
        )
    return _say(
        "explain.behaviour",
        c.lang,
        label=c.label_of("behaviour"),
        orders_12m=_orders(c.row["orders_12m"], c.lang),
        min_orders=_orders(beh["regular_min_orders_12m"], c.lang),
        heavy_by=label(f"word.{beh['heavy_by']}", c.lang),
        amount=_num(c.row[beh["heavy_by"]], c.lang, 2),
        median=_num(beh["median"], c.lang, 2),
    )


def _value_score(c: _Customer) -> str:
    value = c.rules["value_score"]
    none = label("explain.none", c.lang)
    return _say(
        "explain.value_score",
        c.lang,
        score=_num(c.row["value_score"], c.lang, 1),
        signals=", ".join(label(f"signal.{s}", c.lang) for s in value["signals"]) or none,
        absent=", ".join(label(f"signal.{s}", c.lang) for s in value["absent"]) or none,
    )


def _customer_type(c: _Customer) -> str:
    return _say(
        "explain.customer_type",
        c.lang,
        label=c.label_of("customer_type"),
        reason=_type_reason(c.segmented, c.key, c.rules, c.days, c.lang),
    )


# classification -> (column it needs besides the rules, sentence builder), in the order sentences are given
_SENTENCES: dict[str, tuple[str | None, Any]] = {
    "abc": (None, _abc),
    "pareto": (None, _pareto),
    "buyer_status": (None, _buyer_status),
    "rfm": ("r_score", _rfm),
    "frat": ("t_score", _frat),
    "behaviour": (None, _behaviour),
    "value_score": (None, _value_score),
    "customer_type": (None, _customer_type),
}


def explanations(segmented: pd.DataFrame, customer_id: Any, lang: str = "en") -> dict[str, str]:
    """{classification: sentence} for one customer of `segment()`'s result."""
    customer = _customer(segmented, customer_id, check_lang(lang))
    out: dict[str, str] = {}
    for name, (column, build) in _SENTENCES.items():
        if customer.has(name, column):
            said = build(customer)
            out.update(said if isinstance(said, dict) else {name: said})
    return out


def _rule_sentence(
    name: str, info: dict, code: Any, text: str, scores: tuple, n_scores: tuple, lang: str
) -> str:
    tn = int(info["n_scores"])
    r, f, m = (int(rescale(np.array([s]), k, tn)[0]) for s, k in zip(scores, n_scores, strict=True))
    for i, rule in enumerate(info["rules"], start=1):
        if (
            rule["r_min"] <= r <= rule["r_max"]
            and rule["f_min"] <= f <= rule["f_max"]
            and rule["m_min"] <= m <= rule["m_max"]
        ):
            ranges = f"R{rule['r_min']}-{rule['r_max']} F{rule['f_min']}-{rule['f_max']} M{rule['m_min']}-{rule['m_max']}"
            return _say(
                "explain.rule_match",
                lang,
                label=text,
                r=r,
                f=f,
                m=m,
                rule=i,
                source=info["source"],
                ranges=ranges,
            )
    return _say("explain.rule_none", lang, label=text, r=r, f=f, m=m, source=info["source"])


def _type_reason(segmented: pd.DataFrame, key: Any, rules: dict, days: float, lang: str) -> str:
    one = segmented.loc[[key]].iloc[:1]
    info = rules["customer_type"]
    abc = np.array([ABC_CODES.index(str(one["abc"].iloc[0]))])
    behaviour = np.array([BEHAVIOUR_CODES.index(str(one["behaviour"].iloc[0]))])
    score = one["value_score"].to_numpy(dtype="float64")
    _, reason, _ = type_codes(
        one,
        abc,
        behaviour,
        score,
        info["key_min_score"],
        info["high_potential_min_score"],
        info["losing_max_score"],
        info["losing_return_rate"],
        info["losing_contacts_per_order"],
    )
    name = REASONS[int(reason[0])]
    row = one.iloc[0]
    contacts = float(row.get("service_contacts", np.nan)) / max(float(row.get("orders", 1) or 1), 1.0)
    fields = {
        "margin_rate": _pct(float(row.get("margin_rate", np.nan)), lang) if "margin_rate" in one else "-",
        "return_rate": _pct(float(row.get("return_rate", np.nan)), lang) if "return_rate" in one else "-",
        "contacts": _num(contacts, lang, 1),
        "recency": _num(days, lang),
        "score": _num(row["value_score"], lang, 1),
        "limit": {
            "returns": _pct(info["losing_return_rate"], lang),
            "contacts": _num(info["losing_contacts_per_order"], lang, 1),
            "low_score": _num(info["losing_max_score"], lang),
            "key": _num(info["key_min_score"], lang),
            "high_score": _num(info["high_potential_min_score"], lang),
        }.get(name, ""),
    }
    return _say(f"reason.{name}", lang, **fields)


def explain_text(segmented: pd.DataFrame, customer_id: Any, lang: str = "en", sep: str = "\n") -> str:
    """explain() as one text, one sentence per line (for a cell or a tooltip)."""
    return sep.join(explanations(segmented, customer_id, lang).values())
