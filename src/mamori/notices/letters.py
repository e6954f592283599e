"""Response letters to requests about personal data, as plain data, HTML and PDF, in four languages.

The dsr room gathers the facts (the case, the decision, the data to disclose) into a
:class:`LetterInput`; this module words them in the requester's language and renders them. The HTML
is built here with escaping (domain rooms do not use the web templates) and turned into PDF by
:mod:`mamori.notices.pdf`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from html import escape

from mamori.notices import letter_messages as t
from mamori.notices import messages as m
from mamori.notices.document import Block, Fact, Facts, Paragraph, Section, Table
from mamori.notices.pdf import Attachment, html_to_pdf
from mamori.policy.schema import LANGUAGES, PolicyBundle


@dataclass(frozen=True, slots=True)
class LetterInput:
    """What the letter says, in codes and values; the wording is chosen by language here."""

    lang: str
    reference: str
    addressee: str
    requester_kind: str
    request_type: str
    received_on: date
    answered_on: date
    outcome: str
    reasons: tuple[str, ...] = ()
    explanation: str | None = None
    ground: str | None = None
    erasure: bool = False
    my_number_front_only: bool = False
    fee_yen: int = 0
    disclosures: tuple[Section, ...] = field(default_factory=tuple)
    attachments: tuple[Attachment, ...] = ()  # files the PDF carries (the access package as JSON)


@dataclass(frozen=True, slots=True)
class ResponseLetter:
    lang: str
    title: str
    sender: tuple[str, ...]
    addressee: str
    facts: tuple[Fact, ...]
    sections: tuple[Section, ...]
    attachments: tuple[Attachment, ...] = ()

    def text(self) -> str:
        """Every text of the letter, one per line (for tests and plain-text mail)."""
        lines = [self.title, *self.sender, self.addressee]
        lines += [line for fact in self.facts for line in (fact.label, *fact.lines)]
        for section in self.sections:
            lines += _section_lines(section)
        return "\n".join(lines)


def _section_lines(section: Section) -> list[str]:
    lines = [section.heading]
    for block in section.blocks:
        if isinstance(block, Paragraph):
            lines.append(block.text)
        elif isinstance(block, Facts):
            lines += [line for fact in block.rows for line in (fact.label, *fact.lines)]
        elif isinstance(block, Table):
            lines += [*block.headers, *(cell for row in block.rows for cell in row)]
    for sub in section.subsections:
        lines += _section_lines(sub)
    return lines


def _request_name(bundle: PolicyBundle, request_type: str, lang: str) -> str:
    kind = next((k for k in bundle.requests.types if k.id == request_type), None)
    return kind.name.get(lang) if kind else request_type


def _requester_name(bundle: PolicyBundle, kind: str, lang: str) -> str:
    requester = next((r for r in bundle.requests.requesters if r.id == kind), None)
    return requester.name.get(lang) if requester else kind


def _request_section(bundle: PolicyBundle, letter: LetterInput) -> Section:
    lang = letter.lang
    rows = [
        Fact(t.label("request_type", lang), (_request_name(bundle, letter.request_type, lang),)),
        Fact(t.label("received", lang), (m.long_date(letter.received_on, lang),)),
    ]
    if letter.ground:
        rows.append(Fact(t.label("ground", lang), (t.label(f"ground.{letter.ground}", lang),)))
    if letter.erasure:
        rows.append(Fact(t.label("erasure", lang), (m.yes_no(value=True, lang=lang),)))
    if letter.fee_yen:
        amount = t.label("fee_amount", lang).format(amount=f"{letter.fee_yen:,}")
        rows.append(Fact(t.label("fee", lang), (amount,)))
    return Section("request", t.label("request", lang), (Facts(tuple(rows)),))


def _decision_section(letter: LetterInput) -> Section:
    lang = letter.lang
    blocks: list[Block] = [Paragraph(t.label(f"outcome.{letter.outcome}", lang))]
    subsections: list[Section] = []
    if letter.reasons:
        reasons = tuple(Paragraph(t.label(f"reason.{code}", lang)) for code in letter.reasons)
        subsections.append(Section("reasons", t.label("reasons", lang), reasons))
    if letter.explanation:
        subsections.append(
            Section("explanation", t.label("explanation", lang), (Paragraph(letter.explanation),))
        )
    if letter.my_number_front_only:
        blocks.append(Paragraph(t.label("my_number", lang)))
    return Section("decision", t.label("decision", lang), tuple(blocks), tuple(subsections))


def _contact_section(bundle: PolicyBundle, lang: str) -> Section:
    reception = bundle.requests.reception
    lines = [reception.name.get(lang)]
    if reception.address is not None:
        lines.append(reception.address.get(lang))
    centre = bundle.contact_centre
    lines.append(m.hours(centre.opens, centre.closes, lang))
    return Section("contact", t.label("contact", lang), tuple(Paragraph(line) for line in lines))


def build_response_letter(bundle: PolicyBundle, letter: LetterInput) -> ResponseLetter:
    """The letter in ``letter.lang``: addressee, request, decision and reasons, disclosed data, contact.

    Raises:
        ValueError: the language is not one of the four.
    """
    lang = letter.lang
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    addressee = t.label("dear", lang).format(name=letter.addressee)
    if letter.requester_kind != "self":
        whom = _requester_name(bundle, letter.requester_kind, lang)
        addressee = f"{addressee} {t.label('on_behalf', lang).format(whom=whom)}"
    intro = t.label("intro", lang).format(received=m.long_date(letter.received_on, lang))
    sections = [
        Section("intro", t.label("title", lang), (Paragraph(intro),)),
        _request_section(bundle, letter),
        _decision_section(letter),
    ]
    if letter.disclosures:
        sections.append(Section("disclosed", t.label("disclosed", lang), (), letter.disclosures))
    sections.append(_contact_section(bundle, lang))
    return ResponseLetter(
        lang=lang,
        title=t.label("title", lang),
        sender=(bundle.controller.name.get(lang), bundle.requests.reception.name.get(lang)),
        addressee=addressee,
        facts=(
            Fact(t.label("reference", lang), (letter.reference,)),
            Fact(t.label("date", lang), (m.long_date(letter.answered_on, lang),)),
        ),
        sections=tuple(sections),
        attachments=letter.attachments,
    )


_CSS = """
h1 { font-size: 16pt; margin: 0 0 12pt; }
h2 { font-size: 12pt; margin: 14pt 0 4pt; border-bottom: .5pt solid #888; }
h3 { font-size: 10.5pt; margin: 10pt 0 2pt; }
.sender { text-align: right; }
.addressee { font-size: 11pt; margin: 12pt 0; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0; }
th, td { border: .5pt solid #999; padding: 2pt 4pt; text-align: left; vertical-align: top; }
td { overflow-wrap: anywhere; }
dl { margin: 0; } dt { font-weight: bold; } dd { margin: 0 0 4pt 12pt; }
dl + dl { border-top: .5pt solid #ccc; padding-top: 4pt; }
tr { break-inside: avoid; }
section.records table, section.records dl { font-size: 8.5pt; }
"""


def _html_block(block: Block) -> str:
    if isinstance(block, Paragraph):
        return f"<p>{escape(block.text)}</p>"
    if isinstance(block, Facts):
        rows = "".join(
            f"<dt>{escape(f.label)}</dt>" + "".join(f"<dd>{escape(line)}</dd>" for line in f.lines)
            for f in block.rows
        )
        return f"<dl>{rows}</dl>"
    if isinstance(block, Table):
        head = "".join(f"<th>{escape(h)}</th>" for h in block.headers)
        body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in block.rows)
        # The header row is repeated on every page a long table runs over.
        return (
            f"<table><caption hidden>{escape(block.caption)}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        )
    return ""


def _html_section(section: Section, level: int) -> str:
    parts = [f"<h{level}>{escape(section.heading)}</h{level}>"]
    parts += [_html_block(block) for block in section.blocks]
    parts += [_html_section(sub, min(level + 1, 4)) for sub in section.subsections]
    kind = ' class="records"' if section.id.startswith("systems.") else ""
    return f'<section id="{escape(section.id)}"{kind}>{"".join(parts)}</section>'


def letter_html(letter: ResponseLetter) -> str:
    """The letter as one HTML document with ``lang`` set, for the PDF renderer."""
    sender = "".join(f"<div>{escape(line)}</div>" for line in letter.sender)
    facts = "".join(f"<div>{escape(f.label)}: {escape(' '.join(f.lines))}</div>" for f in letter.facts)
    intro, *rest = letter.sections
    body = "".join(_html_section(section, 2) for section in rest)
    return (
        f'<!doctype html><html lang="{escape(letter.lang)}"><head><meta charset="utf-8">'
        f"<title>{escape(letter.title)}</title><style>{_CSS}</style></head><body>"
        f'<div class="sender">{sender}{facts}</div><p class="addressee">{escape(letter.addressee)}</p>'
        f"<h1>{escape(intro.heading)}</h1>{''.join(_html_block(b) for b in intro.blocks)}{body}</body></html>"
    )


def letter_pdf(letter: ResponseLetter) -> bytes:
    """The letter as PDF (CJK fonts by language, text extractable), with its attachments embedded."""
    return html_to_pdf(letter_html(letter), attachments=letter.attachments)
