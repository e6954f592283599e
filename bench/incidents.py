"""Incident register: registering, and listing every deadline of the open incidents (the sweep's work).

Run:  .venv/bin/python bench/incidents.py [--incidents 300] [--url sqlite:///bench/incidents.db]
A fresh database is made in a temporary directory unless --url is given.

Measured: incidents registered per second (validated, with an event and an audit record each);
``views.deadlines`` over all open incidents (clocks with their done times from the database, overdue
first); and, as the baseline measured in the same run, the pure rules alone (``assess`` and ``clocks``
for the same facts, no database): the ratio is what the database reads cost on top of the rules.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mamori.calendar.service import appi_calendar
from mamori.config import DEFAULT_POLICY_DIR, Settings
from mamori.db.migrate import upgrade
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.incidents import views
from mamori.incidents.clocks import Clock, clocks
from mamori.incidents.models import Incident
from mamori.incidents.repository import incidents
from mamori.incidents.schemas import IncidentCreate
from mamori.incidents.service import assessment_of, bundle, facts_of, register_incident
from mamori.policy.schema import PolicyBundle
from mamori.policy.service import publish_bundle

ITEMS = ["name", "email", "address", "purchase_history", "payment_info", "health_check"]


def _inputs(count: int, seed: int = 7) -> list[IncidentCreate]:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    return [
        IncidentCreate(
            kind=rng.choice(["leak", "loss", "damage"]),
            known_at=now - timedelta(days=rng.randint(0, 40)),
            data_items=rng.sample(ITEMS, rng.randint(1, 3)),
            persons_known=rng.randint(0, 800),
            persons_max=rng.randint(800, 3000),
            jurisdictions=rng.choice([["JP"], ["JP", "CN"]]),
        )
        for _ in range(count)
    ]


def _pure(row: Incident, policy: PolicyBundle) -> tuple[Clock, ...]:
    facts = facts_of(row)
    return clocks(appi_calendar(), facts, assessment_of(facts, policy), policy.incidents,
                  reportable_since=row.reportable_since)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--incidents", type=int, default=300)
    parser.add_argument("--url", default=None)
    args = parser.parse_args()
    url = args.url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'incidents.db'}"
    upgrade(url)
    settings = Settings(database_url=url, mail_backend="null", _env_file=None)  # type: ignore[call-arg]
    factory = make_session_factory(make_engine(url))
    with unit_of_work(factory) as session:
        publish_bundle(session, actor="bench", directory=DEFAULT_POLICY_DIR)
    inputs = _inputs(args.incidents)
    started = time.perf_counter()
    with unit_of_work(factory) as session:
        for data in inputs:
            register_incident(session, settings, "bench", data)
    registered = time.perf_counter() - started
    with unit_of_work(factory) as session:
        started = time.perf_counter()
        views.deadlines(session)  # the first in a process builds the holiday calendar, parses the policy
        cold = time.perf_counter() - started
    with unit_of_work(factory) as session:
        started = time.perf_counter()
        lines = views.deadlines(session)
        listed = time.perf_counter() - started
        policy, rows = bundle(session), incidents(session, limit=100_000)
        started = time.perf_counter()
        pure = [clock for row in rows for clock in _pure(row, policy)]
        baseline = time.perf_counter() - started
    print(f"incidents: {args.incidents}  database: {url.split(':', 1)[0]}")
    print(f"register: {args.incidents / registered:,.0f} incidents/s ({registered:.2f} s)")
    print(f"deadlines listing, first in the process: {cold * 1000:,.1f} ms")
    print(f"deadlines listing: {len(lines)} clocks in {listed * 1000:,.1f} ms")
    print(f"baseline, pure rules for the same incidents: {len(pure)} clocks in {baseline * 1000:,.1f} ms")
    print(f"ratio listing / pure rules: {listed / baseline:,.1f}x")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if not lines or len(lines) != len([c for c in pure if c.done_at is None]):
        raise SystemExit("the listing did not list every running clock the rules give")


if __name__ == "__main__":
    main()
