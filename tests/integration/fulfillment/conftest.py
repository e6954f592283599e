"""Target systems for the fulfillment tests: the shop on SQLite, PostgreSQL or MariaDB, a CRM, CSV files.

The PostgreSQL and MariaDB services of the machine are used when they answer (a database
``fulfil_shop_<pid>`` per test process, dropped after); a machine without them skips those cases.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from mamori.fulfillment.runner import close_connectors
from mamori.policy.service import publish_bundle
from tests.factories.fulfillment import load_crm, load_shop, set_kind, shop_bundle, write_calls

CUSTOMERS = 30
PG_ADMIN = os.environ.get("MAMORI_TEST_SHOP_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
MARIADB_ADMIN = os.environ.get("MAMORI_TEST_SHOP_MARIADB", "mysql+pymysql://root@127.0.0.1:3306/test")


def _database(admin_url: str, name: str) -> str:
    """Create ``name`` on the server of ``admin_url`` (if needed); its URL. Skips when the server is down."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if admin.dialect.name == "postgresql":
                exists = conn.execute(
                    text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
                ).first()
                if not exists:
                    conn.execute(text(f'CREATE DATABASE "{name}"'))
            else:
                conn.execute(text(f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4"))
    except OperationalError:
        pytest.skip(f"{admin.dialect.name} is not running on this machine")
    finally:
        admin.dispose()
    return admin.url.set(database=name).render_as_string(hide_password=False)


def _drop(admin_url: str, name: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if admin.dialect.name == "postgresql":
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            else:
                conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
    finally:
        admin.dispose()


# One shop database per test process: parallel workers (pytest-xdist) and parallel runs on one
# machine would otherwise load and erase each other's customers.
SHOP_DATABASE = f"fulfil_shop_{os.getpid()}"


@pytest.fixture(scope="session")
def postgres_shop_url() -> Iterator[str]:
    url = _database(PG_ADMIN, SHOP_DATABASE)
    yield url
    _drop(PG_ADMIN, SHOP_DATABASE)


@pytest.fixture(scope="session")
def mariadb_shop_url() -> Iterator[str]:
    url = _database(MARIADB_ADMIN, SHOP_DATABASE)
    yield url
    _drop(MARIADB_ADMIN, SHOP_DATABASE)


@dataclass
class Shop:
    """The systems of one test: engines to check the data directly, the bundle, the CSV folder."""

    kind: str
    shop: Engine
    crm: Engine
    calls: Path
    bundle: Path

    def scalar(self, sql: str, **params: object) -> object:
        with self.shop.connect() as conn:
            return conn.execute(text(sql), params).scalar()


ON_EVERY_ENGINE = pytest.mark.parametrize("shop", ["sqlite", "postgresql", "mysql"], indirect=True)


@pytest.fixture
def shop(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Shop]:
    """The shop database on SQLite (or the engine of ``ON_EVERY_ENGINE``), a SQLite CRM, a CSV call log."""
    kind = str(getattr(request, "param", "sqlite"))
    url = {
        "sqlite": lambda: f"sqlite:///{tmp_path / 'shop.db'}",
        "postgresql": lambda: request.getfixturevalue("postgres_shop_url"),
        "mysql": lambda: request.getfixturevalue("mariadb_shop_url"),
    }[kind]()
    shop_engine = create_engine(url)
    crm_url = f"sqlite:///{tmp_path / 'crm.db'}"
    crm_engine = create_engine(crm_url)
    load_shop(shop_engine, CUSTOMERS)
    load_crm(crm_engine, [f"user{k}@example.jp" for k in range(1, 11)])
    write_calls(tmp_path / "calls", 10)
    bundle = shop_bundle(tmp_path)
    set_kind(bundle, "shop", kind)
    set_kind(bundle, "crm", "sqlite")
    monkeypatch.setenv("SHOP_DB_URL", url)
    monkeypatch.setenv("CRM_DB_URL", crm_url)
    monkeypatch.setenv("CALLCENTRE_DIR", str(tmp_path / "calls"))
    monkeypatch.setenv("SHOP_SUSPEND_WEBHOOK", "http://127.0.0.1:9/unused")
    yield Shop(kind, shop_engine, crm_engine, tmp_path / "calls", bundle)
    close_connectors()
    shop_engine.dispose()
    crm_engine.dispose()


@pytest.fixture
def published(session: Session, shop: Shop) -> Shop:
    """The shop's data map published as the current policy (in the test's rolled-back transaction)."""
    publish_bundle(session, actor="user:officer", directory=shop.bundle)
    return shop


class _Hook(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, Any], str | None]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((json.loads(body), self.headers.get("Idempotency-Key")))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture
def webhook(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[dict[str, Any], str | None]]]:
    """The shop's suspension webhook: a real HTTP server on a free port; (body, Idempotency-Key) per call."""
    received: list[tuple[dict[str, Any], str | None]] = []
    handler = type("Hook", (_Hook,), {"received": received})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("SHOP_SUSPEND_WEBHOOK", f"http://127.0.0.1:{server.server_port}/suspend")
    yield received
    server.shutdown()
    server.server_close()
