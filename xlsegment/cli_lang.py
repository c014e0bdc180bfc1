"""The language of the command line: which one to speak (`--lang`, else the system locale), and argparse's own
words (usage, errors, "show this help message") in French.

The ledger's language takes over once the ledger is read (`xlsegment build` reports in the analysis' language);
before that, help and early errors follow `--lang` or the system locale (LC_ALL, LC_MESSAGES, LANG).
"""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Iterator, Sequence

from xlsegment.labels import label

# argparse's messages (Python 3.10-3.13) in French; anything not listed stays as argparse writes it
ARGPARSE_FR = {
    "usage: ": "utilisation : ",
    "positional arguments": "arguments",
    "options": "options",
    "optional arguments": "options",
    "show this help message and exit": "afficher cette aide et quitter",
    "show program's version number and exit": "afficher la version et quitter",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "unrecognized arguments: %s": "arguments non reconnus : %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "choix invalide : %(value)r (choisir parmi %(choices)s)",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "expected one argument": "un argument attendu",
    "expected at most one argument": "un argument au plus attendu",
    "expected at least one argument": "un argument au moins attendu",
    "invalid %(type)s value: %(value)r": "valeur %(type)s invalide : %(value)r",
    "ambiguous option: %(option)s could match %(matches)s": "option ambiguë : %(option)s peut désigner %(matches)s",
    "not allowed with argument %s": "interdit avec l'argument %s",
    "one of the arguments %s is required": "l'un des arguments %s est obligatoire",
    "ignored explicit argument %r": "argument explicite ignoré : %r",
}


def system_lang(environ: dict[str, str] | None = None) -> str:
    """'fr' when the system locale is French (LC_ALL, then LC_MESSAGES, then LANG), else 'en'."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "fr" if value.lower().startswith("fr") else "en"
    return "en"


def ui_lang(argv: Sequence[str], environ: dict[str, str] | None = None) -> str:
    """The language to speak before the ledger is read: `--lang fr|en` on the command line, else the
    system's ('--lang auto' waits for the ledger, so the system's until then)."""
    args = list(argv)
    for i, arg in enumerate(args):
        value = None
        if arg == "--lang" and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        if value and value.strip().lower()[:2] in ("fr", "en"):
            return value.strip().lower()[:2]
    return system_lang(environ)


@contextlib.contextmanager
def argparse_in(lang: str) -> Iterator[None]:
    """argparse's own words (usage, section titles, errors) in `lang` while the block runs."""
    if lang != "fr":
        yield
        return
    original = argparse._

    def french(text: str) -> str:
        return ARGPARSE_FR.get(text, text)

    argparse._ = french
    try:
        yield
    finally:
        argparse._ = original


def say(key: str, lang: str, **values: object) -> str:
    """A CLI message (`cli.*` in rules/labels_cli.csv) in `lang`, filled with `values`."""
    return label(f"cli.{key}", lang).format(**values)


__all__ = ["ARGPARSE_FR", "argparse_in", "say", "system_lang", "ui_lang"]
