"""plan_actions: next action, channel and due date per customer, offer suppression, per-segment summary."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlsegment.actions import load_playbook, plan_actions
from xlsegment.errors import LedgerError

AS_OF = pd.Timestamp("2026-11-22")
RFM_CODES = ["champions", "loyal", "potential_loyalist", "new", "promising", "need_attention", "about_to_sleep",
             "at_risk", "cant_lose", "hibernating", "lost", "other"]  # fmt: skip


def _frame(**columns) -> pd.DataFrame:
    frame = pd.DataFrame(columns)
    return frame.set_index(pd.Index(frame.pop("customer_id").astype(str), name="customer_id"))


def _book() -> pd.DataFrame:
    return load_playbook().set_index(["classification", "code"])


def test_due_date_is_the_cadence_after_the_last_purchase():
    seg = _frame(
        customer_id=["c1", "c2"],
        rfm_segment=["hibernating", "hibernating"],  # e-mail every quarter (91 days), no second contact
        last_purchase=pd.to_datetime(["2026-11-01", "2026-01-01"]),
        revenue=[10.0, 20.0],
    )
    plan = plan_actions(seg, as_of=AS_OF)
    c = plan.customers
    assert c.loc["c1", "due_date"] == pd.Timestamp("2026-11-01") + pd.Timedelta(days=91)
    assert c.loc["c2", "due_date"] == AS_OF  # 2026-04-02 has passed: due now
    assert c.loc["c2", "due_reason"] == "91 days after the last purchase (1 Jan 2026); due since 2 Apr 2026"
    # nothing tells these customers' rhythm: no contact is called late
    assert not c["action_overdue"].any()
    assert (c["channel"] == "email").all()
    expected = _book().loc[("rfm_segment", "hibernating"), "action_en"]
    assert (c["next_action"] == expected).all()


def test_last_contact_is_the_base_when_known():
    seg = _frame(
        customer_id=["c1", "c2"],
        rfm_segment=["hibernating", "hibernating"],
        last_purchase=pd.to_datetime(["2026-01-01", "2026-01-01"]),
        last_contact=pd.to_datetime(["2026-11-10", None]),
    )
    c = plan_actions(seg, as_of=AS_OF).customers
    assert c.loc["c1", "due_date"] == pd.Timestamp("2026-11-10") + pd.Timedelta(days=91)
    assert "last contact" in c.loc["c1", "due_reason"]
    assert c.loc["c2", "due_date"] == AS_OF
    assert "last purchase" in c.loc["c2", "due_reason"]


def test_birthday_card_for_key_customers_before_the_birthday():
    seg = _frame(
        customer_id=["soon", "passed", "none", "no_card"],
        customer_type=["key", "key", "key", "base"],
        last_purchase=pd.to_datetime(["2026-11-01"] * 4),
        birthday=pd.to_datetime(["1980-12-20", "1975-01-10", None, "1980-12-20"]),
    )
    c = plan_actions(seg, as_of=AS_OF, classification="customer_type", lang="fr").customers
    # next birthday 2026-12-20, card 14 days before; the letter would be 2027-01-31
    assert c.loc["soon", "due_date"] == pd.Timestamp("2026-12-06")
    assert c.loc["soon", "next_action"].startswith("Carte d'anniversaire")
    assert c.loc["soon", "channel"] == "letter" and c.loc["soon", "message"] == "image"
    assert "20/12/2026" in c.loc["soon", "due_reason"]
    # birthday already past this year: next one is 2027-01-10, card 2026-12-27
    assert c.loc["passed", "due_date"] == pd.Timestamp("2026-12-27")
    # no birthday known: the regular contact (letter every quarter)
    assert c.loc["none", "due_date"] == pd.Timestamp("2026-11-01") + pd.Timedelta(days=91)
    # base customers get no birthday card in the default playbook
    assert not c.loc["no_card", "next_action"].startswith("Carte")


def test_birthday_card_inside_the_lead_window_is_due_now_not_late():
    seg = _frame(
        customer_id=["c1"],
        rfm_segment=["champions"],
        last_purchase=pd.to_datetime(["2025-01-01"]),  # letter long overdue
        birthday=pd.to_datetime(["1970-11-25"]),
    )
    c = plan_actions(seg, as_of=AS_OF).customers
    assert c.loc["c1", "due_date"] == AS_OF
    assert c.loc["c1", "next_action"].startswith("Birthday card")
    assert not c.loc["c1", "action_overdue"]


def test_29_february_birthday_in_a_common_year():
    seg = _frame(customer_id=["c1"], rfm_segment=["champions"], last_purchase=pd.to_datetime(["2027-01-20"]),
                 birthday=pd.to_datetime(["1988-02-29"]))  # fmt: skip
    c = plan_actions(seg, as_of="2027-02-01", birthday_lead_days=0).customers
    assert c.loc["c1", "due_date"] == pd.Timestamp("2027-02-28")


def test_second_contact_when_it_comes_first():
    # new customers: thank-you letter 14 days after the purchase, then e-mail every quarter
    seg = _frame(customer_id=["c1"], rfm_segment=["new"], last_purchase=pd.to_datetime(["2026-11-20"]),
                 last_contact=pd.to_datetime(["2026-11-21"]))  # fmt: skip
    c = plan_actions(seg, as_of=AS_OF).customers
    assert c.loc["c1", "due_date"] == pd.Timestamp("2026-12-05")
    assert c.loc["c1", "channel"] == "letter"
    custom = load_playbook().copy()
    row = (custom["classification"] == "rfm_segment") & (custom["code"] == "new")
    custom.loc[row, ["second_cadence_days"]] = 7
    c2 = plan_actions(seg, playbook=custom, as_of=AS_OF).customers
    assert c2.loc["c1", "channel"] == "email"
    assert c2.loc["c1", "due_date"] == pd.Timestamp("2026-11-28")
    assert c2.loc["c1", "next_action"] == _book().loc[("rfm_segment", "new"), "second_action_en"]


def test_calls_carry_image_messages_and_mixes_never_combine():
    seg = _frame(
        customer_id=[f"c{i}" for i in range(len(RFM_CODES))],
        rfm_segment=RFM_CODES,
        last_purchase=pd.date_range("2024-01-01", periods=len(RFM_CODES), freq="53D"),
    )
    c = plan_actions(seg, as_of=AS_OF).customers
    book = _book()
    assert (c.loc[c["channel"] == "phone", "message"] == "image").all()
    for cid, row in c.iterrows():
        allowed = book.loc[("rfm_segment", row["segment"]), "message_mix"].split("|")
        assert row["message"] in allowed or row["message"] == "image", cid
        assert "|" not in row["message"]


def _tx(rows):
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount", "category", "discount"]).assign(
        date=lambda d: pd.to_datetime(d["date"])
    )


def test_no_discount_on_a_family_just_bought_at_full_price():
    seg = _frame(
        customer_id=["full", "discounted", "old", "other_family", "returned"],
        rfm_segment=["hibernating"] * 5,  # the playbook offers a discount on their product family
        last_purchase=pd.to_datetime(["2026-10-01"] * 5),
        main_category=["Garden", "Garden", "Garden", "Garden", "Garden"],
    )
    tx = _tx([
        ["full", "2026-10-01", 120.0, "Garden", 0.0],
        ["discounted", "2026-10-01", 120.0, "Garden", 10.0],
        ["old", "2026-07-01", 120.0, "Garden", 0.0],  # 144 days before as_of
        ["other_family", "2026-10-01", 120.0, "Kitchen", 0.0],
        ["returned", "2026-10-01", -120.0, "Garden", 0.0],
    ])  # fmt: skip
    plan = plan_actions(seg, as_of=AS_OF, transactions=tx, full_price_days=90)
    c = plan.customers
    assert c.loc["full", "suppressed_offer"] == "Discount on Garden"
    assert c.loc["full", "offer"] == ""
    assert (
        "Garden" in c.loc["full", "suppressed_reason"] and "1 Oct 2026" in c.loc["full", "suppressed_reason"]
    )
    for cid in ("discounted", "old", "other_family", "returned"):
        assert c.loc[cid, "suppressed_offer"] == "", cid
        assert c.loc[cid, "suppressed_reason"] == "", cid
        assert c.loc[cid, "offer"] == "Discount on Garden", cid
    assert any("withheld" in line for line in plan.report)


def test_offered_family_from_transactions_when_summary_has_none():
    seg = _frame(
        customer_id=["c1"], rfm_segment=["hibernating"], last_purchase=pd.to_datetime(["2026-10-01"])
    )
    tx = _tx([["c1", "2025-01-01", 500.0, "Tea", 0.0], ["c1", "2026-10-01", 20.0, "Cups", 0.0]])
    c = plan_actions(seg, as_of=AS_OF, transactions=tx, lang="fr").customers
    assert c.loc["c1", "offer"] == "Remise sur Tea"  # the family with the most revenue
    assert c.loc["c1", "suppressed_offer"] == ""


def test_suppression_needs_discount_data_and_says_so():
    seg = _frame(
        customer_id=["c1"], rfm_segment=["hibernating"], last_purchase=pd.to_datetime(["2026-10-01"])
    )
    plan = plan_actions(seg, as_of=AS_OF)
    assert any("no transactions" in line for line in plan.report)
    tx = _tx([["c1", "2026-10-01", 20.0, "Cups", 0.0]]).drop(columns=["discount"])
    plan = plan_actions(seg, as_of=AS_OF, transactions=tx)
    assert any("discount or discounted" in line for line in plan.report)


def test_segment_summary_counts_revenue_and_texts_in_french():
    seg = _frame(
        customer_id=["a", "b", "c", "d"],
        abc=["A", "A", "C", None],
        revenue=[700.0, 200.0, 100.0, 5.0],
        last_purchase=pd.to_datetime(["2026-11-01"] * 4),
    )
    plan = plan_actions(seg, as_of=AS_OF, classification="abc", lang="fr")
    s = plan.segments.set_index("segment")
    assert list(s.index) == ["A", "B", "C"]
    assert s["customers"].tolist() == [2, 0, 1]
    assert s.loc["A", "revenue"] == pytest.approx(900.0)
    assert s.loc["A", "revenue_share"] == pytest.approx(900 / 1005)
    assert s.loc["A", "objective"] == _book().loc[("abc", "A"), "objective_fr"]
    assert s.loc["A", "segment_label"] == "Clients A"
    assert "trimestre" in s.loc["A", "contact_plan"]
    assert plan.customers.loc["d", "next_action"] == ""
    assert any("no abc code" in line for line in plan.report)


def test_unknown_code_is_reported_not_planned():
    seg = _frame(customer_id=["a", "b"], rfm_segment=["champions", "vip"],
                 last_purchase=pd.to_datetime(["2026-11-01"] * 2))  # fmt: skip
    plan = plan_actions(seg, as_of=AS_OF)
    assert plan.customers.loc["b", "next_action"] == ""
    assert pd.isna(plan.customers.loc["b", "due_date"])
    assert "vip" in plan.customers.loc["b", "due_reason"]
    assert any("vip" in line for line in plan.report)
    assert "vip" in set(plan.segments["segment"])


@pytest.mark.parametrize("classification", ["abc", "pareto", "buyer_status", "rfm_segment", "lifecycle",
                                            "behaviour", "customer_type"])  # fmt: skip
def test_every_default_segment_gets_an_action_in_both_languages(classification):
    book = load_playbook()
    codes = book.loc[book["classification"] == classification, "code"].tolist()
    seg = _frame(customer_id=codes, last_purchase=pd.to_datetime(["2026-06-01"] * len(codes)),
                 **{classification: codes})  # fmt: skip
    for lang in ("en", "fr"):
        c = plan_actions(seg, as_of=AS_OF, classification=classification, lang=lang).customers
        assert (c["next_action"] != "").all()
        assert (c["objective"] != "").all()
        assert c["due_date"].notna().all()
        assert (c["channel_label"] != "").all()


def test_missing_classification_column():
    seg = _frame(customer_id=["a"], abc=["A"])
    with pytest.raises(LedgerError, match="rfm_segment.*classifications present: abc"):
        plan_actions(seg, as_of=AS_OF)


def test_no_as_of_anywhere():
    seg = _frame(customer_id=["a"], rfm_segment=["champions"])
    with pytest.raises(LedgerError, match="as_of"):
        plan_actions(seg)


def test_as_of_from_summary_attrs():
    seg = _frame(customer_id=["a"], rfm_segment=["hibernating"], last_purchase=pd.to_datetime(["2026-01-01"]))
    seg.attrs["as_of"] = pd.Timestamp("2026-03-01")
    plan = plan_actions(seg)
    assert plan.as_of == pd.Timestamp("2026-03-01")
    assert plan.customers.loc["a", "due_date"] == pd.Timestamp("2026-04-02")


def test_duplicate_customers_rejected():
    seg = pd.DataFrame({"customer_id": ["a", "a"], "rfm_segment": ["champions", "lost"]})
    with pytest.raises(LedgerError, match="more than once"):
        plan_actions(seg, as_of=AS_OF)


def test_input_frame_untouched():
    seg = _frame(customer_id=["a", "b"], rfm_segment=["champions", "lost"],
                 last_purchase=pd.to_datetime(["2026-11-01", "2025-01-01"]))  # fmt: skip
    before = seg.copy()
    plan_actions(seg, as_of=AS_OF)
    pd.testing.assert_frame_equal(seg, before)


@st.composite
def _customers(draw):
    n = draw(st.integers(1, 25))
    codes = draw(st.lists(st.sampled_from(RFM_CODES), min_size=n, max_size=n))
    days = draw(st.lists(st.integers(0, 900), min_size=n, max_size=n))
    bdays = draw(st.lists(st.one_of(st.none(), st.integers(0, 365 * 60)), min_size=n, max_size=n))
    frame = pd.DataFrame(
        {
            "rfm_segment": codes,
            "last_purchase": [AS_OF - pd.Timedelta(days=d) for d in days],
            "birthday": [
                pd.Timestamp("1950-01-01") + pd.Timedelta(days=b) if b is not None else pd.NaT for b in bdays
            ],
            "revenue": np.arange(n, dtype=float),
        },
        index=pd.Index([f"c{i:03d}" for i in range(n)], name="customer_id"),
    )
    perm = draw(st.permutations(list(range(n))))
    return frame, perm


@settings(max_examples=25, deadline=None)
@given(_customers())
def test_plan_is_deterministic_and_independent_of_row_order(data):
    frame, perm = data
    first = plan_actions(frame, as_of=AS_OF).customers
    again = plan_actions(frame, as_of=AS_OF).customers
    pd.testing.assert_frame_equal(first, again)
    shuffled = plan_actions(frame.iloc[list(perm)], as_of=AS_OF).customers
    pd.testing.assert_frame_equal(shuffled.loc[first.index], first)
    # every due date is on or after as_of and at most a year and a bit away
    assert (first["due_date"] >= AS_OF).all()
    assert (first["due_date"] <= AS_OF + pd.Timedelta(days=366)).all()


def test_per_channel_contact_log_restarts_that_channel():
    # at risk: a cordial call every 30 days, then a letter with a targeted offer every quarter
    seg = _frame(
        customer_id=["called", "never"],
        rfm_segment=["at_risk", "at_risk"],
        last_purchase=pd.to_datetime(["2025-06-01", "2025-06-01"]),
        last_phone=pd.to_datetime(["2026-11-15", None]),
        last_letter=pd.to_datetime(["2026-10-01", None]),
    )
    c = plan_actions(seg, as_of=AS_OF).customers
    # the call was made a week ago: next call 2026-12-15, the follow-up letter 2026-12-31 -> the call first
    assert c.loc["called", "channel"] == "phone"
    assert c.loc["called", "due_date"] == pd.Timestamp("2026-12-15")
    assert "last contact" in c.loc["called", "due_reason"]
    # nothing logged: the call is due since 30 days after the last purchase
    assert c.loc["never", "channel"] == "phone" and "due since 1 Jul 2025" in c.loc["never", "due_reason"]
    seg.loc["called", "last_letter"] = pd.Timestamp("2026-08-01")
    c = plan_actions(seg, as_of=AS_OF).customers
    # the letter is now due (2026-10-31 passed) before the next call
    assert c.loc["called", "channel"] == "letter"
    assert c.loc["called", "due_date"] == AS_OF
    assert c.loc["called", "next_action"] == _book().loc[("rfm_segment", "at_risk"), "second_action_en"]
