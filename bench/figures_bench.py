"""A Guangzhou-size year of figures: bulk-loaded into SQLite and PostgreSQL, then the yearly report and a month's
KPIs timed against a plain COUNT(*) over the same rows, in the same run.

    python bench/figures_bench.py [--rows 6600000] [--year 2025] [--pg URL] [--sqlite PATH] [--only sqlite|pg] [--keep]

The data (seeded, the same every run) is spread like the seeds' figures: about 18,000 incidents a day with a
day-and-night curve and a weekly wobble; 69.2% outside police duty or invalid (Jilin), of which 58.9% diverted
(Guangzhou) and the rest invalid; police and joint incidents dispatched to one of 110 stations in 11 district
bureaus, 99.8% within the minute (Jiangxi), on scene within their zone's 1, 3 or 5 minutes most of the time; one
report per incident, 99.7% of them answered; a work order for every diverted incident at one of 20 departments,
about 97% signed and 95% handled on time, satisfaction mostly 4–5. Events are not loaded: no figure reads them.

Steps, each timed: the schema (the program's own migrations, every index), the bulk load (SQLite: executemany in
big transactions with synchronous=OFF for the load only; PostgreSQL: COPY), the day/month/year summaries the
program builds itself (`analytics.summary.refresh`, as its sweep does), then best of three of: the plain
`SELECT COUNT(*) FROM incidents`, the yearly report (`analytics.reports.build`, the workbook's content) and a
month's KPIs (`analytics.service.compare` for June, with the month before and a year earlier). PostgreSQL runs in
a database of its own (dropped at the end unless --keep); without a URL (--pg or LIFELINE_BENCH_POSTGRES_URL,
else LIFELINE_TEST_POSTGRES_URL) it is skipped and its figures are null. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from lifeline import taxonomy
from lifeline.analytics import periods, reports, service, summary
from lifeline.auth.service import SYSTEM, add_org
from lifeline.common import CHINA
from lifeline.store import migrate
from lifeline.store.engine import make_engine, reader_factory, session_factory, transaction

CHUNK = 100_000
DISTRICTS, STATIONS, DEPARTMENTS = 11, 10, 20
# Share of calls by hour of the day: a night trough, late-morning and evening peaks.
HOURS = np.array([2.2, 1.6, 1.2, 1.0, 0.9, 1.1, 1.9, 3.0, 4.4, 5.3, 5.7, 5.6, 5.2, 5.0, 5.1, 5.2, 5.4, 5.6, 5.9,
                  6.2, 6.3, 5.8, 4.5, 3.3])  # fmt: skip
POLICE, DIVERTED = 0.308, 0.692 * 0.589  # the rest (0.692 × 0.411) invalid


def categories() -> dict[str, list[str]]:
    by = {"police": [], "divert": [], "invalid": []}
    for code, c in taxonomy.default().categories.items():
        by["police" if c.disposition in ("police", "joint") else c.disposition].append(code)
    return by


def organisations(url: str) -> dict:
    """The city: a 110 centre, a 12345 centre, 11 district bureaus of 10 stations (zones of 1, 3 or 5 minutes),
    20 departments. Returns their ids."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    ids = {"stations": [], "departments": []}
    with transaction(session_factory(engine)) as session:
        add_org(session, SYSTEM, "CITY", "示范大城市", "city", None)
        ids["c110"] = add_org(session, SYSTEM, "C110", "110 指挥中心", "centre_110", "CITY").id
        ids["c12345"] = add_org(session, SYSTEM, "C12345", "12345 热线", "centre_12345", "CITY").id
        for d in range(DISTRICTS):
            add_org(session, SYSTEM, f"D{d:02d}", f"第{d + 1}区分局", "police_bureau", "C110")
            for s in range(STATIONS):
                station = add_org(
                    session, SYSTEM, f"D{d:02d}S{s}", f"第{d + 1}区{s + 1}所", "police_station", f"D{d:02d}"
                )
                station.arrive_minutes = (1, 3, 5)[s % 3]
                ids["stations"].append(station.id)
        for k in range(DEPARTMENTS):
            ids["departments"].append(
                add_org(session, SYSTEM, f"DEP{k:02d}", f"部门{k + 1}", "department", "C12345").id
            )
    engine.dispose()
    return ids


