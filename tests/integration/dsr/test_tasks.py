"""Work for the organisation's systems that cannot start yet waits with a reason people can read.

The default bundle has no data map: an accepted erasure then cannot reach any system. The case
shows why in the four languages, the refusal is audited once, and the work starts by itself once a
policy with a data map is published.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.config import Settings
from mamori.dsr.models import Case
from mamori.dsr.schemas import TaskRead
from mamori.dsr.service import decide
from mamori.dsr.service.effects import waiting_reason
from mamori.dsr.service.views import case_view, waiting_read
from mamori.dsr.tasks import PERIODIC, TASKS
from mamori.errors import NotFound, ValidationFailed
from mamori.fulfillment.models import FulfillmentRun
from mamori.policy.schema import LANGUAGES
from mamori.policy.service import publish_bundle
from tests.factories.dsr import case_in_progress
from tests.factories.fulfillment import shop_bundle
from tests.factories.subjects import create_subject

CODES = ("no_policy", "no_datamap", "no_identity", "unmapped_change", "not_startable")


def erasure_decided(session: Session, settings: Settings) -> Case:
    subject = create_subject(session, settings, identifiers=[("email", "user3@example.jp")])
    case = case_in_progress(
        session,
        settings,
        subject_id=subject.id,
        request_type="utilisation_cease",
        ground="no_longer_needed",
        erasure=True,
    )
    decide(session, actor="user:officer", case_id=case.id, outcome="full", settings=settings)
    return case


def erasure_task(session: Session, case: Case, settings: Settings) -> TaskRead:
    """The erasure task of the case (a suspension task waits beside it)."""
    tasks = case_view(session, case).tasks
    assert sorted(t.action for t in tasks) == ["erase", "suspend"]
    return next(t for t in tasks if t.action == "erase")


def audited(session: Session, case: Case, action: str) -> int:
    stmt = select(func.count()).where(AuditEvent.action == action, AuditEvent.target_id == str(case.id))
    return int(session.scalar(stmt) or 0)


class TestNoDataMap:
    def test_the_case_shows_why_its_erasure_waits_in_four_languages(
        self, session: Session, settings: Settings
    ) -> None:
        case = erasure_decided(session, settings)
        task = erasure_task(session, case, settings)
        assert (task.action, task.status, task.run_id) == ("erase", "pending", None)
        assert task.waiting is not None
        assert task.waiting.code == "no_datamap"
        assert set(task.waiting.messages) == set(LANGUAGES)
        assert "データマップ" in task.waiting.messages["ja"]
        assert "data map" in task.waiting.messages["en"]
        assert "数据地图" in task.waiting.messages["zh-Hans"]
        assert "資料地圖" in task.waiting.messages["zh-Hant"]
        assert audited(session, case, "request.task_pending") == 2  # the erasure and the suspension

    def test_trying_again_records_no_new_event_and_a_published_map_starts_the_work(
        self, session: Session, settings: Settings, tmp_path: Path
    ) -> None:
        case = erasure_decided(session, settings)
        hand_over = TASKS["dsr.hand_over_tasks"]
        assert "dsr.hand_over_tasks" in PERIODIC  # the worker tries again by itself
        hand_over(session, {})
        assert audited(session, case, "request.task_pending") == 2  # the same reason is not audited again
        assert erasure_task(session, case, settings).status == "pending"

        publish_bundle(session, actor="user:officer", directory=shop_bundle(tmp_path))
        hand_over(session, {})
        task = erasure_task(session, case, settings)
        assert (task.status, task.waiting) == ("handed_over", None)
        assert task.run_id is not None
        run = session.get_one(FulfillmentRun, task.run_id)
        assert (run.action, run.status, run.case_ref) == ("erase", "pending", case.reference)
        assert audited(session, case, "request.task_handed_over") == 2


class TestWaitingReasons:
    @pytest.mark.parametrize(
        ("error", "code"),
        [
            (NotFound("no policy", details={"reason": "no_policy"}), "no_policy"),
            (NotFound("no map", details={"reason": "no_datamap"}), "no_datamap"),
            (NotFound("something else"), "not_startable"),
            (
                ValidationFailed("x", details={"errors": [{"field": "identities", "message": "m"}]}),
                "no_identity",
            ),
            (
                ValidationFailed("x", details={"errors": [{"field": "changes.phone", "message": "m"}]}),
                "unmapped_change",
            ),
            (
                ValidationFailed("x", details={"errors": [{"field": "language", "message": "m"}]}),
                "not_startable",
            ),
        ],
    )
    def test_a_refusal_becomes_a_code(self, error: NotFound | ValidationFailed, code: str) -> None:
        assert waiting_reason(error) == code

    @pytest.mark.parametrize("code", CODES)
    def test_every_code_reads_in_four_languages(self, code: str) -> None:
        read = waiting_read(code)
        assert read is not None
        assert len(set(read.messages.values())) == len(LANGUAGES)
        assert all(text.strip() for text in read.messages.values())
