"""The wheel a user (or xlwings Lite's micropip) installs: built by `python -m build`, clean for PyPI."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from importlib import resources
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_wheel_builds_passes_twine_check_and_carries_the_data_files(tmp_path):
    if (
        shutil.which("twine") is None
        and subprocess.run([sys.executable, "-m", "twine", "--version"]).returncode
    ):
        pytest.fail("twine is not installed (pip install twine)")
    source = tmp_path / "src"  # a copy, so the build leaves nothing in the working tree
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis"
        ),
    )
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path / "dist"), str(source)],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    (wheel,) = (tmp_path / "dist").glob("xlsegment-*-py3-none-any.whl")  # pure Python: Pyodide installs it
    check = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", str(wheel)], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    names = set(zipfile.ZipFile(wheel).namelist())
    package = resources.files("xlsegment")
    data = {f"xlsegment/rules/{p.name}" for p in (package / "rules").iterdir() if p.name.endswith(".csv")}
    assert data and data <= names  # every rule and label table
    assert {
        "xlsegment/data/sample_ledger.csv",
        "xlsegment/excel/functions.py",
        "xlsegment/excel/lite.py",
    } <= names
    project = "xlsegment/excel/server_project/"  # what `xlsegment server` copies
    files = ("env.example", "lifespan.py", "templates/manifest.xml", "static/js/ribbon.js", "pyproject.toml")
    assert {project + f for f in files} <= names
    metadata = (
        zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    )
    assert "License-Expression: MIT" in metadata and "Description-Content-Type: text/markdown" in metadata
    assert not any(n.startswith(("tests/", "scripts/", "workbook_templates/")) for n in names)
