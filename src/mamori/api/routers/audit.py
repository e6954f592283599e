from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from mamori.api.deps import SessionDep, require
from mamori.audit import service
from mamori.audit.models import AuditEvent
from mamori.policy.integrity import verify_versions
from mamori.security.rules import Scope
from mamori.security.service import Principal
from mamori.validation import MAX_INT64

router = APIRouter(prefix="/audit", tags=["audit"])
Auditor = Annotated[Principal, Depends(require(Scope.AUDIT_READ))]


class AuditEventRead(BaseModel):
    seq: int
    occurred_at: datetime
    actor: str
    action: str
    target_type: str
    target_id: str
    details: dict[str, Any]
    prev_hash: str
    hash: str

    @classmethod
    def of(cls, event: AuditEvent) -> AuditEventRead:
        return cls(
            seq=event.seq,
            occurred_at=event.occurred_at,
            actor=event.actor,
            action=event.action,
            target_type=event.target_type,
            target_id=event.target_id,
            details=json.loads(event.details),
            prev_hash=event.prev_hash,
            hash=event.hash,
        )


class AuditVerifyRead(BaseModel):
    ok: bool
    checked: int
    problem: str | None
    seq: int | None = Field(description="number of the first bad event (none when it is missing)")
    chain: int | None = Field(default=None, description="the hash chain of the first bad link")
    link: int | None = Field(default=None, description="its position in that chain")
    policy_versions: list[str] = Field(
        default_factory=list,
        description="problems of published policy versions (content vs hash vs the audited hash)",
    )


@router.get("")
def list_audit_events(
    session: SessionDep,
    _: Auditor,
    after: Annotated[
        int, Query(ge=0, le=MAX_INT64, description="return events with seq greater than this")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    action: str | None = None,
) -> list[AuditEventRead]:
    """Audit events in chain order, paged by sequence number."""
    return [
        AuditEventRead.of(e)
        for e in service.list_events(session, after_seq=after, limit=limit, action=action)
    ]


@router.get("/verify")
def verify_audit_chain(session: SessionDep, _: Auditor) -> AuditVerifyRead:
    """Recompute the hash chain and report the first altered, missing or reordered event."""
    result = service.verify_chain(session)
    versions = verify_versions(session)
    return AuditVerifyRead(
        ok=result.ok and not versions,
        policy_versions=versions,
        checked=result.checked,
        problem=result.problem,
        seq=result.seq,
        chain=result.chain,
        link=result.link,
    )
