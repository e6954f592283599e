"""Pooled PostgreSQL connections: checked before use only after sitting idle, and replaced if dead."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import DBAPIError

from mamori.db import session as db_session
from mamori.db.session import make_engine


@pytest.fixture
def pool(database_url: str) -> Iterator[Engine]:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite connections are files in this process: nothing to ping")
    engine = make_engine(database_url, pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()


def _backend(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(text("SELECT pg_backend_pid()")) or 0)


def _terminate(database_url: str, pid: int) -> None:
    admin = make_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        assert conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


def test_a_connection_in_steady_use_is_not_pinged(pool: Engine) -> None:
    statements: list[str] = []
    first = _backend(pool)

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    event.listen(pool, "before_cursor_execute", seen)
    assert _backend(pool) == first  # the same pooled connection, reused at once
    assert statements == ["SELECT pg_backend_pid()"]


def test_a_dead_idle_connection_is_replaced_before_use(
    pool: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _backend(pool)
    _terminate(database_url, first)  # as a database restart would, while the connection sat idle
    monkeypatch.setattr(db_session, "PING_AFTER_IDLE_SECONDS", 0.0)
    second = _backend(pool)
    assert second != first


def test_without_the_idle_check_the_dead_connection_reaches_the_caller(
    pool: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The opposite case: it shows the check above is what replaced the connection.
    first = _backend(pool)
    _terminate(database_url, first)
    monkeypatch.setattr(db_session, "PING_AFTER_IDLE_SECONDS", 3600.0)
    with pytest.raises(DBAPIError):
        _backend(pool)
    assert _backend(pool) != first  # SQLAlchemy discarded the pool after the error
