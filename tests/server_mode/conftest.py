"""Server-mode tests: xlwings picks its decorators at import, so these run in their own pytest process.

`tests/test_excel_server.py` starts that process with XLWINGS_ON_SERVER=true and
XLWINGS_LICENSE_KEY=noncommercial (PolyForm Noncommercial, accepted for tests). In any other process the
tests here are skipped and nothing from xlwings.server is imported.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import pytest
from _officejs import officejs_payload

SERVER_MODE = os.environ.get("XLWINGS_ON_SERVER") == "true" and bool(os.environ.get("XLWINGS_LICENSE_KEY"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if SERVER_MODE:
        return
    skip = pytest.mark.skip(
        reason="server mode: run by tests/test_excel_server.py with XLWINGS_ON_SERVER=true"
    )
    for item in items:
        if "server_mode" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture
def server() -> Any:
    """The xlwings.server module (Office.js decorators and dispatch)."""
    import xlwings.server

    return xlwings.server


@pytest.fixture
def functions() -> Any:
    from xlsegment.excel import functions

    return functions


@pytest.fixture
def scripts() -> Any:
    from xlsegment.excel import scripts

    return scripts


@pytest.fixture
def call(server: Any, functions: Any) -> Any:
    """call("seg_abc", [[...]], None) -> what Excel receives; culture="fr-FR" for an Excel in French."""

    def _call(func_name: str, *args: Any, culture: str = "en-US") -> Any:
        payload = officejs_payload(func_name, *args, culture=culture)
        return asyncio.run(server.custom_functions_call(payload, functions))

    return _call


@pytest.fixture
def run_script(server: Any, scripts: Any) -> Any:
    """run_script("segment", book_json(...)) -> (book, actions)."""
    import xlwings

    def _run(name: str, data: dict[str, Any]) -> tuple[Any, list[dict[str, Any]]]:
        book = xlwings.Book(json=data)
        asyncio.run(server.custom_scripts_call(scripts, name, typehint_to_value={xlwings.Book: book}))
        return book, book.json()["actions"]

    return _run


@pytest.fixture(scope="module")
def run_script_module() -> Any:
    """run_script_module("segment", book_json(...)) -> actions, for module-scoped fixtures."""
    import xlwings
    import xlwings.server as server

    from xlsegment.excel import scripts

    def _run(name: str, data: dict[str, Any]) -> list[dict[str, Any]]:
        book = xlwings.Book(json=data)
        asyncio.run(server.custom_scripts_call(scripts, name, typehint_to_value={xlwings.Book: book}))
        return book.json()["actions"]

    return _run
