"""The first sheet's plain words and the "This week" sheet: figures in the sentences equal the data, the week's
list follows the contact plan (contract 3) in rank order, and counts per channel add up."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from test_report_fixture import make_analysis, make_plan

from xlsegment.report import build_report
from xlsegment.report.formats import format_money, format_number, format_percent, money_format
from xlsegment.report.story import week_counts
from xlsegment.workbook import write_workbook


def test_numbers_in_sentences_follow_the_language():
    assert format_number(1234567.891, "fr", 2) == "1\u202f234\u202f567,89"
    assert format_number(1234567.891, "en", 2) == "1,234,567.89"
    assert format_money(352867.4, "fr") == "352\u202f867\u00a0€"
    assert format_money(352867.4, "en") == "352,867" and format_money(12.5, "en", "GBP") == "£13"
    assert format_percent(0.5849, "fr") == "58\u00a0%" and format_percent(0.5849, "en", 1) == "58.5%"
    assert money_format("fr") == '#,##0.00\\ "€"' and money_format("en", "USD") == '"$"#,##0.00'
    with pytest.raises(ValueError, match="not supported"):
        money_format("fr", "XYZ")


def test_story_tells_the_best_customers_and_who_slips_away_with_their_figures():
    a = make_analysis(100, seed=3, lang="fr")
    c = a.customers
    c["overdue"] = [i % 5 == 0 for i in range(100)]
    c["lapsed_12m"] = [i % 7 == 0 for i in range(100)]
    report = build_report(a, "fr")
    best, *rest = report.story
    top = c["revenue"].nlargest(20).sum()
    assert best.startswith("Vos meilleurs clients : les 20 premiers")
    assert format_percent(top / c["revenue"].sum(), "fr") in best and format_money(top, "fr") in best
    slipping = c["overdue"] & ~c["lapsed_12m"]
    line = next(s for s in rest if s.startswith("Qui s'éloigne"))
    assert f"{int(slipping.sum())} clients" in line
    assert format_money(c.loc[slipping, "revenue"].sum(), "fr") in line
    lapsed = next(s for s in rest if "depuis 12 mois" in s)
    assert lapsed.startswith(f"{int(c['lapsed_12m'].sum())} clients")
    assert any("Aucun plan de contacts" in s for s in report.story)  # no plan: says so


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_this_week_lists_week_one_in_rank_order_with_counts_per_channel(tmp_path, lang):
    a = make_analysis(60, seed=1, lang=lang)
    a.plan = make_plan(a.customers, lang)
    week1 = a.plan[a.plan["week"] == 1].sort_values("rank")
    report = build_report(a, lang)
    assert report.week.frame.iloc[:, 0].tolist() == week1["rank"].tolist()
    counts = week_counts(a.plan)
    assert sum(n for _, _, n in counts) == len(week1)
    assert dict((code, n) for code, _, n in counts) == week1["channel"].value_counts().to_dict()
    sentence = next(s for s in report.story if s.startswith(("Cette semaine", "This week")))
    phone = int((week1["channel"] == "phone").sum())
    assert (f"{phone} appels" if lang == "fr" else f"{phone} calls") in sentence
    assert (" et " if lang == "fr" else " and ") in sentence  # the last two channels, joined with spaces
    assert format_money(week1["value_at_stake"].sum(), lang) in sentence

    path = write_workbook(report, tmp_path / f"week_{lang}.xlsx")
    ws = openpyxl.load_workbook(path).worksheets[1]
    assert ws.title == ("Cette semaine" if lang == "fr" else "This week")
    rows = [r for r in ws.iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(rows) if r[0] in ("Rang", "Rank"))
    body = rows[header + 1 :]
    assert [r[1] for r in body] == week1["customer_id"].tolist()  # the customers, in rank order
    assert rows[header][-1] in ("Fait", "Done") and all(r[-1] is None for r in body)  # a column to tick
    assert ws.print_title_rows == f"${header + 1}:${header + 1}"  # the header repeats on every printed page
    assert ws.page_setup.orientation == "landscape"


def test_no_plan_gives_a_sentence_not_an_empty_sheet(tmp_path):
    a = make_analysis(20, seed=2, lang="fr")
    a.plan = pd.DataFrame({"unrelated": [1]})  # not a contact plan: ignored
    report = build_report(a, "fr")
    assert report.week is None
    ws = openpyxl.load_workbook(write_workbook(report, tmp_path / "n.xlsx"))["Cette semaine"]
    assert ws["A2"].value == "Aucun plan de contacts n'a été établi pour cette analyse."
