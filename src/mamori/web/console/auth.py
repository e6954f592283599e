"""Staff sign-in and sign-out.

Other console pages depend on :data:`mamori.web.staff.StaffDep` (a redirect to the sign-in form
when there is no session) and protect their forms with :func:`mamori.web.staff.check_csrf`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mamori.api.deps import Runtime, SessionDep, get_runtime
from mamori.errors import Unauthenticated
from mamori.security.logins import sign_in
from mamori.security.sessions import end_session
from mamori.web.console.shell import console_lang, console_page
from mamori.web.i18n import translator
from mamori.web.limits import limit_form
from mamori.web.staff import SESSION_COOKIE, check_csrf, clear_session, safe_next, set_session

router = APIRouter(include_in_schema=False)
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
NextQuery = Annotated[str | None, Query(alias="next")]


def _login_page(
    request: Request, lang: str, *, next_path: str, status: int = 200, **extra: Any
) -> HTMLResponse:
    return console_page(request, "console/auth/login.html", staff=None, lang=lang, status=status,
                        next_path=safe_next(next_path), **extra)  # fmt: skip


@router.get("/console/login")
def login_form(request: Request, next_path: NextQuery = None) -> Response:
    """The staff sign-in form."""
    return _login_page(
        request, console_lang(request), next_path=next_path or "/console", username="", error=None
    )


@router.post("/console/login")
def login(  # noqa: PLR0913 - the form's fields
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next_path: Annotated[str, Form(alias="next")] = "/console",
    lang: Annotated[str, Form()] = "",
) -> Response:
    """Check the password (argon2), start a session and go where the person wanted to go."""
    chosen = console_lang(request, lang or None)
    _ = translator(chosen).gettext
    limit_form(request, session, runtime.settings, action="console.login", lang=chosen)
    try:
        check_csrf(request, runtime.settings, csrf_token)
    except Exception:  # noqa: BLE001 - any CSRF failure gets the same page
        return _login_page(request, chosen, next_path=next_path, username=username, status=403,
                           error=_("The form has expired. Please reload the page."))  # fmt: skip
    try:
        started = sign_in(session, runtime.settings, username, password,
                          user_agent=request.headers.get("user-agent"))  # fmt: skip
    except Unauthenticated:
        # Committed by the unit of work: the failure and any lockout stay in the audit log.
        return _login_page(request, chosen, next_path=next_path, username=username, status=401,
                           error=_("Unknown user or wrong password."))  # fmt: skip
    end_session(session, request.cookies.get(SESSION_COOKIE))  # a browser signing in again leaves the old one
    session.commit()  # the session and its audit event are stored before the browser moves on
    response = RedirectResponse(safe_next(next_path), status_code=303)
    set_session(response, request, runtime.settings, started.token)
    return response


@router.post("/console/logout")
def logout(
    request: Request, session: SessionDep, runtime: RuntimeDep, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    """End the session: the server forgets it, so a copy of the cookie is worthless too."""
    limit_form(request, session, runtime.settings, action="console.logout", lang=console_lang(request))
    check_csrf(request, runtime.settings, csrf_token)
    end_session(session, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/console/login", status_code=303)
    clear_session(response)
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response
