"""A privacy office's day in the console, in a real browser (Debian's Chromium), in Japanese and English.

Each page the journeys open is checked with axe-core (injected by Playwright; vendored under
``tests/vendor/axe-core``): no serious or critical violation. With ``MAMORI_SCREENSHOTS=1`` the main pages
are saved to ``docs/screenshots/`` for the privacy-office guide.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.policy.schema import PolicyBundle
from mamori.security.rules import Role
from tests.factories.dsr import create_case, held_nowhere_else
from tests.factories.inquiries import PASSWORD, create_inquiry, create_staff
from tests.factories.staff import Phone, enrol_second_factor

AXE = Path(__file__).resolve().parents[2] / "vendor" / "axe-core" / "axe.min.js"
SHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
Work = Callable[[Callable[[Session], object]], object]
TEXT = {
    "ja": {"sign_in": "ログイン", "verify": "確認", "sign_out": "ログアウト", "assign": "自分が担当する",
           "send_reply": "回答を送信", "answered": "回答済み", "record_check": "確認結果を記録",
           "decide": "決定を記録", "decided": "決定済み", "letter": "回答書を作成", "send": "承認して送付",
           "batch": "発送待ちの回答書を印刷", "mailed": "発送済みとして記録", "responded": "回答済み",
           "wrong": "ユーザー名またはパスワードが正しくありません。", "inquiries": "お問い合わせ"},
    "en": {"sign_in": "Sign in", "verify": "Verify", "sign_out": "Sign out", "assign": "Assign to me",
           "send_reply": "Send the reply", "answered": "Answered", "record_check": "Record the check",
           "decide": "Record the decision", "decided": "Decided", "letter": "Prepare the letter",
           "send": "Approve and send", "batch": "Print the queued letters", "mailed": "Record as mailed",
           "responded": "Responded", "wrong": "Unknown user or wrong password.", "inquiries": "Inquiries"},
}  # fmt: skip
LANGS = ("ja", "en")


@pytest.fixture
def work(fresh_database_url: str) -> Iterator[Work]:
    """Run ``job`` in its own committed transaction (what another process or the CLI would do)."""
    engine = make_engine(fresh_database_url)

    def _run(job: Callable[[Session], object]) -> object:
        with unit_of_work(make_session_factory(engine)) as session:
            return job(session)

    yield _run
    engine.dispose()


@pytest.fixture
def settings_for(fresh_database_url: str) -> Settings:
    return Settings(database_url=fresh_database_url, mail_backend="null", _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def tab(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 860})  # to inject axe
    try:
        yield context.new_page()
    finally:
        context.close()


def axe_clean(page: Page) -> None:
    """No serious or critical axe-core violation on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => (await axe.run(document)).violations")
    bad = [v for v in result if v["impact"] in {"serious", "critical"}]
    assert not bad, json.dumps([{k: v[k] for k in ("id", "impact", "help")} for v in bad], ensure_ascii=False)


def shot(page: Page, name: str, lang: str) -> None:
    if os.environ.get("MAMORI_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"console-{name}-{lang}.png"), full_page=True)


def staff_with_phone(work: Work, settings: Settings, username: str, role: Role) -> Phone:
    return Phone(str(work(lambda s: enrol_second_factor(s, create_staff(s, username, role), settings))))


def sign_in(page: Page, base: str, lang: str, username: str, phone: Phone) -> None:
    page.goto(f"{base}/console/login?lang={lang}")
    axe_clean(page)
    shot(page, "sign-in", lang)
    page.locator("#username").fill(username)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name=TEXT[lang]["sign_in"], exact=True).click()
    page.locator("#code").fill(phone.code())
    axe_clean(page)
    page.get_by_role("button", name=TEXT[lang]["verify"]).click()
    expect(page.locator("html")).to_have_attribute("lang", lang)


@pytest.mark.parametrize("lang", LANGS)
def test_an_agent_signs_in_with_a_code_and_answers_an_inquiry(
    tab: Page, base_url: str, work: Work, settings_for: Settings, lang: str
) -> None:
    phone = staff_with_phone(work, settings_for, "kato", Role.AGENT)
    reference = str(work(lambda s: create_inquiry(s, settings_for, language=lang).reference))
    sign_in(tab, base_url, lang, "kato", phone)
    axe_clean(tab)
    shot(tab, "dashboard-agent", lang)
    tab.locator(".sidebar").get_by_role("link", name=TEXT[lang]["inquiries"]).click()
    expect(tab.get_by_role("link", name=reference)).to_be_visible()
    axe_clean(tab)
    shot(tab, "inquiries", lang)
    tab.get_by_role("link", name=reference).click()
    tab.get_by_role("button", name=TEXT[lang]["assign"]).click()
    expect(tab.locator("#assignee")).to_have_text("kato")
    tab.locator("#answer").fill("ご登録内容を確認しました。" if lang == "ja" else "We checked your details.")
    axe_clean(tab)
    shot(tab, "inquiry", lang)
    tab.get_by_role("button", name=TEXT[lang]["send_reply"]).click()
    expect(tab.locator("#inquiry-state")).to_have_text(TEXT[lang]["answered"])


