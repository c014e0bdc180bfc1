"""The core must stay importable in Pyodide (xlwings Lite): pandas, numpy, scipy, duckdb and the standard library
only (pyarrow is used when present, never required)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

CORE_MODULES = [
    "xlsegment",
    "xlsegment.ledger",
    "xlsegment.summary",
    "xlsegment.segments",
    "xlsegment.clv",
    "xlsegment.lapse",
    "xlsegment.actions",
    "xlsegment.pipeline",
    "xlsegment.settings",
    "xlsegment.report",
]
FORBIDDEN = ["openpyxl", "xlwings", "xlsxwriter", "pyarrow", "lifetimes", "matplotlib", "httpx", "uvicorn"]


def test_core_imports_and_runs_without_excel_libraries():
    code = textwrap.dedent(
        f"""
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in {FORBIDDEN!r}:
                    raise ImportError("blocked in this test: " + name)
                return None
        sys.meta_path.insert(0, Block())
        import importlib
        for module in {CORE_MODULES!r}:
            importlib.import_module(module)
        import xlsegment as xs
        from xlsegment.ledger import sample_ledger_path
        analysis = xs.analyze(sample_ledger_path(), settings={{"clv": {{"predictive": False}}}})
        print(len(analysis.customers))
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2000"


def test_the_commands_start_without_scipy_stats():
    """scipy.stats costs about 0.9 s to import: only measuring a campaign needs it, so no command loads it
    at start (issue 15: imports only what a command needs)."""
    code = textwrap.dedent(
        """
        import sys
        import xlsegment, xlsegment.cli, xlsegment.pipeline, xlsegment.overtime.sheets, xlsegment.overtime.campaign
        print(sorted(m for m in sys.modules if m.startswith("scipy.stats")))
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
