"""Bundle section ``provisions``: third-party recipients and what each outsourced duty needs.

Group companies come from ``joint_use.companies`` and processors from ``outsourcing.processors``;
this section adds the third parties data may be provided to (with their foreign-transfer route),
per outsourcing duty the data items the duty needs (entrustments beyond them are flagged), and
the information about each foreign country shown before a consent to a transfer there
(:mod:`mamori.policy.sections.countries`).
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator, model_validator

from mamori.policy.schema import Ident, Organisation, Strict
from mamori.policy.sections.countries import CountryInformation, country_problems

if TYPE_CHECKING:
    from mamori.policy.schema import Loc, PolicyBundle

Route = Literal["adequate", "equivalent_measures", "consent"]
_DAYS = re.compile(r"^P(\d+)D$|^P(\d+)M$|^P(\d+)Y$")


class EquivalentMeasures(Strict):
    """A foreign recipient keeps measures equivalent to the APPI (contract, group rules, APEC CBPR)."""

    basis: str = Field(min_length=1, max_length=200, examples=["data-protection contract"])
    last_checked: date
    check_interval: str = Field(default="P1Y", description="ISO 8601 period: P12M, P1Y or P180D")

    @field_validator("check_interval")
    @classmethod
    def _interval(cls, value: str) -> str:
        if not _DAYS.match(value):
            msg = "check_interval is one ISO 8601 unit: P180D, P6M or P1Y"
            raise ValueError(msg)
        return value


class Recipient(Organisation):
    """A third party personal data may be provided to."""

    equivalent_measures: EquivalentMeasures | None = None
    contract_document: bool = Field(
        default=False, description="a contract document serves as the provision record (1-year retention)"
    )
    sample: bool = False


class ProvisionsSection(Strict):
    recipients: list[Recipient] = Field(default_factory=list)
    duty_items: dict[str, list[Ident]] = Field(
        default_factory=dict, description="outsourcing duty id → the data items that duty needs"
    )
    countries: list[CountryInformation] = Field(
        default_factory=list, description="what a person is told before consenting to a transfer abroad"
    )

    @model_validator(mode="after")
    def _unique(self) -> ProvisionsSection:
        ids = [recipient.id for recipient in self.recipients]
        if len(ids) != len(set(ids)):
            msg = "recipient ids must be unique"
            raise ValueError(msg)
        return self


def reference_problems(bundle: PolicyBundle) -> list[tuple[Loc, str]]:
    """Duties and data items the section names must exist in the bundle; ids must not clash."""
    section = bundle.provisions
    items = {item.id for item in bundle.data_items}
    duties = {duty.id for duty in bundle.outsourcing.duties}
    problems: list[tuple[Loc, str]] = []
    for duty, needed in section.duty_items.items():
        if duty not in duties:
            problems.append((("provisions", "duty_items", duty), f"undeclared duty {duty!r}"))
        problems += [
            (("provisions", "duty_items", duty, i), f"undeclared data item {item!r}")
            for i, item in enumerate(needed)
            if item not in items
        ]
    taken = {p.id for p in bundle.outsourcing.processors}
    taken |= {c.id for c in bundle.joint_use.companies} if bundle.joint_use else set()
    problems += [
        (("provisions", "recipients", i, "id"), f"id {r.id!r} is already a group company or processor")
        for i, r in enumerate(section.recipients)
        if r.id in taken
    ]
    return problems + country_problems(bundle)
