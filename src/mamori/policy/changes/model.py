"""The classes a change falls in, and one classified change."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class ChangeClass(StrEnum):
    """What a change needs before it may take effect, from least to most."""

    PUBLISH = "publish"  # no effect on people: publishing the new version is enough
    ANNOUNCE = "announce"  # publish and make it known (website or direct notice)
    ANNOUNCE_IN_ADVANCE = "announce_in_advance"  # made known before it takes effect (a future date)
    RELATED_CHANGE = "related_change"  # a purpose change the author justifies as reasonably related
    NEEDS_CONSENT = "needs_consent"  # applies to data collected before only for people who consent


ORDER: tuple[ChangeClass, ...] = tuple(ChangeClass)


def strongest(classes: list[ChangeClass]) -> ChangeClass | None:
    """The class that needs the most among ``classes`` (None for no change)."""
    return max(classes, key=ORDER.index) if classes else None


@dataclass(frozen=True, slots=True)
class Classified:
    """One change, the rule that classifies it and what it still lacks (``missing``).

    ``rule`` names the rule (``purpose.items_added``); ``target`` the thing changed (a purpose,
    recipient or processor id, or a bundle path); ``details`` the ids involved (never personal
    data); ``missing`` why publishing must be refused (None: nothing is missing).
    """

    change_class: ChangeClass
    rule: str
    target: str
    path: str
    details: dict[str, Any] = field(default_factory=dict)
    justification: dict[str, str] | None = None
    missing: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "class": self.change_class.value,
            "rule": self.rule,
            "target": self.target,
            "path": self.path,
            "details": self.details,
            "justification": self.justification,
            "missing": self.missing,
        }
