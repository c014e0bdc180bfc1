"""The xlwings Lite pair of files: `main.py` and `requirements.txt`, as `xlsegment lite` writes them.

xlwings Lite keeps a workbook's Python code and its requirements inside the workbook and installs the
requirements with micropip in Pyodide (pandas, numpy, scipy and DuckDB come from Pyodide's own builds: see
docs/architecture.md, "Pyodide"). It registers the functions and scripts that `main.py` holds, so `main.py`
only re-exports xlsegment's: an upgrade of the package upgrades the workbook. xlsegment is pure Python; until it is on a package index, requirements.txt
names the URL of its wheel (built with `python -m build`, served with cross-origin access allowed).
"""

from __future__ import annotations

import errno
import sys
from pathlib import Path

import xlwings

from xlsegment.excel.functions import __all__ as FUNCTIONS
from xlsegment.excel.scripts import __all__ as SCRIPTS

MAIN = "main.py"
REQUIREMENTS = "requirements.txt"
MIN_XLWINGS = "0.37.8"  # the version the buttons are tested with (charts, conditional formats: 0.37.5+)


def main_py() -> str:
    """The Lite `main.py`: every SEG_ function and every button, imported from the installed package."""
    functions = ",\n    ".join(FUNCTIONS)
    scripts = ", ".join(SCRIPTS)
    return (
        '"""xlsegment in xlwings Lite, written by `xlsegment lite`: the cell functions (=SEG_SUMMARY, =SEG_RFM,\n'
        "=SEG_SEGMENTS, ...) and the buttons (segment, refresh, mailing, settings) of the xlsegment package.\n"
        "\n"
        "Lite registers what this module holds; the code itself lives in the package named in requirements.txt.\n"
        '"""\n'
        "\n"
        f"from xlsegment.excel.functions import (  # noqa: F401\n    {functions},\n)\n"
        f"from xlsegment.excel.scripts import {scripts}  # noqa: F401\n"
    )


def requirements_txt(wheel_url: str | None = None, version: str | None = None) -> str:
    """The Lite `requirements.txt`: xlwings, and xlsegment by version (a package index) or by wheel URL."""
    from xlsegment import __version__

    if wheel_url is not None:
        wheel_url = wheel_url.strip()
        if not wheel_url.startswith(("https://", "http://")) or not wheel_url.endswith(".whl"):
            raise ValueError(
                f"--wheel-url {wheel_url!r}: give the https:// address of an xlsegment .whl file"
            )
        package = wheel_url
    else:
        package = f"xlsegment=={version or __version__}"
    return (
        "# xlwings Lite installs these with micropip; pandas, numpy, scipy and duckdb come from Pyodide's own builds.\n"
        f"xlwings>={MIN_XLWINGS}\n"
        f"{package}\n"
    )


def write_lite(folder: str | Path, *, wheel_url: str | None = None, force: bool = False) -> list[Path]:
    """Write main.py and requirements.txt into `folder`; refuse to overwrite either unless `force`."""
    folder = Path(folder)
    files = {MAIN: main_py(), REQUIREMENTS: requirements_txt(wheel_url)}
    targets = [folder / name for name in files]
    existing = [str(t) for t in targets if t.exists()]
    if existing and not force:
        raise FileExistsError(
            errno.EEXIST,
            f"{', '.join(existing)} already exist(s); use --force to replace",
            ", ".join(existing),
        )
    folder.mkdir(parents=True, exist_ok=True)
    for target, text in zip(targets, files.values(), strict=True):
        target.write_text(text, encoding="utf-8")
    return targets


def lite_command(
    folder: str | None, *, wheel_url: str | None = None, force: bool = False, lang: str = "en"
) -> int:
    """`xlsegment lite [FOLDER] [--wheel-url URL] [--force]`: write the pair, or print it without FOLDER;
    messages in `lang` (rules/labels_cli.csv)."""
    from xlsegment.cli_lang import say

    try:
        if folder is None:
            print(f"# ---- {MAIN}\n{main_py()}\n# ---- {REQUIREMENTS}\n{requirements_txt(wheel_url)}", end="")
            return 0
        written = write_lite(folder, wheel_url=wheel_url, force=force)
    except FileExistsError as exc:
        print(f"xlsegment lite: {say('err.lite_exists', lang, files=exc.filename)}", file=sys.stderr)
        return 2
    except ValueError:  # the only one: a --wheel-url that is no https:// address of a .whl
        print(f"xlsegment lite: {say('err.wheel_url', lang, url=repr(wheel_url))}", file=sys.stderr)
        return 2
    for path in written:
        print(say("written", lang, path=path))
    print(say("lite.next", lang, main=MAIN, requirements=REQUIREMENTS, version=xlwings.__version__))
    return 0
