"""Background work of campaigns: each ``campaigns.send`` job sends one batch and queues the next."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from mamori.campaigns import rules, service
from mamori.campaigns.sender import BATCH, SmtpTransport, send_batch
from mamori.config import get_settings
from mamori.db.base import utcnow


def send(session: Session, payload: dict[str, Any]) -> None:
    """One batch; the next one is queued in the same transaction, paced to the campaign's rate."""
    settings = get_settings()
    campaign_id = uuid.UUID(str(payload["campaign_id"]))
    started = time.monotonic()
    transport = SmtpTransport(settings.smtp_host, settings.smtp_port)
    batch = send_batch(session, settings, campaign_id, transport=transport)
    if batch.more:
        rate = service.get_campaign(session, campaign_id).rate_per_second
        wait = rules.pause_for(batch.sent + batch.printed or BATCH, time.monotonic() - started, rate)
        service.enqueue_send(session, campaign_id, payload, run_after=utcnow() + timedelta(seconds=wait))


TASKS: dict[str, Callable[[Session, dict[str, Any]], None]] = {service.SEND: send}
