"""A text through its channel against the same text typed at the desk, in the same run.

    python bench/channels_bench.py [--n 300]

On a fresh seeded SQLite database, in one process (FastAPI's TestClient, sequential, so the figure is the work of
one request and not the HTTP stack):
1. baseline: `POST /api/v1/reports` by a call-taker's token, one per text;
2. the same texts as 12110 SMS through `POST /api/v1/channels/sms/inbound`, each signed by the gateway (HMAC,
   timestamp, replay check), each a new conversation: a contact, a message, a report and a triaged incident;
3. the same texts as a second message of each conversation (triage reads the conversation again).
Prints the p50 and p99 of each and their ratios to the baseline; the last line is one JSON object.
Texts are the package's sample calls (never the dev set).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient

from lifeline.auth.service import SYSTEM, add_org, add_user, create_token
from lifeline.channels import service as channels
from lifeline.peering.peers import sign
from lifeline.settings import Settings
from lifeline.store import migrate
from lifeline.store.engine import make_engine, session_factory, transaction
from lifeline.web.app import create_app

SAMPLE = Path(__file__).resolve().parents[1] / "src" / "lifeline" / "triage" / "sample.jsonl"


def _timed(send, items) -> list[float]:
    took = []
    for item in items:
        start = time.perf_counter()
        answer = send(item)
        took.append((time.perf_counter() - start) * 1000)
        assert answer.status_code in (200, 201), answer.text
    return took


def _p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    args = parser.parse_args()
    texts = [json.loads(line)["text"] for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = (texts * (args.n // len(texts) + 1))[: args.n]
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        engine = make_engine(url)
        migrate.upgrade(engine)
        with transaction(session_factory(engine)) as session:
            add_org(session, SYSTEM, "C110", "110 指挥中心", "centre_110")
            add_user(session, SYSTEM, "bench_taker", "call_taker", "C110", "correct-horse-9")
            token = create_token(session, SYSTEM, "bench_taker")
            _, secret = channels.add_sender(session, SYSTEM, "gw", "sms", "C110")
        engine.dispose()
        with TestClient(create_app(Settings(database_url=url, outbox_dir=Path(folder) / "out"))) as client:
            typed = _timed(lambda t: client.post("/api/v1/reports", json={"text": t, "channel": "sms"},
                                                 headers={"Authorization": f"Bearer {token}"}), texts)  # fmt: skip

            def sms(item):
                n, text, part = item
                body = json.dumps(
                    {
                        "message_id": f"m{part}-{n}",
                        "from": f"139{n:08d}",
                        "to": "12110",
                        "text": text,
                        "received_at": datetime.now(UTC).isoformat(),
                    },
                    ensure_ascii=False,
                ).encode()
                stamp = datetime.now(UTC).isoformat()
                return client.post("/api/v1/channels/sms/inbound", content=body, headers={
                    "Content-Type": "application/json", "X-Lifeline-Sender": "gw", "X-Lifeline-Timestamp": stamp,
                    "X-Lifeline-Signature": sign(secret, stamp, body)})  # fmt: skip

            first = _timed(sms, [(n, t, 1) for n, t in enumerate(texts)])
            second = _timed(sms, [(n, "他现在还在门口", 2) for n in range(len(texts))])
    figures = {"n": len(texts)}
    for name, took in (("typed", typed), ("sms_new", first), ("sms_reply", second)):
        figures[f"{name}_p50_ms"], figures[f"{name}_p99_ms"] = round(_p(took, 50), 2), round(_p(took, 99), 2)
        print(f"{name:10} p50 {figures[f'{name}_p50_ms']:7.2f} ms  p99 {figures[f'{name}_p99_ms']:7.2f} ms")
    figures["sms_new_vs_typed_p50"] = round(figures["sms_new_p50_ms"] / figures["typed_p50_ms"], 2)
    figures["sms_reply_vs_typed_p50"] = round(figures["sms_reply_p50_ms"] / figures["typed_p50_ms"], 2)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