def chunks(rows: int, year: int, orgs: dict, seed: int = 19):
    """The year's rows, CHUNK incidents at a time, as column arrays (times as epoch seconds, NaN for none)."""
    rng = np.random.default_rng(seed)
    by = categories()
    start = datetime(year, 1, 1, tzinfo=CHINA).timestamp()
    days = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    weights = np.array([1.0 + 0.06 * (d % 7 in (4, 5)) + 0.08 * np.sin(2 * np.pi * d / days) for d in range(days)])
    day_share = weights / weights.sum()
    hour_share = HOURS / HOURS.sum()
    stations, departments = np.array(orgs["stations"]), np.array(orgs["departments"])
    numbers = 13_800_000_000 + rng.integers(0, 3_000_000, size=rows)  # some numbers call more than once
    for first in range(0, rows, CHUNK):
        n = min(CHUNK, rows - first)
        day = rng.choice(days, size=n, p=day_share)
        hour = rng.choice(24, size=n, p=hour_share)
        received = np.sort(start + day * 86400 + hour * 3600 + rng.uniform(0, 3600, size=n))
        kind = rng.choice(3, size=n, p=[POLICE, DIVERTED, 1 - POLICE - DIVERTED])  # police, divert, invalid
        category = np.empty(n, dtype=object)
        for k, name in enumerate(("police", "divert", "invalid")):
            pick = kind == k
            category[pick] = rng.choice(by[name], size=int(pick.sum()))
        confirmed = received + rng.uniform(8, 40, size=n)
        police = kind == 0
        late = rng.random(n) < 0.002
        dispatched = np.where(
            police, confirmed + np.where(late, rng.uniform(61, 300, n), rng.uniform(5, 18, n)), np.nan
        )
        station = np.where(police, stations[rng.integers(0, len(stations), n)], 0)
        zone = np.array([(1, 3, 5)[(s % STATIONS) % 3] if s else 5 for s in station])  # only for the spread
        on_scene = np.where(police, received + rng.gamma(4.0, zone * 60 / 5.0), np.nan)
        closed = received + rng.uniform(600, 7200, size=n)
        answered = np.where(rng.random(n) < 0.997, received + rng.uniform(2, 10, n), np.nan)
        divert = kind == 1
        sent = confirmed + 5
        sign_by = sent + 30 * 60
        signed = sent + np.where(rng.random(n) < 0.97, rng.uniform(60, 1700, n), rng.uniform(1900, 7200, n))
        handle_by = sent + 3 * 86400
        handled = sent + np.where(
            rng.random(n) < 0.95, rng.uniform(3600, 2.9 * 86400, n), rng.uniform(3.1, 6, n) * 86400
        )
        visited = handled + rng.uniform(3600, 86400, n)
        satisfaction = rng.choice([5, 4, 3, 2, 1], size=n, p=[0.60, 0.25, 0.08, 0.04, 0.03])
        department = departments[rng.integers(0, len(departments), n)]
        yield {
            "id": np.arange(first + 1, first + n + 1), "received": received, "confirmed": confirmed,
            "dispatched": dispatched, "on_scene": on_scene, "closed": closed, "answered": answered,
            "kind": kind, "category": category, "station": station, "number": numbers[first:first + n],
            "divert": divert, "sent": sent, "sign_by": sign_by, "signed": signed, "handle_by": handle_by,
            "handled": handled, "visited": visited, "satisfaction": satisfaction, "department": department,
        }  # fmt: skip


DISPOSITION = {0: "police", 1: "divert", 2: "invalid"}


