"""Console pages over many cases: server time of each page at p95, next to the bare SQL of its list.

Run:  .venv/bin/python bench/console.py [--cases 100000] [--inquiries 50000] [--runs 30]
      [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test] [--keep]
A PostgreSQL database ``console1_bench_<random>`` is created beside --pg-url, migrated, filled with
cases and inquiries by bulk INSERT (rows as the services would write them, names as placeholders),
and dropped at the end unless --keep. Each page is requested --runs times through the whole app
(FastAPI, session cookie, templates) by a signed-in privacy officer; "bare SQL" runs the page's
list query (the same WHERE, ORDER BY and LIMIT) straight on the database. Target (issue 19): the
dashboard and each list <= 150 ms at p95. Subjects are not generated here (the pages do not read
them); the issue's 1M subjects are in bench/datagen.py.
"""

# ruff: noqa: E501, S608 - generated rows written one per line; the bare SQL is fixed text of this file

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyotp
from fastapi.testclient import TestClient
from sqlalchemy import insert, make_url, select, text
from sqlalchemy.engine import Engine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from mamori.api.app import create_app
from mamori.config import DEFAULT_POLICY_DIR, Settings
from mamori.db.migrate import upgrade
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.dsr.models import Case
from mamori.inquiries.models import Inquiry
from mamori.policy.service import publish_bundle
from mamori.security import service as security
from mamori.security.rules import Role
from tests.factories.staff import enrol_second_factor

PASSWORD = "bench-password-123456"  # noqa: S105 - a throw-away database
STATES = ["received", "identity_check", "in_progress", "decided", "responded", "closed", "rejected"]
OPEN = "'decided','identity_check','in_progress','received','responded'"
OK = 200
PAGES = [
    ("dashboard", "/console/"),
    ("requests (open)", "/console/requests"),
    ("requests (overdue)", "/console/requests?due=overdue"),
    ("requests (closed, en)", "/console/requests?state=closed&language=en"),
    ("inquiries", "/console/inquiries"),
]
BARE = {
    "requests (open)": f"SELECT * FROM dsr_cases WHERE state IN ({OPEN}) ORDER BY target_on, id LIMIT 51",
    "requests (overdue)": f"SELECT * FROM dsr_cases WHERE state IN ({OPEN}) AND target_on < CURRENT_DATE "
    "AND closed_at IS NULL ORDER BY target_on, id LIMIT 51",
    "requests (closed, en)": "SELECT * FROM dsr_cases WHERE state = 'closed' AND language = 'en' "
    "ORDER BY target_on, id LIMIT 51",
    "inquiries": "SELECT * FROM inquiries WHERE state NOT IN ('closed','converted') ORDER BY first_response_due_at",
}


def _cases(n: int, version_id: uuid.UUID, today: date) -> list[dict[str, object]]:
    rnd, rows = random.Random(19), []
    for i in range(n):
        received = datetime.now(UTC) - timedelta(days=rnd.randint(0, 400), minutes=rnd.randint(0, 1440))
        state = rnd.choice(STATES)
        target = received.date() + timedelta(days=14)
        rows.append({
            "id": uuid.uuid4(), "reference": f"B{i:09d}", "request_type": rnd.choice(["disclosure", "correction"]),
            "erasure": False, "channel": "post", "language": rnd.choice(["ja", "en", "zh-Hans", "zh-Hant"]),
            "jurisdiction": "JP", "state": state, "policy_version_id": version_id, "requester_kind": "self",
            "requester_name_encrypted": "dev:placeholder", "response_method": "post", "received_at": received,
            "target_on": target, "art39_on": target + timedelta(days=1), "my_number_front_only": False,
            "reasons": [], "fee_yen": 0, "created_at": received, "created_by": "bench",
            "closed_at": received + timedelta(days=10) if state in {"closed", "rejected"} else None,
            "responded_at": received + timedelta(days=rnd.randint(3, 20)) if state in {"responded", "closed"} else None,
        })  # fmt: skip
    del today
    return rows


