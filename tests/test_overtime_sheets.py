"""The Mouvements and Cohortes sheets: the figures they carry, their formulas, heat maps, chart and CLI."""

from __future__ import annotations

import re
import warnings

import numpy as np
import openpyxl
import pandas as pd
import pytest

import xlsegment as xs
from xlsegment.cli import main
from xlsegment.overtime import GONE, NEW, cohorts, migration
from xlsegment.overtime.sheets import cohort_grain, default_compare_to, overtime_sheets
from xlsegment.report.model import Book, Grid, Table, range_ref
from xlsegment.workbook import write_workbook


@pytest.fixture(scope="module")
def sample_tx() -> pd.DataFrame:
    from xlsegment.ledger import sample_ledger_path

    return xs.read_transactions(sample_ledger_path())


@pytest.fixture(scope="module")
def sheets_fr(sample_tx):
    sheets, notes = overtime_sheets(sample_tx, "2026-10-31", lang="fr", currency="EUR")
    assert notes == []
    return sheets


def _values(grid: Grid) -> list[list]:
    return [[c.value for c in row] for row in grid.rows]


def _sum_of(grid: Grid, formula: str) -> float:
    """Evaluate '=SUM(B10:M10)' over the grid's own cached values."""
    (ref,) = re.fullmatch(r"=SUM\((\w+:\w+)\)", formula).groups()
    lo, hi = ref.split(":")
    c1, r1 = openpyxl.utils.cell.coordinate_from_string(lo)
    c2, r2 = openpyxl.utils.cell.coordinate_from_string(hi)
    cols = range(openpyxl.utils.column_index_from_string(c1), openpyxl.utils.column_index_from_string(c2) + 1)
    return sum(grid.rows[r - grid.row][c - grid.col].value or 0 for r in range(r1, r2 + 1) for c in cols)


def test_movements_sheet_shows_the_migration_with_live_totals(sample_tx, sheets_fr):
    movements = sheets_fr[0]
    assert (movements.key, movements.name) == ("movements", "Mouvements")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = migration(sample_tx, "2026-07-31", "2026-10-31", lang="fr")
    grid = movements.block("migration_customers")
    values = _values(grid)
    assert values[0][1:-1] == [m.labels[c] for c in m.matrix.columns if c != GONE]  # empty GONE left out
    assert [row[0] for row in values[1:-1]] == [m.labels[c] for c in m.matrix.index]
    body = np.array([row[1:-1] for row in values[1:-1]], dtype=float)
    assert np.array_equal(body, m.matrix.drop(columns=GONE).to_numpy())
    for row in grid.rows[1:]:  # every total is a SUM of the cells it sums, and caches that sum
        assert row[-1].value == _sum_of(grid, row[-1].formula)
    assert grid.rows[-1][-1].value == len(m.customers) == 2000
    heat = [f for f in movements.formats if f.rule == "color_scale"]
    assert heat[0].ref == range_ref(grid.row + 1, 2, grid.last_row - 1, grid.width - 1)
    revenue = movements.block("migration_revenue")
    assert [row[0].value for row in revenue.rows[1:-1]] == [m.labels[c] for c in m.matrix.index if c != NEW]
    assert revenue.rows[-1][-1].value == pytest.approx(m.revenue_start.to_numpy().sum(), abs=0.05)
    movers = movements.block("movers")
    assert isinstance(movers, Table) and movers.excel_name == "tblMovers"
    assert len(movers.frame) == len(m.movers)
    texts = [b.text for b in movements.blocks if hasattr(b, "text")]
    assert "Les plus gros mouvements" in texts
    assert any(t.startswith("106 Champions d'il y a 3 mois sont devenus Clients fidèles") for t in texts)


def test_cohorts_sheet_triangles_and_retention_chart(sample_tx, sheets_fr):
    sheet = sheets_fr[1]
    assert (sheet.key, sheet.name) == ("cohorts", "Cohortes")
    c = cohorts(sample_tx, "Q")
    grid = sheet.block("cohort_retention")
    values = _values(grid)
    assert values[0][:4] == ["Cohorte (premier achat)", "Clients", "T0", "T+1"]
    assert values[1][0] == "2023-T4" and values[1][1] == 735
    triangle = np.array([row[2:] for row in values[1:]], dtype=float)
    assert np.allclose(np.nan_to_num(triangle, nan=-1), np.nan_to_num(c.retention.to_numpy(), nan=-1))
    curves = sheet.block("cohort_curves")
    (chart,) = sheet.charts
    assert chart.kind == "line" and len(chart.series) == curves.width - 1
    assert chart.categories == range_ref(curves.row + 1, 1, curves.last_row, 1)
    pooled = [row[1].value for row in curves.rows[1:]]
    curve = c.curve()["retention"]
    assert pooled[: len(curve)] == pytest.approx(curve.tolist())
    # the period still running is left out of the curves: 2026-Q3's second quarter (2026-Q4) is not over
    column = [h.value for h in curves.rows[0]].index("2026-T3")
    assert curves.rows[2][column].value is None


