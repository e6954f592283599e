"""A controllable clock for the inquiry services and a local SMTP sink."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from mamori.inquiries import intake, replies, service

TOKYO = ZoneInfo("Asia/Tokyo")


@dataclass
class FakeClock:
    now: datetime = field(default_factory=lambda: datetime(2026, 12, 1, 10, 0, tzinfo=TOKYO))

    def __call__(self) -> datetime:
        return self.now

    def set(self, *parts: int) -> None:
        self.now = datetime(*parts, tzinfo=TOKYO)  # type: ignore[misc]

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """The inquiry services read this clock instead of the real one (Tuesday 1 Dec 2026, 10:00 JST)."""
    fake = FakeClock()
    for module in (intake, service, replies):
        monkeypatch.setattr(module, "utcnow", fake)
    return fake