def _inquiries(n: int) -> list[dict[str, object]]:
    rnd, rows = random.Random(23), []
    for i in range(n):
        received = datetime.now(UTC) - timedelta(days=rnd.randint(0, 200), minutes=rnd.randint(0, 1440))
        state = rnd.choice(
            ["closed"] * 97 + ["new", "assigned", "answered"]
        )  # about 3% open, as in a real inbox
        rows.append({
            "id": uuid.uuid4(), "reference": f"Q-B{i:08d}", "channel": "email",
            "language": rnd.choice(["ja", "en", "zh-Hans", "zh-Hant"]), "category": rnd.choice(["other", "complaint"]),
            "state": state, "received_at": received, "first_response_hours": 24.0, "resolution_hours": 72.0,
            "paused_seconds": 0.0, "first_response_due_at": received + timedelta(days=1),
            "resolution_due_at": received + timedelta(days=3), "created_by": "bench", "updated_at": received,
            "closed_at": received + timedelta(days=2) if state == "closed" else None,
        })  # fmt: skip
    return rows


def _fill(engine: Engine, cases: int, inquiries: int) -> tuple[str, str]:
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        version = publish_bundle(session, actor="bench", directory=DEFAULT_POLICY_DIR)
        user = security.add_user(session, actor="bench", username="mori", display_name="mori",
                                 role=Role.PRIVACY_OFFICER, password=PASSWORD)  # fmt: skip
        secret = enrol_second_factor(session, user)
        version_id = version.id
    rows = _cases(cases, version_id, datetime.now(UTC).date())
    with engine.begin() as conn:
        for start in range(0, len(rows), 10_000):
            conn.execute(insert(Case), rows[start : start + 10_000])
        inquiry_rows = _inquiries(inquiries)
        for start in range(0, len(inquiry_rows), 10_000):
            conn.execute(insert(Inquiry), inquiry_rows[start : start + 10_000])
        conn.execute(text("ANALYZE"))
    return "mori", secret


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18] * 1000


def _measure(client: TestClient, engine: Engine, runs: int) -> None:
    print(f"{'page':26} {'p95 page':>10} {'p95 bare SQL':>13} {'rows':>6}")
    for name, path in PAGES:
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            page = client.get(path)
            times.append(time.perf_counter() - t0)
            assert page.status_code == OK, (path, page.status_code)
        bare, rows = [], 0
        if name in BARE:
            with engine.connect() as conn:
                for _ in range(runs):
                    t0 = time.perf_counter()
                    rows = len(conn.execute(text(BARE[name])).all())
                    bare.append(time.perf_counter() - t0)
        shown = page.text.count('<th scope="row">')
        bare_text = f"{_p95(bare):10.1f} ms" if bare else "          —"
        print(f"{name:26} {_p95(times):7.1f} ms {bare_text} {rows:>6}  (page rows: {shown})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--inquiries", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    base = make_url(args.pg_url)
    name = f"console1_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(base.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        engine = make_engine(url)
        t0 = time.perf_counter()
        username, secret = _fill(engine, args.cases, args.inquiries)
        with engine.connect() as conn:
            counted = conn.scalar(select(text("count(*)")).select_from(text("dsr_cases")))
        print(f"cases: {counted}, inquiries: {args.inquiries} (filled in {time.perf_counter() - t0:.0f} s)")
        settings = Settings(database_url=url, mail_backend="null", _env_file=None)  # type: ignore[call-arg]
        with TestClient(create_app(settings)) as client:
            login = client.get("/console/login").text
            token = login.split('name="csrf_token" value="')[1].split('"')[0]
            client.post(
                "/console/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
            )
            client.post("/console/login/code", data={"code": pyotp.TOTP(secret).now(), "csrf_token": token})
            _measure(client, engine, args.runs)
        engine.dispose()
    finally:
        if not args.keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
