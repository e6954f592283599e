"""Provision records: one person's records among 10M, and one provision to 100k persons.

Run:  .venv/bin/python bench/provisions.py [--records 10000000] [--subjects 1000000] [--provide 100000]
      [--admin-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--keep]
Creates its own PostgreSQL database ``mamori_bench_provisions`` (dropped first; kept with --keep).
Targets (issue 4): listing one person's records among 10M <= 10 ms; a 100k-person provision with its rate.

Rows are generated set-wise in SQL (INSERT ... SELECT FROM generate_series); subject ids are
``md5(n)::uuid`` so that the benchmark can name subject n. Baselines, measured in the same run:
  listing: the same query with index scans disabled (what the lookup costs without the
  (subject_id, provided_at) index);
  provision: a naive per-person path (one consent query, one suspension query and one insert per
  person), timed on a sample and compared by rate.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, make_url, select, text
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.consents.models import ConsentState, UsageSuspension
from mamori.db.migrate import upgrade
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.provisions.gate import ProvisionRequest, provide
from mamori.provisions.models import ProvisionRecord
from mamori.provisions.reading import read_records_for_subject
from mamori.provisions.service import list_records_for_subject

sys.path.insert(0, str(Path(__file__).resolve().parent))
import registers_fill
from registers_fill import RECIPIENT, subject_id

DB = "mamori_bench_provisions"
PURPOSE = "customer.sales"  # a purpose declared for the bench's persons (customers)
STATES_SQL = (
    "INSERT INTO consent_states (subject_id, scope, action, occurred_at, separate, event_id) "
    "SELECT subject_id, scope, action, occurred_at, separate, id FROM consent_events"
)
CONSENTS_SQL = """
INSERT INTO consent_events (id, subject_id, scope, action, occurred_at, recorded_at, separate, language,
    channel, collected_by)
SELECT md5('c' || n)::uuid, md5(n::text)::uuid, :scope, 'given', now() - interval '1 day', now(), true,
    'ja', 'web', 'bench'
