"""The preferences centre of one person: kinds of data held, their consents, changes with receipts.

The page is a list of *sections*, each a list of *choices* (one consent scope each). A room that
adds consents a person manages (cookie banner choices, campaign consents) adds a builder to
:data:`SECTION_BUILDERS`; the page and the change service take every offered scope from there, so
a POST can only change what the page offered.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import NoReturn

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.audit.service import record_event
from mamori.centre import messages
from mamori.centre.models import PreferenceLink
from mamori.centre.signin import ACTOR
from mamori.config import Settings, get_settings
from mamori.consents import rules
from mamori.consents.models import ConsentEvent
from mamori.consents.service import ConsentInput, Ledger, current_states
from mamori.cookies.centre import apply_centre_change, cookie_section
from mamori.errors import ValidationFailed
from mamori.notices import messages as m
from mamori.notices.receipt import ConsentReceipt, format_instant, receipt_for_subject
from mamori.notify.backends import Attachment
from mamori.notify.service import Outbox, queue_email
from mamori.policy.schema import PolicyBundle
from mamori.policy.sections.countries import country_notice_text
from mamori.security.crypto import cipher_from_settings
from mamori.subjects.models import Subject, SubjectIdentifier
from mamori.subjects.service import VALUE_CONTEXT

ReceiptRenderer = Callable[[ConsentReceipt], bytes]  # the receipt as a PDF (rendered by the interface)


@dataclass(frozen=True, slots=True)
class Choice:
    """One consent the person may give or withdraw, as the page shows it."""

    scope: str
    title: str
    text: str
    state: str  # given, withdrawn, expired or "none" (never asked)
    # the SHA-256 of ``text`` exactly as shown, sent back with the form (APPI Art. 28(2) for countries)
    notice_hash: str | None = None
    separate: bool = False


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    choices: tuple[Choice, ...]


@dataclass(frozen=True, slots=True)
class Held:
    """A kind of data held about the person (never the value)."""

    category: str
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PreferencesView:
    lang: str
    pipl: bool
    identifiers: tuple[str, ...]
    held: tuple[Held, ...]
    sections: tuple[Section, ...] = field(default_factory=tuple)

    def choice(self, scope: str) -> Choice | None:
        return next((c for s in self.sections for c in s.choices if c.scope == scope), None)


@dataclass(frozen=True, slots=True)
class Context:
    """What a section builder gets: the policy, the person and the states of their scopes."""

    bundle: PolicyBundle
    subject: Subject
    lang: str
    states: dict[str, rules.State]
    session: Session | None = None  # for sections kept outside the consent ledger (cookie choices)

    @property
    def pipl(self) -> bool:
        return self.subject.jurisdiction == "CN"

    def state(self, scope: str) -> str:
        held = self.states.get(scope)
        return held.action if held is not None else "none"


def _purposes(ctx: Context) -> Section:
    mine = {c.category for c in ctx.subject.categories}
    seen: dict[str, Choice] = {}
    for category in ctx.bundle.subject_categories:
        for purpose in category.purposes if category.id in mine else ():
            if purpose.consent_required and purpose.id not in seen:
                text = purpose.text.get(ctx.lang)
                scope = f"purpose:{purpose.id}"
                seen[purpose.id] = Choice(scope, text, "", ctx.state(scope), rules.notice_hash(text))
    return Section("purposes", tuple(seen.values()))


def _channels(ctx: Context) -> Section:
    """Per consent-based purpose, each contact channel it uses (``channel:<purpose>:<channel>``).

    No state recorded means the channel follows the purpose's consent, so it reads as given.
    """
    mine = {c.category for c in ctx.subject.categories}
    seen: dict[str, Choice] = {}
    for category in ctx.bundle.subject_categories:
        for purpose in category.purposes if category.id in mine else ():
            if not purpose.consent_required:
                continue
            for channel, item in rules.CONTACT_CHANNELS.items():
                scope = f"channel:{purpose.id}:{channel}"
                if item in purpose.items and scope not in seen:
                    title = m.aside(purpose.text.get(ctx.lang), messages.text(f"channel.{channel}", ctx.lang),
                                    ctx.lang)  # fmt: skip
                    state = ctx.state(scope)
                    seen[scope] = Choice(scope, title, "", rules.GIVEN if state == "none" else state)
    return Section("channels", tuple(seen.values()))


def _recipients(ctx: Context) -> Section:
    choices = tuple(
        Choice(
            f"recipient:{r.id}",
            r.name.get(ctx.lang),
            m.country_name(r.country, ctx.lang),
            ctx.state(f"recipient:{r.id}"),
            separate=ctx.pipl,
        )
        for r in ctx.bundle.provisions.recipients
    )
    return Section("third_parties", choices)


def _countries(ctx: Context) -> Section:
    choices: list[Choice] = []
    for info in ctx.bundle.provisions.countries:
        text = country_notice_text(ctx.bundle, info.code, ctx.lang)
        if text is None:
            continue
        scope = f"cross_border:{info.code}"
        choices.append(Choice(scope, m.country_name(info.code, ctx.lang), text, ctx.state(scope),
                              rules.notice_hash(text), separate=ctx.pipl))  # fmt: skip
    return Section("cross_border", tuple(choices))


def _pipl(ctx: Context) -> Section:
    if not ctx.pipl:
        return Section("pipl", ())
    text = ctx.bundle.pipl.text.get(ctx.lang)
    title = messages.text("pipl.sensitive", ctx.lang)
    return Section("pipl", (Choice("sensitive", title, text, ctx.state("sensitive"), separate=True),))


SectionBuilder = Callable[[Context], Section]
# Order is the page's order; other rooms append theirs (cookies, campaigns).
SECTION_BUILDERS: list[SectionBuilder] = [_purposes, _channels, _recipients, _countries, _pipl]
SECTION_BUILDERS.append(cookie_section)  # the cookie choices of the person's browsers (cookies room)
# Called after a change is recorded in the ledger: (session, subject id, scope, action, language).
CHANGE_HOOKS: list[Callable[[Session, uuid.UUID, str, str, str], object]] = [apply_centre_change]


def preferences_view(session: Session, subject: Subject, bundle: PolicyBundle, lang: str) -> PreferencesView:
    """The page of ``subject`` in ``lang``: kinds of data held, and every consent they manage here."""
    ctx = Context(bundle, subject, lang, current_states(session, subject.id), session)
    kinds = session.scalars(select(SubjectIdentifier.kind).where(SubjectIdentifier.subject_id == subject.id))
    items = {i.id: i.name.get(lang) for i in bundle.data_items}
    held = tuple(
        Held(
            c.name.get(lang),
            tuple(dict.fromkeys(items[i] for p in c.purposes for i in p.items if i in items)),
        )
        for c in bundle.subject_categories
        if c.id in {own.category for own in subject.categories}
    )
    sections = tuple(s for s in (build(ctx) for build in SECTION_BUILDERS) if s.choices)
    return PreferencesView(lang, ctx.pipl, tuple(sorted(set(kinds))), held, sections)


def change_consent(  # noqa: PLR0913 - the visit, the choice and where the receipt goes
    session: Session,
    *,
    link: PreferenceLink,
    scope: str,
    action: str,
    notice_hash: str | None,
    lang: str,
    outbox: Outbox,
    settings: Settings | None = None,
    render_receipt: ReceiptRenderer | None = None,
) -> ConsentEvent:
    """Record a give or withdraw of a scope the page offers, and mail its receipt to the person.

    With ``render_receipt`` (the interface's PDF renderer of :class:`ConsentReceipt`), the mail
    carries the receipt as of this change as a PDF in ``lang``.

    A given consent must carry the hash of the text the page showed (the country information for a
    cross-border consent); a stale page (the policy changed since) is refused, nothing recorded.

    Raises:
        ValidationFailed: a scope the page does not offer, an unknown action, a stale hash.
    """
    settings = settings or get_settings()
    ledger = Ledger.open(session)
    subject = session.get_one(Subject, link.subject_id)
    view = preferences_view(session, subject, ledger.bundle, lang)
    choice = view.choice(scope)
    if choice is None or action not in {rules.GIVEN, rules.WITHDRAWN}:
        _refuse("scope", "not a choice of this page")
    if action == rules.GIVEN and choice.notice_hash is not None and notice_hash != choice.notice_hash:
        _refuse("notice_hash", "the text you saw has changed; read it again and choose again")
    item = ConsentInput(subject_id=subject.id, scope=scope, action=action, language=lang, channel="web",
                        notice_hash=choice.notice_hash, separate=choice.separate)  # fmt: skip
    event = ledger.record(item, actor=f"subject:{subject.id}")
    for hook in CHANGE_HOOKS:
        hook(session, subject.id, scope, action, lang)
    _mail_receipt(session, link, event, choice, lang=lang, outbox=outbox, settings=settings,
                  render_receipt=render_receipt)  # fmt: skip
    return event


def _refuse(field_name: str, message: str) -> NoReturn:
    raise ValidationFailed(
        f"{field_name}: {message}; nothing was recorded",
        details={"errors": [{"field": field_name, "message": message}]},
    )


def _mail_receipt(  # noqa: PLR0913
    session: Session,
    link: PreferenceLink,
    event: ConsentEvent,
    choice: Choice,
    *,
    lang: str,
    outbox: Outbox,
    settings: Settings,
    render_receipt: ReceiptRenderer | None = None,
) -> None:
    identifier = session.get(SubjectIdentifier, link.identifier_id)
    if identifier is None:  # the address was removed since the link was sent
        return
    to = cipher_from_settings(settings).decrypt(identifier.value_encrypted, context=VALUE_CONTEXT)
    details = {"purpose": "consent.receipt", "identifiers": 1}
    record_event(session, actor=ACTOR, action="subject.read", target_type="subject",
                 target_id=str(link.subject_id), details=details)  # fmt: skip
    change = f"{choice.title or choice.scope}: {messages.text(f'receipt.{event.action}', lang)}"
    body = messages.text("receipt.body", lang).format(
        when=format_instant(event.recorded_at, lang), change=change, event=event.id
    )
    attachment = None
    if render_receipt is not None:
        receipt = receipt_for_subject(session, link.subject_id, lang, at=event.recorded_at,
                                      actor=f"subject:{link.subject_id}")  # fmt: skip
        attachment = Attachment(f"consent-receipt-{event.id}.pdf", "application/pdf", render_receipt(receipt))
    queue_email(session, outbox=outbox, actor=ACTOR, to=to, subject=messages.text("receipt.subject", lang),
                body=body, language=lang, purpose="consent.receipt", attachment=attachment)  # fmt: skip


def receipt_event(session: Session, link: PreferenceLink, event_id: uuid.UUID) -> ConsentEvent | None:
    """An event of the signed-in person (for its receipt), None when it is not theirs."""
    event = session.get(ConsentEvent, event_id)
    return event if event is not None and event.subject_id == link.subject_id else None


def issued(event: ConsentEvent) -> datetime:
    return event.recorded_at
