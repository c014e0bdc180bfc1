"""Apache Spark: the same summary queries when one machine is not enough.

The queries are the DuckDB-dialect files of `xlsegment/sql/`, translated to Spark SQL by SQLGlot. The ledger
is a Spark DataFrame, a Parquet file or folder (read by Spark, so it may live on a cluster's storage), or the
canonical transactions as a pandas frame; only the per-customer summary comes back to the driver.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from ..columns import CONTACT_COLUMNS
from .queries import to_spark

LOCAL_CONFIG = {
    "spark.sql.shuffle.partitions": "4",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}


def local_session(cores: int | str = "*") -> object:
    """A local SparkSession (needs Java): what `--engine spark` uses when no session is given."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(f"local[{cores}]").appName("xlsegment")
    for key, value in LOCAL_CONFIG.items():
        builder = builder.config(key, value)
    with _quiet():
        session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")  # the JVM's warnings are not the user's business
    return session


class SparkEngine:
    """Views and queries on a SparkSession."""

    def __init__(self, session: object) -> None:
        self.session = session

    def view(self, name: str, sql: str) -> None:
        self.session.sql(to_spark(sql)).createOrReplaceTempView(name)

    def fetch(self, sql: str) -> pd.DataFrame:
        with _quiet():
            return self.session.sql(to_spark(sql)).toPandas()


@contextmanager
def _quiet() -> Iterator[None]:
    """PySpark warns on every pandas 3 conversion that it 'does not yet fully support' it; the tests show
    the summaries are equal, so the warning is noise to the user."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=FutureWarning)
        yield


def _spark_frame(session: object, transactions: object) -> object:
    """The ledger as a Spark DataFrame: given as one, read from Parquet, or sent from pandas."""
    if isinstance(transactions, pd.DataFrame):
        frame = transactions.reset_index(drop=True)
        frame.attrs = {}  # Spark would try to store them as JSON (the quality report is not JSON)
        for key in ("customer_id", "order_id", "category"):
            if key in frame and isinstance(frame[key].dtype, pd.CategoricalDtype):
                frame[key] = frame[key].astype(object)
        with _quiet():
            return session.createDataFrame(frame)
    if isinstance(transactions, str | Path):
        return session.read.parquet(str(transactions))
    return transactions  # a Spark DataFrame


@contextmanager
def spark_engine(transactions: object, session: object = None) -> Iterator[tuple[SparkEngine, set[str]]]:
    """The engine with the view `transactions` over the ledger, and the ledger's columns."""
    from pyspark.sql import functions

    session = session or local_session()
    frame = _spark_frame(session, transactions)
    present = set(frame.columns)
    if present & set(CONTACT_COLUMNS):  # ties between contact details go to the later line
        frame = frame.withColumn("line", functions.monotonically_increasing_id())
        present.add("line")
    frame = frame.cache()  # every query reads the ledger: scan it once
    frame.createOrReplaceTempView("transactions")
    try:
        yield SparkEngine(session), present
    finally:
        frame.unpersist()
        for name in ("transactions", "ledger", "lines", "orders", "customer_days"):
            session.catalog.dropTempView(name)
