"""The privacy centre in Debian's Chromium against a real server and SMTP sink, in four languages.

A person asks for a sign-in link, opens it in the same browser, withdraws marketing consent and
receives the receipt, and a decision for that purpose is refused right after. A requester checks
the status with the code on the acknowledgement letter, uploads the missing ID document, and later
downloads the answer with a code sent by e-mail. A visitor downloads a request form and reads the
diff between two versions. Every page passes axe-core (no serious or critical violation); forms
are used with the keyboard only.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from io import BytesIO
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.api.app import create_app
from mamori.centre.status import issue_letter_code
from mamori.config import DEFAULT_POLICY_DIR, Settings
from mamori.consents.decisions.service import check
from mamori.consents.service import record_consent
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.dsr.models import Case, CaseDocument
from mamori.dsr.schemas import RequesterIn
from mamori.dsr.service import (
    decide,
    open_case,
    record_held_nowhere_else,
    record_identity_check,
    transition_case,
)
from mamori.dsr.service.delivery import send_electronically
from mamori.notices import receipt_messages
from mamori.notify.service import outbox_from_settings
from mamori.policy.service import publish_bundle
from mamori.subjects.service import create_subject
from mamori.web.i18n import gettext_for
from tests.bundles import copy_default_bundle, edit, justify
from tests.e2e.web.axe import serious_violations
from tests.integration.dsr.conftest import PNG
from tests.unit.notify.test_backends import Sink, _serve

pytestmark = pytest.mark.browser
EMAIL = "mei@example.jp"
LANGS = ["ja", "en", "zh-Hans", "zh-Hant"]
SCREENSHOTS = os.environ.get("MAMORI_SCREENSHOTS")  # a folder: pages of ja and zh-Hant are saved there


@pytest.fixture
def smtp() -> Iterator[tuple[Sink, int]]:
    yield from _serve(Sink())


@pytest.fixture
def live(fresh_database_url: str, smtp: tuple[Sink, int], tmp_path: Path) -> Iterator[tuple[str, Settings]]:
    """Two policy versions, a customer who consented to mailings, and a server mailing to the sink."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{listener.getsockname()[1]}"
    settings = Settings(  # type: ignore[call-arg]
        public_base_url=base,
        database_url=fresh_database_url,
        mail_backend="smtp",
        smtp_port=smtp[1],
        files_dir=tmp_path / "files",
        _env_file=None,
    )
    engine = make_engine(fresh_database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        _policies(session, tmp_path)
        person = create_subject(
            session, settings, "t", categories=["customers"], identifiers=[("email", EMAIL)]
        )
        record_consent(session, actor="t", subject_id=person.id, scope="purpose:customer.mailings",
                       action="given", language="ja", channel="shop")  # fmt: skip
    engine.dispose()
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive(), "the server thread stopped before it started"
        time.sleep(0.05)
    try:
        yield base, settings
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        listener.close()
        app.state.runtime.engine.dispose()


CHANGES = (  # the mailings purpose, in each language
    (
        "to send you catalogues and promotional mail",
        "to send you catalogues, promotional mail and newsletters",
    ),
    (
        "カタログ、ダイレクトメール等をお送りするため",
        "カタログ、ダイレクトメール、メールマガジン等をお送りするため",
    ),
    ("寄送商品目录、宣传邮件等", "寄送商品目录、宣传邮件、电子报等"),
    ("寄送商品型錄、宣傳郵件等", "寄送商品型錄、宣傳郵件、電子報等"),
)


def _policies(session: Session, tmp_path: Path) -> None:
    """Version 1 in force, version 2 announced for 30 days later."""
    first = publish_bundle(session, actor="user:officer", directory=DEFAULT_POLICY_DIR)
    bundle = copy_default_bundle(tmp_path)
    for old, new in CHANGES:
        edit(bundle, "purposes.yaml", old, new)
    justify(bundle, "customer.mailings")
    publish_bundle(
        session,
        actor="user:officer",
        directory=bundle,
        effective_date=first.effective_date + timedelta(days=30),
    )


def _mails(sink: Sink, count: int) -> list[EmailMessage]:
    for _ in range(400):
        if len(sink.received) >= count:
            break
        time.sleep(0.05)
    assert len(sink.received) >= count, f"{len(sink.received)} of {count} mails arrived"
    return [message for _, _, message in sink.received]


def _body(message: EmailMessage) -> str:
    return str(message.get_content())


def _t(lang: str, text: str, **values: object) -> str:
    return str(gettext_for(lang, text, **values))


def _accessible(page: Page) -> None:
    found = serious_violations(page)
    assert found == [], f"{page.url}: {found}"


def _shoot(page: Page, name: str, lang: str) -> None:
    if SCREENSHOTS and lang in {"ja", "zh-Hant"}:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"centre-{name}-{lang}.png"), full_page=True)


