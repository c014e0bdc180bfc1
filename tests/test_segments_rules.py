"""Rule tables: loading (bundled, CSV, Excel, DataFrame), first match wins, gaps and overlaps reported."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xlsegment import load_rule_table, named_segments
from xlsegment.errors import ConfigError
from xlsegment.segments import check_rule_table
from xlsegment.segments.rules import apply_rule_table


def scores_frame(cells: list[tuple[int, int, int]]) -> pd.DataFrame:
    r, f, m = zip(*cells, strict=True)
    return pd.DataFrame(
        {"r_score": r, "f_score": f, "m_score": m}, index=[f"c{i}" for i in range(len(cells))]
    )


@pytest.mark.parametrize("name", ["rfm", "lifecycle"])
def test_bundled_tables_cover_every_cell_once(name):
    check = check_rule_table(name)
    assert check.ok, str(check)
    assert "exactly one rule" in str(check)


def test_bundled_rfm_table_hand_cells():
    frame = scores_frame(
        [(5, 5, 5), (5, 1, 1), (4, 1, 3), (1, 5, 1), (1, 1, 1), (1, 1, 4), (2, 2, 2), (3, 3, 3)]
    )
    out = named_segments(frame, "rfm")
    assert out.tolist() == [
        "champions", "new", "promising", "cant_lose", "lost", "hibernating", "hibernating", "need_attention",
    ]  # fmt: skip


def test_bundled_lifecycle_table_hand_cells():
    frame = scores_frame([(5, 5, 5), (5, 5, 1), (5, 1, 5), (3, 1, 1), (2, 5, 5), (1, 5, 5), (4, 2, 2)])
    assert named_segments(frame, "lifecycle").tolist() == [
        "very_good", "good", "new", "at_risk", "at_risk", "inactive", "good",
    ]  # fmt: skip


def test_r_example_table_reports_gaps_and_overlaps():
    check = check_rule_table("r_rfm_example")
    assert not check.ok
    # R1 F1 M3: lost needs M1-2, at_risk needs F2-5 -> no rule
    assert "R1F1M3" in check.gaps
    # R5 F5 M5 is both champions and loyal; champions is listed first
    assert check.overlaps["R5F5M5"] == ["champions", "loyal"]
    text = str(check)
    assert "match no rule" in text and "first listed wins" in text


def test_first_matching_rule_wins_and_other_for_gaps():
    table = pd.DataFrame(
        {"code": ["vip", "good"], "r_min": [4, 3], "r_max": [5, 5], "f_min": [4, 1], "f_max": [5, 5]}
    )
    frame = scores_frame([(5, 5, 1), (3, 5, 5), (1, 1, 1)])
    out = named_segments(frame, table)
    assert out.tolist() == ["vip", "good", "other"]
    info = out.attrs["rfm_segment"]
    assert info["gaps"] == 50  # r 1-2: 2 * 5 * 5 cells
    assert info["overlaps"] == 2 * 2 * 5


def test_csv_table_with_r_style_headers_and_labels(tmp_path):
    path = tmp_path / "mes_segments.csv"
    path.write_text(
        "segment,recency_lower,recency_upper,frequency_lower,frequency_upper,label_fr\n"
        "top,4,5,4,5,Meilleurs\n"
        "reste,1,5,1,5,Les autres\n",
        encoding="utf-8",
    )
    table = load_rule_table(path)
    assert table["m_min"].tolist() == [1, 1] and table["m_max"].tolist() == [5, 5]
    assert table.attrs["source"] == "mes_segments.csv"
    codes, info = apply_rule_table(np.array([5, 1]), np.array([5, 1]), np.array([1, 1]), table)
    assert list(codes) == ["top", "reste"]
    assert info["labels"]["top"]["fr"] == "Meilleurs"


def test_semicolon_csv_from_french_excel(tmp_path):
    path = tmp_path / "regles.csv"
    path.write_text("code;r_min;r_max\nrecent;3;5\nancien;1;2\n", encoding="utf-8-sig")
    table = load_rule_table(path)
    assert table["code"].tolist() == ["recent", "ancien"]
    assert check_rule_table(table).ok


def test_excel_sheet_table(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Regles"
    for row in (
        ["code", "r_min", "r_max", "f_min", "f_max"],
        ["fideles", 3, 5, 3, 5],
        ["autres", 1, 5, 1, 5],
    ):
        sheet.append(row)
    path = tmp_path / "regles.xlsx"
    book.save(path)
    table = load_rule_table(path, sheet="Regles")
    assert table["code"].tolist() == ["fideles", "autres"]
    assert table["r_min"].tolist() == [3, 1]


def test_rules_module_does_not_import_openpyxl_at_load():
    import subprocess
    import sys

    code = "import sys, xlsegment.segments; print('openpyxl' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_table_without_code_column():
    with pytest.raises(ConfigError, match="no 'code' column"):
        load_rule_table(pd.DataFrame({"r_min": [1], "r_max": [5]}))


def test_table_with_a_non_score_value_names_the_row():
    table = pd.DataFrame({"code": ["a", "b"], "r_min": ["1", "deux"], "r_max": ["5", "5"]})
    with pytest.raises(ConfigError, match=r"row 3, column 'r_min'"):
        load_rule_table(table)


def test_table_with_min_above_max():
    table = pd.DataFrame({"code": ["a"], "f_min": [4], "f_max": [2]})
    with pytest.raises(ConfigError, match="f_min is above f_max"):
        load_rule_table(table)


def test_table_with_an_empty_code():
    table = pd.DataFrame({"code": ["a", ""], "r_min": [1, 2], "r_max": [1, 5]})
    with pytest.raises(ConfigError, match="row 3 has no segment code"):
        load_rule_table(table)


def test_missing_table_file():
    with pytest.raises(ConfigError, match="not found"):
        load_rule_table("/nowhere/segments.csv")


def test_three_score_table_is_used_on_its_own_scale():
    table = pd.DataFrame(
        {
            "code": ["hi", "lo"],
            "r_min": [3, 1],
            "r_max": [3, 2],
            "f_min": [1, 1],
            "f_max": [3, 3],
            "m_max": [3, 3],
        }
    )
    assert load_rule_table(table).attrs["n_scores"] == 3
    frame = scores_frame([(5, 1, 1), (1, 5, 5)])
    # five-score RFM mapped onto the table's 1..3 scale: 5 -> 3, 1 -> 1
    assert named_segments(frame, table).tolist() == ["hi", "lo"]
