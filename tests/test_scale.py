"""The fast paths of a big build give exactly what the plain paths give (values, not only approximately)."""

from __future__ import annotations

import re
import warnings
from datetime import datetime

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, to_excel

from xlsegment.clv import pareto_nbd
from xlsegment.clv.bgnbd import BGNBDResult
from xlsegment.clv.choice import FITTERS, fit_quietly
from xlsegment.clv.mbgnbd import MBGNBDResult
from xlsegment.clv.pareto_nbd import ParetoNBDResult
from xlsegment.summary import summarize
from xlsegment.workbook import fastrows
from xlsegment.workbook.cells import column_values


def _histories(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    T = rng.uniform(1.0, 150.0, n)
    x = rng.integers(0, 15, n).astype(float)
    tx = np.where(x > 0, T * rng.uniform(0.0, 1.0, n), 0.0)
    tx[:5] = T[:5]  # last purchase today: no "dropped out in between" term
    return x, tx, T


# ---------------------------------------------------------------------------------------------- dates


def _serials_one_by_one(series: pd.Series, epoch: datetime) -> list[float | None]:
    return [None if v is None else to_excel(v, epoch) for v in column_values(series, "date")]


@pytest.mark.parametrize("epoch", [WINDOWS_EPOCH, MAC_EPOCH])
@pytest.mark.filterwarnings("ignore:Discarding nonzero nanoseconds")
def test_excel_serials_equal_openpyxl_value_by_value(epoch):
    """Midnights, times with micro- and nanoseconds, Excel's 1900 leap-year days, missing and text dates."""
    values = [
        "2024-03-05",
        "2024-03-05 13:45:10.123456",
        pd.Timestamp("2024-03-05 23:59:59.999999999"),
        "1900-01-15",
        "1900-02-28 12:00",
        "1900-03-01",
        "1899-12-30",
        "1850-06-01 06:00",
        None,
        "not a date",
        "2099-12-31",
    ]
    series = pd.Series(values, dtype=object)
    expected = _serials_one_by_one(series, epoch)
    assert fastrows.excel_serials(series, epoch) == expected
    assert expected[0] == 45356.0 if epoch == WINDOWS_EPOCH else True


def test_excel_serials_of_zoned_dates_are_their_wall_clock_times():
    series = pd.Series(pd.to_datetime(["2024-06-01 10:30", "2024-12-24 08:00"]).tz_localize("Europe/Paris"))
    assert fastrows.excel_serials(series, WINDOWS_EPOCH) == _serials_one_by_one(series, WINDOWS_EPOCH)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.datetimes(min_value=datetime(1800, 1, 1), max_value=datetime(2200, 1, 1)), max_size=30))
def test_excel_serials_property(days):
    series = pd.Series(pd.to_datetime(days), dtype="datetime64[ns]")
    assert fastrows.excel_serials(series, WINDOWS_EPOCH) == _serials_one_by_one(series, WINDOWS_EPOCH)


def test_streamed_rows_cut_into_columns_keep_every_kind_of_cell(tmp_path):
    """Numbers, text (repeated, formula-like, markup), dates, flags, booleans and mixed columns read back
    as what the slow path writes."""
    frame = pd.DataFrame(
        {
            "n": [1.5, np.nan, 3.0, np.inf],
            "t": ["=SUM(A1)", "a<b & c", "a<b & c", None],
            "d": [
                pd.Timestamp("2024-01-02 10:00"),
                pd.NaT,
                pd.Timestamp("1900-02-01"),
                pd.Timestamp("2024-01-03"),
            ],
            "f": [True, False, True, False],
            "mixed": pd.Series([1, "x", True, None], dtype=object),
        }
    )
    kinds = ["money", "text", "date", "flag", "general"]
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("S")
    ws.append(list(frame.columns))
    rows = fastrows.render_rows(ws, frame, kinds, ["0.00", "@", "yyyy-mm-dd", "0", "General"], 2)
    fastrows.stream(ws, rows, 2)
    wb.save(tmp_path / "t.xlsx")
    back = [[c.value for c in r] for r in openpyxl.load_workbook(tmp_path / "t.xlsx")["S"].iter_rows(2)]
    assert back[0] == [1.5, "=SUM(A1)", datetime(2024, 1, 2, 10), 1, 1]
    assert back[1] == [None, "a<b & c", None, 0, "x"]
    assert back[2][2] == datetime(1900, 2, 1) and back[2][4] is True
    assert back[3] == [None, None, datetime(2024, 1, 3), 0, None]
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx")["S"]
    assert sheet["B2"].data_type == "s" and sheet["B2"].quotePrefix


