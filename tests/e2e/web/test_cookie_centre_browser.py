"""Banner choices seen in the privacy centre: choose on the shop, sign in to the centre from the same
browser, see the choices there, change one, and the site's backend decision follows (Chromium)."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from mamori.api.app import create_app
from mamori.audit.models import AuditEvent
from mamori.config import Settings
from mamori.cookies import service
from mamori.cookies.models import CookieBrowserLink, CookieConsent
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.subjects.service import create_subject
from tests.e2e.web.cookie_site import Site, shop_bundle
from tests.e2e.web.test_centre_browser import _body, _mails
from tests.e2e.web.test_cookie_banner_browser import (
    _assert_ran,
    _context,
    _publish,
    _wait_records,
    browser,
    site,
)
from tests.unit.notify.test_backends import Sink, _serve

__all__ = ["browser", "site"]  # module fixtures shared with the banner's tests
pytestmark = pytest.mark.browser
EMAIL = "aiko@example.jp"


@pytest.fixture
def smtp() -> Iterator[tuple[Sink, int]]:
    yield from _serve(Sink())


@pytest.fixture
def centre(
    fresh_database_url: str, smtp: tuple[Sink, int], site: Site, tmp_path: Path
) -> Iterator[tuple[str, Settings]]:
    """The shop's inventory published, a customer with an e-mail address, a server mailing to the sink."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{listener.getsockname()[1]}"
    settings = Settings(  # type: ignore[call-arg]
        public_base_url=base, database_url=fresh_database_url, mail_backend="smtp", smtp_port=smtp[1],
        files_dir=tmp_path / "files", _env_file=None,
    )  # fmt: skip
    _publish(fresh_database_url, shop_bundle(tmp_path, site.port))
    engine = make_engine(fresh_database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        create_subject(session, settings, "t", categories=["customers"], identifiers=[("email", EMAIL)])
    engine.dispose()
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive(), "the server thread stopped before it started"
        time.sleep(0.05)
    site.use_mamori(base)
    try:
        yield base, settings
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        listener.close()
        app.state.runtime.engine.dispose()


def test_banner_choices_show_in_the_centre_after_sign_in_and_change_there(
    browser: Browser, site: Site, centre: tuple[str, Settings], smtp: tuple[Sink, int]
) -> None:
    base, settings = centre
    context = _context(browser)
    page = context.new_page()
    page.goto(f"{site.url}/?lang=en")
    page.get_by_role("button", name="Choose by category").click()
    page.get_by_label("Analytics").check()
    page.get_by_role("button", name="Save my choices").click()
    _assert_ran(page, ["ga", "heatmap", "tracker"])
    [chosen] = _wait_records(page, settings.database_url, 1)
    # The banner's button hands this browser's ID to Mamori, then the person signs in.
    page.get_by_role("button", name="Cookie settings").click()
    page.get_by_role("button", name="Choose by category").click()
    with context.expect_page() as opened:
        page.get_by_role("button", name="Manage in the privacy centre").click()
    centre_page = opened.value
    centre_page.wait_for_load_state()
    centre_page.goto(f"{base}/preferences/sign-in?lang=en")
    centre_page.fill("#email", EMAIL)
    centre_page.keyboard.press("Enter")
    expect(centre_page.locator("#sent")).to_be_visible()
    [mail] = _mails(smtp[0], 1)
    link = re.search(r"http://\S+/preferences/sign-in/\S+", _body(mail))
    assert link is not None
    centre_page.goto(link.group(0))
    centre_page.locator("#open").click()
    section = centre_page.locator("section#cookies")
    expect(section.locator("h2")).to_have_text("Cookies and tags in the browsers you signed in from")
    analytics = section.locator('.choice[data-scope="cookie:analytics"]')
    advertising = section.locator('.choice[data-scope="cookie:advertising"]')
    expect(analytics.locator(".state")).to_have_text("You have given consent")
    expect(advertising.locator(".state")).to_have_text("You have withdrawn consent")
    assert section.locator('.choice[data-scope="cookie:necessary"]').count() == 0
    # The person withdraws analytics in the centre: a new browser record, the decision follows.
    analytics.get_by_role("button").click()
    expect(centre_page.locator("#changed")).to_be_visible()
    expect(analytics.locator(".state")).to_have_text("You have withdrawn consent")
    engine = make_engine(settings.database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        [link_row] = session.scalars(select(CookieBrowserLink)).all()
        assert link_row.browser_id == chosen.browser_id
        rows = session.scalars(select(CookieConsent).order_by(CookieConsent.recorded_at)).all()
        assert [r.source for r in rows] == ["banner", "centre"]
        assert rows[-1].choices == {"necessary": True, "analytics": False, "advertising": False}
        assert rows[-1].inventory_hash == chosen.inventory_hash
        inventory = service.current_inventory(session)
        decision = service.decide(session, inventory, "shop", "ga", chosen.browser_id)
        assert decision.verdict.value == "refused"
        linked = session.scalars(select(AuditEvent).where(AuditEvent.action == "cookie_browser.linked")).all()
        assert len(linked) == 1
    engine.dispose()
    context.close()
