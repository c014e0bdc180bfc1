"""xlsegment's cell functions (SEG_...) for xlwings Server: one module, shared with classic Excel and Lite."""

from xlsegment.excel.functions import *  # noqa: F403