# ---------------------------------------------------------------------------------------------- models


@pytest.mark.parametrize(
    "result",
    [
        ParetoNBDResult({"r": 0.5533, "alpha": 10.578, "s": 0.6062, "beta": 11.668}, 0.0, True),
        ParetoNBDResult({"r": 1.34, "alpha": 325.4, "s": 0.000368, "beta": 2.77e6}, 0.0, True),
        BGNBDResult({"r": 0.2426, "alpha": 4.4135, "a": 0.7929, "b": 2.4258}, 0.0, True),
        MBGNBDResult({"r": 0.25, "alpha": 4.4, "a": 0.8, "b": 2.5}, 0.0, True),
    ],
)
def test_expected_purchases_on_a_grid_equal_one_time_at_a_time(result):
    """P(alive) computed once for the whole discount grid changes nothing, to the last bit."""
    x, tx, T = _histories(400, seed=3)
    times = np.linspace(0.0, 52.0, 54)[1:]
    one_by_one = np.array([np.asarray(result.expected_purchases(t, x, tx, T), dtype=float) for t in times])
    assert np.array_equal(result.expected_purchases_at(times, x, tx, T), one_by_one)


def test_quadrature_by_blocks_equals_one_block(monkeypatch):
    """The dead-part integral taken a few rows at a time gives the same values and gradients."""
    x, tx, T = _histories(300, seed=4)
    params = (1.34, 325.4, 0.000368, 2.77e6)
    whole = pareto_nbd._log_a0_quadrature(x, tx, T, *params, with_grad=True)
    monkeypatch.setattr(pareto_nbd, "QUADRATURE_ROWS", 7)
    blocks = pareto_nbd._log_a0_quadrature(x, tx, T, *params, with_grad=True)
    assert np.array_equal(whole[0], blocks[0]) and np.array_equal(whole[1], blocks[1])
    assert np.isneginf(whole[0][:5]).all() and np.isfinite(whole[0][5:]).all()


def test_quadrature_against_a_fine_trapezoid():
    """ln A0 by Gauss-Legendre panels against a brute-force integral of the same integrand."""
    x, tx, T = _histories(20, seed=5)
    r, alpha, s, beta = 0.55, 10.6, 0.6, 11.7
    value, _ = pareto_nbd._log_a0_quadrature(x, tx, T, r, alpha, s, beta)
    for i in range(5, 20):
        u = np.linspace(tx[i], T[i], 200_001)
        f = (alpha + u) ** -(r + x[i]) * (beta + u) ** -(s + 1.0)
        brute = np.log(np.trapezoid(f, u)) + np.log(r + s + x[i])
        assert value[i] == pytest.approx(brute, abs=1e-7)


@pytest.fixture(scope="module")
def cdnow_like_summary() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 600
    rows = []
    for c in range(n):
        first = rng.integers(0, 200)
        k = rng.poisson(2.0)
        days = np.r_[first, first + np.sort(rng.integers(0, 300 - first, k))]
        rows += [
            (f"c{c}", pd.Timestamp("2023-01-01") + pd.Timedelta(days=int(d)), 20.0 + c % 7) for d in days
        ]
    ledger = pd.DataFrame(rows, columns=["customer_id", "date", "amount"])
    return summarize(ledger, as_of=pd.Timestamp("2023-10-28"), time_unit="W")


@pytest.mark.parametrize("code", list(FITTERS))
def test_holdout_fit_without_standard_errors_has_the_same_parameters(code, cdnow_like_summary):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        full = fit_quietly(code, cdnow_like_summary)
        quick = fit_quietly(code, cdnow_like_summary, standard_errors=False)
    assert quick.params == full.params and quick.log_likelihood == full.log_likelihood
    assert all(np.isnan(v) for v in quick.std_errors.values())


