"""The workbook as a shop owner prints it: LibreOffice renders the French sample workbook to PDF; the first
sheet takes at most two pages with both charts whole on page 1, and every sheet has its page set-up (fit to
width, header with the shop and the date). Skipped without LibreOffice and poppler."""

from __future__ import annotations

import math
import shutil
import subprocess

import openpyxl
import pytest
from test_workbook_libreoffice import PROFILE, _soffice

from xlsegment.labels import label
from xlsegment.pipeline import analyze
from xlsegment.report import build_report, describe
from xlsegment.report.model import Chart
from xlsegment.settings import Settings
from xlsegment.workbook import write_workbook

pytestmark = [
    pytest.mark.slow,
    pytest.mark.libreoffice,
    pytest.mark.skipif(
        shutil.which("soffice") is None or shutil.which("pdftotext") is None,
        reason="LibreOffice (soffice) or poppler-utils (pdftotext) not installed",
    ),
]

CM_PER_ROW = 0.53  # a 15-point row


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """(Book, workbook path, text of each PDF page) of the French sample workbook."""
    root = tmp_path_factory.mktemp("print")
    (root / "lo" / "user").mkdir(parents=True)
    (root / "lo" / "user" / "registrymodifications.xcu").write_text(PROFILE, encoding="utf-8")
    from xlsegment.ledger import sample_ledger_path

    report = build_report(
        analyze(sample_ledger_path(), settings=Settings(lang="fr")), "fr", shop="Épicerie Durand"
    )
    book = describe(report)
    path = write_workbook(book, root / "classeur.xlsx")
    pdf = _soffice((root / "lo").as_uri(), "pdf", path, root / "pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    return book, path, text.stdout.split("\f")


def _chart_rows(chart: Chart) -> tuple[int, int]:
    """First row a chart covers and the first row below it (15-point rows)."""
    row = int("".join(ch for ch in chart.anchor if ch.isdigit()))
    return row, row + math.ceil(chart.height / CM_PER_ROW)


def test_first_sheet_prints_on_two_pages_with_both_charts_whole_on_page_one(printed):
    book, _, pages = printed
    week_title = label("week.title", "fr")
    first = next(i for i, page in enumerate(pages) if week_title in page)  # the next sheet starts here
    assert 1 <= first <= 2, f"the first sheet takes {first} pages"
    start = book.sheets[0]
    assert len(start.charts) == 2
    for chart in start.charts:
        assert chart.title in pages[0].replace("\n", " ") or all(
            word in pages[0] for word in chart.title.split()
        ), f"chart {chart.title!r} not on page 1"
        assert sum(chart.title.split()[0] in page for page in pages[1:first]) <= 1
        top, bottom = _chart_rows(chart)
        assert bottom <= start.page.breaks[0], f"chart {chart.title!r} runs past the page break"
    assert "Vos meilleurs clients" in pages[0] and "Chiffres clés" in pages[0]


def test_every_sheet_has_its_page_set_up(printed):
    book, path, pages = printed
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0, ws.title
        assert ws.page_setup.paperSize == 9, ws.title  # A4
        assert "Épicerie Durand" in ws.oddHeader.center.text and "31/10/2026" in ws.oddHeader.center.text
    assert wb["Cette semaine"].print_title_rows  # the header row repeats on each page
    assert wb["Clients"].print_title_rows == "$1:$1"
    assert all("Épicerie Durand" in page for page in pages if page.strip())  # the header, printed
    assert len([p for p in pages if p.strip()]) < 200  # not the 1,644 pages of an unset workbook
