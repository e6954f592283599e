"""Break-glass: a run without an accepted request case, started by the privacy officer with a reason.

For what no case covers (a court order, an incident containment, a regulator's instruction).
It is audited as its own action, ``fulfillment.break_glass``, with the written reason, before the
run's ``fulfillment.run_started``. Who may do it is the entry point's check (the
``fulfillment:break_glass`` scope, held by the privacy officer's role only).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from mamori.audit.service import record_event
from mamori.config import Settings
from mamori.errors import ValidationFailed
from mamori.fulfillment.identities import Identities
from mamori.fulfillment.service import start_run

MIN_REASON = 30  # a sentence that says why, not "urgent"
MAX_REASON = 1000
BREAK_GLASS_REF = "break-glass"


def start_break_glass_run(  # noqa: PLR0913 - the inputs of a run and the reason
    session: Session,
    *,
    actor: str,
    reason: str,
    action: str,
    identities: Identities,
    reference: str | None = None,
    changes: Mapping[str, Any] | None = None,
    language: str = "ja",
    settings: Settings | None = None,
) -> uuid.UUID:
    """Start a run that answers no request case; the reason is kept in the audit log.

    ``reference`` names what the run answers instead (an incident or order number); it is
    recorded as the run's ``case_ref`` after ``break-glass:``.

    Raises:
        ValidationFailed: the reason is shorter than :data:`MIN_REASON` characters (``reason``),
            or any input :func:`~mamori.fulfillment.service.start_run` refuses.
    """
    text = reason.strip()
    if not MIN_REASON <= len(text) <= MAX_REASON:
        message = f"a break-glass run needs a written reason of {MIN_REASON} to {MAX_REASON} characters"
        raise ValidationFailed(message, details={"errors": [{"field": "reason", "message": message}]})
    named = (reference or "").strip()
    case_ref = f"{BREAK_GLASS_REF}:{named}" if named else BREAK_GLASS_REF
    run_id = start_run(
        session,
        actor=actor,
        action=action,
        identities=identities,
        case_ref=case_ref[:200],
        changes=changes,
        language=language,
        settings=settings,
    )
    record_event(
        session,
        actor=actor,
        action="fulfillment.break_glass",
        target_type="fulfillment_run",
        target_id=str(run_id),
        details={"action": action, "reason": text, "reference": case_ref},
    )
    return run_id
