"""The privacy notice in a real browser (Debian's Chromium through Playwright) against a real server."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from mamori.policy.schema import LANGUAGES, PolicyBundle

pytestmark = pytest.mark.browser


class TestPrivacyNoticeInTheBrowser:
    def test_each_language_shows_its_own_text(self, page: Page, base_url: str, bundle: PolicyBundle) -> None:
        purpose = bundle.purposes()["customer.camera_analysis"]
        exception = bundle.third_party_provision.exceptions[0]
        for lang in LANGUAGES:
            response = page.goto(f"{base_url}/privacy?lang={lang}")
            assert response is not None
            assert response.status == 200
            expect(page.locator("html")).to_have_attribute("lang", lang)
            expect(page.get_by_role("heading", level=1)).to_have_text(bundle.title.get(lang))
            purposes = page.locator("#purposes-customers")  # the camera register repeats the purpose
            expect(purposes.get_by_text(purpose.text.get(lang), exact=True)).to_be_visible()
            expect(page.get_by_text(exception.text.get(lang), exact=True)).to_be_visible()

    def test_language_switcher_goes_from_japanese_to_english(
        self, page: Page, base_url: str, bundle: PolicyBundle
    ) -> None:
        page.goto(f"{base_url}/privacy?lang=ja")
        switcher = page.get_by_role("navigation", name="言語")
        expect(switcher.get_by_role("link", name="日本語")).to_have_attribute("aria-current", "page")
        switcher.get_by_role("link", name="English").click()
        page.wait_for_url(f"{base_url}/privacy?lang=en")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        text = bundle.purposes()["customer.sales"].text
        expect(page.get_by_text(text.en, exact=True)).to_be_visible()
        expect(page.get_by_text(text.ja, exact=True)).to_have_count(0)
        expect(
            page.get_by_role("navigation", name="Language").get_by_role("link", name="English")
        ).to_have_attribute("aria-current", "page")

    def test_pdf_link_and_contents_work(self, page: Page, base_url: str) -> None:
        page.goto(f"{base_url}/privacy?lang=zh-Hant")
        expect(page.get_by_role("link", name="下載PDF版")).to_have_attribute(
            "href", "/privacy.pdf?lang=zh-Hant"
        )
        page.get_by_role("navigation", name="目錄").get_by_role("link", name="諮詢窗口").click()
        expect(page).to_have_url(f"{base_url}/privacy?lang=zh-Hant#inquiries")
        expect(page.get_by_text("10:00～17:00（日本時間）")).to_be_in_viewport()
