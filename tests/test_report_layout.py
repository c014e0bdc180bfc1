"""The report description: plain positioned data (no Excel library), blocks that never overlap, charts and
conditional formats that point inside the blocks they illustrate, and an openpyxl rendering cell for cell."""

from __future__ import annotations

import dataclasses

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils.cell import range_boundaries
from test_report_fixture import make_analysis

from xlsegment.report import Book, build_report, describe
from xlsegment.report.model import Cell, Grid, Table, Text, cell_ref, column_letter, range_ref
from xlsegment.workbook import write_workbook


@pytest.fixture(params=["en", "fr"])
def book(request) -> Book:
    return describe(build_report(make_analysis(50, seed=5, lang=request.param), request.param))


def test_column_letters():
    assert [column_letter(i) for i in (1, 26, 27, 52, 703, 16384)] == ["A", "Z", "AA", "AZ", "AAA", "XFD"]
    assert cell_ref(3, 28) == "AB3" and range_ref(1, 1, 10, 2) == "A1:B10"
    with pytest.raises(ValueError):
        column_letter(0)


def _cells(block) -> set[tuple[int, int]]:
    return {
        (r, c)
        for r in range(block.row, block.last_row + 1)
        for c in range(block.col, block.col + block.width)
    }


def test_blocks_never_share_a_cell_and_only_the_last_block_streams(book):
    for sheet in book.sheets:
        seen: set[tuple[int, int]] = set()
        for block in sheet.blocks:
            cells = _cells(block)
            assert not cells & seen, f"{sheet.name}: {block} overlaps"
            seen |= cells
        streamed = [b for b in sheet.blocks if isinstance(b, Table) and b.stream]
        assert streamed in ([], [sheet.blocks[-1]])
        rows = [b.row for b in sheet.blocks]
        assert rows == sorted(rows)


def test_description_is_plain_data(book):
    """Nothing from an Excel library: a renderer walks dataclasses, strings, numbers and DataFrames."""
    allowed = (str, int, float, bool, type(None), pd.DataFrame, pd.Timestamp)

    def walk(value):
        if dataclasses.is_dataclass(value):
            for f in dataclasses.fields(value):
                walk(getattr(value, f.name))
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v)
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(k)
                walk(v)
        else:
            assert isinstance(value, allowed) or type(value).__module__.startswith(("numpy", "datetime")), (
                type(value)
            )

    walk(book)


def _inside(ref: str, blocks) -> bool:
    c1, r1, c2, r2 = range_boundaries(ref)
    return any(b.row <= r1 and r2 <= b.last_row and b.col <= c1 and c2 < b.col + b.width for b in blocks)


def test_charts_and_formats_point_into_their_blocks(book):
    for sheet in book.sheets:
        data_blocks = [b for b in sheet.blocks if isinstance(b, (Grid, Table))]
        for chart in sheet.charts:
            assert _inside(chart.categories, data_blocks), chart.title
            for s in chart.series:
                assert _inside(s.values, data_blocks), chart.title
        for cf in sheet.formats:
            assert _inside(cf.ref, data_blocks), cf


def test_segment_formulas_count_the_customers_sheet(book):
    first = book.sheets[0]
    grid = first.block("segments")
    customers = book.sheet("customers").name
    row = grid.rows[1]
    assert isinstance(row[1], Cell) and row[1].formula.startswith("=COUNTIFS(")
    assert f"'{customers}'!" in row[1].formula
    assert row[1].value == int(row[1].value) and row[1].value >= 0  # the value the formula computes


def test_openpyxl_renders_every_block_where_the_description_puts_it(tmp_path):
    report = build_report(make_analysis(30, seed=8, lang="fr"), "fr")
    book = describe(report)
    path = write_workbook(book, tmp_path / "desc.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [s.name for s in book.sheets]
    for sheet in book.sheets:
        ws = wb[sheet.name]
        for block in sheet.blocks:
            if isinstance(block, Text):
                assert ws.cell(block.row, block.col).value == block.text
            elif isinstance(block, Table):
                assert [ws.cell(block.row, block.col + j).value for j in range(block.width)] == block.headers
                if len(block.frame):
                    last = ws.cell(block.last_row, block.col).value
                    assert str(last) == str(block.frame.iloc[-1, 0])
            elif isinstance(block, Grid):
                for i, row in enumerate(block.rows):
                    for j, c in enumerate(row):
                        got = ws.cell(block.row + i, block.col + j)
                        if c.formula:
                            assert got.value == c.formula
                        elif c.value is not None and not isinstance(c.value, pd.Timestamp):
                            assert got.value == c.value
        assert len(ws._charts) == len(sheet.charts)


def test_wrapped_headers_get_the_lines_their_words_take():
    """ "Part cumulée du CA" in a column of 12 units takes three lines (it was given two and was cut)."""
    from xlsegment.report.layout import wrapped_lines

    assert wrapped_lines("Part cumulée du CA", 11 / 1.2) == 3
    assert wrapped_lines("Valeur en jeu", 11 / 1.2) == 2
    assert wrapped_lines("Client", 9) == 1 and wrapped_lines("", 9) == 1
    assert wrapped_lines("abcdefghijklmnopqrstu", 10) == 3  # a word longer than the line is cut
