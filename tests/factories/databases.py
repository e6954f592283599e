"""Throw-away databases for tests whose code commits: migrated, beside the test database, dropped after."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import make_url, text

from mamori.db.migrate import upgrade
from mamori.db.session import make_engine


@contextmanager
def migrated_database(database_url: str, folder: Path, prefix: str) -> Iterator[str]:
    """A new database migrated to the newest revision, beside ``database_url``; dropped after.

    SQLite: a file in ``folder``. PostgreSQL: a database named ``<prefix>_<random>`` on the same server.
    """
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{folder / f'{prefix}.db'}"
        upgrade(url)
        yield url
        return
    base = make_url(database_url)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
