"""Notices to the people affected, by e-mail through a real local SMTP server, in each one's language."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mamori.audit.models import AuditEvent
from mamori.config import Settings
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.incidents import outreach, service
from mamori.incidents.models import IncidentNotice
from mamori.incidents.schemas import IncidentCreate, NoticesCreate, NoticeTexts
from mamori.notify.models import OutboundMessage
from mamori.notify.service import outbox_from_settings
from tests.factories.subjects import create_subject, ensure_policy
from tests.unit.notify.test_backends import Sink, _serve

PEOPLE = {  # language -> (address, jurisdiction, words the subject line and body must carry)
    "ja": ("hanako@example.jp", "JP", ("漏えい", "概要", "お問い合わせ窓口", "受付時間")),
    "en": ("emma@example.com", "JP", ("leak", "What happened", "Whom to contact", "Japan time")),
    "zh-Hans": ("wang@example.cn", "CN", ("泄露", "概要", "咨询窗口", "您可以采取的措施")),
    "zh-Hant": ("chen@example.tw", "JP", ("洩漏", "概要", "諮詢窗口", "您可以採取之措施")),
}


@pytest.fixture
def sink() -> Iterator[tuple[Sink, int]]:
    yield from _serve(Sink())


@pytest.fixture
def factory(fresh_database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(fresh_database_url)
    yield make_session_factory(engine)
    engine.dispose()


def _received(sink: Sink) -> dict[str, EmailMessage]:
    return {rcpt[0]: message for _, rcpt, message in sink.received}


def test_each_person_gets_the_notice_in_their_language(
    factory: sessionmaker[Session], fresh_database_url: str, sink: tuple[Sink, int]
) -> None:
    server, port = sink
    settings = Settings(database_url=fresh_database_url, mail_backend="smtp", smtp_port=port, _env_file=None)  # type: ignore[call-arg]
    outbox = outbox_from_settings(settings, factory)
    with unit_of_work(factory) as session:
        ensure_policy(session)
        subjects = {lang: create_subject(session, settings, language=lang, jurisdiction=jur,
                                         identifiers=[("email", address)]).id
                    for lang, (address, jur, _) in PEOPLE.items()}  # fmt: skip
        now = datetime.now(UTC)
        incident = service.register_incident(session, settings, "user:officer", IncidentCreate(
            kind="leak", known_at=now - timedelta(hours=2), occurred_at=now - timedelta(days=1),
            data_items=["email", "purchase_history"], persons_known=4, persons_max=1500,
            jurisdictions=["JP", "CN"], subject_ids=list(subjects.values()),
        ))  # fmt: skip
        texts = {"en": NoticeTexts(cause="A mailing list was sent with every address visible.")}
        sent = outreach.send_notices(session, settings, outbox, "user:officer", incident.id,
                                     NoticesCreate(texts=texts))  # fmt: skip
        assert [n.status for n in sent] == ["queued"] * 4
        reference, incident_id = incident.reference, incident.id
    received = _received(server)  # delivered after commit
    assert set(received) == {address for address, _, _ in PEOPLE.values()}
    for lang, (address, _, words) in PEOPLE.items():
        message = received[address]
        body = message.get_content()
        assert reference in message["Subject"]
        assert words[0] in message["Subject"], lang
        for word in words[1:]:
            assert word in body, (lang, word)
        assert "AOKI" in body
    assert "every address visible" in received["emma@example.com"].get_content()
    assert "every address visible" not in received["hanako@example.jp"].get_content()
    with factory() as session:
        records = session.scalars(
            select(IncidentNotice).where(IncidentNotice.incident_id == incident_id)
        ).all()
        assert {(r.subject_id, r.language, r.channel) for r in records} == {
            (subjects[lang], lang, "email") for lang in PEOPLE
        }
        assert {r.subject_id: r.law for r in records}[subjects["zh-Hans"]] == "pipl"
        stored = " ".join(json.dumps([r.letter_encrypted, r.content]) for r in records)
        assert "@example" not in stored
        messages = session.scalars(select(OutboundMessage)).all()
        assert {m.status for m in messages} == {"sent"}
        assert all("@" not in m.recipient_encrypted for m in messages)
        reads = session.scalars(select(AuditEvent).where(AuditEvent.action == "subject.read")).all()
        assert {json.loads(e.details)["purpose"] for e in reads} == {"incident.notice"}


def test_no_address_or_post_gives_a_letter_to_print(
    factory: sessionmaker[Session], fresh_database_url: str
) -> None:
    settings = Settings(database_url=fresh_database_url, mail_backend="null", _env_file=None)  # type: ignore[call-arg]
    outbox = outbox_from_settings(settings, factory)
    with unit_of_work(factory) as session:
        ensure_policy(session)
        person = create_subject(session, settings, language="en", identifiers=[("member_number", "M77")])
        incident = service.register_incident(session, settings, "u", IncidentCreate(
            kind="loss", known_at=datetime.now(UTC) - timedelta(hours=1), data_items=["name"],
            subject_ids=[person.id],
        ))  # fmt: skip
        [notice] = outreach.send_notices(session, settings, outbox, "u", incident.id, NoticesCreate())
        assert (notice.channel, notice.status, notice.message_id) == ("post", "printed", None)
        letter = outreach.letter_text(settings, notice)
        assert "loss" in letter
        assert "Name" in letter
        assert outreach.send_notices(session, settings, outbox, "u", incident.id, NoticesCreate()) == []
        again = outreach.send_notices(session, settings, outbox, "u", incident.id, NoticesCreate(again=True))
        assert len(again) == 1
