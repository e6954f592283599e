"""The data map and fulfillment runs across the organisation's systems."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response, status
from pydantic import BaseModel

from mamori.api.deps import Runtime, SessionDep, get_principal, get_runtime, require
from mamori.api.openapi import binary
from mamori.api.prefer import preferred_wait
from mamori.datamap import ledger
from mamori.datamap.service import check_live, current_bundle
from mamori.db.session import commit_now
from mamori.dsr.service.runs import start_case_run
from mamori.errors import Forbidden, ValidationFailed
from mamori.fulfillment import service
from mamori.fulfillment.break_glass import start_break_glass_run
from mamori.fulfillment.schemas import LanguageCode, RunCreate, RunRead
from mamori.fulfillment.waiting import RunWaiter
from mamori.security.rules import Scope
from mamori.security.service import Principal

router = APIRouter(tags=["datamap"])
Reader = Annotated[Principal, Depends(require(Scope.DATAMAP_READ))]
Writer = Annotated[Principal, Depends(require(Scope.DATAMAP_WRITE))]
Caller = Annotated[Principal, Depends(get_principal)]
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
LEDGER = binary("text/csv", MEDIA["xlsx"])


class DatasetSummary(BaseModel):
    id: str
    name: str
    personal_fields: list[str]
    retention: str | None


class SystemSummary(BaseModel):
    id: str
    kind: str
    name: str
    datasets: list[DatasetSummary]


class FindingRead(BaseModel):
    kind: str
    where: str
    message: str


@router.get("/datamap")
def list_systems(session: SessionDep, _: Reader, lang: LanguageCode = "ja") -> list[SystemSummary]:
    """The systems and datasets of the data map in force, with their personal fields."""
    return [
        SystemSummary(
            id=s.id,
            kind=s.connection.kind,
            name=s.name.get(lang),
            datasets=[
                DatasetSummary(
                    id=d.id,
                    name=d.name.get(lang),
                    retention=d.retention,
                    personal_fields=[f.name for f in d.personal_fields],
                )
                for d in s.datasets
            ],
        )
        for s in current_bundle(session).datamap
    ]


@router.get("/datamap/ledger", response_class=Response, responses=LEDGER)
def export_ledger(
    session: SessionDep,
    _: Reader,
    lang: LanguageCode = "ja",
    fmt: Annotated[Literal["csv", "xlsx"], Query(alias="format")] = "csv",
) -> Response:
    """The personal-information ledger (JIS Q 15001 columns) as CSV (UTF-8) or XLSX."""
    rows = ledger.ledger_rows(current_bundle(session), lang)
    body = ledger.ledger_csv(rows) if fmt == "csv" else ledger.ledger_xlsx(rows)
    headers = {"Content-Disposition": f'attachment; filename="ledger-{lang}.{fmt}"'}
    return Response(body, media_type=MEDIA[fmt], headers=headers)


@router.get("/datamap/check")
def check_map(session: SessionDep, _: Reader) -> list[FindingRead]:
    """Differences between the map and the live schema of each system (empty when they match)."""
    return [
        FindingRead(kind=f.kind, where=f.where, message=f.message)
        for f in check_live(current_bundle(session).datamap)
    ]


FINISHED_IN_TIME: dict[int | str, dict[str, Any]] = {
    status.HTTP_200_OK: {
        "model": RunRead,
        "description": "Finished within the seconds asked for by 'Prefer: wait=N' (RFC 7240);"
        " the header Preference-Applied says so. An access run's package is included for the"
        " roles that answer requests (audited as fulfillment.package_read).",
    }
}


@router.post("/fulfillment/runs", status_code=status.HTTP_202_ACCEPTED, responses=FINISHED_IN_TIME)
def start_run(  # noqa: PLR0913 - the body, the request's headers and the dependencies
    body: RunCreate,
    session: SessionDep,
    runtime: RuntimeDep,
    caller: Caller,
    request: Request,
    response: Response,
) -> RunRead:
    """Start a run for an accepted request case (or, privacy officer, break-glass with a reason).

    With ``Prefer: wait=N`` (at most 10 seconds) the answer waits for the run: 200 with the
    finished run when it ends in time, else the usual 202 (poll ``GET /fulfillment/runs/{id}``).
    """
    run_id = _start(body, session, runtime, caller)
    wait = preferred_wait(request.headers.get("prefer"))
    if wait is None:
        return service.get_run(session, run_id, settings=runtime.settings, include_package=False)
    if runtime.run_listener is not None:
        runtime.run_listener.ensure_started()
    with RunWaiter(run_id) as waiter:  # listening before the commit: the end cannot be missed
        commit_now(session)  # the worker must see the run (and be woken) before we wait for it
        finished = waiter.wait(runtime.read_session_factory, wait)
    if not finished:
        return service.get_run(session, run_id, settings=runtime.settings, include_package=False)
    response.status_code = status.HTTP_200_OK
    response.headers["Preference-Applied"] = f"wait={wait}"
    if Scope.REQUESTS_WRITE in caller.scopes:
        return service.read_package(session, run_id, actor=caller.actor, settings=runtime.settings)
    return service.get_run(session, run_id, settings=runtime.settings, include_package=False)


def _start(body: RunCreate, session: SessionDep, runtime: Runtime, caller: Principal) -> uuid.UUID:
    identities = [(i.kind, i.value) for i in body.identities]
    if body.break_glass:
        _need(caller, Scope.FULFILLMENT_BREAK_GLASS)
        run_id = start_break_glass_run(
            session,
            actor=caller.actor,
            reason=body.reason or "",
            action=body.action,
            identities=identities,
            reference=body.case_ref,
            changes=body.changes,
            language=body.language or "ja",
            settings=runtime.settings,
        )
    else:
        _need(caller, Scope.FULFILLMENT_RUN)
        if body.case_ref is None:
            message = "name the accepted request case this run answers (case_ref)"
            raise ValidationFailed(message, details={"errors": [{"field": "case_ref", "message": message}]})
        run_id = start_case_run(
            session,
            actor=caller.actor,
            case_ref=body.case_ref,
            action=body.action,
            identities=identities,
            changes=body.changes,
            language=body.language,
            settings=runtime.settings,
        )
    return run_id


def _need(caller: Principal, scope: Scope) -> None:
    if scope not in caller.scopes:
        raise Forbidden(f"this token lacks the scope {scope.value!r}")


@router.get("/fulfillment/runs/{run_id}")
def get_run(
    run_id: uuid.UUID, session: SessionDep, runtime: RuntimeDep, caller: Reader, package: bool = False
) -> RunRead:
    """A run's state, counts and errors per system and table; ``package=true`` adds the access package.

    The package is the person's data: only the roles that answer requests may read it, and each
    read is audited (``fulfillment.package_read``).
    """
    if not package:
        return service.get_run(session, run_id, settings=runtime.settings, include_package=False)
    if Scope.REQUESTS_WRITE not in caller.scopes:
        raise Forbidden("the access package is read by the roles that answer requests (requests:write)")
    return service.read_package(session, run_id, actor=caller.actor, settings=runtime.settings)


@router.post("/fulfillment/runs/{run_id}/retry", status_code=status.HTTP_202_ACCEPTED)
def retry_run(run_id: uuid.UUID, session: SessionDep, runtime: RuntimeDep, caller: Writer) -> RunRead:
    """Queue a failed run again (every action is idempotent)."""
    service.retry_run(session, actor=caller.actor, run_id=run_id)
    return service.get_run(session, run_id, settings=runtime.settings, include_package=False)
