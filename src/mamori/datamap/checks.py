"""Checks of the data map against the live systems, kept in the audit log so the last result can be shown.

The findings name systems, tables and columns (the schema), never values, so they go into the
event's details as they are.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.audit.service import record_event
from mamori.datamap.service import Finding, check_live, current_bundle
from mamori.db.base import utcnow

ACTION = "datamap.checked"


@dataclass(frozen=True, slots=True)
class CheckResult:
    at: datetime
    actor: str
    systems: int
    findings: list[Finding]


def run_check(session: Session, *, actor: str) -> CheckResult:
    """Check every system of the data map in force now; record the result (audit ``datamap.checked``).

    Raises:
        NotFound: no policy in force, or it has no data map.
    """
    systems = current_bundle(session).datamap
    findings = check_live(list(systems))
    record_event(
        session, actor=actor, action=ACTION, target_type="datamap", target_id="current",
        details={"systems": len(systems),
                 "findings": [{"kind": f.kind, "where": f.where, "message": f.message} for f in findings]},
    )  # fmt: skip
    return CheckResult(utcnow(), actor, len(systems), findings)


def last_check(session: Session) -> CheckResult | None:
    """The latest recorded check, or None when the map was never checked."""
    stmt = select(AuditEvent).where(AuditEvent.action == ACTION).order_by(AuditEvent.seq.desc()).limit(1)
    event = session.scalars(stmt).first()
    if event is None:
        return None
    details = json.loads(event.details)
    found = [Finding(f["kind"], f["where"], f["message"]) for f in details.get("findings", [])]
    return CheckResult(event.occurred_at, event.actor, int(details.get("systems", 0)), found)
