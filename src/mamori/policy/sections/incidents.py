"""The ``incidents`` bundle section: deadline targets and which data items risk financial loss.

Every field has a default that follows the law (APPI Rule 8, PIPL Art. 57), so a bundle without the
section still gets lawful clocks. ``docs/policy-bundle.md`` documents each field.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

# APPI guidance: the preliminary report is due "promptly", about 3 to 5 days from knowledge.
PRELIMINARY_MAX_DAYS = 5
FINAL_DAYS = 30
FINAL_DAYS_UNLAWFUL = 60


class IncidentRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    preliminary_days: int = Field(
        default=3, ge=1, le=PRELIMINARY_MAX_DAYS,
        description="target for the preliminary PPC report, in days with the day of knowledge as day 1",
    )  # fmt: skip
    individual_notice_days: int = Field(
        default=3, ge=1, le=FINAL_DAYS,
        description="target for notices to individuals (the law says promptly), counted like the reports",
    )  # fmt: skip
    pipl_notice_hours: int = Field(
        default=72,
        ge=1,
        le=720,
        description="PIPL notice to the authority and the people, ordinary incidents",
    )
    pipl_major_hours: int = Field(
        default=4, ge=1, le=72, description="PIPL notice to the authority for a major incident (CAC 2025)"
    )
    reminder_days: list[int] = Field(
        default_factory=lambda: [2, 1, 0],
        description="remind the privacy office this many days before each deadline (0: on the day)",
    )
    financial_loss_items: list[str] = Field(
        default_factory=list,
        description="data items whose leak risks financial loss (card numbers, bank accounts, logins)",
    )

    @field_validator("reminder_days")
    @classmethod
    def _reminders(cls, value: list[int]) -> list[int]:
        if any(day < 0 or day > FINAL_DAYS_UNLAWFUL for day in value):
            msg = f"reminder days must be between 0 and {FINAL_DAYS_UNLAWFUL}"
            raise ValueError(msg)
        return sorted(set(value), reverse=True)
