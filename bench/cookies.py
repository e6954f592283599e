"""Banner consent writes per second through the API, next to a bare insert; the banner's sizes.

Run:  .venv/bin/python bench/cookies.py [--url postgresql+psycopg://postgres@127.0.0.1/cookies_bench]
Default database: a fresh SQLite file in a temporary folder. Target (issue 23): >= 5,000 consent
writes/s through the API on two cores; the banner's script and stylesheet <= 15 kB compressed.

Measured in one run, on the same database and the same record shape:
  baseline: bare multi-row INSERTs into cookie_consents (SQLAlchemy Core, 1000 rows per statement);
  driver baseline: the DB-API driver's executemany of rows already in their stored form (the floor);
  the service record_consents (validation, GPC, one insert) in units of work of 1000;
  HTTP POST /api/v1/cookies/consents with 1000 records per request and with 1 record per request,
  against a uvicorn subprocess; POST /cookies/banner/www/consent (the banner's own route, rate limited
  per address, so a short run).
After each phase the rows in the table are counted: the bench fails when a write went missing.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx2
from sqlalchemy import func, insert, select

from mamori.config import DEFAULT_POLICY_DIR
from mamori.cookies import service
from mamori.cookies.models import CookieConsent
from mamori.db.base import utcnow
from mamori.db.migrate import upgrade
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.policy.service import publish_bundle
from mamori.security.rules import Role
from mamori.security.service import add_user, create_token

STATIC = Path(__file__).resolve().parent.parent / "src" / "mamori" / "web" / "static" / "banner"
COLUMNS = ("id", "property_id", "browser_id", "inventory_hash", "policy_version", "choices", "gpc", "source",
           "language", "recorded_at")  # fmt: skip
CHOICES: tuple[dict[str, bool], ...] = (
    {"analytics": True, "advertising": False},
    {"analytics": False, "advertising": False},
    {},
)


def sizes() -> dict[str, tuple[int, int]]:
    out = {}
    for name in ("banner.js", "banner.css"):
        raw = (STATIC / name).read_bytes()
        out[name] = (len(raw), len(gzip.compress(raw, compresslevel=9)))
    return out


def _count(url: str) -> int:
    with unit_of_work(make_session_factory(make_engine(url))) as session:
        return session.scalar(select(func.count()).select_from(CookieConsent)) or 0


def _prepare(url: str) -> tuple[str, str]:
    """Migrate, publish the default policy; (the inventory hash of 'www', an engineer's token)."""
    upgrade(url)
    with unit_of_work(make_session_factory(make_engine(url))) as session:
        publish_bundle(session, actor="bench", directory=DEFAULT_POLICY_DIR)
        add_user(
            session, actor="bench", username="bench", display_name="b", role=Role.ENGINEER, password="x" * 16
        )
        token = create_token(session, actor="bench", username="bench", name="bench").secret
        return service.current_inventory(session).hash_of("www"), token


def bare_insert(url: str, digest: str, count: int) -> float:
    factory = make_session_factory(make_engine(url))
    started = time.perf_counter()
    for _ in range(0, count, 1000):
        rows = [
            {
                "id": uuid.uuid4(), "property_id": "www", "browser_id": uuid.uuid4(),
                "inventory_hash": digest,
                "policy_version": 1, "choices": {"necessary": True, "analytics": True, "advertising": False},
                "gpc": False, "source": "banner", "language": "ja", "recorded_at": utcnow(),
            }
            for _ in range(1000)
        ]  # fmt: skip
        with unit_of_work(factory) as session:
            session.execute(insert(CookieConsent), rows)
    return count / (time.perf_counter() - started)


def bare_driver(url: str, digest: str, count: int) -> float:
    """The floor: the driver's executemany of rows already in the column's stored form."""
    engine = make_engine(url)
    sqlite = engine.dialect.name == "sqlite"
    mark = "?" if sqlite else "%s"
    marks = ", ".join([mark] * 10)
    columns = ", ".join(COLUMNS)
    sql = f"INSERT INTO cookie_consents ({columns}) VALUES ({marks})"  # noqa: S608 - placeholders only
    choices = json.dumps({"necessary": True, "analytics": True, "advertising": False})
    started = time.perf_counter()
    for _ in range(0, count, 1000):
        now = utcnow()
        stamp = now.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else now
        rows = [
            (uuid.uuid4().hex if sqlite else uuid.uuid4(), "www",
             uuid.uuid4().hex if sqlite else uuid.uuid4(), digest, 1, choices, False, "banner", "ja", stamp)
            for _ in range(1000)
        ]  # fmt: skip
        with engine.begin() as connection:
            connection.exec_driver_sql(sql, rows)
    return count / (time.perf_counter() - started)


def through_service(url: str, count: int) -> float:
    factory = make_session_factory(make_engine(url))
    started = time.perf_counter()
    for _ in range(0, count, 1000):
        with unit_of_work(factory) as session:
            inventory = service.current_inventory(session)
            digest = inventory.hash_of("www")
            records = [
                service.ConsentInput("www", uuid.uuid4(), digest, CHOICES[n % 3], gpc=n % 7 == 0)
                for n in range(1000)
            ]
            service.record_consents(session, inventory, records)
    return count / (time.perf_counter() - started)


def _record(digest: str, n: int) -> dict[str, Any]:
    return {"property": "www", "browser": str(uuid.uuid4()), "inventory_hash": digest,
            "choices": CHOICES[n % 3],
            "gpc": n % 7 == 0, "source": "banner"}  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(client: httpx2.Client) -> None:
    for _ in range(1200):  # two busy cores: importing the app in each worker takes a while
        try:
            if client.get("/healthz").status_code == 200:  # noqa: PLR2004
                return
        except httpx2.HTTPError:
            pass
        time.sleep(0.1)
    msg = "the server did not start"
    raise RuntimeError(msg)


def over_http(  # noqa: PLR0913 - the run's sizes
    url: str, digest: str, token: str, batches: int, singles: int, banner: int, workers: int
) -> dict[str, float]:
    port = _free_port()
    env = {
        **os.environ,
        "MAMORI_DATABASE_URL": url,
        "MAMORI_MAIL_BACKEND": "null",
        "MAMORI_ALLOW_DEV_KEYS": "true",
    }
    command = [sys.executable, "-m", "uvicorn", "--factory", "mamori.api.app:create_app", "--port", str(port)]
    command += ["--workers", str(workers)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    rates: dict[str, float] = {}
    try:
        with httpx2.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            _wait(client)
            auth = {"Authorization": f"Bearer {token}"}
            # Encoded before the clock starts: the load generator shares the two cores with the server.
            bodies = [
                json.dumps({"records": [_record(digest, n) for n in range(1000)]}).encode()
                for _ in range(batches)
            ]
            posted = {**auth, "Content-Type": "application/json"}

            def post(body: bytes) -> None:
                answer = client.post("/api/v1/cookies/consents", content=body, headers=posted)
                answer.raise_for_status()
                assert len(answer.json()["ids"]) == 1000, "the API did not store the whole batch"  # noqa: PLR2004

            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=workers) as pool:  # one client per server worker
                list(pool.map(post, bodies))
            rates["batch"] = batches * 1000 / (time.perf_counter() - started)
            started = time.perf_counter()
            for n in range(singles):
                client.post("/api/v1/cookies/consents", json={"records": [_record(digest, n)]}, headers=auth)
            rates["single"] = singles / (time.perf_counter() - started)
            started = time.perf_counter()
            for n in range(banner):
                choice = {"browser": str(uuid.uuid4()), "hash": digest, "choices": {"analytics": n % 2 == 0}}
                body = json.dumps(choice)  # text/plain, as the banner sends it (no CORS preflight)
                client.post(
                    "/cookies/banner/www/consent", content=body, headers={"Content-Type": "text/plain"}
                )
            rates["banner"] = banner / (time.perf_counter() - started)
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default=None, help="database URL (default: a fresh SQLite file)")
    parser.add_argument(
        "--records", type=int, default=50_000, help="records for the baseline and the service"
    )
    parser.add_argument("--batches", type=int, default=50, help="HTTP batches of 1000")
    parser.add_argument("--singles", type=int, default=1000, help="HTTP requests of one record")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes (two cores)")
    parser.add_argument("--banner", type=int, default=90, help="banner posts (rate limit: 100 per 10 min)")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="mamori-cookies-bench-")
    url = args.url or f"sqlite:///{folder}/bench.db"
    digest, token = _prepare(url)
    print(f"database: {make_engine(url).dialect.name}; cpus: {os.cpu_count()}", flush=True)
    baseline = bare_insert(url, digest, args.records)
    expected = args.records
    assert _count(url) == expected, "the baseline lost rows"
    floor = bare_driver(url, digest, args.records)
    expected += args.records
    assert _count(url) == expected, "the driver baseline lost rows"
    in_service = through_service(url, args.records)
    expected += args.records
    assert _count(url) == expected, "the service lost records"
    http = over_http(url, digest, token, args.batches, args.singles, args.banner, args.workers)
    expected += args.batches * 1000 + args.singles + args.banner
    assert _count(url) == expected, f"HTTP lost records: {_count(url):,} stored, {expected:,} sent"
    print()
    print(f"baseline: bare INSERT (1000 rows/statement):      {baseline:>10,.0f} rows/s")
    print(f"baseline: driver executemany, values pre-stored:  {floor:>10,.0f} rows/s")
    print(f"service record_consents (1000 per unit of work):  {in_service:>10,.0f} records/s")
    print(
        f"HTTP POST /api/v1/cookies/consents (1000/request):{http['batch']:>10,.0f} records/s  (target 5,000)"
    )
    print(f"HTTP POST /api/v1/cookies/consents (1/request):   {http['single']:>10,.0f} records/s")
    print(f"HTTP POST /cookies/banner/www/consent (banner):   {http['banner']:>10,.0f} records/s")
    print(
        f"ratios: baseline/HTTP batch {baseline / http['batch']:.1f}x;"
        f" HTTP batch/single {http['batch'] / http['single']:.1f}x"
    )
    total = 0
    for name, (raw, packed) in sizes().items():
        total += packed
        print(f"{name}: {raw:,} bytes, {packed:,} bytes gzip -9")
    print(f"banner script + stylesheet compressed: {total:,} bytes (limit 15,360)")
    assert total <= 15 * 1024, "the banner is over 15 kB compressed"
    print(f"all {expected:,} writes stored")


if __name__ == "__main__":
    main()
