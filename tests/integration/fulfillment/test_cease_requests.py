"""An accepted cease-use or cease-provision request stops use in the organisation's systems too.

The decision records Mamori's own suspension and starts a suspension run across the data map: the
CRM's flag column is set for the person, the shop's webhook is called (a real HTTP server). The
answer waits until that run has completed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.dsr.models import Case, CaseLetter, PendingTask
from mamori.dsr.service import decide, generate_letter
from mamori.errors import ValidationFailed
from mamori.fulfillment import service
from tests.factories.dsr import case_in_progress
from tests.factories.subjects import create_subject
from tests.integration.fulfillment.conftest import Shop

Calls = list[tuple[dict[str, Any], str | None]]


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(  # type: ignore[call-arg]
        database_url=database_url, mail_backend="null", files_dir=tmp_path / "files", _env_file=None
    )


def accepted(session: Session, settings: Settings, request_type: str, **extra: Any) -> Case:
    """Customer 2 of the shop asks; the office accepts in full."""
    subject = create_subject(session, settings, identifiers=[("email", "user2@example.jp")])
    case = case_in_progress(session, settings, subject_id=subject.id, request_type=request_type, **extra)
    decide(session, actor="user:officer", case_id=case.id, outcome="full", settings=settings)
    return case


def suspension_task(session: Session, case: Case) -> PendingTask:
    stmt = select(PendingTask).where(PendingTask.case_id == case.id, PendingTask.action == "suspend")
    return session.scalars(stmt).one()


def flagged(shop: Shop) -> list[tuple[str, int]]:
    with shop.crm.connect() as conn:
        rows = conn.execute(text("SELECT email, suspended FROM campaign_contact WHERE suspended <> 0"))
        return [tuple(row) for row in rows]  # type: ignore[misc]


REQUESTS = pytest.mark.parametrize(
    ("request_type", "extra"),
    [
        ("utilisation_cease", {"ground": "no_longer_needed"}),
        ("provision_cease", {}),
    ],
)


@pytest.mark.usefixtures("published")
class TestAcceptedCeaseRequest:
    @REQUESTS
    def test_starts_a_suspension_run_the_answer_waits_for(  # noqa: PLR0913
        self,
        session: Session,
        settings: Settings,
        published: Shop,
        webhook: Calls,
        request_type: str,
        extra: dict[str, Any],
    ) -> None:
        case = accepted(session, settings, request_type, **extra)
        task = suspension_task(session, case)
        assert task.status == "handed_over"
        assert task.run_id is not None
        assert flagged(published) == []  # nothing changed in the systems yet

        with pytest.raises(ValidationFailed) as caught:
            generate_letter(session, actor="user:officer", case_id=case.id, settings=settings)
        assert [e["field"] for e in caught.value.details["errors"]] == ["systems"]
        assert session.scalars(select(CaseLetter).where(CaseLetter.case_id == case.id)).first() is None

        assert service.run_in_session(session, task.run_id, settings=settings) == "completed"
        assert flagged(published) == [("user2@example.jp", 1)]  # that person only
        [(body, key)] = webhook
        assert (body["action"], body["system"], body["dataset"], body["keys"]) == (
            "suspend",
            "shop",
            "customer",
            [[2]],
        )
        assert body["case_ref"] == case.reference
        assert key == f"{task.run_id}:shop:customer"
        generate_letter(session, actor="user:officer", case_id=case.id, settings=settings)

    def test_a_failed_run_keeps_the_answer_waiting(
        self, session: Session, settings: Settings, published: Shop
    ) -> None:
        case = accepted(session, settings, "utilisation_cease", ground="no_longer_needed")
        run_id = suspension_task(session, case).run_id
        assert run_id is not None
        assert service.run_in_session(session, run_id, settings=settings) == "failed"  # the webhook is closed
        with pytest.raises(ValidationFailed, match="shop"):
            generate_letter(session, actor="user:officer", case_id=case.id, settings=settings)
        assert flagged(published) == [("user2@example.jp", 1)]
