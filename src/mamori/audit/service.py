"""Record, list and verify audit events. Callers own the transaction (the event commits with the change)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditChainHead, AuditEvent
from mamori.audit.parallel import PARALLEL_THRESHOLD, verify_file_in_parallel
from mamori.audit.rules import (
    GENESIS_HASH,
    VerifyResult,
    canonical_json,
    format_instant,
    intact_count,
    link_hash,
    verify_links,
)
from mamori.db.base import utcnow

HEAD_ID = 1


@dataclass(frozen=True, slots=True)
class EventInput:
    """What a room wants recorded. ``details`` must not carry personal data in clear."""

    action: str
    target_type: str
    target_id: str
    details: Mapping[str, Any] = field(default_factory=dict)


def _lock_head(session: Session) -> AuditChainHead:
    head = session.execute(
        select(AuditChainHead).where(AuditChainHead.id == HEAD_ID).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        head = AuditChainHead(id=HEAD_ID, seq=0, hash=GENESIS_HASH)
        session.add(head)
        session.flush()
    return head


def record_event(  # noqa: PLR0913 - the audit vocabulary
    session: Session,
    *,
    actor: str,
    action: str,
    target_type: str,
    target_id: str,
    details: Mapping[str, Any] | None = None,
) -> Recorded:
    """Append one event to the chain inside the caller's transaction."""
    return record_events(
        session, actor=actor, events=[EventInput(action, target_type, target_id, details or {})]
    )[0]


@dataclass(frozen=True, slots=True)
class Recorded:
    seq: int
    hash: str


def record_events(session: Session, *, actor: str, events: Sequence[EventInput]) -> list[Recorded]:
    """Append several events at once: one lock on the chain head, one multi-row insert."""
    head = _lock_head(session)
    now = utcnow()
    instant = format_instant(now)
    rows: list[dict[str, Any]] = []
    prev, seq = head.hash, head.seq
    for event in events:
        seq += 1
        details = canonical_json(dict(event.details))
        digest = link_hash(
            prev, seq, instant, actor, event.action, event.target_type, event.target_id, details
        )
        rows.append(
            {
                "seq": seq,
                "occurred_at": now,
                "actor": actor,
                "action": event.action,
                "target_type": event.target_type,
                "target_id": event.target_id,
                "details": details,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    if rows:
        session.execute(insert(AuditEvent), rows)
    head.seq, head.hash = seq, prev
    session.flush()
    return [Recorded(row["seq"], row["hash"]) for row in rows]


def list_events(
    session: Session, *, after_seq: int = 0, limit: int = 100, action: str | None = None
) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.seq > after_seq).order_by(AuditEvent.seq).limit(limit)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return list(session.scalars(stmt))


_COLUMNS = "seq, occurred_at, actor, action, target_type, target_id, details, prev_hash, hash"
_FAST_COLUMNS = "occurred_at, actor, action, target_type, target_id, details, hash"


def _raw_rows(session: Session, columns: str, batch: int) -> Iterator[tuple[Any, ...]]:
    """Rows straight from the driver (no ORM or type processing: verification reads millions)."""
    cursor = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(f"SELECT {columns} FROM audit_events ORDER BY seq")  # noqa: S608 - fixed text
        while rows := cursor.fetchmany(batch):
            yield from rows
    finally:
        cursor.close()


def _links(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    for row in rows:
        # SQLite returns the instant as the very text that was hashed; other drivers a datetime.
        yield row if isinstance(row[1], str) else (row[0], format_instant(row[1]), *row[2:])


def verify_chain(session: Session, *, batch: int = 10_000) -> VerifyResult:
    """Recompute every hash; the first altered, deleted or reordered event is reported."""
    session.flush()
    head = session.get(AuditChainHead, HEAD_ID)
    head_seq, head_hash = (head.seq, head.hash) if head else (None, None)
    if session.get_bind().dialect.name == "sqlite" and _fast_sqlite_check(
        session, head_seq, head_hash, batch
    ):
        return VerifyResult(ok=True, checked=head_seq or 0)
    return verify_links(_links(_raw_rows(session, _COLUMNS, batch)), head_seq=head_seq, head_hash=head_hash)


def _fast_sqlite_check(session: Session, head_seq: int | None, head_hash: str | None, batch: int) -> bool:
    """True only when the whole chain is certainly intact; False means "look closer"."""
    if head_seq is None:
        return False
    last = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1))
    if last != head_hash:
        return False
    path = session.connection().engine.url.database
    if head_seq >= PARALLEL_THRESHOLD and path and path != ":memory:" and not session.in_nested_transaction():
        # Other processes see committed rows only; the head compared above came from this session,
        # so any uncommitted difference fails the check and falls back to the full path.
        return verify_file_in_parallel(path, head_seq)
    return intact_count(_raw_rows(session, _FAST_COLUMNS, batch)) == head_seq