def tables(c: dict, orgs: dict, stamp) -> dict[str, tuple[list[str], list[tuple]]]:
    """One chunk as rows of the four tables the figures read. `stamp` turns epoch seconds into the database's
    text (None for NaN)."""
    inc, rep, asg, wo = [], [], [], []
    for k in range(len(c["id"])):
        i = int(c["id"][k])
        received, confirmed = stamp(c["received"][k]), stamp(c["confirmed"][k])
        number = f"{int(c['number'][k])}"
        disposition = DISPOSITION[int(c["kind"][k])]
        inc.append((i, "closed", orgs["c110"], c["category"][k], disposition, 2, "[]", "{}", False, False,
                    number, "", "", received, received, confirmed, stamp(c["dispatched"][k]),
                    stamp(c["on_scene"][k]), stamp(c["closed"][k]), stamp(c["closed"][k])))  # fmt: skip
        rep.append((i, i, i, "voice", number, "", "", "", received, stamp(c["answered"][k]), received))
        if c["station"][k]:
            asg.append((i, i, int(c["station"][k]), "dispatch", stamp(c["dispatched"][k])))
        if c["divert"][k]:
            wo.append((i, uuid.UUID(int=i).hex, i, int(c["department"][k]), orgs["c12345"], "closed", c["category"][k],
                       "", "", number, "", stamp(c["sign_by"][k]), stamp(c["handle_by"][k]), stamp(c["sent"][k]),
                       stamp(c["sent"][k]), stamp(c["signed"][k]), stamp(c["handled"][k]), stamp(c["visited"][k]),
                       stamp(c["visited"][k]), int(c["satisfaction"][k]), 0, 0, 0, stamp(c["visited"][k]),
                       False))  # fmt: skip
    return {
        "incidents": (["id", "state", "owner_org_id", "category", "disposition", "priority", "destinations",
                       "suggestion", "needs_confirmation", "callback_required", "caller_number", "address", "summary",
                       "received_at", "triaged_at", "confirmed_at", "dispatched_at", "on_scene_at", "closed_at",
                       "updated_at"], inc),
        "reports": (["id", "incident_id", "origin_incident_id", "channel", "caller_number", "caller_name", "text",
                     "location_text", "received_at", "answered_at", "created_at"], rep),
        "assignments": (["id", "incident_id", "org_id", "kind", "created_at"], asg),
        "work_orders": (["id", "uid", "incident_id", "org_id", "sender_org_id", "state", "category", "district",
                         "text", "caller_number", "address", "sign_by", "handle_by", "sent_at", "received_at",
                         "signed_at", "handled_at", "visited_at", "closed_at", "satisfaction", "redo_count",
                         "returns", "seq", "updated_at", "calendar_estimated"], wo),
    }  # fmt: skip


def sqlite_stamp(seconds: float) -> str | None:
    if seconds != seconds:  # NaN
        return None
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def pg_stamp(seconds: float) -> str | None:
    if seconds != seconds:
        return None
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S.%f+00")


def load_sqlite(path: Path, rows: int, year: int, orgs: dict) -> float:
    started = time.perf_counter()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA synchronous=OFF")  # the load only: the program's own connections keep FULL
    for c in chunks(rows, year, orgs):
        for table, (columns, values) in tables(c, orgs, sqlite_stamp).items():
            marks = ", ".join("?" * len(columns))
            connection.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", values)
        connection.commit()
    connection.execute("ANALYZE")
    connection.commit()
    connection.close()
    return time.perf_counter() - started


def load_pg(url: str, rows: int, year: int, orgs: dict) -> float:
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)) as conn:
        for c in chunks(rows, year, orgs):
            for table, (columns, values) in tables(c, orgs, pg_stamp).items():
                with conn.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in values:
                        copy.write_row(row)
            conn.commit()
        conn.execute("ANALYZE")
    return time.perf_counter() - started


