"""Roles and the scopes each one grants; session and sign-in lockout rules (pure, no I/O)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    PRIVACY_OFFICER = "privacy_officer"
    AGENT = "agent"
    ENGINEER = "engineer"
    AUDITOR = "auditor"


class Scope(StrEnum):
    POLICY_READ = "policy:read"
    POLICY_WRITE = "policy:write"
    AUDIT_READ = "audit:read"
    USERS_ADMIN = "users:admin"
    SUBJECTS_READ = "subjects:read"
    SUBJECTS_WRITE = "subjects:write"
    CONSENTS_READ = "consents:read"
    CONSENTS_WRITE = "consents:write"
    DECISIONS = "decisions:check"
    AUDIENCES = "audiences:read"
    PROVISIONS_READ = "provisions:read"
    PROVISIONS_WRITE = "provisions:write"
    PROCESSORS_READ = "processors:read"
    PROCESSORS_WRITE = "processors:write"
    REQUESTS_READ = "requests:read"
    REQUESTS_WRITE = "requests:write"
    INCIDENTS_READ = "incidents:read"
    INCIDENTS_WRITE = "incidents:write"
    INQUIRIES_READ = "inquiries:read"
    INQUIRIES_WRITE = "inquiries:write"
    DATAMAP_READ = "datamap:read"
    DATAMAP_WRITE = "datamap:write"
    JOBS_READ = "jobs:read"
    PMS_READ = "pms:read"
    PMS_WRITE = "pms:write"
    JOBS_RETRY = "jobs:retry"
    # Start a fulfillment run for an accepted request case (the roles that decide cases).
    FULFILLMENT_RUN = "fulfillment:run"
    # Start a run without a case, with a written reason (the privacy officer only).
    FULFILLMENT_BREAK_GLASS = "fulfillment:break_glass"
    # Retention: read sweep records and holds; run sweeps and place or release legal holds.
    RETENTION_READ = "retention:read"
    RETENTION_RUN = "retention:run"


ROLE_SCOPES: dict[Role, frozenset[Scope]] = {
    # Break-glass is the privacy officer's own duty, not the administrator's.
    Role.ADMIN: frozenset(Scope) - {Scope.FULFILLMENT_BREAK_GLASS},
    Role.PRIVACY_OFFICER: frozenset(
        {
            Scope.POLICY_READ,
            Scope.POLICY_WRITE,
            Scope.AUDIT_READ,
            Scope.SUBJECTS_READ,
            Scope.SUBJECTS_WRITE,
            Scope.CONSENTS_READ,
            Scope.CONSENTS_WRITE,
            Scope.DECISIONS,
            Scope.AUDIENCES,
            Scope.PROVISIONS_READ,
            Scope.PROVISIONS_WRITE,
            Scope.PROCESSORS_READ,
            Scope.PROCESSORS_WRITE,
            Scope.REQUESTS_READ,
            Scope.REQUESTS_WRITE,
            Scope.INCIDENTS_READ,
            Scope.INCIDENTS_WRITE,
            Scope.INQUIRIES_READ,
            Scope.INQUIRIES_WRITE,
            Scope.DATAMAP_READ,
            Scope.RETENTION_READ,
            Scope.RETENTION_RUN,
            Scope.JOBS_READ,
            Scope.JOBS_RETRY,
            Scope.FULFILLMENT_RUN,
            Scope.FULFILLMENT_BREAK_GLASS,
            Scope.PMS_READ,
            Scope.PMS_WRITE,
        }
    ),
    Role.AGENT: frozenset(
        {
            Scope.POLICY_READ,
            Scope.SUBJECTS_READ,
            Scope.SUBJECTS_WRITE,
            Scope.CONSENTS_READ,
            Scope.CONSENTS_WRITE,
            Scope.REQUESTS_READ,
            Scope.REQUESTS_WRITE,
            Scope.INQUIRIES_READ,
            Scope.INQUIRIES_WRITE,
            Scope.PROVISIONS_READ,
            Scope.FULFILLMENT_RUN,
        }
    ),
    # Engineers integrate: they map systems, check them and retry a failed run (datamap:write),
    # but start no run themselves: a run answers a case someone with the duty decided.
    Role.ENGINEER: frozenset(
        {
            Scope.POLICY_READ,
            Scope.SUBJECTS_READ,
            Scope.CONSENTS_READ,
            Scope.CONSENTS_WRITE,
            Scope.DECISIONS,
            Scope.AUDIENCES,
            Scope.PROVISIONS_READ,
            Scope.PROVISIONS_WRITE,
            Scope.DATAMAP_READ,
            Scope.DATAMAP_WRITE,
            Scope.JOBS_READ,
            Scope.JOBS_RETRY,
        }
    ),
    Role.AUDITOR: frozenset(
        {
            Scope.POLICY_READ,
            Scope.AUDIT_READ,
            Scope.SUBJECTS_READ,
            Scope.CONSENTS_READ,
            Scope.PROVISIONS_READ,
            Scope.PROCESSORS_READ,
            Scope.REQUESTS_READ,
            Scope.INCIDENTS_READ,
            Scope.INQUIRIES_READ,
            Scope.DATAMAP_READ,
            Scope.RETENTION_READ,
            Scope.JOBS_READ,
            Scope.PMS_READ,
        }
    ),
}


def scopes_allowed(role: Role, requested: set[Scope] | None) -> frozenset[Scope]:
    """The scopes a token of ``role`` gets: all the role has, or the requested subset of them.

    Raises:
        ValueError: a requested scope is beyond the role.
    """
    granted = ROLE_SCOPES[role]
    if requested is None:
        return granted
    beyond = requested - granted
    if beyond:
        names = ", ".join(sorted(beyond))
        msg = f"role {role.value} cannot grant: {names}"
        raise ValueError(msg)
    return frozenset(requested)


def effective_scopes(token_scopes: Iterable[str], role: Role) -> frozenset[Scope]:
    """What a token may do now: its own scopes that its owner's current role still grants."""
    known = {s.value for s in Scope}
    return frozenset(Scope(s) for s in token_scopes if s in known) & ROLE_SCOPES[role]


