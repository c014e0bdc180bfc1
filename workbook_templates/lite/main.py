"""xlsegment in xlwings Lite: paste this into the Lite editor's main.py (requirements.txt alongside).

The same cell functions (=SEG_SUMMARY, =SEG_RFM, =SEG_ABC, ...) and buttons (segment, refresh, mailing,
settings) as classic Excel and xlwings Server: they come from the xlsegment package, which Lite installs
with pandas, numpy and scipy from Pyodide. Lite registers what this module holds, so the names are
re-exported here.
"""

from xlsegment.excel.functions import *  # noqa: F403  (every SEG_ function)
from xlsegment.excel.scripts import mailing, refresh, segment, settings  # noqa: F401  (the buttons)
