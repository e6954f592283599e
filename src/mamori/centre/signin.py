"""Sign-in to the preferences centre by an e-mailed link: single use, short-lived, bound to the browser.

The browser that asks for the link gets a random nonce in a cookie; the link opens only together
with that nonce, once, within minutes, and opens a visit (another random token, in a cookie) of
half an hour. Only keyed hashes of the token, the nonce and the visit are stored. Whether the
address is known is never told: the page reads the same either way.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.audit.service import record_event
from mamori.centre import messages
from mamori.centre.models import PreferenceLink
from mamori.centre.secrets import keyed, new_token
from mamori.config import Settings, get_settings
from mamori.db.base import utcnow
from mamori.errors import NotFound
from mamori.notify.service import Outbox, queue_email
from mamori.subjects.models import Subject, SubjectIdentifier
from mamori.subjects.repository import identifier_index, surviving
from mamori.subjects.rules import InvalidIdentifier, normalise

LINK_MINUTES = 15
VISIT_MINUTES = 30
ACTOR = "public:preferences"
_TOKEN, _NONCE, _VISIT = "centre.signin_token", "centre.signin_nonce", "centre.preferences_visit"


class SignInRefused(NotFound):
    """The link or the visit does not open the preferences centre (one error for every reason)."""


def new_nonce() -> str:
    """The value the asking browser keeps in a cookie; the link opens only with it."""
    return new_token()


def _email_identifier(
    session: Session, settings: Settings, email: str
) -> tuple[SubjectIdentifier, Subject] | None:
    """The e-mail identifier and the (surviving, active) person it belongs to, when it is one person."""
    try:
        index = identifier_index(settings, "email", email)
    except InvalidIdentifier:
        return None
    rows = list(
        session.scalars(
            select(SubjectIdentifier).where(
                SubjectIdentifier.kind == "email", SubjectIdentifier.blind_index == index
            )
        )
    )
    people = {s.id: s for s in (surviving(session, row.subject) for row in rows) if s is not None}
    if not rows or len(people) != 1:
        return None
    person = next(iter(people.values()))
    return (rows[0], person) if person.status == "active" else None


def request_sign_in(  # noqa: PLR0913 - what the person typed, the browser and where mail goes
    session: Session,
    *,
    email: str,
    language: str,
    nonce: str,
    outbox: Outbox,
    settings: Settings | None = None,
) -> bool:
    """Mail a sign-in link when ``email`` belongs to one active person; returns whether one was sent."""
    settings = settings or get_settings()
    found = _email_identifier(session, settings, email)
    if found is None:
        return False
    identifier, person = found
    token = new_token()
    session.add(
        PreferenceLink(
            subject_id=person.id,
            identifier_id=identifier.id,
            token_index=keyed(settings, _TOKEN, token),
            nonce_index=keyed(settings, _NONCE, nonce),
            language=language,
            expires_at=utcnow() + timedelta(minutes=LINK_MINUTES),
        )
    )
    session.flush()
    link = settings.public_url(f"/preferences/sign-in/{token}?lang={language}")
    body = messages.text("signin.body", language).format(link=link, minutes=LINK_MINUTES)
    queue_email(session, outbox=outbox, actor=ACTOR, to=normalise("email", email),
                subject=messages.text("signin.subject", language), body=body, language=language,
                purpose="preferences.sign_in")  # fmt: skip
    _audit(session, "preferences.link_sent", person.id)
    return True


def open_sign_in(
    session: Session, *, token: str, nonce: str | None, settings: Settings | None = None
) -> str | None:
    """Spend a link in the browser that asked for it; returns the visit token, or None for any refusal.

    A link opened in another browser (no or another nonce) stays unused: the person may still open
    it where they asked for it.
    """
    settings = settings or get_settings()
    row = session.scalars(
        select(PreferenceLink)
        .where(PreferenceLink.token_index == keyed(settings, _TOKEN, token))
        .with_for_update()
    ).first()
    now = utcnow()
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    if not nonce or keyed(settings, _NONCE, nonce) != row.nonce_index:
        _audit(session, "preferences.link_refused", row.subject_id, reason="other-browser")
        return None
    visit = new_token()
    row.used_at, row.visit_index = now, keyed(settings, _VISIT, visit)
    row.visit_expires_at = now + timedelta(minutes=VISIT_MINUTES)
    session.flush()
    _audit(session, "preferences.signed_in", row.subject_id)
    return visit


def visit_link(session: Session, *, visit: str | None, settings: Settings | None = None) -> PreferenceLink:
    """The sign-in a visit token belongs to. Raises SignInRefused when unknown or over."""
    if not visit:
        raise SignInRefused("not signed in")
    index = keyed(settings or get_settings(), _VISIT, visit)
    row = session.scalars(select(PreferenceLink).where(PreferenceLink.visit_index == index)).first()
    if row is None or row.visit_expires_at is None or row.visit_expires_at <= utcnow():
        raise SignInRefused("the visit is over; ask for a new link")
    return row


def sign_out(session: Session, *, visit: str | None, settings: Settings | None = None) -> None:
    """End a visit at once (nothing happens for an unknown one)."""
    try:
        row = visit_link(session, visit=visit, settings=settings)
    except SignInRefused:
        return
    row.visit_expires_at = utcnow()
    session.flush()
    _audit(session, "preferences.signed_out", row.subject_id)


def _audit(session: Session, action: str, subject_id: object, **details: object) -> None:
    record_event(session, actor=ACTOR, action=action, target_type="subject", target_id=str(subject_id),
                 details=details)  # fmt: skip
