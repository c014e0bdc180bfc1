"""The language of a cell function's labels: the `lang` argument, else Excel's own language, else the ledger's.

Office.js sends Excel's culture with every custom-function call (`culture_info_name`, e.g. "fr-FR"), but
xlwings hands a function only its arguments. `follow_excel_culture()` wraps xlwings' dispatcher once so that
the culture of the call being served is readable here, through a context variable, while the function runs
(xlwings Server and xlwings Lite both dispatch through `xlwings.server.custom_functions_call`). Classic Excel
sends no culture: the ledger's headers decide there (French headers give French labels).
"""

from __future__ import annotations

import contextvars
import functools
from typing import Any

from xlsegment.labels import LANGUAGES, check_lang

_CULTURE: contextvars.ContextVar[str | None] = contextvars.ContextVar("xlsegment_culture", default=None)
_MARK = "__xlsegment_culture__"


def culture_lang(culture: str | None = None) -> str | None:
    """The product language of an Excel culture name ("fr-FR" -> "fr"); None when unknown or not ours."""
    name = culture if culture is not None else _CULTURE.get()
    if not name:
        return None
    lang = str(name).strip().lower()[:2]
    return lang if lang in LANGUAGES else "en"


def resolve_lang(given: str | None, ledger_lang: str | None = None) -> str:
    """`given` ("en"/"fr") when the user typed one, else Excel's culture, else the ledger's, else English."""
    if given and given.strip().lower() != "auto":
        return check_lang(given)
    return culture_lang() or check_lang(ledger_lang or "en")


def follow_excel_culture() -> None:
    """Make the culture of each Office.js call visible to the functions (idempotent; server and Lite only)."""
    import xlwings.server

    dispatch = xlwings.server.custom_functions_call
    if getattr(dispatch, _MARK, False):
        return

    @functools.wraps(dispatch)
    async def with_culture(data: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        token = _CULTURE.set(data.get("culture_info_name") if isinstance(data, dict) else None)
        try:
            return await dispatch(data, *args, **kwargs)
        finally:
            _CULTURE.reset(token)

    setattr(with_culture, _MARK, True)
    xlwings.server.custom_functions_call = with_culture
