"""xlwings Server started exactly as docs/excel.md tells a user: the commands of its "start" block, run in
order in a fresh folder, then the served manifest fetched over HTTPS on 127.0.0.1; and the refusal to start
with the example secret key. Bounded (90 s per start) and on the loopback interface only."""

from __future__ import annotations

import fcntl
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "excel.md"
PORT = 8000  # the bare `xlwings-server` command always serves 127.0.0.1:8000
SKIPPED = ("pip install", "mkcert -install")  # system-wide steps the docs ask for once per machine


def documented_commands() -> list[str]:
    """The shell lines of the fenced block marked <!-- server-start --> in docs/excel.md, comments removed."""
    text = DOCS.read_text(encoding="utf-8")
    block = re.search(r"<!-- server-start -->\s*```(?:bash|sh)?\n(.*?)```", text, re.S)
    assert block, "docs/excel.md has no <!-- server-start --> block"
    lines = [line.split("  #", 1)[0].strip() for line in block.group(1).splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XLWINGS_")}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["PYTHONPATH"] = str(ROOT)  # this checkout's xlsegment (the `xlsegment` command below runs it)
    return env


@contextmanager
def _port_lock():
    """One test at a time on port 8000 on this machine (other checkouts run the same test)."""
    with open("/tmp/xlsegment-xlwings-server-8000.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", PORT)) == 0:
                    pytest.fail(f"port {PORT} is taken by another program; xlwings-server needs it")
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run_steps(commands: list[str], folder: Path, env: dict[str, str]) -> tuple[Path, str]:
    """Run the documented lines up to the last one (the server); return its folder and command."""
    cwd = folder
    for line in commands[:-1]:
        if line.startswith(SKIPPED):
            continue
        for part in line.split("&&"):
            part = part.strip()
            if part.startswith("cd "):
                cwd = (cwd / part[3:].strip()).resolve()
                continue
            argv = shlex.split(part)
            if argv[0] == "xlsegment":
                argv = [sys.executable, "-m", "xlsegment.cli", *argv[1:]]
            subprocess.run(argv, cwd=cwd, env=env, check=True, timeout=60, capture_output=True)
    return cwd, commands[-1]


@contextmanager
def _serving(command: str, cwd: Path, env: dict[str, str]):
    proc = subprocess.Popen(
        shlex.split(command), cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True,
    )  # fmt: skip
    try:
        yield proc
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the reloader and its worker
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _get(url: str, ca: Path, deadline: float):
    import ssl

    import httpx

    trust = ssl.create_default_context(cafile=str(ca))  # mkcert's authority, as `mkcert -install` would
    while time.monotonic() < deadline:
        try:
            return httpx.get(url, verify=trust, timeout=3)
        except httpx.TransportError:
            time.sleep(0.5)
    return None


@pytest.mark.slow
def test_the_server_starts_as_the_docs_say_and_refuses_the_example_secret(tmp_path):
    for tool in ("mkcert", "xlwings-server"):
        if shutil.which(tool) is None and not (Path(sys.executable).parent / tool).exists():
            pytest.fail(
                f"{tool} is not installed (docs/excel.md: apt-get install mkcert / pip install xlsegment[server])"
            )
    env = _environment()
    env["CAROOT"] = str(tmp_path / "ca")  # mkcert's authority for this test only (no system trust store)
    commands = documented_commands()
    assert commands[-1] == "xlwings-server" and any(c.startswith("xlsegment server") for c in commands)
    with _port_lock():
        project, command = _run_steps(commands, tmp_path, env)
        assert (project / "certs" / "localhost+2.pem").exists() and (
            project / "certs" / "localhost+2-key.pem"
        ).exists()
        ca = Path(env["CAROOT"]) / "rootCA.pem"
        with _serving(command, project, env) as proc:
            response = _get(f"https://127.0.0.1:{PORT}/manifest.xml", ca, time.monotonic() + 90)
            assert response is not None and response.status_code == 200, proc.poll()
            assert '<CustomTab id="xlsegmentTab">' in response.text

        # the same project with the example secret key of .env.example: no request is ever served
        dotenv = project / ".env"
        dotenv.write_text(
            re.sub(r'XLWINGS_SECRET_KEY="[^"]*"', 'XLWINGS_SECRET_KEY="change-me"', dotenv.read_text()),
            encoding="utf-8",
        )
        with _serving(command, project, env) as proc:
            response = _get(f"https://127.0.0.1:{PORT}/manifest.xml", ca, time.monotonic() + 25)
        output = proc.stdout.read()
        assert response is None or response.status_code >= 500
        assert "refusing to start: XLWINGS_SECRET_KEY" in output, output[-2000:]


@pytest.mark.parametrize("secret", ["", "change-me", None])
def test_an_example_secret_key_is_refused_with_the_fix(secret):
    from xlsegment.excel.server import ServerSetupError, check_settings

    with pytest.raises(ServerSetupError, match="XLWINGS_SECRET_KEY .*secrets.token_urlsafe"):
        check_settings(secret, "noncommercial")
    with pytest.raises(ServerSetupError, match="XLWINGS_LICENSE_KEY"):
        check_settings("a-real-secret", "")
    check_settings("a-real-secret", "noncommercial")  # a project `xlsegment server` wrote starts


def test_the_written_project_has_a_fresh_secret_and_never_overwrites(tmp_path):
    from xlsegment.cli import main as cli

    assert cli(["server", str(tmp_path / "a")]) == 0 and cli(["server", str(tmp_path / "b")]) == 0
    secrets = [
        re.search(r'XLWINGS_SECRET_KEY="([^"]+)"', (tmp_path / x / ".env").read_text()).group(1) for x in "ab"
    ]
    assert len(set(secrets)) == 2 and all(len(s) >= 40 and s != "change-me" for s in secrets)
    for name in (
        "custom_functions/__init__.py",
        "custom_scripts/__init__.py",
        "lifespan.py",
        "templates/manifest.xml",
    ):
        assert (tmp_path / "a" / name).is_file(), name
    assert (tmp_path / "a" / "certs").is_dir()
    assert cli(["server", str(tmp_path / "a")]) == 2  # an existing project is kept
