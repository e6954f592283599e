"""Background work of the outbox: a periodic sweep queues one delivery job per pending message."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mamori.config import get_settings
from mamori.db.queue import enqueue
from mamori.notify.models import OutboundMessage
from mamori.notify.rules import MessageStatus
from mamori.notify.service import deliver_in, outbox_from_settings

DISPATCH = "notify.dispatch"
DELIVER = "notify.deliver"
SWEEP_LIMIT = 500


def dispatch(session: Session, payload: dict[str, Any]) -> None:
    """Queue a delivery for each pending message, keyed by message and attempt (never queued twice)."""
    limit = int(payload.get("limit", SWEEP_LIMIT))
    rows = session.execute(
        select(OutboundMessage.id, OutboundMessage.attempts)
        .where(OutboundMessage.status == MessageStatus.PENDING)
        .order_by(OutboundMessage.created_at, OutboundMessage.id)
        .limit(limit)
    ).all()
    for message_id, attempts in rows:
        key = f"{DELIVER}:{message_id}:{attempts}"
        enqueue(session, kind=DELIVER, payload={"message_id": str(message_id)}, key=key)


def deliver(session: Session, payload: dict[str, Any]) -> None:
    """Send one pending message; its sent or failed state commits with the job (a later sweep retries)."""
    outbox = outbox_from_settings(get_settings(), sessionmaker(bind=session.get_bind()))
    deliver_in(session, outbox, uuid.UUID(str(payload["message_id"])))


TASKS: dict[str, Callable[[Session, dict[str, Any]], None]] = {DISPATCH: dispatch, DELIVER: deliver}
PERIODIC = {DISPATCH: timedelta(minutes=1)}
