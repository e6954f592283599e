"""Start and execute a run inside the test's transaction (the job worker's path)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from mamori.fulfillment import service
from mamori.fulfillment.schemas import RunRead

ERASED_ONCE = {  # (found, changed, residual) of one erasure of customer 3
    "shop.customer": (1, 5, 0),
    "shop.address": (1, 4, 0),
    "shop.loyalty_card": (1, 2, 0),
    "shop.orders": (5, 0, 0),
    "shop.order_item": (15, 0, 0),
    "crm.campaign_contact": (1, 3, 0),
    "callcentre.calls": (1, 2, 0),
}


def run(session: Session, action: str, identities: dict[str, Any], **kwargs: Any) -> RunRead:
    run_id = service.start_run(
        session, actor="user:agent", action=action, identities=identities, case_ref="R-2026-0001", **kwargs
    )
    service.run_in_session(session, run_id)
    return service.get_run(session, run_id)


def tables(view: RunRead) -> dict[str, tuple[int, int, int]]:
    """``system.dataset`` → (found, changed, residual)."""
    return {
        f"{s.system}.{t.dataset}": (t.found, t.changed, t.residual) for s in view.systems for t in s.tables
    }


def again(session: Session, run_id: uuid.UUID) -> RunRead:
    service.run_in_session(session, run_id)
    return service.get_run(session, run_id)
