"""Every code block of the README runs as written, against the bundled sample ledger.

Files the README names as the user's own (ventes.csv, Online_Retail.csv, ledger.xlsx, orders.csv) are made
from the bundled sample (`xlsegment sample`), with the headers each command expects. Commands that install
packages or run the test suite itself are the README's set-up, not examples, and are left to CI.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
# the sample ledger's French headers -> the UCI Online Retail headers the README's mapping example names
UCI_HEADERS = {"N° commande": "InvoiceNo", "Date": "InvoiceDate", "N° client": "CustomerID",
               "Catégorie": "Description", "Quantité": "Quantity", "Prix unitaire": "UnitPrice"}  # fmt: skip
NOT_EXAMPLES = ("pip ", "python -m pytest", "bash .ci/run")


def blocks(language: str) -> list[str]:
    return [code for lang, code in BLOCK.findall(README.read_text(encoding="utf-8")) if lang == language]


def commands() -> list[str]:
    """Each `xlsegment` command of the README's bash blocks (comments and set-up commands left out)."""
    found = []
    for code in blocks("bash"):
        for line in code.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            for part in (p.strip() for p in line.split("&&")):
                if part.startswith("xlsegment ") and not part.startswith(NOT_EXAMPLES):
                    found.append(part)
    return found


def run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run(
        [sys.executable, "-m", "xlsegment.cli", *argv], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=600,
    )  # fmt: skip


@pytest.fixture(scope="module")
def user_files(tmp_path_factory) -> Path:
    """A folder with the user's files the README names, made from the bundled sample."""
    folder = tmp_path_factory.mktemp("user")
    done = run(["sample", "-o", "ventes.csv"], folder)
    assert done.returncode == 0, done.stderr
    sample = folder / "ventes.csv"
    (folder / "orders.csv").write_bytes(sample.read_bytes())
    frame = pd.read_csv(sample, sep=";", dtype=str, encoding="utf-8-sig")
    uci = frame[list(UCI_HEADERS)].rename(columns=UCI_HEADERS)
    uci["InvoiceDate"] = pd.to_datetime(uci["InvoiceDate"], dayfirst=True).dt.strftime("%Y-%m-%d")
    for column in ("Quantity", "UnitPrice"):
        uci[column] = uci[column].str.replace(",", ".", regex=False)
    uci.to_csv(folder / "Online_Retail.csv", index=False)
    frame.to_excel(folder / "ledger.xlsx", sheet_name="Ventes", index=False)
    return folder


def test_the_readme_has_examples():
    assert len(commands()) >= 6
    assert blocks("python") and blocks("toml")


@pytest.mark.parametrize("command", commands())
def test_readme_command_runs(command, user_files, tmp_path):
    for entry in user_files.iterdir():
        (tmp_path / entry.name).symlink_to(entry)
    argv = shlex.split(command)[1:]
    done = run(argv, tmp_path)
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    if "-o" in argv:
        assert (tmp_path / argv[argv.index("-o") + 1]).stat().st_size > 0


def test_readme_python_runs(user_files, tmp_path, monkeypatch, capsys):
    for entry in user_files.iterdir():
        (tmp_path / entry.name).symlink_to(entry)
    monkeypatch.chdir(tmp_path)
    names: dict = {"__name__": "readme"}
    for code in blocks("python"):
        exec(compile(code, str(README), "exec"), names)
    shown = capsys.readouterr().out
    assert "Pourquoi le client C10002" in shown and "Plan de contact — semaine" in shown
    assert any(path.suffix == ".csv" for path in (tmp_path / "mailings").iterdir())
    # what the README's comments say about the sample
    assert names["this_week"]["channel"].value_counts().to_dict() == {
        "email": 500,
        "collect_contact": 50,
        "phone": 20,
    }
    assert (names["more_calls"]["channel"] == "phone").sum() == 40
    assert "letter" not in set(names["plan"]["channel"])


def test_readme_settings_load(tmp_path):
    from xlsegment.settings import Settings

    for code in blocks("toml"):
        path = tmp_path / "settings.toml"
        path.write_text(code, encoding="utf-8")
        tomllib.loads(code)
        Settings.from_file(path)
