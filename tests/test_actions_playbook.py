"""The playbook: coverage of every default segment in both languages, cadences, and user playbooks."""

from __future__ import annotations

import csv
import warnings
from pathlib import Path

import pandas as pd
import pytest

from xlsegment.actions import PlaybookError, PlaybookWarning, load_playbook, parse_cadence
from xlsegment.actions.playbook import CHANNELS, MESSAGES, OFFERS

RULES = Path(__file__).resolve().parents[1] / "xlsegment" / "rules"


def _classification_pairs() -> list[tuple[str, str]]:
    with (RULES / "classifications.csv").open(encoding="utf-8", newline="") as handle:
        return [(row["classification"], row["code"]) for row in csv.DictReader(handle)]


def _raw_playbook() -> list[dict[str, str]]:
    with (RULES / "playbook.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_default_segment_has_a_row_in_both_languages():
    pairs = _classification_pairs()
    assert len(pairs) >= 30  # abc, pareto, buyer_status, rfm_segment, lifecycle, behaviour, customer_type
    rows = {(r["classification"], r["code"]): r for r in _raw_playbook()}
    missing = [p for p in pairs if p not in rows]
    assert missing == []
    for pair in pairs:
        row = rows[pair]
        for text in ("objective", "measures", "action"):
            assert row[f"{text}_en"].strip(), (pair, text, "en")
            assert row[f"{text}_fr"].strip(), (pair, text, "fr")
            assert row[f"{text}_en"] != row[f"{text}_fr"], (pair, text, "not translated")
        if row["second_channel"]:
            assert row["second_action_en"].strip() and row["second_action_fr"].strip(), pair


def test_default_playbook_loads_without_notes():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        book = load_playbook()
    assert book.attrs["report"] == []
    assert set(book["channel"]) <= set(CHANNELS)
    assert set(book["second_channel"]) <= {*CHANNELS, ""}
    assert set(book["offer"]) <= set(OFFERS)
    kinds = {k for mix in book["message_mix"] for k in mix.split("|")}
    assert kinds <= set(MESSAGES)
    assert (book["cadence_days"] > 0).all()


def test_default_playbook_follows_the_seeds():
    book = load_playbook().set_index(["classification", "code"])
    # seed 001: letters to current customers at least quarterly
    letters = book[book["channel"] == "letter"]
    assert (letters["cadence_days"] <= 91).all()
    # seed 001: a non-selling call at least twice a year to the regular, heavy buyers
    for pair in [("abc", "A"), ("buyer_status", "regular"), ("behaviour", "regular_heavy"),
                 ("rfm_segment", "champions"), ("customer_type", "key"), ("pareto", "top20")]:  # fmt: skip
        assert book.loc[pair, "second_channel"] == "phone"
        assert book.loc[pair, "second_cadence_days"] <= 183
        assert book.loc[pair, "birthday"]  # seed 000: birthday card and gift for A
    # seed 001: former buyers first get a cordial call
    assert book.loc[("behaviour", "former"), "channel"] == "phone"
    # seed 002: the most loyal get the relationship, not discounts; seed 001: do not reward newcomers
    for pair in [("rfm_segment", "champions"), ("lifecycle", "very_good"), ("rfm_segment", "new"),
                 ("buyer_status", "first_time")]:  # fmt: skip
        assert book.loc[pair, "offer"] != "discount"
    # seed 000: first-time buyers get a thank-you letter with a reply card, soon
    first = book.loc[("buyer_status", "first_time")]
    assert first["channel"] == "letter" and first["cadence_days"] <= 30
    assert "carte-réponse" in first["action_fr"]


@pytest.mark.parametrize(
    ("text", "days"),
    [("90", 90), ("90 days", 90), ("90j", 90), ("quarterly", 91), ("Trimestriel", 91), ("12 weeks", 84),
     ("3 mois", 91), ("tous les 30 jours", 30), ("twice a year", 183), ("half-yearly", 183),
     ("une fois par an", 365), ("1 year", 365), ("every 2 weeks", 14), ("1,5 mois", 46)],
)  # fmt: skip
def test_parse_cadence(text, days):
    assert parse_cadence(text) == days


@pytest.mark.parametrize("text", ["", "soon", "0", "-5", "0.2 days", "90 parsecs", None])
def test_parse_cadence_rejects(text):
    with pytest.raises(ValueError, match="cadence"):
        parse_cadence(text)


def _user_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "classification": ["abc", "abc"],
            "code": ["A", "B"],
            "channel": ["Lettre", "courriel"],
            "cadence": ["trimestriel", "60"],
            "objective_en": ["Keep them", "Grow them"],
            "objective_fr": ["Les garder", "Les faire grandir"],
        }
    )


