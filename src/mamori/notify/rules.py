"""Pure rules of the outbox: what may be queued, and what a failed attempt does to a message."""

from __future__ import annotations

import unicodedata
from enum import StrEnum

from mamori.policy.schema import LANGUAGES

MAX_ATTEMPTS = 5
MAX_ADDRESS = 254  # RFC 5321 path limit
MAX_SUBJECT = 500  # the column's width
MAX_PURPOSE = 80
MAX_ERROR = 500
# Control characters and line/paragraph separators would split a header (header injection).
_BREAKING = frozenset({"Cc", "Zl", "Zp"})


class MessageStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


def is_one_line(text: str) -> bool:
    """Whether ``text`` can be a header value: no control characters or line separators."""
    return not any(unicodedata.category(c) in _BREAKING for c in text)


def is_address(address: str) -> bool:
    """Whether ``address`` looks like one mailbox: ``local@domain.tld``, one line, no blanks."""
    local, at, domain = address.rpartition("@")
    well_formed = bool(local and at and "." in domain.strip(".")) and len(address) <= MAX_ADDRESS
    return well_formed and is_one_line(address) and not any(c.isspace() for c in address)


def message_problems(*, to: str, subject: str, language: str, purpose: str) -> list[str]:
    """Every reason the message cannot be queued (header injection, sizes, unknown language)."""
    problems = [] if is_address(to) else ["to: not an e-mail address"]  # never echo the address
    if not subject.strip() or len(subject) > MAX_SUBJECT or not is_one_line(subject):
        problems.append(f"subject: one line of 1 to {MAX_SUBJECT} characters")
    if language not in LANGUAGES:
        problems.append(f"language: one of {', '.join(LANGUAGES)}")
    if not purpose.strip() or len(purpose) > MAX_PURPOSE:
        problems.append(f"purpose: 1 to {MAX_PURPOSE} characters")
    return problems


def status_after_failure(attempts: int, *, max_attempts: int, permanent: bool) -> MessageStatus:
    """A message is given up after ``max_attempts`` tries, or at once when the failure is permanent."""
    if permanent or attempts >= max_attempts:
        return MessageStatus.FAILED
    return MessageStatus.PENDING


def clip_error(text: str) -> str:
    """Fit an error description in the ``last_error`` column."""
    return text if len(text) <= MAX_ERROR else text[: MAX_ERROR - 1] + "…"
