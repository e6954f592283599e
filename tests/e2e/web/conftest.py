"""Public pages through FastAPI's test client (per-test rolled-back session) or a real server and browser."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy.orm import Session

from mamori.api.app import create_app
from mamori.config import DEFAULT_POLICY_DIR, Settings
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.policy.models import PolicyVersion
from mamori.policy.schema import PolicyBundle
from mamori.policy.service import bundle_of, publish_bundle
from mamori.web.templating import set_demo
from tests.e2e.web.clients import client_on


@pytest.fixture
def client(session: Session, settings: Settings) -> Iterator[TestClient]:
    with client_on(session, settings) as test_client:
        yield test_client


@pytest.fixture
def published(session: Session) -> PolicyVersion:
    return publish_bundle(session, actor="user:officer", directory=DEFAULT_POLICY_DIR)


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


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
    yield from _serve(settings)


@pytest.fixture
def demo_base_url(fresh_database_url: str, bundle: PolicyBundle) -> Iterator[str]:
    """The same server as a demonstration (MAMORI_DEMO=true): public pages carry the banner."""
    del bundle
    settings = Settings(database_url=fresh_database_url, mail_backend="null", demo=True, _env_file=None)  # type: ignore[call-arg]
    try:
        yield from _serve(settings)
    finally:
        set_demo(demo=False)


def _serve(settings: Settings) -> Iterator[str]:
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
