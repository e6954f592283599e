"""When a revision may take effect, judged against the version in force (not the newest published)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from mamori.policy.changes.model import ORDER, ChangeClass, Classified


def date_problems(
    changes: list[Classified],
    *,
    effective: date,
    today: date,
    in_force: date | None,
    pending: Sequence[tuple[int, date]] = (),
) -> list[str]:
    """Why a revision with ``changes`` cannot take effect on ``effective`` (empty: it can).

    ``today`` is the publishing day (Asia/Tokyo), ``in_force`` the effective date of the version
    in force, ``pending`` the (number, effective date) of versions published to take effect later.
    """
    problems: list[str] = []
    classes = {change.change_class for change in changes}
    if ChangeClass.ANNOUNCE_IN_ADVANCE in classes and effective <= today:
        problems.append(
            f"some changes must be announced in advance: choose an effective date after {today.isoformat()}"
        )
    told = [c for c in classes if ORDER.index(c) >= ORDER.index(ChangeClass.ANNOUNCE)]
    if told and effective < today:
        problems.append(
            "changes people are told about cannot take effect before they are published"
            f" ({today.isoformat()})"
        )
    if in_force is not None and effective < in_force:
        problems.append(
            f"it cannot take effect before the version in force (effective {in_force.isoformat()})"
        )
    problems += [
        f"version {number} takes effect on {day.isoformat()}; a later version taking effect before it"
        f" would keep it from ever taking effect: choose {day.isoformat()} or later"
        for number, day in pending
        if effective < day
    ]
    return problems
