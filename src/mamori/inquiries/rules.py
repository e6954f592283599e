"""Pure rules of inquiries: the lifecycle table and the business-hours service clock.

The clock counts opening hours of the contact centre's calendar from the moment an inquiry was
received. While the inquiry waits for the person, the clock stands still: the paused opening hours
are added to both targets, so a due instant moves later by exactly the time spent waiting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from mamori.calendar.rules import BusinessCalendar, add_business_time, business_time_between
from mamori.errors import InvalidTransition
from mamori.policy.sections.inquiries import INQUIRY_CATEGORIES, Target

CATEGORIES = INQUIRY_CATEGORIES
COMPLAINT = "complaint"
PURPOSE = "inquirer.response"  # the bundle's purpose for answering people who contact us


class Channel(StrEnum):
    WEB_FORM = "web_form"
    EMAIL = "email"
    PHONE = "phone"
    LETTER = "letter"


class State(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    WAITING_FOR_CUSTOMER = "waiting_for_customer"
    ANSWERED = "answered"
    CLOSED = "closed"
    REOPENED = "reopened"
    CONVERTED = "converted"  # became a request case (disclosure, correction, suspension, ...)


class Direction(StrEnum):
    INBOUND = "in"
    OUTBOUND = "out"


_WORKING = {State.ASSIGNED, State.WAITING_FOR_CUSTOMER, State.ANSWERED, State.CLOSED, State.CONVERTED}
TRANSITIONS: dict[State, frozenset[State]] = {
    State.NEW: frozenset({State.ASSIGNED, State.CLOSED, State.CONVERTED}),
    State.ASSIGNED: frozenset(_WORKING),  # re-assigning to another agent stays "assigned"
    State.WAITING_FOR_CUSTOMER: frozenset({State.ASSIGNED, State.ANSWERED, State.CLOSED, State.CONVERTED}),
    State.ANSWERED: frozenset({State.CLOSED, State.REOPENED, State.WAITING_FOR_CUSTOMER}),
    State.CLOSED: frozenset({State.REOPENED}),
    State.REOPENED: frozenset(_WORKING),
    State.CONVERTED: frozenset(),
}
OPEN_STATES = frozenset({State.NEW, State.ASSIGNED, State.WAITING_FOR_CUSTOMER, State.REOPENED})


def check_transition(current: State, wanted: State) -> None:
    """Raises InvalidTransition unless the table allows ``current`` → ``wanted``."""
    if wanted not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none (final state)"
        raise InvalidTransition(
            f"an inquiry cannot go from {current} to {wanted}; allowed from {current}: {allowed}",
            details={"errors": [{"field": "state", "message": f"{current} → {wanted} is not allowed"}]},
        )


@dataclass(frozen=True, slots=True)
class Clock:
    """The timing facts of one inquiry (aware instants)."""

    received_at: datetime
    target: Target
    paused: timedelta = timedelta(0)  # opening hours spent waiting for the person, finished waits
    paused_since: datetime | None = None  # set while waiting now
    first_responded_at: datetime | None = None


def _hours(hours: float) -> timedelta:
    return timedelta(hours=hours)


def first_response_due(cal: BusinessCalendar, clock: Clock) -> datetime:
    """When the first answer is due: receipt + target + paused opening hours."""
    return add_business_time(cal, clock.received_at, _hours(clock.target.first_response_hours) + clock.paused)


def resolution_due(cal: BusinessCalendar, clock: Clock) -> datetime:
    """When the inquiry should be answered in full: receipt + target + paused opening hours."""
    return add_business_time(cal, clock.received_at, _hours(clock.target.resolution_hours) + clock.paused)


def pause_length(cal: BusinessCalendar, since: datetime, until: datetime) -> timedelta:
    """Opening hours of one wait for the person (nothing counts while the centre is closed)."""
    return business_time_between(cal, since, until)


def next_due(cal: BusinessCalendar, clock: Clock) -> datetime:
    """The target that matters now: the first answer until it was given, then the resolution."""
    if clock.first_responded_at is None:
        return first_response_due(cal, clock)
    return resolution_due(cal, clock)


def remaining(cal: BusinessCalendar, clock: Clock, now: datetime) -> timedelta:
    """Opening hours left before :func:`next_due`; negative when late. Frozen while paused."""
    return time_until(cal, next_due(cal, clock), clock.paused_since or now)


def time_until(cal: BusinessCalendar, due: datetime, reference: datetime) -> timedelta:
    """Opening hours from ``reference`` to ``due``; negative (the hours late) when ``due`` has passed."""
    if reference <= due:
        return business_time_between(cal, reference, due)
    return -business_time_between(cal, due, reference)


def format_remaining(left: timedelta) -> str:
    """``3:30`` or ``-1:05``: hours and minutes of business time, for lists."""
    minutes = int(abs(left).total_seconds() // 60)
    sign = "-" if left < timedelta(0) else ""
    return f"{sign}{minutes // 60}:{minutes % 60:02d}"
