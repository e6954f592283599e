"""Acknowledgements of a request or inquiry received: reference and expected answer, in the sender's language.

The expected answer is on the business calendar (the request's target and Art. 39 dates, the
inquiry's first-response due time).

Sent only where the sender gave an e-mail address. A postal request is acknowledged by letter with a
status code printed on it (:func:`mamori.centre.status.issue_letter_code`).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from html import escape

from sqlalchemy.orm import Session

from mamori.centre import messages
from mamori.centre.status import LETTER_DAYS, issue_letter_code
from mamori.config import Settings, get_settings
from mamori.db.base import utcnow
from mamori.dsr.models import Case
from mamori.dsr.service import common
from mamori.inquiries.intake import EMAIL_CONTEXT as INQUIRY_EMAIL
from mamori.inquiries.models import Inquiry
from mamori.inquiries.texts import local_instant
from mamori.inquiries.timing import centre_calendar
from mamori.notices import messages as m
from mamori.notices.pdf import html_to_pdf
from mamori.notify.service import Outbox, queue_email
from mamori.security.crypto import cipher_from_settings
from mamori.subjects.validation import current_bundle

ACTOR = "system:acknowledgements"


def acknowledge_request(
    session: Session, case: Case, *, outbox: Outbox, settings: Settings | None = None
) -> bool:
    """Mail the acknowledgement of ``case`` to the requester; False when they gave no e-mail address."""
    settings = settings or get_settings()
    if case.requester_email_encrypted is None:
        return False
    to = cipher_from_settings(settings).decrypt(case.requester_email_encrypted, context=common.EMAIL_CONTEXT)
    lang = case.language
    body = messages.text("ack.request_body", lang).format(
        reference=case.reference,
        target=m.long_date(case.target_on, lang),
        art39=m.long_date(case.art39_on, lang),
        status_link=settings.public_url(f"/requests/status?lang={lang}"),
    )
    subject = messages.text("ack.request_subject", lang)
    queue_email(session, outbox=outbox, actor=ACTOR, to=to, subject=subject, body=body, language=lang,
                purpose="dsr.acknowledgement")  # fmt: skip
    return True


def acknowledge_inquiry(
    session: Session, inquiry: Inquiry, *, outbox: Outbox, settings: Settings | None = None
) -> bool:
    """Mail the acknowledgement of ``inquiry``; False when the sender gave no e-mail address."""
    settings = settings or get_settings()
    if inquiry.email_encrypted is None:
        return False
    to = cipher_from_settings(settings).decrypt(inquiry.email_encrypted, context=INQUIRY_EMAIL)
    lang = inquiry.language
    cal = centre_calendar(current_bundle(session))
    body = messages.text("ack.inquiry_body", lang).format(
        reference=inquiry.reference, due=local_instant(inquiry.first_response_due_at, lang, cal.tz)
    )
    subject = messages.text("ack.inquiry_subject", lang)
    queue_email(session, outbox=outbox, actor=ACTOR, to=to, subject=subject, body=body, language=lang,
                purpose="inquiries.acknowledgement")  # fmt: skip
    return True


def acknowledgement_letter(
    session: Session, case_id: uuid.UUID, *, actor: str, settings: Settings | None = None
) -> tuple[str, bytes]:
    """The postal acknowledgement of a case as a PDF in its language, a fresh status code printed on it.

    It names no one (the envelope carries the address): the controller, the reference, the dates
    and the code. Returns the reference and the PDF.

    Raises:
        NotFound: no such case, or no policy published.
    """
    settings = settings or get_settings()
    case = common.get_case(session, case_id)
    code = issue_letter_code(session, actor=actor, case_id=case.id, settings=settings)
    lang, bundle = case.language, current_bundle(session)
    dates = {
        "reference": case.reference,
        "received": m.long_date(common.tokyo_date(case.received_at), lang),
        "target": m.long_date(case.target_on, lang),
        "art39": m.long_date(case.art39_on, lang),
    }
    until = m.long_date(common.tokyo_date(utcnow() + timedelta(days=LETTER_DAYS)), lang)
    status = messages.text("letter.status", lang).format(
        url=settings.public_url("/requests/status"), until=until
    )
    html = (
        f'<!doctype html><html lang="{escape(lang)}"><head><meta charset="utf-8">'
        f"<title>{escape(messages.text('letter.title', lang))}</title></head><body>"
        f"<p>{escape(bundle.controller.name.get(lang))}</p>"
        f"<h1>{escape(messages.text('letter.title', lang))}</h1>"
        f"<p>{escape(messages.text('letter.body', lang).format(**dates))}</p>"
        f"<p>{escape(status)}</p>"
        f"<p><strong>{escape(messages.text('letter.code', lang))}: {escape(code)}</strong></p></body></html>"
    )
    return case.reference, html_to_pdf(html)
