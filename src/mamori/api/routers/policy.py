from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from mamori.api.deps import SessionDep, require
from mamori.policy import service
from mamori.policy.changes import texts
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


class ClassifiedChange(BaseModel):
    change_class: str = Field(
        serialization_alias="class",
        description="publish, announce, announce_in_advance, related_change or needs_consent",
    )
    rule: str
    text: str = Field(description="the rule in the requested language")
    target: str
    path: str
    details: dict[str, Any]
    justification: dict[str, str] | None
    missing: str | None = Field(description="what publishing such a change lacks (None: nothing)")


@router.get("/diff", response_model_by_alias=True)
def diff_policy_versions(
    session: SessionDep, _: Reader, old: str = "current", new: str = "latest", lang: str = "ja"
) -> list[ClassifiedChange]:
    """Each change between two versions (number, id, 'current' or 'latest') with its class."""
    before, after = service.get_version(session, old), service.get_version(session, new)
    return [
        ClassifiedChange(
            change_class=c.change_class.value, rule=c.rule, text=texts.rule_text(c, lang), target=c.target,
            path=c.path, details=c.details, justification=c.justification, missing=c.missing,
        )
        for c in service.classify_versions(before, after)
    ]  # fmt: skip
