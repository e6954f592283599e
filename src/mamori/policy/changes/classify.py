"""Classify every difference between the version in force and a candidate bundle."""

from __future__ import annotations

from typing import Any

from mamori.policy.changes import cookies, purposes, sections
from mamori.policy.changes.model import ChangeClass, Classified, strongest
from mamori.policy.rules import diff_content

# Areas with rules of their own; the raw differences under them are not listed again.
_OWN = ("subject_categories", "joint_use", "provisions.recipients", "outsourcing.processors")


def new_justifications(
    old: dict[str, Any], new: dict[str, Any]
) -> tuple[dict[str, dict[str, Any]], list[Classified]]:
    """This revision's justifications by purpose (those added or changed since ``old``), and problems.

    A justification left unchanged from the version in force justified that version's change.
    """
    kept = old.get("change_justifications") or []
    notes: dict[str, dict[str, Any]] = {}
    problems: list[Classified] = []
    for index, note in enumerate(new.get("change_justifications") or []):
        if note in kept:
            continue
        path = f"change_justifications[{index}]"
        if note["purpose"] in notes:
            problems.append(_problem(note["purpose"], path, "one justification per purpose and revision"))
        notes[note["purpose"]] = note
    return notes, problems


def _problem(target: str, path: str, missing: str) -> Classified:
    return Classified(
        ChangeClass.PUBLISH, "justification.invalid", target, path, {"purpose": target}, missing=missing
    )


def _owned(path: str, areas: tuple[str, ...] = _OWN) -> bool:
    return any(path == area or path.startswith((area + ".", area + "[")) for area in areas)


def _category_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Classified]:
    """A category's own fields (its name); its purposes are classified one by one."""
    changes = diff_content(old.get("subject_categories"), new.get("subject_categories"), "subject_categories")
    return [
        sections.other(change)
        for change in changes
        if ".purposes" not in change.path and change.path.count("[") == 1 and "." in change.path
    ]


def classify(old: dict[str, Any], new: dict[str, Any]) -> list[Classified]:
    """One classified change per difference, ordered by path; ``missing`` says what publishing lacks."""
    notes, found = new_justifications(old, new)
    by_purpose = purposes.classify_purposes(old, new, notes)
    justified = {c.target for c in by_purpose if c.rule in purposes.WIDENING | purposes.ALWAYS_CONSENT}
    for purpose_id in sorted(set(notes) - justified):
        found.append(
            _problem(
                purpose_id, "change_justifications", f"no widened purpose {purpose_id!r} in this revision"
            )
        )
    found += by_purpose + _category_changes(old, new)
    found += sections.joint_use(old, new) + sections.recipients(old, new) + sections.processors(old, new)
    inventory = cookies.inventory(old, new)
    areas = _OWN + cookies.OWNED if inventory is not None else _OWN
    found += inventory or []
    found += [
        sections.other(change)
        for change in diff_content(old, new)
        if not _owned(change.path, areas) and not sections.trivial(change)
    ]
    return sorted(found, key=lambda c: (c.path, c.rule))


def overall(changes: list[Classified]) -> ChangeClass | None:
    """The class of the revision as a whole: what its most demanding change needs."""
    return strongest([c.change_class for c in changes])


def missing(changes: list[Classified]) -> list[Classified]:
    """The changes that stop publishing."""
    return [c for c in changes if c.missing is not None]


def consent_baselines(old: dict[str, Any], new: dict[str, Any]) -> set[str]:
    """Purposes whose change in this revision needs consent: earlier consents and data do not cover them."""
    return {
        c.target
        for c in purposes.classify_purposes(old, new, new_justifications(old, new)[0])
        if c.change_class is ChangeClass.NEEDS_CONSENT
    }
