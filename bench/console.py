"""The console's pages over large data: server time of each page at p95, next to its bare SQL.

Run:  .venv/bin/python bench/console.py [--db sqlite|postgresql] [--cases 100000] [--inquiries 50000]
      [--subjects 1000000] [--records 10000000] [--runs 30]
      [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--keep]

Work pages (issue 19): the dashboard, the request list with each filter and the inquiry inbox, over
--cases request cases and --inquiries inquiries (about 3 % open, as in a real inbox). Register pages
(issue 20), PostgreSQL only: persons (all, one category, a page deep down the register), provisions,
one provision's records, recipients, incidents, the audit log and jobs, over --subjects persons and
--records provision records (filled set-wise by ``bench/registers_fill.py``, shared with
``bench/provisions.py``). On SQLite the register pages are skipped (say so when quoting figures).
Smaller sizes give a quick run; the figures quoted in the operator guide say which sizes they had.

Every page is requested over HTTP through the whole app (FastAPI, the session cookie of a privacy
officer -- an admin for the register pages -- signed in with password and TOTP, the templates), in
process with TestClient. "bare SQL" is every statement one request of that page sends (captured from
the app's engine: the session lookup, the list, its count, the dashboard's figures), replayed
straight on the driver in the same run: what no application could go below; "SQL" is their number.
Each page is checked to show the rows it should (the work was done), or the run stops, against a
query written here (the rows a page must show). Target: p95 <= 150 ms a page.
"""

# ruff: noqa: E501, S608, ISC004, PLR0913, PLR0915 - rows and pages written one per line; fixed SQL text

from __future__ import annotations

import argparse
import html
import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
from fastapi.testclient import TestClient
from sqlalchemy import event, insert, select, text
from sqlalchemy.engine import Engine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from registers_fill import create_database, drop_database, fill_registers, publish

from mamori.api.app import create_app
from mamori.config import Settings
from mamori.db.migrate import upgrade
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.dsr.models import Case
from mamori.inquiries.models import Inquiry
from mamori.security import service as security
from mamori.security.rules import Role
from tests.factories.staff import enrol_second_factor

PASSWORD = "bench-password-123456"  # noqa: S105 - a throw-away database
STATES = ["received", "identity_check", "in_progress", "decided", "responded", "closed", "rejected"]
OPEN = "'decided','identity_check','in_progress','received','responded'"
OPEN_INQ = "'assigned','new','reopened','waiting_for_customer'"
LIST = 50
OK = 200
ROW = '<th scope="row">'
NEXT = re.compile(r'<a href="([^"]+)" rel="next">')
ORDER = "ORDER BY target_on, id LIMIT 51"
CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")  # not replayed: one transaction


def _today() -> str:
    return (datetime.now(UTC) + timedelta(hours=9)).date().isoformat()  # the Tokyo date, as the service


def _work_pages() -> list[tuple[str, str, list[str]]]:
    """(name, path, [the query of the rows the page must show, its count]) -- for the checks."""
    today, week = _today(), (date.fromisoformat(_today()) + timedelta(days=7)).isoformat()
    base = f"FROM dsr_cases WHERE state IN ({OPEN})"
    overdue = f"{base} AND target_on < '{today}' AND closed_at IS NULL"
    soon = f"{base} AND target_on <= '{week}' AND closed_at IS NULL"
    closed_en = "FROM dsr_cases WHERE state = 'closed' AND language = 'en'"
    correction = f"{base} AND request_type = 'correction'"
    kind = f"{base} AND requester_kind = 'agent'"
    inq = f"FROM inquiries WHERE state IN ({OPEN_INQ})"
    since = (datetime.now(UTC) - timedelta(weeks=12)).isoformat(sep=" ")[:19]
    return [
        ("dashboard", "/console/", [
            f"SELECT * {base} ORDER BY target_on, id LIMIT 9", f"SELECT count(*) {overdue}",
            f"SELECT count(*) {soon}", f"SELECT count(*) {base}",
            f"SELECT received_at FROM dsr_cases WHERE received_at >= '{since}'",
            f"SELECT responded_at, target_on FROM dsr_cases WHERE responded_at >= '{since}'",
            f"SELECT * {inq} ORDER BY first_response_due_at LIMIT 8", f"SELECT count(*) {inq}",
            f"SELECT received_at, language, channel, category FROM inquiries WHERE received_at >= '{since}'",
        ]),
        ("requests (open)", "/console/requests", [f"SELECT * {base} {ORDER}", f"SELECT count(*) {base}"]),
        ("requests (overdue)", "/console/requests?due=overdue", [f"SELECT * {overdue} {ORDER}", f"SELECT count(*) {overdue}"]),
        ("requests (due in 7 days)", "/console/requests?due=week", [f"SELECT * {soon} {ORDER}", f"SELECT count(*) {soon}"]),
        ("requests (closed, en)", "/console/requests?state=closed&language=en", [f"SELECT * {closed_en} {ORDER}", f"SELECT count(*) {closed_en}"]),
        ("requests (correction)", "/console/requests?request_type=correction", [f"SELECT * {correction} {ORDER}", f"SELECT count(*) {correction}"]),
        ("requests (agent)", "/console/requests?requester_kind=agent", [f"SELECT * {kind} {ORDER}", f"SELECT count(*) {kind}"]),
        ("requests (page 2, open)", "NEXT:/console/requests", [f"SELECT * {base} {ORDER}", f"SELECT count(*) {base}"]),
        ("inquiries", "/console/inquiries", [f"SELECT * {inq} ORDER BY first_response_due_at"]),
    ]  # fmt: skip


