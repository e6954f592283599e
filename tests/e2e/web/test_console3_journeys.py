"""Registers and oversight, part 2, in the browser, in Japanese and in English (Playwright, Chromium).

An admin resets an agent's authenticator and the agent, signing in again, is asked to set one up;
a privacy officer starts a notification campaign and pauses it. Every page visited is checked with
axe-core (no serious or critical violation); with ``MAMORI_SCREENSHOTS=1`` the English run keeps a
screenshot of each new page under ``docs/screenshots/``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.web import test_console2_journeys
from tests.e2e.web.test_console2_journeys import (
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
    },
    "en": {
        "reset": "The authenticator was reset",
        "started": "The campaign was started",
        "paused": "The campaign was paused.",
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
