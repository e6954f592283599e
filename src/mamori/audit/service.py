"""Record, list and verify audit events. Callers own the transaction (the event commits with the change)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditChainHead, AuditEvent
from mamori.audit.rules import GENESIS_HASH, Link, VerifyResult, canonical_json, link_hash, verify_links
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
) -> AuditEvent:
    """Append one event to the chain inside the caller's transaction."""
    return record_events(
        session, actor=actor, events=[EventInput(action, target_type, target_id, details or {})]
    )[0]


def record_events(session: Session, *, actor: str, events: Sequence[EventInput]) -> list[AuditEvent]:
    """Append several events at once (one lock, one flush)."""
    head = _lock_head(session)
    now = utcnow()
    rows: list[AuditEvent] = []
    prev, seq = head.hash, head.seq
    for event in events:
        seq += 1
        details = canonical_json(dict(event.details))
        digest = link_hash(prev, seq, now, actor, event.action, event.target_type, event.target_id, details)
        rows.append(
            AuditEvent(
                seq=seq,
                occurred_at=now,
                actor=actor,
                action=event.action,
                target_type=event.target_type,
                target_id=event.target_id,
                details=details,
                prev_hash=prev,
                hash=digest,
            )
        )
        prev = digest
    session.add_all(rows)
    head.seq, head.hash = seq, prev
    session.flush()
    return rows


def list_events(
    session: Session, *, after_seq: int = 0, limit: int = 100, action: str | None = None
) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.seq > after_seq).order_by(AuditEvent.seq).limit(limit)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return list(session.scalars(stmt))


def verify_chain(session: Session, *, batch: int = 20_000) -> VerifyResult:
    """Recompute every hash; the first altered, deleted or reordered event is reported."""
    head = session.get(AuditChainHead, HEAD_ID)
    cols = AuditEvent.__table__.c
    stmt = select(
        cols.seq, cols.occurred_at, cols.actor, cols.action, cols.target_type,
        cols.target_id, cols.details, cols.prev_hash, cols.hash,
    ).order_by(cols.seq)  # fmt: skip
    result = session.execute(stmt.execution_options(yield_per=batch))
    try:
        return verify_links(
            (Link(*row) for row in result),
            head_seq=head.seq if head else None,
            head_hash=head.hash if head else None,
        )
    finally:
        result.close()