# ---------------------------------------------------------------------------------------------- sheet rows


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_customers_table_longer_than_a_sheet_keeps_the_largest_and_says_so(monkeypatch, tmp_path, lang):
    """Past Excel's rows per sheet (made 41 here), the Customers sheet keeps the customers of the largest
    revenue in their order, the first sheet says how many are left out, and no formula runs past the grid."""
    from test_report_fixture import make_analysis

    from xlsegment.report import build_report, describe, formulas, tables
    from xlsegment.workbook import write_workbook

    monkeypatch.setattr(tables, "MAX_SHEET_ROWS", 41)
    monkeypatch.setattr(formulas, "MAX_SHEET_ROWS", 41)
    analysis = make_analysis(60, seed=2, lang=lang)
    report = build_report(analysis, lang)
    shown = report.customers.frame
    revenue = analysis.customers["revenue"].astype(float)
    assert len(shown) == 40
    kept = shown[report.customers.header("revenue")].astype(float)
    assert kept.min() >= revenue.nlargest(40).min()
    order = list(analysis.customers.index.astype(str))
    positions = [order.index(str(c)) for c in shown[report.customers.header("customer_id")]]
    assert positions == sorted(positions)  # the sheet's order is kept
    sentence = report.story[-1]
    assert ("40" in sentence and "60" in sentence and "20" in sentence) and "41" in sentence
    assert ("Excel" in sentence) and (("feuille" in sentence) if lang == "fr" else ("sheet" in sentence))
    book = describe(report)
    first = book.sheets[0]
    formulas_text = [
        cell.formula or "" for b in first.blocks for row in getattr(b, "rows", []) for cell in row
    ]
    rows = [int(n) for text in formulas_text for n in re.findall(r"\$[A-Z]+\$(\d+)", text)]
    assert rows and max(rows) <= 41
    write_workbook(book, tmp_path / "cut.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "cut.xlsx", read_only=True)[report.sheet_names["customers"]]
    assert sum(1 for _ in ws.iter_rows(min_row=2, values_only=True)) == 40


def test_fit_to_sheet_without_a_key_keeps_the_first_rows(monkeypatch):
    from xlsegment.report import tables
    from xlsegment.report.tables import ReportTable, fit_to_sheet

    monkeypatch.setattr(tables, "MAX_SHEET_ROWS", 10)
    table = ReportTable("t", "t", pd.DataFrame({"A": range(20)}), ["a"], ["int"])
    cut, left = fit_to_sheet(table, 4)
    assert list(cut.frame["A"]) == [0, 1, 2, 3, 4, 5] and left == 14
    whole, none_left = fit_to_sheet(ReportTable("t", "t", pd.DataFrame({"A": range(6)}), ["a"], ["int"]), 4)
    assert whole.frame.equals(pd.DataFrame({"A": range(6)})) and none_left == 0


# ---------------------------------------------------------------------------------------------- the bench


def _bench_module(name: str):
    import importlib
    import sys
    from pathlib import Path

    scripts = str(Path(__file__).resolve().parents[1] / "scripts")
    if scripts not in sys.path:
        sys.path.insert(0, scripts)
    return importlib.import_module(f"benchmarks.{name}")


def test_the_french_bench_ledger_reads_back_as_written(tmp_path):
    """The build benchmark's French export (`;`, decimal comma, day-first dates) is read as generated."""
    from xlsegment.ledger import read_transactions

    build = _bench_module("build")
    ledger = build.btyd_ledger(3_000, seed=8)
    assert 2_900 <= len(ledger) <= 3_000 and ledger["Date"].is_monotonic_increasing
    path = build.write_french_csv(ledger, tmp_path / "fr.csv")
    header, first = path.read_text(encoding="utf-8").splitlines()[:2]
    assert header.replace('"', "") == "Client;Date;Montant;Catégorie;Email" and "," in first.split(";")[2]
    tx = read_transactions(path)
    assert tx["customer_id"].nunique() == ledger["Client"].nunique()
    assert float(tx["amount"].sum()) == pytest.approx(float(ledger["Montant"].sum()), abs=0.01)
    assert pd.to_datetime(tx["date"]).min() == ledger["Date"].min()


def test_the_stage_clock_gives_each_stage_its_time():
    import types

    build = _bench_module("build")
    clock = build.StageClock()
    module = types.SimpleNamespace(work=lambda: sum(range(10_000)), inner=lambda: None)
    clock.nest(module, "inner", "part")
    clock.stage(module, "work", "work")
    clock.mark("first")
    module.work()
    module.inner()
    clock.mark("end")
    seconds = clock.seconds()
    assert list(seconds) == ["first", "work", "part"]
    assert all(wall >= 0 and cpu >= 0 for wall, cpu in seconds.values())
