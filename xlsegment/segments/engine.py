"""segment(): every classification of the customer summary at once, with the rules actually used.

Returns the summary's columns plus a code column and a `<column>_label` column per classification
(docs/architecture.md); `attrs["segment_rules"]` holds thresholds, ranges, medians and rule texts as
plain Python values, and `segment_rules_table()` lays them out for a rules sheet.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from xlsegment.errors import ConfigError
from xlsegment.labels import check_lang, label
from xlsegment.segments.abc import ABC_CODES, PARETO_CODES, abc_codes, pareto_codes, ranked_order
from xlsegment.segments.behaviour import BEHAVIOUR_CODES, BUYER_CODES, behaviour_codes, buyer_codes
from xlsegment.segments.bounds import bounded_summary
from xlsegment.segments.codes import categorical, labelled, unique_from_descending
from xlsegment.segments.config import SegmentConfig, SegmentWarning, numbers, require
from xlsegment.segments.consistency import FORMER_MAX_R_SCORE, cap_recency_score
from xlsegment.segments.rfm import _frat_code, _rfm, recency_days, rfm_code_column, score_dimension
from xlsegment.segments.rules import apply_rule_table, as_rule_table
from xlsegment.segments.types import TYPE_CODES, type_codes
from xlsegment.segments.value import value_codes
from xlsegment.shared import SharedDict

CODE_COLUMNS = ("abc", "pareto", "buyer_status", "rfm_segment", "lifecycle", "behaviour", "customer_type")
CLASSIFICATIONS = (
    "abc",
    "pareto",
    "buyer_status",
    "rfm",
    "rfm_segment",
    "lifecycle",
    "frat",
    "behaviour",
    "value_score",
    "customer_type",
)
# what each classification needs computed first
_NEEDS = {
    "rfm_segment": ("rfm",),
    "lifecycle": ("rfm",),
    "frat": ("rfm",),
    "customer_type": ("abc", "behaviour", "value_score"),
}


def wanted_classifications(chosen: Any = None) -> list[str]:
    """The classifications to compute, in canonical order, with those they depend on (None = all)."""
    if chosen is None:
        return list(CLASSIFICATIONS)
    names = [chosen] if isinstance(chosen, str) else list(chosen)
    unknown = [c for c in names if c not in CLASSIFICATIONS]
    if unknown:
        raise ConfigError(f"unknown classifications {unknown}; choose among {', '.join(CLASSIFICATIONS)}")
    wanted = set(names)
    for name in names:
        wanted.update(_NEEDS.get(name, ()))
    return [c for c in CLASSIFICATIONS if c in wanted]


def required_columns(cfg: SegmentConfig, wanted: list[str]) -> list[str]:
    """Summary columns the chosen classifications read."""
    cols: list[str] = []
    if "abc" in wanted or "pareto" in wanted:
        cols.append(cfg.abc_by)
    if "buyer_status" in wanted or "behaviour" in wanted:
        cols += ["orders", "orders_12m"]
    if "rfm" in wanted:
        cols += list(cfg.rfm_columns)
    if "behaviour" in wanted:
        cols += ["recency", cfg.heavy_by]
    return list(dict.fromkeys(cols))


def segment(
    summary: pd.DataFrame,
    config: SegmentConfig | Mapping[str, Any] | None = None,
    lang: str = "en",
    **options: Any,
) -> pd.DataFrame:
    """Classify every customer of the summary: ABC, Pareto, buyer status, RFM (+ FRAT when categories are
    known), named RFM and lifecycle segments, behaviour class, value score and customer type.

    `config` is a SegmentConfig or a dict of its fields; keyword `options` override single fields.
    The input is never modified; the result keeps its index and row order.
    """
    lang = check_lang(lang)
    cfg = SegmentConfig.from_options(config, **options)
    wanted = wanted_classifications(cfg.classifications)
    require(summary, required_columns(cfg, wanted), "segment")
    summary = bounded_summary(summary, lang)  # noise, return rates over 100 %, negative nets: said why
    rules: dict[str, Any] = {
        "config": _plain_config(cfg),
        "customers": len(summary),
        "classifications": wanted,
    }
    collected: list[str] = []
    new: dict[str, Any] = {}

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SegmentWarning)
        if "abc" in wanted or "pareto" in wanted:
            revenue = numbers(summary, cfg.abc_by)
            ranked = ranked_order(revenue)
            abc, rules["abc"] = abc_codes(revenue, cfg.abc_thresholds, ranked)
            if "abc" in wanted:
                new["abc"] = categorical(abc, ABC_CODES)
            if "pareto" in wanted:
                pareto, rules["pareto"] = pareto_codes(revenue, cfg.pareto_shares, ranked)
                new["pareto"] = categorical(pareto, PARETO_CODES)
        if "buyer_status" in wanted:
            status, rules["buyer_status"] = buyer_codes(summary, cfg.regular_min_orders_12m)
            new["buyer_status"] = categorical(status, BUYER_CODES)

        if "rfm" in wanted:
            known = {}
            if cfg.rfm_columns[2] == cfg.abc_by and ("abc" in wanted or "pareto" in wanted):
                known["monetary"] = unique_from_descending(revenue, ranked[0])
            (r, f, m), rules["rfm"] = _rfm(
                summary, cfg.rfm_bins, cfg.rfm_method, cfg.rfm_breaks, cfg.rfm_columns, known
            )
            # consistency rule 1: a customer silent for over former_months is never scored as recent
            r = cap_recency_score(r, recency_days(summary), cfg.former_months)
            rules["rfm"]["former_max_r_score"] = FORMER_MAX_R_SCORE
            new.update(r_score=r, f_score=f, m_score=m, rfm_code=rfm_code_column(r, f, m))
            n_scores = tuple(rules["rfm"]["n_scores"])
            for name, table in (("rfm_segment", cfg.rfm_table), ("lifecycle", cfg.lifecycle_table)):
                if name in wanted:
                    codes, rules[name] = apply_rule_table(r, f, m, as_rule_table(table), n_scores)
                    new[name] = codes

        if "frat" in wanted:
            if "n_categories" in summary.columns and np.isfinite(numbers(summary, "n_categories")).all():
                method = "quantile" if cfg.rfm_method == "fixed" else cfg.rfm_method
                t, t_info = score_dimension(
                    numbers(summary, "n_categories"), cfg.rfm_bins, method, name="type"
                )
                new["t_score"] = t
                new["frat_code"] = _frat_code(pd.Series(new["rfm_code"]), t)
                rules["frat"] = {**t_info, "column": "n_categories"}
            else:
                rules["frat"] = {"absent": "no product category in the ledger"}

        if "behaviour" in wanted:
            behaviour, rules["behaviour"] = behaviour_codes(
                summary, cfg.former_months, cfg.heavy_by, cfg.regular_min_orders_12m
            )
            new["behaviour"] = categorical(behaviour, BEHAVIOUR_CODES)
        if "value_score" in wanted:
            score, rules["value_score"] = value_codes(summary, cfg.value_weights)
            new["value_score"] = score
        if "customer_type" in wanted:
            types, _, rules["customer_type"] = type_codes(
                summary,
                abc,
                behaviour,
                score,
                cfg.key_min_score,
                cfg.high_potential_min_score,
                cfg.losing_max_score,
                cfg.losing_return_rate,
                cfg.losing_contacts_per_order,
            )
            new["customer_type"] = categorical(types, TYPE_CODES)
    for w in caught:
        collected.append(str(w.message))
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    rules["warnings"] = collected

    columns = pd.DataFrame(new, index=summary.index)
    ordered: dict[str, pd.Series] = {}
    for name in columns.columns:
        ordered[name] = columns[name]
        if name in CODE_COLUMNS:
            custom = rules.get(name, {}).get("labels") if name in ("rfm_segment", "lifecycle") else None
            ordered[f"{name}_label"] = labelled(columns[name], name, lang, custom)
    added = pd.DataFrame(ordered, index=summary.index)
    base = summary.drop(columns=[c for c in added.columns if c in summary.columns])
    result = pd.concat([base, added], axis=1)
    result.attrs = {**summary.attrs, "segment_rules": SharedDict(rules), "lang": lang}
    return result


def _plain_config(cfg: SegmentConfig) -> dict[str, Any]:
    """The config as plain values (rule tables given as DataFrames are named, not copied)."""
    out = {}
    for fld in dataclasses.fields(cfg):
        value = getattr(cfg, fld.name)
        if isinstance(value, pd.DataFrame):
            value = str(value.attrs.get("source", "DataFrame"))
        elif isinstance(value, tuple):
            value = list(value)
        out[fld.name] = value
    return out


def relabel(segmented: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The same segmented customers with every `<column>_label` column in another language."""
    lang = check_lang(lang)
    rules = segmented.attrs.get("segment_rules", {})
    out = segmented.copy()
    for name in CODE_COLUMNS:
        if name in out.columns:
            custom = rules.get(name, {}).get("labels") if name in ("rfm_segment", "lifecycle") else None
            out[f"{name}_label"] = labelled(out[name], name, lang, custom)
    out.attrs = {**segmented.attrs, "lang": lang}
    return out


