"""The ``staff_roles`` section: which purposes each staff role may name to read personal data.

Revealing a person's name and identifiers (a subject, a requester) always names a purpose; the
purpose must be declared for the person (``subject_categories``) *and* belong to the reader's
duties here. ``"*"`` stands for every purpose of the bundle. A role the section does not list
has no such duty. Without the section, any role holding the read scope may name any purpose
(bundles written before the section existed).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

StaffRoleName = Literal["admin", "privacy_officer", "agent", "engineer", "auditor"]
EVERY_PURPOSE = "*"


class StaffRole(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    purposes: list[str] = Field(
        default_factory=list, description='purpose ids this role may read personal data for; "*" for all'
    )


def role_purposes(
    staff_roles: dict[StaffRoleName, StaffRole] | None, role: str, declared: set[str]
) -> frozenset[str] | None:
    """The purposes ``role`` may name; None when the bundle sets no limit (no section)."""
    if staff_roles is None:
        return None
    entry = staff_roles.get(role)  # type: ignore[call-overload]
    if entry is None:
        return frozenset()
    if EVERY_PURPOSE in entry.purposes:
        return frozenset(declared)
    return frozenset(entry.purposes) & declared


def staff_role_problems(
    staff_roles: dict[StaffRoleName, StaffRole] | None, declared: set[str]
) -> list[tuple[tuple[str | int, ...], str]]:
    """Purpose ids of ``staff_roles`` that the bundle does not declare, each with its location."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    for role, entry in (staff_roles or {}).items():
        problems += [
            (("staff_roles", role, "purposes", index), f"undeclared purpose {purpose!r}")
            for index, purpose in enumerate(entry.purposes)
            if purpose != EVERY_PURPOSE and purpose not in declared
        ]
    return problems
