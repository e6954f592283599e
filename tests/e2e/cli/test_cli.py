"""The ``mamori`` command as an operator runs it: a real process against a real database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text
from typer.testing import CliRunner

from mamori.cli.main import app
from mamori.config import DEFAULT_POLICY_DIR
from mamori.db.session import make_engine
from tests.bundles import copy_default_bundle, edit


def mamori(database_url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MAMORI_DATABASE_URL": database_url, "MAMORI_MAIL_BACKEND": "null"}
    return subprocess.run(
        [sys.executable, "-m", "mamori", *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        timeout=120,
        check=False,
    )


class TestPolicyCommands:
    def test_check_good_and_bad(self, tmp_path: Path) -> None:
        ok = mamori("sqlite://", "policy", "check", str(DEFAULT_POLICY_DIR))
        assert ok.returncode == 0, ok.stderr
        assert ok.stdout.startswith("OK: bundle 'aoki'")
        bundle = copy_default_bundle(tmp_path)
        edit(bundle, "contact.yaml", "  opens:", "  colour: blue\n  opens:")
        bad = mamori("sqlite://", "policy", "check", str(bundle))
        assert bad.returncode == 2
        assert "contact.yaml:" in bad.stderr
        assert "contact_centre.colour: unknown field" in bad.stderr

    def test_publish_refuses_unchanged_and_invalid_then_diffs(
        self, fresh_database_url: str, tmp_path: Path
    ) -> None:
        first = mamori(
            fresh_database_url, "policy", "publish", str(DEFAULT_POLICY_DIR), "--publisher", "officer"
        )
        assert first.returncode == 0, first.stderr
        assert "published version 1" in first.stdout
        again = mamori(fresh_database_url, "policy", "publish", str(DEFAULT_POLICY_DIR))
        assert again.returncode == 4
        assert "unchanged" in again.stderr
        bundle = copy_default_bundle(tmp_path)
        edit(bundle, "contact.yaml", "  opens:", "  colour: blue\n  opens:")
        invalid = mamori(fresh_database_url, "policy", "publish", str(bundle))
        assert invalid.returncode == 2
        assert "nothing was published" in invalid.stderr
        versions = mamori(fresh_database_url, "policy", "versions")
        assert len(versions.stdout.strip().splitlines()) == 1
        bundle = copy_default_bundle(tmp_path / "second")
        edit(bundle, "contact.yaml", "closes: '17:00'", "closes: '18:00'")
        diff = mamori(fresh_database_url, "policy", "diff", "current", str(bundle), "--raw")
        assert diff.returncode == 0, diff.stderr
        assert diff.stdout.splitlines() == ["~ contact_centre.closes", '    old: "17:00"', '    new: "18:00"']
        classified = mamori(fresh_database_url, "policy", "diff", "current", str(bundle), "--lang", "en")
        assert classified.returncode == 0, classified.stderr
        assert classified.stdout.splitlines() == [
            "[announce] the contact centre changed",
            "    publish and announce; contact_centre.closes",
            "overall: announce (publish and announce)",
        ]
        japanese = mamori(fresh_database_url, "policy", "diff", "1", str(bundle))
        assert "[announce] お問い合わせ窓口を変更" in japanese.stdout


class TestAuditVerify:
    def test_catches_a_row_altered_in_the_database(self, fresh_database_url: str) -> None:
        assert mamori(fresh_database_url, "policy", "publish", str(DEFAULT_POLICY_DIR)).returncode == 0
        added = mamori(
            fresh_database_url, "users", "add", "hanako", "--role", "agent", "--password", "p" * 14
        )
        assert added.returncode == 0, added.stderr
        assert mamori(fresh_database_url, "tokens", "create", "hanako").returncode == 0
        ok = mamori(fresh_database_url, "audit", "verify")
        assert ok.returncode == 0
        assert "OK: 3 events" in ok.stdout
        engine = make_engine(fresh_database_url)
        with engine.begin() as conn:
            conn.execute(text("UPDATE audit_events SET actor = 'cli:someone-else' WHERE seq = 2"))
        engine.dispose()
        broken = mamori(fresh_database_url, "audit", "verify")
        assert broken.returncode == 1
        assert "event 2 is altered" in broken.stderr


class TestUsersAndTokens:
    def test_token_scope_beyond_role_is_refused(self, fresh_database_url: str) -> None:
        assert (
            mamori(
                fresh_database_url, "users", "add", "ken", "--role", "agent", "--password", "p" * 14
            ).returncode
            == 0
        )
        refused = mamori(fresh_database_url, "tokens", "create", "ken", "--scope", "audit:read")
        assert refused.returncode == 2
        assert "cannot grant" in refused.stderr

    def test_help_everywhere(self) -> None:
        runner = CliRunner()
        commands = ([], ["db"], ["policy"], ["policy", "publish"], ["audit"], ["users"], ["tokens"], ["demo"])
        for command in commands:
            result = runner.invoke(app, [*command, "--help"])
            assert result.exit_code == 0, command
            assert "Usage" in result.output


class TestDemo:
    def test_prepares_a_working_system(self, fresh_database_url: str) -> None:
        result = mamori(fresh_database_url, "demo", "--no-serve")
        assert result.returncode == 0, result.stderr
        assert "published the default policy as version 1" in result.stdout
        assert "sample people: 4" in result.stdout
        found = mamori(fresh_database_url, "subjects", "find", "--email", "Hanako.Sample@example.jp")
        assert found.returncode == 0, found.stderr
        refused = mamori(
            fresh_database_url,
            "decide",
            "--email",
            "taro.sample@example.jp",
            "--purpose",
            "customer.mailings",
            "--item",
            "email",
        )
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert "consent_withdrawn" in refused.stdout
        token = next(line.split()[-1] for line in result.stdout.splitlines() if "API token:" in line)
        assert token.startswith("mam_")
        rerun = mamori(fresh_database_url, "demo", "--no-serve")
        assert rerun.returncode == 0, rerun.stderr
        assert "already the current version" in rerun.stdout
        assert mamori(fresh_database_url, "audit", "verify").returncode == 0


class TestUninitialisedDatabase:
    def test_says_to_run_db_upgrade(self, tmp_path: Path) -> None:
        result = mamori(f"sqlite:///{tmp_path / 'empty.db'}", "policy", "versions")
        assert result.returncode == 6
        assert "mamori db upgrade" in result.stderr
        assert "Traceback" not in result.stderr
