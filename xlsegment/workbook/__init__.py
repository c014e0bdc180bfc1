"""openpyxl writer of the headless segmented workbook (`xlsegment build`)."""

from __future__ import annotations

from xlsegment.workbook.safety import WorkbookError, audit_workbook
from xlsegment.workbook.writer import build_workbook, save_atomic, write_workbook

__all__ = ["WorkbookError", "audit_workbook", "build_workbook", "save_atomic", "write_workbook"]
