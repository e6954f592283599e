"""`mamori provisions` and `mamori processors` as an operator runs them, on a committed database."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from mamori.audit.models import AuditEvent
from mamori.cli.main import app
from mamori.config import DEFAULT_POLICY_DIR, get_settings
from mamori.consents.models import ConsentEvent
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.policy.service import publish_bundle
from mamori.provisions.models import Entrustment, Provision
from tests.bundles import copy_default_bundle, edit
from tests.factories.consents import create_plain_subject, record_consent
from tests.factories.provisions import OFFICER, create_officer

runner = CliRunner()


@dataclass
class World:
    url: str
    agreed: uuid.UUID
    silent: uuid.UUID

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
    engine = make_engine(fresh_database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        publish_bundle(session, actor="user:officer", directory=DEFAULT_POLICY_DIR)
        agreed, silent = create_plain_subject(session), create_plain_subject(session)
        record_consent(session, agreed, scope="recipient:sample_credit_bureau")
    engine.dispose()
    yield World(fresh_database_url, agreed.id, silent.id)
    get_settings.cache_clear()


class TestProvisionsCli:
    def test_provide_then_list_records(self, world: World, tmp_path: Path) -> None:
        ids = tmp_path / "ids.txt"
        ids.write_text(f"{world.agreed}\n{world.silent}\n", encoding="utf-8")
        args = [
            "provisions",
            "provide",
            "sample_credit_bureau",
            "--subjects-file",
            str(ids),
            "--items",
            "name,address",
        ]
        result = runner.invoke(app, [*args, "--lang", "en"])
        assert result.exit_code == 0, result.output
        assert "1 provided, 1 refused" in result.output
        assert f"refused {world.silent}: There is no consent" in result.output
        listed = runner.invoke(
            app, ["provisions", "records", str(world.agreed), "--purpose", "customer.credit", "--json"]
        )
        [record] = json.loads(listed.output)
        assert record["party"]["key"] == "sample_credit_bureau"
        shown = runner.invoke(
            app, ["provisions", "show", record["parent_id"], "--purpose", "customer.credit"]
        )
        assert shown.exit_code == 0, shown.output
        assert "basis consent, Art. 29 record: True, items name,address" in shown.output
        assert f"{world.agreed}  keep until " in shown.output
        assert "1 of 1 person(s) listed" in shown.output

    def test_show_refuses_a_purpose_of_another_category_and_keeps_the_refusal(self, world: World) -> None:
        provided = runner.invoke(
            app, ["provisions", "provide", "sample_credit_bureau", "--subject", str(world.agreed),
                  "--items", "name", "--json"],
        )  # fmt: skip
        provision_id = json.loads(provided.stdout)["provision_id"]
        before = world.count(AuditEvent)
        shown = runner.invoke(app, ["provisions", "show", provision_id, "--purpose", "employee.hr"])
        assert shown.exit_code == 1
        assert "purpose" in shown.output
        assert world.count(AuditEvent) == before + 1
        unknown = runner.invoke(
            app, ["provisions", "show", str(uuid.uuid4()), "--purpose", "customer.credit"]
        )
        assert unknown.exit_code == 3
        malformed = runner.invoke(app, ["provisions", "show", "nope", "--purpose", "customer.credit"])
        assert malformed.exit_code == 2

    def test_exception_without_justification_exits_2_and_records_nothing(self, world: World) -> None:
        args = [
            "provisions",
            "provide",
            "sample_credit_bureau",
            "--subject",
            str(world.agreed),
            "--items",
            "name",
        ]
        result = runner.invoke(app, [*args, "--basis", "law"])
        assert result.exit_code == 2
        assert "justification:" in result.output
        assert world.count(Provision) == 0

    @pytest.mark.usefixtures("world")
    def test_joint_use_changes_against_a_directory(self) -> None:
        result = runner.invoke(app, ["provisions", "joint-use-changes", "current", str(DEFAULT_POLICY_DIR)])
        assert result.exit_code == 0, result.output
        assert "0 joint-use change(s)" in result.output

    @pytest.mark.usefixtures("world")
    def test_help_of_each_command(self) -> None:
        commands = (
            ("provisions", "provide"), ("provisions", "sweep"), ("provisions", "show"),
            ("provisions", "country"),
            ("processors", "entrust"), ("processors", "sub-processor"), ("processors", "sub-processors"),
            ("processors", "approve-sub-processor"), ("processors", "refuse-sub-processor"),
        )  # fmt: skip
        for group, command in commands:
            result = runner.invoke(app, [group, command, "--help"])
            assert result.exit_code == 0
            assert "Example: mamori" in result.output


class TestCountryCli:
    @pytest.mark.usefixtures("world")
    @pytest.mark.parametrize(
        ("lang", "heading", "name"),
        [
            ("ja", "移転先の国", "シンガポール共和国"),
            ("en", "Country of the recipient", "Republic of Singapore"),
            ("zh-Hans", "接收方所在国家", "新加坡共和国"),
            ("zh-Hant", "接收方所在國家", "新加坡共和國"),
        ],
    )
    def test_prints_the_text_and_the_hash_in_each_language(self, lang: str, heading: str, name: str) -> None:
        result = runner.invoke(app, ["provisions", "country", "SG", "--lang", lang, "--json"])
        assert result.exit_code == 0, result.output
        body = json.loads(result.stdout)
        assert body["text"].startswith(f"{heading}\n{name}\n\n")
        assert body["notice_hash"] == hashlib.sha256(body["text"].encode()).hexdigest()
        assert (body["scope"], body["language"], body["sample"]) == ("cross_border:SG", lang, True)
        plain = runner.invoke(app, ["provisions", "country", "SG", "--lang", lang])
        assert plain.exit_code == 0
        assert plain.stdout.startswith(body["text"])
        assert f"notice_hash {body['notice_hash']}" in plain.stdout
        assert "sample text" in plain.stderr

    @pytest.mark.usefixtures("world")
    def test_unknown_country_exits_3_and_bad_language_2(self) -> None:
        assert runner.invoke(app, ["provisions", "country", "CN"]).exit_code == 3
        bad = runner.invoke(app, ["provisions", "country", "SG", "--lang", "ko"])
        assert bad.exit_code == 2
        assert "lang:" in bad.output

    def test_consent_given_with_the_printed_hash_then_the_provision_goes_through(self, world: World) -> None:
        shown = json.loads(runner.invoke(app, ["provisions", "country", "SG", "--json"]).stdout)
        subject = str(world.silent)
        wrong = runner.invoke(
            app, ["consents", "give", subject, "cross_border:SG", "--notice-hash", "c" * 64]
        )
        assert wrong.exit_code == 2
        assert "notice_hash:" in wrong.output
        assert world.count(ConsentEvent) == 1  # the fixture's consent only
        for scope, extra in (
            ("recipient:sample_partner_sg", []),
            ("cross_border:SG", ["--notice-hash", shown["notice_hash"]]),
        ):
            given = runner.invoke(app, ["consents", "give", subject, scope, *extra])
            assert given.exit_code == 0, given.output
        provided = runner.invoke(
            app,
            ["provisions", "provide", "sample_partner_sg", "--subject", subject, "--items", "name", "--json"],
        )
        assert provided.exit_code == 0, provided.output
        assert (json.loads(provided.stdout)["provided"], json.loads(provided.stdout)["refused"]) == (1, [])

    def test_policy_check_fails_for_a_recipient_only_consent_reaches_without_information(
        self, tmp_path: Path
    ) -> None:
        bundle = copy_default_bundle(tmp_path)
        edit(bundle, "provisions.yaml", "    - code: SG\n", "    - code: MY\n")
        result = runner.invoke(app, ["policy", "check", str(bundle)])
        assert result.exit_code == 2
        assert "provisions.recipients[4].country: SG is not an adequate country" in result.output


class TestProcessorsCli:
    def test_assess_entrust_and_overdue(self, world: World) -> None:
        overdue = runner.invoke(app, ["processors", "overdue"])
        assert overdue.exit_code == 1
        assert "sample_mailing_house" in overdue.output
        assert "never assessed" in overdue.output
        assess = [
            "processors",
            "assess",
            "sample_mailing_house",
            "--kind",
            "pre_selection",
            "--result",
            "pass",
        ]
        assessed = runner.invoke(app, [*assess, "--evidence", "audit/2026.pdf"])
        assert assessed.exit_code == 0, assessed.output
        entrusted = runner.invoke(
            app, ["processors", "entrust", "sample_mailing_house", "--duty", "promotional_printing",
                  "--items", "name,address,phone"],
        )  # fmt: skip
        assert entrusted.exit_code == 0, entrusted.output
        assert "flagged: promotional_printing does not need phone" in entrusted.output
        assert world.count(Entrustment) == 1

    def test_sub_processor_pending_then_approved(self, world: World) -> None:
        engine = make_engine(world.url)
        with unit_of_work(make_session_factory(engine)) as session:
            create_officer(session)
        engine.dispose()
        house = "sample_mailing_house"
        registered = runner.invoke(
            app, ["processors", "sub-processor", house, "Print Sub Ltd.", "--duty", "promotional_printing"]
        )
        assert registered.exit_code == 0, registered.output
        assert "pending approval" in registered.output
        [sub] = json.loads(runner.invoke(app, ["processors", "sub-processors", house, "--json"]).stdout)
        assert sub["status"] == "pending"
        refused = runner.invoke(
            app,
            [
                "processors",
                "approve-sub-processor",
                house,
                sub["id"],
                "--by",
                "nobody",
                "--evidence",
                "c.pdf",
            ],
        )
        assert refused.exit_code == 2
        assert "decided_by:" in refused.output
        approved = runner.invoke(
            app,
            ["processors", "approve-sub-processor", house, sub["id"], "--by", OFFICER, "--evidence", "c.pdf"],
        )
        assert approved.exit_code == 0, approved.output
        assert "approved on " in approved.output
        listed = runner.invoke(app, ["processors", "sub-processors", house])
        assert "approved" in listed.output
        assert f"by {OFFICER}" in listed.output
        abroad = runner.invoke(
            app,
            [
                "processors",
                "sub-processor",
                house,
                "Overseas Inc.",
                "--country",
                "US",
                "--duty",
                "promotional_printing",
            ],
        )
        assert abroad.exit_code == 2
        assert "country:" in abroad.output
