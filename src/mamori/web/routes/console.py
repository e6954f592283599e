"""Staff console: log in with a staff user's password, log out, and the console's front page.

Other console pages depend on :data:`mamori.web.staff.StaffDep` (a redirect to the login form when
there is no session) and protect their forms with :func:`mamori.web.staff.check_csrf`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mamori.api.deps import Runtime, SessionDep, get_runtime
from mamori.errors import Unauthenticated
from mamori.notices import messages
from mamori.notices.messages import LabelTable
from mamori.notices.privacy import negotiate_language
from mamori.security.logins import sign_in
from mamori.security.sessions import end_session
from mamori.web.limits import limit_form
from mamori.web.staff import (
    SESSION_COOKIE,
    Csrf,
    StaffDep,
    check_csrf,
    clear_session,
    csrf_for,
    safe_next,
    set_session,
)
from mamori.web.templating import render

router = APIRouter(include_in_schema=False)
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
LangQuery = Annotated[str | None, Query()]
NextQuery = Annotated[str | None, Query(alias="next")]
# No scripts at all on these pages: even text that slipped through escaping could not run.
CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
}

LABELS = LabelTable(
    {
        "console": ("スタッフコンソール", "Staff console", "员工控制台", "員工控制台"),
        "login": ("ログイン", "Log in", "登录", "登入"),
        "logout": ("ログアウト", "Log out", "退出登录", "登出"),
        "username": ("ユーザー名", "Username", "用户名", "使用者名稱"),
        "password": ("パスワード", "Password", "密码", "密碼"),
        "login_failed": (
            "ユーザー名またはパスワードが正しくありません。",
            "Unknown user or wrong password.",
            "用户名或密码不正确。",
            "使用者名稱或密碼不正確。",
        ),
        "stale_form": (
            "フォームの有効期限が切れました。ページを再読み込みしてください。",
            "The form has expired. Please reload the page.",
            "表单已失效，请刷新页面。",
            "表單已失效，請重新整理頁面。",
        ),
        "signed_in_as": ("ログイン中：", "Signed in as ", "当前用户：", "目前使用者："),
        "inquiries": ("お問い合わせ", "Inquiries", "咨询", "諮詢"),
    }
)


def console_labels(lang: str) -> dict[str, str]:
    """The shared page labels and the console's, in ``lang``."""
    return {**messages.labels(lang), **LABELS.labels(lang)}


def console_lang(lang: str | None, request: Request) -> str:
    try:
        return negotiate_language(lang, request.headers.get("accept-language"))
    except Exception:  # noqa: BLE001 - an unknown language on a staff page falls back to Japanese
        return "ja"


def page(request: Request, csrf: Csrf, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A console page with the CSRF token in its context and no caching of personal data."""
    html = render(template, csrf_token=csrf.token, languages=[], for_print=False, **context)
    response = HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)
    csrf.apply(response, request)
    return response


def _login_page(
    request: Request, runtime: Runtime, lang: str, *, next_path: str, **extra: Any
) -> HTMLResponse:
    csrf = csrf_for(request, runtime.settings)
    return page(request, csrf, "console/login.html", lang=lang, labels=console_labels(lang),
                next_path=safe_next(next_path), **extra)  # fmt: skip


@router.get("/console/login")
def login_form(
    request: Request, runtime: RuntimeDep, lang: LangQuery = None, next_path: NextQuery = None
) -> Response:
    """The staff login form."""
    chosen = console_lang(lang, request)
    return _login_page(request, runtime, chosen, next_path=next_path or "/console", username="", error=None)


@router.post("/console/login")
def login(  # noqa: PLR0913 - the form's fields
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next_path: Annotated[str, Form(alias="next")] = "/console",
    lang: Annotated[str, Form()] = "ja",
) -> Response:
    """Check the password (argon2), start a session and go where the person wanted to go."""
    chosen = console_lang(lang, request)
    limit_form(request, session, runtime.settings, action="console.login", lang=chosen)
    try:
        check_csrf(request, runtime.settings, csrf_token)
    except Exception:  # noqa: BLE001 - any CSRF failure gets the same page
        return _login_page(request, runtime, chosen, next_path=next_path, username=username,
                           error=LABELS.label("stale_form", chosen), status=403)  # fmt: skip
    try:
        started = sign_in(session, runtime.settings, username, password,
                          user_agent=request.headers.get("user-agent"))  # fmt: skip
    except Unauthenticated:
        # Committed by the unit of work: the failure and any lockout stay in the audit log.
        return _login_page(request, runtime, chosen, next_path=next_path, username=username,
                           error=LABELS.label("login_failed", chosen), status=401)  # fmt: skip
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
    limit_form(request, session, runtime.settings, action="console.logout", lang=console_lang(None, request))
    check_csrf(request, runtime.settings, csrf_token)
    end_session(session, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/console/login", status_code=303)
    clear_session(response)
    return response


@router.get("/console")
def home(request: Request, runtime: RuntimeDep, staff: StaffDep, lang: LangQuery = None) -> Response:
    """The console's front page: what this staff member can open."""
    chosen = console_lang(lang, request)
    sections = [{"href": f"/console/inquiries?lang={chosen}", "label": LABELS.label("inquiries", chosen)}]
    return page(request, csrf_for(request, runtime.settings), "console/home.html", lang=chosen,
                labels=console_labels(chosen), staff=staff, sections=sections)  # fmt: skip
