"""Migration 0016_keys: free text stored in clear before it is encrypted in place (and back on downgrade)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import command

from mamori.db.base import UTCDateTime
from mamori.db.migrate import alembic_config, upgrade
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.subjects.service import get_subject, subject_view

REASON = "山田花子さん本人の電話による停止依頼"
EVIDENCE = "同意書 山田花子 No.1"
RELATION = "委任状 山田花子"
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _table(name: str, *columns: tuple[str, sa.types.TypeEngine[object]]) -> sa.TableClause:
    return sa.table(name, *(sa.column(column, kind) for column, kind in columns))


S, U, D, B = sa.String(), sa.Uuid(), UTCDateTime(), sa.Boolean()
SUBJECTS = _table(
    "subjects", ("id", U), ("jurisdiction", S), ("language", S), ("status", S), ("created_at", D)
)
SUSPENSIONS = _table(
    "usage_suspensions", ("id", U), ("subject_id", U), ("scope", S), ("reason", S), ("source", S),
    ("source_ref", S), ("starts_at", D), ("created_by", S), ("created_at", D),
)  # fmt: skip
EVENTS = _table(
    "consent_events", ("id", U), ("subject_id", U), ("scope", S), ("action", S), ("occurred_at", D),
    ("recorded_at", D), ("separate", B), ("language", S), ("channel", S), ("collected_by", S),
    ("evidence_ref", S),
)  # fmt: skip
RELATIONS = _table(
    "subject_relationships", ("id", U), ("subject_id", U), ("related_subject_id", U), ("kind", S),
    ("evidence_ref", S), ("valid_from", sa.Date()), ("created_at", D), ("created_by", S),
)  # fmt: skip
RAW = (
    "SELECT reason FROM usage_suspensions UNION ALL SELECT source_ref FROM usage_suspensions"
    " UNION ALL SELECT evidence_ref FROM consent_events"
    " UNION ALL SELECT evidence_ref FROM subject_relationships"
)


def _insert_in_clear(engine: sa.Engine) -> uuid.UUID:
    person, other = uuid.uuid4(), uuid.uuid4()
    common = {"jurisdiction": "JP", "language": "ja", "status": "active", "created_at": NOW}
    with engine.begin() as conn:
        conn.execute(sa.insert(SUBJECTS), [{"id": person, **common}, {"id": other, **common}])
        conn.execute(sa.insert(SUSPENSIONS).values(
            id=uuid.uuid4(), subject_id=person, scope="all", reason=REASON, source="manual", source_ref="R-1",
            starts_at=NOW, created_by="agent", created_at=NOW,
        ))  # fmt: skip
        conn.execute(sa.insert(EVENTS).values(
            id=uuid.uuid4(), subject_id=person, scope="purpose:customer.mailings", action="given",
            occurred_at=NOW, recorded_at=NOW, separate=False, language="ja", channel="paper",
            collected_by="agent", evidence_ref=EVIDENCE,
        ))  # fmt: skip
        conn.execute(sa.insert(RELATIONS).values(
            id=uuid.uuid4(), subject_id=person, related_subject_id=other, kind="agent", evidence_ref=RELATION,
            valid_from=date(2026, 1, 1), created_at=NOW, created_by="agent",
        ))  # fmt: skip
    return person


def _raw(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(str(value) for (value,) in conn.execute(sa.text(RAW)) if value is not None)


class TestFreeTextMigration:
    def test_clear_values_are_encrypted_on_upgrade_and_restored_on_downgrade(
        self, fresh_database_url: str
    ) -> None:
        command.downgrade(alembic_config(fresh_database_url), "0015")
        engine = make_engine(fresh_database_url)
        try:
            person = _insert_in_clear(engine)
            clear = _raw(engine)
            assert clear == sorted([REASON, "R-1", EVIDENCE, RELATION])
            upgrade(fresh_database_url)
            stored = _raw(engine)
            assert all(value.startswith("dev:") for value in stored)
            assert not any(word in value for value in stored for word in ("山田", "R-1"))
            with unit_of_work(make_session_factory(engine)) as session:
                view = subject_view(session, get_subject(session, person))
                assert [r.evidence_ref for r in view.relationships] == [RELATION]
            command.downgrade(alembic_config(fresh_database_url), "0015")
            assert _raw(engine) == clear
            upgrade(fresh_database_url)
        finally:
            engine.dispose()
