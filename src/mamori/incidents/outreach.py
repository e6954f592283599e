"""Tell the people affected, in each one's language, and publish a statement when some cannot be reached.

E-mail goes through ``mamori.notify``; without an address (or when asked) a letter is kept to print.
The public statement and its inquiry desk stand in when not everyone can be told one by one.

Each notice leaves a send record per person (subject id, channel, language, status, message id) and
never the address or the text in clear: the e-mail lives encrypted in the outbox, the letter encrypted
in the record. Reading a person's e-mail address for the notice is audited as ``subject.read`` with
the purpose ``incident.notice`` (a legal duty, APPI Art. 26(2), PIPL Art. 57).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.audit.service import record_event
from mamori.calendar.service import TOKYO
from mamori.config import Settings
from mamori.errors import NotFound
from mamori.incidents import repository as repo
from mamori.incidents.models import Incident, IncidentNotice
from mamori.incidents.reports import latest_items
from mamori.incidents.schemas import NoticesCreate, NoticeTexts, StatementCreate, StatementRead
from mamori.incidents.service import bundle, editable_incident, facts_of, get_incident, record
from mamori.notices.document import section_text
from mamori.notices.incident_notice import Letter, NoticeFacts, individual_notice, public_statement
from mamori.notify.service import Outbox, queue_email
from mamori.policy.schema import LANGUAGES, Language, PolicyBundle
from mamori.security.crypto import cipher_from_settings
from mamori.subjects.models import Subject, SubjectIdentifier
from mamori.subjects.repository import merged_ids
from mamori.subjects.service import VALUE_CONTEXT

LETTER_CONTEXT = "incident_notices.letter"
NOTICE_PURPOSE = "incident.notice"
# Report items that give the Japanese notice its texts when the office wrote none for it.
_FROM_REPORT = {"summary": "summary", "cause": "cause", "harm": "secondary_damage", "measures": "prevention",
                "can_do": "individual_actions"}  # fmt: skip


def notice_facts(
    session: Session, settings: Settings, incident: Incident, texts: Mapping[Language, NoticeTexts]
) -> NoticeFacts:
    facts = facts_of(incident)
    written: dict[str, dict[str, str]] = {lang: t.model_dump(exclude_none=True) for lang, t in texts.items()}
    if "ja" not in written:
        items = latest_items(session, settings, incident.id)
        written["ja"] = {key: items[src] for key, src in _FROM_REPORT.items() if items.get(src)}
    return NoticeFacts(
        reference=incident.reference, kind=incident.kind, suspected=incident.certainty == "suspected",
        known_on=incident.known_at.astimezone(TOKYO).date(),
        occurred_on=incident.occurred_at.astimezone(TOKYO).date() if incident.occurred_at else None,
        item_ids=facts.data_items, persons_max=facts.persons_max, texts=written,
    )  # fmt: skip


def _email_of(session: Session, settings: Settings, actor: str, subject: Subject) -> str | None:
    row = session.scalars(
        select(SubjectIdentifier)
        .where(
            SubjectIdentifier.subject_id.in_(merged_ids(session, subject.id)),
            SubjectIdentifier.kind == "email",
        )
        .order_by(SubjectIdentifier.created_at)
        .limit(1)
    ).one_or_none()
    if row is None:
        return None
    record_event(session, actor=actor, action="subject.read", target_type="subject",
                 target_id=str(subject.id),
                 details={"purpose": NOTICE_PURPOSE, "identifiers": 1, "name": False})  # fmt: skip
    return cipher_from_settings(settings).decrypt(row.value_encrypted, context=VALUE_CONTEXT)


def _targets(session: Session, incident: Incident, data: NoticesCreate) -> list[Subject]:
    linked = repo.linked(session, incident.id)
    wanted = data.subject_ids if data.subject_ids is not None else sorted(linked)
    missing = [str(s) for s in wanted if s not in linked]
    if missing:
        raise NotFound(f"not linked to incident {incident.reference}: {', '.join(missing)}")
    told = {n.subject_id for n in repo.notices(session, incident.id) if n.status in repo.SENT_STATUSES}
    chosen = [s for s in wanted if data.again or s not in told]
    return (
        list(session.scalars(select(Subject).where(Subject.id.in_(chosen)).order_by(Subject.id)))
        if chosen
        else []
    )


def preview_notices(
    session: Session, settings: Settings, incident_id: uuid.UUID, texts: Mapping[Language, NoticeTexts]
) -> dict[str, Letter]:
    """The notice each language's readers would get, with nothing sent, stored or audited.

    Raises:
        NotFound: unknown incident.
    """
    incident = get_incident(session, incident_id)
    facts = notice_facts(session, settings, incident, texts)
    policy = bundle(session)
    return {lang: individual_notice(facts, policy, lang) for lang in LANGUAGES}


def send_notices(  # noqa: PLR0913 - the notice needs the outbox besides the usual
    session: Session,
    settings: Settings,
    outbox: Outbox,
    actor: str,
    incident_id: uuid.UUID,
    data: NoticesCreate,
) -> list[IncidentNotice]:
    """Notify every linked person not yet told (or those named): e-mail, or a letter when asked or no address.

    Raises:
        NotFound: unknown incident, or a named person is not linked. InvalidTransition: closed incident.
    """
    incident = editable_incident(session, incident_id)
    policy = bundle(session)
    facts = notice_facts(session, settings, incident, data.texts)
    sent = [_notify(session, settings, outbox, actor, incident, s, facts, policy, data.channel)
            for s in _targets(session, incident, data)]  # fmt: skip
    if sent:
        channels = sorted({n.channel for n in sent})
        changes = {"notices": [None, len(sent)], "channels": [None, channels]}
        record(session, incident, actor, "incident.individuals_notified", changes)
    return sent


def _notify(  # noqa: PLR0913
    session: Session, settings: Settings, outbox: Outbox, actor: str, incident: Incident, subject: Subject,
    facts: NoticeFacts, policy: PolicyBundle, channel: str,
) -> IncidentNotice:  # fmt: skip
    lang = subject.language if subject.language in LANGUAGES else "ja"
    letter = individual_notice(facts, policy, lang)
    law = "pipl" if subject.jurisdiction == "CN" else "appi"
    notice = IncidentNotice(id=uuid.uuid4(), incident_id=incident.id, subject_id=subject.id, law=law,
                            language=lang, created_by=actor, channel="post", status="printed")  # fmt: skip
    address = _email_of(session, settings, actor, subject) if channel == "email" else None
    if address:
        message = queue_email(session, outbox=outbox, actor=actor, to=address, subject=letter.subject,
                              body=letter.text(), language=lang, purpose=NOTICE_PURPOSE)  # fmt: skip
        notice.channel, notice.status, notice.message_id = "email", "queued", message.id
    else:
        notice.letter_encrypted = cipher_from_settings(settings).encrypt(
            letter.text(), context=LETTER_CONTEXT
        )
    session.add(notice)
    session.flush()
    return notice


def letter_text(settings: Settings, notice: IncidentNotice) -> str:
    """The letter to print for a postal notice (decrypted for the print run)."""
    if notice.letter_encrypted is None:
        raise NotFound(f"notice {notice.id} is not a letter")
    return cipher_from_settings(settings).decrypt(notice.letter_encrypted, context=LETTER_CONTEXT)


def _statement_content(letters: Mapping[str, Letter]) -> dict[str, dict[str, Any]]:
    """Per language: the title, the plain text, and the sections (heading and lines) for the web page."""

    def sections(letter: Letter) -> list[dict[str, Any]]:
        return [{"heading": sec.heading, "lines": section_text(sec)[1:]} for sec in letter.sections]

    return {
        lang: {"title": letter.title, "text": letter.text(), "sections": sections(letter)}
        for lang, letter in letters.items()
    }


def publish_statement(
    session: Session, settings: Settings, actor: str, incident_id: uuid.UUID, data: StatementCreate
) -> IncidentNotice:
    """Publish the statement and inquiry-desk text in the four languages (it covers everyone's notice)."""
    incident = editable_incident(session, incident_id)
    facts = notice_facts(session, settings, incident, data.texts)
    policy = bundle(session)
    letters = {lang: public_statement(facts, policy, lang) for lang in LANGUAGES}
    notice = IncidentNotice(
        id=uuid.uuid4(), incident_id=incident.id, subject_id=None, law="appi", channel="public",
        language="ja", status="published", content=_statement_content(letters), created_by=actor,
    )  # fmt: skip
    session.add(notice)
    session.flush()
    record(session, incident, actor, "incident.statement_published", {"statement": [None, str(notice.id)]})
    return notice


def statement(session: Session, incident_id: uuid.UUID) -> StatementRead:
    """The latest public statement. Raises NotFound when none is published."""
    incident = get_incident(session, incident_id)
    published = [n for n in repo.notices(session, incident.id) if n.channel == repo.PUBLIC]
    if not published or published[-1].content is None:
        raise NotFound(f"incident {incident.reference} has no public statement")
    latest = published[-1]
    return StatementRead(
        incident_id=incident.id,
        reference=incident.reference,
        published_at=latest.created_at,
        texts=dict(latest.content or {}),
    )
