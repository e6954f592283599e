"""People named in a list (a form's text or an uploaded file): one identifier a line, found by blind index.

A line is ``kind:value`` (``email:hanako@example.jp``, ``member_number:M-0001``) or a bare value,
whose kind is guessed: a subject id, an e-mail address (it has ``@``), a phone number (digits,
spaces, ``+``, ``-``, parentheses), else a member number. Nothing is decrypted; each line that does
not name exactly one person is reported by its line number, never by its value (no personal data
in messages that may be logged).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.errors import Conflict, NotFound, ValidationFailed
from mamori.subjects.rules import STANDARD_KINDS
from mamori.subjects.service import find_subject

MAX_LINES = 10_000
_PHONE = re.compile(r"^\+?[\d\s()\-]{6,20}$")


@dataclass
class Found:
    subject_ids: list[uuid.UUID] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line number, code)
    typed: dict[uuid.UUID, str] = field(default_factory=dict, repr=False)  # the line that named each person


def guess(line: str) -> tuple[str, str]:
    """The (kind, value) of one line; kind ``subject_id`` for a bare UUID."""
    kind, sep, value = line.partition(":")
    if sep and kind.strip() in STANDARD_KINDS:
        return kind.strip(), value.strip()
    text = line.strip()
    try:
        uuid.UUID(text)
    except ValueError:
        pass
    else:
        return "subject_id", text
    if "@" in text:
        return "email", text
    if _PHONE.match(text):
        return "phone", text
    return "member_number", text


def resolve_lines(session: Session, settings: Settings, text: str) -> Found:
    """The surviving subject of each non-empty line (duplicates once), and the lines that named no one.

    Problem codes: ``unknown`` (nobody), ``ambiguous`` (several people), ``invalid`` (malformed),
    ``too_many`` (more than 10,000 lines; nothing after is read).
    """
    found, seen = Found(), set()
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        if number > MAX_LINES:
            found.problems.append((number, "too_many"))
            break
        kind, value = guess(raw)
        try:
            subject = (
                find_subject(session, settings, subject_id=uuid.UUID(value))
                if kind == "subject_id"
                else find_subject(session, settings, kind=kind, value=value)
            )
        except NotFound:
            found.problems.append((number, "unknown"))
            continue
        except Conflict:
            found.problems.append((number, "ambiguous"))
            continue
        except ValidationFailed:
            found.problems.append((number, "invalid"))
            continue
        if subject.id not in seen:
            seen.add(subject.id)
            found.subject_ids.append(subject.id)
            found.typed[subject.id] = raw.strip()
    return found
