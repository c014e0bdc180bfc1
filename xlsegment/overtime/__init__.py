"""Over time: where customers moved between two dates, how each cohort holds, and whether the actions worked.

Every view reuses the ordinary pipeline (summary and segmentation at a date, purchase occasions), so its
numbers agree with the workbook built at each date.
"""

from xlsegment.overtime.campaign import (
    CampaignResult,
    campaign_file,
    campaign_of,
    measure_campaign,
    read_campaign,
    write_campaign,
)
from xlsegment.overtime.cohorts import Cohorts, Retention, cohorts, yearly_retention
from xlsegment.overtime.holdout import HOLDOUT_SEED, HOLDOUT_SHARE, control_group, hold_out, plan_note
from xlsegment.overtime.migration import GONE, NEW, Migration, migration, segment_at, segment_rank

__all__ = [
    "HOLDOUT_SEED",
    "HOLDOUT_SHARE",
    "CampaignResult",
    "campaign_file",
    "campaign_of",
    "control_group",
    "plan_note",
    "hold_out",
    "measure_campaign",
    "read_campaign",
    "write_campaign",
    "GONE",
    "NEW",
    "Cohorts",
    "Migration",
    "Retention",
    "cohorts",
    "migration",
    "segment_at",
    "segment_rank",
    "yearly_retention",
]
