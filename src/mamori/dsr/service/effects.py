"""What an accepted request sets off: a usage suspension now, and work for fulfillment.

A cease-use or cease-provision request suspends use in Mamori's decisions at once and starts a
suspension run across the data map (flag columns, webhooks); access, correction and erasure are
runs too. Fulfillment work is kept as a :class:`PendingTask` first, so that nothing is lost when
the fulfillment room is not installed or fails; :func:`hand_over_pending` passes it on. The
answer waits for every run handed over (:func:`unfinished_runs`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.consents.suspensions import suspend
from mamori.db.base import utcnow
from mamori.dsr.models import Case, PendingTask
from mamori.dsr.rules import RequestKind
from mamori.dsr.service import common
from mamori.errors import MamoriError, NotFound, ValidationFailed
from mamori.fulfillment.service import get_run, start_run
from mamori.subjects.validation import FieldError

CHANGES_CONTEXT = "dsr_tasks.changes"
PENDING, HANDED_OVER = "pending", "handed_over"


def apply(  # noqa: PLR0913
    session: Session,
    case: Case,
    effect: str,
    *,
    actor: str,
    changes: Mapping[str, str] | None,
    settings: Settings | None,
) -> None:
    """Carry out one effect of :func:`mamori.dsr.rules.effects_of` for a decided case."""
    if case.subject_id is None:  # pragma: no cover - decide() refuses before
        raise ValueError("an effect needs the case's subject")
    if effect == "suspend":
        scope = "third_party_provision" if case.request_type == RequestKind.PROVISION_CEASE else "all"
        suspend(
            session,
            actor=actor,
            subject_id=case.subject_id,
            scope=scope,
            source="request",
            source_ref=case.reference,
            reason=f"request {case.reference}: {case.request_type}",
        )
        changes = None  # the suspension run takes none
    sealed = None
    if changes:
        text = json.dumps(dict(changes), ensure_ascii=False, sort_keys=True)
        sealed = common.cipher(settings).encrypt(text, context=CHANGES_CONTEXT)
    task = PendingTask(
        id=uuid.uuid4(), case_id=case.id, action=effect, status=PENDING, changes_encrypted=sealed
    )
    session.add(task)
    session.flush()
    common.audit(session, case, actor=actor, action="request.task_created", task_id=str(task.id), task=effect)
    hand_over(session, task, case, actor=actor, settings=settings)


def hand_over(
    session: Session, task: PendingTask, case: Case, *, actor: str, settings: Settings | None
) -> bool:
    """Start the fulfillment run of a pending task; False (task still pending) when it cannot start yet.

    A run cannot start, for example, while the policy has no data map: the task then stays pending
    with the reason in ``waiting`` (shown with the case), and the periodic ``dsr.hand_over_tasks``
    tries again. A new reason is audited once, not at every try.
    """
    if task.status != PENDING:
        return False
    changes: dict[str, Any] | None = None
    if task.changes_encrypted:
        changes = json.loads(common.cipher(settings).decrypt(task.changes_encrypted, context=CHANGES_CONTEXT))
    try:
        with session.begin_nested():
            run_id = start_run(
                session,
                actor=actor,
                action=task.action,
                case_ref=case.reference,
                identities={"subject_id": str(case.subject_id)},
                changes=changes,
                language=case.language,
                settings=settings,
            )
    except (NotFound, ValidationFailed) as exc:
        code = waiting_reason(exc)
        if task.waiting != code:
            task.waiting = code
            session.flush()
            common.audit(
                session,
                case,
                actor=actor,
                action="request.task_pending",
                task_id=str(task.id),
                waiting=code,
                why=exc.message[:200],
            )
        return False
    task.run_id, task.status, task.handed_over_at, task.waiting = run_id, HANDED_OVER, utcnow(), None
    session.flush()
    common.audit(
        session,
        case,
        actor=actor,
        action="request.task_handed_over",
        task_id=str(task.id),
        run_id=str(run_id),
    )
    return True


def waiting_reason(exc: MamoriError) -> str:
    """The ``task.waiting.*`` code of a run that could not start (fulfillment names no_policy, no_datamap)."""
    if isinstance(exc, NotFound):
        return str(exc.details.get("reason") or "not_startable")
    fields = [str(error.get("field", "")) for error in exc.details.get("errors", [])]
    if any(field.startswith("identities") for field in fields):
        return "no_identity"
    if any(field.startswith("changes") for field in fields):
        return "unmapped_change"
    return "not_startable"


def pending_tasks(session: Session) -> list[PendingTask]:
    """Fulfillment work not yet handed over (access, correct, suspend, erase), oldest first."""
    stmt = select(PendingTask).where(PendingTask.status == PENDING).order_by(PendingTask.created_at)
    return list(session.scalars(stmt))


def hand_over_pending(session: Session, *, actor: str, settings: Settings | None = None) -> int:
    """Hand every pending task to fulfillment; the number handed over (0 without fulfillment)."""
    count = 0
    for task in pending_tasks(session):
        count += hand_over(
            session, task, common.get_case(session, task.case_id), actor=actor, settings=settings
        )
    return count


def unfinished_runs(session: Session, case: Case, settings: Settings | None) -> list[FieldError]:
    """One error per run of the case not completed yet: the letter (the answer) waits for them.

    A task still pending has no run and does not hold the answer: the case shows why it waits.
    """
    stmt = (
        select(PendingTask)
        .where(PendingTask.case_id == case.id, PendingTask.run_id.is_not(None))
        .order_by(PendingTask.created_at)
    )
    errors = []
    for task in session.scalars(stmt):
        run = get_run(session, task.run_id, settings=settings, include_package=False)  # type: ignore[arg-type]
        if run.status == "completed":
            continue
        failed = [s.system for s in run.systems if s.status == "failed"]
        why = f"failed in {', '.join(failed)}; retry the run" if failed else "not finished; the letter waits"
        errors.append(FieldError("systems", f"the {task.action} run {run.id} is {run.status}: {why}"))
    return errors
