"""The privacy notice in a real browser (Debian's Chromium through Playwright) against a real server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright

from mamori.api.app import create_app
from mamori.config import DEFAULT_POLICY_DIR, Settings
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.policy.schema import LANGUAGES, PolicyBundle
from mamori.policy.service import bundle_of, publish_bundle

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
pytestmark = pytest.mark.browser


@pytest.fixture
def bundle(fresh_database_url: str) -> PolicyBundle:
    engine = make_engine(fresh_database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            return bundle_of(publish_bundle(session, actor="user:officer", directory=DEFAULT_POLICY_DIR))
    finally:
        engine.dispose()


@pytest.fixture
def base_url(fresh_database_url: str, bundle: PolicyBundle) -> Iterator[str]:
    """A uvicorn server on a free 127.0.0.1 port, in a background thread, stopped after the test."""
    del bundle  # published before the server starts
    settings = Settings(database_url=fresh_database_url, mail_backend="null", _env_file=None)  # type: ignore[call-arg]
    app = create_app(settings)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            assert thread.is_alive(), "the server thread stopped before it started"
            assert time.monotonic() < deadline, "the server did not start within 20 s"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        listener.close()
        app.state.runtime.engine.dispose()
    assert not thread.is_alive(), "the server did not stop"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (never 'playwright install')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()


class TestPrivacyNoticeInTheBrowser:
    def test_each_language_shows_its_own_text(self, page: Page, base_url: str, bundle: PolicyBundle) -> None:
        purpose = bundle.purposes()["customer.camera_analysis"]
        exception = bundle.third_party_provision.exceptions[0]
        for lang in LANGUAGES:
            response = page.goto(f"{base_url}/privacy?lang={lang}")
            assert response is not None
            assert response.status == 200
            expect(page.locator("html")).to_have_attribute("lang", lang)
            expect(page.get_by_role("heading", level=1)).to_have_text(bundle.title.get(lang))
            expect(page.get_by_text(purpose.text.get(lang), exact=True)).to_be_visible()
            expect(page.get_by_text(exception.text.get(lang), exact=True)).to_be_visible()

    def test_language_switcher_goes_from_japanese_to_english(
        self, page: Page, base_url: str, bundle: PolicyBundle
    ) -> None:
        page.goto(f"{base_url}/privacy?lang=ja")
        switcher = page.get_by_role("navigation", name="言語")
        expect(switcher.get_by_role("link", name="日本語")).to_have_attribute("aria-current", "page")
        switcher.get_by_role("link", name="English").click()
        page.wait_for_url(f"{base_url}/privacy?lang=en")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        text = bundle.purposes()["customer.sales"].text
        expect(page.get_by_text(text.en, exact=True)).to_be_visible()
        expect(page.get_by_text(text.ja, exact=True)).to_have_count(0)
        expect(
            page.get_by_role("navigation", name="Language").get_by_role("link", name="English")
        ).to_have_attribute("aria-current", "page")

    def test_pdf_link_and_contents_work(self, page: Page, base_url: str) -> None:
        page.goto(f"{base_url}/privacy?lang=zh-Hant")
        expect(page.get_by_role("link", name="下載PDF版")).to_have_attribute(
            "href", "/privacy.pdf?lang=zh-Hant"
        )
        page.get_by_role("navigation", name="目錄").get_by_role("link", name="諮詢窗口").click()
        expect(page).to_have_url(f"{base_url}/privacy?lang=zh-Hant#inquiries")
        expect(page.get_by_text("10:00～17:00（日本時間）")).to_be_in_viewport()
