"""The BTYD-by-day columns (contract 1 of the team protocol) by hand, and the DuckDB engine: its settings, its
spill folder, its queries' parameters. The property test against a pandas reference is in
test_summary_properties.py."""

from __future__ import annotations

import os
import tempfile

import numpy as np
import pandas as pd
import pytest

from xlsegment.engines import check_engine
from xlsegment.engines.queries import query, to_spark
from xlsegment.errors import ConfigError, LedgerError
from xlsegment.ledger import read_transactions
from xlsegment.summary import purchase_occasions, summarize

# ---------------------------------------------------------------- BTYD inputs by purchase day, by hand


def test_purchase_days_merge_the_orders_of_one_day() -> None:
    tx = read_transactions(
        pd.DataFrame(
            {
                "customer": ["A", "A", "A", "A", "B"],
                "order": ["o1", "o2", "o3", "o4", "o5"],
                "date": ["2024-01-01", "2024-01-01", "2024-01-10", "2024-01-10", "2024-01-05"],
                "amount": [10.0, 20.0, 5.0, 7.0, 3.0],
            }
        )
    )
    s = summarize(tx, as_of="2024-01-31")
    a, b = s.loc["A"], s.loc["B"]
    assert (a["orders"], a["frequency"], a["purchase_days"], a["repeat_days"]) == (4, 3, 2, 1)
    # repeat occasions after the first (the smallest of Jan 1): 20, 5, 7; repeat days: Jan 10 = 12
    assert a["monetary_value"] == pytest.approx(32 / 3)
    assert a["repeat_day_value"] == 12.0
    assert (b["purchase_days"], b["repeat_days"], b["repeat_day_value"]) == (1, 0, 0.0)


def test_without_order_ids_days_and_occasions_agree(sample_ledger) -> None:
    tx = read_transactions(sample_ledger).drop(columns=["order_id"])
    s = summarize(tx)
    assert (s["repeat_days"] == s["frequency"]).all()
    np.testing.assert_allclose(s["repeat_day_value"], s["monetary_value"])


# ---------------------------------------------------------------- the engine


def test_duckdb_spills_to_a_private_folder_it_removes(sample_ledger, monkeypatch) -> None:
    # the folders this test's summaries made (other processes may be making theirs in the same /tmp)
    made: list[str] = []
    mkdtemp = tempfile.mkdtemp
    monkeypatch.setattr(tempfile, "mkdtemp", lambda **kw: made.append(mkdtemp(**kw)) or made[-1])
    tx = read_transactions(sample_ledger)
    small = summarize(tx, memory_limit="64MB")
    pd.testing.assert_frame_equal(small, summarize(tx))
    assert len(made) == 2 and all("xlsegment-duckdb-" in folder for folder in made)
    assert not any(os.path.exists(folder) for folder in made)


def test_a_bad_memory_limit_is_refused(sample_ledger) -> None:
    with pytest.raises(ConfigError, match="DuckDB refused the memory limit 'lots'"):
        summarize(read_transactions(sample_ledger), memory_limit="lots")


def test_unknown_engine() -> None:
    with pytest.raises(ValueError, match="engine must be one of duckdb, spark"):
        check_engine("polars")


def test_queries_fill_their_parameters_with_literals() -> None:
    sql = query("lines", as_of=pd.Timestamp("2024-03-01"))
    assert "DATE '2024-03-01'" in sql and "$" not in sql
    assert "CAST(7.0 AS DOUBLE)" in query("summary", window_days=365, days_per_unit=7.0, days_per_year=365.25)
    with pytest.raises(KeyError, match="needs the parameter as_of"):
        query("lines")
    assert "MAX_BY" in to_spark(query("summary", window_days=365, days_per_unit=1.0, days_per_year=365.25))


def test_hand_made_transactions_with_integer_keys() -> None:
    # a frame not from read_transactions: integer customers stay integers, in numeric order
    tx = pd.DataFrame(
        {
            "customer_id": [10, 9, 10],
            "date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-02"]),
            "amount": [1.0, 2.0, 3.0],
        }
    )
    s = summarize(tx)
    assert s.index.tolist() == [9, 10]
    assert s["orders"].tolist() == [1, 2]
    occasions = purchase_occasions(tx)
    assert occasions["customer_id"].tolist() == [9, 10, 10]
    assert occasions["amount"].tolist() == [2.0, 1.0, 3.0]


# ---------------------------------------------------------------- Parquet read by DuckDB itself


@pytest.fixture
def sample_transactions(sample_ledger) -> pd.DataFrame:
    return read_transactions(sample_ledger)


def _canonical(tx: pd.DataFrame) -> pd.DataFrame:
    out = tx.reset_index(drop=True)
    out.attrs = {}  # pandas writes attrs as JSON metadata; the data-quality report is not JSON
    return out


