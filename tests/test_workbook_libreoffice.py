"""The workbook as a user opens it: LibreOffice recalculates every formula (compared with the Python values)
and renders the Summary with its charts. Skipped when `soffice` is not installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from test_report_fixture import make_analysis

from xlsegment.report import Report, build_report
from xlsegment.workbook import build_workbook, save_atomic, write_workbook

pytestmark = [
    pytest.mark.slow,
    pytest.mark.libreoffice,
    pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed"),
]

ERRORS = ("#NAME?", "#VALUE!", "#REF!", "#DIV/0!", "#N/A", "#NUM!", "#NULL!", "Err:")

PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
</oor:items>
"""


@pytest.fixture(scope="module")
def profile(tmp_path_factory) -> str:
    """A LibreOffice user profile that always recalculates xlsx files on load."""
    root = tmp_path_factory.mktemp("lo_profile")
    (root / "user").mkdir()
    (root / "user" / "registrymodifications.xcu").write_text(PROFILE, encoding="utf-8")
    return root.as_uri()


def _soffice(profile: str, convert_to: str, src: Path, outdir: Path) -> Path:
    outdir.mkdir(exist_ok=True)
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            convert_to,
            "--outdir",
            str(outdir),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    suffix = ".pdf" if convert_to.startswith("pdf") else ".xlsx"
    out = outdir / (src.stem + suffix)
    assert out.exists(), f"LibreOffice did not write {out}"
    return out


def recalculated(profile: str, path: Path) -> openpyxl.Workbook:
    out = _soffice(profile, "xlsx:Calc MS Excel 2007 XML", path, path.parent / "recalc")
    return openpyxl.load_workbook(out, data_only=True)


def expected_values(report: Report, ws) -> dict[str, object]:
    """Cell -> the Python value each Summary formula must compute, located by the labels in column A."""
    expected: dict[str, object] = {}
    rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value is not None}
    for key, (name, value) in zip(
        report.headline.row_keys, report.headline.frame.itertuples(index=False), strict=True
    ):
        if key != "as_of":
            expected[f"B{rows[name]}"] = value
    seg = report.segments.frame
    for _, row in seg.iterrows():
        r = rows[row.iloc[0]]
        for j in range(1, seg.shape[1]):
            expected[f"{openpyxl.utils.get_column_letter(j + 1)}{r}"] = row.iloc[j]
    grid = report.rfm_grid.frame
    for _, row in grid.iterrows():
        r = rows[row.iloc[0]]
        for j in range(1, grid.shape[1]):
            expected[f"{openpyxl.utils.get_column_letter(j + 1)}{r}"] = row.iloc[j]
    return expected


def check_every_formula(report: Report, path: Path, profile: str) -> int:
    original = openpyxl.load_workbook(path)
    summary = original.worksheets[0]
    formulas = {c.coordinate for row in summary.iter_rows() for c in row if c.data_type == "f"}
    expected = expected_values(report, summary)
    assert (
        set(expected) == formulas
    )  # every formula has a Python value to meet, and nothing else is a formula
    computed = recalculated(profile, path)
    ws = computed.worksheets[0]
    for coord, value in expected.items():
        got = ws[coord].value
        if isinstance(value, float) and np.isnan(value):
            assert got in (None, ""), coord
        else:
            assert got == pytest.approx(value, rel=1e-9, abs=1e-9), (
                f"{coord}: LibreOffice {got!r}, Python {value!r}"
            )
    for sheet in computed.worksheets:
        for row in sheet.iter_rows():
            for c in row:
                assert not (isinstance(c.value, str) and c.value.startswith(ERRORS)), (
                    f"{sheet.title}!{c.coordinate}"
                )
    return len(expected)


def test_formulas_recalculate_to_python_values_fake_analysis(tmp_path, profile):
    a = make_analysis(70, seed=11, lang="en")
    # labels that would be wildcards or comparisons in COUNTIFS criteria if not escaped
    odd = {"champions": "VIP* (top?)", "lost": "<lost>", "new": "~new"}
    a.customers["rfm_segment_label"] = a.customers["rfm_segment"].map(lambda c: odd.get(c, c.title()))
    report = build_report(a, "en")
    path = write_workbook(report, tmp_path / "fake.xlsx")
    assert check_every_formula(report, path, profile) > 40