def _register_pages(provision: uuid.UUID) -> list[tuple[str, str, list[str]]]:
    subjects = "SELECT id, status, jurisdiction, language, created_at FROM subjects"
    return [
        ("people", "/console/people", [f"{subjects} ORDER BY created_at DESC, id DESC LIMIT 51"]),
        ("people (shareholders)", "/console/people?category=shareholders", [
            f"{subjects} WHERE id IN (SELECT subject_id FROM subject_categories WHERE category = 'shareholders') "
            "ORDER BY created_at DESC, id DESC LIMIT 51"]),
        ("people (20 pages down)", "DEEP:/console/people", [f"{subjects} ORDER BY created_at DESC, id DESC LIMIT 51"]),
        ("provisions", "/console/provisions", ["SELECT * FROM provisions ORDER BY provided_at DESC, id DESC LIMIT 51"]),
        ("one provision's records", f"/console/provisions/{provision}", [
            f"SELECT * FROM provisions WHERE id = '{provision}'",
            f"SELECT subject_id, retention_end FROM provision_records WHERE provision_id = '{provision}' "
            "ORDER BY provided_at DESC, id DESC LIMIT 51"]),
        ("recipients", "/console/provisions/parties", ["SELECT * FROM parties"]),
        ("incidents", "/console/incidents", ["SELECT * FROM incidents ORDER BY created_at DESC LIMIT 51"]),
        ("audit log", "/console/audit", ["SELECT * FROM audit_events ORDER BY id DESC LIMIT 51"]),
        ("jobs", "/console/jobs", ["SELECT status, count(*) FROM procrastinate_jobs GROUP BY status"]),
    ]  # fmt: skip


def _cases(n: int, version_id: uuid.UUID) -> list[dict[str, object]]:
    rnd, rows, now = random.Random(19), [], datetime.now(UTC)
    for i in range(n):
        received = now - timedelta(days=rnd.randint(0, 400), minutes=rnd.randint(0, 1440))
        state = rnd.choice(STATES)
        target = received.date() + timedelta(days=14)
        rows.append({
            "id": uuid.uuid4(), "reference": f"B{i:09d}", "request_type": rnd.choice(["disclosure", "correction"]),
            "erasure": False, "channel": "post", "language": rnd.choice(["ja", "en", "zh-Hans", "zh-Hant"]),
            "jurisdiction": "JP", "state": state, "policy_version_id": version_id,
            "requester_kind": rnd.choice(["self"] * 9 + ["agent"]),
            "requester_name_encrypted": "dev:placeholder", "response_method": "post", "received_at": received,
            "target_on": target, "art39_on": target + timedelta(days=1), "my_number_front_only": False,
            "reasons": [], "fee_yen": 0, "created_at": received, "created_by": "bench",
            "closed_at": received + timedelta(days=10) if state in {"closed", "rejected"} else None,
            "responded_at": received + timedelta(days=rnd.randint(3, 20)) if state in {"responded", "closed"} else None,
        })  # fmt: skip
    return rows


def _inquiries(n: int) -> list[dict[str, object]]:
    rnd, rows, now = random.Random(23), [], datetime.now(UTC)
    for i in range(n):
        received = now - timedelta(days=rnd.randint(0, 200), minutes=rnd.randint(0, 1440))
        state = rnd.choice(
            ["closed"] * 96 + ["new", "assigned", "answered", "waiting_for_customer"]
        )  # 3% open
        rows.append({
            "id": uuid.uuid4(), "reference": f"Q-B{i:08d}", "channel": rnd.choice(["email", "phone", "web_form"]),
            "language": rnd.choice(["ja", "en", "zh-Hans", "zh-Hant"]), "category": rnd.choice(["other", "complaint"]),
            "state": state, "received_at": received, "first_response_hours": 24.0, "resolution_hours": 72.0,
            "paused_seconds": 0.0, "first_response_due_at": received + timedelta(days=1),
            "resolution_due_at": received + timedelta(days=3), "created_by": "bench", "updated_at": received,
            "closed_at": received + timedelta(days=2) if state == "closed" else None,
            "paused_since": received + timedelta(hours=1) if state == "waiting_for_customer" else None,
        })  # fmt: skip
    return rows