def test_a_parquet_file_is_summarised_without_pandas(tmp_path, sample_transactions) -> None:
    path = tmp_path / "ledger.parquet"
    _canonical(sample_transactions).to_parquet(path)
    s = summarize(path, time_unit="W")
    pd.testing.assert_frame_equal(s, summarize(sample_transactions, time_unit="W"))
    assert s.attrs["quality"].source == "ledger.parquet"
    assert s.attrs["quality"].rows_read == len(sample_transactions)


def test_a_hive_partitioned_folder(tmp_path, sample_transactions) -> None:
    tx = _canonical(sample_transactions)
    tx.assign(year=tx["date"].dt.year).to_parquet(tmp_path / "sales", partition_cols=["year"])
    assert len(list((tmp_path / "sales").glob("year=*"))) == 4
    s = summarize(tmp_path / "sales", as_of="2025-06-30")
    pd.testing.assert_frame_equal(s, summarize(sample_transactions, as_of="2025-06-30"))


def test_a_parquet_file_without_the_canonical_columns(tmp_path) -> None:
    path = tmp_path / "raw.parquet"
    pd.DataFrame({"Client": ["A"], "Montant": [1.0]}).to_parquet(path)
    with pytest.raises(
        LedgerError, match="raw.parquet: transactions lack the column.s. customer_id, date, amount"
    ):
        summarize(path)
    with pytest.raises(LedgerError, match="file not found"):
        summarize(tmp_path / "missing.parquet")


def test_the_command_line_sets_the_engine(tmp_path, capsys) -> None:
    from xlsegment.cli import main

    out = tmp_path / "sample.xlsx"
    assert (
        main(["build", "--sample", "-o", str(out), "--memory-limit", "512MB", "--engine", "duckdb", "-q"])
        == 0
    )
    assert out.exists()
    assert main(["build", "--sample", "-o", str(tmp_path / "x.xlsx"), "--memory-limit", "lots", "-q"]) == 2
    assert "DuckDB refused the memory limit 'lots'" in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists()
    assert main(["build", "--sample", "-o", str(tmp_path / "y.xlsx"), "--memory-limit", "1MB", "-q"]) == 2
    assert "needs more memory than" in capsys.readouterr().err


def test_running_out_of_the_memory_limit_says_what_to_do(sample_transactions) -> None:
    with pytest.raises(
        MemoryError, match=r"needs more memory than .*raise the limit \(--memory-limit\)"
    ) as caught:
        summarize(sample_transactions, memory_limit="1MB")
    assert "augmentez la limite" in caught.value.args[0].fr


def test_reports_in_attrs_are_shared_not_deep_copied(sample_transactions) -> None:
    # pandas deep-copies attrs at every step; the quality report and segment rules ride along as one object
    from xlsegment.segments import segment

    tx = sample_transactions
    assert tx[["amount"]].attrs["quality"] is tx.attrs["quality"]
    summary = summarize(tx)
    assert summary.attrs["quality"] is not tx.attrs["quality"]  # the summary reports on its own copy
    segmented = segment(summary)
    rules = segmented.attrs["segment_rules"]
    assert segmented[["rfm_segment"]].attrs["segment_rules"] is rules
    assert segmented["revenue"].attrs["quality"] is summary.attrs["quality"]


def test_a_contact_column_with_no_value_at_all(tmp_path) -> None:
    # found by the reader's CLI property test: an e-mail column whose only cell is empty
    path = tmp_path / "ventes.csv"
    path.write_text("client,date,montant,email\nC1,2024-01-05,12.50,", encoding="utf-8")
    s = summarize(read_transactions(path))
    assert s.loc["C1", "email"] is None or pd.isna(s.loc["C1", "email"])
    assert s.loc["C1", "revenue"] == 12.5


def test_arrow_memory_comes_from_the_system_allocator_only_during_a_call(sample_ledger) -> None:
    import pyarrow as pa

    from xlsegment.memory import system_arrow_memory

    before = pa.default_memory_pool().backend_name
    with pytest.raises(ValueError), system_arrow_memory():
        assert pa.default_memory_pool().backend_name == "system"
        raise ValueError("the caller's allocator comes back even after an error")
    assert pa.default_memory_pool().backend_name == before
    summarize(read_transactions(sample_ledger))
    assert pa.default_memory_pool().backend_name == before


def test_main_category_ties_go_to_the_first_name_even_from_an_unsorted_categorical() -> None:
    tx = pd.DataFrame(
        {
            "customer_id": ["A", "A", "B"],
            "date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"]),
            "amount": [10.0, 10.0, 5.0],
            "category": pd.Categorical(["zinc", "apple", "zinc"], categories=["zinc", "apple"]),
        }
    )
    s = summarize(tx)
    assert s.loc["A", "main_category"] == "apple" and s.loc["A", "n_categories"] == 2
