"""The xlwings Server project of xlsegment: written by `xlsegment server FOLDER`, checked when it starts.

The project (`server_project/`, shipped in the package) only re-exports `xlsegment.excel.functions` and
`xlsegment.excel.scripts`, adds the xlsegment ribbon tab (manifest, `static/js/ribbon.js`) and a start-up
hook (`lifespan.py`, which xlwings-server loads by itself) that refuses to serve with an example secret key.
`write_project` copies it and writes `.env` with a fresh secret key, so a project made this way starts as is.
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import sys
from collections.abc import AsyncIterator, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

PROJECT = "server_project"
ENV_EXAMPLE = "env.example"  # becomes the project's .env (a dot file would not travel in the wheel)
EXAMPLE_SECRET_KEYS = ("", "change-me")


class ServerSetupError(RuntimeError):
    """The server project is not set up to serve (an example secret key, no licence key)."""


def check_settings(secret_key: str | None, license_key: str | None) -> None:
    """Refuse to serve with an example or empty secret key, or without a licence key; say how to fix it."""
    if (secret_key or "").strip() in EXAMPLE_SECRET_KEYS:
        raise ServerSetupError(
            "xlsegment: refusing to start: XLWINGS_SECRET_KEY in .env is empty or the example value "
            f"{secret_key!r}. Put a secret of your own there, e.g. the output of: "
            'python -c "import secrets; print(secrets.token_urlsafe(32))"'
        )
    if not (license_key or "").strip():
        raise ServerSetupError(
            "xlsegment: refusing to start: XLWINGS_LICENSE_KEY in .env is empty. Use your xlwings PRO key, "
            'or "noncommercial" for noncommercial use (PolyForm Noncommercial).'
        )


@contextlib.asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    """xlwings-server's start-up hook: check the project's settings before the first request."""
    from xlwings_server.config import settings

    check_settings(settings.secret_key, settings.license_key)
    yield


def project_files() -> Any:
    """The project folder shipped in the package (a Traversable)."""
    return resources.files("xlsegment.excel") / PROJECT


def _copy(source: Any, target: Path) -> list[Path]:
    written = []
    for entry in source.iterdir():
        if entry.name == "__pycache__":
            continue
        if entry.is_dir():
            written += _copy(entry, target / entry.name)
            continue
        name = ".env" if entry.name == ENV_EXAMPLE else entry.name
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        text = entry.read_text(encoding="utf-8")
        if name == ".env":
            text = text.replace(
                'XLWINGS_SECRET_KEY="change-me"', f'XLWINGS_SECRET_KEY="{secrets.token_urlsafe(32)}"'
            )
        destination.write_text(text, encoding="utf-8")
        written.append(destination)
    return written


def write_project(folder: str | Path, *, force: bool = False) -> list[Path]:
    """Copy the server project into `folder` with a `.env` holding a fresh secret key and a `certs/` folder
    for the HTTPS certificates; refuse a folder that already has a project unless `force`."""
    folder = Path(folder)
    if (folder / "custom_functions").exists() and not force:
        raise FileExistsError(f"{folder} already holds an xlwings Server project; use --force to replace it")
    if force and (folder / "custom_functions").exists():
        for name in ("custom_functions", "custom_scripts", "templates", "static"):
            shutil.rmtree(folder / name, ignore_errors=True)
    written = _copy(project_files(), folder)
    (folder / "certs").mkdir(exist_ok=True)
    return written


def server_command(folder: str, *, force: bool = False, lang: str = "en") -> int:
    """`xlsegment server FOLDER [--force]`: write the project and print the next steps, in `lang`."""
    from xlsegment.cli_lang import say

    try:
        written = write_project(folder, force=force)
    except FileExistsError:
        print(f"xlsegment server: {say('err.server_exists', lang, folder=folder)}", file=sys.stderr)
        return 2
    print(say("server.written", lang, n=len(written), folder=folder))
    print(say("server.next", lang))
    return 0


@contextlib.contextmanager
def local_server(project: str | Path, *, timeout: float = 60.0) -> Iterator[str]:
    """xlwings-server serving `project` with uvicorn on a free 127.0.0.1 port, plain HTTP, for tests and
    benchmarks; yields its base URL and stops it on exit. Raises RuntimeError when it exits or stays silent."""
    import os
    import socket
    import subprocess
    import time

    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("XLWINGS_")}
    env.update(
        XLWINGS_ON_SERVER="true",
        XLWINGS_LICENSE_KEY=os.environ.get("XLWINGS_LICENSE_KEY", "noncommercial"),
        XLWINGS_PROJECT_DIR=str(project),
        XLWINGS_ENVIRONMENT="prod",
        XLWINGS_ENABLE_SOCKETIO="false",
    )
    command = [sys.executable, "-m", "uvicorn", "xlwings_server.main:main_app", "--host", "127.0.0.1"]
    proc = subprocess.Popen(
        [*command, "--port", str(port)], cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"xlwings-server exited: {proc.stdout.read()[-3000:]}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}/manifest.xml", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"xlwings-server did not answer within {timeout:.0f} s")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
