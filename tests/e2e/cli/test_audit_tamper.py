"""Someone with write access to the database alters the log; ``mamori audit verify`` must notice.

Each case is run on a real, committed database (SQLite file or a PostgreSQL database of its own)
through the command an auditor runs, in its own process.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Connection, select, text, update

from mamori.audit.service import EventInput, record_events
from mamori.config import DEFAULT_POLICY_DIR
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.policy.models import PolicyVersion
from mamori.policy.rules import content_hash
from mamori.policy.service import publish_bundle
from tests.e2e.cli.test_cli import mamori

Tamper = Callable[[Connection], None]


def _populate(url: str) -> None:
    """A published policy and three audited transactions of four events each: 13 events."""
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        publish_bundle(session, actor="officer", directory=DEFAULT_POLICY_DIR)
    for batch in range(3):
        with unit_of_work(factory) as session:
            events = [EventInput("thing.done", "thing", f"t{batch}-{i}", {"i": i}) for i in range(4)]
            record_events(session, actor="user:test", events=events)
    engine.dispose()


def _last_seq(conn: Connection) -> int:
    return int(conn.execute(text("SELECT max(seq) FROM audit_events")).scalar_one())


def _chain_of_last(conn: Connection) -> int:
    stmt = text("SELECT chain FROM audit_events WHERE seq = :s")
    return int(conn.execute(stmt, {"s": _last_seq(conn)}).scalar_one())


def _delete_everything(conn: Connection) -> None:
    conn.execute(text("DELETE FROM audit_events"))
    conn.execute(text("DELETE FROM audit_chain_heads"))


def _truncate_tail_and_head(conn: Connection) -> None:
    chain = conn.execute(
        text("SELECT chain FROM audit_events WHERE seq = :s"), {"s": _last_seq(conn)}
    ).scalar()
    conn.execute(text("DELETE FROM audit_events WHERE seq = :s"), {"s": _last_seq(conn)})
    conn.execute(text("DELETE FROM audit_chain_heads WHERE id = :c"), {"c": chain})


def _change_seq(conn: Connection) -> None:
    conn.execute(text("UPDATE audit_events SET seq = seq + 100 WHERE seq = :s"), {"s": _last_seq(conn)})


def _gap_in_seq(conn: Connection) -> None:
    first = int(
        conn.execute(text("SELECT min(seq) FROM audit_events WHERE actor = 'user:test'")).scalar_one()
    )
    rows = conn.execute(text("SELECT seq FROM audit_events WHERE seq >= :f ORDER BY seq DESC"), {"f": first})
    for (seq,) in list(rows):
        conn.execute(text("UPDATE audit_events SET seq = :n WHERE seq = :s"), {"n": seq + 7, "s": seq})


def _change_prev_hash(conn: Connection) -> None:
    conn.execute(
        text("UPDATE audit_events SET prev_hash = :h WHERE seq = :s"),
        {"h": "f" * 64, "s": _last_seq(conn) - 2},
    )


def _change_field(conn: Connection) -> None:
    conn.execute(
        text("UPDATE audit_events SET target_id = 'forged' WHERE seq = :s"), {"s": _last_seq(conn) - 3}
    )


def _plain_hash(prev: str, link: int, row: Any, actor: str) -> str:
    """The published SHA-256 formula of decision 0002: anyone can compute it without a key."""
    occurred_at = row.occurred_at
    if not isinstance(occurred_at, str):
        occurred_at = occurred_at.strftime("%Y-%m-%d %H:%M:%S.%f")
    payload = "\x1f".join(
        (prev, str(link), occurred_at, actor, row.action, row.target_type, row.target_id, row.details)
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _rewrite_with_plain_hashes(conn: Connection) -> None:
    """Change one actor, then recompute every later hash and the head as the attacker can."""
    chain = conn.execute(
        text("SELECT chain FROM audit_events WHERE seq = :s"), {"s": _last_seq(conn)}
    ).scalar()
    rows = conn.execute(text("SELECT * FROM audit_events WHERE chain = :c ORDER BY link"), {"c": chain}).all()
    prev = rows[0].prev_hash
    for row in rows:
        actor = "user:nobody" if row.link == 3 else row.actor
        digest = _plain_hash(prev, row.link, row, actor)
        conn.execute(
            text("UPDATE audit_events SET actor = :a, prev_hash = :p, hash = :h WHERE seq = :s"),
            {"a": actor, "p": prev, "h": digest, "s": row.seq},
        )
        prev = digest
    conn.execute(text("UPDATE audit_chain_heads SET hash = :h WHERE id = :c"), {"h": prev, "c": chain})


def _edit_policy(conn: Connection, *, rehash: bool) -> None:
    content = conn.execute(select(PolicyVersion.content).where(PolicyVersion.number == 1)).scalar_one()
    content["contact_centre"]["closes"] = "23:59"
    values: dict[str, Any] = {"content": content}
    if rehash:
        values["content_hash"] = content_hash(content)
    conn.execute(update(PolicyVersion).where(PolicyVersion.number == 1).values(**values))


TAMPERING: dict[str, Tamper] = {
    "every event and head deleted": _delete_everything,
    "tail truncated and its head row deleted": _truncate_tail_and_head,
    "only seq changed": _change_seq,
    "gap in seq": _gap_in_seq,
    "only the stored prev_hash changed": _change_prev_hash,
    "a field changed": _change_field,
    "rewritten with recomputed plain hashes": _rewrite_with_plain_hashes,
    "published policy content edited": lambda conn: _edit_policy(conn, rehash=False),
    "published policy content and its hash edited": lambda conn: _edit_policy(conn, rehash=True),
}


@pytest.mark.parametrize("tamper", TAMPERING.values(), ids=TAMPERING.keys())
def test_audit_verify_detects(fresh_database_url: str, tamper: Tamper) -> None:
    _populate(fresh_database_url)
    intact = mamori(fresh_database_url, "audit", "verify")
    assert intact.returncode == 0, intact.stderr
    assert "OK: 13 events" in intact.stdout
    engine = make_engine(fresh_database_url)
    with engine.begin() as conn:
        tamper(conn)
    engine.dispose()
    broken = mamori(fresh_database_url, "audit", "verify")
    assert broken.returncode == 1, broken.stdout
    assert "FAILED" in broken.stderr
