"""Audience time over N subjects on SQLite and PostgreSQL, next to a hand-written SQL COUNT.

Run:  .venv/bin/python bench/audience.py [--subjects 1000000] [--skip-sqlite] [--skip-postgres]
SQLite: bench/data-<N>.db (generated once by bench/datagen.py, kept). PostgreSQL: a bench database
created at --pg-url, filled by COPY, and dropped at the end (unless --keep).
Targets (issue 3): an audience over 1M subjects in <= 2 s and <= 3x the hand-written count.

"streamed" is the audience written out as CSV text, as the API and CLI send it (PostgreSQL: COPY).
The hand-written count is what one would type against the same tables for the simplest reading
of the rule (category, retention, the purpose's consent state, active subject); the audience
applies every rule (merges, erasure, expiry, suspensions, CN separate consents, minors, identifiers).
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, make_url, select, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))
from datagen import generate

from mamori.consents.decisions.audiences import AudienceRequest, count_audience, prepare, stream_audience_text
from mamori.consents.decisions.rules import period_cutoff
from mamori.db.migrate import upgrade
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.subjects.models import Subject

CASES = [
    AudienceRequest("customer.mailings", channel="email"),
    AudienceRequest("customer.joint_use", channel="post"),
    AudienceRequest("customer.sales", channel="any"),
]
HAND = """
SELECT count(*) FROM subjects s
JOIN subject_categories c ON c.subject_id = s.id AND c.category = :category AND c.collected_at >= :cutoff
{consent}
WHERE s.status = 'active'
"""
CONSENT = "JOIN consent_states cs ON cs.subject_id = s.id AND cs.scope = :scope AND cs.action = 'given'"


def _hand_count(session: Session, request: AudienceRequest, at: datetime) -> int:
    _, purpose, _ = prepare(session, request)
    sql = HAND.format(consent=CONSENT if purpose.consent_required else "")
    cutoff = period_cutoff(at, purpose.period)
    bound = (
        cutoff.replace(tzinfo=None).isoformat(" ") if session.get_bind().dialect.name == "sqlite" else cutoff
    )
    params = {"category": purpose.category, "cutoff": bound, "scope": f"purpose:{purpose.id}"}
    return int(session.scalar(text(sql), params) or 0)


def _streamed(session: Session, request: AudienceRequest) -> int:
    """Stream the audience as the API and CLI do (CSV text); the number of subjects."""
    lines = sum(chunk.count("\n") for chunk in stream_audience_text(session, request, csv_format=True))
    return lines - 1  # the header


def _timed(work: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = work()
    return result, time.perf_counter() - started


def run(url: str, label: str) -> list[tuple[str, float, float]]:
    factory = make_session_factory(make_engine(url), read_only=True)
    ratios = []
    with unit_of_work(factory) as session:
        subjects = session.scalar(select(func.count()).select_from(Subject))
        print(f"\n{label}: {subjects:,} subjects", flush=True)
        for request in CASES:
            at = datetime.now(UTC)
            timed = AudienceRequest(
                request.purpose_id, request.channel, request.category, request.filters, at
            )
            _hand_count(session, timed, at)  # warm the caches the same way for both
            count_audience(session, timed)
            hand, hand_s = _timed(lambda t=timed, a=at: _hand_count(session, t, a))
            rows, stream_s = _timed(lambda t=timed: _streamed(session, t))
            counted, count_s = _timed(lambda t=timed: count_audience(session, t))
            assert counted == rows, (counted, rows)
            name = f"{request.purpose_id} / {request.channel}"
            print(
                f"  {name:<32} audience {rows:>9,}: streamed {stream_s:6.2f} s, counted {count_s:6.2f} s;"
                f" hand count {hand:>9,}: {hand_s:6.2f} s;"
                f" ratio {count_s / hand_s:4.1f}x (streamed {stream_s / hand_s:4.1f}x)",
                flush=True,
            )
            ratios.append((name, stream_s, count_s / hand_s))
    return ratios


def _ensure(url: str, subjects: int) -> None:
    engine = make_engine(url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            present = session.scalar(select(func.count()).select_from(Subject)) or 0
    except Exception:  # noqa: BLE001 - no tables yet
        present = 0
    finally:
        engine.dispose()
    if present == 0:
        print(f"generating {subjects:,} subjects into {url}", flush=True)
        generate(url, subjects)
    else:
        upgrade(url)  # data kept from an earlier run gets this version's indexes


def postgres(base_url: str, subjects: int, *, keep: bool) -> list[tuple[str, float, float]]:
    base = make_url(base_url)
    admin = make_engine(
        base.set(database="postgres").render_as_string(hide_password=False), isolation_level="AUTOCOMMIT"
    )
    name = base.database or f"mamori_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.render_as_string(hide_password=False)
    try:
        _ensure(url, subjects)
        return run(url, "PostgreSQL")
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--sqlite-url", default=None, help="default: sqlite:///bench/data-<N>.db")
    parser.add_argument(
        "--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/mamori_bench_audience"
    )
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL bench database")
    args = parser.parse_args()
    results: dict[str, list[tuple[str, float, float]]] = {}
    if not args.skip_sqlite:
        url = args.sqlite_url or f"sqlite:///{Path(__file__).resolve().parent / f'data-{args.subjects}.db'}"
        _ensure(url, args.subjects)
        results["SQLite"] = run(url, "SQLite")
    if not args.skip_postgres:
        results["PostgreSQL"] = postgres(args.pg_url, args.subjects, keep=args.keep)
    print()
    for label, rows in results.items():
        worst = max(rows, key=lambda row: row[1])
        worst_ratio = max(rows, key=lambda row: row[2])
        print(
            f"{label}: slowest audience {worst[1]:.2f} s ({worst[0]}; target 2 s), "
            f"highest ratio to the hand count {worst_ratio[2]:.1f}x ({worst_ratio[0]}; target 3x)"
        )


if __name__ == "__main__":
    main()
