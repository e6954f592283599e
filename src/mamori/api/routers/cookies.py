"""Cookie consents for the site's backend: may this tag run for this browser; record; export."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mamori.api.deps import ReadSessionDep, SessionDep, require
from mamori.cookies import service
from mamori.security.rules import Scope
from mamori.security.service import Principal
from mamori.validation import UtcDateTime

router = APIRouter(tags=["cookies"])
Checker = Annotated[Principal, Depends(require(Scope.DECISIONS))]
Writer = Annotated[Principal, Depends(require(Scope.CONSENTS_WRITE))]
Reader = Annotated[Principal, Depends(require(Scope.CONSENTS_READ))]
MAX_RECORDS = 10_000


class TagDecisionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    property: str = Field(examples=["www"], max_length=80)
    item: str = Field(examples=["ga4"], max_length=80, description="the inventory item (tag) id")
    browser: uuid.UUID = Field(description="the pseudonymous browser ID in the mamori_consent cookie")


class TagDecisionRead(BaseModel):
    allowed: bool
    verdict: str = Field(
        description="allowed, strictly_necessary, refused, refused_by_gpc, no_consent or consent_outdated"
    )
    inventory_hash: str
    policy_version: int


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    property: str = Field(max_length=80)
    browser: uuid.UUID
    inventory_hash: str = Field(min_length=64, max_length=64)
    choices: dict[str, bool] = Field(default_factory=dict, max_length=50)
    gpc: bool = False
    source: str = Field(default="api", max_length=20)
    language: str = Field(default="ja", max_length=10)

    def given(self) -> service.ConsentInput:
        return service.ConsentInput(
            property_id=self.property,
            browser_id=self.browser,
            inventory_hash=self.inventory_hash,
            choices=self.choices,
            gpc=self.gpc,
            source=self.source,
            language=self.language,
        )


class ConsentBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    records: list[ConsentIn] = Field(min_length=1, max_length=MAX_RECORDS)


class RecordedRead(BaseModel):
    ids: list[uuid.UUID]
    policy_version: int


class ExportRead(BaseModel):
    records: list[dict[str, Any]]


@router.post("/cookies/decisions")
def may_tag_run(body: TagDecisionRequest, session: ReadSessionDep, _caller: Checker) -> TagDecisionRead:
    """May this tag run for this browser now (its latest choice for the inventory in force)?"""
    inventory = service.current_inventory(session)
    decision = service.decide(session, inventory, body.property, body.item, body.browser)
    return TagDecisionRead(
        allowed=decision.allowed,
        verdict=decision.verdict.value,
        inventory_hash=inventory.hash_of(body.property),
        policy_version=inventory.version,
    )


async def _consent_batch(request: Request) -> ConsentBatch:
    """The body parsed and validated in one pass (pydantic's JSON parser) instead of FastAPI's two.

    A bulk endpoint: ``json.loads`` into Python objects, then validating them, costs about twice
    ``model_validate_json``. Errors keep FastAPI's shape (``loc`` starting with ``body``).
    """
    raw = await request.body()
    try:
        return ConsentBatch.model_validate_json(raw)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors) from None


_BATCH_SCHEMA = {
    "type": "object",
    "title": "ConsentBatch",
    "additionalProperties": False,
    "required": ["records"],
    "properties": {
        "records": {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_RECORDS,
            "items": ConsentIn.model_json_schema(),
        }
    },
}


@router.post(
    "/cookies/consents",
    status_code=201,
    response_model=RecordedRead,
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": _BATCH_SCHEMA}}}
    },
)
def record_consents(
    _caller: Writer, body: Annotated[ConsentBatch, Depends(_consent_batch)], session: SessionDep
) -> Response:
    """Append up to 10,000 browser consent records (GPC refusals applied); all or none are stored.

    The transaction commits before the answer is sent (the session dependency's scope), so an id
    in the answer is a stored record. The answer is written directly (the ids are made here, no
    second validation of 10,000 UUIDs by the response model).
    """
    inventory = service.current_inventory(session)
    ids = service.record_consents(session, inventory, [record.given() for record in body.records])
    answer = {"ids": [str(i) for i in ids], "policy_version": inventory.version}
    return Response(json.dumps(answer, separators=(",", ":")), 201, media_type="application/json")


@router.get("/cookies/consents")
def export_consents(
    session: ReadSessionDep,
    _caller: Reader,
    web_property: Annotated[str | None, Query(alias="property", max_length=80)] = None,
    after: Annotated[UtcDateTime | None, Query(description="records after this instant")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> ExportRead:
    """Browser consent records, oldest first, in the ISO/IEC TS 27560 field structure."""
    return ExportRead(
        records=service.export_consents(session, property_id=web_property, after=after, limit=limit)
    )
