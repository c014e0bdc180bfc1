"""The SQL of the ledger summary, one `.sql` file per query in `xlsegment/sql/`, with its parameters filled in.

Queries name their parameters `$as_of`, `$window_days`, ...; `query` replaces each by a SQL literal of the
value given (dates, numbers: values the package computes, never user text), so the same text runs as a view
definition in DuckDB and, translated by SQLGlot, in Spark.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from importlib import resources

_PARAMETER = re.compile(r"\$([a-z_]+)")


@functools.cache
def _text(name: str) -> str:
    return resources.files("xlsegment").joinpath("sql", f"{name}.sql").read_text(encoding="utf-8")


def _literal(value: object) -> str:
    if isinstance(value, dt.date):  # pandas Timestamps are datetimes, datetimes are dates
        return f"DATE '{value:%Y-%m-%d}'"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"no SQL literal for {value!r}")
    if isinstance(value, float):  # a bare 7.0 is a DECIMAL in Spark SQL
        return f"CAST({value!r} AS DOUBLE)"
    return repr(value)


def query(name: str, **parameters: object) -> str:
    """The text of `xlsegment/sql/<name>.sql` with its `$parameters` replaced by literals."""

    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in parameters:
            raise KeyError(f"query {name} needs the parameter {key}")
        return _literal(parameters[key])

    return _PARAMETER.sub(fill, _text(name))


@functools.cache
def to_spark(sql: str) -> str:
    """The DuckDB-dialect `sql` in Spark SQL (SQLGlot)."""
    import sqlglot

    return sqlglot.transpile(sql, read="duckdb", write="spark")[0]
