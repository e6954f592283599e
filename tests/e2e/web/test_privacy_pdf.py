"""The privacy notice as a PDF: served inline, Japanese text extractable, CJK fonts embedded, drawable."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from mamori.config import DEFAULT_POLICY_DIR, Settings
from mamori.policy.schema import PolicyBundle
from mamori.policy.service import bundle_of, publish_bundle
from tests.e2e.web.clients import client_on


class Served:
    def __init__(self, pdf: bytes, headers: dict[str, str], bundle: PolicyBundle, number: int) -> None:
        self.pdf = pdf
        self.headers = headers
        self.bundle = bundle
        self.number = number


@pytest.fixture(scope="module")
def served(engine: Engine, database_url: str) -> Iterator[Served]:
    """The Japanese PDF, fetched once: rendering takes a few seconds."""
    settings = Settings(database_url=database_url, mail_backend="null", _env_file=None)  # type: ignore[call-arg]
    with engine.connect() as connection:
        transaction = connection.begin()
        session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
        try:
            version = publish_bundle(session, actor="user:officer", directory=DEFAULT_POLICY_DIR)
            with client_on(session, settings) as client:
                response = client.get("/privacy.pdf", params={"lang": "ja"})
            assert response.status_code == 200, response.text
            yield Served(response.content, dict(response.headers), bundle_of(version), version.number)
        finally:
            session.close()
            transaction.rollback()


def _squeeze(text: str) -> str:
    """Text without any whitespace: PDF extraction breaks lines wherever the layout wrapped them."""
    return re.sub(r"\s+", "", text)


class TestPrivacyPdf:
    def test_served_inline_as_a_pdf(self, served: Served) -> None:
        assert served.headers["content-type"] == "application/pdf"
        assert served.headers["content-language"] == "ja"
        disposition = served.headers["content-disposition"]
        assert disposition.startswith("inline;")
        assert f'filename="privacy-policy-v{served.number}-ja.pdf"' in disposition
        assert served.pdf.startswith(b"%PDF-")

    def test_japanese_purposes_are_extractable(self, served: Served) -> None:
        reader = PdfReader(io.BytesIO(served.pdf))
        text = _squeeze("".join(page.extract_text() for page in reader.pages))
        assert len(reader.pages) > 1
        missing = [p.id for p in served.bundle.purposes().values() if _squeeze(p.text.ja) not in text]
        assert not missing
        assert _squeeze(served.bundle.contact_centre.name.ja) in text
        assert "10:00～17:00（日本時間）" in text
        assert "個人情報保護方針" in text

    def test_cjk_fonts_are_embedded(self, served: Served) -> None:
        reader = PdfReader(io.BytesIO(served.pdf))
        fonts: set[str] = set()
        for page in reader.pages:
            resources = page["/Resources"].get_object()
            for font in resources.get("/Font", {}).values():
                descriptor = font.get_object()
                fonts.add(str(descriptor["/BaseFont"]))
                assert "/ToUnicode" in descriptor  # text stays extractable
        assert any("CJK-JP" in name or "CJKjp" in name for name in fonts), fonts

    def test_first_page_renders_to_a_non_blank_image(self, served: Served, tmp_path: Path) -> None:
        pdftoppm = shutil.which("pdftoppm")
        if pdftoppm is None:
            pytest.skip("pdftoppm (Debian poppler-utils) is not installed")
        source = tmp_path / "notice.pdf"
        source.write_bytes(served.pdf)
        subprocess.run(
            [pdftoppm, "-png", "-r", "50", "-f", "1", "-l", "1", "-singlefile", source, tmp_path / "page"],
            check=True,
            timeout=60,
        )
        png = tmp_path / "page.png"
        assert png.is_file()
        with Image.open(png) as image:
            grey = image.convert("L")
            assert grey.width > 300
            dark = sum(count for value, count in enumerate(grey.histogram()) if value < 128)
        assert dark > 500  # text was drawn, not just a white page
