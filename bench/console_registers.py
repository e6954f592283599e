"""The console's register pages over large registers: 1M subjects, 10k provisions, 10M provision records.

Run:  .venv/bin/python bench/console_registers.py [--subjects 1000000] [--records 10000000]
      [--admin-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--keep] [--reuse]
Creates its own PostgreSQL database ``mamori_bench_console`` (dropped first; kept with --keep).
Target (issue 20): a register page's server time <= 150 ms at p95, however deep one pages.

Each list is read as the console reads it (the room's keyset page service, 50 rows), on the first
page and on pages reached by following the cursors deep into the register. Baseline, measured in
the same run on the same data: the same page reached with LIMIT/OFFSET at the same depth, which is
what a list that counts pages would do. Rows are generated set-wise in SQL (generate_series).
"""

from __future__ import annotations

import argparse
import html
import re
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, make_url, select, text
from sqlalchemy.orm import Session

from mamori.config import DEFAULT_POLICY_DIR
from mamori.db.migrate import upgrade
from mamori.db.paging import Cursor
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.policy.service import publish_bundle
from mamori.provisions.models import Provision, ProvisionRecord
from mamori.provisions.parties import resolve_party
from mamori.provisions.registers import provision_page, record_page
from mamori.subjects.models import Subject, SubjectCategory
from mamori.subjects.registers import subject_page

DB = "mamori_bench_console"
PROVISIONS = 10_000
PAGE = 50
RECORD_INDEXES = {
    "ix_provision_records_subject_provided": "subject_id, provided_at",
    "ix_provision_records_provision_id": "provision_id",
    "ix_provision_records_retention_end": "retention_end",
    "ix_provision_records_provision_page": "provision_id, provided_at, id",
}
SUBJECTS_SQL = """
INSERT INTO subjects (id, jurisdiction, language, status, created_at)
SELECT md5(n::text)::uuid, CASE WHEN n % 10 = 0 THEN 'CN' ELSE 'JP' END, 'ja', 'active',
    now() - (n || ' seconds')::interval
FROM generate_series(0, :n - 1) AS n
"""
CATEGORIES_SQL = """
INSERT INTO subject_categories (subject_id, category, collected_at, source)
SELECT md5(n::text)::uuid, CASE WHEN n % 4 = 0 THEN 'shareholders' ELSE 'customers' END, now(), 'bench'
FROM generate_series(0, :n - 1) AS n
"""
PROVISIONS_SQL = """
INSERT INTO provisions (id, recipient_id, basis, art29_record, items, country, route, recipient_snapshot,
    policy_version_id, provided_at, requested, provided, refused, sensitive, requested_by)
SELECT md5('p' || n)::uuid, :party, 'consent', true, '["name", "address"]'::jsonb, 'JP', 'domestic',
    '{"key": "sample_credit_bureau"}'::jsonb, :version, now() - (n || ' minutes')::interval,
    :per, :per, 0, false, 'bench'
FROM generate_series(0, :provisions - 1) AS n
"""
RECORDS_SQL = """
INSERT INTO provision_records (id, provision_id, subject_id, provided_at, retention_end)
SELECT gen_random_uuid(), md5('p' || (n % :provisions))::uuid, md5((n % :subjects)::text)::uuid,
    now() - (n % :provisions || ' minutes')::interval, now() + interval '3 years'
FROM generate_series(0, :n - 1) AS n
"""


def _step(label: str, started: float) -> None:
    print(f"  {label}: {time.perf_counter() - started:,.1f} s", flush=True)


def create_database(admin_url: str) -> str:
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{DB}"'))
    admin.dispose()
    url = make_url(admin_url).set(database=DB).render_as_string(hide_password=False)
    upgrade(url)
    return url


