"""Upgrading to the fulfillment scopes: tokens issued before keep working for the roles that decide cases."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import insert, make_url, text

from mamori.db.base import utcnow
from mamori.db.migrate import upgrade
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.security.models import ApiToken, StaffUser
from mamori.security.rules import Scope
from mamori.security.service import authenticate_token

OLD_OFFICER = [
    "audit:read", "audiences:read", "consents:read", "consents:write", "datamap:read", "decisions:check",
    "incidents:read", "incidents:write", "inquiries:read", "inquiries:write", "jobs:read", "jobs:retry",
    "policy:read", "policy:write", "processors:read", "processors:write", "provisions:read",
    "provisions:write", "requests:read", "requests:write", "subjects:read", "subjects:write",
]  # fmt: skip
OLD_ENGINEER = ["datamap:read", "datamap:write", "policy:read", "subjects:read"]


@pytest.fixture
def url_at_0015(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A new database migrated to the revision before this branch's (PostgreSQL: dropped after)."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'old.db'}"
        upgrade(url, "0015")
        yield url
        return
    name = f"mamori_mig_{uuid.uuid4().hex[:10]}"
    admin = make_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(database_url).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url, "0015")
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _insert(url: str, role: str, scopes: list[str], secret: str) -> None:
    """A user and a token as the release before wrote them (these tables did not change shape)."""
    engine = make_engine(url)
    user_id = uuid.uuid4()
    with engine.begin() as conn:
        conn.execute(
            insert(StaffUser.__table__).values(
                id=user_id,
                username=role,
                display_name=role,
                role=role,
                password_hash="x",
                active=True,
                created_at=utcnow(),
            )
        )
        conn.execute(
            insert(ApiToken.__table__).values(
                id=uuid.uuid4(), user_id=user_id, name="t", prefix=secret[:10],
                digest=hashlib.sha256(secret.encode()).hexdigest(), scopes=scopes, created_at=utcnow(),
            )
        )  # fmt: skip
    engine.dispose()


def test_the_officers_old_token_can_start_runs_and_the_engineers_cannot(url_at_0015: str) -> None:
    _insert(url_at_0015, "privacy_officer", OLD_OFFICER, "mam_officer_secret")
    _insert(url_at_0015, "engineer", OLD_ENGINEER, "mam_engineer_secret")
    upgrade(url_at_0015)
    engine = make_engine(url_at_0015)
    with unit_of_work(make_session_factory(engine)) as session:
        officer = authenticate_token(session, "mam_officer_secret")
        engineer = authenticate_token(session, "mam_engineer_secret")
    engine.dispose()
    assert {Scope.FULFILLMENT_RUN, Scope.FULFILLMENT_BREAK_GLASS} <= officer.scopes
    assert Scope.FULFILLMENT_RUN not in engineer.scopes
    assert Scope.DATAMAP_WRITE in engineer.scopes  # retrying a failed run stays theirs
