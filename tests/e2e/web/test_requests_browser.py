"""The public request form and the download page in Debian's Chromium, against a real server and SMTP sink.

A person files a request in Traditional Chinese, confirms the e-mail address through the one-time link
that arrives at the sink, the office answers electronically, and the person opens the letter with
the one-time code from a second e-mail (a wrong code first).
"""

from __future__ import annotations

import io
import re
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader
from sqlalchemy import select

from mamori.api.app import create_app
from mamori.config import DEFAULT_POLICY_DIR, Settings
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.dsr import messages
from mamori.dsr.models import Case
from mamori.dsr.service import decide, record_held_nowhere_else, record_identity_check, transition_case
from mamori.dsr.service.delivery import send_electronically
from mamori.notify.service import outbox_from_settings
from mamori.policy.schema import LANGUAGES
from mamori.policy.service import publish_bundle
from mamori.security.mynumber import NOTE as MY_NUMBER_NOTE
from mamori.subjects.service import create_subject
from tests.unit.notify.test_backends import Sink, _serve

pytestmark = pytest.mark.browser
EMAIL = "hanako@example.jp"


@pytest.fixture
def smtp() -> Iterator[tuple[Sink, int]]:
    yield from _serve(Sink())


@pytest.fixture
def live(fresh_database_url: str, smtp: tuple[Sink, int], tmp_path: Path) -> Iterator[tuple[str, Settings]]:
    """A policy, a customer on record, and a uvicorn server whose mail goes to the sink."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    settings = Settings(
        public_base_url=f"http://127.0.0.1:{listener.getsockname()[1]}",
        database_url=fresh_database_url,
        mail_backend="smtp",
        smtp_port=smtp[1],  # type: ignore[call-arg]
        files_dir=tmp_path / "files",
        _env_file=None,
    )
    engine = make_engine(fresh_database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        publish_bundle(session, actor="user:officer", directory=DEFAULT_POLICY_DIR)
        create_subject(
            session,
            settings,
            "t",
            categories=["customers"],
            identifiers=[("email", EMAIL)],
            name="山田 花子",
            language="zh-Hant",
        )
    engine.dispose()
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive(), "the server thread stopped before it started"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", settings
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        listener.close()
        app.state.runtime.engine.dispose()


def _mails(sink: Sink, count: int) -> list[EmailMessage]:
    """Wait until the sink holds ``count`` messages (delivery happens after the server's commit)."""
    for _ in range(400):
        if len(sink.received) >= count:
            break
        time.sleep(0.05)
    assert len(sink.received) >= count, f"{len(sink.received)} of {count} mails arrived"
    return [message for _, _, message in sink.received]


def _body(message: EmailMessage) -> str:
    return str(message.get_content())


def _answer_electronically(settings: Settings) -> str:
    """The office's side: verify the online requester, decide, send the link and code. The reference."""
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        case = session.scalars(select(Case)).one()
        record_identity_check(
            session,
            actor="user:agent",
            case_id=case.id,
            whose="person",
            document_type="registered_login",
            matched=["email"],
            outcome="verified",
            settings=settings,
        )
        transition_case(session, actor="user:agent", case_id=case.id, to="in_progress", reason="verified")
        decide(session, actor="user:officer", case_id=case.id, outcome="full", settings=settings)
        record_held_nowhere_else(
            session, actor="user:officer", case_id=case.id, reason="no system of ours holds customer data"
        )
        send_electronically(
            session,
            actor="user:officer",
            case_id=case.id,
            settings=settings,
            outbox=outbox_from_settings(settings, factory),
        )
        reference = case.reference
    engine.dispose()
    return reference


class TestRequestForm:
    def test_the_form_speaks_four_languages(self, browser: Browser, live: tuple[str, Settings]) -> None:
        base_url, _ = live
        page: Page = browser.new_page()
        for lang in LANGUAGES:
            page.goto(f"{base_url}/requests/new?lang={lang}")
            expect(page.locator("h1")).to_have_text(messages.text("form.title", lang))
            expect(page.locator("html")).to_have_attribute("lang", lang)
        page.close()

    def test_missing_fields_are_named_on_the_page(self, browser: Browser, live: tuple[str, Settings]) -> None:
        base_url, _ = live
        page = browser.new_page()
        page.goto(f"{base_url}/requests/new?lang=en")
        page.fill("#name", "Hanako Yamada")
        page.fill("#email", EMAIL)
        page.check("input[name=response_method][value=post]")  # post without an address
        page.click("button[type=submit]")
        expect(page.locator("#errors")).to_contain_text("Postal address")
        page.close()

    def test_from_the_form_to_the_downloaded_letter(
        self, browser: Browser, live: tuple[str, Settings], smtp: tuple[Sink, int]
    ) -> None:
        base_url, settings = live
        sink, _ = smtp
        page = browser.new_page()
        page.goto(f"{base_url}/requests/new?lang=zh-Hant")
        page.select_option("#request_type", "disclosure")
        page.fill("#name", "山田 花子")
        page.fill("#email", EMAIL)
        page.check("input[name=response_method][value=electronic]")
        page.fill("#details", "我的個人編號是 1234-5678-9018")
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_have_text(messages.text("form.sent_title", "zh-Hant"))
        expect(page.locator("main")).to_contain_text(MY_NUMBER_NOTE["zh-Hant"])  # masked, and told why

        [confirmation] = _mails(sink, 1)
        assert confirmation["To"] == EMAIL
        link = re.search(r"http://\S+/requests/confirm/\S+", _body(confirmation))
        assert link is not None
        page.goto(link.group(0))
        expect(page.locator("h1")).to_have_text(messages.text("form.confirmed_title", "zh-Hant"))
        reference = _answer_electronically(settings)
        expect(page.locator("main")).to_contain_text(reference)

        _, acknowledgement, link_mail, code_mail = _mails(sink, 4)
        assert reference in _body(acknowledgement)  # in the requester's language, with the dates
        assert "/requests/status?lang=zh-Hant" in _body(acknowledgement)
        download = re.search(r"http://\S+/requests/download/\S+", _body(link_mail))
        # Six digits alone: not the tail of the reference (R20261202-588044 when its hex is all digits).
        code = re.search(r"(?<![-\w])(\d{6})\b", _body(code_mail))
        assert download is not None
        assert code is not None
        assert code.group(1) not in _body(link_mail)  # the code travels separately
        page.goto(download.group(0))
        wrong = "000000" if code.group(1) != "000000" else "111111"
        page.fill("#code", wrong)
        page.click("button[type=submit]")
        expect(page.locator("#problem")).to_contain_text("確認碼不正確")
        page.fill("#code", code.group(1))
        with page.expect_download() as downloaded:
            page.click("button[type=submit]")
        pdf = Path(downloaded.value.path()).read_bytes()
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\n", "")
        assert "對您請求的答覆" in text
        assert "山田 花子" in text
        assert reference in text
        page.close()

    def test_a_used_or_unknown_confirmation_link_says_so(
        self, browser: Browser, live: tuple[str, Settings]
    ) -> None:
        base_url, _ = live
        page = browser.new_page()
        response = page.goto(f"{base_url}/requests/confirm/{uuid.uuid4().hex}?lang=ja")
        assert response is not None
        assert response.status == 404
        expect(page.locator("h1")).to_have_text(messages.text("form.expired_title", "ja"))
        page.close()
