"""`mamori consents` as an operator runs it, on a database the commands commit to."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import Result
from pypdf import PdfReader
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from mamori.cli.main import app
from mamori.config import DEFAULT_POLICY_DIR, Settings, get_settings
from mamori.consents.models import ConsentEvent, ConsentState, UsageSuspension
from mamori.consents.rules import notice_hash
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.policy.loader import load_bundle
from mamori.policy.models import PolicyVersion
from mamori.policy.sections.countries import country_notice_text
from mamori.policy.service import publish_bundle
from mamori.security.crypto import cipher_from_settings
from mamori.subjects.models import SubjectCategory, SubjectIdentifier
from mamori.subjects.repository import identifier_index
from tests.factories.consents import MAILINGS, create_plain_subject

EMAIL = "Hanako.Yamada@example.jp"


def _sg_hash(lang: str) -> str:
    """The notice_hash of the Singapore information of the default bundle in ``lang``."""
    bundle = load_bundle(DEFAULT_POLICY_DIR).bundle
    assert bundle is not None
    text = country_notice_text(bundle, "SG", lang)
    assert text is not None
    return notice_hash(text)


@dataclass
class World:
    url: str
    subject: uuid.UUID
    other: uuid.UUID

    def count(self, model: type[object]) -> int:
        engine = make_engine(self.url)
        with engine.connect() as conn:
            value = conn.scalar(select(func.count()).select_from(model)) or 0
        engine.dispose()
        return value


@pytest.fixture
def world(fresh_database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setenv("MAMORI_DATABASE_URL", fresh_database_url)
    monkeypatch.setenv("MAMORI_MAIL_BACKEND", "null")
    get_settings.cache_clear()
    settings = Settings(database_url=fresh_database_url, _env_file=None)  # type: ignore[call-arg]
    engine = make_engine(fresh_database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        publish_bundle(session, actor="user:officer", directory=DEFAULT_POLICY_DIR)
        subject = create_plain_subject(session)
        other = create_plain_subject(session, language="en")
        session.add(
            SubjectIdentifier(
                subject_id=subject.id,
                kind="email",
                value_encrypted=cipher_from_settings(settings).encrypt(
                    EMAIL, context="subject_identifiers.value"
                ),
                blind_index=identifier_index(settings, "email", EMAIL),
            )
        )
        ids = subject.id, other.id
    engine.dispose()
    yield World(fresh_database_url, *ids)
    get_settings.cache_clear()


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["consents", *args])


class TestGiveWithdrawList:
    def test_give_then_withdraw_then_list(self, world: World) -> None:
        given = run("give", str(world.subject), MAILINGS, "--channel", "shop")
        assert given.exit_code == 0, given.output
        assert f"recorded given {MAILINGS}" in given.stdout
        withdrawn = run("withdraw", str(world.subject), MAILINGS, "--channel", "phone")
        assert withdrawn.exit_code == 0, withdrawn.output
        listed = run("list", str(world.subject), "--json")
        assert listed.exit_code == 0
        body = json.loads(listed.stdout)
        assert body["states"][MAILINGS]["action"] == "withdrawn"
        assert [e["channel"] for e in body["events"]] == ["shop", "phone"]
        plain = run("list", str(world.subject))
        assert "2 event(s)" in plain.stdout

    def test_unknown_purpose_exits_2_naming_the_field(self, world: World) -> None:
        result = run("give", str(world.subject), "purpose:nope")
        assert result.exit_code == 2
        assert "scope: the published policy declares no purpose 'nope'" in result.stderr
        assert world.count(ConsentEvent) == 0

    def test_unknown_subject_exits_3(self, world: World) -> None:
        assert run("give", str(uuid.uuid4()), MAILINGS).exit_code == 3
        bad = run("give", "not-a-uuid", MAILINGS)
        assert bad.exit_code == 2
        assert "subject_id: not a UUID" in bad.stderr
        assert world.count(ConsentEvent) == 0


class TestExportAndReceipt:
    def test_export_to_stdout_and_file(self, world: World, tmp_path: Path) -> None:
        assert run("give", str(world.subject), MAILINGS).exit_code == 0
        result = run("export", str(world.subject))
        assert result.exit_code == 0
        assert "\\u" not in result.stdout
        assert json.loads(result.stdout)["records"][0]["pii_processing"]["scope"] == MAILINGS
        out = tmp_path / "c.json"
        assert run("export", str(world.subject), "--out", str(out)).exit_code == 0
        assert "株式会社AOKI" in out.read_text(encoding="utf-8")

    def test_receipt_html_and_pdf(self, world: World, tmp_path: Path) -> None:
        assert run("give", str(world.other), MAILINGS, "--language", "en").exit_code == 0
        html = run("receipt", str(world.other))
        assert html.exit_code == 0
        assert "Your consent receipt" in html.stdout
        refused = run("receipt", str(world.other), "--format", "pdf")
        assert refused.exit_code == 2
        out = tmp_path / "r.pdf"
        result = run("receipt", str(world.other), "--format", "pdf", "--lang", "ja", "--out", str(out))
        assert result.exit_code == 0, result.output
        text = re.sub(
            r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(out.read_bytes())).pages)
        )
        assert "AOKIグループの商品をお届けするため" in text


class TestExpireAndRebuild:
    def test_expire_then_rebuild(self, world: World) -> None:
        result = run(
            "give", str(world.subject), "camera", "--occurred-at", "2026-01-01T10:00:00+09:00",
            "--expires-at", "2026-01-02T10:00:00+09:00",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        expired = run("expire")
        assert expired.exit_code == 0
        assert "1 consent(s) expired" in expired.stdout
        rebuilt = run("rebuild")
        assert rebuilt.exit_code == 0
        assert "2 event(s), 1 state(s), 0 corrected" in rebuilt.stdout


class TestSuspendAndLift:
    def test_suspend_then_lift(self, world: World) -> None:
        result = run("suspend", str(world.subject), "--scope", "all", "--reason", "complaint")
        assert result.exit_code == 0, result.output
        suspension = result.stdout.split()[1]
        assert run("lift", suspension).exit_code == 0
        again = run("lift", suspension)
        assert again.exit_code == 4
        bad = run("suspend", str(world.subject), "--scope", "camera", "--reason", "r")
        assert bad.exit_code == 2
        assert "scope:" in bad.stderr
        assert world.count(UsageSuspension) == 1


class TestImport:
    def _csv(self, tmp_path: Path, world: World, *extra: str) -> Path:
        lines = [
            "subject_id,email,scope,action,occurred_at,language,channel,separate,notice_hash",
            f"{world.subject},,{MAILINGS},given,2026-01-05T10:00:00+09:00,ja,paper,false,",
            f",{EMAIL.upper()},camera,given,2026-01-05T10:00:00+09:00,ja,shop,,",
            f"{world.other},,cross_border:SG,given,2026-01-06T10:00:00+09:00,zh-Hans,web,true,{_sg_hash('zh-Hans')}",
            *extra,
        ]
        path = tmp_path / "events.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    def test_imports_every_row_in_one_go(self, world: World, tmp_path: Path) -> None:
        result = run("import", str(self._csv(tmp_path, world)))
        assert result.exit_code == 0, result.output
        assert "imported 3 consent event(s)" in result.stdout
        assert world.count(ConsentEvent) == 3
        assert world.count(ConsentState) == 3

    def test_a_bad_row_imports_nothing_and_reports_each_problem(self, world: World, tmp_path: Path) -> None:
        path = self._csv(
            tmp_path, world,
            f"{world.subject},,purpose:nope,given,,ja,web,false",
            ",nobody@example.jp,camera,given,,ja,web,false",
            f"{uuid.uuid4()},,camera,given,,ja,fax,maybe",
            f"{world.subject},,camera,given,yesterday,ja,web,false",
        )  # fmt: skip
        result = run("import", str(path))
        assert result.exit_code == 2
        assert "nothing was imported" in result.stderr
        assert "row 5: scope: the published policy declares no purpose 'nope'" in result.stderr
        assert "row 6: email: no subject has this e-mail" in result.stderr
        assert "row 7: separate: true or false" in result.stderr
        assert "row 8: occurred_at: not an ISO 8601 time" in result.stderr
        assert world.count(ConsentEvent) == 0

    def test_a_cross_border_row_without_the_hash_of_the_text_shown_imports_nothing(
        self, world: World, tmp_path: Path
    ) -> None:
        path = self._csv(
            tmp_path, world,
            f"{world.subject},,cross_border:SG,given,,ja,paper,false,",
            f"{world.subject},,cross_border:SG,given,,ja,paper,false,{_sg_hash('en')}",
            f"{world.subject},,cross_border:SG,withdrawn,,ja,paper,false,",
        )  # fmt: skip
        result = run("import", str(path))
        assert result.exit_code == 2
        assert (
            "row 5: notice_hash: required: the notice_hash of the information about SG shown in ja"
            in result.stderr
        )
        assert "row 6: notice_hash: is not the hash of the information about SG in ja" in result.stderr
        assert "row 7" not in result.stderr  # a withdrawal needs no hash
        assert world.count(ConsentEvent) == 0

    def test_jsonl_and_unknown_subject(self, world: World, tmp_path: Path) -> None:
        path = tmp_path / "events.jsonl"
        rows = [
            {
                "subject_id": str(world.subject),
                "scope": "sensitive",
                "action": "given",
                "channel": "web",
                "separate": True,
            },
            {"subject_id": str(uuid.uuid4()), "scope": "camera", "action": "given", "channel": "web"},
        ]
        lines = [json.dumps(r) for r in rows] + ["{not json", '{"colour": "blue"}']
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        bad = run("import", str(path))
        assert bad.exit_code == 2
        assert "row 2: subject_id: no subject" in bad.stderr
        assert "row 3: line: not JSON" in bad.stderr
        assert "row 4: colour: unknown field" in bad.stderr
        path.write_text(json.dumps(rows[0]) + "\n", encoding="utf-8")
        good = run("import", str(path))
        assert good.exit_code == 0, good.output
        assert world.count(ConsentEvent) == 1


class TestAsAProcess:
    def test_help_and_a_real_run(self, world: World) -> None:
        env = {**os.environ, "MAMORI_DATABASE_URL": world.url, "MAMORI_MAIL_BACKEND": "null"}
        result = subprocess.run(
            [sys.executable, "-m", "mamori", "consents", "give", str(world.subject), "sharing", "--separate"],
            capture_output=True, text=True, env=env, timeout=120, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        for command in (
            "give",
            "withdraw",
            "list",
            "export",
            "receipt",
            "expire",
            "rebuild",
            "suspend",
            "lift",
            "import",
        ):
            help_result = run(command, "--help")
            assert help_result.exit_code == 0, command
            assert "Example:" in help_result.stdout


def _backdate_ledger(url: str, days: int) -> None:
    """Make every consent event and category look recorded ``days`` ago (as if entered back then)."""
    engine = make_engine(url)
    with engine.begin() as conn:
        when = datetime.now(UTC) - timedelta(days=days)
        conn.execute(update(ConsentEvent).values(recorded_at=when, occurred_at=when))
        conn.execute(update(ConsentState).values(occurred_at=when))
        conn.execute(update(SubjectCategory).values(collected_at=when))
        conn.execute(update(UsageSuspension).values(created_at=when, starts_at=when))
        conn.execute(update(PolicyVersion).values(effective_date=when.date() - timedelta(days=1)))
    engine.dispose()


def decide_at(subject: uuid.UUID, at: datetime | None) -> Result:
    args = ["decide", "--subject", str(subject), "--purpose", "customer.mailings", "--item", "email"]
    return CliRunner().invoke(app, [*args, "--lang", "en"] + (["--at", at.isoformat()] if at else []))


class TestDecideAtAPastInstant:
    """`mamori decide --at` reads the ledger as it stood then, not today's consents."""

    def test_a_withdrawal_today_does_not_refuse_yesterday(self, world: World) -> None:
        assert run("give", str(world.subject), MAILINGS).exit_code == 0
        _backdate_ledger(world.url, days=3)
        assert run("withdraw", str(world.subject), MAILINGS).exit_code == 0
        yesterday = datetime.now(UTC) - timedelta(days=1)
        past = decide_at(world.subject, yesterday)
        assert past.exit_code == 0, past.output
        assert past.stdout.startswith("allowed")
        today = decide_at(world.subject, None)
        assert today.exit_code == 1
        assert "consent_withdrawn" in today.stdout

    def test_a_consent_recorded_today_was_unknown_yesterday(self, world: World) -> None:
        _backdate_ledger(world.url, days=3)
        two_days_ago = (datetime.now(UTC) - timedelta(days=2)).isoformat()
        assert run("give", str(world.subject), MAILINGS, "--occurred-at", two_days_ago).exit_code == 0
        past = decide_at(world.subject, datetime.now(UTC) - timedelta(days=1))
        assert past.exit_code == 1
        assert "consent_missing" in past.stdout
        assert decide_at(world.subject, None).exit_code == 0

    def test_a_suspension_today_does_not_refuse_yesterday(self, world: World) -> None:
        assert run("give", str(world.subject), MAILINGS).exit_code == 0
        _backdate_ledger(world.url, days=3)
        since = (datetime.now(UTC) - timedelta(days=3)).isoformat()
        suspended = run(
            "suspend", str(world.subject), "--scope", "all", "--reason", "request R1", "--starts-at", since
        )
        assert suspended.exit_code == 0, suspended.output
        assert decide_at(world.subject, datetime.now(UTC) - timedelta(days=1)).exit_code == 0
        today = decide_at(world.subject, None)
        assert today.exit_code == 1
        assert "suspended" in today.stdout