@pytest.mark.parametrize("lang", LANGS)
def test_an_officer_takes_a_postal_request_from_id_check_to_mailed(  # noqa: PLR0913 - fixtures
    tab: Page, base_url: str, work: Work, settings_for: Settings, bundle: PolicyBundle, lang: str
) -> None:
    del bundle
    phone = staff_with_phone(work, settings_for, "mori", Role.PRIVACY_OFFICER)

    def _postal(session: Session) -> str:
        case = create_case(session, settings_for, language=lang)
        held_nowhere_else(session, case)  # the officer's statement: the letter may go without a search
        return case.reference

    reference = str(work(_postal))
    sign_in(tab, base_url, lang, "mori", phone)
    shot(tab, "dashboard", lang)
    tab.goto(f"{base_url}/console/requests")
    axe_clean(tab)
    shot(tab, "requests", lang)
    tab.get_by_role("link", name=reference).click()
    _move(tab, lang, "identity_check", "form complete")
    tab.locator("#document_type").select_option(index=0)
    tab.locator("input[name=matched][value=name]").check()
    tab.locator("input[name=matched][value=address]").check()
    axe_clean(tab)
    tab.get_by_role("button", name=TEXT[lang]["record_check"]).click()
    expect(tab.locator("#proof-complete")).to_be_visible()
    _move(tab, lang, "in_progress", "ID verified")
    axe_clean(tab)
    shot(tab, "case-decision", lang)
    tab.get_by_role("button", name=TEXT[lang]["decide"]).click()
    expect(tab.locator("#case-state")).to_have_text(TEXT[lang]["decided"])
    tab.get_by_role("button", name=TEXT[lang]["letter"]).click()
    pdf = tab.request.get(f"{base_url}{tab.locator('#letter-preview').get_attribute('href')}")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    tab.locator("#send-form").get_by_role("button", name=TEXT[lang]["send"]).click()
    tab.goto(f"{base_url}/console/requests")
    tab.get_by_role("button", name=TEXT[lang]["batch"]).click()
    expect(tab.locator("#mailing-list")).to_contain_text(reference)
    axe_clean(tab)
    tab.get_by_role("link", name=reference).click()
    tab.get_by_label(re.compile("書留番号|Registered-mail number")).fill("123456789012")
    tab.get_by_role("button", name=TEXT[lang]["mailed"]).click()
    expect(tab.locator("#case-state")).to_have_text(TEXT[lang]["responded"])
    axe_clean(tab)
    shot(tab, "case", lang)


def _move(page: Page, lang: str, to: str, reason: str) -> None:
    """Keyboard only: choose the state, type the reason, press Enter."""
    page.locator("#to").focus()
    page.locator("#to").select_option(to)
    page.keyboard.press("Tab")
    page.keyboard.type(reason)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    del lang


@pytest.mark.parametrize("lang", LANGS)
def test_a_locked_out_account_gets_the_same_answer_even_with_the_right_password(
    tab: Page, base_url: str, work: Work, settings_for: Settings, lang: str
) -> None:
    staff_with_phone(work, settings_for, "sato", Role.ADMIN)
    tab.goto(f"{base_url}/console/login?lang={lang}")
    for password in ["wrong-password-1"] * 5 + [PASSWORD]:
        tab.locator("#username").fill("sato")
        tab.locator("#password").fill(password)
        tab.get_by_role("button", name=TEXT[lang]["sign_in"], exact=True).click()
        expect(tab.get_by_role("alert")).to_have_text(TEXT[lang]["wrong"])
    expect(tab.locator("#code")).to_have_count(0)


@pytest.mark.parametrize("lang", LANGS)
def test_after_sign_out_the_back_button_shows_nothing(
    tab: Page, base_url: str, work: Work, settings_for: Settings, lang: str
) -> None:
    phone = staff_with_phone(work, settings_for, "kato", Role.AGENT)
    work(lambda s: create_inquiry(s, settings_for, name="見本 花子"))
    sign_in(tab, base_url, lang, "kato", phone)
    tab.goto(f"{base_url}/console/inquiries")
    tab.locator("#inquiries a").first.click()
    expect(tab.locator("#person-name")).to_have_text("見本 花子")
    tab.get_by_role("button", name=TEXT[lang]["sign_out"]).click()
    expect(tab).to_have_url(re.compile(r"/console/login"))
    tab.go_back()
    expect(tab).to_have_url(re.compile(r"/console/login"))
    assert "見本 花子" not in tab.content()
