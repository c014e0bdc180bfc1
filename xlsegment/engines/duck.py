"""DuckDB in-process: the default engine, on a pandas ledger or straight from Parquet and CSV files.

Each summary gets its own in-memory database whose spill folder (used past `memory_limit`) is a private
temporary folder removed afterwards, so a large ledger never leaves files behind.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd


class DuckEngine:
    """Views and queries on one DuckDB connection."""

    def __init__(self, connection: object) -> None:
        self.connection = connection

    def register(self, name: str, frame: object) -> None:
        """Make a pandas DataFrame (or Arrow table) queryable as `name`, without copying it."""
        self.connection.register(name, frame)

    def view(self, name: str, sql: str) -> None:
        self.connection.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {sql}")

    def fetch(self, sql: str) -> pd.DataFrame:
        return self.connection.execute(sql).df()


@contextmanager
def connect(memory_limit: str | None = None, threads: int | None = None) -> Iterator[DuckEngine]:
    """A fresh in-memory DuckDB; `memory_limit` like "2GB" caps its memory (it spills to disk beyond)."""
    import duckdb

    spill = tempfile.mkdtemp(prefix="xlsegment-duckdb-")
    config: dict[str, object] = {"temp_directory": spill}
    if memory_limit:
        config["memory_limit"] = str(memory_limit)
    if threads:
        config["threads"] = int(threads)
    try:
        connection = duckdb.connect(":memory:", config=config)
    except duckdb.Error as err:
        shutil.rmtree(spill, ignore_errors=True)
        raise ValueError(f"DuckDB refused the settings {config}: {err}") from err
    try:
        yield DuckEngine(connection)
    finally:
        connection.close()
        shutil.rmtree(spill, ignore_errors=True)
