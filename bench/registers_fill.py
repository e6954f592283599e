"""Large registers for the benchmarks, in one place: persons, provisions and provision records.

Used by ``bench/console.py`` (the console's register pages) and ``bench/provisions.py`` (the
provision gate and one person's records). PostgreSQL only: rows are generated set-wise in SQL
(``INSERT ... SELECT FROM generate_series``) in a database the bench creates and drops itself.
Subject ``n`` has id ``md5(n)::uuid`` (:func:`subject_id`), provision ``n`` ``md5('p' || n)::uuid``.
"""

from __future__ import annotations

import hashlib
import time
import uuid

from sqlalchemy import Engine, make_url, text

from mamori.config import DEFAULT_POLICY_DIR
from mamori.db.migrate import upgrade
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.policy.service import publish_bundle
from mamori.provisions.parties import resolve_party

RECIPIENT = "sample_credit_bureau"
PROVISIONS = 10_000
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
SELECT md5(n::text)::uuid, CASE WHEN :every > 0 AND n % :every = 0 THEN 'shareholders' ELSE 'customers' END,
    now(), 'bench'
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


def subject_id(n: int) -> uuid.UUID:
    """The id of generated subject ``n`` (as ``md5(n::text)::uuid`` in SQL)."""
    return uuid.UUID(hashlib.md5(str(n).encode()).hexdigest())  # noqa: S324 - ids, not security


def step(label: str, started: float) -> None:
    print(f"  {label}: {time.perf_counter() - started:,.1f} s", flush=True)


def create_database(admin_url: str, name: str) -> str:
    """Drop and create database ``name`` beside ``admin_url``, migrate it; its URL."""
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    return url


def drop_database(admin_url: str, name: str) -> None:
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def publish(engine: Engine) -> tuple[uuid.UUID, uuid.UUID]:
    """Publish the sample bundle; the ids of its version and of the sample recipient."""
    with unit_of_work(make_session_factory(engine)) as session:
        version = publish_bundle(session, actor="bench", directory=DEFAULT_POLICY_DIR)
        party = resolve_party(session, RECIPIENT)
        assert party is not None
        return version.id, party.id


Extra = tuple[tuple[str, dict[str, object]], ...]


def fill_registers(  # noqa: PLR0913 - the sizes and ids, as keywords
    engine: Engine,
    *,
    version_id: uuid.UUID,
    party_id: uuid.UUID,
    subjects: int,
    records: int,
    shareholder_every: int = 4,
    extra_sql: Extra = (),
) -> None:
    """``subjects`` persons, 10k provisions and ``records`` records, then VACUUM ANALYZE.

    Every ``shareholder_every``-th person is a shareholder (0: none), the others customers.

    ``extra_sql`` runs in the same bulk-load transaction (foreign-key triggers off) before ANALYZE.
    """
    with engine.begin() as conn:
        conn.execute(text("SET session_replication_role = replica"))  # no FK triggers for the bulk load
        started = time.perf_counter()
        conn.execute(text(SUBJECTS_SQL), {"n": subjects})
        conn.execute(text(CATEGORIES_SQL), {"n": subjects, "every": shareholder_every})
        step(f"{subjects:,} subjects", started)
        started = time.perf_counter()
        per = max(records // PROVISIONS, 1)
        conn.execute(text(PROVISIONS_SQL), {"party": party_id, "version": version_id, "per": per,
                                            "provisions": PROVISIONS})  # fmt: skip
        for index in RECORD_INDEXES:
            conn.execute(text(f"DROP INDEX IF EXISTS {index}"))
        conn.execute(text(RECORDS_SQL), {"n": records, "subjects": subjects, "provisions": PROVISIONS})
        step(f"{records:,} provision records", started)
        started = time.perf_counter()
        for index, columns in RECORD_INDEXES.items():
            conn.execute(text(f"CREATE INDEX {index} ON provision_records ({columns})"))
        step("indexes", started)
        for sql, params in extra_sql:
            conn.execute(text(sql), params)
        conn.execute(text("SET session_replication_role = DEFAULT"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        started = time.perf_counter()
        conn.execute(text("VACUUM ANALYZE"))
        step("vacuum analyze", started)
