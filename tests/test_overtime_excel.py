"""SEG_MIGRATION and SEG_COHORTS called directly (the classic path), against the Python API."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import xlsegment as xs
from xlsegment.excel import functions as f
from xlsegment.overtime import GONE, NEW, cohorts, migration


@pytest.fixture(scope="module")
def ledger_range() -> list[list]:
    """The sample ledger as Excel hands a range: header row, then rows of text cells."""
    from xlsegment.ledger import sample_ledger_path

    frame = pd.read_csv(sample_ledger_path(), sep=";", dtype=str, keep_default_na=False)
    return [list(frame.columns), *frame.to_numpy().tolist()]


@pytest.fixture(scope="module")
def sample_tx() -> pd.DataFrame:
    from xlsegment.ledger import sample_ledger_path

    return xs.read_transactions(sample_ledger_path())


def test_seg_migration_spills_the_labelled_matrix(ledger_range, sample_tx):
    out = f.seg_migration(ledger_range, "31/07/2026", None, None, None, "fr")
    m = migration(sample_tx, "2026-07-31", lang="fr")
    assert out[0][0] == "Segment il y a 3 mois \u2192 Segment aujourd'hui"
    assert out[0][1:] == [m.labels[c] for c in m.matrix.columns]
    assert [r[0] for r in out[1:]] == [m.labels[c] for c in m.matrix.index]
    assert np.array_equal(np.array([r[1:] for r in out[1:]]), m.matrix.to_numpy())
    assert out[-1][0] == "Pas encore client" and out[0][-1] == "Plus compté"
    revenue = f.seg_migration(ledger_range, 46234, "2026-10-31", "abc", "revenue_start", "en")  # 2026-07-31
    m = migration(sample_tx, "2026-07-31", "2026-10-31", by="abc")
    assert [r[0] for r in revenue[1:]] == ["A customers", "B customers", "C customers", "Not yet a customer"]
    assert np.allclose(np.array([r[1:] for r in revenue[1:]], dtype=float), m.revenue_start.to_numpy())
    assert m.matrix.loc[NEW, GONE] == 0


def test_seg_cohorts_spills_the_triangle(ledger_range, sample_tx):
    out = f.seg_cohorts(ledger_range, "Q", None, None, "fr")
    c = cohorts(sample_tx, "Q")
    assert out[0][:4] == ["Cohorte (premier achat)", "Clients", "T0", "T+1"]
    assert out[1][:2] == ["2023-T4", 735]
    body = np.array([[np.nan if v is None else v for v in r[2:]] for r in out[1:]], dtype=float)
    assert np.allclose(np.nan_to_num(body, nan=-1), np.nan_to_num(c.retention.to_numpy(), nan=-1))
    revenue = f.seg_cohorts(ledger_range, "M", "revenue_per_customer", "2025-10-31", "en")
    c = cohorts(sample_tx, "M", "2025-10-31")
    assert revenue[0][2:4] == ["M0", "M+1"] and len(revenue) == 1 + len(c.retention) + 1
    assert revenue[-1][0].endswith("after the as-of date")  # the lines after as_of are named under the spill
    assert revenue[1][2] == pytest.approx(c.revenue_per_customer.iloc[0, 0])


def test_bad_arguments_give_one_cell_messages(ledger_range):
    assert "a date is needed" in f.seg_migration(ledger_range, None)[0][0]
    assert "is not one of customers" in f.seg_migration(ledger_range, "2026-07-31", None, None, "money")[0][0]
    assert "segment column" in f.seg_migration(ledger_range, "2026-07-31", None, "value_score")[0][0]
    assert "quarter 'Q'" in f.seg_cohorts(ledger_range, "W")[0][0]
