"""bench/netcut.py, the proxy the province bench cuts a city off with: it passes traffic, drops it when cut (the
sender times out, as for lost packets), and passes it again when mended."""

from __future__ import annotations

import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from netcut import Link


class Hello(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *_args):
        pass


def test_a_cut_link_drops_the_traffic_and_a_mended_one_passes_it():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    link = Link(server.server_address[1])
    try:
        with httpx.Client(timeout=1) as http:  # one keep-alive connection, as a relay holds
            assert http.get(link.url).text == "ok"
            link.cut()
            with pytest.raises(httpx.TransportError):  # the open connection is closed, a new one unanswered
                http.get(link.url)
            assert link.dropped >= 1
            link.mend()
            assert http.get(link.url).text == "ok"
    finally:
        link.close()
        server.shutdown()
