"""Office.js payload and book JSON builders for the server-mode tests."""

from __future__ import annotations

from typing import Any


def officejs_payload(func_name: str, *args: Any, culture: str = "en-US") -> dict[str, Any]:
    """A custom-function call as Office.js sends it (ranges as lists of rows, omitted args as None), from an
    Excel running in `culture`."""
    import xlwings

    return {
        "client": "Office.js",
        "version": xlwings.__version__,
        "func_name": func_name,
        "args": list(args),
        "caller_address": "[Book1.xlsx]Sheet1!D1",
        "runtime": "1.4",
        "culture_info_name": culture,
        "date_format": "dd/MM/yyyy" if culture.startswith("fr") else "M/d/yyyy",
        "session_id": "test",
    }


def book_json(sheets: list[dict[str, Any]], *, names: list[dict[str, Any]] | None = None, active: int = 0,
              selection: str = "A1") -> dict[str, Any]:  # fmt: skip
    """The workbook JSON the Office.js client sends with a script call."""
    import xlwings

    full = []
    for sheet in sheets:
        full.append({"pictures": [], "tables": [], **sheet})
    return {
        "client": "Office.js",
        "version": xlwings.__version__,
        "book": {"name": "Sales.xlsx", "active_sheet_index": active, "selection": selection},
        "names": names or [],
        "sheets": full,
    }