def _keyboard_to(page: Page, element_id: str) -> None:
    """Tab from the top of the page until ``element_id`` has the focus (it is reachable by keyboard)."""
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    pytest.fail(f"#{element_id} cannot be reached with the Tab key")


def _context(browser: Browser, base: str) -> Page:
    """A page whose every request must go to Mamori's own origin (checked by :func:`_own_origin_only`)."""
    page: Page = browser.new_context(bypass_csp=True, accept_downloads=True).new_page()  # axe needs to run
    page.set_default_timeout(120_000)  # PDFs (forms, receipts) take seconds to render on a loaded machine
    expect.set_options(timeout=60_000)
    elsewhere: list[str] = []
    page.on(
        "request", lambda r: None if r.url.startswith((base, "data:", "blob:")) else elsewhere.append(r.url)
    )
    _ELSEWHERE[id(page)] = elsewhere
    return page


_ELSEWHERE: dict[int, list[str]] = {}


def _own_origin_only(page: Page) -> None:
    assert _ELSEWHERE.pop(id(page)) == [], "a page made a request to another site"
    page.context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_a_person_withdraws_marketing_consent_and_decisions_follow(
    browser: Browser, live: tuple[str, Settings], smtp: tuple[Sink, int], lang: str
) -> None:
    base, settings = live
    sink = smtp[0]
    page = _context(browser, base)
    page.goto(f"{base}/preferences?lang={lang}")  # not signed in: sent to the sign-in page
    expect(page.locator("h1")).to_have_text(_t(lang, "Your consents and preferences"))
    _accessible(page)
    _shoot(page, "sign-in", lang)
    _keyboard_to(page, "email")
    page.keyboard.type(EMAIL)
    page.keyboard.press("Enter")
    expect(page.locator("#sent")).to_be_visible()
    [link_mail] = _mails(sink, 1)
    link = re.search(r"http://\S+/preferences/sign-in/\S+", _body(link_mail))
    assert link is not None
    page.goto(link.group(0))
    _accessible(page)
    _keyboard_to(page, "open")
    page.keyboard.press("Enter")
    mailings = page.locator('.choice[data-scope="purpose:customer.mailings"]')
    expect(mailings.locator(".state")).to_have_text(_t(lang, "You have given consent"))
    _accessible(page)
    _shoot(page, "preferences", lang)
    mailings.get_by_role("button").press("Enter")
    expect(page.locator("#changed")).to_contain_text(
        _t(
            lang,
            "Your change is recorded and applies from now on. We have sent a receipt to your e-mail address.",
        )
    )
    expect(mailings.locator(".state")).to_have_text(_t(lang, "You have withdrawn consent"))
    _, receipt = _mails(sink, 2)
    assert receipt["To"] == EMAIL
    [attached] = [p for p in receipt.iter_attachments() if p.get_content_type() == "application/pdf"]
    receipt_text = "".join(p.extract_text() for p in PdfReader(BytesIO(attached.get_content())).pages)
    assert receipt_messages.label("state.withdrawn", lang) in receipt_text  # the change, in their language
    with page.expect_download() as download:
        page.click("#receipt")
    assert download.value.path().read_bytes().startswith(b"%PDF")
    engine = make_engine(settings.database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        result = check(session, settings, actor="system:shop", subject=("email", EMAIL),
                       purpose_id="customer.mailings")  # fmt: skip
    engine.dispose()
    assert result["allowed"] is False
    _own_origin_only(page)


def _postal_case(settings: Settings, lang: str) -> tuple[str, str]:
    engine = make_engine(settings.database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        case = open_case(
            session,
            actor="user:agent",
            request_type="disclosure",
            channel="post",
            language=lang,
            requester=RequesterIn(name="Mei", email=EMAIL, address="横浜市"),
            response_method="electronic",
            settings=settings,
        )
        code = issue_letter_code(session, actor="user:agent", case_id=case.id, settings=settings)
        reference = case.reference
    engine.dispose()
    return reference, code


def _answer(settings: Settings, reference: str) -> None:
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        case = session.scalars(select(Case).where(Case.reference == reference)).one()
        document = session.scalars(select(CaseDocument).where(CaseDocument.case_id == case.id)).one()
        record_identity_check(
            session,
            actor="user:agent",
            case_id=case.id,
            whose="person",
            document_type="passport",
            document_id=document.id,
            matched=["name"],
            outcome="verified",
            settings=settings,
        )
        transition_case(session, actor="user:agent", case_id=case.id, to="in_progress", reason="verified")
        decide(session, actor="user:officer", case_id=case.id, outcome="full", settings=settings)
        record_held_nowhere_else(session, actor="user:officer", case_id=case.id, reason="held nowhere else")
        send_electronically(session, actor="user:officer", case_id=case.id, settings=settings,
                            outbox=outbox_from_settings(settings, factory))  # fmt: skip
    engine.dispose()


@pytest.mark.parametrize("lang", LANGS)
def test_a_requester_uploads_the_missing_id_and_later_downloads_the_answer(
    browser: Browser, live: tuple[str, Settings], smtp: tuple[Sink, int], lang: str, tmp_path: Path
) -> None:
    base, settings = live
    reference, code = _postal_case(settings, lang)
    page = _context(browser, base)
    page.goto(f"{base}/requests/status?lang={lang}")
    expect(page.locator("h1")).to_have_text(_t(lang, "Where your request stands"))
    _accessible(page)
    _shoot(page, "status", lang)
    page.fill("#reference", reference)
    page.fill("#code", code)
    page.locator("#code").press("Enter")
    expect(page.locator("#missing")).to_contain_text(
        _t(lang, "A copy of an identity document of the person the request is about")
    )
    assert reference not in page.url
    assert code not in page.url
    _accessible(page)
    _shoot(page, "status-case", lang)
    upload = tmp_path / "passport.png"
    upload.write_bytes(PNG)
    page.select_option("#document_type", "passport")
    page.set_input_files("#file", str(upload))
    page.get_by_role("button", name=_t(lang, "Send the document")).click()
    expect(page.locator("#uploaded")).to_be_visible()
    _answer(settings, reference)
    # later: a code by e-mail (the letter's code was spent), then the answer
    page.goto(f"{base}/requests/status?lang={lang}")
    page.fill("#code-reference", reference)
    page.fill("#email", EMAIL)
    page.get_by_role("button", name=_t(lang, "Send me a code")).click()
    expect(page.locator("#sent")).to_be_visible()
    sink = smtp[0]
    mails = _mails(sink, 1)
    codes = [m for m in mails if reference in _body(m) and re.search(r"\b[2-9A-Z]{8}\b", _body(m))]
    fresh = re.findall(r"\b([2-9A-Z]{8})\b", _body(codes[-1]))[-1]
    page.fill("#reference", reference)
    page.fill("#code", fresh)
    page.locator("#code").press("Enter")
    with page.expect_download() as download:
        page.click("#answer")
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    assert reference in "".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages)
    _own_origin_only(page)


@pytest.mark.parametrize(
    ("lang", "kind"),
    [("ja", "disclosure"), ("en", "correction"), ("zh-Hans", "suspension"), ("zh-Hant", "pipl")],
)
def test_a_visitor_downloads_a_form_and_reads_what_changed(
    browser: Browser, live: tuple[str, Settings], lang: str, kind: str
) -> None:
    base, _ = live
    page = _context(browser, base)
    page.goto(f"{base}/forms?lang={lang}")
    _accessible(page)
    _shoot(page, "forms", lang)
    response = page.request.get(f"{base}/forms/{kind}.pdf?lang={lang}", timeout=180_000)
    assert response.headers["content-type"] == "application/pdf"
    fields = PdfReader(BytesIO(response.body())).get_fields() or {}
    assert {"person_name", "signature"} <= set(fields)
    page.goto(f"{base}/privacy/history?lang={lang}")
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.locator("tbody tr").first).to_contain_text(_t(lang, "Announced: takes effect on its date"))
    _accessible(page)
    _shoot(page, "history", lang)
    page.get_by_role("button", name=_t(lang, "Show the changes")).click()
    expect(page.locator(".diff .added")).not_to_have_count(0)
    expect(page.locator(".diff .removed")).not_to_have_count(0)
    _accessible(page)
    _shoot(page, "diff", lang)
    page.goto(f"{base}/privacy/history/1?lang={lang}")  # a version as it was published
    expect(page.locator("html")).to_have_attribute("lang", lang)
    _accessible(page)
    _own_origin_only(page)
