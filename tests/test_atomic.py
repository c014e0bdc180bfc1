"""Atomic writes: ordinary permissions, and a failure leaves the old file and no temporary file behind."""

from __future__ import annotations

import os
import stat

import pytest

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
