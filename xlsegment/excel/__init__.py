"""xlwings adapters: cell functions, one-click scripts, the classic add-in, xlwings Server and Lite projects.

`import xlsegment.excel` also exposes every SEG_ function and `main()`: the classic add-in file is named
`xlsegment.excel.xlam`, and xlwings' ribbon callback runs `import xlsegment.excel; xlsegment.excel.main()`,
while "Import Functions" imports the UDFs from the module of the same name.
"""

from __future__ import annotations

from xlsegment.excel.addin import main
from xlsegment.excel.functions import *  # noqa: F403  (the SEG_ functions, for xlwings' UDF import)
from xlsegment.excel.functions import __all__ as _functions

__all__ = ["main", *_functions]
