"""What the console's room pages share for their forms: a refused change changes nothing; times in Japan.

:func:`attempt` runs a service call in a savepoint: when the service refuses (a domain error), its
partial writes are undone and the page can show the refusal, while the request's unit of work
carries on (and commits nothing of the refused change).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from mamori.calendar.service import TOKYO
from mamori.config import Settings
from mamori.errors import MamoriError
from mamori.security.rules import Scope
from mamori.security.service import Principal
from mamori.web.staff import check_csrf, require_scope

T = TypeVar("T")
Refusal = MamoriError | ValidationError | ValueError


def attempt(session: Session, call: Callable[[], T]) -> tuple[T | None, Refusal | None]:
    """``call()`` in a savepoint: its result, or the refusal with everything it wrote undone."""
    try:
        with session.begin_nested():
            return call(), None
    except (MamoriError, ValidationError, ValueError) as error:
        return None, error


def messages(error: Exception) -> list[str]:
    """A refusal as lines to show: each field's problem when the service named them."""
    details = getattr(error, "details", None)
    found = details.get("errors") if isinstance(details, dict) else None
    if not found:
        return [str(error).splitlines()[0]]
    return [f"{e.get('field')}: {e.get('message')}" if isinstance(e, dict) else str(e) for e in found]


def when(instant: datetime | None) -> str:
    """An instant as Japan's local time (the office's clock), or empty."""
    return instant.astimezone(TOKYO).strftime("%Y-%m-%d %H:%M") if instant else ""


def text_in(value: Any, lang: str, fallback: str = "") -> str:
    """A text of the policy (one string per language) in ``lang``, else Japanese, else ``fallback``."""
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("ja") or fallback)
    return str(value) if value else fallback


def guard(request: Request, staff: Principal, scope: Scope, csrf_token: str | None) -> Settings:
    """A form's checks before it changes anything: the staff member's scope, then the CSRF token."""
    require_scope(staff, scope)
    settings: Settings = request.app.state.runtime.settings
    check_csrf(request, settings, csrf_token)
    return settings


def apply(
    session: Session,
    change: Callable[[], object],
    *,
    refused: Callable[[Refusal], Response],
    done: Callable[[], Response],
) -> Response:
    """Run ``change`` as :func:`attempt` does; answer ``refused(error)`` or ``done()``."""
    _, error = attempt(session, change)
    return refused(error) if error is not None else done()