def test_user_playbook_missing_segments_fall_back_with_a_warning():
    with pytest.warns(PlaybookWarning, match="abc/C"):
        book = load_playbook(_user_rows())
    default = load_playbook()
    assert len(book) == len(default)
    mine = book.set_index(["classification", "code"])
    assert mine.loc[("abc", "A"), "channel"] == "letter"  # French synonym understood
    assert mine.loc[("abc", "B"), "channel"] == "email"
    assert mine.loc[("abc", "B"), "cadence_days"] == 60
    assert mine.loc[("abc", "A"), "objective_fr"] == "Les garder"
    fallback = default.set_index(["classification", "code"]).loc[("abc", "C")]
    assert mine.loc[("abc", "C"), "objective_en"] == fallback["objective_en"]
    assert any("abc/C" in line and "default" in line for line in book.attrs["report"])


def test_user_playbook_from_csv_names_the_bad_lines(tmp_path):
    frame = _user_rows()
    frame.loc[2] = ["abc", "C", "fax", "someday", "x", "y"]
    frame.loc[1, "cadence"] = "whenever"
    path = tmp_path / "my_playbook.csv"
    frame.to_csv(path, index=False, sep=";")
    with pytest.raises(PlaybookError) as err:
        load_playbook(path)
    message = str(err.value)
    assert "my_playbook.csv" in message
    assert "line 3 (abc/B)" in message and "whenever" in message
    assert "line 4 (abc/C)" in message and "'fax'" in message and "someday" in message
    assert "line 2" not in message


def test_user_playbook_frame_names_rows_by_index():
    frame = _user_rows()
    frame.loc[1, "channel"] = "pigeon"
    with pytest.raises(PlaybookError, match=r"row 1 \(abc/B\): unknown channel 'pigeon'"):
        load_playbook(frame)


def test_user_playbook_duplicate_rows():
    frame = pd.concat([_user_rows(), _user_rows().iloc[[0]]], ignore_index=True)
    with pytest.raises(PlaybookError, match=r"row 2 \(abc/A\): duplicate of row 0"):
        load_playbook(frame)


def test_user_playbook_missing_columns():
    with pytest.raises(PlaybookError, match="missing column.*cadence"):
        load_playbook(_user_rows().drop(columns=["cadence"]))


def test_user_playbook_bad_message_mix_and_offer():
    frame = _user_rows().assign(message_mix=["image|gossip", "product"], offer=["none", "bribe"])
    with pytest.raises(PlaybookError) as err:
        load_playbook(frame)
    assert "gossip" in str(err.value) and "bribe" in str(err.value)


def test_user_playbook_one_language_is_completed_and_said():
    frame = _user_rows()
    frame.loc[1, "objective_fr"] = ""
    with pytest.warns(PlaybookWarning):
        book = load_playbook(frame)
    row = book.set_index(["classification", "code"]).loc[("abc", "B")]
    assert row["objective_fr"] == "Grow them"
    assert any("objective_fr is empty" in line for line in book.attrs["report"])


def test_user_playbook_missing_file():
    with pytest.raises(PlaybookError, match="does not exist"):
        load_playbook("/nonexistent/playbook.csv")


def test_load_playbook_does_not_modify_the_user_frame():
    frame = _user_rows()
    before = frame.copy()
    with pytest.warns(PlaybookWarning):
        load_playbook(frame)
    pd.testing.assert_frame_equal(frame, before)


def test_default_playbook_has_no_stray_rows():
    pairs = set(_classification_pairs())
    stray = [
        (r["classification"], r["code"])
        for r in _raw_playbook()
        if (r["classification"], r["code"]) not in pairs
    ]
    assert stray == []


def test_excel_french_csv_in_cp1252(tmp_path):
    path = tmp_path / "playbook_fr.csv"
    text = "classification;code;channel;cadence;objective_fr\nabc;A;Téléphone;tous les 60 jours;Fidéliser\n"
    path.write_bytes(text.encode("cp1252"))
    with pytest.warns(PlaybookWarning):
        book = load_playbook(path, classifications=[("abc", "A"), ("abc", "B")])
    mine = book.set_index(["classification", "code"])
    assert mine.loc[("abc", "A"), "channel"] == "phone"
    assert mine.loc[("abc", "A"), "cadence_days"] == 60
    assert mine.loc[("abc", "A"), "objective_en"] == "Fidéliser"  # the one language given serves both
    assert list(mine.index) == [("abc", "A"), ("abc", "B")]  # only the pairs asked for are completed


def test_second_cadence_without_second_channel():
    frame = _user_rows().assign(second_cadence=["yearly", ""])
    with pytest.raises(
        PlaybookError, match=r"row 0 \(abc/A\): second_cadence 'yearly' given without a second_channel"
    ):
        load_playbook(frame)
