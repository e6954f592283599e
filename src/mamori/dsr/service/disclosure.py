"""The data a letter discloses: from Mamori's own records, provision records and the organisation's systems.

Answering a request is a legal duty (APPI Art. 32-33, PIPL Art. 45), so the subject's data is
decrypted here for the letter only and the compilation is audited with counts, never values.
Provision records come from the provisions room; the organisation's systems from fulfillment
when it is installed.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.consents.suspensions import list_suspensions
from mamori.dsr.models import Case, PendingTask
from mamori.dsr.rules import DISCLOSING, RequestKind
from mamori.dsr.service import common
from mamori.notices import letter_messages as t
from mamori.notices import messages as m
from mamori.notices.document import Fact, Facts, Paragraph, Section, Table
from mamori.notices.receipt import format_instant, receipt_for_subject
from mamori.policy.schema import PolicyBundle
from mamori.provisions.service import list_records_for_subject
from mamori.subjects.models import Subject, SubjectIdentifier
from mamori.subjects.repository import merged_ids
from mamori.subjects.service import NAME_CONTEXT, VALUE_CONTEXT

K = RequestKind


def _optional(module: str, name: str) -> Callable[..., Any] | None:
    """A function of another room when it is installed (provisions, fulfillment), else None."""
    try:
        found = importlib.import_module(module)
    except ImportError:
        return None
    return cast("Callable[..., Any] | None", getattr(found, name, None))


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


def _record_row(record: Any) -> tuple[str, str]:
    data = record.model_dump(mode="json") if hasattr(record, "model_dump") else dict(vars(record))
    shown = {k: v for k, v in data.items() if not k.startswith("_") and not k.endswith("_id") and k != "id"}
    return (str(data.get("kind") or "-"), "; ".join(f"{k}: {v}" for k, v in shown.items()))


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


def _systems(session: Session, case: Case, lang: str) -> Section | None:
    get_run = _optional("mamori.fulfillment.service", "get_run")
    stmt = select(PendingTask.run_id).where(PendingTask.case_id == case.id, PendingTask.action == "access")
    run_ids = [run for run in session.scalars(stmt) if run is not None]
    if get_run is None or not run_ids:
        return None
    rows = [_record_row(get_run(session, run_id)) for run_id in run_ids]
    return _table("systems", lang, ("system", "value"), rows)


def sections(
    session: Session, case: Case, *, actor: str, settings: Settings | None = None
) -> tuple[Section, ...]:
    """What the letter of an accepted request discloses, by request type."""
    bundle, kind, lang = common.policy(session), RequestKind(case.request_type), case.language
    if kind is K.PURPOSE_NOTIFICATION:
        return (purposes_section(bundle, _categories(session, case), lang),)
    if kind is K.EXPLANATION:
        return (_rules_section(bundle, _categories(session, case), lang),)
    if case.subject_id is None or kind not in DISCLOSING | {K.DECEASED_NEXT_OF_KIN}:
        return ()
    found: list[Section | None] = []
    if kind is not K.PROVISION_RECORD_DISCLOSURE:
        found += [
            _profile(session, case, bundle, settings),
            _consents(session, case.subject_id, lang),
            _suspensions(session, case.subject_id, lang),
            _systems(session, case, lang),
        ]
    found.append(_provisions(session, case.subject_id, bundle, lang))
    result = tuple(section for section in found if section is not None)
    common.audit(
        session,
        case,
        actor=actor,
        action="request.disclosure_compiled",
        sections=[section.id for section in result],
    )
    return result
