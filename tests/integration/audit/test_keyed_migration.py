"""Migration 0016_audit: a log written with plain hashes is sealed and keeps verifying; its plain
prefix cannot be rewritten afterwards, nor can keyed events be turned back into plain ones."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, make_url, text

from mamori.audit.rules import GENESIS_HASH, SEAL_ACTION, format_instant, link_hash
from mamori.audit.service import record_event, verify_chain
from mamori.db.migrate import upgrade
from mamori.db.session import make_engine, make_session_factory, unit_of_work

LEGACY_EVENTS = 5


@pytest.fixture
def before_keying(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A new database migrated up to the revision before keyed chaining."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'legacy.db'}"
        upgrade(url, "0015")
        yield url
        return
    base = make_url(database_url)
    name = f"mamori_t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url, "0015")
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _write_plain_chain(engine: Engine) -> None:
    """Events as the code before 0016 wrote them: chain 1, SHA-256 of the published formula."""
    postgres = engine.dialect.name == "postgresql"
    now = datetime.now(UTC)
    instant = format_instant(now)
    prev = GENESIS_HASH
    with engine.begin() as conn:
        for link in range(1, LEGACY_EVENTS + 1):
            seq = conn.execute(text("SELECT nextval('audit_event_seq')")).scalar_one() if postgres else link
            fields = ("user:old", "thing.done", "thing", f"t{link}", "{}")
            digest = link_hash(prev, link, instant, *fields)
            conn.execute(
                text(
                    "INSERT INTO audit_events (seq, chain, link, occurred_at, actor, action, target_type,"
                    " target_id, details, prev_hash, hash) VALUES (:seq, 1, :link, :at, :actor, :action,"
                    " :tt, :tid, :details, :prev, :hash)"
                ),
                {"seq": seq, "link": link, "at": now if postgres else instant, "prev": prev, "hash": digest,
                 **dict(zip(("actor", "action", "tt", "tid", "details"), fields, strict=True))},
            )  # fmt: skip
            prev = digest
        if postgres:
            conn.execute(
                text("UPDATE audit_chain_heads SET seq = :n, hash = :h WHERE id = 1"), {"n": link, "h": prev}
            )
        else:
            conn.execute(
                text("INSERT INTO audit_chain_heads (id, seq, hash) VALUES (1, :n, :h)"),
                {"n": link, "h": prev},
            )


@pytest.fixture
def sealed(before_keying: str) -> Iterator[Engine]:
    engine = make_engine(before_keying)
    _write_plain_chain(engine)
    upgrade(before_keying)
    with unit_of_work(make_session_factory(engine)) as session:
        record_event(session, actor="user:new", action="thing.done", target_type="thing", target_id="new")
    yield engine
    engine.dispose()


def _verify(engine: Engine) -> tuple[bool, int]:
    with unit_of_work(make_session_factory(engine)) as session:
        result = verify_chain(session)
    return result.ok, result.checked


class TestSeal:
    def test_old_events_verify_after_the_upgrade(self, sealed: Engine) -> None:
        assert _verify(sealed) == (True, LEGACY_EVENTS + 2)  # the old ones, the seal, a new one
        with sealed.connect() as conn:
            seal = conn.execute(
                text("SELECT link FROM audit_events WHERE action = :a"), {"a": SEAL_ACTION}
            ).all()
        assert seal == [(LEGACY_EVENTS + 1,)]

    def test_a_rewritten_plain_prefix_fails(self, sealed: Engine) -> None:
        with sealed.begin() as conn:
            conn.execute(text("UPDATE audit_events SET actor = 'user:eve' WHERE chain = 1 AND link = 2"))
        assert not _verify(sealed)[0]

    def test_dropping_the_seal_and_what_follows_fails(self, sealed: Engine) -> None:
        # Back to a plain-only chain, which anyone could have computed: not accepted any more.
        with sealed.begin() as conn:
            conn.execute(text("DELETE FROM audit_events WHERE chain = 1 AND link > :n"), {"n": LEGACY_EVENTS})
            last = conn.execute(
                text("SELECT hash FROM audit_events WHERE chain = 1 AND link = :n"), {"n": LEGACY_EVENTS}
            ).scalar_one()
            conn.execute(text("UPDATE audit_chain_heads SET seq = :n, hash = :h WHERE id = 1"),
                         {"n": LEGACY_EVENTS, "h": last})  # fmt: skip
        assert not _verify(sealed)[0]
