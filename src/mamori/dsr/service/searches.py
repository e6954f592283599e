"""Before a disclosure is answered: the search of every system, or the statement that there is none.

The privacy officer may record that the organisation holds the person's data nowhere else.

A letter that discloses "your data" after searching only Mamori's own records would tell the person
less than the organisation holds (APPI Art. 33), so the letter waits for the search or the statement.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.db.base import utcnow
from mamori.dsr.models import Case, PendingTask
from mamori.dsr.rules import ACCESSING, RequestKind
from mamori.dsr.service import common
from mamori.security.mynumber import scrub
from mamori.subjects.validation import FieldError, refuse

MIN_REASON, MAX_REASON = 10, 1000
_FINAL = frozenset({"responded", "closed", "rejected", "withdrawn"})


def record_held_nowhere_else(session: Session, *, actor: str, case_id: uuid.UUID, reason: str) -> Case:
    """The privacy officer's statement that the person's data is held nowhere but in Mamori.

    Entry points let only the privacy officer (or an administrator) call this. The statement and its
    reason are kept on the case, printed in the letter and audited.

    Raises:
        NotFound: no such case.
        ValidationFailed: the request is not answered with the systems' records, the case is final,
            or the reason is missing or too long.
    """
    case = common.get_case(session, case_id, for_update=True)
    text = scrub(" ".join(reason.split()), session.info)
    errors = []
    if RequestKind(case.request_type) not in ACCESSING:
        errors.append(FieldError("case", f"a {case.request_type} request is not answered from the systems"))
    if case.state in _FINAL:
        errors.append(FieldError("case", f"the case is {case.state}"))
    if not MIN_REASON <= len(text) <= MAX_REASON:
        errors.append(FieldError("reason", f"say why, in {MIN_REASON} to {MAX_REASON} characters"))
    if errors:
        refuse(errors, "the statement")
    case.held_nowhere_else_at, case.held_nowhere_else_by = utcnow(), actor
    case.held_nowhere_else_reason = text
    session.flush()
    common.audit(session, case, actor=actor, action="request.held_nowhere_else_recorded", reason=text)
    return case


def access_task(session: Session, case: Case) -> PendingTask | None:
    """The newest search of the systems the decision set off, if any."""
    stmt = select(PendingTask).where(PendingTask.case_id == case.id, PendingTask.action == "access")
    return session.scalars(stmt.order_by(PendingTask.created_at.desc()).limit(1)).first()


def refuse_unsearched(case: Case, task: PendingTask | None) -> None:
    """Refuse the letter of a case whose systems were not searched and that has no statement.

    Raises:
        ValidationFailed: ``systems``, saying why the search did not happen and what to do.
    """
    if case.held_nowhere_else_at is not None:
        return
    why = (
        f"the search waits ({task.waiting})"
        if task is not None and task.waiting
        else "no search was started (the case names no person on record)"
        if task is None
        else "the search has not started"
    )
    refuse(
        [
            FieldError(
                "systems",
                f"the organisation's systems were not searched: {why}. Publish a data map and let the"
                " search run, or have the privacy officer record that the data is held nowhere else"
                " (mamori requests held-nowhere-else)",
            )
        ],
        "the letter",
    )
