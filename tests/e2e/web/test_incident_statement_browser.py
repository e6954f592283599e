"""The public statement about an incident in a real browser (Debian's Chromium), in the four languages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from mamori.config import Settings
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.incidents import outreach, service
from mamori.incidents.schemas import IncidentCreate, NoticeTexts, StatementCreate
from mamori.policy.schema import LANGUAGES, PolicyBundle

pytestmark = pytest.mark.browser
TITLES = {
    "ja": "個人情報の漏えいに関するお知らせとお詫び",
    "en": "Notice and apology: personal-data leak",
    "zh-Hans": "关于个人信息泄露的通知及致歉",
    "zh-Hant": "關於個人資料洩漏之通知及致歉",
}


@pytest.fixture
def reference(fresh_database_url: str, bundle: PolicyBundle) -> str:
    del bundle  # the policy is published first
    settings = Settings(database_url=fresh_database_url, mail_backend="null", _env_file=None)  # type: ignore[call-arg]
    engine = make_engine(fresh_database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            now = datetime.now(UTC)
            incident = service.register_incident(session, settings, "user:officer", IncidentCreate(
                kind="leak", known_at=now - timedelta(hours=5), data_items=["name", "email"],
                persons_max=2400,
            ))  # fmt: skip
            texts = {"en": NoticeTexts(cause="A misconfigured mailing list.")}
            outreach.publish_statement(
                session, settings, "user:officer", incident.id, StatementCreate(texts=texts)
            )
            return incident.reference
    finally:
        engine.dispose()


def test_each_language_shows_the_statement_and_the_inquiry_desk(
    page: Page,
    base_url: str,
    reference: str,
) -> None:
    for lang in LANGUAGES:
        response = page.goto(f"{base_url}/incidents/{reference}?lang={lang}")
        assert response is not None
        assert response.status == 200
        expect(page.locator("html")).to_have_attribute("lang", lang)
        expect(page.get_by_role("heading", level=1)).to_have_text(TITLES[lang])
        expect(page.get_by_text(reference).first).to_be_visible()
        expect(page.get_by_text("2,400").first).to_be_visible()
    expect(page.get_by_text("A misconfigured mailing list.")).to_have_count(
        0
    )  # zh-Hant: not the English text
    page.get_by_role("link", name="English").click()
    expect(page.get_by_text("A misconfigured mailing list.")).to_be_visible()
    expect(page.get_by_role("heading", name="Inquiry desk for this incident")).to_be_visible()


def test_an_unknown_reference_is_a_404_page_in_the_language_asked(
    page: Page,
    base_url: str,
) -> None:
    response = page.goto(f"{base_url}/incidents/INC-1999-0001?lang=zh-Hans")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("未找到该通知")
