"""Retention sweeps, their records, and legal holds."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response, status
from pydantic import BaseModel, Field

from mamori.api.deps import Runtime, SessionDep, get_runtime, require
from mamori.retention import service
from mamori.retention.holds import active_holds, place_hold, release_hold
from mamori.security.crypto import cipher_from_settings
from mamori.security.rules import Scope
from mamori.security.service import Principal

router = APIRouter(tags=["retention"])
Reader = Annotated[Principal, Depends(require(Scope.RETENTION_READ))]
Runner = Annotated[Principal, Depends(require(Scope.RETENTION_RUN))]
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


class SweepCreate(BaseModel):
    dry_run: bool = Field(default=True, description="count what would go and change nothing (the default)")


class HoldCreate(BaseModel):
    reason: str = Field(min_length=1, max_length=500)
    system: str | None = Field(default=None, max_length=80)
    dataset: str | None = Field(default=None, max_length=80)
    identities: dict[str, list[str]] = Field(default_factory=dict, description="kind → values, e.g. email")


class HoldRead(BaseModel):
    id: uuid.UUID
    reason: str
    dataset: str | None
    identity_kinds: list[str]
    created_by: str
    created_at: str


@router.post(
    "/retention/sweeps",
    status_code=status.HTTP_202_ACCEPTED,
    responses={
        200: {"description": "A dry run, done: what a sweep would remove, per system, dataset and item"}
    },
)
def start_sweep(
    body: SweepCreate, session: SessionDep, runtime: RuntimeDep, caller: Runner, response: Response
) -> dict[str, Any]:
    """A dry run is answered at once (200, counts per system, dataset and item); a sweep is queued (202)."""
    run = service.start_run(session, actor=caller.actor, dry_run=body.dry_run)
    if body.dry_run:
        service.execute_run(session, runtime.settings, run.id)
        response.status_code = status.HTTP_200_OK
    else:
        service.enqueue_sweep(session, run)
        response.headers["Location"] = f"/api/v1/retention/runs/{run.id}"
    return service.run_dict(session, run)


@router.get("/retention/runs")
def list_runs(session: SessionDep, _: Reader) -> list[dict[str, Any]]:
    """The latest runs, newest first, with counts per table."""
    return [service.run_dict(session, run) for run in service.list_runs(session)]


@router.get("/retention/runs/{run_id}")
def get_run(run_id: uuid.UUID, session: SessionDep, _: Reader) -> dict[str, Any]:
    """One run: status, counts per system, dataset and data item, errors."""
    return service.run_dict(session, service.get_run(session, run_id))


@router.get("/retention/holds")
def list_holds(session: SessionDep, _: Reader) -> list[HoldRead]:
    """Manual holds in force (requests and incidents in progress hold their subjects by themselves)."""
    return [_hold(h) for h in active_holds(session)]


@router.post("/retention/holds", status_code=status.HTTP_201_CREATED)
def create_hold(body: HoldCreate, session: SessionDep, runtime: RuntimeDep, caller: Runner) -> HoldRead:
    """Hold a whole dataset or a person's records (identity values are stored encrypted)."""
    hold = place_hold(
        session,
        cipher_from_settings(runtime.settings),
        actor=caller.actor,
        reason=body.reason,
        system=body.system,
        dataset=body.dataset,
        identities=body.identities,
    )
    return _hold(hold)


@router.post("/retention/holds/{hold_id}/release")
def end_hold(hold_id: uuid.UUID, session: SessionDep, caller: Runner) -> HoldRead:
    """Release a manual hold: the next sweep treats its data like any other."""
    return _hold(release_hold(session, actor=caller.actor, hold_id=hold_id))


def _hold(hold: Any) -> HoldRead:
    return HoldRead(
        id=hold.id,
        reason=hold.reason,
        dataset=f"{hold.system}.{hold.dataset}" if hold.system else None,
        identity_kinds=list(hold.identity_kinds or []),
        created_by=hold.created_by,
        created_at=hold.created_at.isoformat(),
    )
