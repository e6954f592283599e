"""Requests from the public web form: held until the e-mail address is confirmed by a one-time link."""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.db.base import utcnow
from mamori.dsr import messages
from mamori.dsr.models import Case, WebSubmission
from mamori.dsr.schemas import RequesterIn
from mamori.dsr.service import common
from mamori.dsr.service.intake import open_case
from mamori.errors import NotFound
from mamori.notices import messages as m
from mamori.notify.service import Outbox, queue_email
from mamori.security.crypto import blind_index
from mamori.security.mynumber import scrub
from mamori.subjects.repository import subjects_by_identifier
from mamori.subjects.rules import InvalidIdentifier, normalise

PAYLOAD_CONTEXT = "dsr_web_submissions.payload"
WEB_ACTOR = "public:web-form"


@dataclass(frozen=True, slots=True)
class WebRequest:
    """What the form asks: the request, a name, an e-mail address, and only what delivery needs."""

    request_type: str
    language: str
    name: str
    email: str
    response_method: str
    address: str | None = None
    member_number: str | None = None
    ground: str | None = None
    erasure: bool = False
    details: str | None = None


def submit_web_request(
    session: Session, *, form: WebRequest, outbox: Outbox, settings: Settings | None = None
) -> WebSubmission:
    """Check the form as a case would be checked, keep it encrypted and mail the confirmation link.

    Raises:
        ValidationFailed: a field is wrong (named); nothing is kept or sent.
    """
    settings = common.settings_or_default(settings)
    _dry_run(session, form, settings)
    hours = common.policy(session).request_handling.email_confirmation_hours
    token = secrets.token_urlsafe(32)
    fields = _as_dict(form)
    if isinstance(fields.get("details"), str):  # masked before it is kept, even for a day
        fields["details"] = scrub(fields["details"], session.info)
    payload = json.dumps(fields, ensure_ascii=False)
    submission = WebSubmission(
        token_index=blind_index(settings, "dsr.confirm", token),
        payload_encrypted=common.cipher(settings).encrypt(payload, context=PAYLOAD_CONTEXT),
        language=form.language,
        expires_at=utcnow() + timedelta(hours=hours),
    )
    session.add(submission)
    session.flush()
    # The public base URL, never the Host header of the request that filled in the form.
    link = settings.public_url(f"/requests/confirm/{token}?lang={form.language}")
    until = m.long_date(common.tokyo_date(submission.expires_at), form.language)
    queue_email(
        session,
        outbox=outbox,
        actor=WEB_ACTOR,
        to=normalise("email", form.email),
        subject=messages.text("mail.confirm_subject", form.language),
        language=form.language,
        body=messages.text("mail.confirm_body", form.language).format(link=link, until=until),
        purpose="dsr.confirm_email",
    )
    return submission


def _as_dict(form: WebRequest) -> dict[str, Any]:
    return {name: getattr(form, name) for name in WebRequest.__slots__}


def _dry_run(session: Session, form: WebRequest, settings: Settings) -> None:
    """Run every check of :func:`open_case` now, so that the person learns of mistakes at once."""
    with session.begin_nested() as savepoint:
        _open(session, form, settings)
        savepoint.rollback()


def _open(session: Session, form: WebRequest, settings: Settings) -> Case:
    requester = RequesterIn(name=form.name, email=form.email, address=form.address or None)
    subject_id = _matching_subject(session, settings, form)
    return open_case(
        session,
        actor=WEB_ACTOR,
        request_type=form.request_type,
        channel="web",
        language=form.language,
        subject_id=subject_id,
        requester=requester,
        response_method=form.response_method,
        ground=form.ground or None,
        erasure=form.erasure,
        details=form.details or None,
        settings=settings,
    )


def _matching_subject(session: Session, settings: Settings, form: WebRequest) -> uuid.UUID | None:
    """The person on record when the e-mail and (if given) the member number both point to them alone."""
    found: set[uuid.UUID] | None = None
    for kind, value in (("email", form.email), ("member_number", form.member_number)):
        if not value:
            continue
        try:
            ids = {s.id for s in subjects_by_identifier(session, settings, kind, value)}
        except InvalidIdentifier:
            return None
        found = ids if found is None else found & ids
    return next(iter(found)) if found and len(found) == 1 else None


def confirm_web_request(session: Session, *, token: str, settings: Settings | None = None) -> Case:
    """Open the case of a confirmed submission (once); the case counts from this moment.

    Raises:
        NotFound: unknown, used or expired link.
    """
    settings = common.settings_or_default(settings)
    submission = session.scalars(
        select(WebSubmission)
        .where(WebSubmission.token_index == blind_index(settings, "dsr.confirm", token))
        .with_for_update()
    ).first()
    if submission is None or submission.confirmed_at is not None or submission.expires_at <= utcnow():
        raise NotFound("this confirmation link does not exist, was used or has expired")
    data = json.loads(common.cipher(settings).decrypt(submission.payload_encrypted, context=PAYLOAD_CONTEXT))
    case = _open(session, WebRequest(**data), settings)
    submission.confirmed_at, submission.case_id = utcnow(), case.id
    submission.payload_encrypted = ""  # the case holds it now, encrypted
    session.flush()
    return case
