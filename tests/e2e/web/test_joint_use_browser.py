"""The public joint-use page in a real browser (Debian's Chromium through Playwright), four languages."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from mamori.policy.schema import LANGUAGES, PolicyBundle

# The served app, the published bundle and the browser are the privacy-notice tests' fixtures.

pytestmark = pytest.mark.browser


@dataclass
class Site:
    page: Page
    url: str
    bundle: PolicyBundle


@pytest.fixture
def site(request: pytest.FixtureRequest) -> Site:
    """The imported fixtures by name (as parameters their names would shadow the imports)."""
    return Site(*(request.getfixturevalue(name) for name in ("page", "base_url", "bundle")))


class TestJointUsePageInTheBrowser:
    def test_each_language_shows_the_declaration(self, site: Site) -> None:
        joint = site.bundle.joint_use
        assert joint is not None
        assert joint.responsible.address is not None
        for lang in LANGUAGES:
            response = site.page.goto(f"{site.url}/joint-use?lang={lang}")
            assert response is not None
            assert response.status == 200
            text = site.page.get_by_text
            expect(site.page.locator("html")).to_have_attribute("lang", lang)
            expect(text(joint.statement.get(lang), exact=True)).to_be_visible()
            expect(text(joint.purposes.get(lang), exact=True)).to_be_visible()
            expect(text(joint.responsible.name.get(lang), exact=True).first).to_be_visible()
            expect(text(joint.responsible.address.get(lang), exact=True)).to_be_visible()
            for company in joint.companies:
                expect(text(company.name.get(lang), exact=True).first).to_be_visible()

    def test_switch_language_and_go_to_the_policy(self, site: Site) -> None:
        site.page.goto(f"{site.url}/joint-use?lang=ja")
        site.page.get_by_role("navigation", name="言語").get_by_role("link", name="繁體中文").click()
        site.page.wait_for_url(f"{site.url}/joint-use?lang=zh-Hant")
        expect(site.page.get_by_role("heading", level=1)).to_have_text("共同利用")
        site.page.get_by_role("link", name="個人資料保護方針").last.click()
        site.page.wait_for_url(f"{site.url}/privacy?lang=zh-Hant")
        expect(site.page.get_by_role("heading", level=1)).to_have_text(site.bundle.title.zh_hant)

    def test_unknown_language_lists_the_choices(self, site: Site) -> None:
        response = site.page.goto(f"{site.url}/joint-use?lang=fr")
        assert response is not None
        assert response.status == 400
        expect(site.page.get_by_role("link", name="English")).to_have_attribute("href", "/joint-use?lang=en")
