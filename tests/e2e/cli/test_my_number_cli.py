"""The Individual Number (My Number) never stored: identifiers refused, free text masked with a
note, bundles that declare it refused (the CLI in-process, on a database the commands commit to)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import select
from typer.testing import CliRunner

from mamori.cli.main import app
from mamori.config import DEFAULT_POLICY_DIR, Settings, get_settings
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.dsr.models import Case
from mamori.dsr.service import common
from mamori.policy.service import publish_bundle
from mamori.subjects.models import SubjectIdentifier
from tests.bundles import copy_default_bundle, edit

VALID = "123456789018"  # check digit 8 (worked out in tests/unit/security/test_mynumber.py)
NOTE_EN = "Your text contained an Individual Number (My Number); it was masked before saving"


@pytest.fixture
def url(fresh_database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    monkeypatch.setenv("MAMORI_DATABASE_URL", fresh_database_url)
    monkeypatch.setenv("MAMORI_MAIL_BACKEND", "null")
    monkeypatch.setenv("MAMORI_FILES_DIR", str(tmp_path / "files"))
    get_settings.cache_clear()
    engine = make_engine(fresh_database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        publish_bundle(session, actor="user:officer", directory=DEFAULT_POLICY_DIR)
    engine.dispose()
    yield fresh_database_url
    get_settings.cache_clear()


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


class TestIdentifiers:
    @pytest.mark.parametrize("kind", ["my_number", "individual_number", "mynumber"])
    def test_a_my_number_identifier_is_refused_and_nothing_is_stored(self, url: str, kind: str) -> None:
        added = run("subjects", "add", "-c", "customers", "--name", "山田 花子", "-i", f"{kind}={VALID}")
        assert added.exit_code == 2, added.output
        assert "Individual Number (My Number) may not be kept" in added.stderr
        engine = make_engine(url)
        with engine.connect() as conn:
            assert conn.scalars(select(SubjectIdentifier.kind)).all() == []
        engine.dispose()


class TestFreeText:
    def test_request_details_are_masked_and_the_operator_is_told_why(self, url: str) -> None:
        opened = run(
            "requests", "open", "--type", "disclosure", "--name", "山田 花子", "--address", "横浜市1-2",
            "--details", "個人番号は１２３４－５６７８－９０１８です。住所変更の件。",
        )  # fmt: skip
        assert opened.exit_code == 0, opened.output
        assert NOTE_EN in opened.stderr
        assert "個人番号（マイナンバー）が含まれていた" in opened.stderr
        reference = re.search(r"R\d{8}-[0-9A-F]{6}", opened.stdout)
        assert reference is not None
        engine = make_engine(url)
        with unit_of_work(make_session_factory(engine)) as session:
            case = session.scalars(select(Case).where(Case.reference == reference.group(0))).one()
            details = common.cipher(Settings(database_url=url, _env_file=None)).decrypt(  # type: ignore[call-arg]
                case.details_encrypted or "", context=common.DETAILS_CONTEXT
            )
        engine.dispose()
        assert details == "個人番号は************です。住所変更の件。"

    @pytest.mark.usefixtures("url")
    def test_an_inquiry_message_is_masked_and_a_number_without_the_check_digit_kept(self) -> None:
        added = run("inquiries", "add", "-m", f"番号 {VALID} と会員番号 123456789012 です", "--name", "山田")
        assert added.exit_code == 0, added.output
        assert NOTE_EN in added.stderr
        ref = added.stdout.split()[0]
        shown = run("inquiries", "show", ref, "--json")
        assert shown.exit_code == 0, shown.output
        texts = [m["text"] for m in json.loads(shown.stdout)["messages"]]
        assert texts == ["番号 ************ と会員番号 123456789012 です"]
        assert VALID not in shown.stdout

    @pytest.mark.usefixtures("url")
    def test_plain_text_gets_no_note(self) -> None:
        added = run("inquiries", "add", "-m", "営業時間を教えてください")
        assert added.exit_code == 0, added.output
        assert "My Number" not in added.stderr


class TestBundle:
    def test_a_data_item_for_the_number_is_refused_unless_the_organisation_handles_it(
        self, tmp_path: Path
    ) -> None:
        bundle = copy_default_bundle(tmp_path)
        item = (
            "  - id: my_number\n    name: {ja: 個人番号, en: Individual Number, zh-Hans: 个人编号,"
            " zh-Hant: 個人編號}\n"
        )
        edit(bundle, "data_items.yaml", "data_items:\n", "data_items:\n" + item)
        refused = run("policy", "check", str(bundle))
        assert refused.exit_code == 2
        assert "data_items[0].id: the Individual Number (My Number) may not be kept" in refused.stderr
        edit(bundle, "bundle.yaml", "controller:\n", "controller:\n  my_number_handler: true\n")
        allowed = run("policy", "check", str(bundle))
        assert allowed.exit_code == 0, allowed.output
