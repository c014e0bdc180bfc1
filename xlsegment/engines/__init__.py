"""Engines that run the ledger queries of `xlsegment/sql/`: DuckDB in-process (the default) and Apache Spark.

Every engine offers the same two operations over the same SQL text (written once, in DuckDB's dialect, and
translated for Spark by SQLGlot): define a named view, and fetch a query's result as a pandas DataFrame.
`xlsegment.summary` drives them; adding an engine is one module with those two methods.
"""

from __future__ import annotations

from typing import Protocol

import pandas as pd

ENGINES = ("duckdb", "spark")


class Engine(Protocol):
    """What the summary needs of an engine: views over the ledger and results as pandas frames."""

    def view(self, name: str, sql: str) -> None:
        """Define (or replace) the view `name` as the DuckDB-dialect query `sql`."""

    def fetch(self, sql: str) -> pd.DataFrame:
        """Run the DuckDB-dialect query `sql` and return its rows."""


def check_engine(engine: str) -> str:
    """The engine name, lower-cased, or a ValueError listing the engines."""
    name = str(engine).lower()
    if name not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)} (got {engine!r})")
    return name
