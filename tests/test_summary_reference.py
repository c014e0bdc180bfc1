"""Reference checks of the summary against lifetimes on the CDNOW data (Fader & Hardie)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xlsegment.ledger import read_transactions
from xlsegment.summary import summarize


def _lifetimes_summary(path: Path, as_of: str) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from lifetimes.utils import summary_data_from_transaction_data
    raw = pd.read_csv(path, dtype={"customer_id": str})
    raw["date"] = pd.to_datetime(raw["date"])
    ref = summary_data_from_transaction_data(
        raw, "customer_id", "date", monetary_value_col="amount", observation_period_end=as_of, freq="D"
    )
    ref.index = ref.index.astype(str)
    return ref


def test_cdnow_sample_matches_lifetimes(cdnow_sample: Path) -> None:
    ours = summarize(read_transactions(cdnow_sample), as_of="1997-09-30", time_unit="W")
    ref = _lifetimes_summary(cdnow_sample, "1997-09-30")
    assert len(ours) == len(ref) == 2357
    assert sorted(ours.index) == sorted(ref.index)
    ref = ref.loc[ours.index]
    # lifetimes counts in days; its `recency` is the age at the last purchase, our t_x
    np.testing.assert_array_equal(ours["frequency"].to_numpy(), ref["frequency"].to_numpy())
    np.testing.assert_allclose(ours["t_x"].to_numpy(), ref["recency"].to_numpy() / 7, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours["T"].to_numpy(), ref["T"].to_numpy() / 7, rtol=0, atol=1e-12)
    np.testing.assert_allclose(
        ours["monetary_value"].to_numpy(), ref["monetary_value"].to_numpy(), atol=0.005
    )
    # the published figures: 6,919 lines merge into 6,696 occasions, 946 repeat buyers up to 1997-09-30
    assert (ours["frequency"] > 0).sum() == 946


def test_cdnow_sample_whole_period_occasions(cdnow_sample: Path) -> None:
    s = summarize(read_transactions(cdnow_sample))
    assert s["orders"].sum() == 6696
    raw = pd.read_csv(cdnow_sample)
    assert s["revenue"].sum() == pytest.approx(raw["amount"].sum())


def test_cdnow_master_keeps_leading_zeros(cdnow_master: Path) -> None:
    tx = read_transactions(cdnow_master)
    raw = pd.read_csv(cdnow_master, dtype=str)
    assert tx["customer_id"].iloc[0] == "00001"
    assert set(tx["customer_id"]) == set(raw["customer_id"])
    assert tx["customer_id"].str.len().eq(5).all()
    s = summarize(tx, as_of="1997-09-30", time_unit="W")
    assert len(s) == 23570
    assert s.index[0] == "00001"


def test_online_retail_published_counts(online_retail: Path) -> None:
    # UCI Online Retail: 541,909 lines, 135,080 without CustomerID, 4,372 customers; invoices 'C...' cancel
    tx = read_transactions(online_retail)
    quality = tx.attrs["quality"]
    assert quality.rows_read == 541_909
    assert quality.excluded == {"no_customer": 135_080}
    assert tx["customer_id"].nunique() == 4372
    assert tx.attrs["mapping"]["order_id"] == "InvoiceNo"
    cancelled = tx["order_id"].str.startswith("C")
    assert (tx.loc[cancelled, "amount"] <= 0).all() and tx.loc[cancelled, "returned"].all()
    s = summarize(tx)
    # customers whose every invoice is a cancellation have no purchase occasion
    assert len(s) + len(s.attrs["quality"].customers_only_returns) == 4372
    assert s["revenue"].sum() == pytest.approx(tx.loc[tx["customer_id"].isin(s.index), "amount"].sum())
