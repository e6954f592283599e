"""From the published versions, per purpose, since when earlier consents and data no longer cover it.

A consent covers a purpose as it was shown (APPI Art. 17, 18): after a version widens a
purpose, a consent to it counts only if given under that version or a later one. For a purpose
used without consent, a ``needs_consent`` change makes the data collected before it usable for
the purpose only with such a consent.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from mamori.policy.changes.classify import new_justifications
from mamori.policy.changes.model import ChangeClass
from mamori.policy.changes.purposes import ALWAYS_CONSENT, WIDENING, classify_purposes

TOKYO_OFFSET = timedelta(hours=9)  # Asia/Tokyo has no daylight saving time
_WIDENED = WIDENING | ALWAYS_CONSENT


@dataclass(frozen=True, slots=True)
class Baseline:
    """The version that changed a purpose, and the instant it took effect (midnight, Tokyo)."""

    version: int
    since: datetime

    def covers(self, version: int | None, occurred_at: datetime) -> bool:
        """Whether a consent given under ``version`` (unknown: at ``occurred_at``) saw the change."""
        if version is not None:
            return version >= self.version
        return occurred_at >= self.since


def effective_instant(day: date) -> datetime:
    """The UTC instant a version effective on ``day`` takes effect (00:00 Asia/Tokyo)."""
    return datetime.combine(day, time(), UTC) - TOKYO_OFFSET


@dataclass(frozen=True, slots=True)
class PurposeBaselines:
    consent: dict[str, Baseline]  # any widening: earlier consents do not cover it
    data: dict[str, Baseline]  # needs_consent: earlier data needs a consent given since


def baselines(history: Sequence[tuple[int, date, dict[str, Any]]]) -> PurposeBaselines:
    """``history``: (number, effective date, content) of each version up to the one in force, by number."""
    consent: dict[str, Baseline] = {}
    data: dict[str, Baseline] = {}
    for (_, _, old), (number, day, new) in itertools.pairwise(history):
        notes = new_justifications(old, new)[0]
        for change in classify_purposes(old, new, notes):
            if change.rule not in _WIDENED or change.change_class is ChangeClass.PUBLISH:
                continue
            baseline = Baseline(number, effective_instant(day))
            consent[change.target] = baseline
            if change.change_class is ChangeClass.NEEDS_CONSENT:
                data[change.target] = baseline
    return PurposeBaselines(consent, data)
