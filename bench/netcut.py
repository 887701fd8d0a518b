"""A loopback TCP proxy that can cut a link, as a broken network would: for chaos runs (bench/province_bench.py).

Connected, it passes bytes both ways. Cut, it drops the traffic: open connections are closed, new ones are taken
but never answered (the sender waits until its own timeout, as for packets lost on the way). Mended, the held
connections are closed, so their senders try again, and new ones pass.
"""

from __future__ import annotations

import contextlib
import socket
import threading


class Link:
    def __init__(self, target_port: int):
        self.target = ("127.0.0.1", target_port)
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.severed = threading.Event()
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()  # both ends of every connection passing
        self._held: list[socket.socket] = []  # taken while cut, never answered
        self.dropped = 0  # connections closed or held by a cut
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cut(self) -> None:
        with self._lock:
            self.severed.set()
            self.dropped += len(self._open) // 2
            for sock in self._open:
                _close(sock)
            self._open.clear()

    def mend(self) -> None:
        with self._lock:
            self.severed.clear()
            for sock in self._held:
                _close(sock)
            self._held.clear()

    def close(self) -> None:
        self.cut()
        self.mend()
        _close(self.server)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            with self._lock:
                if self.severed.is_set():
                    self._held.append(client)
                    self.dropped += 1
                    continue
            threading.Thread(target=self._connect, args=(client,), daemon=True).start()

    def _connect(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            _close(client)
            return
        upstream.settimeout(None)
        with self._lock:
            if self.severed.is_set():
                _close(client)
                _close(upstream)
                return
            self._open |= {client, upstream}
        threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()
        self._pump(client, upstream)

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        with self._lock:
            self._open.discard(source)
            self._open.discard(sink)
        _close(source)
        _close(sink)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
