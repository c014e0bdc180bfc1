"""Segmentation engine: ABC/Pareto, buyer status, RFM/FRAT, named segments, behaviour classes, value score
and customer types, each with its rule written down (rules/*.csv) and explained per customer.
"""

from xlsegment.segments.abc import abc_classes, class_shares, pareto_20_40
from xlsegment.segments.behaviour import behaviour_classes, buyer_status
from xlsegment.segments.config import SegmentConfig, SegmentWarning
from xlsegment.segments.engine import relabel, segment, segment_rules_table
from xlsegment.segments.explain import explain, explain_text
from xlsegment.segments.rfm import frat_scores, rfm_scores
from xlsegment.segments.rules import RuleCheck, check_rule_table, load_rule_table, named_segments
from xlsegment.segments.types import customer_types
from xlsegment.segments.value import value_score

__all__ = [
    "RuleCheck",
    "SegmentConfig",
    "SegmentWarning",
    "abc_classes",
    "behaviour_classes",
    "buyer_status",
    "check_rule_table",
    "class_shares",
    "customer_types",
    "explain",
    "explain_text",
    "frat_scores",
    "load_rule_table",
    "named_segments",
    "pareto_20_40",
    "relabel",
    "rfm_scores",
    "segment",
    "segment_rules_table",
    "value_score",
]
