"""Settings: one place for every parameter, from JSON, TOML or a Settings sheet's rows."""

from __future__ import annotations

import json

import pytest

from xlsegment.errors import ConfigError
from xlsegment.settings import Settings


def test_defaults_follow_the_functions():
    s = Settings()
    assert (s.as_of, s.time_unit, s.lang, s.segment_by) == (None, "D", "auto", "rfm_segment")
    assert s.segments == {} and s.clv == {} and s.lapse == {} and s.actions == {}


def test_normalises_unit_language_and_date():
    s = Settings(as_of="2026-10-31 15:00", time_unit="w", lang="FR")
    assert (s.as_of, s.time_unit, s.lang) == ("2026-10-31", "W", "fr")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"time_unit": "Y"}, "time_unit must be one of D, W, M"),
        ({"lang": "de"}, "language 'de' is not supported"),
        ({"as_of": "not a date"}, "as_of 'not a date' is not a date"),
        ({"segments": [1, 2]}, "settings 'segments' must be a table"),
    ],
)
def test_bad_values_are_named(kwargs, message):
    with pytest.raises((ConfigError, ValueError), match=message):
        Settings(**kwargs)


def test_from_json_and_toml(tmp_path):
    data = {"as_of": "2025-12-31", "lang": "fr", "segments": {"rfm_bins": 4}, "lapse": {"lapsed_months": 3}}
    json_file = tmp_path / "s.json"
    json_file.write_text(json.dumps(data), encoding="utf-8")
    toml_file = tmp_path / "s.toml"
    toml_file.write_text(
        'as_of = "2025-12-31"\nlang = "fr"\n[segments]\nrfm_bins = 4\n[lapse]\nlapsed_months = 3\n',
        encoding="utf-8",
    )
    for path in (json_file, toml_file):
        s = Settings.from_file(path)
        assert s.as_of == "2025-12-31" and s.lang == "fr"
        assert s.segments == {"rfm_bins": 4} and s.lapse == {"lapsed_months": 3}


def test_unknown_key_and_bad_file_are_named(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"lnag": "fr"}', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad.json: unknown setting\(s\) lnag"):
        Settings.from_file(bad)
    broken = tmp_path / "broken.toml"
    broken.write_text("lang = = 'fr'", encoding="utf-8")
    with pytest.raises(ConfigError, match="broken.toml: not valid TOML"):
        Settings.from_file(broken)
    with pytest.raises(ConfigError, match="cannot be read"):
        Settings.from_file(tmp_path / "missing.json")


def test_sheet_rows_round_trip():
    s = Settings(as_of="2026-01-31", lang="fr", segments={"rfm_bins": 4, "abc_thresholds": [0.7, 0.9]})
    again = Settings.from_rows(s.to_rows())
    assert again == s


def test_sheet_rows_read_french_booleans_and_skip_blanks():
    s = Settings.from_rows([("clv.predictive", "non"), ("lang", "fr"), ("", "x"), ("as_of", None)])
    assert s.clv == {"predictive": False} and s.lang == "fr" and s.as_of is None


def test_coerce_applies_overrides():
    s = Settings.coerce({"lang": "fr"}, time_unit="M", as_of=None)
    assert (s.lang, s.time_unit, s.as_of) == ("fr", "M", None)