@dataclass(frozen=True, slots=True)
class SessionLimits:
    idle: timedelta
    absolute: timedelta


def session_live(created: datetime, last_seen: datetime, now: datetime, limits: SessionLimits) -> bool:
    """A session is live until it has been idle too long or has lasted too long in all."""
    return now - last_seen < limits.idle and now - created < limits.absolute


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    max_failures: int
    window: timedelta
    lockout: timedelta


@dataclass(frozen=True, slots=True)
class Throttle:
    """Failed sign-ins of one username: how many since when, and until when it is locked."""

    failures: int
    window_started_at: datetime
    locked_until: datetime | None


def locked(throttle: Throttle | None, now: datetime) -> bool:
    return throttle is not None and throttle.locked_until is not None and now < throttle.locked_until


def after_failure(throttle: Throttle | None, now: datetime, policy: LockoutPolicy) -> Throttle:
    """The count after one more failure; the N-th failure inside the window locks the name.

    A failure after the window (or after a lock ran out) starts a new count.
    """
    fresh = (
        throttle is None
        or now - throttle.window_started_at >= policy.window
        or (throttle.locked_until is not None and now >= throttle.locked_until)
    )
    failures = 1 if fresh or throttle is None else throttle.failures + 1
    started = now if fresh or throttle is None else throttle.window_started_at
    locks = failures >= policy.max_failures
    return Throttle(
        failures=failures, window_started_at=started, locked_until=now + policy.lockout if locks else None
    )


# Control, format (e.g. bidirectional overrides) and line/paragraph separator characters: a name
# holding one could forge a line in a listing or drive a terminal.
_UNPRINTABLE = frozenset({"Cc", "Cf", "Zl", "Zp"})


def name_problem(label: str, value: str) -> str | None:
    """Why a username, display name or token name cannot be accepted, or None."""
    if not value.strip():
        return f"{label} must not be empty"
    if any(unicodedata.category(char) in _UNPRINTABLE for char in value):
        return f"{label} must not contain control characters (such as a line break or an escape)"
    return None


# The roles that can see personal data sign in with a second factor (TOTP or a recovery code).
SECOND_FACTOR_ROLES: frozenset[Role] = frozenset({Role.ADMIN, Role.PRIVACY_OFFICER, Role.AGENT, Role.AUDITOR})


def needs_second_factor(role: str) -> bool:
    return role in SECOND_FACTOR_ROLES


def normalise_recovery_code(typed: str) -> str:
    """What a person types for a recovery code, without spaces, dashes or case."""
    return "".join(ch for ch in typed.lower() if ch.isalnum())
