"""A sample incident for ``mamori demo``: a mailing sent with every address visible, recounted past 1,000."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.db.base import utcnow
from mamori.incidents.models import Incident
from mamori.incidents.reports import draft_report
from mamori.incidents.schemas import FactsUpdate, IncidentCreate, ReportCreate, ReportItems
from mamori.incidents.service import register_incident, update_facts


def add_sample_incident(session: Session, settings: Settings, actor: str) -> Incident | None:
    """Register the sample incident once (None when the register already has an incident)."""
    if session.scalars(select(Incident.id).limit(1)).first() is not None:
        return None
    now = utcnow()
    incident = register_incident(session, settings, actor, IncidentCreate(
        kind="leak", known_at=now - timedelta(days=2), occurred_at=now - timedelta(days=3),
        how_found="（サンプル）お客様からのお問い合わせで判明", data_items=["name", "email"],
        persons_known=640, systems=["shop"],
    ))  # fmt: skip
    update_facts(session, settings, actor, incident.id,
                 FactsUpdate(persons_max=1240, observed_at=now - timedelta(days=1)))  # fmt: skip
    items = ReportItems(summary="（サンプル）会員向けメールを、宛先が他の受信者に見える状態で送信した。",
                        cause="（サンプル）配信システムの宛先設定の誤り。")  # fmt: skip
    draft_report(session, settings, actor, incident.id, ReportCreate(items=items))
    return incident