def generate(engine: Engine, *, subjects: int, records: int) -> None:
    with unit_of_work(make_session_factory(engine)) as session:
        version = publish_bundle(session, actor="bench", directory=DEFAULT_POLICY_DIR)
        party = resolve_party(session, "sample_credit_bureau")
        assert party is not None
        party_id, version_id = party.id, version.id
    with engine.begin() as conn:
        conn.execute(text("SET session_replication_role = replica"))  # no FK triggers for the bulk load
        started = time.perf_counter()
        conn.execute(text(SUBJECTS_SQL), {"n": subjects})
        conn.execute(text(CATEGORIES_SQL), {"n": subjects})
        _step(f"{subjects:,} subjects", started)
        started = time.perf_counter()
        per = records // PROVISIONS
        conn.execute(text(PROVISIONS_SQL), {"party": party_id, "version": version_id, "per": per,
                                            "provisions": PROVISIONS})  # fmt: skip
        for index in RECORD_INDEXES:
            conn.execute(text(f"DROP INDEX {index}"))
        conn.execute(text(RECORDS_SQL), {"n": records, "subjects": subjects, "provisions": PROVISIONS})
        _step(f"{records:,} provision records", started)
        started = time.perf_counter()
        for index, columns in RECORD_INDEXES.items():
            conn.execute(text(f"CREATE INDEX {index} ON provision_records ({columns})"))
        conn.execute(text("SET session_replication_role = DEFAULT"))
        _step("indexes", started)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        started = time.perf_counter()
        conn.execute(text("VACUUM ANALYZE"))
        _step("vacuum analyze", started)


def _timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return (time.perf_counter() - started) * 1000, result


def _walk(fetch: Callable[[Cursor | None], Any], pages: int) -> tuple[list[float], list[Cursor | None]]:
    """Follow the cursors ``pages`` pages deep; the time of each page and the cursor that reached it."""
    times, cursors, before = [], [], None
    for _ in range(pages):
        ms, page = _timed(lambda before=before: fetch(before))
        assert len(page.rows) == PAGE, "every page of the walk is full"
        times.append(ms)
        cursors.append(before)
        before = page.next_before
    return times, cursors


