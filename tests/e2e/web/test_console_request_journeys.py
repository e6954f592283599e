"""An electronic request in the browser, from the public form to the requester's download, ja and en.

The person files the request on the public form and confirms the e-mail address; the privacy officer
signs in with a TOTP code and works the case in the console with the keyboard (focus, Space, Enter;
choices in a list are picked with Playwright's ``select_option``), reveals the requester for a
purpose, records the check and the decision, prepares the letter and sends it electronically; the
person opens it with the one-time code from the second e-mail. Each console page is checked with
axe-core; with ``MAMORI_SCREENSHOTS=1`` the pages are saved to ``docs/screenshots/``.

Not in this journey: a fulfillment run (the default policy has no data map, so the officer states
that the data is held nowhere else, as the postal journey does); runs and their retry are tested in
``test_console_request_reading.py``.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader
from sqlalchemy import select

from mamori.config import Settings
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.dsr.models import Case
from mamori.dsr.service import record_held_nowhere_else
from mamori.security.rules import Role
from tests.e2e.web import test_requests_browser as _public
from tests.e2e.web.test_console_journeys import axe_clean, shot, sign_in, staff_with_phone
from tests.e2e.web.test_requests_browser import EMAIL, _body, _mails
from tests.factories.staff import Phone
from tests.unit.notify.test_backends import Sink

pytestmark = pytest.mark.browser
live = _public.live  # the public site and the console on one server, its mail to an SMTP sink
smtp = _public.smtp
TEXT = {
    "ja": {"reveal": "表示する（監査ログに記録）", "record_check": "確認結果を記録", "decide": "決定を記録",
           "decided": "決定済み", "letter": "回答書を作成", "send": "承認して送付", "responded": "回答済み",
           "title": "ご請求に対する回答"},
    "en": {"reveal": "Reveal (recorded in the audit log)", "record_check": "Record the check",
           "decide": "Record the decision", "decided": "Decided", "letter": "Prepare the letter",
           "send": "Approve and send", "responded": "Responded", "title": "Our answer to your request"},
}  # fmt: skip
LANGS = ("ja", "en")


def _sign_in(page: Page, base_url: str, lang: str, phone: Phone) -> None:
    """The journeys' sign-in; a code typed as its 30-second window closed is typed again, fresh."""
    sign_in(page, base_url, lang, "mori", phone)
    for _ in range(2):
        if page.locator("#code").count() == 0:
            return
        page.wait_for_timeout(1500)
        page.locator("#code").fill(phone.code())
        page.locator("#code").press("Enter")
        page.wait_for_load_state()
    expect(page.locator("#code")).to_have_count(0)


def _press(page: Page, selector: str, key: str = "Enter") -> None:
    page.locator(selector).focus()
    page.keyboard.press(key)


def _move(page: Page, to: str, reason: str) -> None:
    page.locator("#to").focus()
    page.locator("#to").select_option(to)
    page.keyboard.press("Tab")
    page.keyboard.type(reason)
    page.keyboard.press("Enter")
    expect(page.locator("#case-state")).to_be_visible()


def _file_the_request(page: Page, base_url: str, sink: Sink, lang: str) -> None:
    page.goto(f"{base_url}/requests/new?lang={lang}")
    page.select_option("#request_type", "disclosure")
    page.fill("#name", "山田 花子")
    page.fill("#email", EMAIL)
    page.check("input[name=response_method][value=electronic]")
    page.click("button[type=submit]")
    [confirmation] = _mails(sink, 1)
    link = re.search(r"http://\S+/requests/confirm/\S+", _body(confirmation))
    assert link is not None
    page.goto(link.group(0))


