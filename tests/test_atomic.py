"""Atomic writes: ordinary permissions, and a failure leaves the old file and no temporary file behind."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from xlsegment import atomic
from xlsegment.atomic import atomic_write


def _write_text(text: str):
    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(text)

    return write


def test_new_file_has_the_permissions_of_an_ordinary_file(tmp_path):
    mask = os.umask(0o022)
    try:
        path = atomic_write(tmp_path / "out.csv", _write_text("a,b\n"))
    finally:
        os.umask(mask)
    assert path.read_text(encoding="utf-8") == "a,b\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_failure_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "out.csv"
    path.write_text("old", encoding="utf-8")

    def broken(tmp: str) -> None:
        _write_text("half")(tmp)
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        atomic_write(path, broken)
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


# ---------------------------------------------------------------- nothing left behind, even after SIGKILL


def test_file_has_no_name_until_complete_and_replaces_the_old_one(tmp_path):
    path = tmp_path / "out.csv"
    path.write_text("old", encoding="utf-8")
    seen = []

    def write(tmp: str) -> None:
        _write_text("new")(tmp)
        seen.append(sorted(p.name for p in tmp_path.iterdir()))

    atomic_write(path, write)
    assert seen == [["out.csv"]]  # while writing, the folder held only the old file (O_TMPFILE on Linux)
    assert path.read_text(encoding="utf-8") == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_without_anonymous_files_the_temporary_name_is_recognisable(tmp_path, monkeypatch):
    monkeypatch.setattr(atomic, "_anonymous_file", lambda folder: None)
    names = []

    def write(tmp: str) -> None:
        names.append(Path(tmp).name)
        _write_text("x")(tmp)

    atomic_write(tmp_path / "out.csv", write)
    assert names[0].startswith(f".out.csv.{os.getpid()}.") and names[0].endswith(atomic.TEMP_SUFFIX)
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_leftovers_of_dead_processes_are_swept_and_others_kept(tmp_path):
    dead = tmp_path / f".out.xlsx.{_dead_pid()}.0a1b2c3d{atomic.TEMP_SUFFIX}"
    mine = tmp_path / f".out.xlsx.{os.getpid()}.0a1b2c3d{atomic.TEMP_SUFFIX}"
    user = tmp_path / ".out.xlsx.abc.tmp"  # not ours: never touched
    for p in (dead, mine, user):
        p.write_text("x")
    atomic_write(tmp_path / "other.csv", _write_text("y"))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([mine.name, user.name, "other.csv"])


def test_private_scratch_holds_openpyxl_temporary_files_and_is_removed(tmp_path, monkeypatch):
    from openpyxl import Workbook

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    stale = tmp_path / f"{atomic.SCRATCH_PREFIX}{_dead_pid()}-abc"
    stale.mkdir()
    (stale / "openpyxl.sheet.xml").write_text("x" * 1000)
    live = tmp_path / f"{atomic.SCRATCH_PREFIX}{os.getpid()}-abc"
    live.mkdir()
    with atomic.private_scratch() as folder:
        assert not stale.exists() and live.exists()  # the killed run's folder is swept at the start
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("S")
        ws.append(["a", 1])
        assert [p.parent for p in folder.iterdir()] == [folder]  # the sheet streams into our folder
        assert not list(tmp_path.glob("openpyxl*"))
        wb.save(tmp_path / "book.xlsx")
    assert not folder.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx", live.name]


KILLED_BUILD = r"""
import sys, time
from pathlib import Path
import openpyxl.writer.excel as excel

original = excel.ExcelWriter.write_worksheet

def write_worksheet(self, ws):
    original(self, ws)
    Path(sys.argv[2]).write_text("saving")  # half the workbook is in the zip: the parent kills us now
    time.sleep(30)

excel.ExcelWriter.write_worksheet = write_worksheet
from xlsegment.cli import main
sys.exit(main(["build", sys.argv[1], "-o", str(Path(sys.argv[1]).with_name("out.xlsx")), "-q"]))
"""


@pytest.mark.slow
def test_a_build_killed_while_saving_leaves_nothing(tmp_path):
    """A real SIGKILL in the middle of `wb.save`: no file in the output folder, and the private scratch
    folder of openpyxl's temporary files is swept by the next start."""
    from xlsegment.ledger import sample_ledger_path

    out_dir, temp_dir = tmp_path / "out", tmp_path / "tmp"
    out_dir.mkdir()
    temp_dir.mkdir()
    ledger = out_dir / "ventes.csv"
    shutil.copyfile(sample_ledger_path(), ledger)
    marker = tmp_path / "saving"
    env = {**os.environ, "TMPDIR": str(temp_dir), "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    child = subprocess.Popen([sys.executable, "-c", KILLED_BUILD, str(ledger), str(marker)], env=env)
    try:
        deadline = time.monotonic() + 300
        while not marker.exists() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), "the build never reached the save"
        scratch = list(temp_dir.iterdir())
        assert [p.name.startswith(atomic.SCRATCH_PREFIX) for p in scratch] == [True]
        assert any(scratch[0].iterdir())  # openpyxl's sheet files are in our private folder
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
    assert child.returncode == -signal.SIGKILL
    assert [p.name for p in out_dir.iterdir()] == ["ventes.csv"]
    assert atomic.sweep_scratch(temp_dir) == scratch
    assert list(temp_dir.iterdir()) == []