def _deep(fetch: Callable[[Cursor | None], Any], cursors: list[Cursor | None], rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        for cursor in cursors:
            ms, page = _timed(lambda cursor=cursor: fetch(cursor))
            assert page.rows, "the page has rows"
            times.append(ms)
    return times


def _offset_ms(session: Session, stmt: Any, offset: int, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        ms, rows = _timed(lambda: session.execute(stmt.offset(offset).limit(PAGE)).all())
        assert len(rows) == PAGE
        times.append(ms)
    return times


def _report(label: str, times: list[float], baseline: list[float], depth: int) -> None:
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 2 else times[0]  # noqa: PLR2004
    base = statistics.median(baseline)
    print(f"{label}: {len(times)} pages, median {statistics.median(times):.2f} ms, p95 {p95:.2f} ms "
          f"(target <= 150 ms); baseline OFFSET {depth:,}: median {base:,.1f} ms "
          f"({base / statistics.median(times):,.0f}x)", flush=True)  # fmt: skip


def bench(engine: Engine, subjects: int, per: int) -> None:
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        some_provision = session.scalar(select(Provision.id).order_by(Provision.provided_at.desc()).limit(1))
        assert some_provision is not None
        registers: list[tuple[str, Callable[[Cursor | None], Any], Any, int]] = [
            ("subjects, newest first", lambda b: subject_page(session, before=b, limit=PAGE),
             select(Subject.id).order_by(Subject.created_at.desc(), Subject.id.desc()), subjects),
            ("subjects of one category", lambda b: subject_page(session, category="shareholders", before=b,
                                                                limit=PAGE),
             select(Subject.id).join(SubjectCategory).where(SubjectCategory.category == "shareholders")
             .order_by(Subject.created_at.desc(), Subject.id.desc()), subjects // 4),
            ("provisions, newest first", lambda b: provision_page(session, before=b, limit=PAGE),
             select(Provision.id).order_by(Provision.provided_at.desc(), Provision.id.desc()), PROVISIONS),
            ("one provision's records", lambda b: record_page(session, some_provision, before=b, limit=PAGE),
             select(ProvisionRecord.id).where(ProvisionRecord.provision_id == some_provision)
             .order_by(ProvisionRecord.provided_at.desc(), ProvisionRecord.id.desc()), per),
        ]  # fmt: skip
        for label, fetch, offset_stmt, size in registers:
            fetch(None)  # warm the statement cache
            walk, cursors = _walk(fetch, min(20, size // PAGE))
            deep = _deep(fetch, cursors, 5)
            depth = size // 2 - PAGE
            _report(label, walk + deep, _offset_ms(session, offset_stmt, depth, 3), depth)
        _far(session, subjects)


def _far(session: Session, subjects: int) -> None:
    """A page half-way down the subject register, reached by its cursor, next to OFFSET to the same row."""
    depth = subjects // 2
    row = session.execute(
        text("SELECT created_at, id FROM subjects ORDER BY created_at DESC, id DESC OFFSET :d LIMIT 1"),
        {"d": depth},
    ).one()
    cursor = Cursor(row[0], row[1])
    times = [_timed(lambda: subject_page(session, before=cursor, limit=PAGE))[0] for _ in range(50)]
    stmt = select(Subject.id).order_by(Subject.created_at.desc(), Subject.id.desc())
    _report(f"subjects, the page at row {depth:,}", times, _offset_ms(session, stmt, depth + 1, 3), depth)


def _page_times(client: Any, first: str, pages: int, link: re.Pattern[str]) -> list[float]:
    """GET ``first`` then follow its "next" link ``pages`` times; the server time of each page."""
    times, path = [], first
    for _ in range(pages):
        ms, response = _timed(lambda path=path: client.get(path))
        assert response.is_success, response.text[:300]
        times.append(ms)
        found = link.search(response.text)
        path = html.unescape(found.group(1)) if found else first  # the last page: start again
    return times


def bench_pages(url: str) -> None:
    """The console's pages themselves (routing, query, template, headers) through the app in-process.

    The staff member is given directly (sign-in is not what is measured); everything else is the app.
    """
    from fastapi.testclient import TestClient

    from mamori.api.app import create_app
    from mamori.config import Settings
    from mamori.security.rules import ROLE_SCOPES, Role
    from mamori.security.service import Principal
    from mamori.web.staff import require_staff

    settings = Settings(database_url=url, mail_backend="null", worker_embedded=False, _env_file=None)  # type: ignore[call-arg]
    app = create_app(settings)
    admin = Principal(user_id="bench", username="bench", role=Role.ADMIN, scopes=ROLE_SCOPES[Role.ADMIN])
    app.dependency_overrides[require_staff] = lambda: admin
    with TestClient(app) as client, unit_of_work(make_session_factory(app.state.runtime.engine)) as session:
        provision = session.scalar(select(Provision.id).order_by(Provision.provided_at.desc()).limit(1))
        for label, first, pattern in (
            ("page /console/people", "/console/people?lang=en", NEXT),
            (
                "page /console/people?category=shareholders",
                "/console/people?category=shareholders&lang=en",
                NEXT,
            ),
            ("page /console/provisions", "/console/provisions?lang=en", NEXT),
            (
                f"page /console/provisions/{{id}} (one provision's records, {PAGE} a page)",
                f"/console/provisions/{provision}?lang=en",
                NEXT,
            ),
        ):
            client.get(first)  # warm the templates and the statement cache
            times = _page_times(client, first, 20, pattern) + _page_times(client, first, 20, pattern)
            p95 = statistics.quantiles(times, n=20)[-1]
            print(
                f"{label}: {len(times)} pages, median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms "
                "(target <= 150 ms)",
                flush=True,
            )
    app.state.runtime.engine.dispose()


NEXT = re.compile(r'<a href="([^"]+)" rel="next">')


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--admin-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--records", type=int, default=10_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    parser.add_argument("--reuse", action="store_true", help="measure on the database kept by --keep")
    args = parser.parse_args()
    url = make_url(args.admin_url).set(database=DB).render_as_string(hide_password=False)
    if args.reuse:
        upgrade(url)
    else:
        print(f"creating {DB} …", flush=True)
        create_database(args.admin_url)
    engine = make_engine(url)
    if not args.reuse:
        generate(engine, subjects=args.subjects, records=args.records)
    bench(engine, args.subjects, args.records // PROVISIONS)
    bench_pages(url)
    engine.dispose()
    if not args.keep:
        admin = make_engine(args.admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    sys.exit(main())
