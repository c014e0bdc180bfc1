"""xlsegment: classify customers from their own sales ledger, in Excel or headless.

The public names below are loaded lazily, so `import xlsegment` stays fast (and light in Pyodide)
and a layer that is not needed (CLV fitting, the workbook writer) is never imported.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # ledger and summary (xlsegment.ledger, xlsegment.summary)
    "read_transactions": "xlsegment.ledger",
    "LedgerError": "xlsegment.errors",
    "DataQuality": "xlsegment.quality",
    "summarize": "xlsegment.summary",
    # segmentation engine
    "segment": "xlsegment.segments",
    "SegmentConfig": "xlsegment.segments",
    "abc_classes": "xlsegment.segments",
    "pareto_20_40": "xlsegment.segments",
    "buyer_status": "xlsegment.segments",
    "rfm_scores": "xlsegment.segments",
    "frat_scores": "xlsegment.segments",
    "named_segments": "xlsegment.segments",
    "load_rule_table": "xlsegment.segments",
    "behaviour_classes": "xlsegment.segments",
    "value_score": "xlsegment.segments",
    "customer_types": "xlsegment.segments",
    "explain": "xlsegment.segments",
    "explain_text": "xlsegment.segments",
    "check_rule_table": "xlsegment.segments",
    "segment_rules_table": "xlsegment.segments",
    # lifetime value and lapse
    "simple_clv": "xlsegment.clv",
    "fit_bgnbd": "xlsegment.clv",
    "fit_gamma_gamma": "xlsegment.clv",
    "fit_mbgnbd": "xlsegment.clv",
    "fit_pareto_nbd": "xlsegment.clv",
    "predict_clv": "xlsegment.clv",
    "backtest": "xlsegment.clv",
    "clv_formula": "xlsegment.clv",
    "BGNBDResult": "xlsegment.clv",
    "GammaGammaResult": "xlsegment.clv",
    "MBGNBDResult": "xlsegment.clv",
    "ParetoNBDResult": "xlsegment.clv",
    "BacktestResult": "xlsegment.clv",
    "ModelWarning": "xlsegment.clv",
    "lapse_flags": "xlsegment.lapse",
    # actions
    "load_playbook": "xlsegment.actions",
    "plan_actions": "xlsegment.actions",
    "contact_plan": "xlsegment.actions",
    "mailing_lists": "xlsegment.actions",
    "budget_split": "xlsegment.actions",
    "loyalty_points": "xlsegment.actions",
    # over time: migration, cohorts, campaigns (xlsegment.overtime)
    "migration": "xlsegment.overtime",
    "cohorts": "xlsegment.overtime",
    "yearly_retention": "xlsegment.overtime",
    "hold_out": "xlsegment.overtime",
    "campaign_file": "xlsegment.overtime",
    "write_campaign": "xlsegment.overtime",
    "read_campaign": "xlsegment.overtime",
    "measure_campaign": "xlsegment.overtime",
    # the whole pipeline
    "analyze": "xlsegment.pipeline",
    "Analysis": "xlsegment.pipeline",
    "Settings": "xlsegment.settings",
    # reports
    "build_report": "xlsegment.report",
    "write_workbook": "xlsegment.workbook",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'xlsegment' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
