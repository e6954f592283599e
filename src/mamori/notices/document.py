"""A rendered notice as plain data: sections of paragraphs, lists, facts, tables and entries.

Interfaces turn a document into HTML (and HTML into PDF); nothing here knows about markup.
Every block carries a ``kind`` so that a template can choose how to show it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str
    kind: Literal["paragraph"] = "paragraph"


@dataclass(frozen=True, slots=True)
class ItemList:
    items: tuple[str, ...]
    ordered: bool = False
    kind: Literal["list"] = "list"


@dataclass(frozen=True, slots=True)
class Fact:
    """One labelled value; a value of several lines (an address, a list of companies) keeps its lines."""

    label: str
    lines: tuple[str, ...]
    href: str | None = None


@dataclass(frozen=True, slots=True)
class Facts:
    rows: tuple[Fact, ...]
    kind: Literal["facts"] = "facts"


@dataclass(frozen=True, slots=True)
class Table:
    """Rows of cells; the caption names the table for screen readers (the heading above shows it)."""

    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    kind: Literal["table"] = "table"


@dataclass(frozen=True, slots=True)
class Badge:
    """A short mark beside an entry: consent needed, camera images, a sample record."""

    text: str
    tone: Literal["consent", "flag", "sample"]


@dataclass(frozen=True, slots=True)
class Entry:
    text: str
    facts: tuple[Fact, ...] = ()
    badges: tuple[Badge, ...] = ()


@dataclass(frozen=True, slots=True)
class Entries:
    """A numbered run of entries, such as the purposes of one category of person."""

    entries: tuple[Entry, ...]
    kind: Literal["entries"] = "entries"


Block = Paragraph | ItemList | Facts | Table | Entries


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    heading: str
    blocks: tuple[Block, ...] = ()
    subsections: tuple[Section, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class PrivacyNotice:
    """The public privacy notice of one published policy version, in one language."""

    title: str
    lang: str
    controller: str
    enacted: str
    version_number: int
    content_hash: str
    authoritative_note: str
    sections: tuple[Section, ...]

    def text(self) -> str:
        """Every text of the notice, one per line: for search, plain-text mail and tests."""
        lines = [self.title, self.controller, self.enacted, self.authoritative_note]
        for section in self.sections:
            lines.extend(_section_text(section))
        return "\n".join(lines)


def section_text(section: Section) -> list[str]:
    """Every text of one section and its subsections, one per line."""
    return _section_text(section)


def _section_text(section: Section) -> list[str]:
    lines = [section.heading]
    for block in section.blocks:
        lines.extend(_block_text(block))
    for sub in section.subsections:
        lines.extend(_section_text(sub))
    return lines


def _facts_text(rows: tuple[Fact, ...]) -> list[str]:
    return [line for fact in rows for line in (fact.label, *fact.lines)]


def _block_text(block: Block) -> list[str]:
    if isinstance(block, Paragraph):
        return [block.text]
    if isinstance(block, ItemList):
        return list(block.items)
    if isinstance(block, Facts):
        return _facts_text(block.rows)
    if isinstance(block, Table):
        return [block.caption, *block.headers, *(cell for row in block.rows for cell in row)]
    lines: list[str] = []
    for entry in block.entries:
        lines.append(entry.text)
        lines.extend(_facts_text(entry.facts))
        lines.extend(badge.text for badge in entry.badges)
    return lines
