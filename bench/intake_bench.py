"""Intake under load: POST /reports at concurrency 16, against the database's own durable-commit limit.

    python bench/intake_bench.py [--seconds 20] [--concurrency 16] [--workers 1]
                                 [--postgres postgresql://user@host:port/postgres]

For each database (SQLite always; PostgreSQL when --postgres or LIFELINE_TEST_POSTGRES_URL is given):
1. a fresh database, seeded with one centre and one call-taker;
2. `lifeline serve` in its own process(es), loaded by `concurrency` keep-alive connections for
   `seconds`: p50/p99 latency and acknowledged reports per second; afterwards every acknowledged
   report is looked for in the database;
3. the same server answering GET /healthz (one SELECT 1) under the same load: the floor of what its
   HTTP stack allows on this machine, whatever intake does;
4. in the same run, on the same database and with the same settings (WAL + synchronous=FULL on
   SQLite), the raw rate of transactions that each commit one durable row, from one connection and
   from `concurrency` connections. Our rate is printed as a fraction of the better raw rate.

Texts come from the training corpus (never the dev set). The load generator runs on the same
machine and takes some of its CPU; the figure to compare across runs is the fraction.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, Table, Text, create_engine, text
from sqlalchemy.engine import make_url

from lifeline.store.engine import database_url
from lifeline.web.process import free_port, serve_command, start

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "data" / "triage" / "train.jsonl"
CONTENT_LENGTH = re.compile(rb"(?i)content-length: *(\d+)")


def seed(url: str) -> str:
    from lifeline.auth.service import SYSTEM, add_org, add_user, create_token
    from lifeline.store import migrate
    from lifeline.store.engine import make_engine, session_factory, transaction

    engine = make_engine(url)
    migrate.upgrade(engine)
    with transaction(session_factory(engine)) as session:
        add_org(session, SYSTEM, "C110", "110 指挥中心", "centre_110")
        add_user(session, SYSTEM, "bench", "call_taker", "C110", "correct-horse-staple-9")
        token = create_token(session, SYSTEM, "bench")
    engine.dispose()
    return token


def serve(url: str, port: int, workers: int) -> subprocess.Popen:
    options = ["--workers", str(workers)] if workers > 1 else []
    return start(serve_command(url, port, *options), f"http://127.0.0.1:{port}")


def _request(method: str, path: str, token: str | None = None, body: dict | None = None) -> bytes:
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else b""
    head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(data)}"]
    if token:
        head.append(f"Authorization: Bearer {token}")
    if body is not None:
        head.append("Content-Type: application/json")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + data


def report_requests(token: str, texts: list[str]) -> list[bytes]:
    rng = random.Random(7)
    bodies = [{"text": rng.choice(texts), "caller_number": f"139{rng.randrange(10**8):08d}"} for _ in range(20_000)]
    return [_request("POST", "/api/v1/reports", token, body) for body in bodies]


def load(port: int, requests: list[bytes], seconds: float, concurrency: int, expect: int) -> dict:
    """`concurrency` keep-alive connections, each sending its next request as soon as the last is answered.

    A plain asyncio HTTP/1.1 client with the requests encoded beforehand: it takes far less of the shared CPU
    than a full client library would, so more of the machine is left to the server being measured.
    """

    async def client(n: int, stop_at: float, latencies: list[float]) -> int:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        failed, i = 0, n
        try:
            while time.perf_counter() < stop_at:
                t0 = time.perf_counter()
                writer.write(requests[i % len(requests)])
                i += concurrency
                head = await reader.readuntil(b"\r\n\r\n")
                await reader.readexactly(int(CONTENT_LENGTH.search(head).group(1)))
                if int(head[9:12]) == expect:
                    latencies.append(time.perf_counter() - t0)
                else:
                    failed += 1
        finally:
            writer.close()
        return failed

    async def clients() -> dict:
        latencies: list[float] = []
        began = time.perf_counter()
        failed = await asyncio.gather(*(client(n, began + seconds, latencies) for n in range(concurrency)))
        elapsed = time.perf_counter() - began
        latencies.sort()
        return {
            "elapsed_s": elapsed,
            "answered": len(latencies),
            "errors": sum(failed),
            "per_s": len(latencies) / elapsed,
            "p50_ms": statistics.median(latencies) * 1000 if latencies else float("nan"),
            "p99_ms": latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000 if latencies else float("nan"),
        }

    return asyncio.run(clients())


def raw_commits(url: str, seconds: float, connections: int) -> float:
    """Transactions per second that each commit one durable row, through the same engine settings."""
    from lifeline.store.engine import make_engine

    engine = make_engine(url)
    table = Table("bench_raw", MetaData(), Column("id", Integer, primary_key=True), Column("body", Text))
    table.create(engine, checkfirst=True)
    counts = [0] * connections
    stop_at = time.perf_counter() + seconds

    def writer(n: int) -> None:
        with engine.connect() as c:
            while time.perf_counter() < stop_at:
                with c.begin():
                    c.execute(table.insert(), {"body": "报警人称" * 20})
                counts[n] += 1

    start = time.perf_counter()
    threads = [threading.Thread(target=writer, args=(n,)) for n in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rate = sum(counts) / (time.perf_counter() - start)
    engine.dispose()
    return rate


def stored_reports(url: str) -> int:
    engine = create_engine(database_url(url))
    with engine.connect() as c:
        count = c.execute(text("SELECT count(*) FROM reports")).scalar_one()
    engine.dispose()
    return count


def server_cpu_seconds(pid: int) -> float:
    """CPU time of the server and its worker processes, from /proc (0 where there is no /proc)."""
    parent, cpu = {}, {}
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = entry.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        child = int(entry.parent.name)
        parent[child], cpu[child] = int(fields[1]), int(fields[11]) + int(fields[12])  # ppid, utime + stime
    tree = {pid}
    while grown := {c for c, p in parent.items() if p in tree} - tree:
        tree |= grown
    return sum(cpu.get(p, 0) for p in tree) / os.sysconf("SC_CLK_TCK")


def run(name: str, url: str, args, texts: list[str]) -> dict:
    token = seed(url)
    requests = report_requests(token, texts)
    port = free_port()
    server = serve(url, port, args.workers)
    try:
        warm = load(port, requests[-2000:], 1.0, args.concurrency, 201)  # model, pools, caches
        cpu_before = server_cpu_seconds(server.pid)
        ours = load(port, requests, args.seconds, args.concurrency, 201)
        # Near 1 core per process means CPU-bound; well below it, the processes wait (SQLite's one writer).
        ours["server_cores"] = (server_cpu_seconds(server.pid) - cpu_before) / ours["elapsed_s"]
        # The same server answering its cheapest request (one SELECT 1): what its HTTP stack allows here.
        floor = load(port, [_request("GET", "/healthz")], min(args.seconds, 5), args.concurrency, 200)
    finally:
        server.terminate()
        server.wait()
    stored = stored_reports(url)
    raw_one = raw_commits(url, min(args.seconds, 5), 1)
    raw_many = raw_commits(url, min(args.seconds, 5), args.concurrency)
    limit = max(raw_one, raw_many)
    return {
        "database": name,
        **ours,
        "all_stored": stored >= warm["answered"] + ours["answered"],
        "healthz_per_s": floor["per_s"],
        "raw_1conn_per_s": raw_one,
        f"raw_{args.concurrency}conn_per_s": raw_many,
        "fraction_of_limit": ours["per_s"] / limit,
        "fraction_of_healthz": ours["per_s"] / floor["per_s"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1, help="server processes (uvicorn workers)")
    parser.add_argument("--postgres", default=os.environ.get("LIFELINE_TEST_POSTGRES_URL"))
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()

    texts = [json.loads(line)["text"] for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(run("sqlite", f"sqlite:///{tmp}/bench.db", args, texts))
    if args.postgres:
        admin = make_url(args.postgres).set(drivername="postgresql+psycopg")
        name = f"lifeline_bench_{os.getpid()}"
        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as c:
            c.execute(text(f"CREATE DATABASE {name}"))
        try:
            results.append(run("postgresql", admin.set(database=name).render_as_string(False), args, texts))
        finally:
            with engine.connect() as c:
                c.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            engine.dispose()

    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"POST /reports, concurrency {args.concurrency}, {args.seconds:.0f} s, {args.workers} server process(es)")
    for r in results:
        raw = {k: v for k, v in r.items() if k.startswith("raw_")}
        print(
            f"{r['database']:10}  {r['per_s']:7.1f} reports/s  p50 {r['p50_ms']:6.1f} ms  p99 {r['p99_ms']:6.1f} ms"
            f"  server CPU {r['server_cores']:.2f} cores  errors {r['errors']}"
            f"  {'all stored' if r['all_stored'] else 'REPORTS MISSING'}"
            f"  |  GET /healthz {r['healthz_per_s']:.0f}/s  |  raw durable commits/s: "
            + ", ".join(f"{k.split('_')[1]} {v:.0f}" for k, v in raw.items())
            + f"  |  ours / limit = {r['fraction_of_limit']:.3f}, ours / healthz = {r['fraction_of_healthz']:.3f}"
        )


if __name__ == "__main__":
    main()
