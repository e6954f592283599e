"""Audit-log throughput: append (batched and one by one) and verify, 100k events, SQLite or PostgreSQL.

Run:  .venv/bin/python bench/audit.py [--events 100000] [--batch 1000] [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/NAME]
Targets (issue 2): append >= 20k events/s batched; verify >= 500k events/s.
Baselines measured in the same run: one event per transaction (what a naive caller does) for the
appends; for verification, reading the same rows of the same chain with the same driver and
nothing else (no hashing: the floor any verification pays). The service's ``verify_chain`` is
timed, as ``mamori audit verify`` calls it (the process start is not included). Work checked:
every event is counted in the store, verification must report every one of them intact, and a
deliberately altered copy must be reported altered.
``--pg-url`` names a database this bench creates and drops (never an existing one of yours).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from mamori.audit.models import AuditEvent
from mamori.audit.service import EventInput, record_event, record_events, verify_chain
from mamori.db.migrate import upgrade
from mamori.db.session import make_engine, make_session_factory, unit_of_work

BARE = (
    "SELECT link, seq, occurred_at, actor, action, target_type, target_id, details, prev_hash, hash"
    " FROM audit_events ORDER BY chain, link"
)


def _events(start: int, count: int) -> list[EventInput]:
    return [
        EventInput(
            "consent.given", "subject", f"s-{n}", {"purpose": "customer.mailings", "channel": "web", "n": n}
        )
        for n in range(start, start + count)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument(
        "--single", type=int, default=2_000, help="events for the one-per-transaction baseline"
    )
    parser.add_argument("--pg-url", help="a PostgreSQL database to create, use and drop")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = args.pg_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        if args.pg_url:
            _recreate(args.pg_url)
        try:
            _run(args, url)
        finally:
            if args.pg_url:
                _recreate(args.pg_url, drop_only=True)


def _recreate(url: str, *, drop_only: bool = False) -> None:
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        if not drop_only:
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def _bare_read(factory: object, batch: int) -> tuple[int, float]:
    """The baseline: the chain's rows in order through the driver, nothing computed."""
    started = time.perf_counter()
    count = 0
    with unit_of_work(factory) as session:  # type: ignore[arg-type]
        cursor = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        cursor.execute(BARE)
        while rows := cursor.fetchmany(batch):
            count += len(rows)
        cursor.close()
    return count, time.perf_counter() - started


def _run(args: argparse.Namespace, url: str) -> None:
    upgrade(url)
    factory = make_session_factory(make_engine(url))

    started = time.perf_counter()
    for n in range(args.single):
        with unit_of_work(factory) as session:
            record_event(
                session, actor="bench", action="consent.given", target_type="subject", target_id=str(n)
            )
    single_rate = args.single / (time.perf_counter() - started)

    started = time.perf_counter()
    done = 0
    while done < args.events:
        count = min(args.batch, args.events - done)
        with unit_of_work(factory) as session:
            record_events(session, actor="bench", events=_events(done, count))
        done += count
        if done % (args.events // 4 or 1) == 0:
            print(f"  appended {done:,} events", flush=True)
    batched_rate = args.events / (time.perf_counter() - started)

    total = args.single + args.events
    with unit_of_work(factory) as session:
        stored = session.scalar(select(func.count()).select_from(AuditEvent))
    if stored != total:
        raise SystemExit(f"{stored} events stored, {total} appended")
    read, bare_seconds = _bare_read(factory, 10_000)
    if read != total:
        raise SystemExit(f"the bare read saw {read} of {total} events")
    cpu = time.process_time()
    started = time.perf_counter()
    with unit_of_work(factory) as session:
        result = verify_chain(session)
    verify_seconds = time.perf_counter() - started
    verify_cpu = time.process_time() - cpu
    if not result.ok or result.checked != total:
        raise SystemExit(f"verification did not pass every event: {result}")
    _check_tamper_found(factory)
    verify_rate, bare_rate = total / verify_seconds, total / bare_seconds

    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{make_url(url).get_backend_name()}; load average {load} on {os.cpu_count()} cores")
    print(f"append, one event per transaction (baseline): {single_rate:>10,.0f} events/s")
    print(
        f"append, batched by {args.batch:,}:              {batched_rate:>10,.0f} events/s"
        f"  ({batched_rate / single_rate:.1f}x baseline; target 20,000)"
    )
    print(f"read {total:,} rows, nothing checked (baseline): {bare_rate:>10,.0f} rows/s")
    print(
        f"verify {total:,} events:                    {verify_rate:>10,.0f} events/s  (target 500,000;"
        f" {verify_seconds / bare_seconds:.1f}x the bare read; this process's CPU {verify_cpu:.2f} s)"
    )


def _check_tamper_found(factory: object) -> None:
    """Alter one event (committed; triggers bypassed on PostgreSQL): it must be found. Then restore it."""
    original = _set_details(factory, None)
    with unit_of_work(factory) as session:  # type: ignore[arg-type]
        result = verify_chain(session)
    _set_details(factory, original)
    if result.ok:
        raise SystemExit("an altered event was not found: the verification checked nothing")


def _set_details(factory: object, value: str | None) -> str:
    where = "WHERE chain = (SELECT min(chain) FROM audit_events) AND link = 1000"
    with unit_of_work(factory) as session:  # type: ignore[arg-type]
        conn = session.connection()
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        before = conn.execute(text(f"SELECT details FROM audit_events {where}")).scalar_one()  # noqa: S608
        conn.execute(text(f"UPDATE audit_events SET details = :d {where}"), {"d": value or '{"n": -1}'})  # noqa: S608
    return str(before)


if __name__ == "__main__":
    main()
