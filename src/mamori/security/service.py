"""Staff users and API tokens. Entry points own the transaction; every change is audited."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from mamori.audit.service import record_event
from mamori.db.base import utcnow
from mamori.errors import Conflict, NotFound, Unauthenticated, ValidationFailed
from mamori.security.models import ApiToken, StaffUser
from mamori.security.rules import ROLE_SCOPES, Role, Scope, effective_scopes, name_problem, scopes_allowed
from mamori.security.sessions import revoke_user_sessions

TOKEN_PREFIX = "mam_"  # noqa: S105 - a public marker, not a secret
MIN_PASSWORD_LENGTH = 12
_hasher = PasswordHasher()


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling, as the interfaces pass it to services."""

    user_id: str
    username: str
    role: Role
    scopes: frozenset[Scope]

    @property
    def actor(self) -> str:
        return f"user:{self.username}"


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: ApiToken
    secret: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def add_user(  # noqa: PLR0913
    session: Session, *, actor: str, username: str, display_name: str, role: Role, password: str
) -> StaffUser:
    """Create a staff user with an argon2 password hash.

    Raises:
        ValidationFailed: the password is too short, or a name is empty or holds control characters.
        Conflict: the username is taken.
    """
    for label, value in (("username", username), ("display name", display_name)):
        if problem := name_problem(label, value):
            raise ValidationFailed(problem, details={"errors": [{"field": label, "message": problem}]})
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    if get_user_by_username(session, username) is not None:
        raise Conflict(f"user {username!r} already exists")
    user = StaffUser(
        username=username, display_name=display_name, role=role.value, password_hash=_hasher.hash(password)
    )
    session.add(user)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="user.added",
        target_type="staff_user",
        target_id=str(user.id),
        details={"username": username, "role": role.value},
    )
    return user


def get_user_by_username(session: Session, username: str) -> StaffUser | None:
    return session.scalars(select(StaffUser).where(StaffUser.username == username)).one_or_none()


def list_users(session: Session) -> list[StaffUser]:
    return list(session.scalars(select(StaffUser).order_by(StaffUser.username)))


def authenticate_password(session: Session, username: str, password: str) -> StaffUser:
    """Raises Unauthenticated for an unknown user, a wrong password or a disabled account.

    No lockout and no audit here: an entry point that lets people sign in uses
    :func:`mamori.security.logins.sign_in`.
    """
    user = get_user_by_username(session, username)
    if user is None or not user.active:
        raise Unauthenticated("unknown user or wrong password")
    try:
        _hasher.verify(user.password_hash, password)
    except VerificationError as exc:
        raise Unauthenticated("unknown user or wrong password") from exc
    return user


def create_token(  # noqa: PLR0913
    session: Session,
    *,
    actor: str,
    username: str,
    name: str,
    scopes: set[Scope] | None = None,
    valid_for: timedelta | None = None,
) -> IssuedToken:
    """Issue an API token; the secret is returned once and only its digest is kept.

    Raises:
        NotFound: no such user.
        ValidationFailed: a scope beyond the user's role.
    """
    if problem := name_problem("token name", name):
        raise ValidationFailed(problem)
    user = get_user_by_username(session, username)
    if user is None:
        raise NotFound(f"no user {username!r}")
    try:
        granted = scopes_allowed(Role(user.role), scopes)
    except ValueError as exc:
        raise ValidationFailed(str(exc)) from exc
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = utcnow() + valid_for if valid_for else None
    token = ApiToken(
        user_id=user.id,
        name=name,
        prefix=secret[:10],
        digest=_digest(secret),
        scopes=sorted(s.value for s in granted),
        expires_at=expires,
    )
    session.add(token)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="token.created",
        target_type="api_token",
        target_id=str(token.id),
        details={"user": username, "name": name, "scopes": token.scopes},
    )
    return IssuedToken(token=token, secret=secret)


def list_tokens(session: Session, *, username: str | None = None) -> list[ApiToken]:
    """Tokens (never their secrets), newest first; only one user's when ``username`` is given."""
    stmt = select(ApiToken).join(ApiToken.user).order_by(ApiToken.created_at.desc())
    if username:
        stmt = stmt.where(StaffUser.username == username)
    return list(session.scalars(stmt))


def revoke_token(session: Session, *, actor: str, token_id: str) -> ApiToken:
    try:
        token = session.get(ApiToken, uuid.UUID(token_id))
    except ValueError:
        token = None
    if token is None:
        raise NotFound(f"no token {token_id}")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record_event(
            session, actor=actor, action="token.revoked", target_type="api_token", target_id=token_id
        )
    return token


