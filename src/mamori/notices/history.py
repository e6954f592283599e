"""The policy's history for the public: every published version as it was, diffs, and an Atom feed.

A version published with a later effective date (announced in advance, as joint-use and purpose
changes need) is listed with that date before it takes effect. Diffs compare the notices as a
reader sees them in one language, line by line, so a change reads as the sentences that changed.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal
from xml.etree import ElementTree as ET

from sqlalchemy.orm import Session

from mamori.notices.document import PrivacyNotice
from mamori.notices.privacy import build_privacy_notice
from mamori.policy.models import PolicyVersion
from mamori.policy.service import bundle_of, current_version, get_version, list_versions

ATOM = "http://www.w3.org/2005/Atom"
CONTEXT_LINES = 2


@dataclass(frozen=True, slots=True)
class VersionEntry:
    number: int
    effective_date: date
    published_at: datetime
    content_hash: str
    state: Literal["in_force", "announced", "past"]
    summary: str


def _summary(version: PolicyVersion, lang: str) -> str:
    revisions = sorted(bundle_of(version).revisions, key=lambda r: r.date)
    return revisions[-1].summary.get(lang) if revisions else ""


def policy_history(session: Session, lang: str, *, today: date | None = None) -> list[VersionEntry]:
    """Every published version, newest first, each marked in force, announced (not yet) or past."""
    in_force = current_version(session, on=today)
    entries: list[VersionEntry] = []
    for version in reversed(list_versions(session)):
        if in_force is not None and version.number == in_force.number:
            state: Literal["in_force", "announced", "past"] = "in_force"
        elif in_force is None or version.number > in_force.number:
            state = "announced"
        else:
            state = "past"
        entries.append(VersionEntry(version.number, version.effective_date, version.published_at,
                                    version.content_hash, state, _summary(version, lang)))  # fmt: skip
    return entries


def notice_as_published(session: Session, number: int, lang: str) -> PrivacyNotice:
    """The notice of version ``number`` in ``lang``, as it read then. Raises NotFound."""
    version = get_version(session, str(number))
    return build_privacy_notice(
        bundle_of(version), lang, version_number=version.number, content_hash=version.content_hash
    )


@dataclass(frozen=True, slots=True)
class DiffLine:
    """One line of a readable diff; ``skipped`` lines stand for that many unchanged ones."""

    op: Literal["same", "added", "removed", "skipped"]
    text: str = ""
    skipped: int = 0


def _lines(notice: PrivacyNotice) -> list[str]:
    return [line for line in notice.text().splitlines() if line.strip()]


def diff_lines(old: list[str], new: list[str]) -> list[DiffLine]:
    """Lines removed and added, with a little unchanged context around each change."""
    out: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            out += _context(old[i1:i2], first=not out, last=i2 == len(old))
            continue
        out += [DiffLine("removed", line) for line in old[i1:i2]]
        out += [DiffLine("added", line) for line in new[j1:j2]]
    return out


def _context(same: list[str], *, first: bool, last: bool) -> list[DiffLine]:
    head = [] if first else same[:CONTEXT_LINES]
    tail = [] if last else same[-CONTEXT_LINES:]
    if len(head) + len(tail) >= len(same):
        return [DiffLine("same", line) for line in same]
    hidden = len(same) - len(head) - len(tail)
    return [*(DiffLine("same", x) for x in head), DiffLine("skipped", skipped=hidden),
            *(DiffLine("same", x) for x in tail)]  # fmt: skip


def notice_diff(session: Session, old: int, new: int, lang: str) -> list[DiffLine]:
    """What changed in the notice in ``lang`` from version ``old`` to ``new``. Raises NotFound."""
    before, after = notice_as_published(session, old, lang), notice_as_published(session, new, lang)
    return diff_lines(_lines(before), _lines(after))


def atom_feed(entries: list[VersionEntry], *, title: str, lang: str, base_url: str) -> bytes:
    """An Atom feed of the revisions (newest first), each linking to its page in ``lang``."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": lang})
    _sub(feed, "title", title)
    _sub(feed, "id", f"{base_url}/privacy/history.atom?lang={lang}")
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=f"{base_url}/privacy/history.atom?lang={lang}")
    newest = max((e.published_at for e in entries), default=datetime(2000, 1, 1, tzinfo=UTC))
    _sub(feed, "updated", _instant(newest))
    ET.SubElement(_sub(feed, "author", ""), f"{{{ATOM}}}name").text = title
    for entry in entries:
        item = _sub(feed, "entry", "")
        link = f"{base_url}/privacy/history/{entry.number}?lang={lang}"
        _sub(item, "id", f"urn:mamori:policy:{entry.content_hash}")
        _sub(item, "title", f"v{entry.number} — {entry.effective_date.isoformat()}")
        ET.SubElement(item, f"{{{ATOM}}}link", href=link)
        _sub(item, "updated", _instant(entry.published_at))
        _sub(item, "summary", entry.summary or entry.effective_date.isoformat())
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return body


def _sub(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}")
    if text:
        element.text = text
    return element


def _instant(value: datetime) -> str:
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat().replace("+00:00", "Z")
