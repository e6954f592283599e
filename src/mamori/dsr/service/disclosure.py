"""The data a letter discloses: from Mamori's own records, provision records and the organisation's systems.

Answering a request is a legal duty (APPI Art. 32-33, PIPL Art. 45), so the subject's data is
decrypted here for the letter only and the compilation is audited with counts, never values.
Provision records come from the provisions room; the organisation's systems from the access run
that the decision started in fulfillment: one readable table (or list) per system and dataset,
each field labelled with its data item in the letter's language, and for an electronic answer
the same package as a JSON file inside the PDF.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.consents.suspensions import list_suspensions
from mamori.dsr.models import Case
from mamori.dsr.rules import ACCESSING, DISCLOSING, RequestKind
from mamori.dsr.service import common, searches
from mamori.fulfillment.package import LetterTable, letter_section, package_json
from mamori.fulfillment.schemas import RunRead
from mamori.fulfillment.service import get_run
from mamori.notices import letter_messages as t
from mamori.notices import messages as m
from mamori.notices.document import Block, Fact, Facts, Paragraph, Section, Table
from mamori.notices.pdf import Attachment
from mamori.notices.receipt import format_instant, receipt_for_subject
from mamori.policy.schema import PolicyBundle
from mamori.provisions.service import list_records_for_subject
from mamori.subjects.models import Subject, SubjectIdentifier
from mamori.subjects.repository import merged_ids
from mamori.subjects.service import NAME_CONTEXT, VALUE_CONTEXT
from mamori.subjects.validation import FieldError, refuse

K = RequestKind
TABLE_COLUMNS = 7  # a dataset with more columns prints one list per record (a table that wide is unreadable)


@dataclass(frozen=True, slots=True)
class Disclosed:
    """The sections of the letter and the files its PDF carries."""

    sections: tuple[Section, ...]
    attachments: tuple[Attachment, ...] = ()


def _table(heading_key: str, lang: str, headers: Iterable[str], rows: Sequence[tuple[str, ...]]) -> Section:
    heading = t.label(heading_key, lang)
    if not rows:
        return Section(heading_key, heading, (Paragraph(t.label("none", lang)),))
    labels = tuple(t.label(f"col.{h}", lang) for h in headers)
    return Section(heading_key, heading, (Table(heading, labels, tuple(rows)),))


def _categories(session: Session, case: Case) -> set[str] | None:
    subject = session.get(Subject, case.subject_id) if case.subject_id else None
    return {c.category for c in subject.categories} if subject is not None else None


def purposes_section(bundle: PolicyBundle, categories: set[str] | None, lang: str) -> Section:
    """The purposes for the person's categories (all categories when the person is not on record)."""
    rows = [
        (p.text.get(lang), m.period(p.retention, lang))
        for c in bundle.subject_categories
        if categories is None or c.id in categories
        for p in c.purposes
    ]
    return _table("purposes", lang, ("item", "retention"), rows)


def _rules_section(bundle: PolicyBundle, categories: set[str] | None, lang: str) -> Section:
    purposes = purposes_section(bundle, categories, lang)
    blocks = (
        Paragraph(bundle.preamble.get(lang)),
        Paragraph(bundle.third_party_provision.statement.get(lang)),
        Paragraph(bundle.outsourcing.statement.get(lang)),
    )
    return Section("rules", t.label("rules", lang), blocks, (purposes,))


def _profile(session: Session, case: Case, bundle: PolicyBundle, settings: Settings | None) -> Section:
    lang, cipher = case.language, common.cipher(settings)
    subject = session.get_one(Subject, case.subject_id)
    names = {c.id: c.name.get(lang) for c in bundle.subject_categories}
    rows: list[Fact] = []
    if subject.name_encrypted:
        rows.append(
            Fact(t.label("name", lang), (cipher.decrypt(subject.name_encrypted, context=NAME_CONTEXT),))
        )
    rows.append(
        Fact(
            t.label("categories", lang), tuple(names.get(c.category, c.category) for c in subject.categories)
        )
    )
    identifiers = session.scalars(
        select(SubjectIdentifier).where(SubjectIdentifier.subject_id.in_(merged_ids(session, subject.id)))
    )
    values = tuple(
        f"{i.kind}: {cipher.decrypt(i.value_encrypted, context=VALUE_CONTEXT)}" for i in identifiers
    )
    if values:
        rows.append(Fact(t.label("identifiers", lang), values))
    return Section("profile", t.label("profile", lang), (Facts(tuple(rows)),))


def _consents(session: Session, subject_id: uuid.UUID, lang: str) -> Section:
    receipt = receipt_for_subject(session, subject_id, lang)
    rows = [(c.title, c.state, c.date) for c in receipt.consents]
    return _table("consents", lang, ("scope", "state", "date"), rows)


def _suspensions(session: Session, subject_id: uuid.UUID, lang: str) -> Section:
    rows = []
    for item in list_suspensions(session, subject_id):
        end = item.lifted_at or item.ends_at
        rows.append(
            (item.scope, format_instant(item.starts_at, lang), format_instant(end, lang) if end else "-")
        )
    return _table("suspensions", lang, ("scope", "since", "until"), rows)


def _party_name(party: dict[str, Any], lang: str) -> str:
    name = party.get("name")
    if isinstance(name, dict):
        return str(name.get(lang) or name.get("ja") or party.get("key", "-"))
    return str(name or party.get("key", "-"))