def authenticate_token(session: Session, secret: str, *, now: datetime | None = None) -> Principal:
    """Resolve a bearer secret to a principal. Raises Unauthenticated when unknown, revoked or expired.

    The principal's scopes are the token's that the owner's role grants *now*: a role change
    narrows every token at once, and a disabled owner's tokens stop working.
    """
    now = now or utcnow()
    # One round trip and plain rows: every API request comes through here.
    row = session.connection().execute(_TOKEN_OWNER, {"digest": _digest(secret)}).first()
    if row is None or row.revoked_at is not None or not row.active:
        raise Unauthenticated("invalid or revoked token")
    if row.expires_at is not None and row.expires_at <= now:
        raise Unauthenticated("token expired")
    role = Role(row.role)
    return Principal(
        user_id=str(row.user_id),
        username=row.username,
        role=role,
        scopes=effective_scopes(row.scopes, role),
    )


_TOKEN_OWNER = (
    select(
        ApiToken.user_id,
        ApiToken.scopes,
        ApiToken.expires_at,
        ApiToken.revoked_at,
        StaffUser.username,
        StaffUser.role,
        StaffUser.active,
    )
    .join(StaffUser, StaffUser.id == ApiToken.user_id)
    .where(ApiToken.digest == bindparam("digest"))
)


def set_password(session: Session, *, actor: str, username: str, password: str) -> StaffUser:
    """Replace a user's password. Raises NotFound or ValidationFailed (too short)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    user = get_user_by_username(session, username)
    if user is None:
        raise NotFound(f"no user {username!r}")
    user.password_hash = _hasher.hash(password)
    ended = revoke_user_sessions(session, user.id)
    record_event(
        session,
        actor=actor,
        action="user.password_set",
        target_type="staff_user",
        target_id=str(user.id),
        details={"sessions_revoked": ended},
    )
    return user


def _existing(session: Session, username: str) -> StaffUser:
    user = get_user_by_username(session, username)
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user


def _keep_an_admin(session: Session, user: StaffUser) -> None:
    """Raises Conflict when ``user`` is the last active admin (nobody could manage users then)."""
    if user.role != Role.ADMIN.value or not user.active:
        return
    others = session.scalars(
        select(StaffUser.id).where(
            StaffUser.role == Role.ADMIN.value, StaffUser.active.is_(True), StaffUser.id != user.id
        )
    ).first()
    if others is None:
        raise Conflict(f"{user.username!r} is the last active admin; make another admin first")


def change_role(session: Session, *, actor: str, username: str, role: Role) -> StaffUser:
    """Give a user another role; their console sessions end and their tokens narrow at once.

    Raises:
        NotFound: no such user.
        Conflict: the last active admin would lose the role.
    """
    user = _existing(session, username)
    if user.role == role.value:
        return user
    if role is not Role.ADMIN:
        _keep_an_admin(session, user)
    old, user.role = user.role, role.value
    ended = revoke_user_sessions(session, user.id)
    record_event(
        session,
        actor=actor,
        action="user.role_changed",
        target_type="staff_user",
        target_id=str(user.id),
        details={"from": old, "to": role.value, "sessions_revoked": ended},
    )
    return user


def set_active(session: Session, *, actor: str, username: str, active: bool) -> StaffUser:
    """Enable or disable a user. Disabling ends their sessions and stops their tokens at once.

    Raises:
        NotFound: no such user.
        Conflict: the last active admin would be disabled.
    """
    user = _existing(session, username)
    if user.active == active:
        return user
    if not active:
        _keep_an_admin(session, user)
    user.active = active
    ended = revoke_user_sessions(session, user.id)
    record_event(
        session,
        actor=actor,
        action="user.enabled" if active else "user.disabled",
        target_type="staff_user",
        target_id=str(user.id),
        details={"sessions_revoked": ended},
    )
    return user


def staff_principal(session: Session, username: str) -> Principal:
    """The principal of an active staff user with all the role's scopes (the CLI's ``--as``).

    Raises:
        NotFound: no such user, or the account is disabled.
    """
    user = get_user_by_username(session, username)
    if user is None or not user.active:
        raise NotFound(f"no active staff user {username!r}")
    role = Role(user.role)
    return Principal(user_id=str(user.id), username=user.username, role=role, scopes=ROLE_SCOPES[role])
