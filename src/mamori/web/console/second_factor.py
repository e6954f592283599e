"""The second step of the console sign-in: a TOTP code (or a recovery code), and enrolment.

After the password (``/console/login``) a person whose role can see personal data gets a short-lived
signed cookie naming them (no session yet) and is sent here: to type a code, or, the first time,
to enrol an authenticator app from a QR code drawn on the server (inline SVG, no request leaves
Mamori) and to note the recovery codes, which are shown once.
"""

from __future__ import annotations

import time
import uuid
from typing import Annotated
from urllib.parse import quote

import segno
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from mamori.api.deps import Runtime, SessionDep, get_runtime
from mamori.config import Settings
from mamori.errors import Unauthenticated
from mamori.security.logins import check_code, finish_sign_in
from mamori.security.models import StaffUser
from mamori.security.second_factor import confirm_enrolment, enrolled, pending_secret, provisioning_uri
from mamori.security.sessions import end_session
from mamori.web.console.shell import console_lang, console_page
from mamori.web.i18n import translator
from mamori.web.limits import limit_form
from mamori.web.staff import SESSION_COOKIE, _mac, _secure, check_csrf, safe_next, set_session

router = APIRouter(include_in_schema=False)
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
PENDING_COOKIE = "mamori_console_pending"
PENDING_SECONDS = 300


def start_second_step(request: Request, settings: Settings, session: SessionDep, user: StaffUser,
                      next_path: str) -> Response:  # fmt: skip
    """After a good password: remember who (signed, five minutes) and ask for the code or enrolment."""
    expires = int(time.time()) + PENDING_SECONDS
    value = f"{user.id}.{expires}"
    target = "/console/login/code" if enrolled(session, user) else "/console/login/enrol"
    response = RedirectResponse(f"{target}?next={quote(safe_next(next_path), safe='/')}", status_code=303)
    response.set_cookie(PENDING_COOKIE, f"{value}.{_mac(settings, 'pending', value)}",
                        max_age=PENDING_SECONDS, path="/console/login", httponly=True,
                        secure=_secure(request, settings), samesite="strict")  # fmt: skip
    return response


def _pending_user(request: Request, settings: Settings, session: SessionDep) -> StaffUser | None:
    user_id, _, rest = (request.cookies.get(PENDING_COOKIE) or "").partition(".")
    expires, _, mac = rest.partition(".")
    value = f"{user_id}.{expires}"
    if (
        not mac
        or mac != _mac(settings, "pending", value)
        or not expires.isdigit()
        or int(expires) < time.time()
    ):
        return None
    user = session.get(StaffUser, uuid.UUID(user_id))
    return user if user is not None and user.active else None


def _signed_in(request: Request, settings: Settings, response: Response, token: str) -> Response:
    set_session(response, request, settings, token)
    response.delete_cookie(PENDING_COOKIE, path="/console/login")
    return response


def _again(request: Request) -> Response:
    """No (or an expired) password step: start over at the password."""
    del request
    return RedirectResponse("/console/login", status_code=303)


def _qr(uri: str) -> Markup:
    svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff")
    return Markup(svg)  # noqa: S704 - segno's own SVG of a URI we built, no user text


@router.get("/console/login/code")
def code_form(request: Request, session: SessionDep, runtime: RuntimeDep) -> Response:
    """Ask for the code of the authenticator app (or a recovery code)."""
    if _pending_user(request, runtime.settings, session) is None:
        return _again(request)
    return console_page(request, "console/second_factor/code.html", staff=None, error=None,
                        next_path=safe_next(request.query_params.get("next")))  # fmt: skip


@router.post("/console/login/code")
def code_check(  # noqa: PLR0913 - the form's fields
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    code: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next_path: Annotated[str, Form(alias="next")] = "/console",
) -> Response:
    """Check the code; a good one starts the session, wrong ones count toward the lockout."""
    lang = console_lang(request)
    limit_form(request, session, runtime.settings, action="console.login", lang=lang)
    check_csrf(request, runtime.settings, csrf_token)
    user = _pending_user(request, runtime.settings, session)
    if user is None:
        return _again(request)
    try:
        method = check_code(session, runtime.settings, user, code)
    except Unauthenticated:
        # Committed by the unit of work: the failure and any lockout stay in the audit log.
        return console_page(request, "console/second_factor/code.html", staff=None, status=401,
                            error=translator(lang).gettext("The code is wrong or was already used."),
                            next_path=safe_next(next_path))  # fmt: skip
    return _finish(request, session, runtime.settings, user, method, next_path)


def _finish(  # noqa: PLR0913 - the sign-in's facts
    request: Request, session: SessionDep, settings: Settings, user: StaffUser, method: str,
            next_path: str) -> Response:  # fmt: skip
    end_session(session, request.cookies.get(SESSION_COOKIE))  # a browser signing in again leaves the old one
    started = finish_sign_in(
        session, user, second_factor=method, user_agent=request.headers.get("user-agent")
    )
    session.commit()  # the session and its audit event are stored before the browser moves on
    return _signed_in(
        request, settings, RedirectResponse(safe_next(next_path), status_code=303), started.token
    )


def _enrol_page(request: Request, session: SessionDep, settings: Settings, user: StaffUser,
                error: str | None = None) -> HTMLResponse:  # fmt: skip
    secret = pending_secret(session, settings, user)
    session.commit()  # the same secret on a reload, until it is confirmed
    return console_page(request, "console/second_factor/enrol.html", staff=None, status=400 if error else 200,
                        qr=_qr(provisioning_uri(secret, user.username)), secret=secret, error=error,
                        next_path=safe_next(request.query_params.get("next")))  # fmt: skip


@router.get("/console/login/enrol")
def enrol_form(request: Request, session: SessionDep, runtime: RuntimeDep) -> Response:
    """First sign-in of a role that needs a second factor: the QR code of a new TOTP secret."""
    user = _pending_user(request, runtime.settings, session)
    if user is None or enrolled(session, user):
        return _again(request)
    return _enrol_page(request, session, runtime.settings, user)


@router.post("/console/login/enrol")
def enrol_confirm(  # noqa: PLR0913 - the form's fields
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    code: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next_path: Annotated[str, Form(alias="next")] = "/console",
) -> Response:
    """Confirm the secret with a first code; show the recovery codes once and start the session."""
    lang = console_lang(request)
    limit_form(request, session, runtime.settings, action="console.login", lang=lang)
    check_csrf(request, runtime.settings, csrf_token)
    user = _pending_user(request, runtime.settings, session)
    if user is None or enrolled(session, user):
        return _again(request)
    codes = confirm_enrolment(session, runtime.settings, user, code)
    if codes is None:
        wrong = translator(lang).gettext("The code is wrong. Type the code the app shows now.")
        return _enrol_page(request, session, runtime.settings, user, error=wrong)
    end_session(session, request.cookies.get(SESSION_COOKIE))
    started = finish_sign_in(
        session, user, second_factor="totp", user_agent=request.headers.get("user-agent")
    )
    session.commit()
    page = console_page(request, "console/second_factor/recovery.html", staff=None, codes=codes,
                        next_path=safe_next(next_path))  # fmt: skip
    return _signed_in(request, runtime.settings, page, started.token)
