"""Sample data for ``mamori demo``: the sample processors assessed before selection, once."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.consents.decisions.rules import tokyo_date
from mamori.db.base import utcnow
from mamori.provisions.models import Assessment
from mamori.provisions.processors import list_processors, record_assessment


def seed_demo(session: Session, *, actor: str) -> int:
    """Assess each processor that has never been assessed (result pass); the number assessed."""
    assessed = set(session.scalars(select(Assessment.processor_id)))
    count = 0
    for party, _ in list_processors(session):
        if party.id in assessed:
            continue
        record_assessment(
            session, actor=actor, processor=party.key, kind="pre_selection", assessed_on=tokyo_date(utcnow()),
            result="pass", evidence_ref="demo: sample assessment",
        )  # fmt: skip
        count += 1
    return count
