"""Check every published version against its hash and against the audit event that published it."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.policy.models import PolicyVersion
from mamori.policy.rules import content_hash


def _published_events(session: Session) -> dict[str, str | None]:
    """Version id → the content hash its ``policy.published`` event recorded (the chain vouches for it)."""
    stmt = select(AuditEvent.target_id, AuditEvent.details).where(AuditEvent.action == "policy.published")
    recorded: dict[str, str | None] = {}
    for target_id, details in session.execute(stmt):
        try:
            value: Any = json.loads(details).get("content_hash")
        except (ValueError, AttributeError):
            value = None
        recorded[target_id] = value if isinstance(value, str) else None
    return recorded


def verify_versions(session: Session) -> list[str]:
    """Each problem found, in words; empty when every version is intact.

    A version's content must match its stored hash, and that hash must be the one recorded in
    the audit log when it was published (so content and hash changed together are caught too).
    A published version implies its event: an emptied log does not pass for an empty one.
    Rows are read directly, never from the per-process cache of versions.
    """
    session.flush()
    recorded = _published_events(session)
    stmt = select(PolicyVersion.id, PolicyVersion.number, PolicyVersion.content, PolicyVersion.content_hash)
    problems, seen = [], set()
    for version_id, number, content, stored_hash in session.execute(stmt.order_by(PolicyVersion.number)):
        seen.add(str(version_id))
        if content_hash(content) != stored_hash:
            problems.append(f"policy version {number}: its content no longer matches its hash")
        if str(version_id) not in recorded:
            problems.append(f"policy version {number}: no audit event publishes it (events deleted?)")
        elif recorded[str(version_id)] != stored_hash:
            problems.append(
                f"policy version {number}: its hash differs from the one recorded when it was published"
            )
    problems.extend(
        f"policy version {version_id}: published according to the audit log, but missing from the database"
        for version_id in sorted(set(recorded) - seen)
    )
    return problems