def _provisions(session: Session, subject_id: uuid.UUID, bundle: PolicyBundle, lang: str) -> Section:
    """APPI Art. 33(5): the records of provision to and receipt from third parties."""
    names = {item.id: item.name.get(lang) for item in bundle.data_items}
    rows = [
        (
            t.label(f"record.{r.kind}", lang),
            format_instant(r.at, lang),
            _party_name(r.party, lang),
            m.join([names.get(i, i) for i in r.items], lang),
        )
        for r in list_records_for_subject(session, subject_id)
    ]
    return _table("provisions", lang, ("kind", "date", "party", "item"), rows)


def _access_run(session: Session, case: Case, settings: Settings | None) -> RunRead | None:
    """The completed access run of the case; None when no search ran, once the statement allows it.

    Raises:
        ValidationFailed: the run has not completed, or no search ran and the privacy officer has
            not recorded that the data is held nowhere else (``systems``): the letter waits.
    """
    task = searches.access_task(session, case)
    if task is None or task.run_id is None:
        searches.refuse_unsearched(case, task)
        return None
    run = get_run(session, task.run_id, settings=settings)
    if run.status != "completed":
        failed = [s.system for s in run.systems if s.status == "failed"]
        why = f"failed in {', '.join(failed)}; retry the run" if failed else "not finished; the letter waits"
        refuse(
            [FieldError("systems", f"the search of the systems (run {run.id}) is {run.status}: {why}")],
            "the letter",
        )
    return run


def searched_section(case: Case, bundle: PolicyBundle, run: RunRead | None) -> Section:
    """Where the organisation looked: the systems searched, or the privacy officer's statement."""
    lang = case.language
    if run is not None:
        names = {system.id: system.name.get(lang) for system in bundle.datamap}
        systems = m.join([names.get(s.system, s.system) for s in run.systems], lang)
        text = t.label("searched.systems", lang).format(systems=systems)
    else:
        when = case.held_nowhere_else_at
        day = m.long_date(common.tokyo_date(when), lang) if when else "-"
        text = t.label("searched.nowhere_else", lang).format(date=day, reason=case.held_nowhere_else_reason)
    return Section("searched", t.label("searched", lang), (Paragraph(text),))


def records_section(index: int, table: LetterTable) -> Section:
    """One dataset: a table, or for a wide one a list of labelled values per record."""
    blocks: tuple[Block, ...]
    if len(table.labels) <= TABLE_COLUMNS:
        blocks = (Table(table.heading, tuple(table.labels), tuple(tuple(row) for row in table.rows)),)
    else:
        blocks = tuple(
            Facts(tuple(Fact(label, (cell,)) for label, cell in zip(table.labels, row, strict=True) if cell))
            for row in table.rows
        )
    return Section(f"systems.{index}", table.heading, blocks)


def _systems(session: Session, case: Case, bundle: PolicyBundle, settings: Settings | None) -> Disclosed:
    run = _access_run(session, case, settings)
    searched = searched_section(case, bundle, run)
    if run is None or run.package is None:
        return Disclosed((searched,))
    lang, found = case.language, letter_section(run.package)
    blocks: list[Block] = [Paragraph(found.intro)]
    attachments: tuple[Attachment, ...] = ()
    if case.response_method == "electronic":
        name = f"{case.reference}-data.json"
        blocks.append(Paragraph(t.label("systems.attached", lang).format(name=name)))
        content = package_json(run.package).encode()
        attachments = (Attachment(name, content, t.label("systems", lang)),)
    subsections = tuple(records_section(i, table) for i, table in enumerate(found.tables, start=1))
    found_section = Section("systems", t.label("systems", lang), tuple(blocks), subsections)
    return Disclosed((searched, found_section), attachments)


def disclose(session: Session, case: Case, *, actor: str, settings: Settings | None = None) -> Disclosed:
    """What the letter of an accepted request discloses, by request type.

    Raises:
        ValidationFailed: the search of the organisation's systems has not completed (``systems``).
    """
    bundle, kind, lang = common.policy(session), RequestKind(case.request_type), case.language
    if kind is K.PURPOSE_NOTIFICATION:
        return Disclosed((purposes_section(bundle, _categories(session, case), lang),))
    if kind is K.EXPLANATION:
        return Disclosed((_rules_section(bundle, _categories(session, case), lang),))
    if case.subject_id is None and kind in ACCESSING:  # nobody on record: no search could run
        searches.refuse_unsearched(case, None)
        return Disclosed((searched_section(case, bundle, None),))
    if case.subject_id is None or kind not in DISCLOSING | {K.DECEASED_NEXT_OF_KIN}:
        return Disclosed(())
    found: list[Section] = []
    systems = Disclosed(())
    if kind is not K.PROVISION_RECORD_DISCLOSURE:
        systems = _systems(session, case, bundle, settings)
        found += [
            _profile(session, case, bundle, settings),
            _consents(session, case.subject_id, lang),
            _suspensions(session, case.subject_id, lang),
            *systems.sections,
        ]
    found.append(_provisions(session, case.subject_id, bundle, lang))
    common.audit(
        session,
        case,
        actor=actor,
        action="request.disclosure_compiled",
        sections=[section.id for section in found],
        attachments=[a.name for a in systems.attachments],
    )
    return Disclosed(tuple(found), systems.attachments)
