"""A demonstration says so on every public page; the sample bundle's links stay on Mamori's own pages."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page
from sqlalchemy.orm import Session

from mamori.config import DEFAULT_POLICY_DIR, Settings
from mamori.policy.service import publish_bundle
from mamori.web.templating import banner_text, set_demo
from tests.e2e.web.clients import client_on

LANGS = ("ja", "en", "zh-Hans", "zh-Hant")
MARKER = {"ja": "デモ", "en": "demonstration", "zh-Hans": "演示", "zh-Hant": "示範"}
SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


@pytest.fixture(autouse=True)
def _not_a_demo_afterwards() -> object:
    yield None
    set_demo(demo=False)  # the flag is the process's; other tests' pages are no demo


class TestBanner:
    @pytest.mark.parametrize("lang", LANGS)
    def test_every_public_page_of_a_demo_carries_it_in_the_pages_language(
        self, session: Session, settings: Settings, lang: str
    ) -> None:
        publish_bundle(session, actor="user:officer", directory=DEFAULT_POLICY_DIR)
        with client_on(session, settings.model_copy(update={"demo": True})) as client:
            for path in ("/privacy", "/contact", "/joint-use", "/requests/new"):
                page = client.get(f"{path}?lang={lang}")
                assert page.status_code == 200, path
                assert banner_text(lang) in page.text, path
                assert MARKER[lang] in banner_text(lang)  # translated, not the English msgid
                assert 'class="demo-banner"' in page.text

    def test_a_real_server_shows_none(self, session: Session, settings: Settings) -> None:
        publish_bundle(session, actor="user:officer", directory=DEFAULT_POLICY_DIR)
        with client_on(session, settings) as client:
            page = client.get("/privacy?lang=ja")
        assert page.status_code == 200
        assert 'class="demo-banner"' not in page.text
        assert all(text not in page.text for text in map(banner_text, LANGS))


class TestSampleBundle:
    @pytest.mark.parametrize("lang", LANGS)
    def test_the_notice_names_a_sample_and_links_only_to_mamoris_pages(
        self, session: Session, settings: Settings, lang: str
    ) -> None:
        publish_bundle(session, actor="user:officer", directory=DEFAULT_POLICY_DIR)
        with client_on(session, settings) as client:
            page = client.get(f"/privacy?lang={lang}").text
        external = [href for href in re.findall(r'href="([^"]+)"', page) if href.startswith("http")]
        assert external == []
        for path in ("/contact", "/requests/new", "/requests/status", "/preferences", "/cookies"):
            assert re.search(rf'href="{re.escape(path)}(\?lang=[\w-]+)?"', page), path
        assert {"ja": "（見本）", "en": "(Sample)", "zh-Hans": "（示例）", "zh-Hant": "（範例）"}[
            lang
        ] in page


class TestScreenshot:
    def test_the_demos_notice_with_its_banner(self, demo_base_url: str, page: Page, tmp_path: Path) -> None:
        """Kept under docs/screenshots/ when MAMORI_UPDATE_SCREENSHOTS=1 (the README and guides show it)."""
        for lang in ("ja", "en"):
            page.goto(f"{demo_base_url}/privacy?lang={lang}")
            banner = page.locator(".demo-banner")
            assert banner.inner_text() == banner_text(lang)
            assert banner.bounding_box() is not None
            shot = tmp_path / f"demo-privacy-{lang}.png"
            page.set_viewport_size({"width": 1000, "height": 700})
            page.screenshot(path=str(shot))
            assert shot.stat().st_size > 10_000
            if os.environ.get("MAMORI_UPDATE_SCREENSHOTS") == "1":
                SCREENSHOTS.mkdir(exist_ok=True)
                shutil.copy(shot, SCREENSHOTS / shot.name)
