"""Input types shared by every edge (API bodies and queries, pages, CLI): refused early, with a clear error.

They are pydantic ``Annotated`` types, so the OpenAPI document carries the same constraints
(``maxLength``, ``pattern``, ``minimum``/``maximum``) that the server enforces, and a client
generated from it refuses what the server would refuse.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Final, TypeVar

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field

MAX_INT64: Final = 2**63 - 1
MAX_INT32: Final = 2**31 - 1
_D = TypeVar("_D", date, datetime)
EARLIEST_YEAR: Final = 1900
# C0 controls but tab, line feed and carriage return, DEL and the C1 controls: never in stored text
# (PostgreSQL refuses NUL outright; the others garble exports and terminals).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
TEXT_PATTERN: Final = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
LINE_PATTERN: Final = r"^[^\x00-\x1f\x7f-\x9f]*$"
EMAIL_PATTERN: Final = r"^[^@\s\x00-\x1f\x7f-\x9f]+@[^@\s\x00-\x1f\x7f-\x9f]+\.[^@\s\x00-\x1f\x7f-\x9f]+$"
_EMAIL = re.compile(EMAIL_PATTERN)


def control_character(text: str, *, multiline: bool = True) -> int | None:
    """Position of the first disallowed control character in ``text`` (None when there is none)."""
    found = (_CONTROL if multiline else _LINE_CONTROL).search(text)
    return found.start() if found else None


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """A cell a spreadsheet shows as text: one that starts like a formula gets a leading ``'``.

    The OWASP remedy for CSV injection (``=HYPERLINK(...)`` run when the export is opened).
    """
    return "'" + value if value.startswith(_FORMULA_START) else value


def _text(value: str) -> str:
    if control_character(value) is not None:
        msg = "must not contain control characters (such as NUL)"
        raise ValueError(msg)
    return value


def _line(value: str) -> str:
    if control_character(value, multiline=False) is not None:
        msg = "must be one line without control characters (such as NUL)"
        raise ValueError(msg)
    return value


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        msg = "must be an e-mail address (name@example.jp)"
        raise ValueError(msg)
    return value


def _utc(value: datetime) -> datetime:
    """The instant in UTC; refused when the offset pushes it out of range or it is before 1900."""
    if value.tzinfo is None:  # naive: taken as UTC by the services, as before
        return _recent(value)
    try:
        moved = value.astimezone(UTC)
    except OverflowError:
        msg = "is out of range once its time zone offset is applied"
        raise ValueError(msg) from None
    return _recent(moved)


def _recent(value: _D) -> _D:
    if value.year < EARLIEST_YEAR:
        msg = f"must not be before {EARLIEST_YEAR}"
        raise ValueError(msg)
    return value


Text = Annotated[
    str, AfterValidator(_text), Field(max_length=10_000, json_schema_extra={"pattern": TEXT_PATTERN})
]
"""Free text (messages, notes): line breaks and tabs allowed, other control characters not."""
Line = Annotated[
    str, AfterValidator(_line), Field(max_length=500, json_schema_extra={"pattern": LINE_PATTERN})
]
"""One line (names, references, sources): no control character at all."""
UtcDateTime = Annotated[AwareDatetime, AfterValidator(_utc)]
"""An instant with its offset, normalised to UTC; 1900 or later."""
Instant = Annotated[datetime, AfterValidator(_utc)]
"""An instant, normalised to UTC when it has an offset (naive ones are UTC already); 1900 or later."""
RecentDate = Annotated[date, AfterValidator(_recent)]
"""A calendar date of 1900 or later (birth dates, event dates)."""
Offset = Annotated[int, Field(ge=0, le=MAX_INT64)]
"""A position or sequence number: fits a 64-bit database integer."""


def _trimmed(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


Email = Annotated[
    str,
    BeforeValidator(_trimmed),  # a space typed or pasted around an address is not a mistake to refuse
    AfterValidator(_email),
    Field(max_length=254, json_schema_extra={"pattern": EMAIL_PATTERN}),
]
"""An e-mail address (spaces around it dropped): one @, a dot in the domain, no space or control character."""
