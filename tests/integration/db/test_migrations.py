"""The migrations build exactly the schema the models declare (on SQLite and PostgreSQL)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from mamori.db import models  # noqa: F401 - registers every room's tables
from mamori.db.base import Base

# Tables that belong to other software sharing the database (the queue engine's own schema).
FOREIGN_PREFIXES = ("procrastinate_",)


def _ours(diff: object) -> bool:
    text = repr(diff)
    return not any(prefix in text for prefix in FOREIGN_PREFIXES)


class TestMigrationsMatchModels:
    def test_no_difference(self, engine: Engine) -> None:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diffs = [d for d in compare_metadata(context, Base.metadata) if _ours(d)]
        assert diffs == []
