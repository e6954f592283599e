"""A fresh database with the test handlers' ``job_effects`` table (these tests commit)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from mamori.db.session import make_engine
from tests.factories import jobs as handlers


@pytest.fixture
def engine(fresh_database_url: str) -> Iterator[Engine]:
    engine = make_engine(fresh_database_url)
    handlers.create_effects_table(engine)
    yield engine
    engine.dispose()
