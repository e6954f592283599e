"""The service clock of stored inquiries: the centre's calendar, due instants, pauses."""

from __future__ import annotations

from datetime import datetime, timedelta

from mamori.calendar.rules import BusinessCalendar
from mamori.calendar.service import calendar_from_contact_centre
from mamori.inquiries.models import Inquiry
from mamori.inquiries.rules import Clock, first_response_due, pause_length, resolution_due, time_until
from mamori.policy.schema import PolicyBundle
from mamori.policy.sections.inquiries import Target


def centre_calendar(bundle: PolicyBundle) -> BusinessCalendar:
    """The contact centre's hours, closed days and closures from the bundle (via the calendar room)."""
    return calendar_from_contact_centre(bundle.contact_centre)


def clock_of(inquiry: Inquiry) -> Clock:
    return Clock(
        received_at=inquiry.received_at,
        target=Target(
            first_response_hours=inquiry.first_response_hours, resolution_hours=inquiry.resolution_hours
        ),
        paused=timedelta(seconds=inquiry.paused_seconds),
        paused_since=inquiry.paused_since,
        first_responded_at=inquiry.first_responded_at,
    )


def set_due(cal: BusinessCalendar, inquiry: Inquiry) -> None:
    """Store both due instants (UTC) from the inquiry's clock."""
    clock = clock_of(inquiry)
    inquiry.first_response_due_at = first_response_due(cal, clock)
    inquiry.resolution_due_at = resolution_due(cal, clock)


def pause(inquiry: Inquiry, now: datetime) -> None:
    if inquiry.paused_since is None:
        inquiry.paused_since = now


def resume(cal: BusinessCalendar, inquiry: Inquiry, now: datetime) -> None:
    """End a wait: its opening hours move both targets later."""
    if inquiry.paused_since is None:
        return
    waited = pause_length(cal, inquiry.paused_since, now)
    inquiry.paused_seconds += waited.total_seconds()
    inquiry.paused_since = None
    set_due(cal, inquiry)


def time_left(cal: BusinessCalendar, inquiry: Inquiry, now: datetime) -> timedelta:
    """Like :func:`mamori.inquiries.rules.remaining`, from the stored due instants (kept by set_due)."""
    responded = inquiry.first_responded_at is not None
    due = inquiry.resolution_due_at if responded else inquiry.first_response_due_at
    return time_until(cal, due, inquiry.paused_since or now)
