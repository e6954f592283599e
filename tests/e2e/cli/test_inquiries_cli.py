"""`mamori inquiries` as an agent runs it, against a real database."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from click.testing import Result
from typer.testing import CliRunner

from mamori.cli.main import app
from mamori.config import DEFAULT_POLICY_DIR, get_settings
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.policy.service import publish_bundle
from mamori.security.rules import Role
from mamori.security.service import add_user

COMMANDS = (
    "add",
    "list",
    "show",
    "assign",
    "reply",
    "answer",
    "message",
    "close",
    "reopen",
    "convert",
    "complaints",
)


@pytest.fixture
def run(fresh_database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Result]]:
    engine = make_engine(fresh_database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        publish_bundle(session, actor="test", directory=DEFAULT_POLICY_DIR)
        add_user(session, actor="t", username="sato", display_name="佐藤", role=Role.AGENT, password="x" * 12)
    engine.dispose()
    monkeypatch.setenv("MAMORI_DATABASE_URL", fresh_database_url)
    monkeypatch.setenv("MAMORI_MAIL_BACKEND", "console")
    get_settings.cache_clear()
    runner = CliRunner()
    yield lambda *args: runner.invoke(app, ["inquiries", *args], terminal_width=200)
    get_settings.cache_clear()


def test_an_agents_day(run: Callable[..., Result]) -> None:
    added = run(
        "add",
        "-m",
        "店舗での説明が不十分でした",
        "--category",
        "complaint",
        "--email",
        "hanako@example.jp",
        "--name",
        "山田 花子",
    )
    assert added.exit_code == 0, added.output
    reference = added.output.split()[0]
    assert reference.startswith("Q-")
    listed = run("list")
    assert reference in listed.output
    assert "complaint" in listed.output
    assert run("assign", reference, "--to", "sato").exit_code == 0
    replied = run("reply", reference, "-a", "店舗に共有し、指導しました。")
    assert replied.exit_code == 0, replied.output
    assert "answered" in replied.output
    assert "店舗に共有し、指導しました。" in replied.output  # the console mail backend prints the e-mail
    assert "山田 花子 様" in replied.output
    shown = run("show", reference)
    assert "hanako@example.jp" in shown.output
    assert run("close", reference).exit_code == 0
    assert run("list").output.strip() == "no open inquiries"
    report = run("complaints", "--from", "2020-01-01", "--to", "2099-12-31", "--json")
    assert '"complaints": 1' in report.output


def test_bad_input_exits_with_the_field_named(run: Callable[..., Result]) -> None:
    result = run("add", "-m", " ", "--language", "fr")
    assert result.exit_code == 2
    assert "message: must not be empty" in result.output
    assert "language: must be one of" in result.output
    assert run("list").output.strip() == "no open inquiries"
    assert run("close", "Q-000000-XXXXXX").exit_code == 3
    assert run("complaints", "--from", "yesterday", "--to", "2026-01-01").exit_code == 2


def test_every_command_has_help_with_an_example() -> None:
    runner = CliRunner()
    for command in COMMANDS:
        result = runner.invoke(app, ["inquiries", command, "--help"], terminal_width=200)
        assert result.exit_code == 0, command
        assert "Example: mamori inquiries" in result.output, command
