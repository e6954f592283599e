"""Shared fixtures: one migrated database per test session, one rolled-back transaction per test.

Set ``MAMORI_TEST_DATABASE_URL`` to run the same suite on PostgreSQL; SQLite is the default.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, make_url, text
from sqlalchemy.orm import Session

import mamori.config
from mamori.config import Settings
from mamori.db.migrate import upgrade
from mamori.db.session import make_engine
from tests.factories.databases import migrated_database

REPO = Path(__file__).resolve().parents[1]

# Property tests check behaviour, not speed: no per-example deadline (a loaded machine is slow).
hypothesis_settings.register_profile("mamori", deadline=None)
hypothesis_settings.load_profile("mamori")
# No embedded background worker in test processes (nor in the servers they start) unless a test
# asks for one: queued jobs stay where the test can see them.
os.environ.setdefault("MAMORI_WORKER_EMBEDDED", "false")
# The servers and workers tests start run on the development keys, which they refuse without this
# (tests of that refusal remove it from the environment they give the process).
os.environ.setdefault("MAMORI_ALLOW_DEV_KEYS", "true")


def _default_bundle_without_datamap() -> Path:
    """The default bundle without its data map (the demo's example shop), in a folder of this process.

    Tests of policies, requests and letters use the default bundle for its policy and assume no
    business system is mapped (searches wait with ``no_datamap``); tests of the data map build
    their own (``tests/factories/fulfillment.py``), and the README and demo tests use
    ``policies/aoki`` itself. ``DEFAULT_POLICY_DIR`` and ``MAMORI_DEFAULT_POLICY_DIR`` (for the
    processes tests start) point here.
    """
    folder = Path(tempfile.mkdtemp(prefix="mamori-test-bundle-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    bundle = folder / "aoki"
    shutil.copytree(mamori.config.DEFAULT_POLICY_DIR, bundle, ignore=shutil.ignore_patterns("datamap"))
    return bundle


REAL_DEFAULT_POLICY_DIR = mamori.config.DEFAULT_POLICY_DIR
DEFAULT_POLICY_DIR = mamori.config.DEFAULT_POLICY_DIR = _default_bundle_without_datamap()
os.environ["MAMORI_DEFAULT_POLICY_DIR"] = str(DEFAULT_POLICY_DIR)


# The PostgreSQL pass repeats only the tests that reach a database (those that ask for the
# ``database_url`` fixture, directly or through ``engine``, ``session``, ``settings`` or
# ``fresh_database_url``) and those marked ``postgres``: pure-logic tests behave the same whatever
# the database, and the SQLite pass has run them. Browser journeys (the ``browser`` fixture) are
# left out too unless marked ``postgres``: they check pages, which call the same services whose
# database behaviour the API, CLI and integration tests check on PostgreSQL. MAMORI_TEST_ALL=1
# runs everything anyway.
DATABASE_FIXTURE = "database_url"
BROWSER_FIXTURE = "browser"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not os.environ.get("MAMORI_TEST_DATABASE_URL") or os.environ.get("MAMORI_TEST_ALL") == "1":
        return
    keep: list[pytest.Item] = []
    pure: list[pytest.Item] = []
    for item in items:
        names = getattr(item, "fixturenames", ())
        database_behaviour = DATABASE_FIXTURE in names and BROWSER_FIXTURE not in names
        (keep if database_behaviour or item.get_closest_marker("postgres") else pure).append(item)
    if pure:
        config.hook.pytest_deselected(items=pure)
        items[:] = keep


def _admin_engine(url: str) -> Engine:
    return make_engine(make_url(url).render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """SQLite in a temporary folder, or MAMORI_TEST_DATABASE_URL.

    Under pytest-xdist each worker gets a database of its own on PostgreSQL: ``<name>_<worker>``,
    created empty beside the given one and dropped at the end.
    """
    url = os.environ.get("MAMORI_TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'mamori-test.db'}"
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        yield url
        return
    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = _admin_engine(url)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    upgrade(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session inside an outer transaction that is rolled back after the test."""
    with engine.connect() as connection:
        transaction = connection.begin()
        session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
        try:
            yield session
        finally:
            session.close()
            transaction.rollback()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, mail_backend="null", _env_file=None)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def default_bundle_dir() -> Path:
    return DEFAULT_POLICY_DIR


@pytest.fixture
def fresh_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A new, migrated, empty database for tests whose code commits (CLI, servers)."""
    with migrated_database(database_url, tmp_path, "mamori_t") as url:
        yield url
