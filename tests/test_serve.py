"""`mcr serve` serves the whole site, the command reference the CLI hands it included.

The server runs as a real `mcr serve` process on a free loopback port and is stopped at the end;
every wait is bounded.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from sitefixtures import TODAY, copy_register

MCR = Path(sys.executable).with_name("mcr")
STARTUP_SECONDS = 120


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            body: bytes = response.read()
            return body.decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def test_serve_publishes_the_register_and_the_command_reference(tmp_path: Path) -> None:
    root = copy_register(tmp_path / "register")
    address = f"127.0.0.1:{_free_port()}"
    server = subprocess.Popen(
        [
            *(str(MCR), "serve", "--dev-addr", address, "--today", TODAY.isoformat()),
            *("--keystore", "demo-keystore"),
        ],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        reference = None
        while reference is None and time.monotonic() < deadline and server.poll() is None:
            time.sleep(0.5)
            reference = _get(f"http://{address}/reference/cli/")
        assert reference is not None, "mcr serve did not answer in time"
        assert "mcr check" in reference
        assert "mcr demo-repo" in reference
        register = _get(f"http://{address}/register/")
        assert register is not None
        assert "MC-2026-0001" in register
        assert "Jordan Pellow" in register  # opened with the keys
        assert "ENC[mcr1" not in register
        assert "Fictional demo data" in register
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            _, errors = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            _, errors = server.communicate()
    assert "Traceback" not in errors


def test_serve_without_the_keys_stops_with_a_clear_message(tmp_path: Path) -> None:
    root = copy_register(tmp_path / "register")
    (tmp_path / "keys").mkdir()
    address = f"127.0.0.1:{_free_port()}"
    done = subprocess.run(
        [
            *(str(MCR), "serve", "--dev-addr", address, "--today", TODAY.isoformat()),
            *("--keystore", str(tmp_path / "keys")),
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=STARTUP_SECONDS,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "never published with placeholders" in done.stderr
    assert "Traceback" not in done.stderr
