"""Staff sessions for the console pages: a server-side session per sign-in, and CSRF tokens for forms.

The session cookie holds only a random token; the database keeps its digest with the user, the
times and whether it was revoked (:mod:`mamori.security.sessions`). Logout revokes the row, so a
copied cookie stops working with it; so do a role change, deactivation and a new password. Idle
and absolute limits come from the settings. Signed-in forms carry a token derived from the
session's own secret (checked here, server-side); the login form, before any session exists,
uses a random double-submit cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from mamori.api.deps import Runtime, SessionDep, get_runtime
from mamori.config import Settings
from mamori.errors import Forbidden
from mamori.security.models import StaffUser
from mamori.security.rules import ROLE_SCOPES, Role, Scope
from mamori.security.service import Principal
from mamori.security.sessions import limits_of, resolve_session

SESSION_COOKIE = "mamori_console"
CSRF_COOKIE = "mamori_csrf"


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


def principal_of(user: StaffUser) -> Principal:
    role = Role(user.role)
    return Principal(user_id=str(user.id), username=user.username, role=role, scopes=ROLE_SCOPES[role])


def _secure(request: Request, settings: Settings | None = None) -> bool:
    public = settings.public_base_url.strip().lower() if settings is not None else ""
    return public.startswith("https://") or request.url.scheme == "https"


def set_session(response: Response, request: Request, settings: Settings, token: str) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=settings.console_max_seconds, path="/", httponly=True,
                        secure=_secure(request, settings), samesite="lax")  # fmt: skip


def clear_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


@dataclass(frozen=True, slots=True)
class Csrf:
    """The token a form carries, and the cookie to set when the browser had none yet."""

    token: str
    new_cookie: str | None

    def apply(self, response: Response, request: Request) -> Response:
        if self.new_cookie is not None:
            settings: Settings | None = getattr(getattr(request.app.state, "runtime", None), "settings", None)
            response.set_cookie(CSRF_COOKIE, self.new_cookie, path="/", httponly=True,
                                secure=_secure(request, settings), samesite="strict")  # fmt: skip
        return response


def _expected(request: Request, settings: Settings) -> str | None:
    """The token forms must carry: bound to the session when there is one, else to the CSRF cookie."""
    session_token = request.cookies.get(SESSION_COOKIE)
    if session_token:
        return _mac(settings, "csrf-session", session_token)
    seed = request.cookies.get(CSRF_COOKIE)
    return _mac(settings, "csrf", seed) if seed else None


def csrf_for(request: Request, settings: Settings) -> Csrf:
    expected = _expected(request, settings)
    if expected is not None:
        return Csrf(token=expected, new_cookie=None)
    seed = secrets.token_urlsafe(32)
    return Csrf(token=_mac(settings, "csrf", seed), new_cookie=seed)


def check_csrf(request: Request, settings: Settings, token: str | None) -> None:
    """Raises Forbidden unless ``token`` belongs to this browser's session (or, before sign-in, its cookie).

    A signed-in form's token is an HMAC of the session's own secret: a token from another
    session, or from before this sign-in, is refused.
    """
    expected = _expected(request, settings)
    if not expected or not token or not hmac.compare_digest(token, expected):
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
    """Dependency of console pages: the signed-in staff member, or LoginRequired (→ redirect).

    A revoked, idle or expired session, or a disabled user, is no session at all.
    """
    row = resolve_session(session, request.cookies.get(SESSION_COOKIE), limits_of(runtime.settings))
    if row is None:
        raise LoginRequired(request.url.path)
    return principal_of(row.user)


StaffDep = Annotated[Principal, Depends(require_staff)]


def require_scope(staff: Principal, scope: Scope) -> None:
    if scope not in staff.scopes:
        raise Forbidden(f"your role ({staff.role}) does not allow this page ({scope.value})")
