"""The classic add-in's own settings: the hidden config sheet inside `xlsegment.excel.xlam`.

xlwings' VBA reads a setting (`GetConfig`) from a sheet named `<PROJECT_NAME>.conf` in the active workbook,
then from the same sheet in the add-in itself, then from `<workbook folder>\\<PROJECT_NAME>.conf`, then from
`%USERPROFILE%\\.<PROJECT_NAME>\\<PROJECT_NAME>.conf`. The quickstart add-in's VBA fixes PROJECT_NAME to
"myaddin" and ships that sheet switched off as `_myaddin.conf`, with its keys in column A (Interpreter_Win,
UDF Modules, ...). Writing the values into that sheet and switching it on puts xlsegment's settings inside
its own add-in file: no `myaddin.conf` file for the user to write. Renaming PROJECT_NAME would mean editing
the VBA, which needs Excel, so the sheet keeps xlwings' name. Only sheet XML is edited, as text, so every
namespace and attribute Excel wrote stays as it was.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from xml.sax.saxutils import escape, unescape

PROJECT_NAME = "myaddin"  # the VBA constant of xlwings' quickstart add-in (module xlwings, PROJECT_NAME)
SHEET_NAME = f"{PROJECT_NAME}.conf"
SHEET_OFF = f"_{SHEET_NAME}"  # how the quickstart add-in ships it: ignored by GetConfig
WORKBOOK_PART = "xl/workbook.xml"
SHEET_PART = "xl/worksheets/sheet1.xml"
STRINGS_PART = "xl/sharedStrings.xml"
UDF_MODULES = "xlsegment.excel"  # the module "Import Functions" imports the SEG_ functions from
INTERPRETER_KEYS = {"win32": "Interpreter_Win", "darwin": "Interpreter_Mac"}

_ROW = re.compile(r'(<row r="(\d+)"[^>]*>)(.*?)(</row>)', re.S)
_LABEL = re.compile(r'<c r="A\d+"[^>]*t="s"[^>]*><v>(\d+)</v></c>')
_VALUE = re.compile(r'<c r="B\d+"[^>]*?(?:/>|>.*?</c>)', re.S)
_SPANS = re.compile(r'spans="(\d+):(\d+)"')
_TEXT = re.compile(r"<t[^>]*>(.*?)</t>", re.S)


def running_interpreter(platform: str = sys.platform, executable: str = sys.executable) -> dict[str, str]:
    """The setting that makes the add-in use the Python running this command: on Windows its windowless
    pythonw.exe when there is one (no console flashes up), on macOS the python itself; nothing elsewhere."""
    key = INTERPRETER_KEYS.get(platform)
    if key is None:
        return {}
    path = Path(executable)
    windowless = path.with_name("pythonw.exe")
    if platform == "win32" and windowless.exists():
        path = windowless
    return {key: str(path)}


def addin_settings(interpreter: dict[str, str] | None = None) -> dict[str, str]:
    """Every value xlsegment writes into the add-in's config sheet."""
    return {"UDF Modules": UDF_MODULES, **(interpreter or {})}


def shared_strings(xml: str) -> list[str]:
    """The texts of a sharedStrings part, by index."""
    return [unescape("".join(_TEXT.findall(si))) for si in re.findall(r"<si>(.*?)</si>", xml, re.S)]


def switch_on(workbook_xml: str) -> str:
    """The workbook part with the config sheet named so that xlwings' GetConfig reads it."""
    if f'name="{SHEET_OFF}"' not in workbook_xml:
        raise ValueError(f"no sheet {SHEET_OFF!r} in {WORKBOOK_PART}: not xlwings' quickstart add-in")
    return workbook_xml.replace(f'name="{SHEET_OFF}"', f'name="{SHEET_NAME}"', 1)


def write_values(sheet_xml: str, strings: list[str], values: dict[str, str]) -> str:
    """The config sheet with `values` (key in column A -> text) in column B; unknown keys are an error."""
    wanted = {key.upper(): (key, text) for key, text in values.items()}  # GetConfig upper-cases the keys

    def fill(row: re.Match) -> str:
        start, number, body, end = row.groups()
        label = _LABEL.search(body)
        key = strings[int(label.group(1))].upper() if label else None
        if key not in wanted:
            return row.group(0)
        cell = f'<c r="B{number}" s="1" t="inlineStr"><is><t>{escape(wanted.pop(key)[1])}</t></is></c>'
        start = _SPANS.sub(lambda m: f'spans="{m[1]}:{max(2, int(m[2]))}"', start)  # the row now reaches B
        return start + _VALUE.sub("", body) + cell + end

    out = _ROW.sub(fill, sheet_xml)
    if wanted:
        raise ValueError(f"the add-in's config sheet has no row for {sorted(k for k, _ in wanted.values())}")
    return out


def read_values(sheet_xml: str, strings: list[str]) -> dict[str, str]:
    """Column A key -> column B text of the config sheet (rows with a value only), as GetConfig sees them."""
    values: dict[str, str] = {}
    for _, _, body, _ in _ROW.findall(sheet_xml):
        label, value = _LABEL.search(body), _VALUE.search(body)
        if label and value:
            texts = _TEXT.findall(value.group(0))
            if texts:
                values[strings[int(label.group(1))]] = unescape("".join(texts))
    return values
