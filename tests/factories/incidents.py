"""Incidents for tests, made through the real service (validated, audited, with events)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.incidents.models import Incident
from mamori.incidents.schemas import IncidentCreate
from mamori.incidents.service import register_incident
from tests.factories.subjects import ensure_policy


def create_incident(
    session: Session, settings: Settings, *, actor: str = "user:officer", **facts: Any
) -> Incident:
    """A leak known an hour ago (occurred a day before): e-mail addresses of 10 persons, unless told so."""
    ensure_policy(session)
    now = datetime.now(UTC)
    values: dict[str, Any] = {
        "kind": "leak", "known_at": now - timedelta(hours=1), "occurred_at": now - timedelta(days=1),
        "data_items": ["email"], "persons_known": 10, "how_found": "お客様からのお問い合わせで判明",
    }  # fmt: skip
    return register_incident(session, settings, actor, IncidentCreate.model_validate(values | facts))
