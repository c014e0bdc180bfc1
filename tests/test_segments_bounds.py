"""Out-of-range summary values are clipped or flagged with a reason before customers are classified."""

from __future__ import annotations

import inspect

import pandas as pd
import pytest

import xlsegment as xs
from xlsegment.segments.bounds import bounded_summary
from xlsegment.summary import DEFAULT_TIME_UNIT


def ledger(rows):
    frame = pd.DataFrame(rows, columns=["customer_id", "date", "amount"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def test_return_rate_noise_and_negative_nets():
    summary = pd.DataFrame(
        {
            "revenue": [-5.7e-14, -40.0, 100.0],
            "basket": [-5.7e-14, -40.0, 50.0],
            "return_rate": [0.2, 57.0, 0.0],
        },
        index=pd.Index(["noise", "returns", "fine"], name="customer_id"),
    )
    out = bounded_summary(summary, "fr")
    assert out.loc["noise", "revenue"] == 0.0 and out.loc["noise", "basket"] == 0.0
    assert out.loc["returns", "return_rate"] == 1.0
    assert out.loc["returns", "revenue"] == -40.0  # the net is kept, and said why
    assert "5700 %" in out.loc["returns", "value_note"] and "négatifs" in out.loc["returns", "value_note"]
    assert out.loc["fine", "value_note"] == "" and out.loc["noise", "value_note"] == ""
    assert summary.loc["returns", "return_rate"] == 57.0  # input untouched


def test_segment_shows_bounded_values():
    rows = [("a", "2024-01-05", 100.0), ("a", "2024-03-01", -350.0), ("b", "2024-02-01", 80.0)]
    summary = xs.summarize(ledger(rows))
    assert summary.loc["a", "return_rate"] > 1  # returns of purchases made before the ledger starts
    customers = xs.segment(summary, lang="en")
    assert customers.loc["a", "return_rate"] == 1.0
    assert "Returns (350% of purchases)" in customers.loc["a", "value_note"]
    assert "Returns exceed purchases" in customers.loc["a", "value_note"]


@pytest.mark.slow
def test_online_retail_customer_table_is_in_range(online_retail):
    summary = xs.summarize(xs.read_transactions(online_retail))
    customers = xs.segment(summary)
    assert customers["return_rate"].between(0, 1).all()
    small = customers["revenue"].abs() < 1e-6
    assert (customers.loc[small, "revenue"] == 0).all()
    assert (customers.loc[customers["revenue"] < 0, "value_note"] != "").all()


def test_one_default_time_unit():
    assert DEFAULT_TIME_UNIT == "D"
    for fn, name in ((xs.summarize, "time_unit"), (xs.backtest, "time_unit")):
        assert inspect.signature(fn).parameters[name].default == DEFAULT_TIME_UNIT, fn.__name__
    assert xs.Settings().time_unit == DEFAULT_TIME_UNIT
