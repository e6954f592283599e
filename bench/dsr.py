"""Deadline arithmetic of request cases: business-calendar targets next to plain calendar-day dates.

Run:  .venv/bin/python bench/dsr.py [--cases 100000] [--url sqlite:///… | postgresql+psycopg://…]
Prints the time to compute the APPI target (10 business days, holidays and the New Year closure
skipped), the Art. 39 date and the PIPL target with its cap, for every receipt date over ten
years, next to the baseline of adding 14 calendar days to each date (measured in the same run).
Then the due list (``mamori requests due``, ``GET /api/v1/requests/due``) over the same number of
cases stored in a fresh database (a temporary SQLite file unless ``--url`` names an empty one),
next to its SQL baseline: the same rows, in the same order, fetched with one plain statement.
Both must return every open case. Goal (issue 18): the due list within 3x its baseline.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import bindparam, insert, text

from mamori.calendar.service import appi_calendar
from mamori.config import DEFAULT_POLICY_DIR
from mamori.db.migrate import upgrade
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.dsr.deadlines import appi_deadlines, art39_date, pipl_deadlines
from mamori.dsr.models import Case
from mamori.dsr.rules import OPEN_STATES, CaseState
from mamori.dsr.service.sweeps import list_open
from mamori.policy.service import publish_bundle

BASELINE_SQL = text(
    "SELECT reference, request_type, state, target_on, art39_on FROM dsr_cases WHERE state IN :open"
    " ORDER BY CASE WHEN art39_on < target_on THEN art39_on ELSE target_on END, target_on, reference"
).bindparams(bindparam("open", value=sorted(s.value for s in OPEN_STATES), expanding=True))


def _dates(n: int) -> list[date]:
    start = date(2026, 1, 1)
    return [start + timedelta(days=i % 3653) for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--url", default=None, help="an empty database for the due list (default: SQLite)")
    args = parser.parse_args()
    cal, days = appi_calendar(), _dates(args.cases)
    appi_deadlines(cal, days[0], 10)  # warm the holiday cache of the first year
    t0 = time.perf_counter()
    baseline = [d + timedelta(days=14) for d in days]
    t1 = time.perf_counter()
    appi = [appi_deadlines(cal, d, 10) for d in days]
    t2 = time.perf_counter()
    pipl = [pipl_deadlines(cal, d, 15, 30) for d in days]
    t3 = time.perf_counter()
    base_s, appi_s, pipl_s = t1 - t0, t2 - t1, t3 - t2
    print(f"cases: {args.cases}")
    print(f"baseline (+14 calendar days): {base_s * 1000:.1f} ms")
    print(
        f"APPI target + Art. 39 date:   {appi_s * 1000:.1f} ms  ({appi_s / args.cases * 1e6:.2f} µs/case, "
        f"{appi_s / base_s:.0f}x baseline)"
    )
    print(
        f"PIPL target + cap:            {pipl_s * 1000:.1f} ms  ({pipl_s / args.cases * 1e6:.2f} µs/case, "
        f"{pipl_s / base_s:.0f}x baseline)"
    )
    assert len(baseline) == len(appi) == len(pipl)
    due_list(args.cases, args.url, [d.target for d in appi], days)


def _cases(
    count: int, version_id: uuid.UUID, targets: list[date], days: list[date]
) -> list[dict[str, object]]:
    rng = random.Random(18)
    states = [s.value for s in CaseState]
    now = datetime.now(UTC)
    return [
        {
            "id": uuid.uuid4(),
            "reference": f"R{i:09d}",
            "request_type": "disclosure",
            "channel": "web",
            "language": "ja",
            "jurisdiction": "JP",
            "state": rng.choice(states),
            "policy_version_id": version_id,
            "requester_kind": "self",
            "requester_name_encrypted": "-",
            "response_method": "email",
            "received_at": now,
            "target_on": targets[i % len(targets)],
            "art39_on": art39_date(days[i % len(days)]),
            "created_by": "bench",
        }
        for i in range(count)
    ]


def due_list(count: int, url: str | None, targets: list[date], days: list[date]) -> None:
    url = url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'dsr.db'}"
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        version_id = publish_bundle(session, actor="bench", directory=DEFAULT_POLICY_DIR).id
    rows = _cases(count, version_id, targets, days)
    with engine.begin() as conn:
        for start in range(0, count, 5000):
            conn.execute(insert(Case), rows[start : start + 5000])
    opened = sum(1 for r in rows if CaseState(str(r["state"])) in OPEN_STATES)
    with unit_of_work(factory) as session:  # warm: statement caches, the first connection
        list_open(session)
        session.execute(BASELINE_SQL).all()
    timings: dict[str, list[float]] = {"sql": [], "due": []}
    for _ in range(3):
        with unit_of_work(factory) as session:
            t0 = time.perf_counter()
            plain = session.execute(BASELINE_SQL).all()
            t1 = time.perf_counter()
            due = list_open(session)
            t2 = time.perf_counter()
        timings["sql"].append(t1 - t0)
        timings["due"].append(t2 - t1)
        if len(plain) != opened or [d.reference for d in due] != [r[0] for r in plain]:
            raise SystemExit(
                f"the due list is not every open case in order ({len(due)}, {len(plain)}, {opened})"
            )
    engine.dispose()
    sql_s, due_s = min(timings["sql"]), min(timings["due"])
    print(f"due list over {count} cases ({opened} open), {url.split(':', 1)[0]}, best of 3:")
    print(f"  SQL baseline (same rows, one statement): {sql_s * 1000:.1f} ms")
    print(
        f"  due list (sweeps.list_open):             {due_s * 1000:.1f} ms  ({due_s / sql_s:.1f}x baseline)"
    )
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
