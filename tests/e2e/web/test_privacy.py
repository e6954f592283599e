"""The public privacy notice page: languages, negotiation, errors, and what a reader sees."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from mamori.policy.models import PolicyVersion
from mamori.policy.schema import LANGUAGES, PolicyBundle
from mamori.policy.service import bundle_of


def _lang_attribute(html: str) -> str:
    match = re.search(r'<html lang="([^"]+)">', html)
    assert match is not None
    return match.group(1)


def _bundle(version: PolicyVersion) -> PolicyBundle:
    return bundle_of(version)


@pytest.mark.parametrize("lang", LANGUAGES)
class TestPrivacyPageInEachLanguage:
    def test_the_page_is_in_the_asked_language(
        self, client: TestClient, published: PolicyVersion, lang: str
    ) -> None:
        response = client.get("/privacy", params={"lang": lang})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["content-language"] == lang
        assert _lang_attribute(response.text) == lang
        bundle = _bundle(published)
        for purpose in bundle.purposes().values():
            assert escape(purpose.text.get(lang)) in response.text
        for exception in bundle.third_party_provision.exceptions:
            assert escape(exception.text.get(lang)) in response.text
        assert escape(bundle.title.get(lang)) in response.text
        assert f'href="/privacy.pdf?lang={lang}"' in response.text

    @pytest.mark.usefixtures("published")
    def test_switcher_links_all_four_languages(self, client: TestClient, lang: str) -> None:
        html = client.get("/privacy", params={"lang": lang}).text
        for code in LANGUAGES:
            assert f'href="/privacy?lang={code}" hreflang="{code}"' in html
        assert re.search(rf'href="/privacy\?lang={lang}"[^>]*aria-current="page"', html)
        assert html.count('aria-current="page">') == 1


class TestPrivacyPage:
    def test_japanese_page_shows_the_japanese_notice(
        self, client: TestClient, published: PolicyVersion
    ) -> None:
        html = client.get("/privacy", params={"lang": "ja"}).text
        bundle = _bundle(published)
        for purpose in bundle.purposes().values():
            assert escape(purpose.text.ja) in html
            assert escape(purpose.text.en) not in html
        assert "本方針は日本語版を正文とします" in html
        assert "10:00～17:00（日本時間）" in html
        assert "第三者提供" in html
        assert published.content_hash in html

    def test_english_page_carries_the_authoritative_japanese_note(
        self, client: TestClient, published: PolicyVersion
    ) -> None:
        html = client.get("/privacy", params={"lang": "en"}).text
        assert "The Japanese text is authoritative; translations are for convenience." in html
        assert "10:00–17:00 (Japan time)" in html
        assert _bundle(published).purposes()["customer.sales"].text.ja not in html

    @pytest.mark.usefixtures("published")
    @pytest.mark.parametrize(
        ("header", "expected"),
        [
            ("zh-TW,zh;q=0.9,en;q=0.8", "zh-Hant"),
            ("zh-CN,zh;q=0.9", "zh-Hans"),
            ("en-US,en;q=0.9", "en"),
            ("fr-FR,de;q=0.8", "ja"),
            ("ko, zh-HK;q=0.5", "zh-Hant"),
        ],
    )
    def test_accept_language_picks_the_language(self, client: TestClient, header: str, expected: str) -> None:
        response = client.get("/privacy", headers={"Accept-Language": header})
        assert response.status_code == 200
        assert _lang_attribute(response.text) == expected
        assert response.headers["content-language"] == expected
        assert "accept-language" in response.headers["vary"].lower()

    @pytest.mark.usefixtures("published")
    def test_query_wins_over_accept_language(self, client: TestClient) -> None:
        response = client.get("/privacy?lang=ja", headers={"Accept-Language": "en"})
        assert _lang_attribute(response.text) == "ja"

    @pytest.mark.usefixtures("published")
    @pytest.mark.parametrize("path", ["/privacy", "/privacy.pdf"])
    def test_unknown_language_is_a_400_page_naming_the_allowed_values(
        self, client: TestClient, path: str
    ) -> None:
        response = client.get(path, params={"lang": "fr"}, headers={"Accept-Language": "en"})
        assert response.status_code == 400
        assert response.headers["content-type"].startswith("text/html")
        assert _lang_attribute(response.text) == "en"
        assert "Unknown language" in response.text
        for code in LANGUAGES:
            assert f"<code>{code}</code>" in response.text

    @pytest.mark.usefixtures("published")
    def test_markup_in_the_query_is_not_reflected(self, client: TestClient) -> None:
        response = client.get("/privacy", params={"lang": "<script>alert(1)</script>"})
        assert response.status_code == 400
        assert "<script>" not in response.text

    @pytest.mark.parametrize(
        ("path", "header", "expected"),
        [
            ("/privacy", None, "ただいまご覧いただけません"),
            ("/privacy", "en", "Not available yet"),
            ("/privacy.pdf?lang=zh-Hans", None, "暂时无法查看"),
        ],
    )
    def test_no_published_policy_is_a_friendly_503(
        self, client: TestClient, path: str, header: str | None, expected: str
    ) -> None:
        response = client.get(path, headers={"Accept-Language": header} if header else {})
        assert response.status_code == 503
        assert response.headers["content-type"].startswith("text/html")
        assert expected in response.text

    def test_no_token_is_needed(self, client: TestClient, published: PolicyVersion) -> None:
        response = client.get("/privacy")
        assert response.status_code == 200
        assert "www-authenticate" not in response.headers
        assert published.content_hash in response.text

    def test_root_redirects_to_the_notice(self, client: TestClient) -> None:
        response = client.get("/", follow_redirects=False)
        assert response.status_code in {302, 303, 307}
        assert response.headers["location"] == "/privacy"
        response = client.get("/?lang=en", follow_redirects=False)
        assert response.headers["location"] == "/privacy?lang=en"

    @pytest.mark.usefixtures("published")
    def test_page_is_not_in_the_openapi_document(self, client: TestClient) -> None:
        paths = client.get("/api/v1/openapi.json").json()["paths"]
        assert "/privacy" not in paths
