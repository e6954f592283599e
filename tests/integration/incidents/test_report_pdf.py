"""The PPC report as a PDF: the nine items and the facts read back with pypdf, pages drawn by pdftoppm."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.incidents import reports, service
from mamori.incidents.schemas import ReportCreate, ReportItems
from mamori.notices import incident_messages as im
from mamori.notices.incident_report import PPC_ITEMS
from mamori.web.incident_reports import report_pdf
from tests.factories.incidents import create_incident

ITEMS = ReportItems(
    summary="会員向けメールマガジンを送信した際、宛先が他の受信者に表示される状態で送信した。",
    cause="配信システムの宛先設定を誤った。",
    secondary_damage="現時点で二次被害は確認されていない。",
    response_to_individuals="対象者全員に電子メールでお詫びと説明を送付した。",
    publication="当社ウェブサイトにて公表予定。",
    prevention="配信前の宛先設定の二重確認を義務化する。",
    other="警察への相談は不要と判断した。",
)


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _pdf(session: Session, settings: Settings, authority: str = "ppc", lang: str = "ja") -> bytes:
    incident = create_incident(session, settings, data_items=["email", "name", "health_check"],
                               persons_known=1200, persons_max=1350, systems=["mail-delivery"])  # fmt: skip
    data = ReportCreate.model_validate({"authority": authority, "stage": "final", "items": ITEMS})
    draft = reports.draft_report(session, settings, "u", incident.id, data)
    return report_pdf(reports.report_read(settings, draft), service.bundle(session), lang)


def _text(pdf: bytes) -> str:
    return _squeeze("".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


class TestPpcReportPdf:
    def test_the_nine_items_and_their_contents_are_in_the_text(
        self, session: Session, settings: Settings
    ) -> None:
        text = _text(_pdf(session, settings))
        for key in PPC_ITEMS:
            assert _squeeze(im.label(f"i.{key}", "ja")) in text, key
        for written in ITEMS.model_dump(exclude_none=True).values():
            assert _squeeze(written) in text
        facts = ("個人データの漏えい等の報告（確報）", "メールアドレス", "健康診断の結果", "1,200", "1,350",
                 "mail-delivery", "要配慮個人情報", "1,000人超", "株式会社AOKI")  # fmt: skip
        for fact in facts:
            assert _squeeze(fact) in text, fact

    def test_english_rendering_for_internal_readers(self, session: Session, settings: Settings) -> None:
        text = _text(_pdf(session, settings, lang="en"))
        assert _squeeze("Report of a personal-data breach (final)") in text
        assert _squeeze("(8) Prevention measures") in text
        assert _squeeze("E-mail address") in text

    def test_pipl_notice_has_its_six_items(self, session: Session, settings: Settings) -> None:
        text = _text(_pdf(session, settings, authority="pipl", lang="zh-Hans"))
        for key in ("categories", "cause", "harm", "measures", "individual_actions", "contact"):
            assert _squeeze(im.label(f"p.{key}", "zh-Hans")) in text, key
        assert _squeeze("配信前の宛先設定の二重確認を義務化する。") in text  # measures come from prevention

    def test_first_page_renders_to_a_non_blank_image(
        self, session: Session, settings: Settings, tmp_path: Path
    ) -> None:
        pdftoppm = shutil.which("pdftoppm")
        if pdftoppm is None:
            pytest.skip("pdftoppm (Debian poppler-utils) is not installed")
        source = tmp_path / "report.pdf"
        source.write_bytes(_pdf(session, settings))
        page = tmp_path / "page"
        subprocess.run([pdftoppm, "-png", "-r", "50", "-f", "1", "-l", "1", "-singlefile", source, page],
                       check=True, timeout=60)  # fmt: skip
        with Image.open(tmp_path / "page.png") as image:
            grey = image.convert("L")
            assert grey.height > grey.width > 300  # A4 portrait
            dark = sum(count for value, count in enumerate(grey.histogram()) if value < 128)
        assert dark > 500
