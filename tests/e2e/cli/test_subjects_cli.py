"""`mamori subjects` as an operator runs it, against a real database (import in a real process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import func, select
from typer.testing import CliRunner

from mamori.audit.models import AuditEvent
from mamori.cli.main import app
from mamori.config import DEFAULT_POLICY_DIR, Settings, get_settings
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.security.rules import Role
from mamori.security.service import add_user
from mamori.subjects.models import Subject, SubjectIdentifier
from tests.factories.subjects import corrupt_reach, ensure_policy

UNKNOWN_CATEGORY = (
    "unknown subject category; the policy declares applicants, customers, employees, inquirers, shareholders"
)
HEADER = "jurisdiction,language,name,date_of_birth,categories,email,phone,member_number\n"


def mamori(database_url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MAMORI_DATABASE_URL": database_url, "MAMORI_MAIL_BACKEND": "null"}
    return subprocess.run(
        [sys.executable, "-m", "mamori", *args],
        capture_output=True, text=True, env=env, input=stdin, timeout=120, check=False,
    )  # fmt: skip


def _count(url: str, what: object) -> int:
    engine = make_engine(url)
    with unit_of_work(make_session_factory(engine)) as session:
        count = int(session.scalar(select(func.count()).select_from(what)) or 0)  # type: ignore[arg-type]
    engine.dispose()
    return count


@pytest.fixture
def database(fresh_database_url: str) -> str:
    published = mamori(fresh_database_url, "policy", "publish", str(DEFAULT_POLICY_DIR))
    assert published.returncode == 0, published.stderr
    return fresh_database_url


class TestImport:
    def test_good_csv_is_imported_with_counts(self, database: str, tmp_path: Path) -> None:
        rows = [f"JP,ja,顧客{i},,customers,c{i}@example.jp,090{i:08d},M{i}" for i in range(250)]
        rows.append("CN,zh-Hant,,1990-01-01,customers;shareholders,,,")
        path = tmp_path / "customers.csv"
        path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
        result = mamori(database, "subjects", "import", str(path))
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "imported 251 subjects, 750 identifiers, 252 categories"
        assert _count(database, Subject) == 251
        found = mamori(database, "subjects", "find", "--phone", "０９０-００００-０１２３")
        assert found.returncode == 0, found.stderr
        assert found.stdout.split()[1:] == ["active", "JP", "customers"]

    def test_file_with_bad_rows_reports_them_and_imports_nothing(self, database: str, tmp_path: Path) -> None:
        path = tmp_path / "customers.csv"
        rows = [
            "JP,ja,,,customers,ok@example.jp,,",
            "JP,ja,,,customers,broken-address,,",
            "JP,ja,,,friends,,,",
            "JP,ja,,,customers,OK@example.jp,,",
        ]
        path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
        events_before = _count(database, AuditEvent)
        result = mamori(database, "subjects", "import", str(path))
        assert result.returncode == 2
        lines = [line for line in result.stderr.splitlines() if line.startswith("row ")]
        assert lines == [
            "row 3: email: not an e-mail address",
            f"row 4: categories: {UNKNOWN_CATEGORY}",
            "row 5: email: repeats row 2",
        ]
        assert "3 row(s) rejected; nothing was imported" in result.stderr
        assert "broken-address" not in result.stderr
        assert (_count(database, Subject), _count(database, AuditEvent)) == (0, events_before)

    def test_jsonl_and_unknown_extension(self, database: str, tmp_path: Path) -> None:
        path = tmp_path / "staff.jsonl"
        path.write_text(
            '{"categories": "employees", "employee_number": "E-1", "name": "佐藤"}\n', encoding="utf-8"
        )
        assert mamori(database, "subjects", "import", str(path)).returncode == 0
        assert _count(database, SubjectIdentifier) == 1
        other = tmp_path / "staff.txt"
        other.write_text("x", encoding="utf-8")
        refused = mamori(database, "subjects", "import", str(other))
        assert refused.returncode == 2
        assert ".csv or .jsonl" in refused.stderr


@pytest.fixture
def run(database: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Result]]:
    """The command in this process (quicker than a new one per call), against ``database``."""
    monkeypatch.setenv("MAMORI_DATABASE_URL", database)
    monkeypatch.setenv("MAMORI_MAIL_BACKEND", "null")
    get_settings.cache_clear()
    runner = CliRunner()
    yield lambda *args: runner.invoke(app, ["subjects", *args], terminal_width=200)
    get_settings.cache_clear()


def _staff(database: str, username: str, role: Role) -> None:
    engine = make_engine(database)
    with unit_of_work(make_session_factory(engine)) as session:
        add_user(session, actor="t", username=username, display_name=username, role=role, password="x" * 12)
    engine.dispose()


class TestRevealByDuty:
    """Security item 5: the purpose must be among the duties of the reader's role (bundle ``staff_roles``)."""

    def test_a_purpose_outside_the_role_is_refused_and_the_refusal_audited(
        self, database: str, run: Callable[..., Result]
    ) -> None:
        subject_id = run("add", "-c", "customers", "--name", "山田 花子").stdout.strip()
        _staff(database, "ken", Role.ENGINEER)
        _staff(database, "po", Role.PRIVACY_OFFICER)
        refused = run("reveal", subject_id, "--purpose", "customer.sales", "--as", "ken")
        assert refused.exit_code != 0
        assert "山田" not in refused.output
        assert "not among the duties of the role 'engineer'" in refused.output
        engine = make_engine(database)
        with unit_of_work(make_session_factory(engine)) as session:
            last = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
            assert (last.action, last.actor) == ("subject.read_refused", last.actor)
            assert "outside-role-duties" in str(last.details)
        engine.dispose()
        allowed = run("reveal", subject_id, "--purpose", "customer.sales", "--as", "po")
        assert allowed.exit_code == 0, allowed.output
        assert "name: 山田 花子" in allowed.stdout


