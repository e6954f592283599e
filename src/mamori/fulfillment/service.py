"""Start, execute, read and retry fulfillment runs. Entry points own the transactions.

Identities, corrections, the keys found and the access package are stored encrypted; job
payloads, audit details and errors carry run ids, kinds, counts and field names only.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session, sessionmaker

from mamori.audit.service import record_event
from mamori.config import Settings, get_settings
from mamori.db import signals
from mamori.db.base import utcnow
from mamori.db.queue import enqueue
from mamori.db.session import unit_of_work
from mamori.errors import InvalidTransition, NotFound, ValidationFailed
from mamori.fulfillment.identities import Identities, expand_subjects, identity_map
from mamori.fulfillment.models import FulfillmentRun, FulfillmentRunSystem, FulfillmentRunTable
from mamori.fulfillment.rules import ACTIONS, Graph
from mamori.fulfillment.runner import Job, Outcome, perform, snapshot_from_json, snapshot_to_json
from mamori.fulfillment.schemas import RunRead, SystemRead, TableRead
from mamori.fulfillment.store import (
    claim_run,
    claimed_bundle,
    holder_until,
    record_outcome,
    still_held,
    version_bundle,
)
from mamori.fulfillment.traversal import Pending
from mamori.policy.schema import LANGUAGES
from mamori.security.crypto import FieldCipher, cipher_from_settings

TASK_KIND = "fulfillment.run"
_INSERT_RUN = insert(FulfillmentRun)
FOLLOW_UP_MARGIN = timedelta(seconds=1)
logger = logging.getLogger("mamori.fulfillment")


@dataclass(frozen=True)
class Started:
    """One execution of a run: what it needs, and the token of its lease."""

    job: Job
    token: str
    attempts: int


def _context(run_id: uuid.UUID, part: str) -> str:
    return f"fulfillment_runs.{part}:{run_id}"


def _seal(cipher: FieldCipher, run_id: uuid.UUID, part: str, value: Any) -> str:
    return cipher.encrypt(json.dumps(value, ensure_ascii=False, default=str), context=_context(run_id, part))


def _open(cipher: FieldCipher, run_id: uuid.UUID, part: str, token: str | None) -> Any:
    return None if token is None else json.loads(cipher.decrypt(token, context=_context(run_id, part)))


def _problems(  # noqa: PLR0913 - every input of a run is checked at once
    graph: Graph,
    *,
    action: str,
    identities: dict[str, list[str]],
    case_ref: str,
    changes: Mapping[str, Any] | None,
    language: str,
) -> list[dict[str, str]]:
    problems = []
    if action not in ACTIONS:
        problems.append({"field": "action", "message": f"one of {', '.join(ACTIONS)}"})
    if not case_ref.strip() or len(case_ref) > 200:  # noqa: PLR2004 - the column's length
        problems.append({"field": "case_ref", "message": "1 to 200 characters"})
    if language not in LANGUAGES:
        problems.append({"field": "language", "message": f"one of {', '.join(LANGUAGES)}"})
    known = {f.identity for s in graph.systems.values() for d in s.datasets for f in d.fields if f.identity}
    if not identities:
        problems.append({"field": "identities", "message": "at least one identity value is needed"})
    problems += [
        {"field": f"identities.{k}", "message": f"no mapped field holds the identity {k!r}"}
        for k in identities
        if k not in known
    ]
    problems += _change_problems(graph, action, changes)
    return problems


def _change_problems(graph: Graph, action: str, changes: Mapping[str, Any] | None) -> list[dict[str, str]]:
    if action != "correct":
        return [{"field": "changes", "message": "only a correction takes changes"}] if changes else []
    if not changes:
        return [{"field": "changes", "message": "a correction needs at least one change"}]
    targets = {f.item for s in graph.systems.values() for d in s.datasets for f in d.fields if f.item}
    targets |= {
        f"{s.id}.{d.id}.{f.name}" for s in graph.systems.values() for d in s.datasets for f in d.fields
    }
    return [
        {"field": f"changes.{key}", "message": "not a mapped data item or system.dataset.field"}
        for key in changes
        if key not in targets
    ]


def start_run(  # noqa: PLR0913 - the interface other rooms call
    session: Session,
    *,
    actor: str,
    action: str,
    identities: Identities,
    case_ref: str,
    changes: Mapping[str, Any] | None = None,
    language: str = "ja",
    settings: Settings | None = None,
) -> uuid.UUID:
    """Store a run for the current policy's data map and queue it; return its id.

    Raises:
        ValidationFailed: a field is wrong (``action``, ``identities.<kind>``, ``changes.<target>``…).
        NotFound: no policy is published, or its data map has no system (``details['reason']``
            is ``no_policy`` or ``no_datamap``).
    """
    number, _, graph = version_bundle(session)
    if not graph.systems:
        raise NotFound(
            "the current policy has no data map (datamap/*.yaml); nothing to search",
            details={"reason": "no_datamap"},
        )
    cipher = cipher_from_settings(settings or get_settings())
    wanted = identity_map(identities)
    mapped = {f.identity for s in graph.systems.values() for d in s.datasets for f in d.fields if f.identity}
    expanded = expand_subjects(session, wanted, cipher, mapped)
    problems = expanded + _problems(
        graph, action=action, identities=wanted, case_ref=case_ref, changes=changes, language=language
    )
    if problems:
        raise ValidationFailed("the run cannot be started; nothing was written", details={"errors": problems})
    run_id = uuid.uuid4()
    kinds = sorted(wanted)
    session.connection().execute(
        _INSERT_RUN,
        {
            "id": run_id,
            "action": action,
            "status": "pending",
            "case_ref": case_ref,
            "language": language,
            "policy_version": number,
            "identity_kinds": kinds,
            "identities_encrypted": _seal(cipher, run_id, "identities", wanted),
            "changes_encrypted": _seal(cipher, run_id, "changes", dict(changes)) if changes else None,
            "attempts": 0,
            "created_by": actor,
            "created_at": utcnow(),
        },
    )
    record_event(
        session,
        actor=actor,
        action="fulfillment.run_started",
        target_type="fulfillment_run",
        target_id=str(run_id),
        details={"action": action, "case_ref": case_ref, "identity_kinds": kinds, "policy_version": number},
    )
    _enqueue(session, run_id, attempt=0)
    return run_id


def _enqueue(session: Session, run_id: uuid.UUID, *, attempt: int) -> None:
    """The job carries the run id only; the key makes a repeated start or retry queue one job."""
    enqueue(session, kind=TASK_KIND, payload={"run_id": str(run_id)}, key=f"{TASK_KIND}:{run_id}:{attempt}")


def _require(session: Session, run_id: uuid.UUID, *, fresh: bool = False) -> FulfillmentRun:
    run = session.get(FulfillmentRun, run_id, populate_existing=fresh)
    if run is None:
        raise NotFound(f"no fulfillment run {run_id}")
    return run


def read_package(
    session: Session, run_id: uuid.UUID, *, actor: str, settings: Settings | None = None
) -> RunRead:
    """The run with its access package (a person's data), audited as ``fulfillment.package_read``.

    Raises:
        NotFound: no such run.
    """
    view = get_run(session, run_id, settings=settings, include_package=True)
    record_event(
        session,
        actor=actor,
        action="fulfillment.package_read",
        target_type="fulfillment_run",
        target_id=str(run_id),
        details={"case_ref": view.case_ref, "action": view.action},
    )
    return view


def get_run(
    session: Session, run_id: uuid.UUID, *, settings: Settings | None = None, include_package: bool = True
) -> RunRead:
    """The run's state per system and table, its counts and errors, and (access) the package.

    Raises:
        NotFound: no such run.
    """
    # Plain rows, three statements: every waiting request and every poll reads a run this way.
    session.flush()
    connection = session.connection()
    run = connection.execute(_RUN_VIEW, {"run_id": run_id}).mappings().first()
    if run is None:
        raise NotFound(f"no fulfillment run {run_id}")
    tables = connection.execute(_TABLES_VIEW, {"run_id": run_id}).all()
    view = RunRead.model_validate(dict(run))
    view.systems = [
        SystemRead(
            system=s.system,
            status=s.status,
            error=s.error,
            attempts=s.attempts,
            tables=[
                TableRead(
                    dataset=t.dataset, found=t.found, changed=t.changed, residual=t.residual, places=t.places
                )
                for t in tables
                if t.system == s.system
            ],
        )
        for s in connection.execute(_SYSTEMS_VIEW, {"run_id": run_id})
    ]
    if include_package and run["package_encrypted"]:
        cipher = cipher_from_settings(settings or get_settings())
        view.package = _open(cipher, run_id, "package", run["package_encrypted"])
    return view


def runs_of_case(session: Session, case_ref: str, *, limit: int = 50) -> list[RunRead]:
    """The runs that answer one case (newest first, at most ``limit``), per system, without the package."""
    stmt = (
        select(FulfillmentRun.id)
        .where(FulfillmentRun.case_ref == case_ref)
        .order_by(FulfillmentRun.created_at.desc())
        .limit(limit)
    )
    return [get_run(session, run_id, include_package=False) for run_id in session.scalars(stmt)]


_RUN_VIEW = select(
    *(getattr(FulfillmentRun, name) for name in RunRead.model_fields if name not in {"systems", "package"}),
    FulfillmentRun.package_encrypted,
).where(FulfillmentRun.id == bindparam("run_id"))
_SYSTEMS_VIEW = (
    select(
        FulfillmentRunSystem.system,
        FulfillmentRunSystem.status,
        FulfillmentRunSystem.error,
        FulfillmentRunSystem.attempts,
    )
    .where(FulfillmentRunSystem.run_id == bindparam("run_id"))
    .order_by(FulfillmentRunSystem.system)
)
_TABLES_VIEW = select(
    FulfillmentRunTable.system,
    FulfillmentRunTable.dataset,
    FulfillmentRunTable.found,
    FulfillmentRunTable.changed,
    FulfillmentRunTable.residual,
    FulfillmentRunTable.places,
).where(FulfillmentRunTable.run_id == bindparam("run_id"))


def retry_run(session: Session, *, actor: str, run_id: uuid.UUID) -> uuid.UUID:
    """Queue a failed run again; systems already done are repeated harmlessly (every action is idempotent).

    Raises:
        NotFound: no such run. InvalidTransition: the run has not failed.
    """
    run = _require(session, run_id, fresh=True)
    if run.status != "failed":
        raise InvalidTransition(f"only a failed run can be retried; this one is {run.status}")
    run.status = "pending"
    record_event(
        session,
        actor=actor,
        action="fulfillment.run_retried",
        target_type="fulfillment_run",
        target_id=str(run.id),
        details={"attempts": run.attempts},
    )
    _enqueue(session, run.id, attempt=run.attempts)
    return run.id


def _lease(settings: Settings | None) -> timedelta:
    return timedelta(seconds=(settings or get_settings()).fulfillment_lease_seconds)


def _begin(session: Session, run_id: uuid.UUID, cipher: FieldCipher, lease: timedelta) -> Started | None:
    """Claim the run (see :func:`~mamori.fulfillment.store.claim_run`); None when it is not to be run now."""
    claim = claim_run(session, run_id, lease=lease)
    if claim is None:
        _require(session, run_id)
        return None  # done, failed and not retried, or held by a live executor
    bundle, graph = claimed_bundle(session, claim)
    job = Job(
        run_id=str(run_id),
        action=claim.action,
        case_ref=claim.case_ref,
        language=claim.language,
        bundle=bundle,
        graph=graph,
        identities=_open(cipher, run_id, "identities", claim.identities_encrypted),
        changes=_open(cipher, run_id, "changes", claim.changes_encrypted) or {},
        snapshot=snapshot_from_json(_open(cipher, run_id, "snapshot", claim.snapshot_encrypted) or []),
    )
    return Started(job, claim.token, claim.attempts)


def _checkpoint(session: Session, started: Started, snapshot: Pending, cipher: FieldCipher) -> bool:
    """Keep the keys found before anything is changed; False when the lease has passed to another."""
    run_id = uuid.UUID(started.job.run_id)
    sealed = _seal(cipher, run_id, "snapshot", snapshot_to_json(snapshot))
    if not still_held(session, run_id, started.token, snapshot_encrypted=sealed):
        logger.warning("fulfillment run %s: taken over by another executor; this one stops", run_id)
        return False
    return True


def _finish(session: Session, started: Started, outcome: Outcome | None, cipher: FieldCipher) -> str | None:
    """Record the outcome if this execution still holds the run; otherwise drop it (None).

    The lease check and the run's new state are one statement; then the rows per system and
    table and the audit event.
    """
    run_id, job = uuid.UUID(started.job.run_id), started.job
    if outcome is None:
        _dropped(run_id)
        return None
    status = "failed" if outcome.failed else "completed"
    values: dict[str, object] = {
        "snapshot_encrypted": _seal(cipher, run_id, "snapshot", snapshot_to_json(outcome.snapshot)),
        "status": status,
        "error": "; ".join(outcome.failed[s] for s in sorted(outcome.failed)) or None,
        "finished_at": utcnow(),
        "lease_token": None,
        "lease_until": None,
    }
    if outcome.package is not None:
        values["package_encrypted"] = _seal(cipher, run_id, "package", outcome.package)
    if not still_held(session, run_id, started.token, **values):
        _dropped(run_id)
        return None
    record_outcome(session, run_id, started.attempts, job.graph, outcome)
    details = {
        "status": status,
        "failed_systems": sorted(outcome.failed),
        "rows": sum(t.found for t in outcome.tables),
        "changed": sum(t.changed for t in outcome.tables),
        "residual_fields": sorted(outcome.residual),
    }
    record_event(
        session,
        actor="system:fulfillment",
        action=f"fulfillment.run_{status}",
        target_type="fulfillment_run",
        target_id=str(run_id),
        details=details,
    )
    signals.announce(session, signals.RUNS, str(run_id))  # requests waiting for it (Prefer: wait)
    return status


def _dropped(run_id: uuid.UUID) -> None:
    logger.warning("fulfillment run %s: taken over by another executor; this outcome is dropped", run_id)


def _follow_up(session: Session, run_id: uuid.UUID, follow: int) -> None:
    """A live executor holds the run: look again once its lease has passed, in case it dies first."""
    held = holder_until(session, run_id)
    if held is None:
        return
    token, until = held
    enqueue(
        session,
        kind=TASK_KIND,
        payload={"run_id": str(run_id), "follow": follow + 1},
        key=f"{TASK_KIND}:{run_id}:after:{token}:{follow + 1}",
        run_after=until + FOLLOW_UP_MARGIN,
    )


def run_in_session(
    session: Session, run_id: uuid.UUID, *, settings: Settings | None = None, follow: int = 0
) -> str | None:
    """Execute the run with the job worker's session; the new status, or None when there was nothing to do.

    The claim and the keys found are committed before any system is changed (a worker killed
    later leaves a run the re-delivered job takes over once the lease has passed); the outcome is
    left to the caller's commit, with the job's ``done``. An access run changes no system, so its
    claim commits with its outcome: one commit instead of two (a worker killed meanwhile leaves
    the run pending and the job to be taken again). A run held by a live executor gets a job for
    when that lease ends (``follow`` counts such look-agains).
    """
    cipher, lease = cipher_from_settings(settings or get_settings()), _lease(settings)
    started = _begin(session, run_id, cipher, lease)
    if started is None:
        _follow_up(session, run_id, follow)
        return None
    if started.job.action != "access":
        session.commit()

    def checkpoint(snapshot: Pending) -> bool:
        held = _checkpoint(session, started, snapshot, cipher)
        session.commit()
        return held

    outcome = perform(started.job, secret=_hash_secret(settings), checkpoint=checkpoint)
    return _finish(session, started, outcome, cipher)


def execute_run(
    session_factory: sessionmaker[Session], run_id: uuid.UUID, *, settings: Settings | None = None
) -> str | None:
    """Execute a pending run now: claim it (committed), work on the systems, record the outcome.

    The systems are worked on outside any Mamori transaction, so no lock is held meanwhile.
    Returns the new status (``completed`` or ``failed``), or None when there was nothing to do
    (finished already, or another executor holds the run).
    """
    cipher, lease = cipher_from_settings(settings or get_settings()), _lease(settings)
    with unit_of_work(session_factory) as session:
        started = _begin(session, run_id, cipher, lease)
    if started is None:
        return None

    def checkpoint(snapshot: Pending) -> bool:
        with unit_of_work(session_factory) as session:
            return _checkpoint(session, started, snapshot, cipher)

    outcome = perform(started.job, secret=_hash_secret(settings), checkpoint=checkpoint)
    with unit_of_work(session_factory) as session:
        return _finish(session, started, outcome, cipher)


def _hash_secret(settings: Settings | None) -> bytes:
    """The key of the ``hash`` erasure strategy: derived from the secret, never stored with the data."""
    secret = (settings or get_settings()).secret_key.get_secret_value()
    return ("mamori-erasure-hash|" + secret).encode()
