"""Notices about an incident in the reader's language: the letter to one person and the public statement.

A letter carries the items the law asks for: APPI Rule 10 (summary, the data items, cause, harm that
followed or may follow, other: reference and contact) and PIPL Art. 57 (categories, cause, possible
harm, the measures taken, what the person can do, how to reach us). Texts written by the privacy office
are given per language; where one is missing the standard sentence in that language stands in, so
that every part of a letter is in the reader's language. No letter names the person.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from mamori.notices import incident_messages as im
from mamori.notices import messages as m
from mamori.notices.document import ItemList, Paragraph, Section, section_text
from mamori.policy.schema import PolicyBundle

WRITTEN_TEXTS = ("summary", "cause", "harm", "measures", "can_do")


@dataclass(frozen=True, slots=True)
class NoticeFacts:
    """What the notice says about the incident: codes, dates, counts and the office's own texts."""

    reference: str
    kind: str
    suspected: bool
    known_on: date
    occurred_on: date | None = None
    item_ids: tuple[str, ...] = ()
    persons_max: int = 0
    texts: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # lang -> text key -> text


@dataclass(frozen=True, slots=True)
class Letter:
    lang: str
    subject: str
    title: str
    sections: tuple[Section, ...]

    def text(self) -> str:
        """The plain-text body: title, then every section (used for e-mail and tests)."""
        lines = [self.title, ""]
        for section in self.sections:
            lines += [*(line for line in section_text(section) if line), ""]
        return "\n".join(lines).rstrip() + "\n"


def _written(facts: NoticeFacts, lang: str, key: str) -> str | None:
    text = facts.texts.get(lang, {}).get(key)
    return text.strip() if text and text.strip() else None


def _kind(facts: NoticeFacts, lang: str) -> str:
    return im.label(f"kind.{facts.kind}", lang)


def _summary(facts: NoticeFacts, lang: str) -> tuple[str, ...]:
    key = "summary_suspected" if facts.suspected else "summary_actual"
    lines = [im.label(key, lang).format(known=m.long_date(facts.known_on, lang), kind=_kind(facts, lang))]
    if facts.occurred_on is not None:
        lines.append(im.label("occurred", lang).format(occurred=m.long_date(facts.occurred_on, lang)))
    if written := _written(facts, lang, "summary"):
        lines.append(written)
    return tuple(lines)


def _items(facts: NoticeFacts, bundle: PolicyBundle, lang: str) -> tuple[str, ...]:
    names = {item.id: item.name.get(lang) for item in bundle.data_items}
    return tuple(names.get(item, item) for item in facts.item_ids) or (im.label("pending", lang),)


def _paragraphs(*texts: str) -> tuple[Paragraph, ...]:
    return tuple(Paragraph(text) for text in texts)


def contact_lines(bundle: PolicyBundle, lang: str, reference: str) -> tuple[str, ...]:
    centre = bundle.contact_centre
    lines = [bundle.controller.name.get(lang), centre.name.get(lang)]
    lines.append(im.label("hours", lang).format(opens=centre.opens, closes=centre.closes))
    lines += [centre.inquiry_url] if centre.inquiry_url else []
    lines.append(im.label("reference", lang).format(reference=reference))
    return tuple(lines)


def _body(facts: NoticeFacts, bundle: PolicyBundle, lang: str) -> list[Section]:
    def text(key: str, default: str) -> str:
        return _written(facts, lang, key) or im.label(default, lang)

    return [
        Section("summary", im.label("h.summary", lang), _paragraphs(*_summary(facts, lang))),
        Section("items", im.label("h.items", lang), (ItemList(_items(facts, bundle, lang)),)),
        Section("cause", im.label("h.cause", lang), _paragraphs(text("cause", "pending"))),
        Section("harm", im.label("h.harm", lang), _paragraphs(text("harm", "no_harm_known"))),
        Section("measures", im.label("h.measures", lang), _paragraphs(text("measures", "measures_default"))),
        Section("can_do", im.label("h.can_do", lang), _paragraphs(text("can_do", "can_do_default"))),
    ]


def individual_notice(facts: NoticeFacts, bundle: PolicyBundle, lang: str) -> Letter:
    """The letter or e-mail to one person affected, in ``lang``."""
    contact = Section(
        "contact", im.label("h.contact", lang), _paragraphs(*contact_lines(bundle, lang, facts.reference))
    )
    subject = im.label("mail_subject", lang).format(kind=_kind(facts, lang), reference=facts.reference)
    greeting = Section("greeting", "", _paragraphs(im.label("greeting", lang)))
    return Letter(lang, subject, subject, (greeting, *_body(facts, bundle, lang), contact))


def public_statement(facts: NoticeFacts, bundle: PolicyBundle, lang: str) -> Letter:
    """The public statement and its inquiry desk, for when not everyone can be told one by one."""
    title = im.label("statement_title", lang).format(kind=_kind(facts, lang))
    intro = Section("intro", "", _paragraphs(im.label("statement_intro", lang)))
    body = _body(facts, bundle, lang)
    if facts.persons_max:
        count = im.label("persons", lang).format(count=f"{facts.persons_max:,}")
        body[1] = Section("items", body[1].heading, (*body[1].blocks, Paragraph(count)))
    centre = bundle.contact_centre.name.get(lang)
    desk_text = im.label("desk_text", lang).format(centre=centre, reference=facts.reference)
    desk = Section("desk", im.label("desk_title", lang),
                   _paragraphs(desk_text, *contact_lines(bundle, lang, facts.reference)))  # fmt: skip
    return Letter(lang, title, title, (intro, *body, desk))
