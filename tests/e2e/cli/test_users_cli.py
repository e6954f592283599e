"""``mamori users`` and ``mamori tokens`` as an operator runs them: real processes, a real database."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from mamori.cli.main import app
from mamori.config import Settings
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.security.models import ApiToken, StaffUser
from mamori.security.second_factor import enrolled
from mamori.security.service import get_user_by_username
from mamori.security.sessions import limits_of, resolve_session, start_session
from tests.e2e.cli.test_cli import mamori
from tests.factories.staff import enrol_second_factor

PASSWORD = "p" * 14


def _add(url: str, username: str, role: str) -> None:
    added = mamori(url, "users", "add", username, "--role", role, "--password", PASSWORD)
    assert added.returncode == 0, added.stderr


def _listed(url: str) -> dict[str, list[str]]:
    listing = mamori(url, "users", "list")
    assert listing.returncode == 0, listing.stderr
    return {line.split()[0]: line.split()[1:] for line in listing.stdout.splitlines()}


class TestRoleDisableEnable:
    def test_an_operator_changes_a_role_then_disables_and_enables(self, fresh_database_url: str) -> None:
        url = fresh_database_url
        _add(url, "root", "admin")
        _add(url, "hanako", "agent")
        changed = mamori(url, "users", "role", "hanako", "auditor")
        assert changed.returncode == 0, changed.stderr
        assert "hanako: agent → auditor" in changed.stdout
        assert _listed(url)["hanako"] == ["auditor", "active"]
        assert mamori(url, "users", "disable", "hanako").returncode == 0
        assert _listed(url)["hanako"] == ["auditor", "disabled"]
        assert mamori(url, "users", "enable", "hanako").returncode == 0
        assert _listed(url)["hanako"] == ["auditor", "active"]
        audit = mamori(url, "audit", "list", "--limit", "100")
        for action in ("user.role_changed", "user.disabled", "user.enabled"):
            assert action in audit.stdout

    def test_mistakes_are_refused_and_change_nothing(self, fresh_database_url: str) -> None:
        url = fresh_database_url
        _add(url, "root", "admin")
        assert mamori(url, "users", "role", "nobody", "agent").returncode == 3
        bad_role = mamori(url, "users", "role", "root", "overlord")
        assert bad_role.returncode == 2
        last = mamori(url, "users", "disable", "root")
        assert last.returncode == 4
        assert "last active admin" in last.stderr
        assert mamori(url, "users", "role", "root", "agent").returncode == 4
        assert _listed(url)["root"] == ["admin", "active"]

    @pytest.mark.parametrize("command", [["role", "hanako", "auditor"], ["disable", "hanako"]])
    def test_an_open_console_session_ends(self, fresh_database_url: str, command: list[str]) -> None:
        _add(fresh_database_url, "hanako", "agent")
        engine = make_engine(fresh_database_url)
        factory = make_session_factory(engine)
        with unit_of_work(factory) as session:
            user = get_user_by_username(session, "hanako")
            assert user is not None
            token = start_session(session, user).token
        assert mamori(fresh_database_url, "users", *command).returncode == 0
        limits = limits_of(Settings(_env_file=None))  # type: ignore[call-arg]
        with unit_of_work(factory) as session:
            assert resolve_session(session, token, limits) is None
        engine.dispose()


def _users(url: str) -> list[str]:
    engine = make_engine(url)
    with engine.connect() as conn:
        names = list(conn.scalars(select(StaffUser.username)))
    engine.dispose()
    return names


class TestAddPassword:
    def test_without_a_terminal_and_without_a_password_it_says_how(self, fresh_database_url: str) -> None:
        result = mamori(fresh_database_url, "users", "add", "hanako", "--role", "agent", stdin="")
        assert result.returncode == 2, result.stderr
        assert "--password-stdin" in result.stderr
        assert _users(fresh_database_url) == []

    def test_from_stdin_or_the_environment(self, fresh_database_url: str) -> None:
        piped = mamori(fresh_database_url, "users", "add", "hanako", "--role", "agent", "--password-stdin",
                       stdin=PASSWORD + "\n")  # fmt: skip
        assert piped.returncode == 0, piped.stderr
        env = {**os.environ, "MAMORI_DATABASE_URL": fresh_database_url, "MAMORI_NEW_PASSWORD": PASSWORD}
        from_env = subprocess.run([sys.executable, "-m", "mamori", "users", "add", "ken", "--role", "agent"],
                                  capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL,
                                  timeout=120, check=False)  # fmt: skip
        assert from_env.returncode == 0, from_env.stderr
        assert sorted(_users(fresh_database_url)) == ["hanako", "ken"]
        assert "Password" not in piped.stdout + from_env.stdout  # nothing prompted


def _token_rows(url: str) -> list[ApiToken]:
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        rows = list(session.scalars(select(ApiToken)))
    engine.dispose()
    return rows


class TestTokenCreate:
    def test_a_closed_stdout_after_the_commit_names_the_token_to_revoke(
        self, fresh_database_url: str
    ) -> None:
        _add(fresh_database_url, "hanako", "agent")
        env = {**os.environ, "MAMORI_DATABASE_URL": fresh_database_url}
        command = [sys.executable, "-m", "mamori", "tokens", "create", "hanako"]
        pipe = subprocess.PIPE
        process = subprocess.Popen(command, stdout=pipe, stderr=pipe, env=env, text=True)
        assert process.stdout is not None
        process.stdout.close()  # the reader went away before anything was printed
        _, err = process.communicate(timeout=120)
        rows = _token_rows(fresh_database_url)
        assert len(rows) == 1  # committed before printing: the operator can see and revoke it
        assert process.returncode != 0
        assert str(rows[0].id) in err
        assert "tokens revoke" in err

    def test_nothing_is_printed_when_the_commit_fails(
        self, fresh_database_url: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        _add(fresh_database_url, "hanako", "agent")
        settings = Settings(database_url=fresh_database_url, mail_backend="null", _env_file=None)  # type: ignore[call-arg]
        monkeypatch.setattr("mamori.cli.common.get_settings", lambda: settings)

        def failing_commit(self: Session) -> None:
            raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

        monkeypatch.setattr(Session, "commit", failing_commit)
        result = CliRunner().invoke(app, ["tokens", "create", "hanako"])
        assert result.exit_code != 0
        assert "mam_" not in result.stdout
        monkeypatch.undo()
        assert _token_rows(fresh_database_url) == []


class TestResetSecondFactor:
    def test_a_lost_phone_is_forgotten_and_the_session_ends(self, fresh_database_url: str) -> None:
        _add(fresh_database_url, "hanako", "agent")
        engine = make_engine(fresh_database_url)
        factory = make_session_factory(engine)
        with unit_of_work(factory) as session:
            user = get_user_by_username(session, "hanako")
            assert user is not None
            enrol_second_factor(session, user)
            token = start_session(session, user).token
        done = mamori(fresh_database_url, "users", "reset-second-factor", "hanako")
        assert done.returncode == 0, done.stderr
        with unit_of_work(factory) as session:
            user = get_user_by_username(session, "hanako")
            assert user is not None
            assert not enrolled(session, user)
            assert resolve_session(session, token, limits_of(Settings(_env_file=None))) is None  # type: ignore[call-arg]
        assert mamori(fresh_database_url, "users", "reset-second-factor", "nobody").returncode != 0
        engine.dispose()
