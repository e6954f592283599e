"""Staff sessions for the console pages: a signed HttpOnly cookie and CSRF tokens for forms.

The session cookie holds the user id, the time it was issued and an HMAC-SHA256 over both and a
fingerprint of the password hash (keyed by ``MAMORI_SECRET_KEY``): changing a password ends every
session of that user, and a disabled user is refused at once. Forms carry a CSRF token derived from a
second, random cookie (double submit, signed), so another site cannot post in a staff member's name.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from mamori.api.deps import Runtime, SessionDep, get_runtime
from mamori.config import Settings
from mamori.errors import Forbidden
from mamori.security.models import StaffUser
from mamori.security.rules import ROLE_SCOPES, Role, Scope
from mamori.security.service import Principal

SESSION_COOKIE = "mamori_console"
CSRF_COOKIE = "mamori_csrf"
SESSION_SECONDS = 8 * 3600  # one working day


class LoginRequired(Exception):  # noqa: N818 - a signal to the web layer, not an error
    """No valid staff session: the page answers with a redirect to the login form."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def _key(settings: Settings, purpose: str) -> bytes:
    secret = settings.secret_key.get_secret_value().encode()
    return hmac.new(secret, f"mamori-console|{purpose}".encode(), hashlib.sha256).digest()


def _mac(settings: Settings, purpose: str, text: str) -> str:
    return hmac.new(_key(settings, purpose), text.encode(), hashlib.sha256).hexdigest()


def _fingerprint(user: StaffUser) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def session_value(settings: Settings, user: StaffUser, *, now: float | None = None) -> str:
    issued = int(now if now is not None else time.time())
    body = f"{user.id}.{issued}"
    return f"{body}.{_mac(settings, 'session', f'{body}.{_fingerprint(user)}')}"


def user_of(
    session: Session, settings: Settings, value: str | None, *, now: float | None = None
) -> StaffUser | None:
    """The active staff user a session cookie belongs to, or None (forged, expired, stale, disabled)."""
    parts = (value or "").split(".")
    if len(parts) != 3:  # noqa: PLR2004 - id, issued, mac
        return None
    user_id, issued, mac = parts
    try:
        user = session.get(StaffUser, uuid.UUID(user_id))
        age = (now if now is not None else time.time()) - int(issued)
    except ValueError:
        return None
    if user is None or not user.active or not 0 <= age <= SESSION_SECONDS:
        return None
    expected = _mac(settings, "session", f"{user_id}.{issued}.{_fingerprint(user)}")
    return user if hmac.compare_digest(mac, expected) else None


def principal_of(user: StaffUser) -> Principal:
    role = Role(user.role)
    return Principal(user_id=str(user.id), username=user.username, role=role, scopes=ROLE_SCOPES[role])


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session(response: Response, request: Request, value: str) -> None:
    response.set_cookie(SESSION_COOKIE, value, max_age=SESSION_SECONDS, path="/", httponly=True,
                        secure=_secure(request), samesite="lax")  # fmt: skip


def clear_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


@dataclass(frozen=True, slots=True)
class Csrf:
    """The token a form carries, and the cookie to set when the browser had none yet."""

    token: str
    new_cookie: str | None

    def apply(self, response: Response, request: Request) -> Response:
        if self.new_cookie is not None:
            response.set_cookie(CSRF_COOKIE, self.new_cookie, path="/", httponly=True,
                                secure=_secure(request), samesite="strict")  # fmt: skip
        return response


def csrf_for(request: Request, settings: Settings) -> Csrf:
    current = request.cookies.get(CSRF_COOKIE)
    seed = current or secrets.token_urlsafe(32)
    return Csrf(token=_mac(settings, "csrf", seed), new_cookie=None if current else seed)


def check_csrf(request: Request, settings: Settings, token: str | None) -> None:
    """Raises Forbidden unless ``token`` belongs to this browser's CSRF cookie."""
    seed = request.cookies.get(CSRF_COOKIE)
    if not seed or not token or not hmac.compare_digest(token, _mac(settings, "csrf", seed)):
        raise Forbidden("the form is stale or came from another site; reload the page and try again")


def safe_next(path: str | None) -> str:
    """Only a path inside the console: never an absolute URL or a protocol-relative one."""
    if path and path.startswith("/console") and not path.startswith("//") and "\\" not in path:
        return path
    return "/console"


def login_redirect(next_path: str) -> RedirectResponse:
    return RedirectResponse(f"/console/login?next={quote(safe_next(next_path), safe='/')}", status_code=303)


def require_staff(
    request: Request, session: SessionDep, runtime: Annotated[Runtime, Depends(get_runtime)]
) -> Principal:
    """Dependency of console pages: the logged-in staff member, or LoginRequired (→ redirect)."""
    user = user_of(session, runtime.settings, request.cookies.get(SESSION_COOKIE))
    if user is None:
        raise LoginRequired(request.url.path)
    return principal_of(user)


StaffDep = Annotated[Principal, Depends(require_staff)]


def require_scope(staff: Principal, scope: Scope) -> None:
    if scope not in staff.scopes:
        raise Forbidden(f"your role ({staff.role}) does not allow this page ({scope.value})")
