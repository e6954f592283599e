"""Fast synthetic data for the benchmarks: N subjects and about 5 consent events each.

Run:  .venv/bin/python bench/datagen.py --url sqlite:///bench.db [--subjects 1000000]
      .venv/bin/python bench/datagen.py --url postgresql+psycopg://postgres@127.0.0.1:5432/bench

Rows go straight to the driver: SQLite through executemany in big transactions, PostgreSQL
through COPY. The consent_states projection is computed here (the latest event per scope).
Identifiers are encrypted and blind-indexed with the settings' keys, as the service would.
Mix: 10% CN, 5% shareholders only, 1% erased, 0.2% merged into another subject, 4% minors (half
with a legal representative), ~12% withdrawals, 0.5% suspensions, some expired consents.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import make_url

from mamori.config import DEFAULT_POLICY_DIR, Settings
from mamori.db.migrate import upgrade
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.policy.service import publish_bundle
from mamori.security.crypto import blind_index, cipher_from_settings

NOW = datetime.now(UTC).replace(tzinfo=None)  # naive UTC: rows are written as text
CHUNK = 20_000
SCOPES = [
    "purpose:customer.mailings",
    "purpose:customer.group_promotions",
    "purpose:customer.surveys",
    "purpose:customer.camera_analysis",
    "sharing",
    "sensitive",
    "cookie:analytics",
]
COLUMNS: dict[str, tuple[str, ...]] = {
    "subjects": ("id", "jurisdiction", "language", "date_of_birth", "status", "merged_into_id", "created_at"),
    "subject_categories": ("subject_id", "category", "collected_at", "source"),
    "subject_identifiers": ("id", "subject_id", "kind", "value_encrypted", "blind_index", "created_at"),
    "subject_relationships": (
        "id",
        "subject_id",
        "related_subject_id",
        "kind",
        "evidence_ref",
        "valid_from",
        "created_at",
        "created_by",
    ),
    "consent_events": (
        "id",
        "subject_id",
        "scope",
        "action",
        "occurred_at",
        "recorded_at",
        "expires_at",
        "separate",
        "language",
        "channel",
        "collected_by",
        "on_behalf_by_id",
    ),
    "consent_states": (
        "subject_id",
        "scope",
        "action",
        "occurred_at",
        "expires_at",
        "separate",
        "on_behalf_by_id",
        "event_id",
    ),
    "usage_suspensions": (
        "id",
        "subject_id",
        "scope",
        "reason",
        "source",
        "starts_at",
        "created_by",
        "created_at",
    ),
}


@dataclass
class Batch:
    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=lambda: {name: [] for name in COLUMNS})


def email_of(n: int) -> str:
    """The e-mail address of generated subject number ``n`` (benchmarks look people up by it)."""
    return f"person{n}@bench.example.jp"


class Generator:
    """Rows as the databases store them (text for UUIDs and instants), made without ORM objects."""

    def __init__(self, settings: Settings, seed: int, *, zone: str) -> None:
        self.rng = random.Random(seed)
        self.cipher = cipher_from_settings(settings)
        self.settings = settings
        self.previous: list[str] = []
        self.zone = zone  # "" for SQLite (naive UTC text), "+00" for PostgreSQL
        self.now = self.ts(NOW)

    def uid(self) -> str:
        return f"{self.rng.getrandbits(128):032x}"

    def ts(self, instant: datetime) -> str:
        return instant.isoformat(" ", "microseconds") + self.zone

    def batch(self, start: int, count: int) -> Batch:
        out = Batch()
        for n in range(start, start + count):
            self._subject(n, out)
        return out

    def _subject(self, n: int, out: Batch) -> None:
        rng, rows = self.rng, out.rows
        sid = self.uid()
        cn = rng.random() < 0.10  # noqa: PLR2004
        minor = rng.random() < 0.04  # noqa: PLR2004
        age = rng.randint(5, 13) if minor else rng.randint(18, 85)
        dob = (
            (NOW - timedelta(days=int(age * 365.25) + rng.randint(0, 300))).date()
            if rng.random() < 0.8 or minor  # noqa: PLR2004
            else None
        )
        merged_into = (
            self.previous[rng.randrange(len(self.previous))]
            if self.previous and rng.random() < 0.002  # noqa: PLR2004
            else None
        )
        status = "merged" if merged_into else ("erased" if rng.random() < 0.01 else "active")  # noqa: PLR2004
        rows["subjects"].append(
            (
                sid,
                "CN" if cn else "JP",
                "zh-Hans" if cn else rng.choice(["ja", "ja", "ja", "en"]),
                dob,
                status,
                merged_into,
                NOW,
            )
        )
        category = "shareholders" if rng.random() < 0.05 else "customers"  # noqa: PLR2004
        collected = self.ts(NOW - timedelta(days=rng.randint(0, 365 * 6)))
        rows["subject_categories"].append((sid, category, collected, "bench"))
        email = email_of(n)
        rows["subject_identifiers"].append(
            (
                self.uid(),
                sid,
                "email",
                self.cipher.encrypt(email, context="subject_identifiers.value"),
                blind_index(self.settings, "email", email),
                self.now,
            )
        )
        parent = None
        if minor and self.previous and rng.random() < 0.5:  # noqa: PLR2004
            parent = self.previous[rng.randrange(len(self.previous))]
            rows["subject_relationships"].append(
                (
                    self.uid(),
                    sid,
                    parent,
                    "legal_representative_minor",
                    "bench",
                    date(2000, 1, 1),
                    NOW,
                    "bench",
                )
            )
        self._consents(sid, parent, out)
        if rng.random() < 0.005:  # noqa: PLR2004
            scope = rng.choice(["all", "purpose:customer.mailings", "third_party_provision"])
            rows["usage_suspensions"].append(
                (
                    self.uid(),
                    sid,
                    scope,
                    "bench",
                    "manual",
                    self.ts(NOW - timedelta(days=3)),
                    "bench",
                    self.now,
                )
            )
        if len(self.previous) < 100_000:  # noqa: PLR2004
            self.previous.append(sid)

    def _consents(self, sid: str, parent: str | None, out: Batch) -> None:
        rng = self.rng
        scopes = rng.sample(SCOPES, rng.choice([4, 5, 5, 5, 6]))
        events: list[tuple[Any, ...]] = []
        for scope in scopes:
            when = NOW - timedelta(days=rng.randint(1, 1500), seconds=rng.randint(0, 86_399))
            expires = self.ts(NOW - timedelta(days=1)) if rng.random() < 0.03 else None  # noqa: PLR2004
            separate = 1 if scope in ("sharing", "sensitive") or rng.random() < 0.5 else 0  # noqa: PLR2004
            at = self.ts(when)
            events.append(
                (
                    self.uid(),
                    sid,
                    scope,
                    "given",
                    at,
                    self.now,
                    expires,
                    separate,
                    "ja",
                    "web",
                    "bench",
                    parent,
                )
            )
        if rng.random() < 0.12 and len(events) < 6:  # noqa: PLR2004 - a later withdrawal of the first scope
            first = events[0]
            at = self.ts(
                min(NOW, datetime.fromisoformat(first[4][:26]) + timedelta(days=rng.randint(1, 200)))
            )
            events.append(
                (self.uid(), sid, first[2], "withdrawn", at, self.now, None, 0, "ja", "web", "bench", parent)
            )
        out.rows["consent_events"].extend(events)
        latest: dict[str, tuple[Any, ...]] = {}
        for event in events:  # same-width text instants sort as the instants do
            if event[2] not in latest or event[4] > latest[event[2]][4]:
                latest[event[2]] = event
        out.rows["consent_states"].extend(
            (sid, e[2], e[3], e[4], e[6], e[7], e[11], e[0]) for e in latest.values()
        )


class Writer:
    """Bulk rows into the tables: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sqlite = url.startswith("sqlite")
        if self.sqlite:
            import sqlite3

            self.conn: Any = sqlite3.connect(make_url(url).database or "", isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=OFF")
            self.conn.execute("PRAGMA cache_size=-400000")
        else:
            import psycopg

            plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
            self.conn = psycopg.connect(plain)

    def write(self, batch: Batch) -> int:
        total = 0
        if self.sqlite:
            self.conn.execute("BEGIN")
            for table, rows in batch.rows.items():
                if rows:
                    marks = ", ".join("?" * len(COLUMNS[table]))
                    sql = f"INSERT INTO {table} ({', '.join(COLUMNS[table])}) VALUES ({marks})"  # noqa: S608
                    self.conn.executemany(sql, rows)
                    total += len(rows)
            self.conn.execute("COMMIT")
            return total
        with self.conn.cursor() as cur:
            for table, rows in batch.rows.items():
                if rows:
                    with cur.copy(f"COPY {table} ({', '.join(COLUMNS[table])}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                    total += len(rows)
        self.conn.commit()
        return total

    def close(self) -> None:
        if self.sqlite:
            self.conn.execute("ANALYZE")
        else:
            # Bulk-loaded tables have no visibility map until vacuumed (index-only scans then
            # visit the heap); a deployment's autovacuum gets there, so the benchmark starts there.
            self.conn.autocommit = True
            self.conn.execute("VACUUM (ANALYZE)")
        self.conn.close()


def publish(url: str) -> None:
    engine = make_engine(url)
    with unit_of_work(make_session_factory(engine)) as session:
        publish_bundle(session, actor="bench", directory=DEFAULT_POLICY_DIR, effective_date=date(2000, 1, 1))
    engine.dispose()


def generate(
    url: str, subjects: int, *, settings: Settings | None = None, seed: int = 7, quiet: bool = False
) -> dict[str, int]:
    """Migrate ``url``, publish the default policy and fill it; returns rows written per table."""
    settings = settings or Settings(database_url=url, _env_file=None)  # type: ignore[call-arg]
    upgrade(url)
    publish(url)
    zone = "" if url.startswith("sqlite") else "+00"
    generator, writer = Generator(settings, seed, zone=zone), Writer(url)
    counts = dict.fromkeys(COLUMNS, 0)
    started = time.perf_counter()
    for start in range(0, subjects, CHUNK):
        batch = generator.batch(start, min(CHUNK, subjects - start))
        for table, rows in batch.rows.items():
            counts[table] += len(rows)
        writer.write(batch)
        done = min(start + CHUNK, subjects)
        if not quiet and (done % (CHUNK * 10) == 0 or done == subjects):
            rate = sum(counts.values()) / (time.perf_counter() - started)
            print(
                f"  {done:>9,} subjects, {counts['consent_events']:>10,} events  ({rate:,.0f} rows/s)",
                flush=True,
            )
    writer.close()
    return counts


def chunked(values: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", required=True, help="an empty database (it is migrated first)")
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    started = time.perf_counter()
    counts = generate(args.url, args.subjects, seed=args.seed)
    elapsed = time.perf_counter() - started
    print(", ".join(f"{table} {n:,}" for table, n in counts.items()))
    print(f"generated {sum(counts.values()):,} rows in {elapsed:,.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
