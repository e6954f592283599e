"""Forms posted in another character set are read in it, or refused: never stored garbled."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.inquiries.models import Inquiry
from mamori.inquiries.views import read_thread

FORM = {"lang": "ja", "category": "other", "name": "山田 花子", "email": "hanako@example.jp"}
MESSAGE = "ポイントカードの住所を変更したいです。"


def _post(client: TestClient, body: bytes, content_type: str) -> object:
    return client.post(
        "/contact", content=body, headers={"Content-Type": content_type}, follow_redirects=False
    )


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Inquiry)) or 0


@pytest.mark.usefixtures("published")
class TestContactFormCharsets:
    def test_shift_jis_declared_is_stored_as_written(
        self, client: TestClient, session: Session, settings: Settings
    ) -> None:
        body = urlencode({**FORM, "message": MESSAGE}, encoding="shift_jis").encode()
        response = _post(client, body, "application/x-www-form-urlencoded; charset=Shift_JIS")
        assert response.status_code == 303, response.text  # type: ignore[attr-defined]
        inquiry = session.scalars(select(Inquiry)).one()
        thread = read_thread(session, settings, "test", inquiry.id)
        assert thread.name == "山田 花子"
        assert MESSAGE in thread.messages[0].text

    def test_shift_jis_undeclared_is_refused_in_four_languages(
        self, client: TestClient, session: Session
    ) -> None:
        body = urlencode({**FORM, "message": MESSAGE}, encoding="shift_jis").encode()
        response = _post(client, body, "application/x-www-form-urlencoded")
        assert response.status_code == 400  # type: ignore[attr-defined]
        text = response.text  # type: ignore[attr-defined]
        assert "UTF-8" in text
        assert "文字コード" in text
        assert _count(session) == 0
