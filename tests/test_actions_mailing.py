"""Mailing lists: exactly the segment's reachable customers, personal salutations, atomic CSV."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlsegment.actions import mailing_lists, plan_actions, salutations, write_csv
from xlsegment.actions.mailing import addressees
from xlsegment.errors import LedgerError


def _people() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "abc": ["A", "A", "B", "A", "C", "A"],
            "civility": ["Mme", "M.", None, "Mrs", None, None],
            "first_name": ["Marie", "Jean", "Paul", "Ann", None, None],
            "last_name": ["Dupont", "Martin", "Durand", "Smith", None, None],
            "name": [None, None, None, None, "Léa Petit", None],
            "address": ["1 rue A", "2 rue B", "3 rue C", None, "5 rue E", "6 rue F"],
            "email": ["marie@x.fr", None, "paul@x.fr", "ann@x.com", None, "bad-address"],
            "phone": [None, "01 23 45 67 89", None, None, None, None],
            "last_purchase": pd.to_datetime(["2026-10-01"] * 6),
        },
        index=pd.Index(["m1", "m2", "m3", "m4", "m5", "m6"], name="customer_id"),
    )


def test_salutations_french_and_english():
    people = _people()
    fr = salutations(people, "fr")
    en = salutations(people, "en")
    assert fr.tolist() == ["Chère Madame Dupont", "Cher Monsieur Martin", "Bonjour Paul", "Chère Madame Smith",
                           "Bonjour Léa Petit", "Bonjour"]  # fmt: skip
    assert en.tolist() == ["Dear Mrs Dupont", "Dear Mr Martin", "Dear Paul", "Dear Mrs Smith", "Dear Léa Petit",
                           "Hello"]  # fmt: skip
    for text in [*fr, *en]:
        assert "Sir or Madam" not in text and "Madame, Monsieur" not in text


def test_civility_without_last_name_uses_the_first_name():
    people = pd.DataFrame({"civility": ["Madame"], "first_name": ["Marie"]}, index=["x"])
    assert salutations(people, "fr").tolist() == ["Bonjour Marie"]


def test_letter_list_is_exactly_the_segment_with_an_address():
    result = mailing_lists(_people(), "abc", ["A"], channel="letter", lang="fr")
    assert list(result.lists) == ["A"]
    assert result.lists["A"]["customer_id"].tolist() == ["m1", "m2", "m6"]
    assert result.missing["customer_id"].tolist() == ["m4"]
    assert result.missing["missing_contact"].tolist() == ["pas d'adresse postale"]
    assert result.lists["A"]["salutation"].tolist() == [
        "Chère Madame Dupont",
        "Cher Monsieur Martin",
        "Bonjour",
    ]
    assert any("plain greeting" in line for line in result.report)


def test_email_list_needs_a_real_address():
    result = mailing_lists(_people(), "abc", ["A"], channel="email")
    assert result.lists["A"]["customer_id"].tolist() == ["m1", "m4"]
    assert sorted(result.missing["customer_id"]) == ["m2", "m6"]
    assert set(result.missing["missing_contact"]) == {"no e-mail address"}


def test_any_channel_and_every_segment():
    result = mailing_lists(_people(), "abc")
    assert list(result.lists) == ["A", "B", "C"]
    assert result.frame()["customer_id"].tolist() == ["m1", "m2", "m4", "m6", "m3", "m5"]
    assert result.missing.empty


def test_where_filter_and_unknown_segment_reported():
    people = _people()
    result = mailing_lists(people, "abc", ["A", "Z"], where=people["email"].notna())
    assert result.lists["A"]["customer_id"].tolist() == ["m1", "m4", "m6"]
    assert any("'Z' has no customers" in line for line in result.report)
    result = mailing_lists(people, "abc", where=lambda f: f["phone"].notna())
    assert result.frame()["customer_id"].tolist() == ["m2"]


def test_channel_from_the_plan():
    people = _people()
    plan = plan_actions(people, as_of="2026-11-22", classification="abc")
    result = mailing_lists(people, "abc", plan=plan)
    # A and B get letters (need an address), C gets e-mails in the default playbook; the plan already
    # chose collect_contact for the customers no channel of their playbook row reaches
    assert result.frame()["customer_id"].tolist() == ["m1", "m2", "m6", "m3"]
    collect = "no contact data for the playbook's channels: collect it first"
    assert result.missing.set_index("customer_id")["missing_contact"].to_dict() == {
        "m4": collect,
        "m5": collect,
    }
    by_channel = mailing_lists(people, "abc", channel="letter")
    assert by_channel.missing.set_index("customer_id")["missing_contact"].to_dict() == {
        "m4": "no postal address"
    }
    assert "next_action" in result.frame().columns and "due_date" in result.frame().columns


def test_bad_channel_and_missing_column():
    with pytest.raises(ValueError, match="unknown channel 'fax'"):
        mailing_lists(_people(), "abc", channel="fax")
    with pytest.raises(LedgerError, match="rfm_segment"):
        mailing_lists(_people())


def test_write_csv_is_atomic_and_excel_friendly(tmp_path):
    result = mailing_lists(_people(), "abc", channel="letter", lang="fr")
    paths = result.write_csv(tmp_path, sep=";")
    names = sorted(p.name for p in paths)
    assert names == [
        "mailing_abc_A.csv",
        "mailing_abc_B.csv",
        "mailing_abc_C.csv",
        "mailing_abc_missing_contact.csv",
    ]
    raw = (tmp_path / "mailing_abc_A.csv").read_bytes()
    assert raw.startswith("\ufeff".encode())  # BOM: Excel reads the accents
    back = pd.read_csv(tmp_path / "mailing_abc_A.csv", sep=";", encoding="utf-8-sig", dtype=str)
    assert back["salutation"].tolist() == ["Chère Madame Dupont", "Cher Monsieur Martin", "Bonjour"]
    assert sorted(p.name for p in tmp_path.iterdir()) == names  # no temporary file left


def test_write_csv_failure_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "list.csv"
    path.write_text("old content", encoding="utf-8")

    def boom(self, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", boom)
    with pytest.raises(OSError, match="disk full"):
        write_csv(pd.DataFrame({"a": [1]}), path)
    assert path.read_text(encoding="utf-8") == "old content"
    assert [p.name for p in tmp_path.iterdir()] == ["list.csv"]


def test_write_csv_goes_through_a_temporary_file_in_the_same_folder(tmp_path, monkeypatch):
    # atomic (xlsegment.atomic): written unnamed or under a temporary name, then put in place in one step;
    # a failure half-way leaves the old file and nothing else
    target = tmp_path / "out.csv"
    target.write_text("old", encoding="utf-8")

    def broken(self, handle, **kwargs):
        handle.write("half")
        raise OSError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(pd.DataFrame, "to_csv", broken)
        with pytest.raises(OSError, match="disk full"):
            write_csv(pd.DataFrame({"a": [1]}), target)
    assert target.read_text(encoding="utf-8") == "old" and [p.name for p in tmp_path.iterdir()] == ["out.csv"]
    write_csv(pd.DataFrame({"a": [1]}), target)
    assert target.read_text(encoding="utf-8-sig") == "a\n1\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["A", "B", "C", None]), st.booleans(), st.booleans(), st.booleans()),
        min_size=1,
        max_size=30,
    ),
    st.sampled_from([None, "letter", "email", "phone"]),
)
def test_lists_partition_the_segment(rows, channel):
    frame = pd.DataFrame(
        {
            "abc": [r[0] for r in rows],
            "address": ["1 rue X" if r[1] else None for r in rows],
            "email": ["a@b.fr" if r[2] else "" for r in rows],
            "phone": ["0123456789" if r[3] else None for r in rows],
        },
        index=pd.Index([f"k{i}" for i in range(len(rows))], name="customer_id"),
    )
    result = mailing_lists(frame, "abc", ["A", "B"], channel=channel)
    need = {"letter": "address", "email": "email", "phone": "phone"}
    for code in ("A", "B"):
        members = {f"k{i}" for i, r in enumerate(rows) if r[0] == code}
        if channel is None:
            reach = {f"k{i}" for i, r in enumerate(rows) if r[0] == code and (r[1] or r[2] or r[3])}
        else:
            pos = {"address": 1, "email": 2, "phone": 3}[need[channel]]
            reach = {f"k{i}" for i, r in enumerate(rows) if r[0] == code and r[pos]}
        listed = set(result.lists[code]["customer_id"]) if code in result.lists else set()
        assert listed == reach
        unreached = set(result.missing.loc[result.missing["segment"] == code, "customer_id"])
        assert unreached == members - reach


def test_csv_conventions_follow_the_language(tmp_path):
    frame = pd.DataFrame({"amount": [1234.5], "due_date": pd.to_datetime(["2026-12-31"]), "city": ["Lyon"]})
    fr = (write_csv(frame, tmp_path / "fr.csv", lang="fr")).read_text(encoding="utf-8-sig")
    en = (write_csv(frame, tmp_path / "en.csv", lang="en")).read_text(encoding="utf-8-sig")
    assert fr.splitlines() == ["amount;due_date;city", "1234,5;31/12/2026;Lyon"]
    assert en.splitlines() == ["amount,due_date,city", "1234.5,2026-12-31,Lyon"]


def test_addressees_for_the_envelope():
    people = _people()
    assert addressees(people, "fr").tolist() == ["Madame Marie Dupont", "Monsieur Jean Martin", "Paul Durand",
                                                 "Madame Ann Smith", "Léa Petit", ""]  # fmt: skip
    assert addressees(people, "en").tolist()[:2] == ["Mrs Marie Dupont", "Mr Jean Martin"]
