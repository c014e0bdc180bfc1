"""xlsegment's buttons (segment, refresh, mailing, settings) for xlwings Server."""

from xlsegment.excel.scripts import *  # noqa: F403
