"""Background work of the dsr room, run by the jobs worker (rooms never import ``mamori.jobs``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from mamori.config import get_settings
from mamori.dsr.service import hand_over_pending, sweeps
from mamori.notify.service import Outbox, outbox_from_settings
from mamori.policy.service import current_version


def _outbox(session: Session) -> Outbox:
    return outbox_from_settings(get_settings(), sessionmaker(bind=session.get_bind(), expire_on_commit=False))


def remind_due(session: Session, _payload: dict[str, Any]) -> None:
    """Mail the office the cases whose reminder day has come."""
    if current_version(session) is None:  # before a policy is published there are no cases
        return
    sweeps.send_reminders(session, outbox=_outbox(session))


def purge_documents(session: Session, _payload: dict[str, Any]) -> None:
    """Delete documents of cases closed longer ago than the bundle keeps them."""
    if current_version(session) is None:
        return
    sweeps.purge_documents(session, settings=get_settings())


def drop_expired_submissions(session: Session, _payload: dict[str, Any]) -> None:
    """Forget web-form submissions never confirmed."""
    if current_version(session) is None:
        return
    sweeps.drop_expired_submissions(session)


def hand_over_tasks(session: Session, _payload: dict[str, Any]) -> None:
    """Start the fulfillment runs of tasks that were waiting (for a data map to be published, …)."""
    if current_version(session) is None:
        return
    hand_over_pending(session, actor=sweeps.SYSTEM_ACTOR, settings=get_settings())


TASKS: dict[str, Callable[[Session, dict[str, Any]], None]] = {
    "dsr.hand_over_tasks": hand_over_tasks,
    "dsr.remind_due": remind_due,
    "dsr.purge_documents": purge_documents,
    "dsr.drop_expired_submissions": drop_expired_submissions,
}
PERIODIC: dict[str, timedelta] = {
    "dsr.hand_over_tasks": timedelta(minutes=10),
    "dsr.remind_due": timedelta(hours=1),
    "dsr.purge_documents": timedelta(hours=6),
    "dsr.drop_expired_submissions": timedelta(hours=1),
}
