"""Pure rules of retention: periods, cut-offs, which datasets a sweep covers and how."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

from mamori.policy.schema import PolicyBundle, parse_period
from mamori.policy.sections.datamap import Dataset, System

D = TypeVar("D", bound=date)
MAMORI = "mamori"  # the system name of Mamori's own tables in sweep records


def subtract_period(moment: D, period: str) -> D:
    """``moment`` minus an ISO 8601 period of years, months and days (03-31 minus P1M is 02-28)."""
    years, months, days = parse_period(period)
    total = moment.year * 12 + (moment.month - 1) - years * 12 - months
    year, month = divmod(total, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day) - timedelta(days=days)


def cutoff(now: datetime, period: str) -> datetime:
    """Rows whose clock is before this moment have outlived ``period``."""
    return subtract_period(now, period)


@dataclass(frozen=True, slots=True)
class Target:
    """One dataset a sweep covers: where, how long, from which clock, and what it does."""

    system: str
    dataset: str
    retention: str
    action: str
    clock: str | None
    purposes: tuple[str, ...]
    items: tuple[str, ...]


def targets(bundle: PolicyBundle) -> list[Target]:
    """Every data-map dataset with an ``expiry``, in map order."""
    return [
        _target(system, dataset) for system in bundle.datamap for dataset in system.datasets if dataset.expiry
    ]


def _target(system: System, dataset: Dataset) -> Target:
    assert dataset.expiry is not None  # noqa: S101 - filtered by the caller
    assert dataset.retention is not None  # noqa: S101 - the bundle check requires it
    return Target(
        system=system.id,
        dataset=dataset.id,
        retention=dataset.retention,
        action=dataset.expiry.action,
        clock=dataset.expiry.clock,
        purposes=tuple(dataset.purposes),
        items=tuple(sorted({f.item for f in dataset.personal_fields if f.item})),
    )


def unswept(bundle: PolicyBundle) -> list[tuple[str, str, str]]:
    """Datasets holding personal data that no sweep covers: (system, dataset, why)."""
    out = []
    for system in bundle.datamap:
        for dataset in system.datasets:
            if dataset.personal_fields and dataset.expiry is None:
                why = "no retention" if dataset.retention is None else "no expiry clock"
                out.append((system.id, dataset.id, why))
    return out
