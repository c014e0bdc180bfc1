"""Write a file atomically, so that a reader never sees half a file and a crash, even SIGKILL, leaves nothing.

On Linux the file is assembled in an anonymous file of the output's folder (`O_TMPFILE`: it has no name, so a
killed process leaves nothing behind) and linked into place when complete. Elsewhere it is written under a
recognisable temporary name (`.<name>.<pid>.<random>.xlsegment-tmp`) that is renamed over the output; the
next write into that folder removes such files whose process is gone. The file gets the permissions an
ordinary new file would (0666 less the umask), not the private 0600 of a temporary file.

`private_scratch` gives openpyxl's own temporary files (one per worksheet in write-only mode) a private
folder, removed when the build ends and swept at the next start if the process was killed.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

TEMP_SUFFIX = ".xlsegment-tmp"
SCRATCH_PREFIX = "xlsegment-scratch-"
STALE_AFTER = 24 * 3600  # seconds: a leftover this old is swept even if its process id is in use again
_TEMP_NAME = re.compile(r"^\..+\.(\d+)\.[0-9a-f]+" + re.escape(TEMP_SUFFIX) + "$")
_SCRATCH_NAME = re.compile("^" + re.escape(SCRATCH_PREFIX) + r"(\d+)-")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process: leave its files alone
    return True


def _stale(path: Path, pid: int) -> bool:
    try:
        age = time.time() - path.lstat().st_mtime
    except OSError:
        return False
    return not _alive(pid) or age > STALE_AFTER


def sweep_temporaries(folder: str | os.PathLike) -> list[Path]:
    """Remove our temporary files in `folder` left by a process that no longer runs; returns them."""
    removed = []
    with contextlib.suppress(OSError):
        for entry in Path(folder).iterdir():
            match = _TEMP_NAME.match(entry.name)
            if match and _stale(entry, int(match.group(1))):
                with contextlib.suppress(OSError):
                    entry.unlink()
                    removed.append(entry)
    return removed


def temporary_name(path: Path) -> Path:
    """A recognisable temporary name beside `path` (swept by `sweep_temporaries` once this process is gone)."""
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}{TEMP_SUFFIX}")


def _anonymous_file(folder: Path) -> int | None:
    """A file descriptor of a nameless file in `folder` (Linux O_TMPFILE), or None where there is none."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None or not os.path.isdir("/proc/self/fd"):
        return None
    try:
        return os.open(folder, flag | os.O_RDWR, 0o600)
    except OSError:  # a file system without O_TMPFILE support (some network and FUSE mounts)
        return None


def _link(fd: int, path: Path) -> None:
    """linkat(2) with AT_SYMLINK_FOLLOW from /proc/self/fd/N: names the anonymous file (os.link follows the
    link only when given a directory descriptor, hence `dst_dir_fd`)."""
    folder = os.open(path.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.link(f"/proc/self/fd/{fd}", path.name, dst_dir_fd=folder, follow_symlinks=True)
    finally:
        os.close(folder)


def _link_into_place(fd: int, path: Path) -> None:
    """Give the anonymous file `fd` the name `path`, replacing what is there in one step."""
    try:
        _link(fd, path)
        return
    except FileExistsError:
        pass
    temporary = temporary_name(path)
    _link(fd, temporary)
    try:
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def atomic_write(path: str | os.PathLike, write: Callable[[str], None]) -> Path:
    """Call `write(temporary_path)`, then put the file in place at `path` in one step; on any failure nothing
    is left behind and an existing `path` is untouched."""
    path = Path(path)
    folder = path.resolve().parent
    sweep_temporaries(folder)
    fd = _anonymous_file(folder)
    if fd is not None:
        try:
            write(f"/proc/self/fd/{fd}")
            os.fchmod(fd, 0o666 & ~_umask())
            _link_into_place(fd, folder / path.name)
        finally:
            os.close(fd)
        return path
    temporary = temporary_name(folder / path.name)
    try:
        write(str(temporary))
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


# --------------------------------------------------------------------------------------------- openpyxl


def sweep_scratch(root: str | os.PathLike | None = None) -> list[Path]:
    """Remove private scratch folders (see `private_scratch`) of processes that no longer run."""
    root = Path(root or tempfile.gettempdir())
    removed = []
    with contextlib.suppress(OSError):
        for entry in root.iterdir():
            match = _SCRATCH_NAME.match(entry.name)
            if match and entry.is_dir() and _stale(entry, int(match.group(1))):
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
    return removed


@contextlib.contextmanager
def private_scratch() -> Iterator[Path]:
    """openpyxl's temporary worksheet files go to a folder of our own while the block runs; the folder is
    removed at the end (and, if the process is killed, by the next start's `sweep_scratch`).

    openpyxl's write-only sheets stream their rows to `tempfile` files in the system temp folder, which a
    killed build would leave there (a gigabyte for a big ledger).
    """
    from openpyxl.worksheet import _writer

    sweep_scratch()
    folder = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-"))
    original = _writer.create_temporary_file

    def create_temporary_file(suffix: str = "") -> str:
        fd, name = tempfile.mkstemp(suffix=suffix, prefix="openpyxl.", dir=folder)
        os.close(fd)
        _writer.ALL_TEMP_FILES.append(name)
        return name

    _writer.create_temporary_file = create_temporary_file
    try:
        yield folder
    finally:
        _writer.create_temporary_file = original
        shutil.rmtree(folder, ignore_errors=True)
