"""The contact form and the staff view in a real browser (Debian's Chromium) against a real server."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.policy.schema import LANGUAGES, PolicyBundle
from tests.factories.inquiries import PASSWORD, create_staff
from tests.factories.staff import Phone, enrol_second_factor

PHONES: dict[str, Phone] = {}

pytestmark = pytest.mark.browser
SCRIPT = '<script>window.pwned = 1; alert("x")</script><img src=x onerror="window.pwned = 2">'
SEND = {"ja": "送信する", "en": "Send", "zh-Hans": "提交", "zh-Hant": "送出"}
RECEIVED = {
    "ja": "お問い合わせを受け付けました",
    "en": "We have your message",
    "zh-Hans": "我们已收到您的咨询",
    "zh-Hant": "我們已收到您的諮詢",
}
REFERENCE = re.compile(r"^Q-\d{6}-[A-Z2-9]{6}$")
JAPAN_TIME = {
    "ja": "（日本時間）",
    "en": "(Japan time)",
    "zh-Hans": "（日本时间）",
    "zh-Hant": "（日本時間）",
}


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    dialogs: list[str] = []
    try:
        tab = context.new_page()
        tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        yield tab
    finally:
        context.close()
    assert dialogs == [], "a script in the page opened a dialog"


@pytest.fixture
def staff(fresh_database_url: str, bundle: PolicyBundle) -> str:
    del bundle
    engine = make_engine(fresh_database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        PHONES["sato"] = Phone(enrol_second_factor(session, create_staff(session, "sato")))
    engine.dispose()
    return "sato"


def _send(page: Page, base: str, lang: str, message: str, email: str = "mei@example.com") -> None:
    page.goto(f"{base}/contact?lang={lang}")
    page.locator("#email").fill(email)
    page.locator("#message").fill(message)
    page.get_by_role("button", name=SEND[lang]).click()


class TestContactFormInTheBrowser:
    def test_each_language_opens_an_inquiry_and_says_when_to_expect_an_answer(
        self,
        page: Page,
        base_url: str,
        bundle: PolicyBundle,
    ) -> None:
        for lang in LANGUAGES:  # one mailbox per language: at most 3 posts an hour may name one address
            _send(page, base_url, lang, f"質問 / question in {lang}", email=f"mei-{lang}@example.com")
            expect(page.locator("html")).to_have_attribute("lang", lang)
            expect(page.get_by_role("heading", level=1)).to_have_text(RECEIVED[lang])
            expect(page.locator("#reference")).to_have_text(REFERENCE)
            expect(page.locator("#due")).to_contain_text(JAPAN_TIME[lang])
            expect(page.get_by_text(bundle.contact_centre.name.get(lang)).first).to_be_visible()

    def test_a_rejected_form_keeps_everything_typed(self, page: Page, base_url: str) -> None:
        long_text = "長" * 4001
        page.goto(f"{base_url}/contact?lang=ja")
        page.locator("#name").fill("山田 花子")
        page.locator("#email").fill("hanako@example.jp")
        page.locator("#category").select_option("complaint")
        page.locator("#message").fill(long_text)
        page.get_by_role("button", name=SEND["ja"]).click()
        expect(page.locator("#message-error")).to_contain_text("4000文字以内")
        expect(page.locator("#message")).to_have_value(long_text)
        expect(page.locator("#name")).to_have_value("山田 花子")
        expect(page.locator("#email")).to_have_value("hanako@example.jp")
        expect(page.locator("#category")).to_have_value("complaint")
        expect(page.locator("#message")).to_have_attribute("aria-invalid", "true")
        page.locator("#message").fill("")
        page.get_by_role("button", name=SEND["ja"]).click()
        expect(page.locator("#message-error")).to_have_text("お問い合わせ内容をご記入ください。")
        expect(page.locator("#email")).to_have_value("hanako@example.jp")

    def test_an_unknown_language_offers_the_four(self, page: Page, base_url: str) -> None:
        response = page.goto(f"{base_url}/contact?lang=fr")
        assert response is not None
        assert response.status == 400
        page.get_by_role("link", name="English").first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Contact us")


class TestStaffViewInTheBrowser:
    def test_a_script_in_the_message_shows_as_text_and_does_not_run(
        self, page: Page, base_url: str, staff: str
    ) -> None:
        _send(page, base_url, "en", SCRIPT)
        expect(page.get_by_role("heading", level=1)).to_have_text(RECEIVED["en"])
        reference = page.locator("#reference").inner_text()
        page.goto(f"{base_url}/console/inquiries?lang=en")
        expect(page).to_have_url(f"{base_url}/console/login?next=/console/inquiries")
        page.locator("#username").fill(staff)
        page.locator("#password").fill(PASSWORD)
        page.locator("form.stack button").click()
        page.locator("#code").fill(PHONES[staff].code())
        page.locator("form.stack button").click()
        page.get_by_role("link", name=reference).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(reference)
        expect(page.locator(".thread .message-text").first).to_have_text(SCRIPT)
        assert page.evaluate("window.pwned") is None
        assert page.locator(".thread script, .thread img").count() == 0