def best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def measure(name: str, url: str, rows: int, year: int) -> dict:
    orgs = organisations(url)
    loaded = (load_sqlite(Path(make_url(url).database), rows, year, orgs) if name == "sqlite"
              else load_pg(url, rows, year, orgs))  # fmt: skip
    print(f"{name}: loaded {rows:,} incidents with reports, dispatches and orders in {loaded:.1f} s")
    engine = make_engine(url)
    now = datetime.now(UTC)
    started = time.perf_counter()
    with transaction(session_factory(engine)) as session:
        built = summary.refresh(session, now, limit=None)
    summarised = time.perf_counter() - started
    print(f"{name}: {built} day/month/year summaries built in {summarised:.1f} s")
    readers = reader_factory(engine)
    june = periods.of("month", date(year, 6, 1))

    def count():
        with engine.connect() as connection:
            return connection.execute(text("SELECT COUNT(*) FROM incidents")).scalar_one()

    def yearly():
        with readers() as session:
            return reports.build(session, SYSTEM, "yearly", date(year, 6, 1), now)

    def month():
        with readers() as session:
            return service.compare(session, SYSTEM, june, now=now)

    assert count() == rows
    paragraph = yearly().published
    figures = {f.key: f.shown for f in month().figures}
    count_s, report_s, month_s = best(count), best(yearly), best(month)
    print(f"{name}: COUNT(*) {count_s:.3f} s · yearly report {report_s:.3f} s ({report_s / count_s:.2f}× the count) ·"
          f" June's KPIs {month_s:.3f} s")  # fmt: skip
    print(f"{name}: {paragraph}")
    print(f"{name}: June: calls {figures['calls']}, answered {figures['answer_rate']}, 1-minute "
          f"{figures['one_minute_dispatch_rate']}, diverted {figures['diversion_rate']}")  # fmt: skip
    engine.dispose()
    return {f"{name}_load_s": round(loaded, 1), f"{name}_summary_s": round(summarised, 1),
            f"{name}_count_s": round(count_s, 4), f"{name}_report_s": round(report_s, 4),
            f"{name}_month_kpis_s": round(month_s, 4)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=6_600_000)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--pg", default=os.environ.get("LIFELINE_BENCH_POSTGRES_URL")
                        or os.environ.get("LIFELINE_TEST_POSTGRES_URL"))  # fmt: skip
    parser.add_argument("--sqlite", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--only", choices=("sqlite", "pg"), help="measure one database (the other's figures null)")
    args = parser.parse_args()
    result: dict = {"rows": args.rows, "sqlite_report_s": None, "sqlite_count_s": None}
    folder = Path(tempfile.mkdtemp(prefix="figures-bench-"))
    path = args.sqlite or folder / "figures.db"
    path.unlink(missing_ok=True)
    try:
        if args.only != "pg":
            result |= measure("sqlite", f"sqlite:///{path}", args.rows, args.year)
            print(f"sqlite: {path.stat().st_size / 1e9:.2f} GB on disk")
    finally:
        if not args.keep:
            path.unlink(missing_ok=True)
            for extra in ("-wal", "-shm"):
                Path(f"{path}{extra}").unlink(missing_ok=True)
    if args.only == "sqlite":
        result |= {"pg_report_s": None, "pg_count_s": None}
    elif args.pg:
        admin = create_engine(make_url(args.pg).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
        name = "lifeline_figures_bench"
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
            connection.execute(text(f"CREATE DATABASE {name}"))
        try:
            result |= measure("pg", make_url(args.pg).set(database=name).render_as_string(hide_password=False),
                              args.rows, args.year)  # fmt: skip
        finally:
            if not args.keep:
                with admin.connect() as connection:
                    connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()
    else:
        print("PostgreSQL skipped: give --pg or LIFELINE_BENCH_POSTGRES_URL")
        result |= {"pg_report_s": None, "pg_count_s": None}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
