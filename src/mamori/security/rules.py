"""Roles and the scopes each one grants (pure data, no I/O)."""

from __future__ import annotations

import unicodedata
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
    JOBS_RETRY = "jobs:retry"


ROLE_SCOPES: dict[Role, frozenset[Scope]] = {
    Role.ADMIN: frozenset(Scope),
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
            Scope.JOBS_READ,
            Scope.JOBS_RETRY,
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
        }
    ),
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
            Scope.JOBS_READ,
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
