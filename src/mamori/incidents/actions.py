"""Corrective actions of an incident: an owner, a due date; done or accepted before the incident closes."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.db.base import utcnow
from mamori.errors import NotFound, ValidationFailed
from mamori.incidents.models import IncidentAction
from mamori.incidents.rules import ActionStatus, check_action_transition
from mamori.incidents.schemas import ActionCreate, ActionRead
from mamori.incidents.service import editable_incident, record
from mamori.security.crypto import cipher_from_settings
from mamori.security.mynumber import scrub

TITLE_CONTEXT = "incident_actions.title"


def add_action(
    session: Session, settings: Settings, actor: str, incident_id: uuid.UUID, data: ActionCreate
) -> IncidentAction:
    """Add a corrective action (the title stored encrypted). Raises NotFound, InvalidTransition (closed)."""
    incident = editable_incident(session, incident_id)
    title = scrub(data.title, session.info)
    action = IncidentAction(
        id=uuid.uuid4(), incident_id=incident.id, owner=data.owner, due_on=data.due_on,
        status=ActionStatus.OPEN, created_by=actor,
        title_encrypted=cipher_from_settings(settings).encrypt(title, context=TITLE_CONTEXT),
    )  # fmt: skip
    session.add(action)
    session.flush()
    changes = {
        "action": [None, str(action.id)],
        "owner": [None, data.owner],
        "due_on": [None, str(data.due_on)],
    }
    record(session, incident, actor, "incident.action_added", changes)
    return action


def set_action_status(
    session: Session, actor: str, incident_id: uuid.UUID, action_id: uuid.UUID, status: str
) -> IncidentAction:
    """Mark an action done or accepted (or open again).

    Raises:
        NotFound: unknown action. InvalidTransition: not allowed from its status, or the incident is closed.
    """
    incident = editable_incident(session, incident_id)
    action = session.scalars(
        select(IncidentAction).where(
            IncidentAction.id == action_id, IncidentAction.incident_id == incident.id
        )
    ).one_or_none()
    if action is None:
        raise NotFound(f"no corrective action {action_id} in incident {incident.reference}")
    target = _status(status)
    check_action_transition(ActionStatus(action.status), target)
    before, action.status = action.status, target
    action.completed_at = None if target == ActionStatus.OPEN else utcnow()
    changes = {"action": [str(action.id), str(action.id)], "status": [before, str(target)]}
    record(session, incident, actor, f"incident.action_{target}", changes)
    return action


def _status(value: str) -> ActionStatus:
    try:
        return ActionStatus(value)
    except ValueError:
        message = f"must be one of {', '.join(ActionStatus)}"
        errors = [{"field": "status", "message": message}]
        raise ValidationFailed(f"status: {message}", details={"errors": errors}) from None


def action_read(settings: Settings, action: IncidentAction) -> ActionRead:
    title = cipher_from_settings(settings).decrypt(action.title_encrypted, context=TITLE_CONTEXT)
    return ActionRead(
        id=action.id, title=title, owner=action.owner, due_on=action.due_on, status=action.status,
        completed_at=action.completed_at,
    )  # fmt: skip
