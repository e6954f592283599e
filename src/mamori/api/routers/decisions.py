"""Decisions ("may I use this for that?") and audiences (who may be contacted)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from mamori.api.deps import Runtime, SessionDep, get_runtime, require
from mamori.consents.decisions import audiences, service
from mamori.consents.decisions.messages import pick_language
from mamori.db.session import unit_of_work
from mamori.security.rules import Scope
from mamori.security.service import Principal
from mamori.validation import UtcDateTime

router = APIRouter(tags=["decisions"])
Checker = Annotated[Principal, Depends(require(Scope.DECISIONS))]
AudienceReader = Annotated[Principal, Depends(require(Scope.AUDIENCES))]
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
AcceptLanguage = Annotated[str | None, Header()]


class SubjectRef(BaseModel):
    """A subject by id, or by an identifier (kind and value)."""

    model_config = ConfigDict(extra="forbid")
    id: uuid.UUID | None = None
    kind: str | None = Field(default=None, examples=["email"])
    value: str | None = None

    @model_validator(mode="after")
    def _one_way(self) -> SubjectRef:
        if (self.id is None) == (self.kind is None or self.value is None):
            msg = "give either id, or kind and value"
            raise ValueError(msg)
        return self

    def ref(self) -> service.SubjectRef:
        if self.id is not None:
            return self.id
        return (str(self.kind), str(self.value))


class DecisionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject: SubjectRef
    purpose: str = Field(examples=["customer.mailings"])
    items: list[str] = Field(default_factory=list, examples=[["name", "email"]])
    at: UtcDateTime | None = Field(default=None, description="decide as of this instant (default now)")
    lang: str | None = Field(default=None, description="ja, en, zh-Hans or zh-Hant; else Accept-Language")

    def check(self) -> service.CheckInput:
        return service.CheckInput(self.subject.ref(), self.purpose, tuple(self.items), self.at)


class ReasonRead(BaseModel):
    code: str
    message: str
    details: dict[str, Any]


class DecisionRead(BaseModel):
    allowed: bool
    reasons: list[ReasonRead]
    policy_version: int


class EntryError(BaseModel):
    status: int
    code: str
    detail: str
    field: str


class BatchEntryError(BaseModel):
    error: EntryError


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    checks: list[DecisionRequest] = Field(min_length=1, max_length=service.MAX_BATCH)
    lang: str | None = None


class BatchRead(BaseModel):
    results: list[DecisionRead | BatchEntryError]


@router.post("/decisions")
def decide(
    body: DecisionRequest,
    session: SessionDep,
    runtime: RuntimeDep,
    caller: Checker,
    accept_language: AcceptLanguage = None,
) -> DecisionRead:
    """May these items of this subject be used for this purpose now? Refusals are audited."""
    check = body.check()
    result = service.check(
        session,
        runtime.settings,
        actor=caller.actor,
        subject=check.subject,
        purpose_id=check.purpose_id,
        items=check.items,
        at=check.at,
        lang=pick_language(body.lang, accept_language),
    )
    return DecisionRead.model_validate(result)


@router.post("/decisions/batch")
def decide_batch(
    body: BatchRequest,
    session: SessionDep,
    runtime: RuntimeDep,
    caller: Checker,
    accept_language: AcceptLanguage = None,
) -> BatchRead:
    """Up to 10,000 decisions; an unknown subject gives that entry an error object."""
    lang = pick_language(body.lang, accept_language)
    results = service.check_batch(
        session, runtime.settings, actor=caller.actor, checks=[c.check() for c in body.checks], lang=lang
    )
    return BatchRead(
        results=[
            BatchEntryError.model_validate(r.as_dict())
            if isinstance(r, service.CheckError)
            else DecisionRead.model_validate(r)
            for r in results
        ]
    )


class AudienceFiltersIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    jurisdiction: Literal["JP", "CN"] | None = None
    language: str | None = None
    min_age: int | None = Field(default=None, ge=0, le=150)


class AudienceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    purpose: str = Field(examples=["customer.mailings"])
    channel: Literal["email", "post", "phone", "any"] = "any"
    category: str = Field(default="customers", examples=["customers"])
    filters: AudienceFiltersIn = Field(default_factory=AudienceFiltersIn)
    at: UtcDateTime | None = None

    def request(self) -> audiences.AudienceRequest:
        f = self.filters
        filters = audiences.AudienceFilters(
            jurisdiction=f.jurisdiction, language=f.language, min_age=f.min_age
        )
        return audiences.AudienceRequest(self.purpose, self.channel, self.category, filters, self.at)


@router.post(
    "/audiences",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {}, "text/csv": {}}}},
)
def audience(  # noqa: PLR0913 - FastAPI parameters
    body: AudienceIn,
    session: SessionDep,
    runtime: RuntimeDep,
    caller: AudienceReader,
    format: Annotated[Literal["jsonl", "csv"] | None, Query()] = None,  # noqa: A002 - the query name
    accept: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    """The subjects who may be contacted for a purpose: JSON lines (default) or CSV, streamed."""
    request = body.request()
    policy, _, _ = audiences.prepare(session, request)
    audiences.record_audience(session, actor=caller.actor, request=request, policy=policy)
    as_csv = format == "csv" or (format is None and "text/csv" in (accept or ""))
    lines = _lines(runtime, request, csv_format=as_csv)
    media = "text/csv; charset=utf-8" if as_csv else "application/x-ndjson"
    return StreamingResponse(lines, media_type=media)


def _lines(runtime: Runtime, request: audiences.AudienceRequest, *, csv_format: bool) -> Iterator[str]:
    """The audience as text, in its own read transaction (the response streams after the request's)."""
    with unit_of_work(runtime.read_session_factory) as session:
        yield from audiences.stream_audience_text(session, request, csv_format=csv_format)
