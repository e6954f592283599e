"""`mamori decide` and `mamori audience` as an operator runs them (a real process)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from mamori.config import Settings
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from tests.factories.decisions import create_consent, create_subject, publish_policy


def mamori(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MAMORI_DATABASE_URL": database_url, "MAMORI_MAIL_BACKEND": "null"}
    env.pop("MAMORI_SECRET_KEY", None)
    return subprocess.run(
        [sys.executable, "-m", "mamori", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.fixture
def people(fresh_database_url: str) -> dict[str, uuid.UUID]:
    settings = Settings(database_url=fresh_database_url, _env_file=None)  # type: ignore[call-arg]
    engine = make_engine(fresh_database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        publish_policy(session)
        yes = create_subject(session, settings, identifiers=[("email", "yes@example.jp")])
        create_consent(session, yes, "purpose:customer.mailings")
        no = create_subject(session, settings, identifiers=[("email", "no@example.jp")])
        found = {"yes": yes.id, "no": no.id}
    engine.dispose()
    return found


class TestDecide:
    @pytest.mark.usefixtures("people")
    def test_allowed_exits_0(self, fresh_database_url: str) -> None:
        args = ["decide", "--email", "YES@example.jp", "--purpose", "customer.mailings", "--item", "email"]
        result = mamori(fresh_database_url, *args)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("allowed")

    def test_refused_exits_1_with_reasons(
        self, fresh_database_url: str, people: dict[str, uuid.UUID]
    ) -> None:
        args = ["decide", "--subject", str(people["no"]), "--purpose", "customer.mailings", "--lang", "en"]
        result = mamori(fresh_database_url, *args, "--json")
        assert result.returncode == 1, result.stderr
        body = json.loads(result.stdout)
        assert body["reasons"][0]["code"] == "consent_missing"
        assert body["reasons"][0]["message"].startswith("There is no consent")

    @pytest.mark.parametrize(
        "args",
        [
            ["--purpose", "customer.sales"],
            ["--subject", "not-a-uuid", "--purpose", "customer.sales"],
            ["--email", "x", "--purpose", "customer.sales"],
            ["--email", "yes@example.jp", "--purpose", "nope"],
            ["--email", "yes@example.jp", "--purpose", "customer.sales", "--item", "ufo"],
        ],
    )
    @pytest.mark.usefixtures("people")
    def test_bad_input_exits_2(self, fresh_database_url: str, args: list[str]) -> None:
        result = mamori(fresh_database_url, "decide", *args)
        assert result.returncode == 2, result.stdout + result.stderr
        assert "error:" in result.stderr


class TestAudience:
    def test_csv_to_a_file(
        self, fresh_database_url: str, people: dict[str, uuid.UUID], tmp_path: Path
    ) -> None:
        out = tmp_path / "aud.csv"
        result = mamori(
            fresh_database_url,
            "audience",
            "--purpose",
            "customer.mailings",
            "--format",
            "csv",
            "--out",
            str(out),
        )
        assert result.returncode == 0, result.stderr
        rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
        assert [r["subject_id"] for r in rows] == [str(people["yes"])]

    def test_json_lines_to_stdout(self, fresh_database_url: str, people: dict[str, uuid.UUID]) -> None:
        result = mamori(fresh_database_url, "audience", "--purpose", "customer.sales", "--channel", "email")
        assert result.returncode == 0, result.stderr
        assert {json.loads(line)["subject_id"] for line in result.stdout.splitlines()} == {
            str(people["yes"]),
            str(people["no"]),
        }

    @pytest.mark.usefixtures("people")
    def test_unknown_purpose_exits_2(self, fresh_database_url: str) -> None:
        assert mamori(fresh_database_url, "audience", "--purpose", "nope").returncode == 2
