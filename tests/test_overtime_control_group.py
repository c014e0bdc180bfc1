"""A campaign's control group is held out of the contact plan (Analysis.plan, « Cette semaine »), of the
mailing lists and of the workbook's mailing table, and the plan says how many per segment."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import xlsegment as xs
from xlsegment.overtime.campaign import campaign_of
from xlsegment.overtime.holdout import control_group_options, plan_note
from xlsegment.report import build_report

SETTINGS = {"clv": {"predictive": False}, "lang": "fr"}


def _analyze(**actions) -> xs.Analysis:
    from xlsegment.ledger import sample_ledger_path

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return xs.analyze(sample_ledger_path(), settings={**SETTINGS, "actions": actions})


@pytest.fixture(scope="module")
def plain() -> xs.Analysis:
    return _analyze()


@pytest.fixture(scope="module")
def held() -> xs.Analysis:
    return _analyze(hold_out=0.2, hold_out_seed=7)


def test_the_plan_leaves_the_control_group_out_and_gives_its_place_to_others(plain, held):
    customers = held.customers
    out = customers.index[customers["held_out"]]
    planned = customers["next_action"].notna() & (customers["next_action"] != "")
    # round(20 %) of every segment with an action, drawn among the customers the plan would contact
    per_segment = customers[planned].groupby("rfm_segment", observed=True)["held_out"].agg(["sum", "size"])
    assert (per_segment["sum"] == np.floor(0.2 * per_segment["size"] + 0.5)).all() and len(out) > 300
    assert not set(out) & set(held.plan["customer_id"])  # Analysis.plan, hence « Cette semaine »
    assert (customers.loc[out, "week"] == 0).all()
    assert (customers.loc[out, "next_action"] == "Groupe témoin : ne pas contacter").all()
    # the weekly capacities go to other customers: week 1 still has its 20 calls, some of them customers
    # the plan without a control group called later, in place of the held-out ones
    calls = lambda a: a.plan[(a.plan["week"] == 1) & (a.plan["channel"] == "phone")]["customer_id"]  # noqa: E731
    assert len(calls(held)) == len(calls(plain)) == 20
    moved_up = set(calls(held)) - set(calls(plain))
    assert moved_up and len(moved_up) == len(set(calls(plain)) & set(out))
    # the plan says how many it holds out per segment, and the sentence says it in French
    counts = held.plan.attrs["held_out"]
    labels = customers.loc[out, "rfm_segment_label"].astype(str).value_counts()
    assert counts == {str(k): int(v) for k, v in labels.items()}
    note = plan_note(held.plan, "fr")
    assert note.startswith(f"Groupe témoin de la campagne : {len(out)} clients sont laissés hors de ce plan")
    top = labels.index[0]
    assert f"({top} {labels.iloc[0]}, " in note
    assert plan_note(plain.plan, "fr") == "" and "held_out" not in plain.customers.columns
    # a plan made again with other capacities still leaves them out
    again = held.contact_plan(capacity={"phone": 5})
    assert not set(out) & set(again["customer_id"])


def test_mailing_lists_and_the_workbook_table_leave_the_control_group_out(held):
    out = set(held.customers.index[held.customers["held_out"]])
    lists = held.mailing_lists()
    listed = set(lists.frame()["customer_id"]) | set(lists.missing["customer_id"])
    assert not listed & out
    assert set(lists.held_out["customer_id"]) == out
    assert any("control group" in line for line in lists.report)
    report = build_report(held, "fr")
    assert not set(report.mailing.frame.iloc[:, 0]) & out
    assert report.week_note == plan_note(held.plan, "fr")
    # the campaign record: contacted and held out, on the channel each would have had
    campaign = campaign_of(held.customers, "2026-11-01")
    assert set(campaign.loc[campaign["held_out"], "customer_id"]) == out
    assert len(campaign) == int((held.customers["next_action"] != "").sum())
    channels = held.customers.loc[campaign["customer_id"], "channel"].to_numpy()
    assert (campaign["channel"].to_numpy() == channels).all()


def test_hold_out_of_mailing_lists_moves_the_drawn_customers_off_the_lists(plain):
    lists = xs.mailing_lists(plain.customers, "rfm_segment", channel="email", lang="fr")
    marked = xs.hold_out(lists, 0.2, seed=1)
    for code, frame in lists.lists.items():
        drawn = round(0.2 * len(frame))
        assert len(marked.lists.get(code, frame.iloc[0:0])) == len(frame) - drawn
    assert len(marked.held_out) == sum(round(0.2 * len(f)) for f in lists.lists.values())
    assert not set(marked.frame()["customer_id"]) & set(marked.held_out["customer_id"])
    campaign = xs.campaign_file(marked, "2026-11-02")
    assert campaign["held_out"].sum() == len(marked.held_out)
    assert len(campaign) == len(lists.frame())


def test_bad_shares_are_refused():
    assert control_group_options({"hold_out": 0, "capacity": {}}) == ({"capacity": {}}, None, 2024)
    with pytest.raises(ValueError, match="between 0 and 1"):
        control_group_options({"hold_out": 10})