@pytest.mark.parametrize("lang", LANGS)
def test_an_electronic_request_from_the_form_to_the_download(  # noqa: PLR0915 - one journey
    browser: Browser,
    live: tuple[str, Settings],
    smtp: tuple[Sink, int],
    lang: str,
) -> None:
    base_url, settings = live
    sink, _ = smtp
    person = browser.new_page()
    _file_the_request(person, base_url, sink, lang)

    engine = make_engine(settings.database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        case = session.scalars(select(Case)).one()
        case_id, reference = case.id, case.reference
        record_held_nowhere_else(session, actor="user:officer", case_id=case.id,
                                 reason="no system of ours holds customer data")  # fmt: skip
    engine.dispose()

    def _work(job):  # type: ignore[no-untyped-def]
        engine = make_engine(settings.database_url)
        try:
            with unit_of_work(make_session_factory(engine)) as session:
                return job(session)
        finally:
            engine.dispose()

    phone = staff_with_phone(_work, settings, "mori", Role.PRIVACY_OFFICER)
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 860})  # to inject axe
    tab = context.new_page()
    _sign_in(tab, base_url, lang, phone)
    tab.goto(f"{base_url}/console/requests")
    link = tab.get_by_role("link", name=reference)
    link.focus()
    tab.keyboard.press("Enter")
    expect(tab.locator("h1")).to_have_text(reference)
    assert "山田 花子" not in tab.content()  # hidden until a purpose is named
    _press(tab, "#reveal-form button")
    expect(tab.locator("#revealed")).to_contain_text("山田 花子")
    axe_clean(tab)
    shot(tab, "case-revealed", lang)

    _move(tab, "identity_check", "online request, e-mail confirmed")
    tab.locator("#document_type").select_option("registered_login")
    _press(tab, "input[name=matched][value=email]", "Space")
    assert tab.locator("input[name=matched][value=email]").is_checked()
    axe_clean(tab)
    _press(tab, "#identity-form button[type=submit]")
    expect(tab.locator("#proof-complete")).to_be_visible()
    _move(tab, "in_progress", "signed-in account verified")
    _press(tab, "#decision-form button[type=submit]")
    expect(tab.locator("#case-state")).to_have_text(TEXT[lang]["decided"])
    tab.get_by_role("button", name=TEXT[lang]["letter"]).focus()
    with tab.expect_navigation(timeout=120_000):  # the PDF is rendered on the server (WeasyPrint)
        tab.keyboard.press("Enter")
    expect(tab.locator("#refusal")).to_have_count(0)
    _press(tab, "input[name=method][value=electronic]", "Space")
    with tab.expect_navigation(timeout=120_000):
        _press(tab, "#send-form button[type=submit]")
    expect(tab.locator("#case-state")).to_have_text(TEXT[lang]["responded"])
    axe_clean(tab)
    shot(tab, "case-electronic", lang)
    context.close()

    _, _acknowledgement, link_mail, code_mail = _mails(sink, 4)
    download = re.search(r"http://\S+/requests/download/\S+", _body(link_mail))
    code = re.search(r"(?<![-\w])(\d{6})\b", _body(code_mail))
    assert download is not None
    assert code is not None
    person.goto(download.group(0))
    person.fill("#code", code.group(1))
    with person.expect_download() as downloaded:
        person.click("button[type=submit]")
    pdf = Path(downloaded.value.path()).read_bytes()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\n", "")
    assert reference in text
    assert "山田 花子" in text
    person.close()
    del case_id


@pytest.mark.parametrize("lang", LANGS)
def test_the_postal_intake_page_and_the_review_list_pass_axe(
    browser: Browser,
    live: tuple[str, Settings],
    lang: str,
) -> None:
    base_url, settings = live

    def _work(job):  # type: ignore[no-untyped-def]
        engine = make_engine(settings.database_url)
        try:
            with unit_of_work(make_session_factory(engine)) as session:
                return job(session)
        finally:
            engine.dispose()

    phone = staff_with_phone(_work, settings, "mori", Role.PRIVACY_OFFICER)
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 860})
    tab = context.new_page()
    _sign_in(tab, base_url, lang, phone)
    tab.goto(f"{base_url}/console/requests/new")
    expect(tab.locator("#postal-form")).to_be_visible()
    axe_clean(tab)
    shot(tab, "postal-intake", lang)
    tab.goto(f"{base_url}/console/inquiries?review=1")
    axe_clean(tab)
    tab.goto(f"{base_url}/console/")
    axe_clean(tab)
    shot(tab, "dashboard-officer", lang)
    context.close()