def segment_rules_table(segmented: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The rules actually applied, one row per item (classification, item, value), for a rules sheet."""
    lang = check_lang(lang)
    rules = segmented.attrs.get("segment_rules")
    if not rules:
        raise ValueError(
            "segment_rules_table needs the output of segment() (its attrs['segment_rules'] is missing)"
        )
    rows: list[tuple[str, str, str]] = []

    def add(key: str, item: str, value: Any) -> None:
        rows.append((label(f"classification.{key}", lang), item, str(value)))

    if "abc" in rules:
        add("abc", "thresholds", " / ".join(f"{t:.0%}" for t in rules["abc"]["thresholds"]))
    for part in ("abc", "pareto"):
        if part not in rules or part not in segmented.columns:
            continue
        info = rules[part]
        for i, code in enumerate(info["classes"]):
            add(
                part,
                label(f"{part}.{code}", lang),
                f"{info['customers'][i]} ({info['customer_share'][i]:.1%}), "
                f"{info['revenue'][i]:,.2f} ({info['revenue_share'][i]:.1%})",
            )
    if "buyer_status" in rules:
        add("buyer_status", "rule", rules["buyer_status"]["rule"])
    if "rfm" in rules:
        rfm = rules["rfm"]
        add("rfm", "method", label(f"method.{rfm['method']}", lang))
        for dim, info in rfm["dimensions"].items():
            for score, rng in enumerate(info["ranges"], start=1):
                text = (
                    "-"
                    if rng is None
                    else (f"{rng[0]:g}" if rng[0] == rng[1] else f"{rng[0]:g} - {rng[1]:g}")
                )
                add("rfm", f"{dim} {score} ({info['column']})", text)
            if info.get("breaks"):
                add("rfm", f"{dim} breaks", ", ".join(f"{b:g}" for b in info["breaks"]))
        for text in rfm["warnings"]:
            add("rfm", "warning", text)
    for name in ("rfm_segment", "lifecycle"):
        if name not in rules:
            continue
        info = rules[name]
        add(name, "table", info["source"])
        for rule in info["rules"]:
            add(
                name,
                label(f"{name}.{rule['code']}", lang),
                f"R{rule['r_min']}-{rule['r_max']} F{rule['f_min']}-{rule['f_max']} M{rule['m_min']}-{rule['m_max']}",
            )
        add(name, "check", info["check"])
    if "frat" in rules and "absent" not in rules["frat"]:
        add("frat", "type", "n_categories")
    if "behaviour" in rules:
        add("behaviour", "rule", rules["behaviour"]["rule"])
    if "value_score" in rules:
        value = rules["value_score"]
        add("value_score", "weights", ", ".join(f"{k} {w:g}" for k, w in value["weights"].items()))
        add("value_score", "signals", ", ".join(label(f"signal.{s}", lang) for s in value["signals"]) or "-")
        add("value_score", "absent", ", ".join(label(f"signal.{s}", lang) for s in value["absent"]) or "-")
    if "customer_type" in rules:
        add("customer_type", "rule", rules["customer_type"]["rule"])
    return pd.DataFrame(rows, columns=["classification", "item", "value"])
