"""The management-review report: figures computed from the data, checked in the PDF's text and the XLSX."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.errors import ValidationFailed
from mamori.pms import actions, risks, training
from mamori.pms.common import today
from mamori.pms.review.figures import compute_review
from mamori.pms.review.report import render_pdf, render_xlsx
from tests.factories.dsr import create_case
from tests.factories.incidents import create_incident
from tests.factories.inquiries import create_inquiry

pytestmark = pytest.mark.usefixtures("policy")


def _data(session: Session, settings: Settings) -> None:
    for kind in ("disclosure", "disclosure", "correction"):
        create_case(session, settings, request_type=kind)
    for channel, language in (("email", "en"), ("phone", "ja"), ("email", "zh-Hans")):
        create_inquiry(session, settings, category="complaint", channel=channel, language=language)
    create_inquiry(session, settings, category="other")
    create_incident(session, settings)
    risk = risks.register_risk(
        session,
        actor="user:hana",
        data=risks.RiskInput(
            "shop", "customer", "storage", "Lost laptop", "hana", 4, 5, 3, 4, ["device_protection"]
        ),
    )
    risks.rate_risk(session, actor="user:hana", risk_id=risk.id, data=risks.RatingInput(4, 5, 2, 3))
    actions.add_action(
        session,
        settings,
        actor="user:ken",
        data=actions.ActionInput("review", "Encrypt every laptop", "hana", today() - timedelta(days=1)),
    )
    for person, result in (("aiko", "passed"), ("ben", "failed")):
        training.record_training(
            session, actor="user:hana", data=training.TrainingInput("privacy-basics", person, today(), result)
        )


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "review.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        [poppler("pdftoppm"), "-r", "40", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")],
        check=True,
    )
    assert (tmp_path / "page-1.png").stat().st_size > 0
    return subprocess.run(
        [poppler("pdftotext"), "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


class TestReviewFigures:
    def test_figures_follow_the_data(self, session: Session, settings: Settings) -> None:
        _data(session, settings)
        review = compute_review(session, settings, today() - timedelta(days=30), today())
        assert review.requests.by_type == {"correction": 1, "disclosure": 2}
        assert review.inquiries.complaints == 3
        assert review.inquiries.all_inquiries == 4
        assert review.inquiries.complaints_by_channel == {"email": 2, "phone": 1}
        assert review.incidents.registered == 1
        assert (review.risks.registered, review.risks.reviewed, review.risks.lowered) == (1, 1, 1)
        assert review.audits.actions_open == 1
        assert review.audits.actions_overdue == 1
        assert (review.training.records, review.training.passed, review.training.failed) == (2, 1, 1)
        assert review.training.overdue == 1  # ben failed

    def test_a_period_before_the_data_counts_nothing(self, session: Session, settings: Settings) -> None:
        _data(session, settings)
        review = compute_review(session, settings, date(2020, 1, 1), date(2020, 12, 31))
        assert review.requests.received == 0
        assert review.inquiries.complaints == 0
        assert review.risks.registered == 0

    def test_end_before_start_is_refused(self, session: Session, settings: Settings) -> None:
        with pytest.raises(ValidationFailed):
            compute_review(session, settings, date(2026, 2, 1), date(2026, 1, 1))


class TestReviewDocuments:
    @pytest.mark.parametrize(
        ("lang", "heading", "complaints"),
        [
            ("en", "Management review report", "Complaints"),
            ("ja", "マネジメントレビュー報告書", "苦情件数"),
            ("zh-Hans", "管理评审报告", "投诉件数"),
            ("zh-Hant", "管理審查報告", "申訴件數"),
        ],
    )
    def test_pdf_carries_the_figures(  # noqa: PLR0913 - fixtures and the language's words
        self, session: Session, settings: Settings, tmp_path: Path, lang: str, heading: str, complaints: str
    ) -> None:
        _data(session, settings)
        review = compute_review(session, settings, today() - timedelta(days=30), today())
        text = _pdf_text(render_pdf(review, lang, organisation="AOKI", made_on=today()), tmp_path)
        assert heading in text
        line = next(row for row in text.splitlines() if complaints in row)
        assert line.split()[-1] == str(review.inquiries.complaints) == "3"
        assert "disclosure: 2" in text  # the by-type line above its chart

    def test_xlsx_reads_back(self, session: Session, settings: Settings) -> None:
        _data(session, settings)
        review = compute_review(session, settings, today() - timedelta(days=30), today())
        data = render_xlsx(review, "en", organisation="AOKI", made_on=today())
        book = load_workbook(io.BytesIO(data))
        rows = {(r[0], r[1]): r[2] for r in book["review"].iter_rows(min_row=5, values_only=True)}
        assert rows[("Requests from individuals", "Received")] == 3
        assert rows[("Requests from individuals", "By type: disclosure")] == 2
        assert rows[("Inquiries and complaints", "Complaints")] == 3
        assert rows[("Training", "Failed")] == 1
        assert rows[("Internal audits and corrective actions", "Of which overdue")] == 1
        assert len(book.sheetnames) > 1
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            charts = [name for name in archive.namelist() if name.startswith("xl/charts/chart")]
        assert len(charts) == len(book.sheetnames) - 1  # one chart per breakdown sheet


def poppler(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        pytest.fail(f"{tool} is missing: install Debian's poppler-utils")
    return found
