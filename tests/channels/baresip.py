"""A real SIP phone for the tests: Debian's baresip, headless (a sine tone for a microphone, a file for a speaker),
driven through its ctrl_tcp module (netstring JSON commands, and the call events it reports)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from lifeline.web.process import free_port

CONFIG = """sip_listen\t\t127.0.0.1:{sip}
module_path\t\t/usr/lib/baresip/modules
module\t\t\tg711.so
module\t\t\tausine.so
module\t\t\taufile.so
module_app\t\taccount.so
module_app\t\tmenu.so
module_app\t\tctrl_tcp.so
ctrl_tcp_listen\t\t127.0.0.1:{ctrl}
audio_player\t\taufile,{folder}/heard.wav
audio_source\t\tausine,440
audio_alert\t\taufile,{folder}/alert.wav
ausrc_srate\t\t48000
auplay_srate\t\t48000
ausrc_channels\t\t2
auplay_channels\t\t2
"""


def need_baresip() -> None:
    if shutil.which("baresip") and Path("/usr/lib/baresip/modules/ctrl_tcp.so").exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true but baresip is missing: apt-get install baresip-core (.ci/run does)")
    pytest.skip("the SIP tests place real calls with Debian's baresip: apt-get install baresip-core")


class Phone:
    """One baresip with one account: `number`@127.0.0.1."""

    def __init__(self, folder: Path, number: str):
        folder.mkdir(parents=True, exist_ok=True)
        self.folder, self.ctrl = folder, free_port()
        (folder / "config").write_text(CONFIG.format(sip=free_port(), ctrl=self.ctrl, folder=folder))
        (folder / "accounts").write_text(f"<sip:{number}@127.0.0.1>;regint=0\n")
        self.process: subprocess.Popen | None = None
        self.events: list[dict] = []
        self.control: socket.socket | None = None
        self.buffer = b""

    def dial(self, uri: str, seconds: int = 30) -> None:
        self.process = subprocess.Popen(
            ["baresip", "-4", "-f", str(self.folder), "-e", f"/dial {uri}", "-t", str(seconds)],
            stdout=(self.folder / "baresip.log").open("wb"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while self.control is None:
            try:
                self.control = socket.create_connection(("127.0.0.1", self.ctrl), timeout=0.5)
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"baresip did not start:\n{self.log()}") from None
                time.sleep(0.05)

    def command(self, command: str, params: str = "") -> None:
        body = json.dumps({"command": command, "params": params, "token": command})
        self.control.sendall(f"{len(body)}:{body},".encode())

    def wait_for(self, kind: str, seconds: float = 10) -> dict:
        """The first event of `kind` the phone reported (CALL_ESTABLISHED, CALL_CLOSED, …)."""
        deadline = time.monotonic() + seconds
        while True:
            found = next((e for e in self.events if e.get("type") == kind), None)
            if found is not None:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"no {kind} from baresip; events {self.events}\n{self.log()}")
            self.control.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                self.buffer += self.control.recv(65536)
            except TimeoutError:
                continue
            while b":" in self.buffer:
                size, _, rest = self.buffer.partition(b":")
                if not size.isdigit() or len(rest) < int(size) + 1:
                    break
                self.events.append(json.loads(rest[: int(size)]))
                self.buffer = rest[int(size) + 1 :]

    def log(self) -> str:
        path = self.folder / "baresip.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop(self) -> None:
        if self.control is not None:
            self.control.close()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
