"""Errors that tell the user what is wrong with their input and where (file, sheet, column, rows), in French
and in English.

A message is built from `Text` pieces, each holding both languages; `str(error)` is the English line (for logs
and the Python API), `error.message("fr")` the French one (the CLI picks the user's language). The wording of
every ledger message lives in `rules/labels_ledger.csv` and is fetched by key with `say`.
"""

from __future__ import annotations

from collections.abc import Sequence

LANGS = ("en", "fr")


class Text(str):
    """One piece of user-visible text in both languages: a `str` (the English one, so it prints, compares and
    searches as before) that also carries its French."""

    fr: str

    def __new__(cls, en: str, fr: str = "") -> Text:
        text = super().__new__(cls, en)
        text.fr = fr or en
        return text

    def __reduce__(self) -> tuple:
        return (Text, (self.en, self.fr))

    @property
    def en(self) -> str:
        return str.__str__(self)

    def lang(self, lang: str) -> str:
        return self.fr if lang == "fr" else self.en


def say(key: str, **params: object) -> Text:
    """The labelled message `key` (rules/labels_ledger.csv) in both languages, filled with `params`."""
    from .labels import label

    en = {name: value.en if isinstance(value, Text) else value for name, value in params.items()}
    fr = {name: value.fr if isinstance(value, Text) else value for name, value in params.items()}
    return Text(label(key, "en").format(**en), label(key, "fr").format(**fr))


def in_lang(text: object, lang: str) -> str:
    """A `Text` in `lang`; any other object as its plain string."""
    return text.lang(lang) if isinstance(text, Text) else str(text)


# the words around the problem, by language
_WHERE = {
    "en": {
        "sheet": "sheet",
        "column": "column",
        "row": "row",
        "rows": "rows",
        "more": "and {n} more",
        "sep": ": ",
    },
    "fr": {
        "sheet": "feuille",
        "column": "colonne",
        "row": "ligne",
        "rows": "lignes",
        "more": "et {n} autres",
        "sep": " : ",
    },
}


def format_rows(rows: Sequence[object], lang: str = "en", limit: int = 5) -> str:
    """The first `limit` row names, then how many more: `17, 230, 231 (and 3 more)`."""
    shown = ", ".join(str(r) for r in list(rows)[:limit])
    more = len(rows) - limit
    return f"{shown} ({_WHERE[lang]['more'].format(n=more)})" if more > 0 else shown


class LedgerError(ValueError):
    """A ledger that cannot be read as asked; the message names the file, sheet, column and rows, and what to do.

    `problem` and `hint` are plain text (English only) or `Text` (both languages); `lang` is the language the
    ledger itself seems to be written in, when the reader could tell (the CLI then answers in it).
    """

    def __init__(
        self,
        problem: str | Text,
        *,
        file: str | None = None,
        sheet: str | None = None,
        column: str | None = None,
        rows: Sequence[object] | None = None,
        hint: str | Text | None = None,
        lang: str | None = None,
    ) -> None:
        self.problem = problem
        self.file = file
        self.sheet = sheet
        self.column = column
        self.rows = list(rows) if rows is not None else []
        self.hint = hint
        self.lang = lang
        super().__init__(self.message("en"))

    def message(self, lang: str = "en") -> str:
        """The one-line message in `lang` ('en' or 'fr')."""
        lang = lang if lang in LANGS else "en"
        words = _WHERE[lang]
        where = []
        if self.file:
            where.append(self.file)
        if self.sheet:
            where.append(f"{words['sheet']} {self.sheet!r}")
        if self.column:
            where.append(f"{words['column']} {self.column!r}")
        if self.rows:
            noun = words["row"] if len(self.rows) == 1 else words["rows"]
            where.append(f"{noun} {format_rows(self.rows, lang)}")
        problem = in_lang(self.problem, lang)
        text = f"{', '.join(where)}{words['sep']}{problem}" if where else problem
        if self.hint:
            text = f"{text} ({in_lang(self.hint, lang)})"
        return text

    def bilingual(self) -> bool:
        """True when every part of the message exists in French too (the reader's errors all do)."""
        return all(isinstance(part, Text) for part in (self.problem, self.hint) if part is not None)


class ConfigError(ValueError):
    """A settings file, rule table or playbook the user supplied is not usable as written."""