def _staff(engine: Engine) -> dict[str, str]:
    """A privacy officer and an admin, each with a second factor; username -> TOTP secret."""
    secrets = {}
    with unit_of_work(make_session_factory(engine)) as session:
        for username, role in (("mori", Role.PRIVACY_OFFICER), ("kanri", Role.ADMIN)):
            user = security.add_user(session, actor="bench", username=username, display_name=username,
                                     role=role, password=PASSWORD)  # fmt: skip
            secrets[username] = enrol_second_factor(session, user)
    return secrets


def _staff_again(engine: Engine) -> dict[str, str]:
    """New staff on a reused database (the secrets of the first run are not kept)."""
    suffix = uuid.uuid4().hex[:6]
    secrets = {}
    with unit_of_work(make_session_factory(engine)) as session:
        for username, role in (("mori", Role.PRIVACY_OFFICER), ("kanri", Role.ADMIN)):
            user = security.add_user(session, actor="bench", username=username + suffix,
                                     display_name=username, role=role, password=PASSWORD)  # fmt: skip
            secrets[username] = (username + suffix, enrol_second_factor(session, user))
    return {k: v[1] for k, v in secrets.items()} | {f"{k}:name": v[0] for k, v in secrets.items()}


def _fill_work(engine: Engine, version_id: uuid.UUID, cases: int, inquiries: int) -> None:
    with engine.begin() as conn:
        rows = _cases(cases, version_id)
        for start in range(0, len(rows), 10_000):
            conn.execute(insert(Case), rows[start : start + 10_000])
        inquiry_rows = _inquiries(inquiries)
        for start in range(0, len(inquiry_rows), 10_000):
            conn.execute(insert(Inquiry), inquiry_rows[start : start + 10_000])
        conn.execute(text("ANALYZE"))


def _sign_in(client: TestClient, username: str, secret: str) -> None:
    login = client.get("/console/login").text
    token = login.split('name="csrf_token" value="')[1].split('"')[0]
    client.post("/console/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    page = client.post("/console/login/code", data={"code": pyotp.TOTP(secret).now(), "csrf_token": token})
    assert page.status_code == OK, "signed in"
    assert "/console/logout" in page.text, "signed in"


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18] * 1000


def _path(client: TestClient, path: str) -> str:
    """The page to time: ``NEXT:`` the second page of a list, ``DEEP:`` its twentieth."""
    kind, _, first = path.partition(":") if path.startswith(("NEXT:", "DEEP:")) else ("", "", path)
    for _ in range({"NEXT": 1, "DEEP": 19}.get(kind, 0)):
        found = NEXT.search(client.get(first).text)
        assert found, f"{first} has a next page"
        first = html.unescape(found.group(1))
    return first


