"""The contact plan: capacity per channel and week, channels only with their contact data, ranking, schedule."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import xlsegment as xs
from xlsegment.actions import plan_actions
from xlsegment.actions.contact_plan import PLAN_COLUMNS, contact_plan
from xlsegment.actions.schedule import DEFAULT_CAPACITY, capacities
from xlsegment.settings import Settings

AS_OF = pd.Timestamp("2026-11-22")
LEDGER = Path(__file__).resolve().parents[1] / "xlsegment" / "data" / "sample_ledger.csv"


def _frame(**columns) -> pd.DataFrame:
    frame = pd.DataFrame(columns)
    return frame.set_index(pd.Index(frame.pop("customer_id").astype(str), name="customer_id"))


def _at_risk(n: int, **extra) -> pd.DataFrame:
    """n at-risk customers (a call every 30 days, then a letter), all overdue, with phone and address."""
    ids = [f"c{i:03d}" for i in range(n)]
    columns = {
        "customer_id": ids,
        "rfm_segment": ["at_risk"] * n,
        "last_purchase": pd.to_datetime(["2026-01-10"] * n),
        "mean_gap": [60.0] * n,
        "revenue": np.arange(n, 0, -1, dtype=float) * 10,
        "phone": ["01 23 45 67 89"] * n,
        "address": [f"{i} rue de la Paix" for i in range(n)],
        "email": [f"c{i}@example.fr" for i in range(n)],
    }
    columns.update(extra)
    return _frame(**columns)


@pytest.fixture(scope="module")
def sample():
    if not LEDGER.exists():
        pytest.skip("sample ledger not generated")
    return xs.analyze(str(LEDGER))


def test_columns_of_the_contract(sample):
    plan = sample.plan
    assert list(plan.columns) == list(PLAN_COLUMNS)
    assert plan["rank"].tolist() == list(range(1, len(plan) + 1))
    assert plan["week"].is_monotonic_increasing and plan["week"].min() == 1
    assert set(plan["channel"]) <= {"phone", "email", "letter", "collect_contact"}


def test_capacity_per_channel_and_week_on_the_sample(sample):
    plan = sample.plan
    counts = plan.groupby(["week", "channel"]).size()
    for (week, channel), count in counts.items():
        assert count <= DEFAULT_CAPACITY[channel], (week, channel)
    week1 = plan[plan["week"] == 1]["channel"].value_counts().to_dict()
    # the sample has e-mails and phone numbers but no postal address: no letter anywhere
    assert week1 == {"email": 500, "collect_contact": 50, "phone": 20}
    assert sample.settings.actions["capacity"] == DEFAULT_CAPACITY


def test_due_dates_follow_the_schedule_not_all_today(sample):
    customers = sample.customers
    plan = sample.plan.set_index("customer_id")
    # plan_actions' due dates are the contact plan's, customer by customer
    due = customers.loc[plan.index, "due_date"]
    assert (due.to_numpy() == plan["due_date"].to_numpy()).all()
    as_of = sample.as_of
    assert (customers["due_date"] == as_of).sum() <= sum(DEFAULT_CAPACITY.values())
    starts = as_of + pd.to_timedelta((plan["week"] - 1) * 7, unit="D")
    assert (plan["due_date"] >= starts).all()
    assert (plan["due_date"] < starts + pd.Timedelta(days=7)).all()
    assert plan["week"].max() > 4  # 743 calls at 20 a week: the rest waits, dated


def test_the_rest_waits_for_later_weeks():
    seg = _at_risk(45)
    plan = contact_plan(seg, as_of=AS_OF, capacity={"phone": 20})
    assert plan["week"].value_counts().sort_index().tolist() == [20, 20, 5]
    assert (plan["channel"] == "phone").all()
    # best first: revenue decreases with the index at equal urgency
    assert plan["customer_id"].tolist() == sorted(seg.index)
    assert plan.loc[plan["week"] == 2, "due_date"].eq(AS_OF + pd.Timedelta(days=7)).all()
    assert contact_plan(seg, as_of=AS_OF, capacity={"phone": 20}, weeks=1)["week"].eq(1).sum() == 20


def test_a_contact_due_later_is_not_brought_forward():
    seg = _at_risk(2, last_purchase=pd.to_datetime(["2026-01-10", "2026-11-10"]))
    plan = contact_plan(seg, as_of=AS_OF).set_index("customer_id")
    assert plan.loc["c000", "week"] == 1 and plan.loc["c000", "due_date"] == AS_OF
    # bought 12 days ago: the call falls due 30 days after, on 2026-12-10, in week 3
    assert plan.loc["c001", "due_date"] == pd.Timestamp("2026-12-10")
    assert plan.loc["c001", "week"] == 3


def test_ranking_is_monotone_in_value_at_equal_urgency():
    rng = np.random.default_rng(7)
    values = rng.permutation(np.arange(1, 31) * 100.0)
    seg = _at_risk(30, revenue=values)
    plan = contact_plan(seg, as_of=AS_OF, capacity={"phone": 10})
    assert plan["value_at_stake"].is_monotonic_decreasing
    assert plan["value_at_stake"].tolist() == sorted(values, reverse=True)


def test_urgency_breaks_ties_of_value():
    # same value, one far past their rhythm: the late one first
    seg = _at_risk(2, revenue=[500.0, 500.0], mean_gap=[300.0, 30.0])
    plan = contact_plan(seg, as_of=AS_OF)
    assert plan["customer_id"].tolist() == ["c001", "c000"]


def test_segment_priority_from_the_playbook():
    # at equal value and lateness, "can't lose" (priority 3) comes before "hibernating" (priority 1)
    seg = _frame(
        customer_id=["h", "k"],
        rfm_segment=["hibernating", "cant_lose"],
        last_purchase=pd.to_datetime(["2026-01-10"] * 2),
        revenue=[100.0, 100.0],
        email=["h@x.fr", "k@x.fr"],
        phone=["0123456789", "0123456789"],
    )
    assert contact_plan(seg, as_of=AS_OF)["customer_id"].tolist() == ["k", "h"]


def test_next_channel_then_collect_contact():
    seg = _at_risk(
        3,
        phone=["01 23 45 67 89", None, "12"],  # "12" is not a phone number
        address=["1 rue A", "2 rue B", None],
        email=[None, None, "c2@example.fr"],
    )
    plan = contact_plan(seg, as_of=AS_OF, lang="fr").set_index("customer_id")
    assert plan.loc["c000", "channel"] == "phone" and plan.loc["c000", "contact"] == "01 23 45 67 89"
    # no phone: the playbook's next channel (a letter), with the action of that channel
    assert plan.loc["c001", "channel"] == "letter" and plan.loc["c001", "contact"] == "2 rue B"
    assert plan.loc["c001", "action_label"].startswith("Lettre personnelle")
    assert "pas de numéro de téléphone, donc lettre personnelle à la place" in plan.loc["c001", "reason"]
    # neither: collect the details, through the e-mail the customer has
    assert plan.loc["c002", "channel"] == "collect_contact"
    assert plan.loc["c002", "channel_label"] == "Collecter les coordonnées"
    assert plan.loc["c002", "contact"] == "c2@example.fr"
    assert "collecter d'abord ses coordonnées" in plan.loc["c002", "reason"]


def test_a_channel_with_no_capacity_is_not_used():
    seg = _at_risk(3)
    plan = contact_plan(seg, as_of=AS_OF, capacity={"phone": 0})
    assert (plan["channel"] == "letter").all()
    assert plan["reason"].str.contains("not used").all()


def test_postal_address_joins_postcode_and_city():
    seg = _at_risk(1, phone=[None], postcode=["75001"], city=["Paris"])
    plan = contact_plan(seg, as_of=AS_OF)
    assert plan.loc[0, "contact"] == "0 rue de la Paix, 75001 Paris"


def test_without_any_contact_column_the_playbook_channels_stand():
    seg = _frame(customer_id=["a"], rfm_segment=["at_risk"], last_purchase=pd.to_datetime(["2026-01-10"]))
    result = plan_actions(seg, as_of=AS_OF)
    assert result.customers.loc["a", "channel"] == "phone"
    assert any("no contact column" in line for line in result.report)


channel_data = st.fixed_dictionaries(
    {
        "phone": st.sampled_from([None, "", "01 23 45 67 89", "n/a"]),
        "email": st.sampled_from([None, "", "x@y.fr", "nope"]),
        "address": st.sampled_from([None, "", "1 rue A"]),
        "rfm_segment": st.sampled_from(
            ["champions", "at_risk", "hibernating", "new", "lost", "about_to_sleep"]
        ),
        "birthday": st.sampled_from([None, "1980-12-01"]),
    }
)


@settings(max_examples=40, deadline=None)
@given(st.lists(channel_data, min_size=1, max_size=40), st.integers(0, 3), st.integers(1, 4))
def test_never_a_channel_without_its_contact_data(people, phone_cap, letter_cap):
    seg = pd.DataFrame(people)
    seg.index = pd.Index([f"p{i}" for i in range(len(seg))], name="customer_id")
    seg["last_purchase"] = pd.Timestamp("2026-03-01")
    seg["birthday"] = pd.to_datetime(seg["birthday"])
    caps = {"phone": phone_cap, "letter": letter_cap, "email": 3, "collect_contact": 2}
    plan = contact_plan(seg, as_of=AS_OF, capacity=caps).set_index("customer_id")
    has_phone = seg["phone"].fillna("").str.count(r"\d") >= 6
    has_email = seg["email"].fillna("").str.contains("@")
    has_address = seg["address"].fillna("") != ""
    needs = {"phone": has_phone, "email": has_email, "letter": has_address}
    for channel, ok in needs.items():
        assert ok[plan.index[plan["channel"] == channel]].all(), channel
    assert (plan.groupby(["week", "channel"]).size() <= pd.Series(caps).reindex(
        plan.groupby(["week", "channel"]).size().index.get_level_values(1)).to_numpy()).all()  # fmt: skip
    assert len(plan) == len(seg)  # everyone is planned, some weeks later
    assert plan["contact"][plan["channel"] != "collect_contact"].ne("").all()


def test_french_plan_reads_french():
    seg = _at_risk(2, mean_gap=[30.0, np.nan], revenue=[1234.5, 10.0])
    plan = contact_plan(seg, as_of=AS_OF, lang="fr").set_index("customer_id")
    assert plan.loc["c000", "reason"] == (
        "À risque : dernier achat il y a 316 jours, 10,5 fois son rythme habituel de 30 jours ; "
        "1\u202f234\u00a0€ en jeu."
    )
    assert plan.loc["c000", "channel_label"] == "Appel téléphonique"
    assert plan.loc["c000", "message"].startswith("Message d'image")
    en = contact_plan(seg, as_of=AS_OF, lang="en").set_index("customer_id")
    assert en.loc["c000", "reason"] == (
        "At risk: last purchase 316 days ago, 10.5 times their usual rhythm of 30 days; 1,234 at stake."
    )


def test_capacity_checks_and_settings():
    assert capacities({"phone": "5"})["phone"] == 5
    with pytest.raises(ValueError, match="unknown channel 'fax'"):
        capacities({"fax": 3})
    with pytest.raises(ValueError, match="whole number"):
        capacities({"phone": -1})
    rows = Settings.from_rows([("actions.capacity.phone", "5"), ("actions.capacity.email", 50)])
    assert rows.actions == {"capacity": {"phone": 5, "email": 50}}
    assert Settings.from_rows(rows.to_rows()).actions == rows.actions


def test_capacity_from_a_toml_file(tmp_path):
    if not LEDGER.exists():
        pytest.skip("sample ledger not generated")
    config = tmp_path / "settings.toml"
    config.write_text("[actions.capacity]\nphone = 5\nemail = 40\ncollect_contact = 0\n", encoding="utf-8")
    analysis = xs.analyze(str(LEDGER), settings=str(config))
    week1 = analysis.plan[analysis.plan["week"] == 1]["channel"].value_counts().to_dict()
    assert week1 == {"email": 40, "phone": 5}
    assert "collect_contact" not in set(analysis.plan["channel"])


def test_a_lapsing_customer_puts_a_year_of_revenue_at_stake():
    from xlsegment.actions.schedule import value_at_stake

    frame = pd.DataFrame(
        {
            "clv": [9.0, 300.0],
            "p_alive": [0.08, 0.95],
            "basket": [60.0, 100.0],
            "purchases_per_year": [2.0, 3.0],
        }
    )
    late = np.array([6.0, 0.5])
    # former regular: 120 a year, 92 % likely gone -> 110.4 at stake though the CLV says 9
    assert value_at_stake(frame, "clv", late).tolist() == pytest.approx([110.4, 300.0])
    # without a trusted model, lateness against the rhythm stands in for P(alive)
    assert value_at_stake(frame, "clv", late, trust_clv=False).tolist() == pytest.approx([120.0, 300.0])


def test_a_contact_put_later_says_since_when_it_is_due_and_why_that_week():
    seg = _at_risk(30, phone=["01 23 45 67 89"] * 30)
    c = plan_actions(seg, as_of=AS_OF, lang="fr", capacity={"phone": 10}).customers
    # the call was due 30 days after 2026-01-10; the 21st customer is called in week 3
    last = c.loc["c020"]
    assert last["week"] == 3 and last["due_date"] == AS_OF + pd.Timedelta(days=14)
    assert last["due_reason"] == (
        "30 jours après le dernier achat (10/01/2026) ; à faire depuis le 09/02/2026 ; semaine 3 du plan de "
        "contacts : les semaines précédentes sont pleines sur ce canal"
    )
    assert c.loc["c000", "due_reason"].endswith("à faire depuis le 09/02/2026")  # week 1: no week said


ENGLISH = re.compile(
    r"\b(?:the|days|at stake|last purchase|phone call|letter|collect|instead|their|rhythm|week)\b", re.I
)


def test_the_french_plan_has_no_english_and_no_codes(sample):
    plan = sample.plan
    assert len(plan) == 2000  # everyone has a segment of the playbook: everyone is planned
    shown = ["segment_label", "channel_label", "action_label", "reason", "message", "objective", "offer"]
    for column in shown:
        texts = pd.Series(plan[column].unique())
        english = texts[texts.str.contains(ENGLISH)]
        assert english.empty, (column, english.head(3).tolist())
        assert not texts.isin(["phone", "email", "letter", "collect_contact", "champions", "at_risk"]).any()
    assert plan["reason"].str.endswith(".").all() and plan["reason"].str.contains(" en jeu").all()


def test_predictive_clv_counts_only_when_the_models_it_rests_on_are_reliable():
    from xlsegment.actions.schedule import clv_trusted, value_basis

    table = pd.DataFrame(
        {"model": ["bgnbd", "gamma_gamma", "pareto_nbd"], "verdict": ["reliable", "reliable", "uncertain"],
         "used": [True, True, False]}
    )  # fmt: skip
    assert clv_trusted(None) and clv_trusted(table)
    table.loc[1, "verdict"] = "uncertain"
    assert not clv_trusted(table)
    frame = pd.DataFrame({"clv": [5.0, 7.0], "clv_simple": [50.0, 0.0], "revenue": [10.0, 20.0]})
    assert value_basis(frame) == "clv"
    assert value_basis(frame, trust_clv=False) == "clv_simple"
    assert value_basis(frame.assign(clv=np.nan, clv_simple=0.0)) == "revenue"
