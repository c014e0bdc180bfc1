"""DuckDB in-process: the default engine, on a pandas ledger or straight from Parquet and CSV files.

Each summary gets its own in-memory database whose spill folder (used past `memory_limit`) is a private
temporary folder removed afterwards, so a large ledger never leaves files behind.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from ..errors import ConfigError, say


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
        import duckdb

        try:
            return _frame(self.connection.sql(sql))
        except duckdb.OutOfMemoryException as err:
            limit = self.connection.execute("SELECT current_setting('memory_limit')").fetchone()[0]
            first_line = str(err).splitlines()[0]
            raise MemoryError(say("engine.out_of_memory", limit=limit, error=first_line)) from err


def _frame(relation: object) -> pd.DataFrame:
    """A query's rows as a pandas frame, streamed: DuckDB hands over batches instead of first materialising
    the whole result inside its memory limit (ten million customers' summary is a result of gigabytes), and
    each Arrow column is freed as soon as pandas has its copy."""
    try:
        import pyarrow  # noqa: F401  (streaming hands over Arrow batches)
    except ImportError:
        return relation.df()
    # to_arrow_reader since DuckDB 1.4; DuckDB 1.1 (xlwings Lite on Pyodide 0.27.5) names it fetch_arrow_reader
    reader = relation.to_arrow_reader if hasattr(relation, "to_arrow_reader") else relation.fetch_arrow_reader
    table = reader(1 << 20).read_all()
    return table.to_pandas(self_destruct=True, split_blocks=True, date_as_object=False)


def parquet_source(path: Path) -> str:
    """SQL reading a Parquet file, or every Parquet file under a folder (hive partitions `year=2024/` become
    columns), straight from disk: DuckDB streams it, so the ledger may exceed memory. `line` numbers the
    rows of each file (it only breaks ties between contact details of one day)."""
    pattern = str(path / "**" / "*.parquet") if path.is_dir() else str(path)
    literal = "'" + pattern.replace("'", "''") + "'"
    return (
        "SELECT * EXCLUDE (file_row_number), file_row_number AS line "
        f"FROM read_parquet({literal}, hive_partitioning = true, file_row_number = true)"
    )


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
        raise ConfigError(say("engine.memory_limit_refused", limit=memory_limit, error=err)) from err
    connection.execute("SET enable_progress_bar = false")  # the CLI has its own; stdout is the user's
    connection.execute("SET preserve_insertion_order = false")  # results are ordered by the queries
    try:
        yield DuckEngine(connection)
    finally:
        connection.close()
        shutil.rmtree(spill, ignore_errors=True)
