"""The buttons' page set-up: the options sent to xlwings Server's JavaScript callback, that callback run
under Node against a recording Office.js context, the COM path against a recording object, and the server
project serving the callback where xlwings Server's client imports it from."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from xlsegment.excel.page import COM_ORIENTATION, PAGE_CALLBACK, _com_page_setup, page_options
from xlsegment.report.model import PageSetup

STATIC = Path(__file__).resolve().parents[1] / "xlsegment" / "excel" / "server_project" / "static" / "js"
PAGE = PageSetup(
    orientation="landscape", fit_width=1, fit_height=0, title_rows=(4, 4), header="Shop - clients au 30/06",
    footer="Page &P sur &N", breaks=[40], paper="A4",
)  # fmt: skip


def test_options_in_office_js_terms_and_moved_by_the_rows_above():
    assert page_options(PAGE) == {
        "orientation": "Landscape",
        "paperSize": "A4",
        "fitWidth": 1,
        "fitHeight": 0,
        "titleRows": "$4:$4",
        "header": "Shop - clients au 30/06",
        "footer": "Page &P sur &N",
        "breaks": ["A41"],  # the file's break after row 40 is Office.js' break before row 41
    }
    moved = page_options(PAGE, row_offset=10)
    assert moved["titleRows"] == "$14:$14" and moved["breaks"] == ["A51"]
    plain = page_options(PageSetup())
    assert plain["orientation"] == "Portrait" and plain["titleRows"] == "" and plain["breaks"] == []


RECORDER = """
const sets = {};
// an Office.js object whose property writes are recorded; `own` holds its methods and sub-objects
const record = (name, own = {}) =>
  new Proxy(own, { set(_, key, value) { sets[name + "." + key] = value; return true; } });
const layout = record("pageLayout", {
  setPrintTitleRows: (rows) => { sets["printTitleRows"] = rows; },
  headersFooters: { defaultForAllPages: record("defaultForAllPages") },
});
const breaks = [];
const sheet = { pageLayout: layout, horizontalPageBreaks: { add: (cell) => breaks.push(cell) } };
const other = {};
let syncs = 0;
const context = {
  workbook: { worksheets: { items: [other, sheet], load: () => {} } },
  sync: async () => { syncs += 1; },
};
globalThis.Office = { context: { requirements: { isSetSupported: (set, v) => set === "ExcelApi" && v <= SUPPORTED } } };
const { xlsegmentPageSetup } = await import(MODULE);
await xlsegmentPageSetup(context, 1, PAGE);
console.log(JSON.stringify({ sets, breaks, syncs, name: xlsegmentPageSetup.name }));
"""


def _run_callback(supported: str) -> dict:
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI") == "true":  # .ci/run installs it: in CI a missing node is a failure
            pytest.fail("node is not installed")
        pytest.skip("node is not installed")
    script = (
        RECORDER.replace("SUPPORTED", supported)
        .replace("MODULE", json.dumps((STATIC / "xlsegment-page.js").as_uri()))
        .replace("PAGE", json.dumps(page_options(PAGE)))
    )
    out = subprocess.run(
        [node, "--input-type=module", "-e", script], capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(out.stdout)


def test_the_javascript_callback_sets_the_page_layout_of_the_right_sheet():
    seen = _run_callback('"1.9"')
    assert seen["name"] == PAGE_CALLBACK  # registerCallback keys callbacks by the function's name
    assert seen["sets"] == {
        "pageLayout.orientation": "Landscape",
        "pageLayout.paperSize": "A4",
        "pageLayout.zoom": {"horizontalFitToPages": 1, "verticalFitToPages": 0},
        "printTitleRows": "$4:$4",
        "defaultForAllPages.centerHeader": "Shop - clients au 30/06",
        "defaultForAllPages.centerFooter": "Page &P sur &N",
    }
    assert seen["breaks"] == ["A41"] and seen["syncs"] == 2


def test_an_excel_without_the_page_layout_api_keeps_its_page():
    seen = _run_callback('"1.8"')
    assert seen["sets"] == {} and seen["breaks"] == [] and seen["syncs"] == 0


def test_main_js_registers_the_callback_with_xlwings_servers_own_function():
    main = (STATIC / "main.js").read_text(encoding="utf-8")
    assert 'import { registerCallback } from "./custom-scripts/index.js";' in main
    assert f"registerCallback({PAGE_CALLBACK});" in main
    xlwings_server = pytest.importorskip("xlwings_server")
    client = Path(xlwings_server.__file__).parent / "static" / "js" / "custom-scripts" / "index.js"
    text = client.read_text(encoding="utf-8")
    assert "export function registerCallback(callback)" in text  # what main.js imports...
    runs = r"callbacks\[action\.args\[0\]\.toString\(\)\]\(\s*context,\s*\.\.\.action\.args\.slice\(1\)"
    assert re.search(runs, text)  # ... and how runMacro calls it: (context, *the Python arguments)


def test_the_server_project_serves_the_callback_on_every_add_in_page(tmp_path):
    """xlwings Server serves a project's static/js/main.js instead of its own empty one, on the page the
    ribbon buttons run in (the shared runtime's task pane), next to xlwings' own client module."""
    for module in ("xlwings_server", "uvicorn", "httpx"):
        pytest.importorskip(module)
    import httpx

    from xlsegment.excel.server import local_server, write_project

    write_project(tmp_path / "project")
    with local_server(tmp_path / "project") as base:
        get = lambda path: httpx.get(f"{base}{path}", timeout=10)  # noqa: E731
        assert f"registerCallback({PAGE_CALLBACK});" in get("/static/js/main.js").text
        assert f"export async function {PAGE_CALLBACK}(" in get("/static/js/xlsegment-page.js").text
        assert "export function registerCallback" in get("/static/js/custom-scripts/index.js").text
        assert re.search(r'<script type="module" src="[^"]*/static/js/main\.js"', get("/taskpane").text)


class Recorder:
    """A COM object standing in for Excel's: attributes set are recorded, calls too."""

    def __init__(self, log: list, name: str) -> None:
        object.__setattr__(self, "_log", log)
        object.__setattr__(self, "_name", name)

    def __setattr__(self, key, value):
        self._log.append((f"{self._name}.{key}", value))

    def __getattr__(self, key):
        return Recorder(self._log, f"{self._name}.{key}")

    def __call__(self, *args):
        self._log.append((self._name, args))
        return f"<{self._name}{args}>"


def test_classic_excel_gets_the_same_page_through_com():
    log: list = []
    _com_page_setup(Recorder(log, "sheet"), page_options(PAGE), PAGE)
    assert log == [
        ("sheet.PageSetup.Orientation", COM_ORIENTATION["landscape"]),
        ("sheet.PageSetup.PaperSize", 9),
        ("sheet.PageSetup.Zoom", False),
        ("sheet.PageSetup.FitToPagesWide", 1),
        ("sheet.PageSetup.FitToPagesTall", False),
        ("sheet.PageSetup.PrintTitleRows", "$4:$4"),
        ("sheet.PageSetup.CenterHeader", "Shop - clients au 30/06"),
        ("sheet.PageSetup.CenterFooter", "Page &P sur &N"),
        ("sheet.Range", ("A41",)),
        ("sheet.HPageBreaks.Add", ("<sheet.Range('A41',)>",)),
    ]
