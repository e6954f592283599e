"""Staff users and API tokens in the console (administrators only).

Add a user, change a role, disable or enable (disabling ends the user's open sessions and stops
their tokens at once), set a new password; issue an API token (its secret is shown once, on the
page that answers the form, and never again) and revoke one. Every change is audited by the
security services; this module only turns forms into their calls.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from mamori.api.deps import SessionDep
from mamori.security.rules import Role, Scope
from mamori.security.second_factor import enrolled, reset_user_second_factor
from mamori.security.service import (
    add_user,
    change_role,
    create_token,
    list_tokens,
    list_users,
    revoke_token,
    set_active,
    set_password,
)
from mamori.web.console.forms import apply, attempt, guard, messages, when
from mamori.web.console.shell import console_page
from mamori.web.staff import StaffDep, require_scope

router = APIRouter(include_in_schema=False)
FormText = Annotated[str, Form(max_length=200)]
CsrfField = Annotated[str | None, Form()]
MAX_DAYS = 3650
DONE = {"added", "role", "disabled", "enabled", "password", "revoked", "second-factor"}


def _page(request: Request, session: SessionDep, staff: StaffDep, **context: Any) -> Response:
    users = list_users(session)
    tokens = [
        {
            "token": t,
            "user": t.user.username,
            "created": when(t.created_at),
            "expires": when(t.expires_at),
            "used": when(t.last_used_at),
            "revoked": when(t.revoked_at),
        }
        for t in list_tokens(session)
    ]
    done = request.query_params.get("done")
    return console_page(
        request,
        "console/users/list.html",
        staff=staff,
        users=users,
        enrolled={u.id for u in users if enrolled(session, u)},
        tokens=tokens,
        roles=list(Role),
        done=done if done in DONE else None,
        **{"error": None, "issued": None, **context},
    )


def _guard(request: Request, staff: StaffDep, csrf_token: str | None) -> None:
    guard(request, staff, Scope.USERS_ADMIN, csrf_token)


@router.get("/console/users")
def users_page(request: Request, session: SessionDep, staff: StaffDep) -> Response:
    """Staff users and API tokens."""
    require_scope(staff, Scope.USERS_ADMIN)
    return _page(request, session, staff)


@router.post("/console/users")
def add(  # noqa: PLR0913 - the form's fields
    request: Request,
    session: SessionDep,
    staff: StaffDep,
    username: FormText,
    display_name: FormText,
    role: Annotated[Role, Form()],
    password: Annotated[str, Form(max_length=1000)],
    csrf_token: CsrfField = None,
) -> Response:
    """Add a staff user."""
    _guard(request, staff, csrf_token)
    return _apply(
        request,
        session,
        staff,
        "added",
        lambda: add_user(
            session,
            actor=staff.actor,
            username=username.strip(),
            display_name=display_name.strip(),
            role=role,
            password=password,
        ),
    )


@router.post("/console/users/{username}/role")
def role(  # noqa: PLR0913
    username: str,
    request: Request,
    session: SessionDep,
    staff: StaffDep,
    role: Annotated[Role, Form()],
    csrf_token: CsrfField = None,
) -> Response:
    """Change a user's role."""
    _guard(request, staff, csrf_token)
    return _apply(
        request,
        session,
        staff,
        "role",
        lambda: change_role(session, actor=staff.actor, username=username, role=role),
    )


@router.post("/console/users/{username}/active")
def active(  # noqa: PLR0913
    username: str,
    request: Request,
    session: SessionDep,
    staff: StaffDep,
    active: Annotated[bool, Form()],
    csrf_token: CsrfField = None,
) -> Response:
    """Disable (ending the user's sessions at once) or enable a user."""
    _guard(request, staff, csrf_token)
    done = "enabled" if active else "disabled"
    return _apply(
        request,
        session,
        staff,
        done,
        lambda: set_active(session, actor=staff.actor, username=username, active=active),
    )


@router.post("/console/users/{username}/password")
def password(  # noqa: PLR0913
    username: str,
    request: Request,
    session: SessionDep,
    staff: StaffDep,
    password: Annotated[str, Form(max_length=1000)],
    csrf_token: CsrfField = None,
) -> Response:
    """Set a new password for a user."""
    _guard(request, staff, csrf_token)
    return _apply(
        request,
        session,
        staff,
        "password",
        lambda: set_password(session, actor=staff.actor, username=username, password=password),
    )


@router.post("/console/users/{username}/second-factor")
def second_factor(
    username: str, request: Request, session: SessionDep, staff: StaffDep, csrf_token: CsrfField = None
) -> Response:
    """Forget a user's authenticator (a lost phone): their sessions end; they enrol at the next sign-in."""
    _guard(request, staff, csrf_token)
    return _apply(
        request,
        session,
        staff,
        "second-factor",
        lambda: reset_user_second_factor(session, actor=staff.actor, username=username),
    )


def _apply(request: Request, session: SessionDep, staff: StaffDep, done: str, change: Any) -> Response:
    return apply(
        session,
        change,
        refused=lambda error: _page(request, session, staff, error="; ".join(messages(error))),
        done=lambda: RedirectResponse(f"/console/users?done={done}", status_code=303),
    )


@router.post("/console/tokens")
def issue(  # noqa: PLR0913
    request: Request,
    session: SessionDep,
    staff: StaffDep,
    username: FormText,
    name: FormText,
    days: Annotated[str, Form(max_length=5)] = "",
    csrf_token: CsrfField = None,
) -> Response:
    """Issue an API token with the user's role's scopes; its secret is shown on this answer only."""
    _guard(request, staff, csrf_token)
    valid = int(days) if days.strip().isdigit() and 0 < int(days) <= MAX_DAYS else None
    if days.strip() and valid is None:
        return _page(request, session, staff, error=f"days: between 1 and {MAX_DAYS}")
    issued, error = attempt(
        session,
        lambda: create_token(
            session,
            actor=staff.actor,
            username=username.strip(),
            name=name.strip(),
            valid_for=timedelta(days=valid) if valid else None,
        ),
    )
    if issued is None:
        return _page(request, session, staff, error="; ".join(messages(error or ValueError("refused"))))
    return _page(
        request,
        session,
        staff,
        issued={"name": issued.token.name, "secret": issued.secret, "user": username.strip()},
    )


@router.post("/console/tokens/{token_id}/revoke")
def revoke(
    token_id: str, request: Request, session: SessionDep, staff: StaffDep, csrf_token: CsrfField = None
) -> Response:
    """Revoke an API token."""
    _guard(request, staff, csrf_token)
    return _apply(
        request,
        session,
        staff,
        "revoked",
        lambda: revoke_token(session, actor=staff.actor, token_id=token_id),
    )
