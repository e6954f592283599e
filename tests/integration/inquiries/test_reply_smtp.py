"""An answer travels through the notify room's SMTP backend to a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mamori.config import Settings
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.inquiries import replies, service
from mamori.inquiries.models import InquiryMessage
from mamori.notify.backends import SmtpBackend
from mamori.notify.models import OutboundMessage
from mamori.notify.service import Outbox
from mamori.security.crypto import cipher_from_settings
from tests.factories.inquiries import create_inquiry, create_staff
from tests.factories.smtp import running_sink
from tests.unit.notify.test_backends import Sink


@pytest.fixture
def sink() -> Iterator[tuple[Sink, int]]:
    handler = Sink()
    with running_sink(handler) as port:
        yield handler, port


@pytest.fixture
def factory(fresh_database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(fresh_database_url)
    yield make_session_factory(engine)
    engine.dispose()


def test_the_answer_arrives_by_smtp_and_is_recorded(
    sink: tuple[Sink, int], factory: sessionmaker[Session], fresh_database_url: str
) -> None:
    handler, port = sink
    settings = Settings(database_url=fresh_database_url, mail_backend="smtp", _env_file=None)  # type: ignore[call-arg]
    outbox = Outbox(
        factory,
        SmtpBackend(host="127.0.0.1", port=port, timeout=5),
        cipher_from_settings(settings),
        "centre@example.jp",
    )
    with unit_of_work(factory) as session:
        inquiry = create_inquiry(
            session,
            settings,
            language="en",
            category="investor_relations",
            name="Mei Chen",
            email="mei.chen@example.com",
        )
        create_staff(session, "sato")
        service.assign(session, "user:lead", inquiry.id, "sato")
        inquiry_id, reference = inquiry.id, inquiry.reference
    with unit_of_work(factory) as session:
        replies.reply(
            session, settings, outbox, "user:sato", inquiry_id, answer="The AGM is on 20 June; 株主総会."
        )
    [(mail_from, rcpt_tos, message)] = handler.received
    assert (mail_from, rcpt_tos) == ("centre@example.jp", ["mei.chen@example.com"])
    assert reference in message["Subject"]
    body = message.get_content()
    assert body.startswith("Dear Mei Chen,")
    assert "investor-relations" in body
    assert "The AGM is on 20 June; 株主総会." in body
    with unit_of_work(factory) as session:
        out = session.scalars(select(InquiryMessage).where(InquiryMessage.direction == "out")).one()
        sent = session.get(OutboundMessage, out.outbound_message_id)
        assert sent is not None
        assert sent.status == "sent"
