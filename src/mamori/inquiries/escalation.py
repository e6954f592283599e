"""Escalation: an inquiry that is really a request (disclosure, correction, suspension, ...) becomes a case.

The case of the ``dsr`` room keeps the inquiry's id and receipt time (the legal
clock started when the person first wrote); the inquiry keeps the case's id and ends ``converted``.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.db.base import utcnow
from mamori.dsr.schemas import RequesterIn
from mamori.dsr.service.intake import open_case
from mamori.inquiries.intake import BODY_CONTEXT, EMAIL_CONTEXT, NAME_CONTEXT
from mamori.inquiries.models import Inquiry
from mamori.inquiries.rules import State, check_transition
from mamori.inquiries.service import get_inquiry, move
from mamori.security.crypto import FieldCipher, cipher_from_settings
from mamori.subjects.validation import FieldError, refuse

# The form of the answer the person asked for: an inquiry that came by post is answered by post.
_RESPONSE_METHOD = {"letter": "post"}


def convert_to_request(  # noqa: PLR0913 - what a case needs beyond the inquiry
    session: Session, settings: Settings, actor: str, inquiry_id: uuid.UUID, *,
    request_type: str, requester_name: str | None = None, requester_address: str | None = None,
    response_method: str | None = None,
) -> Inquiry:  # fmt: skip
    """Open a request case from the inquiry and mark the inquiry ``converted``, both linked.

    ``requester_address`` (from a letter, say) is needed when the answer goes by post.

    Raises:
        InvalidTransition: the inquiry is closed, answered or already converted.
        ValidationFailed: the dsr room refuses the case (unknown request type, no requester name, ...);
            nothing is written.
    """
    inquiry = get_inquiry(session, inquiry_id)
    check_transition(State(inquiry.state), State.CONVERTED)
    cipher = cipher_from_settings(settings)
    requester = _requester(cipher, inquiry, requester_name, requester_address)
    case = open_case(
        session, actor=actor, request_type=request_type, channel="inquiry", language=inquiry.language,
        subject_id=inquiry.subject_id, requester=requester,
        inquiry_id=inquiry.id, received_at=inquiry.received_at, settings=settings,
        response_method=response_method or _RESPONSE_METHOD.get(inquiry.channel, "electronic"),
        details=_first_text(cipher, inquiry),
    )  # fmt: skip
    inquiry.request_case_id = case.id
    move(
        session,
        actor,
        inquiry,
        State.CONVERTED,
        now=utcnow(),
        case_id=str(case.id),
        request_type=request_type,
    )
    return inquiry


def _requester(cipher: FieldCipher, inquiry: Inquiry, name: str | None, address: str | None) -> RequesterIn:
    stored = cipher.decrypt(inquiry.name_encrypted, context=NAME_CONTEXT) if inquiry.name_encrypted else ""
    email = (
        cipher.decrypt(inquiry.email_encrypted, context=EMAIL_CONTEXT) if inquiry.email_encrypted else None
    )
    chosen = (name or stored).strip()
    if not chosen:
        refuse(
            [FieldError("requester_name", "the inquiry has no name; give the requester's name")],
            "the request",
        )
    return RequesterIn(name=chosen, email=email, address=address)


def _first_text(cipher: FieldCipher, inquiry: Inquiry) -> str | None:
    if not inquiry.messages:
        return None
    return cipher.decrypt(inquiry.messages[0].body_encrypted, context=BODY_CONTEXT)
