from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from mamori.api.deps import SessionDep, require
from mamori.policy import service
from mamori.policy.models import PolicyVersion
from mamori.security.rules import Scope
from mamori.security.service import Principal

router = APIRouter(prefix="/policy", tags=["policy"])
Reader = Annotated[Principal, Depends(require(Scope.POLICY_READ))]


class PolicyVersionSummary(BaseModel):
    id: uuid.UUID
    number: int
    bundle_id: str
    content_hash: str
    published_by: str
    published_at: datetime
    effective_date: date
    note: str | None

    @classmethod
    def of(cls, version: PolicyVersion) -> PolicyVersionSummary:
        return cls.model_validate(version, from_attributes=True)


class PolicyVersionRead(PolicyVersionSummary):
    content: dict[str, Any]


@router.get("")
def current_policy(session: SessionDep, _: Reader) -> PolicyVersionRead:
    """The currently published policy version with its full content."""
    return PolicyVersionRead.model_validate(service.require_current_version(session), from_attributes=True)


@router.get("/versions")
def list_policy_versions(session: SessionDep, _: Reader) -> list[PolicyVersionSummary]:
    """Every published version, oldest first."""
    return [PolicyVersionSummary.of(v) for v in service.list_versions(session)]


@router.get("/versions/{ref}")
def get_policy_version(ref: str, session: SessionDep, _: Reader) -> PolicyVersionRead:
    """One version by number, id or 'current'."""
    return PolicyVersionRead.model_validate(service.get_version(session, ref), from_attributes=True)
