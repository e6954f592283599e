"""The ``safety_measures`` section: the security control measures the organisation keeps.

APPI Art. 23 requires them and Art. 32 (Rule 10) requires making them known; the PPC guidelines
group them in four kinds (organisational, human, physical, technical). Each measure has a title
and a short public summary in the four languages; the privacy notice lists the summaries by
kind, and the management system's risk register (``mamori pms``) refers to measures by id.
``docs/policy-bundle.md`` (section *safety_measures*) is the reference.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from mamori.policy.schema import Ident, Strict, Text

Loc = tuple[str | int, ...]


class MeasureKind(StrEnum):
    ORGANISATIONAL = "organisational"
    HUMAN = "human"
    PHYSICAL = "physical"
    TECHNICAL = "technical"


class SafetyMeasure(Strict):
    """One measure: its kind, a title, and the summary the notice shows."""

    id: Ident
    kind: MeasureKind
    title: Text
    summary: Text = Field(description="what the public notice says about it")


def safety_problems(measures: list[SafetyMeasure]) -> list[tuple[Loc, str]]:
    """Repeated ids."""
    seen: set[str] = set()
    problems: list[tuple[Loc, str]] = []
    for index, measure in enumerate(measures):
        if measure.id in seen:
            problems.append((("safety_measures", index, "id"), f"duplicate id {measure.id!r}"))
        seen.add(measure.id)
    return problems