def test_english_sheets_and_comparison_dates(sample_tx):
    sheets, notes = overtime_sheets(sample_tx, "2026-10-31", lang="en", compare_to="2025-10-31")
    assert [s.name for s in sheets] == ["Movements", "Cohorts"]
    assert sheets[0].blocks[0].text == "Customer movements from 31 Oct 2025 to 31 Oct 2026"
    sheets, notes = overtime_sheets(sample_tx, "2026-10-31", lang="fr", compare_to="2020-01-01")
    assert [s.key for s in sheets] == ["cohorts"]
    assert notes == ["Mouvements : la date de comparaison 01/01/2020 est avant la première vente ; la feuille "
                     "n'est pas produite."]  # fmt: skip
    assert default_compare_to(pd.Timestamp("2026-05-31")) == pd.Timestamp("2026-02-28")
    assert cohort_grain(pd.Timestamp("2025-01-15"), pd.Timestamp("2026-12-31")) == "M"
    assert cohort_grain(pd.Timestamp("2023-11-01"), pd.Timestamp("2026-10-31")) == "Q"
    assert cohort_grain(pd.Timestamp("2010-01-01"), pd.Timestamp("2026-10-31")) == "Y"


def test_sheets_render_to_a_workbook(sheets_fr, tmp_path):
    out = write_workbook(Book("fr", "t", sheets_fr), tmp_path / "ot.xlsx")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Mouvements", "Cohortes"]
    ws = wb["Mouvements"]
    assert "tblMovers" in ws.tables
    assert any(str(c.value).startswith("=SUM(") for row in ws.iter_rows() for c in row)
    assert len(wb["Cohortes"]._charts) == 1
    assert len(ws.conditional_formatting) >= 2


def test_build_adds_the_sheets_and_measure_reads_a_campaign(tmp_path, capsys):
    out = tmp_path / "sample.xlsx"
    assert (
        main(["build", "--sample", "-o", str(out), "--lang", "en", "--compare-to", "2026-04-30", "-q"]) == 0
    )
    wb = openpyxl.load_workbook(out, read_only=True)
    names = wb.sheetnames
    assert names.index("Movements") == names.index("Actions") + 1 and "Cohorts" in names
    assert wb["Movements"]["A1"].value == "Customer movements from 30 Apr 2026 to 31 Oct 2026"
    wb.close()
    # they print like the other sheets: landscape, one page wide, the shop and date on top, page numbers below
    wb = openpyxl.load_workbook(out)
    first = wb[names[0]]
    assert "31 Oct 2026" in first.oddHeader.center.text
    for name in ("Movements", "Cohorts"):
        sheet = wb[name]
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
        assert sheet.oddHeader.center.text == first.oddHeader.center.text, name
        assert (
            sheet.oddFooter.center.text == first.oddFooter.center.text and "&P" in sheet.oddFooter.center.text
        )

    # a campaign on the sample's customers, six weeks before its last date; measured from the CLI
    from test_overtime_campaign import simulated

    ledger, campaign = simulated(n=3000)
    ledger_csv = tmp_path / "ventes.csv"
    ledger.assign(customer_id=ledger["customer_id"].astype(str)).to_csv(ledger_csv, index=False)
    campaign_csv = xs.write_campaign(campaign, tmp_path / "campagne.csv", lang="fr")
    result_csv = tmp_path / "mesure.csv"
    args = [
        "measure",
        str(ledger_csv),
        "--campaign",
        str(campaign_csv),
        "--lang",
        "fr",
        "-o",
        str(result_csv),
    ]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "loyal, Lettre personnelle : " in printed and "Newcombe" in printed
    table = pd.read_csv(result_csv, sep=";", encoding="utf-8-sig")
    assert set(table["segment"]) == {"loyal", "at_risk", "*"}
    assert main(args) == 2  # the output exists: refused without --force, said in the language asked
    assert "existe déjà ; utilisez --force" in capsys.readouterr().err


def test_build_holds_out_a_control_group_and_records_the_campaign(tmp_path, capsys):
    out, record = tmp_path / "clients.xlsx", tmp_path / "campagne.csv"
    args = ["build", "--sample", "-o", str(out), "--campaign", str(record), "--hold-out", "0.2", "-q"]
    assert main(args) == 0
    campaign = xs.read_campaign(record)
    assert (campaign["date"] == pd.Timestamp("2026-11-01")).all()  # the day after the analysis date
    sizes = campaign.groupby("segment")["held_out"].agg(["sum", "size"])
    assert (sizes["sum"] == np.floor(0.2 * sizes["size"] + 0.5)).all()
    held = set(campaign.loc[campaign["held_out"], "customer_id"])
    wb = openpyxl.load_workbook(out, read_only=True)
    cells = lambda sheet: {c for r in wb[sheet].iter_rows(values_only=True) for c in r if c}  # noqa: E731
    assert not held & cells("Actions") and not held & cells("Cette semaine")  # never to contact
    assert set(campaign.loc[~campaign["held_out"], "customer_id"]) & cells("Actions")
    note = next(c for c in cells("Cette semaine") if str(c).startswith("Groupe témoin de la campagne"))
    assert f" {len(held)} clients sont laissés hors de ce plan" in note
    clients = [r for r in wb["Clients"].iter_rows(values_only=True) if r and r[0] in held]
    assert len(clients) == len(held) and all("Groupe témoin : ne pas contacter" in r for r in clients)
    wb.close()
    assert main(args) == 2 and "already exists" in capsys.readouterr().err  # never overwritten unasked
    assert main(["build", "--sample", "-o", str(tmp_path / "b.xlsx"), "--hold-out", "0.1", "-q"]) == 2
    assert "--hold-out needs --campaign" in capsys.readouterr().err
