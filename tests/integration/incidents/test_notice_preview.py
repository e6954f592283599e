"""The notices' preview: each language's letter as it would go out, with nothing sent or recorded."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.config import Settings
from mamori.incidents.models import IncidentNotice
from mamori.incidents.outreach import preview_notices
from mamori.incidents.schemas import NoticeTexts
from mamori.notify.models import OutboundMessage
from tests.factories.incidents import create_incident


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


class TestPreviewNotices:
    def test_four_languages_with_the_offices_text_and_nothing_sent(
        self, session: Session, settings: Settings
    ) -> None:
        incident = create_incident(session, settings)
        before = (
            _count(session, AuditEvent),
            _count(session, IncidentNotice),
            _count(session, OutboundMessage),
        )
        cause = "A mailing list was sent with every address visible."
        letters = preview_notices(session, settings, incident.id, {"en": NoticeTexts(cause=cause)})
        assert sorted(letters) == ["en", "ja", "zh-Hans", "zh-Hant"]
        assert cause in letters["en"].text()
        assert "漏えい" in letters["ja"].text()
        assert "泄露" in letters["zh-Hans"].text()
        assert "洩漏" in letters["zh-Hant"].text()
        assert incident.reference in letters["ja"].text()
        after = (
            _count(session, AuditEvent),
            _count(session, IncidentNotice),
            _count(session, OutboundMessage),
        )
        assert after == before
