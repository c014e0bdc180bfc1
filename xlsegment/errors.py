"""Errors that tell the user what is wrong with their input and where: file, sheet, column, rows."""

from __future__ import annotations

from collections.abc import Sequence


def _format_rows(rows: Sequence[object], limit: int = 5) -> str:
    shown = ", ".join(str(r) for r in list(rows)[:limit])
    more = len(rows) - limit
    return f"{shown} (and {more} more)" if more > 0 else shown


class LedgerError(ValueError):
    """A ledger that cannot be read as asked; the message names the file, sheet, column and rows."""

    def __init__(
        self,
        problem: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        column: str | None = None,
        rows: Sequence[object] | None = None,
        hint: str | None = None,
    ) -> None:
        self.problem = problem
        self.file = file
        self.sheet = sheet
        self.column = column
        self.rows = list(rows) if rows is not None else []
        self.hint = hint
        super().__init__(self._message())

    def _message(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.sheet:
            where.append(f"sheet {self.sheet!r}")
        if self.column:
            where.append(f"column {self.column!r}")
        if self.rows:
            noun = "row" if len(self.rows) == 1 else "rows"
            where.append(f"{noun} {_format_rows(self.rows)}")
        text = ", ".join(where)
        text = f"{text}: {self.problem}" if text else self.problem
        if self.hint:
            text = f"{text} ({self.hint})"
        return text


class ConfigError(ValueError):
    """A settings file, rule table or playbook the user supplied is not usable as written."""
