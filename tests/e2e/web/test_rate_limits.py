"""Every public post is limited per client address and per recipient: the next one is a 429 page."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.dsr.models import WebSubmission
from mamori.inquiries.models import Inquiry
from mamori.notify.models import OutboundMessage
from mamori.policy.models import PolicyVersion
from mamori.security.ratelimit import RateCounter, RateLimited
from mamori.web.limits import TEXTS, rate_limited
from tests.e2e.web.clients import client_on

pytestmark = pytest.mark.usefixtures("published")
REQUEST = {"request_type": "disclosure", "name": "山田 花子", "response_method": "electronic"}
CONTACT = {"category": "other", "name": "Mei", "message": "Hello"}


def _count(session: Session, model: type[object]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def limited(session: Session, settings: Settings, published: PolicyVersion) -> Iterator[TestClient]:
    """Two posts per address, two per recipient."""
    del published
    strict = settings.model_copy(update={"rate_limit_per_address": 2, "rate_limit_per_recipient": 2})
    with client_on(session, strict) as client:
        yield client


class TestPerAddress:
    def test_the_third_request_form_is_refused_and_nothing_is_kept_or_mailed(
        self, limited: TestClient, session: Session
    ) -> None:
        for n in range(2):
            sent = limited.post("/requests/new?lang=zh-Hans", data=REQUEST | {"email": f"p{n}@example.jp"})
            assert sent.status_code == 200, sent.text
        before = (_count(session, WebSubmission), _count(session, OutboundMessage))
        refused = limited.post("/requests/new?lang=zh-Hans", data=REQUEST | {"email": "p9@example.jp"})
        assert refused.status_code == 429
        assert 0 < int(refused.headers["Retry-After"]) <= 600
        assert TEXTS.label("title", "zh-Hans") in refused.text
        assert refused.headers["Content-Language"] == "zh-Hans"
        assert (_count(session, WebSubmission), _count(session, OutboundMessage)) == before == (2, 2)

    def test_the_contact_form_is_limited_in_the_visitors_language(
        self, limited: TestClient, session: Session
    ) -> None:
        for n in range(2):
            sent = limited.post("/contact", data=CONTACT | {"lang": "ja", "email": f"c{n}@example.jp"})
            assert sent.status_code == 200, sent.text
        refused = limited.post("/contact", data=CONTACT | {"lang": "ja", "email": "c9@example.jp"})
        assert refused.status_code == 429
        assert "Retry-After" in refused.headers
        assert TEXTS.label("title", "ja") in refused.text
        assert _count(session, Inquiry) == 2

    def test_console_login_is_limited(self, limited: TestClient) -> None:
        form = {"username": "nobody", "password": "wrong", "csrf_token": "x", "lang": "en"}
        assert [limited.post("/console/login", data=form).status_code for _ in range(3)] == [403, 403, 429]

    def test_download_codes_and_confirmation_links_are_limited(self, limited: TestClient) -> None:
        codes = [
            limited.post("/requests/download/nope?lang=en", data={"code": "1"}).status_code for _ in range(3)
        ]
        links = [limited.get("/requests/confirm/nope?lang=en").status_code for _ in range(3)]
        assert (codes, links) == ([404, 404, 429], [404, 404, 429])


class TestPerRecipient:
    def test_one_mailbox_gets_two_confirmation_mails_however_the_address_is_written(
        self, session: Session, settings: Settings
    ) -> None:
        loose = settings.model_copy(update={"rate_limit_per_address": 100, "rate_limit_per_recipient": 2})
        with client_on(session, loose) as client:
            codes = [
                client.post("/requests/new?lang=en", data=REQUEST | {"email": email}).status_code
                for email in ("victim@example.jp", "Victim@Example.jp ", "victim@example.jp")
            ]
        assert codes == [200, 200, 429]
        assert _count(session, OutboundMessage) == 2
        keys = session.scalars(select(RateCounter.key)).all()
        assert keys
        assert all("victim" not in key and "testclient" not in key for key in keys)


class TestElsewhere:
    def test_logout_is_limited_too(self, limited: TestClient) -> None:
        assert [limited.post("/console/logout").status_code for _ in range(3)][-1] == 429

    def test_under_the_api_the_answer_is_problem_json(self, limited: TestClient) -> None:
        """No public API post exists today; the handler is ready for one (and for the API's own)."""
        request = Request({"type": "http", "method": "POST", "path": "/api/v1/x", "headers": [],
                           "query_string": b"", "app": limited.app})  # fmt: skip
        response = asyncio.run(rate_limited(request, RateLimited("too many", retry_after=42)))
        assert response.status_code == 429
        assert response.headers["retry-after"] == "42"
        assert response.media_type == "application/problem+json"
        assert b'"status":429' in response.body
