"""Corrective actions of every source, with verification of effect.

Actions of incidents stay in the incidents room (``incident_actions``); :func:`all_actions` lists
them beside the others, read through the incidents room's own reader, without a second copy.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.db.base import utcnow
from mamori.errors import NotFound
from mamori.incidents.actions import action_read
from mamori.incidents.models import Incident, IncidentAction
from mamori.pms import common
from mamori.pms.models import CorrectiveAction
from mamori.pms.rules import ActionSource, ActionState, action_overdue, check_completion, verification_outcome

TITLE = "pms_actions.title"
VERIFICATION = "pms_actions.verification"


@dataclass(frozen=True, slots=True)
class ActionInput:
    source: str
    title: str
    owner: str
    due_on: date
    source_ref: str | None = None


@dataclass(frozen=True, slots=True)
class ActionView:
    """One line of the list of corrective actions, whatever room keeps it."""

    id: uuid.UUID
    source: str
    source_ref: str | None
    title: str
    owner: str
    due_on: date
    state: str
    overdue: bool


def add_action(session: Session, settings: Settings, *, actor: str, data: ActionInput) -> CorrectiveAction:
    """Record a corrective action. Raises ValidationFailed (unknown source, empty title or owner)."""
    problems = []
    if data.source not in set(ActionSource) or data.source == ActionSource.INCIDENT:
        allowed = ", ".join(s for s in ActionSource if s != ActionSource.INCIDENT)
        problems.append(
            {"field": "source", "message": f"must be one of {allowed} (incidents keep their own)"}
        )
    problems += [
        {"field": f, "message": "is empty"}
        for f, v in (("title", data.title), ("owner", data.owner))
        if not v.strip()
    ]
    common.refuse(problems, "the corrective action")
    action = CorrectiveAction(
        id=uuid.uuid4(),
        source=data.source,
        source_ref=data.source_ref,
        owner=data.owner.strip(),
        due_on=data.due_on,
        state=ActionState.OPEN,
        ineffective_count=0,
        created_by=actor,
        title_encrypted=common.seal(session, settings, data.title.strip(), TITLE),
    )
    session.add(action)
    session.flush()
    details = {
        "source": data.source,
        "source_ref": data.source_ref,
        "owner": action.owner,
        "due_on": str(data.due_on),
    }
    common.audit(session, actor, "pms.action_added", "pms_action", str(action.id), details)
    return action


def get_action(session: Session, action_id: uuid.UUID) -> CorrectiveAction:
    action = session.get(CorrectiveAction, action_id)
    if action is None:
        raise NotFound(f"no corrective action {action_id}")
    return action


def complete_action(session: Session, *, actor: str, action_id: uuid.UUID) -> CorrectiveAction:
    """Mark an action done; it then waits for verification. Raises InvalidTransition unless open."""
    action = get_action(session, action_id)
    check_completion(ActionState(action.state))
    action.state, action.done_at = ActionState.DONE, utcnow()
    common.audit(session, actor, "pms.action_done", "pms_action", str(action.id), {"state": ["open", "done"]})
    return action


def verify_action(  # noqa: PLR0913 - the facts of a verification
    session: Session, settings: Settings, *, actor: str, action_id: uuid.UUID, effective: bool, note: str
) -> CorrectiveAction:
    """Verify the effect of a done action: effective closes it, not effective opens it again.

    Raises:
        InvalidTransition: the action is not done. ValidationFailed: the owner verifies, or no note.
    """
    action = get_action(session, action_id)
    common.refuse([{"field": "note", "message": "is empty"}] if not note.strip() else [], "the verification")
    target = verification_outcome(
        ActionState(action.state), action.owner, actor_name(actor), effective=effective
    )
    before, action.state = action.state, target
    action.verification_encrypted = common.seal(session, settings, note.strip(), VERIFICATION)
    action.verified_by = actor
    if effective:
        action.verified_at = utcnow()
    else:
        action.ineffective_count += 1
        action.done_at = None
    details = {"state": [before, str(target)], "effective": effective}
    common.audit(session, actor, "pms.action_verified", "pms_action", str(action.id), details)
    return action


def actor_name(actor: str) -> str:
    """The user name inside an actor (``user:hana`` → ``hana``), to compare with an owner."""
    return actor.split(":", 1)[1] if ":" in actor else actor


def title(settings: Settings, action: CorrectiveAction) -> str:
    return common.unseal(settings, action.title_encrypted, TITLE)


def verification(settings: Settings, action: CorrectiveAction) -> str | None:
    sealed = action.verification_encrypted
    return None if sealed is None else common.unseal(settings, sealed, VERIFICATION)


# An incident's action has no verification step: done there closes it (the incident review is the check).
_INCIDENT_STATE = {"open": "open", "done": "closed", "accepted": "accepted"}
CLOSED_STATES = frozenset({"verified", "closed", "accepted"})


def all_actions(
    session: Session, settings: Settings, *, today: date | None = None, open_only: bool = False
) -> list[ActionView]:
    """The corrective actions of the management system and of incidents, by due date."""
    today = today or common.today()
    views = [
        ActionView(
            a.id,
            a.source,
            a.source_ref,
            title(settings, a),
            a.owner,
            a.due_on,
            a.state,
            action_overdue(a.state, a.due_on, today),
        )
        for a in session.scalars(select(CorrectiveAction))
    ]
    rows = session.execute(select(IncidentAction, Incident.reference).join(Incident))
    for row, reference in rows:
        read = action_read(settings, row)
        state = _INCIDENT_STATE.get(read.status, read.status)
        views.append(
            ActionView(
                read.id,
                ActionSource.INCIDENT,
                reference,
                read.title,
                read.owner,
                read.due_on,
                state,
                action_overdue(state, read.due_on, today),
            )
        )
    if open_only:
        views = [v for v in views if v.state not in CLOSED_STATES]
    return sorted(views, key=lambda v: (v.due_on, str(v.id)))