def _capture(app_engine: Engine, client: TestClient, path: str) -> list[tuple[str, Any]]:
    """The SQL one request of the page runs (statement text and parameters, as sent to the driver)."""
    seen: list[tuple[str, Any]] = []

    def hook(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:  # noqa: ARG001
        if not statement.lstrip().upper().startswith(CONTROL):
            seen.append((statement, parameters))

    event.listen(app_engine, "before_cursor_execute", hook)
    try:
        assert client.get(path).status_code == OK
    finally:
        event.remove(app_engine, "before_cursor_execute", hook)
    return seen


def _bare(engine: Engine, statements: list[tuple[str, Any]], runs: int) -> list[float]:
    """The page's own statements replayed straight on the driver (in a transaction rolled back)."""
    times = []
    with engine.connect() as conn, conn.begin() as transaction:
        for _ in range(runs):
            t0 = time.perf_counter()
            for statement, parameters in statements:
                result = conn.exec_driver_sql(statement, parameters)
                if result.returns_rows:
                    result.all()
            times.append(time.perf_counter() - t0)
        transaction.rollback()
    return times


def _measure(client: TestClient, engine: Engine, pages: list[tuple[str, str, list[str]]], runs: int,
             check: Callable[[str, str, int], None]) -> list[tuple[str, float, float]]:  # fmt: skip
    print(f"{'page':28} {'p95 page':>10} {'p95 bare SQL':>13} {'SQL':>4} {'rows':>6}", flush=True)
    app_engine = client.app.state.runtime.engine  # type: ignore[attr-defined]
    found = []
    for name, spec, _ in pages:
        path = _path(client, spec)
        for _ in range(3):
            client.get(path)  # warm templates, statement caches
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            page = client.get(path)
            times.append(time.perf_counter() - t0)
            assert page.status_code == OK, (path, page.status_code)
        statements = _capture(app_engine, client, path)
        bare_times = _bare(engine, statements, runs)
        shown = page.text.count(ROW)
        check(name, page.text, shown)
        print(
            f"{name:28} {_p95(times):7.1f} ms {_p95(bare_times):10.1f} ms {len(statements):>4} {shown:>6}",
            flush=True,
        )
        found.append((name, _p95(times), _p95(bare_times)))
    return found


def _work(client: TestClient, engine: Engine, runs: int) -> list[tuple[str, float, float]]:
    pages = _work_pages()
    with engine.connect() as conn:
        expect = {name: len(conn.execute(text(bare[0])).all()) for name, _, bare in pages}
        open_inquiries = conn.scalar(text(f"SELECT count(*) FROM inquiries WHERE state IN ({OPEN_INQ})"))

    def check(name: str, body: str, shown: int) -> None:
        if name == "dashboard":  # the 8 earliest cases and inquiries, then two 12-week chart tables
            cases = body.count(ROW + '<a href="/console/requests/')
            inquiries = body.count(ROW + '<a href="/console/inquiries/')
            assert (cases, inquiries) == (min(expect[name], 8), min(open_inquiries, 8)), (cases, inquiries)
            return
        want = open_inquiries if name == "inquiries" else min(expect[name], LIST)
        assert shown == want, f"{name}: {shown} rows shown, {want} expected"

    return _measure(client, engine, pages, runs, check)


def _registers(client: TestClient, engine: Engine, runs: int) -> list[tuple[str, float, float]]:
    with engine.connect() as conn:
        provision = conn.scalar(text("SELECT id FROM provisions ORDER BY provided_at DESC LIMIT 1"))
    pages = _register_pages(provision)

    def check(name: str, body: str, shown: int) -> None:
        if name.startswith(("people", "provisions", "one provision")):
            assert shown == LIST, f"{name}: {shown} rows shown, {LIST} expected"
            assert NEXT.search(body), f"{name}: a next page"
        else:
            assert "<main" in body, name

    return _measure(client, engine, pages, runs, check)


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--inquiries", type=int, default=50_000)
    parser.add_argument("--subjects", type=int, default=1_000_000, help="PostgreSQL only")
    parser.add_argument("--records", type=int, default=10_000_000, help="PostgreSQL only")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--keep", action="store_true", help="keep the database (SQLite: print its file)")
    parser.add_argument("--reuse", default="", help="measure on a database kept with --keep (its URL)")
    args = parser.parse_args()
    name = f"console_bench_{uuid.uuid4().hex[:8]}"
    workdir = tempfile.TemporaryDirectory(prefix="console-bench-")
    if args.reuse:
        url = args.reuse
    elif args.db == "postgresql":
        url = create_database(args.pg_url, name)
    else:
        folder = tempfile.mkdtemp(prefix="console-bench-") if args.keep else workdir.name
        url = f"sqlite:///{folder}/bench.db"
        upgrade(url)
    registers = args.db == "postgresql" and args.subjects > 0
    print(f"{args.db}: {args.cases:,} cases, {args.inquiries:,} inquiries"
          + (f", {args.subjects:,} subjects, {args.records:,} provision records" if registers
             else " (register pages: PostgreSQL only, skipped)"), flush=True)  # fmt: skip
    try:
        engine = make_engine(url)
        t0 = time.perf_counter()
        if args.reuse:
            secrets = _staff_again(engine)
        else:
            version_id, party_id = publish(engine)
            secrets = _staff(engine)
            _fill_work(engine, version_id, args.cases, args.inquiries)
        if registers and not args.reuse:
            fill_registers(engine, version_id=version_id, party_id=party_id, subjects=args.subjects,
                           records=args.records)  # fmt: skip
        with engine.connect() as conn:
            counted = conn.scalar(select(text("count(*)")).select_from(text("dsr_cases")))
        assert args.reuse or counted == args.cases
        print(f"filled in {time.perf_counter() - t0:.0f} s; {_load()}", flush=True)
        settings = Settings(database_url=url, mail_backend="null", worker_embedded=False, _env_file=None)  # type: ignore[call-arg]
        app = create_app(settings)
        with TestClient(app) as client:
            _sign_in(client, secrets.get("mori:name", "mori"), secrets["mori"])
            _work(client, engine, args.runs)
        if registers:
            with TestClient(app) as client:
                _sign_in(client, secrets.get("kanri:name", "kanri"), secrets["kanri"])
                _registers(client, engine, args.runs)
        print(f"target: p95 <= 150 ms a page; {_load()}", flush=True)
        engine.dispose()
    finally:
        if args.keep:
            print(f"kept: --reuse {url}")
        elif args.db == "postgresql" and not args.reuse:
            drop_database(args.pg_url, name)
        workdir.cleanup()


if __name__ == "__main__":
    main()
