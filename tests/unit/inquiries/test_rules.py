"""The lifecycle table and the business-hours clock, on the default bundle's contact centre."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mamori.calendar.rules import BusinessCalendar, business_time_between
from mamori.config import DEFAULT_POLICY_DIR
from mamori.errors import InvalidTransition
from mamori.inquiries.rules import (
    OPEN_STATES,
    TRANSITIONS,
    Clock,
    State,
    check_transition,
    first_response_due,
    format_remaining,
    next_due,
    pause_length,
    remaining,
    resolution_due,
)
from mamori.inquiries.timing import centre_calendar
from mamori.policy.schema import PolicyBundle
from mamori.policy.sections.inquiries import Inquiries, Target
from mamori.policy.service import check_bundle

TOKYO = ZoneInfo("Asia/Tokyo")
TARGET = Target(first_response_hours=7, resolution_hours=35)
COMPLAINT = Target(first_response_hours=3.5, resolution_hours=21)


def _bundle() -> PolicyBundle:
    result = check_bundle(DEFAULT_POLICY_DIR)
    assert result.bundle is not None, result.errors
    return result.bundle


CAL: BusinessCalendar = centre_calendar(_bundle())


def tokyo(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=TOKYO)  # type: ignore[misc]


class TestTransitions:
    @pytest.mark.parametrize(
        ("current", "wanted"),
        [
            (State.NEW, State.ASSIGNED),
            (State.ASSIGNED, State.WAITING_FOR_CUSTOMER),
            (State.WAITING_FOR_CUSTOMER, State.ANSWERED),
            (State.ANSWERED, State.CLOSED),
            (State.CLOSED, State.REOPENED),
            (State.REOPENED, State.ASSIGNED),
            (State.ASSIGNED, State.CONVERTED),
        ],
    )
    def test_the_issues_path_is_allowed(self, current: State, wanted: State) -> None:
        check_transition(current, wanted)

    @pytest.mark.parametrize(
        ("current", "wanted"),
        [
            (State.NEW, State.ANSWERED),  # nobody answers an inquiry nobody holds
            (State.CLOSED, State.ANSWERED),
            (State.ANSWERED, State.ASSIGNED),
            (State.CONVERTED, State.REOPENED),
            (State.NEW, State.REOPENED),
        ],
    )
    def test_illegal_moves_raise(self, current: State, wanted: State) -> None:
        with pytest.raises(InvalidTransition) as raised:
            check_transition(current, wanted)
        assert str(current) in raised.value.message
        assert raised.value.details["errors"][0]["field"] == "state"

    def test_every_state_has_a_row_and_converted_is_final(self) -> None:
        assert set(TRANSITIONS) == set(State)
        assert TRANSITIONS[State.CONVERTED] == frozenset()
        assert State.ANSWERED not in OPEN_STATES
        assert State.CLOSED not in OPEN_STATES


class TestClock:
    def test_friday_1659_before_a_holiday_monday(self) -> None:
        # 2027-01-11 is Coming of Age Day (second Monday of January): one minute on Friday,
        # the rest from Tuesday 10:00.
        clock = Clock(received_at=tokyo(2027, 1, 8, 16, 59), target=COMPLAINT)
        assert first_response_due(CAL, clock) == tokyo(2027, 1, 12, 13, 29)
        assert first_response_due(CAL, Clock(received_at=tokyo(2027, 1, 8, 16, 59), target=TARGET)) == tokyo(
            2027, 1, 12, 16, 59
        )

    def test_during_the_new_year_closure(self) -> None:
        # The centre is closed 29 Dec - 3 Jan; 4 Jan 2027 is a Monday.
        clock = Clock(received_at=tokyo(2026, 12, 30, 11, 0), target=COMPLAINT)
        assert first_response_due(CAL, clock) == tokyo(2027, 1, 4, 13, 30)
        # 21 business hours = three full days: Mon, Tue, Wed until 17:00
        assert resolution_due(CAL, clock) == tokyo(2027, 1, 6, 17, 0)

    def test_a_weekend_form_counts_from_monday_opening(self) -> None:
        clock = Clock(received_at=tokyo(2026, 12, 5, 9, 0), target=TARGET)  # a Saturday
        assert first_response_due(CAL, clock) == tokyo(2026, 12, 7, 17, 0)

    def test_a_pause_moves_the_targets_by_the_business_time_waited(self) -> None:
        received = tokyo(2026, 12, 1, 10, 0)  # a Tuesday
        waited = pause_length(CAL, tokyo(2026, 12, 1, 15, 0), tokyo(2026, 12, 2, 11, 0))
        assert waited == timedelta(hours=3)  # 15-17 on Tuesday and 10-11 on Wednesday
        before = Clock(received_at=received, target=TARGET)
        after = Clock(received_at=received, target=TARGET, paused=waited)
        assert business_time_between(CAL, resolution_due(CAL, before), resolution_due(CAL, after)) == waited
        assert resolution_due(CAL, before) == tokyo(2026, 12, 7, 17, 0)  # 5 days: Tue-Fri + Mon
        assert resolution_due(CAL, after) == tokyo(2026, 12, 8, 13, 0)

    def test_a_pause_over_a_weekend_costs_nothing_of_the_weekend(self) -> None:
        waited = pause_length(CAL, tokyo(2026, 12, 4, 16, 0), tokyo(2026, 12, 7, 10, 30))
        assert waited == timedelta(hours=1, minutes=30)

    def test_remaining_is_frozen_while_waiting(self) -> None:
        received = tokyo(2026, 12, 1, 10, 0)
        paused = Clock(received_at=received, target=TARGET, paused_since=tokyo(2026, 12, 1, 12, 0))
        assert remaining(CAL, paused, tokyo(2026, 12, 3, 15, 0)) == timedelta(hours=5)
        assert remaining(CAL, paused, tokyo(2026, 12, 9, 15, 0)) == timedelta(hours=5)

    def test_remaining_turns_negative_when_late(self) -> None:
        clock = Clock(received_at=tokyo(2026, 12, 1, 10, 0), target=TARGET)
        assert remaining(CAL, clock, tokyo(2026, 12, 2, 11, 15)) == -timedelta(hours=1, minutes=15)
        assert format_remaining(remaining(CAL, clock, tokyo(2026, 12, 2, 11, 15))) == "-1:15"

    def test_after_the_first_answer_the_resolution_counts(self) -> None:
        clock = Clock(
            received_at=tokyo(2026, 12, 1, 10, 0), target=TARGET, first_responded_at=tokyo(2026, 12, 1, 11, 0)
        )
        assert next_due(CAL, clock) == resolution_due(CAL, clock)

    @given(
        start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31)),  # noqa: DTZ001
        hours=st.floats(min_value=0.25, max_value=70),
        waited=st.integers(min_value=0, max_value=40 * 60),
    )
    def test_due_is_target_plus_pause_in_business_time(
        self, start: datetime, hours: float, waited: int
    ) -> None:
        received = start.replace(tzinfo=TOKYO)
        pause = timedelta(minutes=waited)
        clock = Clock(
            received_at=received, target=Target(first_response_hours=hours, resolution_hours=70), paused=pause
        )
        due = first_response_due(CAL, clock)
        assert business_time_between(CAL, received, due) == timedelta(hours=hours) + pause


class TestTargets:
    def test_the_default_bundle_gives_complaints_a_shorter_target(self) -> None:
        section = _bundle().inquiries
        assert (
            section.target_for("complaint").first_response_hours
            < section.target_for("other").first_response_hours
        )
        assert section.target_for("public_relations") == section.default

    def test_resolution_shorter_than_first_response_is_refused(self) -> None:
        with pytest.raises(ValueError, match="resolution_hours"):
            Inquiries.model_validate({"default": {"first_response_hours": 10, "resolution_hours": 5}})

    def test_unknown_category_in_targets_is_refused(self) -> None:
        with pytest.raises(ValueError, match="complaints"):
            Inquiries.model_validate(
                {"targets": {"complaints": {"first_response_hours": 1, "resolution_hours": 2}}}
            )
