"""xlwings-server's start-up hook (it loads this file by itself): refuse to serve with an example secret key."""

from xlsegment.excel.server import lifespan  # noqa: F401
