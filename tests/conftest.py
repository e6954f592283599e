"""Shared fixtures: one migrated database per test session, one rolled-back transaction per test.

Set ``MAMORI_TEST_DATABASE_URL`` to run the same suite on PostgreSQL; SQLite is the default.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from mamori.config import DEFAULT_POLICY_DIR, Settings
from mamori.db.migrate import upgrade
from mamori.db.session import make_engine

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("MAMORI_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'mamori-test.db'}"


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
