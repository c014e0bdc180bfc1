"""The Spark engine runs the same SQL as DuckDB (translated by SQLGlot) and must give the same summary, on a
local PySpark session: one per test run (module-scoped), 2 cores, few shuffle partitions, no UI."""

from __future__ import annotations

import shutil
import warnings

import pandas as pd
import pytest

from xlsegment.ledger import read_transactions
from xlsegment.summary import summarize

pytest.importorskip("pyspark")
pytest.importorskip("sqlglot")
if shutil.which("java") is None:
    pytest.skip(
        "the Spark engine needs a Java runtime (apt-get install default-jre-headless)",
        allow_module_level=True,
    )

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::FutureWarning")]


@pytest.fixture(scope="module")
def spark():
    from xlsegment.engines.spark import local_session

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        session = local_session(cores=2)
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _same(spark_summary: pd.DataFrame, duck_summary: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(spark_summary, duck_summary, check_exact=False, rtol=1e-12)
    assert spark_summary.attrs["quality"].excluded == duck_summary.attrs["quality"].excluded
    assert spark_summary.attrs["as_of"] == duck_summary.attrs["as_of"]


def test_cdnow_spark_equals_duckdb(spark, cdnow_sample) -> None:
    tx = read_transactions(cdnow_sample)
    duck = summarize(tx, as_of="1997-09-30", time_unit="W")
    on_spark = summarize(tx, as_of="1997-09-30", time_unit="W", engine="spark", spark=spark)
    _same(on_spark, duck)
    assert (on_spark["frequency"] > 0).sum() == 946


def test_online_retail_spark_equals_duckdb(spark, online_retail) -> None:
    tx = read_transactions(online_retail)
    duck = summarize(tx)
    on_spark = summarize(tx, engine="spark", spark=spark)
    _same(on_spark, duck)
    assert len(on_spark) == 4339
    assert round(on_spark["revenue"].sum(), 2) == 8_310_477.05


def test_a_parquet_ledger_and_a_spark_dataframe(spark, tmp_path, sample_ledger) -> None:
    # the canonical transactions written to Parquet, read by Spark itself (as on a cluster's storage)
    tx = read_transactions(sample_ledger)
    path = tmp_path / "ledger.parquet"
    canonical = tx.reset_index(drop=True)
    canonical.attrs = {}  # pandas writes attrs as JSON metadata; the data-quality report is not JSON
    canonical.to_parquet(path, coerce_timestamps="us")  # Spark reads micro-, not nanosecond timestamps
    duck = summarize(tx, time_unit="M")
    from_parquet = summarize(str(path), time_unit="M", engine="spark", spark=spark)
    pd.testing.assert_frame_equal(from_parquet, duck, check_exact=False, rtol=1e-12)
    frame = spark.read.parquet(str(path))
    from_frame = summarize(frame, time_unit="M", engine="spark", spark=spark)
    pd.testing.assert_frame_equal(from_frame, duck, check_exact=False, rtol=1e-12)
