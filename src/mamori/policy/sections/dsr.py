"""How requests about personal data are handled: deadlines, fees, uploads, document retention.

The ``requests`` section says what the organisation publishes (types, forms, ID documents, who may
ask); this ``request_handling`` section says how the office runs them. ``docs/policy-bundle.md``
describes each field.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

# APPI Art. 38(1): a fee only for notification of purposes and disclosure (incl. provision records).
FEE_TYPES: tuple[str, ...] = ("purpose_notification", "disclosure", "provision_record_disclosure")
MIB = 1024 * 1024


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class CnDeadline(_Strict):
    """PIPL: answer in time; GB/T 35273 §8.7 suggests 30 days. Target working days, hard cap in days."""

    working_days: int = Field(default=15, ge=1, le=60)
    cap_days: int = Field(default=30, ge=1, le=90)

    @model_validator(mode="after")
    def _cap_after_target(self) -> CnDeadline:
        if self.cap_days < self.working_days:
            msg = "cap_days must not be shorter than working_days"
            raise ValueError(msg)
        return self


class RequestHandling(_Strict):
    """Operating rules of the request office."""

    cn: CnDeadline = Field(default_factory=CnDeadline)
    target_before_art39: bool = Field(
        default=True,
        description="cap every target at the last business day before the APPI Art. 39 date",
    )
    reminder_business_days: int = Field(default=3, ge=0, le=30, description="remind this many days before")
    fees: dict[str, int] = Field(default_factory=dict, description="yen per request type, fee types only")
    upload_max_bytes: int = Field(default=10 * MIB, ge=1024, le=100 * MIB)
    documents_retention_days: int = Field(default=90, ge=0, le=3650)
    download_link_days: int = Field(default=14, ge=1, le=90)
    download_code_attempts: int = Field(default=5, ge=1, le=20)
    email_confirmation_hours: int = Field(default=24, ge=1, le=168)
    office_email: str | None = Field(default=None, description="where reminders and overdue lists go")

    @model_validator(mode="after")
    def _fee_types(self) -> RequestHandling:
        for kind, amount in self.fees.items():
            if kind not in FEE_TYPES:
                msg = f"no fee may be charged for {kind!r}; only for {', '.join(FEE_TYPES)}"
                raise ValueError(msg)
            if amount < 0:
                msg = f"the fee for {kind!r} cannot be negative"
                raise ValueError(msg)
        return self
