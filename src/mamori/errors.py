"""Domain errors. Interfaces map them: the API to problem+json, the web to pages, the CLI to exit codes."""

from __future__ import annotations

from typing import Any


class MamoriError(Exception):
    """Base of every error the domain raises on purpose."""

    code = "error"

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class NotFound(MamoriError):  # noqa: N818 - domain vocabulary, not an "Error" suffix
    code = "not-found"


class Conflict(MamoriError):  # noqa: N818
    code = "conflict"


class Forbidden(MamoriError):  # noqa: N818
    code = "forbidden"


class Unauthenticated(MamoriError):  # noqa: N818
    code = "unauthenticated"


class InvalidTransition(MamoriError):  # noqa: N818
    code = "invalid-transition"


class PolicyViolation(MamoriError):  # noqa: N818
    code = "policy-violation"


class ValidationFailed(MamoriError):  # noqa: N818
    """Input that cannot be accepted; ``details['errors']`` lists each problem."""

    code = "validation-failed"


class Tampered(MamoriError):  # noqa: N818
    """Stored data no longer matches the hash or MAC recorded for it: it was changed outside Mamori."""

    code = "tampered"