FROM generate_series(0, :n - 1) AS n
"""


def create_database(admin_url: str) -> str:
    return registers_fill.create_database(admin_url, DB)


def generate(engine: Engine, *, subjects: int, records: int, consenting: int) -> None:
    """Subjects (all customers), 10k provisions and the records (bench/registers_fill.py, shared with
    bench/console.py); consent to the recipient for the first ``consenting``."""
    version_id, party_id = registers_fill.publish(engine)
    consents = (
        (CONSENTS_SQL, {"scope": f"recipient:{RECIPIENT}", "n": consenting}),
        (STATES_SQL, {}),
    )  # fmt: skip
    registers_fill.fill_registers(engine, version_id=version_id, party_id=party_id, subjects=subjects,
                                  records=records, shareholder_every=0, extra_sql=consents)  # fmt: skip


def _lookup_ms(session: Session, ids: list[uuid.UUID]) -> list[float]:
    times = []
    for sid in ids:
        started = time.perf_counter()
        found = list_records_for_subject(session, sid)
        times.append((time.perf_counter() - started) * 1000)
        assert found, "every subject has records"
    return times


def _audited_ms(factory: Any, ids: list[uuid.UUID]) -> list[float]:
    """The read as ``GET /subjects/{id}/provision-records?purpose=`` does it, one transaction each."""
    times = []
    for sid in ids:
        started = time.perf_counter()
        with unit_of_work(factory) as session:
            found = read_records_for_subject(session, actor="bench", subject_id=sid, purpose=PURPOSE)
        times.append((time.perf_counter() - started) * 1000)
        assert found, "every subject has records"
    return times


LOOKUP_SQL = "SELECT id, provision_id, provided_at FROM provision_records WHERE subject_id = :sid"
SCAN_SQL = "SELECT id, provision_id, provided_at FROM provision_records WHERE subject_id::text = :sid"


def _scan_ms(session: Session, ids: list[uuid.UUID]) -> list[float]:
    """The same lookup written so that no index can serve it (a cast of the column)."""
    times = []
    for sid in ids:
        started = time.perf_counter()
        rows = session.execute(text(SCAN_SQL), {"sid": str(sid)}).all()
        times.append((time.perf_counter() - started) * 1000)
        assert rows
    return times


def _round_trip_ms(session: Session) -> float:
    times = []
    for _ in range(200):
        started = time.perf_counter()
        session.execute(text("SELECT 1"))
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def bench_listing(engine: Engine, subjects: int, samples: int) -> None:
    rng = random.Random(4)
    ids = [subject_id(rng.randrange(subjects)) for _ in range(samples)]
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        _lookup_ms(session, ids[:20])  # warm the connection and the statement cache
        times = _lookup_ms(session, ids)
        count = len(list_records_for_subject(session, ids[0]))
        baseline = _scan_ms(session, ids[:3])
        plan = session.execute(
            text("EXPLAIN (ANALYZE, FORMAT JSON) " + LOOKUP_SQL), {"sid": ids[0]}
        ).scalar_one()
        trip = _round_trip_ms(session)
    audited = _audited_ms(factory, ids[: samples // 2])
    median, p95 = statistics.median(times), statistics.quantiles(times, n=20)[-1]
    print(f"listing one person's records ({count} each) among the records, {samples} lookups:")
    print(f"  median {median:.2f} ms, p95 {p95:.2f} ms, max {max(times):.2f} ms (target <= 10 ms)")
    a_median, a_p95 = statistics.median(audited), statistics.quantiles(audited, n=20)[-1]
    print(
        f"  as the API reads them (purpose checked, audit event, own committed transaction): "
        f"median {a_median:.2f} ms, p95 {a_p95:.2f} ms"
    )
    base = statistics.median(baseline)
    print(f"  baseline, the same lookup with no usable index: median {base:,.0f} ms ({base / median:,.0f}x)")
    print(f"  server execution of the lookup (EXPLAIN ANALYZE): {plan[0]['Execution Time']:.2f} ms")
    print(f"  a bare SELECT 1 round trip on this connection: median {trip:.2f} ms")


def _naive_one(session: Session, sid: uuid.UUID, provision_id: uuid.UUID, now: datetime) -> None:
    state = session.get(ConsentState, (sid, f"recipient:{RECIPIENT}"))
    blocked = session.scalars(select(UsageSuspension.id).where(UsageSuspension.subject_id == sid)).first()
    if state is not None and state.action == "given" and blocked is None:
        session.add(
            ProvisionRecord(provision_id=provision_id, subject_id=sid, provided_at=now, retention_end=now)
        )
        session.flush()


def bench_provide(engine: Engine, settings: Settings, count: int, naive_sample: int) -> None:
    ids = [subject_id(n) for n in range(count)]
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        started = time.perf_counter()
        request = ProvisionRequest(RECIPIENT, ids, ["name", "address"], "consent")
        outcome = provide(session, settings, actor="bench", request=request)
        elapsed = time.perf_counter() - started
        session.rollback()
    rate = count / elapsed
    print(f"one provision to {count:,} persons: {elapsed:,.2f} s, {rate:,.0f} persons/s")
    print(f"  provided {len(outcome.provided):,}, refused {len(outcome.refused):,}")
    with unit_of_work(factory) as session:
        provision_id = session.scalars(text("SELECT id FROM provisions LIMIT 1")).one()
        now = datetime.now(UTC)
        started = time.perf_counter()
        for sid in ids[:naive_sample]:
            _naive_one(session, sid, provision_id, now)
        naive = naive_sample / (time.perf_counter() - started)
        session.rollback()
    print(
        f"  baseline, naive per-person queries and inserts ({naive_sample:,} persons): {naive:,.0f} persons/s"
    )
    print(f"  set-based gate is {rate / naive:,.1f}x the naive rate")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--admin-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--records", type=int, default=10_000_000)
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--provide", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--naive", type=int, default=3_000)
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    parser.add_argument("--reuse", action="store_true", help="measure on the database kept by --keep")
    args = parser.parse_args()
    url = make_url(args.admin_url).set(database=DB).render_as_string(hide_password=False)
    if not args.reuse:
        print(f"creating {DB} …", flush=True)
        create_database(args.admin_url)
    if args.reuse:
        upgrade(url)  # data kept from an earlier run gets this version's schema
    engine = make_engine(url)
    if not args.reuse:
        generate(engine, subjects=args.subjects, records=args.records, consenting=args.provide)
    bench_listing(engine, args.subjects, args.samples)
    settings = Settings(database_url=url, mail_backend="null", _env_file=None)  # type: ignore[call-arg]
    bench_provide(engine, settings, args.provide, args.naive)
    engine.dispose()
    if not args.keep:
        admin = make_engine(args.admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    sys.exit(main())
