"""The public names of `xlsegment` resolve, lazily, to what their modules define."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pandas as pd
import pytest

import xlsegment


@pytest.mark.parametrize("name", sorted(xlsegment._EXPORTS))
def test_every_public_name_resolves(name):
    value = getattr(xlsegment, name)
    module = importlib.import_module(xlsegment._EXPORTS[name])
    assert value is getattr(module, name)


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        xlsegment.nope  # noqa: B018


def test_dir_lists_the_public_names():
    assert "read_transactions" in dir(xlsegment) and "analyze" in dir(xlsegment)


# --- the API follows the analysis: language and settings carried from analyze -----------------------

LEDGER = Path(__file__).resolve().parents[1] / "xlsegment" / "data" / "sample_ledger.csv"


@pytest.fixture(scope="module")
def french():
    if not LEDGER.exists():
        pytest.skip("sample ledger not generated")
    return xlsegment.analyze(str(LEDGER))  # French headers: a French analysis


def test_the_sample_is_analysed_in_french(french):
    assert french.lang == "fr"


def test_explain_is_readable_text_and_a_dict_on_request(french):
    text = french.explain("C10002")
    assert isinstance(text, str)
    lines = text.split("\n")
    assert lines[0] == "Pourquoi le client C10002 est classé ainsi :"
    assert lines[1].startswith("- Classe ABC — Clients ")
    assert lines[-1].startswith("- Plan de contact — semaine ")
    assert "{" not in text and "\\xa0" not in text and "'abc'" not in text
    as_dict = french.explain("C10002", as_dict=True)
    assert isinstance(as_dict, dict) and as_dict["abc"] in text and as_dict["plan"] in text
    assert xlsegment.explain(french.customers, "C10002", lang="en").startswith("Why customer C10002")


def test_lapse_flags_answer_in_the_analysis_language(french):
    flags = french.lapse_flags()
    reasons = flags["lapse_reason"].dropna()
    reasons = reasons[reasons != ""]
    assert len(reasons) > 0
    assert reasons.str.contains("Aucun achat depuis|En retard|Ralentit|Probablement").all()
    assert flags["lapsed_6m"].sum() == french.customers["lapsed_6m"].sum()
    stricter = french.lapse_flags(lapsed_months=3)
    assert stricter["lapsed_6m"].sum() > flags["lapsed_6m"].sum()


def test_mailing_lists_follow_the_plan_in_french(french, tmp_path):
    lists = french.mailing_lists(["champions"])
    frame = lists.frame()
    assert frame["salutation"].str.match(r"^(Chère Madame|Cher Monsieur|Bonjour)").all()
    assert frame["addressee"].str.match(r"^(Madame|Monsieur) ").all()
    assert not frame["salutation"].str.contains("Dear").any()
    # the plan never puts a champion on a channel the ledger has no data for
    plan = french.plan.set_index("customer_id")
    assert set(frame["channel"]) <= {"phone", "email"}
    assert set(lists.missing["customer_id"]) <= set(plan.index[plan["channel"] == "collect_contact"])
    path = lists.write_csv(tmp_path)[0]
    text = path.read_text(encoding="utf-8-sig")
    header = text.split("\n")[0]
    assert header.startswith("customer_id;segment;segment_label;addressee;salutation;")
    assert re.search(r";\d\d/\d\d/\d{4};", text)  # dates day first
    assert not re.search(r"\d{4}-\d\d-\d\d", text)


def test_budget_split_in_french_with_at_least_the_minimum(french):
    split = french.budget_split(5000)
    assert "du budget" in split.rule
    current = split.table.loc[split.table["group"] == "current", "amount"].sum()
    assert round(current, 2) >= 1000.0
    assert round(split.table["amount"].sum(), 2) == 5000.0
    # letters cost postage: a plan of 700 letters at 1.50 needs more than 20 % of 5,000
    plan = pd.DataFrame({"week": [1] * 700, "channel": ["letter"] * 700})
    raised = french.budget_split(5000, plan=plan)
    current = raised.table.loc[raised.table["group"] == "current", "amount"].sum()
    assert current == pytest.approx(1050.0)
    assert "21 %" in raised.rule and "700 contacts" in raised.rule and "1\u202f050,00" in raised.rule
    assert french.budget_split(5000, plan=plan, plan_weeks=0).table["amount"].iloc[0] == 4000.0


def test_contact_plan_with_other_capacities(french):
    week1 = french.contact_plan(capacity={"phone": 35}, weeks=1)
    assert week1["channel"].value_counts().to_dict() == {"email": 500, "collect_contact": 50, "phone": 35}
    assert french.contact_plan(weeks=1).equals(french.plan[french.plan["week"] == 1])
