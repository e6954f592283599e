"""Deadline clocks across weekends, national holidays and the New Year closure (APPI Rule 8, PIPL)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mamori.calendar.rules import is_business_day
from mamori.calendar.service import appi_calendar
from mamori.incidents.clocks import (
    ClockCode,
    ClockStatus,
    attention_order,
    clocks,
    day_clock,
    hour_clock,
    reminder_due,
)
from mamori.incidents.rules import Certainty, Facts, Kind, UnlawfulPurpose, assess
from mamori.policy.sections.incidents import IncidentRules

TOKYO = ZoneInfo("Asia/Tokyo")
CAL = appi_calendar()
RULES = IncidentRules()


def jst(*args: int) -> datetime:
    return datetime(*args, tzinfo=TOKYO)


def facts(known_at: datetime, **values: object) -> Facts:
    base = Facts(kind=Kind.LEAK, certainty=Certainty.ACTUAL, known_at=known_at, persons_max=2000)
    return replace(base, **values)  # type: ignore[arg-type]


def running(f: Facts, rules: IncidentRules = RULES, **options: object) -> dict[ClockCode, object]:
    answer = assess(f, special_care=(), financial_items=())
    return {c.code: c for c in clocks(CAL, f, answer, rules, **options)}  # type: ignore[arg-type]


# (what, day of knowledge, days, expected last day) — expectations worked out by hand from the calendar.
DAY_CASES = [
    ("a plain week: Mon + 3 days ends Wed", date(2026, 11, 16), 3, date(2026, 11, 18)),
    ("ends on Saturday, Monday is Labour Thanksgiving Day", date(2026, 11, 19), 3, date(2026, 11, 24)),
    ("ends on Sunday", date(2026, 11, 6), 3, date(2026, 11, 9)),
    ("five days from Tuesday ends Saturday", date(2026, 11, 10), 5, date(2026, 11, 16)),
    ("ends in Golden Week", date(2027, 4, 29), 3, date(2027, 5, 6)),
    ("ends on the Sunday equinox, Monday is its substitute", date(2027, 3, 19), 3, date(2027, 3, 23)),
    ("silver week: holiday, in-between holiday, equinox", date(2026, 9, 18), 3, date(2026, 9, 24)),
    ("ends on 29 December: moves past the closure", date(2026, 12, 27), 3, date(2027, 1, 4)),
    ("ends on 28 December: not moved", date(2026, 12, 24), 5, date(2026, 12, 28)),
    ("ends on 3 January", date(2027, 1, 1), 3, date(2027, 1, 4)),
    ("ends on 1 January", date(2026, 12, 30), 3, date(2027, 1, 4)),
    ("30 days ending on 31 December", date(2026, 12, 2), 30, date(2027, 1, 4)),
    ("30 days ending on a plain Tuesday", date(2026, 11, 2), 30, date(2026, 12, 1)),
    ("60 days ending on Coming of Age Day", date(2026, 11, 13), 60, date(2027, 1, 12)),
    ("60 days ending on a plain Monday", date(2026, 11, 20), 60, date(2027, 1, 18)),
    ("one day: the day of knowledge itself", date(2026, 11, 17), 1, date(2026, 11, 17)),
    ("one day on a Saturday", date(2026, 11, 21), 1, date(2026, 11, 24)),
]


class TestDayClock:
    @pytest.mark.parametrize(("what", "start", "days", "last"), DAY_CASES, ids=[c[0] for c in DAY_CASES])
    def test_last_day(self, what: str, start: date, days: int, last: date) -> None:
        clock = day_clock(CAL, ClockCode.PPC_FINAL, start, days)
        assert clock.due_on == last, what
        assert clock.due_at == jst(last.year, last.month, last.day) + timedelta(days=1)

    @given(start=st.dates(date(2025, 1, 1), date(2030, 12, 31)), days=st.integers(1, 60))
    def test_the_last_day_is_the_first_business_day_on_or_after_day_n(self, start: date, days: int) -> None:
        clock = day_clock(CAL, ClockCode.PPC_FINAL, start, days)
        nominal = start + timedelta(days=days - 1)
        assert clock.due_on >= nominal
        assert is_business_day(CAL, clock.due_on)
        closed = [nominal + timedelta(days=i) for i in range((clock.due_on - nominal).days)]
        assert not any(is_business_day(CAL, d) for d in closed)

    @given(start=st.dates(date(2025, 1, 1), date(2030, 12, 31)), days=st.integers(1, 59))
    def test_a_longer_period_never_ends_earlier(self, start: date, days: int) -> None:
        shorter = day_clock(CAL, ClockCode.PPC_FINAL, start, days)
        longer = day_clock(CAL, ClockCode.PPC_FINAL, start, days + 1)
        assert longer.due_on >= shorter.due_on


class TestIncidentClocks:
    def test_reportable_incident_runs_preliminary_final_and_individual_clocks(self) -> None:
        found = running(facts(jst(2026, 11, 19, 15, 0)))
        assert set(found) == {ClockCode.PPC_PRELIMINARY, ClockCode.PPC_FINAL, ClockCode.INDIVIDUALS}
        assert found[ClockCode.PPC_PRELIMINARY].due_on == date(2026, 11, 24)  # type: ignore[attr-defined]
        assert found[ClockCode.PPC_FINAL].due_on == date(2026, 12, 18)  # type: ignore[attr-defined]
        assert found[ClockCode.INDIVIDUALS].due_on == date(2026, 11, 24)  # type: ignore[attr-defined]

    def test_unlawful_purpose_gives_sixty_days(self) -> None:
        found = running(facts(jst(2026, 11, 20, 9, 0), unlawful_purpose=UnlawfulPurpose.ATTACKER))
        assert found[ClockCode.PPC_FINAL].due_on == date(2027, 1, 18)  # type: ignore[attr-defined]

    def test_day_one_is_the_tokyo_day_of_knowledge(self) -> None:
        # 15:10 UTC on 30 November is 00:10 on 1 December in Tokyo.
        found = running(facts(datetime(2026, 11, 30, 15, 10, tzinfo=UTC)))
        clock = found[ClockCode.PPC_PRELIMINARY]
        assert (clock.starts_on, clock.due_on) == (date(2026, 12, 1), date(2026, 12, 3))  # type: ignore[attr-defined]

    def test_the_preliminary_target_is_configurable(self) -> None:
        found = running(facts(jst(2026, 11, 16, 9)), IncidentRules(preliminary_days=5))
        assert found[ClockCode.PPC_PRELIMINARY].due_on == date(2026, 11, 20)  # type: ignore[attr-defined]

    def test_a_later_recount_starts_the_clocks_when_it_made_the_incident_reportable(self) -> None:
        found = running(facts(jst(2026, 11, 16, 9)), reportable_since=jst(2026, 11, 19, 11))
        clock = found[ClockCode.PPC_PRELIMINARY]
        assert (clock.starts_on, clock.due_on) == (date(2026, 11, 19), date(2026, 11, 24))  # type: ignore[attr-defined]

    def test_not_reportable_runs_no_ppc_clock(self) -> None:
        assert running(facts(jst(2026, 11, 16, 9), persons_max=10)) == {}
        assert running(facts(jst(2026, 11, 16, 9), advanced_encryption=True)) == {}

    def test_pipl_clocks_run_in_hours_and_do_not_move_off_holidays(self) -> None:
        china = facts(jst(2026, 11, 20, 10), persons_max=3, jurisdictions=("CN",))
        ordinary = running(china)
        assert set(ordinary) == {ClockCode.PIPL_AUTHORITY, ClockCode.PIPL_INDIVIDUALS}
        assert ordinary[ClockCode.PIPL_AUTHORITY].due_at == jst(2026, 11, 23, 10)  # type: ignore[attr-defined]
        major = running(replace(china, pipl_major=True))
        assert major[ClockCode.PIPL_AUTHORITY].due_at == jst(2026, 11, 20, 14)  # type: ignore[attr-defined]
        assert running(replace(china, pipl_major=True), IncidentRules(pipl_major_hours=1))[
            ClockCode.PIPL_AUTHORITY].due_at == jst(2026, 11, 20, 11)  # type: ignore[attr-defined]  # fmt: skip

    def test_a_done_clock_says_so(self) -> None:
        done_at = jst(2026, 11, 18, 12)
        found = running(facts(jst(2026, 11, 16, 9)), done={ClockCode.PPC_PRELIMINARY: done_at})
        assert found[ClockCode.PPC_PRELIMINARY].status(jst(2027, 1, 1)) == ClockStatus.DONE  # type: ignore[attr-defined]
        assert found[ClockCode.PPC_FINAL].done_at is None  # type: ignore[attr-defined]


class TestStatusAndReminders:
    clock = day_clock(CAL, ClockCode.PPC_PRELIMINARY, date(2026, 11, 19), 3)  # last day Tue 24 Nov

    @pytest.mark.parametrize(
        ("now", "status", "reminder"),
        [
            (jst(2026, 11, 20, 12), ClockStatus.PENDING, None),
            (jst(2026, 11, 21, 23, 59), ClockStatus.PENDING, None),
            (jst(2026, 11, 22, 9), ClockStatus.DUE_SOON, 2),
            (jst(2026, 11, 23, 9), ClockStatus.DUE_SOON, 1),
            (jst(2026, 11, 24, 23, 59), ClockStatus.DUE_SOON, 0),
            (jst(2026, 11, 25, 0, 0), ClockStatus.OVERDUE, -1),
        ],
    )
    def test_status_and_reminder_by_time(
        self, now: datetime, status: ClockStatus, reminder: int | None
    ) -> None:
        assert self.clock.status(now) == status
        assert reminder_due(self.clock, now, [2, 1, 0], CAL) == reminder

    def test_a_done_clock_needs_no_reminder(self) -> None:
        done = replace(self.clock, done_at=jst(2026, 11, 20))
        assert reminder_due(done, jst(2026, 11, 30), [2, 1, 0], CAL) is None

    def test_overdue_first_then_by_expiry(self) -> None:
        now = jst(2026, 11, 25, 9)
        later = day_clock(CAL, ClockCode.PPC_FINAL, date(2026, 11, 19), 30)
        soon = hour_clock(CAL, ClockCode.PIPL_AUTHORITY, jst(2026, 11, 25, 8), 4)
        finished = replace(
            day_clock(CAL, ClockCode.INDIVIDUALS, date(2026, 11, 1), 3), done_at=jst(2026, 11, 2)
        )
        ordered = attention_order([(later, "c"), (finished, "d"), (soon, "b"), (self.clock, "a")], now)
        assert [tag for _, tag in ordered] == ["a", "b", "c", "d"]
