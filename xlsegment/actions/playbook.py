"""The action playbook: per (classification, segment code) an objective, measures and a contact plan, FR and EN.

The default playbook is the editable table `rules/playbook.csv`; a user playbook (file or DataFrame) is
validated row by row and any segment it leaves out falls back to the default row, which is reported.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

from xlsegment.errors import ConfigError, say

CHANNELS = ("letter", "phone", "email", "sms", "visit", "event")
MESSAGES = ("image", "product", "event")
OFFERS = ("none", "discount", "loyalty_bonus", "gift", "free_delivery", "invitation")
TEXTS = ("objective", "measures", "action", "second_action")
LANGS = ("en", "fr")
COLUMNS = (
    "classification",
    "code",
    "channel",
    "cadence",
    "second_channel",
    "second_cadence",
    "message_mix",
    "offer",
    "birthday",
    "budget_weight",
    "priority",
    *(f"{text}_{lang}" for text in TEXTS for lang in LANGS),
)

# synonyms a French or English user may type; keys are compared lower-case without accents
_CHANNEL_SYNONYMS = {
    "letter": "letter", "lettre": "letter", "courrier": "letter", "mail postal": "letter", "post": "letter",
    "phone": "phone", "call": "phone", "phone call": "phone", "telephone": "phone", "appel": "phone",
    "tel": "phone", "email": "email", "e-mail": "email", "courriel": "email", "mel": "email",
    "sms": "sms", "text": "sms", "text message": "sms", "visit": "visit", "visite": "visit",
    "event": "event", "evenement": "event",
}  # fmt: skip
_MESSAGE_SYNONYMS = {"image": "image", "product": "product", "produit": "product", "event": "event",
                     "evenement": "event"}  # fmt: skip
_BOOL = {"yes": True, "oui": True, "true": True, "vrai": True, "1": True, "y": True, "o": True,
         "no": False, "non": False, "false": False, "faux": False, "0": False, "n": False, "": False}  # fmt: skip
_NAMED_CADENCES = {
    "daily": 1, "quotidien": 1, "weekly": 7, "hebdomadaire": 7, "fortnightly": 14, "bimonthly": 61,
    "monthly": 30, "mensuel": 30, "bimestriel": 61, "quarterly": 91, "trimestriel": 91,
    "half-yearly": 183, "half yearly": 183, "semiannual": 183, "semi-annual": 183, "twice a year": 183,
    "semestriel": 183, "deux fois par an": 183, "yearly": 365, "annual": 365, "annually": 365,
    "once a year": 365, "annuel": 365, "une fois par an": 365,
}  # fmt: skip
_UNIT_DAYS = {"d": 1, "day": 1, "days": 1, "j": 1, "jour": 1, "jours": 1, "w": 7, "week": 7, "weeks": 7,
              "semaine": 7, "semaines": 7, "sem": 7, "m": 30.4375, "month": 30.4375, "months": 30.4375,
              "mois": 30.4375, "y": 365.25, "year": 365.25, "years": 365.25, "an": 365.25, "ans": 365.25,
              "annee": 365.25, "annees": 365.25}  # fmt: skip
_CADENCE_RE = re.compile(r"^(?:every\s+|tous\s+les\s+|toutes\s+les\s+)?(\d+(?:[.,]\d+)?)\s*([a-z]*)$")


class PlaybookError(ConfigError):
    """A playbook the user supplied that cannot be used as written; the message names the rows."""


class PlaybookWarning(UserWarning):
    """Something in a user playbook was completed or ignored (missing segments, missing translations)."""


def _plain(text: object) -> str:
    """Lower-case, accents removed, spaces collapsed: the form synonyms are compared in."""
    value = "" if text is None or (isinstance(text, float) and text != text) else str(text)
    value = value.strip().lower()
    for src, dst in (("é", "e"), ("è", "e"), ("ê", "e"), ("ë", "e"), ("à", "a"), ("â", "a"), ("ô", "o"),
                     ("û", "u"), ("ù", "u"), ("î", "i"), ("ï", "i"), ("ç", "c"), ("_", " ")):  # fmt: skip
        value = value.replace(src, dst)
    return re.sub(r"\s+", " ", value)


def parse_cadence(text: object) -> int:
    """Days between two contacts from `"90"`, `"90 days"`, `"12 weeks"`, `"3 mois"`, `"quarterly"`, ...

    Raises ValueError naming the text when it is not a positive cadence.
    """
    plain = _plain(text)
    if plain in _NAMED_CADENCES:
        return _NAMED_CADENCES[plain]
    plain = plain.replace("-", " ")
    if plain in _NAMED_CADENCES:
        return _NAMED_CADENCES[plain]
    match = _CADENCE_RE.match(plain)
    if match:
        number = float(match.group(1).replace(",", "."))
        unit = _UNIT_DAYS.get(match.group(2) or "d")
        if unit is not None:
            days = round(number * unit)
            if days >= 1:
                return int(days)
            raise ValueError(f"cadence {text!r} is shorter than one day")
    raise ValueError(
        f"cadence {text!r} is not understood; write a number of days (e.g. 90), a number with a unit "
        "(12 weeks, 3 months) or a word (weekly, monthly, quarterly, half-yearly, yearly)"
    )


@lru_cache(maxsize=1)
def _classifications_table() -> pd.DataFrame:
    path = resources.files("xlsegment") / "rules" / "classifications.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return pd.DataFrame(rows, dtype=object)


def default_classifications() -> pd.DataFrame:
    """The classification codes and their labels, from `rules/classifications.csv` (a copy)."""
    return _classifications_table().copy()


@lru_cache(maxsize=64)
def segment_labels(classification: str, lang: str = "en") -> dict[str, str]:
    """Code -> label in `lang` for one classification, from classifications.csv."""
    table = _classifications_table()
    rows = table[table["classification"] == classification]
    return {str(code): str(fr if lang == "fr" and fr else en) for code, en, fr in
            zip(rows["code"], rows["en"], rows["fr"], strict=True)}  # fmt: skip


def segment_label(classification: str, code: object, lang: str = "en") -> str:
    """The label of a segment code in `lang` from classifications.csv; the code itself when unknown."""
    return segment_labels(classification, lang).get(str(code), str(code))


@lru_cache(maxsize=1)
def _default_text() -> str:
    return (resources.files("xlsegment") / "rules" / "playbook.csv").read_text(encoding="utf-8")


def _read_csv(text: str) -> pd.DataFrame:
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    sep = ";" if first.count(";") > first.count(",") else ","
    return pd.read_csv(io.StringIO(text.lstrip("\ufeff")), sep=sep, dtype=str, keep_default_na=False)


def _weight(text: str) -> float:
    """A weight >= 0 written with a decimal point or comma; 1 when empty."""
    weight = float(text.replace(",", ".")) if text else 1.0
    if not weight >= 0 or weight == float("inf"):
        raise ValueError(text)
    return weight


def _where(frame_source: str | None, position: int, index: object) -> str:
    if frame_source:
        return f"line {position + 2}"  # header is line 1
    return f"row {index}"


def _clean(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out.columns = [str(c).strip().lower() for c in out.columns]
    for col in out.columns:
        out[col] = out[col].map(
            lambda v: "" if v is None or (isinstance(v, float) and v != v) else str(v).strip()
        )
    return out


def _validate(
    raw: pd.DataFrame, source: str | None, known: set[tuple[str, str]], report: list[str]
) -> pd.DataFrame:
    """Normalise every row and collect every problem, then raise once naming all bad rows."""
    name = source or "playbook"
    missing = [c for c in ("classification", "code", "channel", "cadence") if c not in raw.columns]
    if not any(f"objective_{lang}" in raw.columns for lang in LANGS):
        missing.append("objective_en or objective_fr")
    if missing:
        raise PlaybookError(
            f"{name}: missing column(s) {', '.join(missing)}; expected columns: {', '.join(COLUMNS)}"
        )
    frame = raw.copy()
    for col in COLUMNS:
        if col not in frame.columns:
            frame[col] = ""
    problems: list[str] = []
    rows: list[dict[str, object]] = []
    seen: dict[tuple[str, str], str] = {}
    for position, (index, rec) in enumerate(frame.iterrows()):  # a playbook has tens of rows, not thousands
        where = _where(source, position, index)
        key = (rec["classification"], rec["code"])
        label = f"{where} ({key[0]}/{key[1]})"
        if not key[0] or not key[1]:
            problems.append(f"{where}: classification and code are required")
            continue
        if key in seen:
            problems.append(f"{label}: duplicate of {seen[key]}")
            continue
        seen[key] = where
        out: dict[str, object] = {"classification": key[0], "code": key[1]}
        for slot in ("channel", "second_channel"):
            value = rec[slot]
            if not value and slot == "second_channel":
                out[slot] = ""
                continue
            channel = _CHANNEL_SYNONYMS.get(_plain(value))
            if channel is None:
                problems.append(f"{label}: unknown {slot} {value!r} (known: {', '.join(CHANNELS)})")
            out[slot] = channel or ""
        for slot, chan in (("cadence", "channel"), ("second_cadence", "second_channel")):
            value = rec[slot]
            if slot == "second_cadence" and not out.get(chan):
                if value:
                    problems.append(f"{label}: second_cadence {value!r} given without a second_channel")
                out[f"{slot}_days"] = 0
                out[slot] = ""
                continue
            try:
                out[f"{slot}_days"] = parse_cadence(value)
            except ValueError as exc:
                problems.append(f"{label}: {slot}: {exc}")
                out[f"{slot}_days"] = 0
            out[slot] = value
        mix = [m for m in re.split(r"[|,;/+]", rec["message_mix"]) if m.strip()] or ["image"]
        kinds = [_MESSAGE_SYNONYMS.get(_plain(m)) for m in mix]
        if None in kinds:
            bad = [m.strip() for m, k in zip(mix, kinds, strict=True) if k is None]
            problems.append(f"{label}: unknown message kind {', '.join(bad)} (known: {', '.join(MESSAGES)})")
        out["message_mix"] = "|".join(k for k in kinds if k)
        offer = _plain(rec["offer"]).replace(" ", "_") or "none"
        if offer not in OFFERS:
            problems.append(f"{label}: unknown offer {rec['offer']!r} (known: {', '.join(OFFERS)})")
        out["offer"] = offer
        birthday = _BOOL.get(_plain(rec["birthday"]))
        if birthday is None:
            problems.append(f"{label}: birthday must be yes or no, not {rec['birthday']!r}")
        out["birthday"] = bool(birthday)
        for slot in ("budget_weight", "priority"):
            try:
                out[slot] = _weight(rec[slot])
            except ValueError:
                problems.append(f"{label}: {slot} must be a number >= 0, not {rec[slot]!r}")
                out[slot] = 1.0
        for text in TEXTS:
            en, fr = rec[f"{text}_en"], rec[f"{text}_fr"]
            if text == "objective" and not en and not fr:
                problems.append(f"{label}: an objective is required (objective_en or objective_fr)")
            elif bool(en) != bool(fr):
                have, lack = ("en", "fr") if en else ("fr", "en")
                report.append(
                    say("actions.note.playbook_one_language", row=label, empty=f"{text}_{lack}", have=have)
                )
            out[f"{text}_en"] = en or fr
            out[f"{text}_fr"] = fr or en
        if known and key not in known:
            report.append(say("actions.note.playbook_unknown_segment", row=label))
        rows.append(out)
    if problems:
        shown = "; ".join(problems[:20])
        more = f"; and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise PlaybookError(f"{name}: {len(problems)} problem(s): {shown}{more}")
    return pd.DataFrame(rows)


def _as_frame(source: str | Path | pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    if isinstance(source, pd.DataFrame):
        return _clean(source), None
    path = Path(source)
    if not path.exists():
        raise PlaybookError(f"playbook file {str(path)!r} does not exist")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = path.read_text(encoding="cp1252")
    return _clean(_read_csv(text)), path.name


@lru_cache(maxsize=1)
def _default_playbook() -> pd.DataFrame:
    return _validate(_clean(_read_csv(_default_text())), "playbook.csv", set(), [])


def load_playbook(
    source: str | Path | pd.DataFrame | None = None,
    *,
    classifications: Iterable[tuple[str, str]] | None = None,
) -> pd.DataFrame:
    """The playbook as a validated frame: the default `rules/playbook.csv`, or a user file / DataFrame.

    A user playbook may leave segments out: those take the default rows, with a PlaybookWarning and a line in
    `attrs["report"]`. Unknown channels, offers or message kinds, bad cadences, duplicates and missing
    objectives raise PlaybookError naming every bad row. `classifications` is the list of (classification,
    code) pairs that must be covered (default: every pair of `rules/classifications.csv`).
    """
    default = _default_playbook()
    if classifications is None:
        table = _classifications_table()
        known = list(zip(table["classification"], table["code"], strict=True))
    else:
        known = [(str(c), str(k)) for c, k in classifications]
    report: list[str] = []
    if source is None:
        book = default.copy()
        origin = "default"
    else:
        raw, name = _as_frame(source)
        book = _validate(raw, name, set(known), report)
        origin = name or "DataFrame"
        have = set(zip(book["classification"], book["code"], strict=True))
        absent = [pair for pair in known if pair not in have]
        if absent:
            fill = default.set_index(["classification", "code"])
            usable = [pair for pair in absent if pair in fill.index]
            if usable:
                book = pd.concat([book, fill.loc[usable].reset_index()], ignore_index=True)
            listed = ", ".join(f"{c}/{k}" for c, k in absent)
            message = say("actions.note.playbook_default_rows", origin=origin, listed=listed)
            report.append(message)
    for message in report:
        warnings.warn(message, PlaybookWarning, stacklevel=2)
    book = book.reset_index(drop=True)
    book.attrs["source"] = origin
    book.attrs["report"] = report
    return book


def playbook_row_index(playbook: pd.DataFrame, classification: str) -> pd.DataFrame:
    """The playbook rows of one classification indexed by code."""
    rows = playbook[playbook["classification"] == classification]
    return rows.set_index("code")
