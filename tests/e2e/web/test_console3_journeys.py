"""Registers and oversight, part 2, in the browser, in Japanese and in English (Playwright, Chromium).

An admin resets an agent's authenticator and the agent, signing in again, is asked to set one up;
a privacy officer starts a notification campaign and pauses it. Every page visited is checked with
axe-core (no serious or critical violation); with ``MAMORI_SCREENSHOTS=1`` the English run keeps a
screenshot of each new page under ``docs/screenshots/``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.web import test_console2_journeys
from tests.e2e.web.test_console2_journeys import (
    PEOPLE,
    SHOTS,
    Office,
    _axe,
    _context,
    _keep,
    _sign_in,
    _visit,
)
from tests.factories.inquiries import PASSWORD

office = test_console2_journeys.office  # the same server, staff and people as part 1's journeys
WORDS = {
    "ja": {
        "reset": "認証アプリの設定をリセットしました",
        "started": "キャンペーンを開始しました",
        "paused": "キャンペーンを一時停止しました。",
        "merged": "重複していた記録をこの本人に統合しました",
        "assessed": "評価を記録しました。",
    },
    "en": {
        "reset": "The authenticator was reset",
        "started": "The campaign was started",
        "paused": "The campaign was paused.",
        "merged": "The duplicate was merged into this person",
        "assessed": "The assessment was recorded.",
    },
}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_admin_resets_an_authenticator_and_the_user_enrols_again(
    browser: Browser, office: Office, lang: str
) -> None:
    admin = _context(browser).new_page()
    _sign_in(admin, office, "admin", lang)
    _visit(admin, office, "/console/users", lang)
    admin.locator("form[action='/console/users/agent/second-factor'] button").click()
    expect(admin.locator("p.success")).to_contain_text(WORDS[lang]["reset"])
    expect(admin.locator("form[action='/console/users/agent/second-factor']")).to_have_count(0)
    _axe(admin)
    if lang == "en":
        _keep(admin, SHOTS / "console-users-second-factor.png")
    agent = _context(browser).new_page()
    agent.goto(f"{office.url}/console/login?lang={lang}")
    agent.fill("#username", "agent")
    agent.fill("#password", PASSWORD)
    agent.locator("form button[type=submit]").first.click()
    expect(agent).to_have_url(f"{office.url}/console/login/enrol?next=/console")
    _axe(agent)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_officer_starts_a_campaign_and_pauses_it(browser: Browser, office: Office, lang: str) -> None:
    page = _context(browser).new_page()
    _sign_in(page, office, "officer", lang)
    _visit(page, office, "/console/campaigns", lang, "campaigns")
    page.select_option("#campaign-purpose", "customer.mailings")
    page.select_option("#campaign-kind", "notification")
    page.locator("form[action='/console/campaigns'] button[type=submit]").click()
    expect(page.locator("p.success")).to_contain_text(WORDS[lang]["started"])
    expect(page.locator("#stat-audience")).to_have_text("4")  # the four people who agreed to mailings
    _axe(page)
    page.locator("form[action$='/pause'] button").click()
    expect(page.locator("p.success")).to_have_text(WORDS[lang]["paused"])
    expect(page.locator("#campaign-state")).to_have_text("paused")
    expect(page.locator("form[action$='/resume']")).to_have_count(1)
    _axe(page)
    if lang == "en":
        _keep(page, SHOTS / "console-campaign.png")
    _visit(page, office, "/console/campaigns", lang)
    expect(page.locator("table.list tbody tr")).to_have_count(1)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_officer_builds_an_audience_counts_and_downloads_it(
    browser: Browser, office: Office, lang: str, tmp_path: Path
) -> None:
    page = _context(browser).new_page()
    _sign_in(page, office, "officer", lang)
    _visit(page, office, "/console/audiences", lang, "audiences")
    page.select_option("#audience-purpose", "customer.mailings")
    page.select_option("#audience-channel", "email")
    page.locator("button[name=action][value=count]").click()
    expect(page.locator("#audience-count")).to_have_text("4")
    _axe(page)
    page.select_option("#audience-jurisdiction", "CN")
    page.locator("button[name=action][value=count]").click()
    expect(page.locator("#audience-count")).to_have_text("1")  # Wang, in China
    with page.expect_download() as download:
        page.locator("button[name=action][value=csv]").click()
    saved = tmp_path / "audience.csv"
    download.value.save_as(saved)
    lines = saved.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "subject_id,language,jurisdiction"
    assert [line.split(",")[1:] for line in lines[1:]] == [["zh-Hans", "CN"]]


def _profile_of(page: Page, office: Office, email: str) -> str:
    """Find a person by e-mail through the form; the path of their profile."""
    page.goto(f"{office.url}/console/people")
    page.select_option("#kind", "email")
    page.fill("#value", email)
    page.locator("form[action='/console/people/find'] button").click()
    expect(page.locator("h1 code")).to_be_visible()
    return page.url.removeprefix(office.url).split("?")[0]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_officer_merges_two_records_of_one_person(browser: Browser, office: Office, lang: str) -> None:
    page = _context(browser).new_page()
    _sign_in(page, office, "officer", lang)
    duplicate = _profile_of(page, office, PEOPLE["zh-Hant"]).rsplit("/", 1)[1]
    survivor = _profile_of(page, office, PEOPLE["ja"])
    _visit(page, office, survivor, lang)
    page.fill("#merge-other", duplicate)
    page.locator("form[action$='/merge/preview'] button").click()
    expect(page.locator("#merge-source")).to_have_text(duplicate)
    expect(page.locator("#merge-moves")).to_contain_text("email × 1")
    _axe(page)
    if lang == "en":
        _keep(page, SHOTS / "console-people-merge.png")
    page.locator("form[action='/console/people/merge'] button").click()
    expect(page.locator("p.success")).to_contain_text(WORDS[lang]["merged"])
    _axe(page)
    assert _profile_of(page, office, PEOPLE["zh-Hant"]) == survivor  # the old address finds the survivor


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_officer_records_a_processor_assessment(browser: Browser, office: Office, lang: str) -> None:
    page = _context(browser).new_page()
    _sign_in(page, office, "officer", lang)
    _visit(page, office, "/console/provisions/parties", lang)
    page.locator("a[href='/console/processors/sample_mailing_house']").click()
    expect(page.locator("#assessment-due .badge--bad")).to_be_visible()  # never assessed: overdue
    _axe(page)
    page.select_option("#assess-result", "conditional")
    page.fill("#assess-evidence", "audits/2026/house.pdf")
    page.locator("form[action$='/assessments'] button").click()
    expect(page.locator("p.success")).to_have_text(WORDS[lang]["assessed"])
    expect(page.locator("#assessment-due .badge--ok")).to_be_visible()
    expect(page.locator("table.list").first).to_contain_text("audits/2026/house.pdf")
    _axe(page)
    if lang == "en":
        _keep(page, SHOTS / "console-processor.png")