class TestOtherCommands:
    def test_add_find_show_reveal_relate_merge_erase(self, database: str, run: Callable[..., Result]) -> None:
        added = run(
            "add",
            "-c",
            "customers",
            "--email",
            "Hanako@Example.jp",
            "--name",
            "山田 花子",
            "-i",
            "member_number=m-9",
        )
        assert added.exit_code == 0, added.output
        subject_id = added.stdout.strip()
        found = run("find", "--kind", "member_number", "--value", "M9")
        assert found.stdout.startswith(subject_id)
        shown = run("show", subject_id, "--json")
        assert shown.exit_code == 0
        assert "山田" not in shown.stdout
        assert "hanako" not in shown.stdout.lower()
        _staff(database, "hanako", Role.AGENT)
        revealed = run("reveal", subject_id, "--purpose", "customer.sales", "--as", "hanako")
        assert revealed.exit_code == 0, revealed.output
        assert "name: 山田 花子" in revealed.stdout
        refused = run("reveal", subject_id, "--purpose", "employee.hr", "--as", "hanako")
        assert refused.exit_code == 1
        assert "山田" not in refused.output
        engine = make_engine(database)
        with unit_of_work(make_session_factory(engine)) as session:
            last = session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq.desc()).limit(1)).one()
        engine.dispose()
        assert last == "subject.read_refused"  # the refusal was committed
        other = run("add", "-c", "customers").stdout.strip()
        related = run("relate", subject_id, other, "--kind", "agent", "--evidence", "poa/1")
        assert related.exit_code == 0, related.output
        bad = run(
            "relate", subject_id, other, "--kind", "agent", "--evidence", "poa/1", "--until", "2000-01-01"
        )
        assert bad.exit_code == 2
        assert "valid_until" in bad.output
        preview = run("merge", other, subject_id, "--preview")
        assert preview.exit_code == 0, preview.output
        assert json.loads(preview.output)["relationships"] == 1
        merged = run("merge", other, subject_id)
        assert merged.exit_code == 0, merged.output
        assert run("find", "--email", "HANAKO@example.jp").exit_code == 0
        erased = run("erase", subject_id, "--yes")
        assert erased.exit_code == 0, erased.output
        gone = run("find", "--email", "hanako@example.jp")
        assert gone.exit_code == 3
        assert run("show", "not-a-uuid").exit_code == 2

    def test_every_command_has_help_with_an_example(self) -> None:
        runner = CliRunner()
        for command in ("add", "find", "show", "reveal", "relate", "merge", "erase", "import", "reach"):
            result = runner.invoke(app, ["subjects", command, "--help"], terminal_width=200)
            assert result.exit_code == 0, command
            assert "Example: mamori subjects" in result.output, command


def test_reach_check_fails_until_rebuilt(fresh_database_url: str) -> None:
    settings = Settings(database_url=fresh_database_url, mail_backend="null", _env_file=None)  # type: ignore[call-arg]
    engine = make_engine(fresh_database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        ensure_policy(session)
        corrupt_reach(session, settings)
    engine.dispose()
    checked = mamori(fresh_database_url, "subjects", "reach")
    assert checked.returncode == 1, checked.stderr
    assert "1 row(s) extra" in checked.stderr
    assert "2 row(s) missing" in checked.stderr
    rebuilt = mamori(fresh_database_url, "subjects", "reach", "--rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "rebuilt subject_reach: 2 rows" in rebuilt.stdout
    again = mamori(fresh_database_url, "subjects", "reach")
    assert (again.returncode, again.stdout.strip()) == (0, "subject_reach matches its definition")
