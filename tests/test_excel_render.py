"""The buttons' renderer outside Office.js: which runtime does what (xlwings' COM engine lacks some of the
Office.js engine's calls, so the renderer goes through COM itself there)."""

from __future__ import annotations

from typing import Any

import pytest

from xlsegment.excel.page import engine_of
from xlsegment.excel.render import SheetRenderer, column_width_points
from xlsegment.report.model import Sheet


def _impl(module: str) -> Any:
    return type("Sheet", (), {"__module__": module})()


class Columns:
    """Whole columns as xlwings gives them, recording what is asked of them."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.api = type("Api", (), {"Group": lambda _: self.calls.append("api.Group")})()

    def group(self, by: str) -> None:
        self.calls.append(f"group({by})")


@pytest.mark.parametrize(
    ("module", "platform", "engine", "calls"),
    [
        ("xlwings.pro._xlremote", "linux", "officejs", ["group(columns)"]),
        ("xlwings.pro._xlremote", "emscripten", "lite", ["group(columns)"]),
        ("xlwings._xlwindows", "win32", "com", ["api.Group"]),  # xlwings' COM engine has no group()
        ("xlwings._xlmac", "darwin", "other", []),
    ],
)
def test_columns_are_grouped_the_way_each_runtime_can(monkeypatch, module, platform, engine, calls):
    monkeypatch.setattr("sys.platform", platform)
    xl = type("XlSheet", (), {"impl": _impl(module)})()
    assert engine_of(xl) == engine
    columns = Columns()
    SheetRenderer(xl, Sheet("customers", "Customers"))._group(columns)
    assert columns.calls == calls


def test_column_width_in_points_for_office_js():
    assert column_width_points(8.43) == pytest.approx(48, abs=0.05)  # Excel's default column: 64 px = 48 pt
    assert column_width_points(10) == 56.25
