"""Running `lifeline serve` as a child process and knowing when it is ready (tests, benches, the demo)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import IO


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def serve_command(db: str, port: int, *options: str) -> list[str]:
    return [sys.executable, "-m", "lifeline.cli", "serve", "--db", db, "--port", str(port), *options]


def ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=1) as answer:
            return answer.status == 200
    except (urllib.error.URLError, OSError):
        return False


def start(
    command: Sequence[str], url: str, *, env: dict | None = None, output: IO | int = subprocess.DEVNULL,
    timeout: float = 30.0, cwd: str | os.PathLike | None = None,
) -> subprocess.Popen:  # fmt: skip
    """Start the server and wait until GET /healthz answers 200; fail with what it printed if it does not."""
    errors = subprocess.PIPE if output is subprocess.DEVNULL else subprocess.STDOUT
    process = subprocess.Popen(list(command), stdout=output, stderr=errors, env=env or {**os.environ}, cwd=cwd)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if ready(url):
            return process
        time.sleep(0.1)
    process.kill()
    said = process.stderr.read().decode(errors="replace")[-2000:] if process.stderr else "(see its log)"
    raise RuntimeError(f"{' '.join(command)} did not become ready at {url}: {said}")
