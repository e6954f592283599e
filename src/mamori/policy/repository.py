"""Reads of stored policy versions that need neither the loader nor the audit log (quick commands)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.policy.models import PolicyVersion


def list_versions(session: Session) -> list[PolicyVersion]:
    """Every published version, oldest first."""
    return list(session.scalars(select(PolicyVersion).order_by(PolicyVersion.number)))
