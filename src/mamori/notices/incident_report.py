"""A report to the authority as a document: the PPC's nine items (Rule 8) or the PIPL Art. 57 items.

Built as plain data from the report's structured content (what ``incidents.reports`` stores) and the
policy bundle; interfaces render it to HTML and PDF. Japanese is what the PPC receives; the other
languages serve the group's readers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mamori.incidents.messages import fired_label
from mamori.notices import incident_messages as im
from mamori.notices.document import Fact, ItemList, Paragraph, Section, section_text
from mamori.notices.incident_notice import contact_lines
from mamori.notices.receipt import format_instant
from mamori.policy.schema import PolicyBundle

PPC_ITEMS = ("summary", "data_items", "persons", "cause", "secondary_damage", "response_to_individuals",
             "publication", "prevention", "other")  # fmt: skip
PIPL_ITEMS = ("categories", "cause", "harm", "measures", "individual_actions", "contact")
_PIPL_SOURCE = {"categories": "data_items", "measures": "prevention"}


@dataclass(frozen=True, slots=True)
class ReportDocument:
    lang: str
    title: str
    controller: str
    header: tuple[Fact, ...]
    sections: tuple[Section, ...]

    def text(self) -> str:
        lines = [self.title, self.controller]
        lines += [line for fact in self.header for line in (fact.label, *fact.lines)]
        for section in self.sections:
            lines += section_text(section)
        return "\n".join(lines)


def _instant(value: str | None, lang: str) -> str:
    return format_instant(datetime.fromisoformat(value), lang) if value else im.label("r.none", lang)


def _text(value: Any, lang: str) -> tuple[Paragraph, ...]:
    text = str(value).strip() if value else ""
    return tuple(Paragraph(p) for p in text.splitlines() if p.strip()) or (
        Paragraph(im.label("r.none", lang)),
    )


def _header(
    content: Mapping[str, Any], meta: Mapping[str, Any], bundle: PolicyBundle, lang: str
) -> tuple[Fact, ...]:
    incident = content["incident"]
    status = im.label("r.filed" if meta.get("filed_at") else "r.draft", lang)
    triggers = [fired_label(code, lang) for code in incident.get("triggers", [])] or [
        im.label("r.none", lang)
    ]
    rows = [
        Fact(im.label("r.reference", lang), (str(content["reference"]),)),
        Fact(im.label("r.version", lang), (f"{meta.get('version', 1)} ({status})",)),
        Fact(im.label("r.reporter", lang), (bundle.controller.name.get(lang),)),
        Fact(im.label("r.drafted", lang), (_instant(content.get("drafted_at"), lang),)),
        Fact(im.label("r.known", lang), (_instant(incident.get("known_at"), lang),)),
        Fact(im.label("r.occurred", lang), (_instant(incident.get("occurred_at"), lang),)),
        Fact(im.label("r.triggers", lang), tuple(triggers)),
    ]
    if incident.get("systems"):
        rows.append(Fact(im.label("r.systems", lang), tuple(incident["systems"])))
    return tuple(rows)


def _items_blocks(items: Mapping[str, Any], lang: str) -> tuple[ItemList | Paragraph, ...]:
    data = items.get("data_items") or {}
    names = tuple(data.get("names", {}).get(lang, [])) or (im.label("r.none", lang),)
    blocks: list[ItemList | Paragraph] = [ItemList(names)]
    special = data.get("special_care") or []
    if special:
        blocks.append(Paragraph(f"{im.label('r.special_care', lang)}: {', '.join(special)}"))
    encrypted = "✓" if data.get("advanced_encryption") else "—"
    blocks.append(Paragraph(f"{im.label('r.encrypted', lang)}: {encrypted}"))
    return tuple(blocks)


def _persons_blocks(items: Mapping[str, Any], lang: str) -> tuple[Paragraph, ...]:
    persons = items.get("persons") or {}
    return (
        Paragraph(f"{im.label('r.known_persons', lang)}: {persons.get('known', 0):,}"),
        Paragraph(f"{im.label('r.max_persons', lang)}: {persons.get('max', 0):,}"),
    )


def _ppc_section(key: str, content: Mapping[str, Any], lang: str) -> Section:
    items = content["items"]
    if key == "data_items":
        blocks: tuple[Any, ...] = _items_blocks(items, lang)
    elif key == "persons":
        blocks = _persons_blocks(items, lang)
    elif key == "summary":
        found = content["incident"].get("how_found")
        how = (Paragraph(f"{im.label('r.how_found', lang)}: {found}"),) if found else ()
        blocks = _text(items.get("summary"), lang) + how
    else:
        blocks = _text(items.get(key), lang)
    return Section(key, im.label(f"i.{key}", lang), blocks)


def _pipl_section(key: str, content: Mapping[str, Any], bundle: PolicyBundle, lang: str) -> Section:
    items = content["items"]
    if key == "categories":
        blocks: tuple[Any, ...] = _items_blocks(items, lang) + _persons_blocks(items, lang)
    elif key == "contact":
        blocks = tuple(Paragraph(line) for line in contact_lines(bundle, lang, str(content["reference"])))
    else:
        blocks = _text(items.get(_PIPL_SOURCE.get(key, key)), lang)
    return Section(key, im.label(f"p.{key}", lang), blocks)


def report_document(
    content: Mapping[str, Any], meta: Mapping[str, Any], bundle: PolicyBundle, lang: str = "ja"
) -> ReportDocument:
    """The report in ``lang``; ``meta`` carries ``version`` and ``filed_at`` of the stored report."""
    authority, stage = content["authority"], content["stage"]
    if authority == "pipl":
        sections = tuple(_pipl_section(key, content, bundle, lang) for key in PIPL_ITEMS)
    else:
        sections = tuple(_ppc_section(key, content, lang) for key in PPC_ITEMS)
    return ReportDocument(
        lang=lang, title=im.label(f"report.{authority}.{stage}", lang),
        controller=bundle.controller.name.get(lang), header=_header(content, meta, bundle, lang),
        sections=sections,
    )  # fmt: skip
