"""`mamori incidents` as the privacy office runs it, in real processes against a real database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from mamori.config import DEFAULT_POLICY_DIR
from tests.e2e.cli.test_subjects_cli import _count, mamori

KNOWN = "2026-11-19T15:00+09:00"


@pytest.fixture
def database(fresh_database_url: str) -> str:
    published = mamori(fresh_database_url, "policy", "publish", str(DEFAULT_POLICY_DIR))
    assert published.returncode == 0, published.stderr
    return fresh_database_url


def test_register_recount_report_pdf_and_close(database: str, tmp_path: Path) -> None:
    registered = mamori(database, "incidents", "register", "--kind", "leak", "--known-at", KNOWN,
                        "--occurred-at", "2026-11-18T10:00+09:00", "-i", "email", "--persons-known", "300",
                        "--json")  # fmt: skip
    assert registered.returncode == 0, registered.stderr
    incident = json.loads(registered.stdout)
    assert incident["reportable"] is False
    reference = incident["reference"]
    updated = mamori(database, "incidents", "update", reference, "--persons-max", "1001",
                     "--observed-at", "2026-11-20T10:00+09:00")  # fmt: skip
    assert updated.returncode == 0, updated.stderr
    assert "REPORTABLE" in updated.stdout
    assert "[over_1000_persons]" in updated.stdout
    # day 1 is 20 Nov (the recount); 3 days end on Sunday 22 Nov, Monday 23 Nov is a holiday.
    assert "2026-11-24  Preliminary report to the PPC" in updated.stdout
    report = mamori(
        database, "incidents", "report", reference, "--stage", "final", "--cause", "宛先設定の誤り"
    )
    assert report.returncode == 0, report.stderr
    report_id = report.stdout.split()[0]
    out = tmp_path / "final.pdf"
    pdf = mamori(database, "incidents", "pdf", reference, report_id, "-o", str(out))
    assert pdf.returncode == 0, pdf.stderr
    assert "宛先設定の誤り" in "".join(p.extract_text() for p in PdfReader(out).pages)
    refused = mamori(database, "incidents", "state", reference, "closed")
    assert refused.returncode == 1
    assert "ppc_final_report_not_filed" in refused.stderr
    assert mamori(database, "incidents", "file", reference, report_id).returncode == 0
    statement = mamori(database, "incidents", "statement", reference, "--publish", "--lang", "zh-Hant")
    assert "專用諮詢窗口" in statement.stdout
    closed = mamori(database, "incidents", "state", reference, "closed")
    assert closed.returncode == 0, closed.stderr
    assert f"{reference}: closed" in closed.stdout


def test_bad_input_exits_2_naming_the_field_and_writes_nothing(database: str) -> None:
    from mamori.incidents.models import Incident

    result = mamori(database, "incidents", "register", "--kind", "leak", "--known-at", KNOWN,
                    "--occurred-at", "2026-11-20T10:00+09:00", "--persons-known=-2")  # fmt: skip
    assert result.returncode == 2
    assert "known_at: is before the incident occurred" in result.stderr
    assert "persons_known: cannot be negative" in result.stderr
    assert _count(database, Incident) == 0


def test_help_names_every_command(database: str) -> None:
    result = mamori(database, "incidents", "--help")
    for command in (
        "register",
        "update",
        "deadlines",
        "report",
        "pdf",
        "notify",
        "statement",
        "action",
        "state",
    ):
        assert command in result.stdout
