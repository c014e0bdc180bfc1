"""The `xlsegment` console script as installed: exit codes, one-line errors, Ctrl-C, the progress bar on a
terminal. Run as a real subprocess (the package's own code: PYTHONPATH points at this checkout)."""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def script() -> str:
    path = shutil.which("xlsegment")
    if path is None:
        message = "the xlsegment console script is not installed (pip install -e .)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    temp = tmp_path / "tmp"
    temp.mkdir(exist_ok=True)
    return {**os.environ, "PYTHONPATH": str(PROJECT), "TMPDIR": str(temp), "LANG": "C", **extra}


def _run(script: str, args: list[str], tmp_path: Path, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [script, *args], capture_output=True, text=True, env=_env(tmp_path, **extra), timeout=300
    )


def test_version_and_usage_exit_codes(script, tmp_path) -> None:
    version = _run(script, ["--version"], tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("xlsegment ")
    bare = _run(script, [], tmp_path)
    assert bare.returncode == 2 and "usage: xlsegment" in bare.stderr


def test_bad_ledger_is_one_line_exit_2_in_the_users_language(script, tmp_path) -> None:
    ledger = tmp_path / "ventes.csv"
    ledger.write_bytes(b"%PDF-1.4\n" + bytes(range(256)))
    out = tmp_path / "out.xlsx"
    english = _run(script, ["build", str(ledger), "-o", str(out)], tmp_path)
    assert english.returncode == 2
    assert (
        english.stderr == "xlsegment build: error: ventes.csv: is a PDF document, not a table of sales "
        "(export the sales ledger from your software again, as CSV or Excel (.xlsx))\n"
    )
    french = _run(script, ["build", str(ledger), "-o", str(out)], tmp_path, LANG="fr_FR.UTF-8")
    assert french.returncode == 2
    assert french.stderr.startswith("xlsegment build: erreur : ventes.csv : est un document PDF")
    assert not out.exists()


def test_sample_build_then_refusal_to_overwrite(script, tmp_path) -> None:
    out = tmp_path / "sample.xlsx"
    first = _run(script, ["build", "--sample", "-o", str(out), "-q"], tmp_path)
    assert first.returncode == 0, first.stderr
    assert out.stat().st_size > 10_000
    again = _run(script, ["build", "--sample", "-o", str(out), "-q"], tmp_path)
    assert again.returncode == 2 and "--force" in again.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sample.xlsx", "tmp"]
    assert list((tmp_path / "tmp").iterdir()) == []  # no openpyxl temporary file left


def _read_terminal(master: int, until, timeout: float = 240) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not until(seen):
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
    return seen


def _build_on_a_terminal(script: str, tmp_path: Path, out: Path) -> tuple[subprocess.Popen, int]:
    master, slave = pty.openpty()
    child = subprocess.Popen(
        [script, "build", "--sample", "-o", str(out)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=slave,
        env=_env(tmp_path),
    )
    os.close(slave)
    return child, master


@pytest.mark.slow
def test_progress_bar_on_a_terminal(script, tmp_path) -> None:
    out = tmp_path / "out.xlsx"
    child, master = _build_on_a_terminal(script, tmp_path, out)
    try:
        shown = _read_terminal(master, lambda seen: False)
        child.wait(timeout=240)
    finally:
        os.close(master)
    assert child.returncode == 0
    text = shown.decode("utf-8", "replace")
    assert "\r[" in text and "%" in text and "writing" in text  # the bar moved through the build
    assert re.search(r"\r {40,}\r", text)  # and cleared its line before the warnings and summary
    assert child.stdout.read().decode().startswith(f"Classeur écrit : {out}")  # the sample is French
    assert out.exists()


@pytest.mark.slow
def test_ctrl_c_stops_the_build_and_leaves_nothing(script, tmp_path) -> None:
    out = tmp_path / "out.xlsx"
    child, master = _build_on_a_terminal(script, tmp_path, out)
    try:
        shown = _read_terminal(master, lambda seen: b"%" in seen)
        assert b"%" in shown, "the build never showed its progress"
        child.send_signal(signal.SIGINT)
        rest = _read_terminal(master, lambda seen: b"interrupted" in seen, timeout=120)
        child.wait(timeout=120)
    finally:
        child.kill()
        os.close(master)
    assert child.returncode == 130
    assert b"xlsegment: interrupted; no output was written" in rest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tmp"]
    assert list((tmp_path / "tmp").iterdir()) == []