def test_formulas_recalculate_to_python_values_real_pipeline_fr(tmp_path, profile, sample_ledger):
    if not sample_ledger.exists():
        pytest.skip("sample ledger not generated")
    from xlsegment.pipeline import analyze
    from xlsegment.settings import Settings

    report = build_report(analyze(sample_ledger, settings=Settings(lang="fr")))
    path = write_workbook(report, tmp_path / "classeur.xlsx")
    assert check_every_formula(report, path, profile) > 80


def _page_pixels(profile: str, path: Path) -> np.ndarray:
    pdf = _soffice(
        profile,
        'pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}',
        path,
        path.parent / "pdf",
    )
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(path.parent / path.stem)],
        check=True,
        timeout=120,
    )
    subprocess.run(
        ["pdftoppm", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(path.parent / path.stem)],
        check=True,
        timeout=120,
    )
    ppm = next(path.parent.glob(f"{path.stem}*.ppm"))
    data = ppm.read_bytes()
    # binary PPM: P6 <width> <height> <maxval> then RGB bytes
    header = data.split(maxsplit=4)
    width, height = int(header[1]), int(header[2])
    pixels = np.frombuffer(header[4][: width * height * 3], dtype=np.uint8).reshape(height, width, 3)
    return pixels


def _chart_blue(pixels: np.ndarray) -> int:
    """Pixels of the blue LibreOffice gives chart series (data bars of the tables are blue too: compare)."""
    rgb = pixels.astype(int)
    r, b = rgb[..., 0], rgb[..., 2]
    return int(((b > 140) & (r < 120) & (b - r > 60)).sum())


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) not installed")
def test_summary_renders_with_its_charts(tmp_path, profile):
    report = build_report(make_analysis(60, seed=2), "en")
    with_charts = write_workbook(report, tmp_path / "charts.xlsx")
    wb = build_workbook(report)
    wb.worksheets[0]._charts.clear()
    without = save_atomic(wb, tmp_path / "nocharts.xlsx")
    blue_with = _chart_blue(_page_pixels(profile, with_charts))
    blue_without = _chart_blue(_page_pixels(profile, without))
    assert (tmp_path / "charts-1.png").exists()  # the PNG a person can look at
    assert blue_with - blue_without > 1500, (
        f"{blue_with} chart-blue pixels with charts, {blue_without} without: charts missing from the Summary"
    )


def test_totals_follow_an_edited_and_an_added_customer(tmp_path, profile):
    """What a user does: change a customer's revenue and add a customer below the table; the live
    figures follow when the workbook recalculates."""
    a = make_analysis(25, seed=4)
    report = build_report(a, "en")
    path = write_workbook(report, tmp_path / "edit.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["Customers"]
    headers = [c.value for c in ws[1]]
    col = {h: i + 1 for i, h in enumerate(headers)}
    ws.cell(2, col["Revenue"]).value = ws.cell(2, col["Revenue"]).value + 1000.0
    new = ws.max_row + 1
    ws.cell(new, col["Customer"]).value = "NEW1"
    ws.cell(new, col["Revenue"]).value = 500.0
    ws.cell(new, col["Orders"]).value = 1
    ws.cell(new, col["RFM segment"]).value = "Champions"
    wb.save(path)
    summary = recalculated(profile, path)["Start here"]
    figures = {r[0]: r[1] for r in summary.iter_rows(min_col=1, max_col=2, values_only=True) if r[0]}
    assert figures["Customers"] == 26
    assert figures["Revenue"] == pytest.approx(a.customers["revenue"].sum() + 1500.0)
    champions = int((a.customers["rfm_segment"] == "champions").sum())
    row = next(r for r in summary.iter_rows(values_only=True) if r[0] == "Champions")
    assert row[1] == champions + 1
