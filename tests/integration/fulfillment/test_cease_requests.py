"""An accepted cease-use or cease-provision request stops use in the organisation's systems too.

The decision records Mamori's own suspension and starts a suspension run across the data map: the
CRM's flag column is set for the person, the shop's webhook is called (a real HTTP server). The
answer waits until that run has completed.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
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
REPO = Path(__file__).resolve().parents[3]


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


def cli(url: str, files: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``mamori …`` as an agent runs it (the systems' variables come from the fixtures' environment)."""
    env = {
        **os.environ,
        "MAMORI_DATABASE_URL": url,
        "MAMORI_MAIL_BACKEND": "null",
        "MAMORI_FILES_DIR": str(files),
    }
    return subprocess.run(
        [sys.executable, "-m", "mamori", *args],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=180, check=False,
    )  # fmt: skip


class TestOnTheCommandLine:
    def test_decided_cease_use_suspends_in_the_systems_before_it_is_answered(
        self, fresh_database_url: str, shop: Shop, webhook: Calls, tmp_path: Path
    ) -> None:
        files = tmp_path / "files"

        def ok(*args: str) -> str:
            done = cli(fresh_database_url, files, *args)
            assert done.returncode == 0, done.stderr
            return done.stdout

        ok("policy", "publish", str(shop.bundle))
        subject = ok(
            "subjects", "add", "-c", "customers", "--email", "user2@example.jp", "--name", "山田 太郎2"
        )
        opened = ok(
            "requests", "open", "--type", "utilisation_cease", "--ground", "no_longer_needed",
            "--name", "山田 太郎2", "--address", "東京都千代田区1-1", "--subject-id", subject.strip(),
        )  # fmt: skip
        found = re.search(r"R\d{8}-[0-9A-F]{6}", opened)
        assert found is not None
        ref = found.group(0)
        scan = tmp_path / "licence.png"
        scan.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
        ok("requests", "upload", ref, str(scan), "--document-type", "drivers_licence")
        ok(
            "requests", "check", ref, "--document-type", "drivers_licence",
            "--outcome", "verified", "--matched", "name,address",
        )  # fmt: skip
        ok("requests", "move", ref, "in_progress", "--reason", "ID verified")
        ok("requests", "decide", ref, "--outcome", "full")

        early = cli(fresh_database_url, files, "requests", "letter", ref)
        assert early.returncode != 0
        assert "suspend run" in early.stderr
        assert flagged(shop) == []
        assert webhook == []

        ok("worker", "run", "--once")
        assert flagged(shop) == [("user2@example.jp", 1)]  # that person only
        assert [(body["system"], body["keys"]) for body, _ in webhook] == [("shop", [[2]])]
        ok("requests", "letter", ref)
        assert "post" in ok("requests", "send", ref, "--method", "post")
        assert "responded" in ok("requests", "show", ref)
