"""The cookie policy and the external-transmission notice, generated from the inventory in four languages."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from playwright.sync_api import Page, expect

from mamori.policy.models import PolicyVersion
from mamori.policy.schema import LANGUAGES
from mamori.policy.service import bundle_of
from mamori.web.i18n import gettext_for


@pytest.mark.parametrize("lang", LANGUAGES)
class TestExternalTransmission:
    def test_lists_what_is_sent_to_whom_and_why_per_recipient(
        self, client: TestClient, published: PolicyVersion, lang: str
    ) -> None:
        response = client.get("/external-transmission", params={"lang": lang})
        assert response.status_code == 200
        assert response.headers["content-language"] == lang
        page = response.text
        assert gettext_for(lang, "Information sent to other companies") in page
        www = bundle_of(published).cookies.property("www")
        assert www is not None
        for item in www.items:
            assert escape(item.provider.get(lang)) in page
            assert escape(item.sent.get(lang)) in page
            assert escape(item.purpose.get(lang)) in page
            assert item.destination.host in page


@pytest.mark.parametrize("lang", LANGUAGES)
class TestCookiePolicy:
    def test_lists_categories_and_their_items(
        self, client: TestClient, published: PolicyVersion, lang: str
    ) -> None:
        page = client.get("/cookies", params={"lang": lang}).text
        cookies = bundle_of(published).cookies
        for category in cookies.categories:
            assert category.name.get(lang) in page
        assert "_ga_*" in page
        assert gettext_for(lang, "2 years" if lang == "en" else "%(n)s years", n=2) in page
        assert "/external-transmission?lang=" in page


class TestLinksAndGpc:
    def test_the_privacy_notice_links_both_pages(self, client: TestClient, published: PolicyVersion) -> None:
        del published
        page = client.get("/privacy", params={"lang": "ja"}).text
        assert 'href="/cookies?lang=ja"' in page
        assert 'href="/external-transmission?lang=ja"' in page

    def test_gpc_json(self, client: TestClient) -> None:
        response = client.get("/.well-known/gpc.json")
        assert response.json()["gpc"] is True

    def test_without_a_policy_the_page_says_so(self, client: TestClient) -> None:
        assert client.get("/cookies", params={"lang": "en"}).status_code == 503


SHOTS = os.environ.get("MAMORI_SCREENSHOTS")


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("path", ["/cookies", "/external-transmission"])
def test_pages_in_the_browser(page: Page, base_url: str, path: str, lang: str) -> None:
    page.goto(f"{base_url}{path}?lang={lang}")
    title = gettext_for(
        lang, "Cookie policy" if path == "/cookies" else "Information sent to other companies"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("table").first).to_be_visible()
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{path.strip('/')}-{lang}.png"), full_page=True)


class TestBrowserHandOff:
    def test_the_banner_button_leaves_the_browser_id_for_the_privacy_centre(self, client: TestClient) -> None:
        browser = "3f2b8a4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
        response = client.post(
            "/cookies/browser", data={"browser": browser, "lang": "zh-TW"}, follow_redirects=False
        )
        assert response.status_code == 303
        assert response.headers["location"] == "/preferences?lang=zh-Hant"
        cookie = response.headers["set-cookie"]
        assert cookie.startswith(f"mamori_browser={browser};")
        assert "HttpOnly" in cookie
        assert "Path=/preferences" in cookie
        assert browser not in response.headers["location"]

    def test_a_value_that_is_no_browser_id_sets_nothing(self, client: TestClient) -> None:
        response = client.post("/cookies/browser", data={"browser": "<script>"}, follow_redirects=False)
        assert response.status_code == 303
        assert "set-cookie" not in response.headers
