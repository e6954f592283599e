"""Fulfillment runs started by staff: each answers an accepted request case, for that case's person.

The decision itself hands its work to fulfillment (:mod:`mamori.dsr.service.effects`); this is
the way to start one more run for the same case (an access run again, a correction the systems
missed). A run without a case is the privacy officer's break-glass action
(:func:`mamori.fulfillment.service.start_break_glass_run`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.dsr.models import Case, PendingTask
from mamori.dsr.rules import CaseState, RequestKind, runnable_actions
from mamori.dsr.service import common
from mamori.dsr.service.effects import CHANGES_CONTEXT
from mamori.errors import Conflict, MamoriError, ValidationFailed
from mamori.fulfillment.identities import SUBJECT_KIND
from mamori.fulfillment.service import start_run
from mamori.subjects.repository import group_of
from mamori.subjects.service import find_subject


def start_case_run(  # noqa: PLR0913 - the inputs of a run
    session: Session,
    *,
    actor: str,
    case_ref: str,
    action: str,
    identities: Sequence[tuple[str, str]] = (),
    changes: Mapping[str, Any] | None = None,
    language: str | None = None,
    settings: Settings | None = None,
) -> uuid.UUID:
    """Start a run for an accepted case; the identities default to (and must belong to) its person.

    Raises:
        NotFound: no case with this reference.
        Conflict: the case is not accepted (undecided, refused, rejected, withdrawn) or names no person.
        ValidationFailed: the action is not one the case's decision allows (``action``), or an
            identity is not one Mamori holds for the case's person (``identities.<kind>``).
    """
    case = common.case_by_reference(session, case_ref)
    allowed = runnable_actions(
        CaseState(case.state), RequestKind(case.request_type), case.outcome, erasure=case.erasure
    )
    if not allowed:
        raise Conflict(
            f"case {case.reference} is {case.state}"
            + (f" ({case.outcome})" if case.outcome else "")
            + "; a run needs a case whose request was accepted",
            details={"reason": "case_not_accepted", "state": case.state, "outcome": case.outcome},
        )
    if action not in allowed:
        message = f"a {case.request_type} case allows: {', '.join(allowed)}"
        raise ValidationFailed(message, details={"errors": [{"field": "action", "message": message}]})
    if case.subject_id is None:  # pragma: no cover - a decision needs the person
        raise Conflict(f"case {case.reference} names no person", details={"reason": "no_subject"})
    _check_identities(session, case, identities, common.settings_or_default(settings))
    return start_run(
        session,
        actor=actor,
        action=action,
        identities={SUBJECT_KIND: str(case.subject_id)},
        case_ref=case.reference,
        changes=changes if changes is not None else _decided_changes(session, case, action, settings),
        language=language or case.language,
        settings=settings,
    )


def _check_identities(
    session: Session, case: Case, identities: Sequence[tuple[str, str]], settings: Settings
) -> None:
    """Every identity given must lead to the case's person (merges followed): no one else's data."""
    group = set(group_of(session, case.subject_id) or []) if case.subject_id else set()
    problems = []
    for kind, value in identities:
        try:
            if kind == SUBJECT_KIND:
                owner = find_subject(session, settings, subject_id=uuid.UUID(value)).id
            else:
                owner = find_subject(session, settings, kind=kind, value=value).id
        except (MamoriError, ValueError):
            owner = None
        if owner is None or owner not in group:
            message = "not an identity of the case's person"
            problems.append({"field": f"identities.{kind}", "message": message})
    if problems:
        raise ValidationFailed(
            "a run may only reach the person of its case; nothing was written",
            details={"errors": problems},
        )


def _decided_changes(
    session: Session, case: Case, action: str, settings: Settings | None
) -> dict[str, Any] | None:
    """A correction run repeats the changes the decision granted, unless new ones are given."""
    if action != "correct":
        return None
    stmt = select(PendingTask.changes_encrypted).where(
        PendingTask.case_id == case.id, PendingTask.action == "correct"
    )
    sealed = session.scalars(stmt.order_by(PendingTask.created_at.desc())).first()
    if not sealed:
        return None
    decoded: dict[str, Any] = json.loads(common.cipher(settings).decrypt(sealed, context=CHANGES_CONTEXT))
    return decoded
