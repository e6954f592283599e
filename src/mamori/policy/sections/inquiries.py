"""The ``inquiries`` section: service targets of the contact centre and limits of its web form.

Targets are counted in business hours of the ``contact_centre`` calendar (10:00–17:00 on open
days is 7 hours a day), so "the next business day" is ``7``. The clock stops while an inquiry waits
for the person's answer.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

InquiryCategory = Literal[
    "personal_information", "complaint", "public_relations", "investor_relations", "other"
]
INQUIRY_CATEGORIES: tuple[InquiryCategory, ...] = (
    "personal_information",
    "complaint",
    "public_relations",
    "investor_relations",
    "other",
)
MAX_TARGET_HOURS = 7 * 60  # about three months of opening hours: beyond that it is not a target


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Target(_Strict):
    """How many business hours the centre allows itself, from receipt, to answer first and to resolve."""

    first_response_hours: float = Field(gt=0, le=MAX_TARGET_HOURS)
    resolution_hours: float = Field(gt=0, le=MAX_TARGET_HOURS)

    @model_validator(mode="after")
    def _order(self) -> Target:
        if self.resolution_hours < self.first_response_hours:
            msg = "resolution_hours must not be shorter than first_response_hours"
            raise ValueError(msg)
        return self


def _default_target() -> Target:
    return Target(first_response_hours=7, resolution_hours=35)


class RateLimit(_Strict):
    """At most ``submissions`` accepted forms from one client address within ``window_minutes``."""

    submissions: int = Field(default=5, ge=1, le=10_000)
    window_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)


class ContactForm(_Strict):
    max_message_length: int = Field(default=4000, ge=100, le=50_000)
    max_name_length: int = Field(default=200, ge=20, le=1000)
    rate_limit: RateLimit = Field(default_factory=RateLimit)


class Inquiries(_Strict):
    """``default`` applies to every category without its own entry in ``targets``."""

    default: Target = Field(default_factory=_default_target)
    targets: dict[InquiryCategory, Target] = Field(default_factory=dict)
    form: ContactForm = Field(default_factory=ContactForm)

    def target_for(self, category: str) -> Target:
        for name, target in self.targets.items():
            if name == category:
                return target
        return self.default
