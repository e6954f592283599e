"""The consent receipt a person can keep: their consents, each one's state, and how to withdraw.

Built as plain data from the policy bundle and the person's ledger events, in one of the four
languages; interfaces render it to HTML and PDF. It names the person only by their subject id.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from mamori.consents import rules
from mamori.consents.rules import EventLike
from mamori.errors import ValidationFailed
from mamori.notices import messages as m
from mamori.notices import receipt_messages as r
from mamori.notices.document import Fact
from mamori.policy.schema import LANGUAGES, PolicyBundle
from mamori.subjects.models import Subject

TOKYO = ZoneInfo("Asia/Tokyo")


class ReceiptEventLike(EventLike, Protocol):
    """An event as the receipt reads it (a ``ConsentEvent`` row)."""

    @property
    def channel(self) -> str: ...
    @property
    def policy_version_id(self) -> uuid.UUID | None: ...


@dataclass(frozen=True, slots=True)
class ReceiptSubject:
    """The person the receipt is for, without any name or identifier."""

    id: uuid.UUID
    language: str = "ja"


@dataclass(frozen=True, slots=True)
class ReceiptEvent:
    date: str
    state: str
    channel: str
    version: str


@dataclass(frozen=True, slots=True)
class ReceiptConsent:
    scope: str
    title: str
    state_code: str
    state: str
    date: str
    channel: str
    version: str
    separate: bool
    on_behalf: bool
    history: tuple[ReceiptEvent, ...]


@dataclass(frozen=True, slots=True)
class ConsentReceipt:
    lang: str
    title: str
    intro: str
    controller: str
    controller_facts: tuple[Fact, ...]
    reference: str
    issued: str
    consents: tuple[ReceiptConsent, ...]
    withdraw: str
    withdraw_facts: tuple[Fact, ...]

    def text(self) -> str:
        """Every text of the receipt, one per line (for search, mail and tests)."""
        lines = [self.title, self.intro, self.controller, self.reference, self.issued, self.withdraw]
        lines += [line for fact in (*self.controller_facts, *self.withdraw_facts) for line in fact.lines]
        for consent in self.consents:
            lines += [consent.title, consent.state, consent.date, consent.channel, consent.version]
        return "\n".join(lines)


def format_instant(value: datetime, lang: str) -> str:
    """A moment in Japan time: "2026年1月31日 10:00（日本時間）" / "31 January 2026, 10:00 (Japan time)"."""
    local = value.astimezone(TOKYO)
    day = m.long_date(local.date(), lang)
    separator = ", " if lang == "en" else " "
    return f"{day}{separator}{local:%H:%M}{r.label('receipt_japan_time', lang)}"


class _Builder:
    def __init__(self, bundle: PolicyBundle, lang: str, versions: dict[uuid.UUID, int]) -> None:
        self.bundle = bundle
        self.lang = lang
        self.versions = versions
        self.purposes = bundle.purposes()

    def position(self, scope: str) -> tuple[int, int, str]:
        """Purposes first, in the order the policy declares them; then the other scopes by name."""
        kind, _, value = scope.partition(":")
        order = list(self.purposes)
        if kind == "purpose" and value in self.purposes:
            return (0, order.index(value), scope)
        return (1, 0, scope)

    def title(self, scope: str) -> str:
        kind, _, value = scope.partition(":")
        if kind == "purpose":
            purpose = self.purposes.get(value)
            return purpose.text.get(self.lang) if purpose else value
        name = r.label(f"scope.{kind}", self.lang) if r.has_label(f"scope.{kind}") else kind
        if kind == "cross_border":
            value = m.country_name(value, self.lang)
        return m.aside(name, value, self.lang) if value else name

    def version(self, version_id: uuid.UUID | None) -> str:
        number = self.versions.get(version_id) if version_id else None
        return m.version_text(number, self.lang) if number else "-"

    def event(self, event: ReceiptEventLike, action: str | None = None) -> ReceiptEvent:
        return ReceiptEvent(
            date=format_instant(event.occurred_at, self.lang),
            state=r.label(f"state.{action or event.action}", self.lang),
            channel=r.label(f"channel.{event.channel}", self.lang),
            version=self.version(event.policy_version_id),
        )

    def consent(self, history: list[ReceiptEventLike], state: rules.State) -> ReceiptConsent:
        last = next(e for e in history if e.id == state.event_id)
        shown = self.event(last, state.action)
        return ReceiptConsent(
            scope=state.scope,
            title=self.title(state.scope),
            state_code=state.action,
            state=shown.state,
            date=shown.date,
            channel=shown.channel,
            version=shown.version,
            separate=state.separate,
            on_behalf=state.on_behalf_by_id is not None,
            history=tuple(self.event(e) for e in history),
        )

    def controller(self) -> tuple[Fact, ...]:
        ctl, lang = self.bundle.controller, self.lang
        rows = [Fact(m.label("name", lang), (ctl.name.get(lang),))]
        if ctl.representative is not None:
            person = f"{ctl.representative.title.get(lang)} {ctl.representative.name.get(lang)}"
            rows.append(Fact(m.label("representative", lang), (person,)))
        if ctl.address is not None:
            rows.append(Fact(m.label("address", lang), (ctl.address.get(lang),)))
        return tuple(rows)

    def desk(self) -> tuple[Fact, ...]:
        centre, lang = self.bundle.contact_centre, self.lang
        rows = [
            Fact(m.label("name", lang), (centre.name.get(lang),)),
            Fact(m.label("hours", lang), (m.hours(centre.opens, centre.closes, lang),)),
        ]
        if centre.inquiry_url:
            rows.append(Fact(m.label("inquiry_page", lang), (centre.inquiry_url,), centre.inquiry_url))
        return tuple(rows)


def build_consent_receipt(  # noqa: PLR0913 - what a receipt shows
    bundle: PolicyBundle,
    subject: ReceiptSubject,
    events: Sequence[ReceiptEventLike],
    lang: str,
    *,
    versions: dict[uuid.UUID, int],
    issued_at: datetime,
) -> ConsentReceipt:
    """The receipt of ``subject`` in ``lang``: every scope's state at ``issued_at``, newest history last.

    Raises:
        ValidationFailed: ``lang`` is not one of the four languages.
    """
    if lang not in LANGUAGES:
        raise ValidationFailed(
            f"unknown language {lang!r}",
            details={"errors": [{"field": "lang", "message": f"must be one of {', '.join(LANGUAGES)}"}]},
        )
    builder = _Builder(bundle, lang, versions)
    ordered = sorted(events, key=rules.order_key)
    states = rules.states_at(ordered, issued_at)
    consents = tuple(
        builder.consent([e for e in ordered if e.scope == scope], states[scope])
        for scope in sorted(states, key=builder.position)
    )
    return ConsentReceipt(
        lang=lang,
        title=r.label("receipt_title", lang),
        intro=r.label("receipt_intro", lang),
        controller=bundle.controller.name.get(lang),
        controller_facts=builder.controller(),
        reference=str(subject.id),
        issued=format_instant(issued_at, lang),
        consents=consents,
        withdraw=r.label("receipt_withdraw_body", lang),
        withdraw_facts=builder.desk(),
    )


def receipt_for_subject(
    session: Session,
    subject_id: uuid.UUID,
    lang: str | None = None,
    *,
    at: datetime | None = None,
    actor: str | None = None,
) -> ConsentReceipt:
    """The receipt of a subject (merged subjects included) in ``lang`` or the subject's own language.

    With an ``actor`` the issue is written to the audit log (``consent.receipt_issued``).

    Raises:
        NotFound: no such subject, or no policy published.
        ValidationFailed: an unknown language.
    """
    from mamori.consents.service import list_events, policy_numbers
    from mamori.db.base import utcnow
    from mamori.policy.service import bundle_of, require_current_version
    from mamori.subjects.repository import surviving

    events = list_events(session, subject_id)  # raises NotFound first
    survivor = surviving(session, session.get_one(Subject, subject_id)) or session.get_one(
        Subject, subject_id
    )
    own = survivor.language if survivor.language in LANGUAGES else "ja"
    bundle = bundle_of(require_current_version(session))
    versions = policy_numbers(session, {event.policy_version_id for event in events})
    receipt = build_consent_receipt(
        bundle,
        ReceiptSubject(survivor.id, own),
        events,
        lang or own,
        versions=versions,
        issued_at=at or utcnow(),
    )
    if actor is not None:
        from mamori.audit.service import record_event

        details = {"lang": receipt.lang, "consents": len(receipt.consents)}
        record_event(
            session, actor=actor, action="consent.receipt_issued", target_type="subject",
            target_id=str(survivor.id), details=details,
        )  # fmt: skip
    return receipt
