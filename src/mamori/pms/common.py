"""What the services of the room share: today in Tokyo, the bundle in force, audit, encryption."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from mamori.audit.service import record_event
from mamori.config import Settings
from mamori.consents.decisions.rules import tokyo_date
from mamori.db.base import utcnow
from mamori.errors import ValidationFailed
from mamori.policy.schema import PolicyBundle
from mamori.policy.service import bundle_of, require_current_version
from mamori.security.crypto import cipher_from_settings
from mamori.security.mynumber import scrub


def today() -> date:
    return tokyo_date(utcnow())


def bundle(session: Session) -> PolicyBundle:
    """The bundle in force. Raises NotFound when none is published."""
    return bundle_of(require_current_version(session))


def audit(  # noqa: PLR0913 - the audit vocabulary
    session: Session, actor: str, action: str, target_type: str, target_id: str, details: Mapping[str, Any]
) -> None:
    record_event(
        session, actor=actor, action=action, target_type=target_type, target_id=target_id, details=details
    )


def seal(session: Session, settings: Settings, text: str, context: str) -> str:
    """Encrypt a free text (an Individual Number typed by mistake is masked first)."""
    return cipher_from_settings(settings).encrypt(scrub(text, session.info), context=context)


def unseal(settings: Settings, sealed: str, context: str) -> str:
    return cipher_from_settings(settings).decrypt(sealed, context=context)


def refuse(errors: list[dict[str, str]], what: str) -> None:
    """Raise ValidationFailed listing ``errors`` when there are any."""
    if errors:
        message = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        raise ValidationFailed(f"{what}: {message}", details={"errors": errors})
