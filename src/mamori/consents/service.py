"""The consent ledger: record events, read them back, expire lapsed consents, rebuild the projection.

Events are appended, never changed. ``consent_states`` holds the latest event per subject and
scope and is updated in the same transaction as each event (only when the new event is later
than the stored one, so back-dated paper consents do not overwrite newer choices).

Notice hash: when the caller gives none for a ``purpose:<id>`` scope, the event stores the
SHA-256 (hex) of that purpose's text in the event's language in the policy version in force,
i.e. the wording the person was shown. A given ``cross_border:<XX>`` consent must bring the hash
of the country information it followed (APPI Art. 28(2); see
:mod:`mamori.policy.sections.countries`): that of the version in force or of an earlier one, in
the event's language; anything else is refused. Other scopes store no hash unless one is given.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from mamori.audit.service import EventInput, record_event, record_events
from mamori.consents import rules
from mamori.consents.models import ConsentEvent, ConsentState
from mamori.consents.rules import FieldError, InvalidScope
from mamori.db.base import utcnow
from mamori.errors import NotFound, ValidationFailed
from mamori.policy.models import PolicyVersion
from mamori.policy.schema import PolicyBundle
from mamori.policy.sections.countries import stored_notice_text
from mamori.policy.service import bundle_of, contents_up_to, current_version, require_current_version
from mamori.subjects.models import Subject
from mamori.subjects.repository import require_group, surviving

ERASED = "erased"


def notice_hash_for(bundle: PolicyBundle, scope: str, language: str) -> str | None:
    """SHA-256 of the purpose text shown in ``language`` for a purpose scope; None for other scopes."""
    kind, _, value = scope.partition(":")
    purpose = bundle.purposes().get(value) if kind == "purpose" else None
    if purpose is None:
        return None
    return rules.notice_hash(purpose.text.get(language))


def resolve_subject(session: Session, subject_id: uuid.UUID, *, field_name: str = "subject_id") -> Subject:
    """The subject, or the one it was merged into.

    Raises:
        NotFound: no such subject.
        ValidationFailed: the subject has been erased.
    """
    subject = session.get(Subject, subject_id)
    survivor = surviving(session, subject) if subject is not None else None
    if survivor is None:
        raise NotFound(f"no subject {subject_id}")
    if survivor.status == ERASED:
        raise ValidationFailed(
            "the subject has been erased; nothing was recorded",
            details={"errors": [FieldError(field_name, "the subject has been erased").as_dict()]},
        )
    return survivor


@dataclass(frozen=True, slots=True)
class ConsentInput:
    """One event to record, as the caller gives it."""

    subject_id: uuid.UUID
    scope: str
    action: str
    language: str
    channel: str
    occurred_at: datetime | None = None
    notice_hash: str | None = None
    separate: bool = False
    on_behalf_by_id: uuid.UUID | None = None
    evidence_ref: str | None = None
    expires_at: datetime | None = None


@dataclass
class Ledger:
    """Records events against the policy in force; keeps the policy between events of one import."""

    session: Session
    version: PolicyVersion
    bundle: PolicyBundle
    _contents: list[dict[str, Any]] | None = field(default=None, init=False, repr=False)
    _hashes: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict, init=False, repr=False)

    @classmethod
    def open(cls, session: Session) -> Ledger:
        """Raises NotFound when no policy is published."""
        version = require_current_version(session)
        return cls(session, version, bundle_of(version))

    def check(self, item: ConsentInput, *, now: datetime | None = None) -> tuple[Subject, list[FieldError]]:
        """The subject the event belongs to and every problem with it (nothing written).

        Raises:
            NotFound: the subject does not exist.
            ValidationFailed: the subject has been erased.
        """
        subject = resolve_subject(self.session, item.subject_id)
        now = now or utcnow()
        errors = rules.check_event_fields(
            action=item.action,
            language=item.language,
            channel=item.channel,
            occurred_at=item.occurred_at or now,
            now=now,
            expires_at=item.expires_at,
            notice_hash=item.notice_hash,
        )
        try:
            scope = rules.parse_scope(item.scope, self.bundle)
        except InvalidScope as exc:
            errors.insert(0, FieldError("scope", str(exc)))
        else:
            if scope.kind == "cross_border" and scope.value and item.action == rules.GIVEN:
                accepted = self.country_hashes(scope.value, item.language)
                problem = rules.country_notice_error(scope.value, item.language, item.notice_hash, accepted)
                errors += [problem] if problem else []
        if item.on_behalf_by_id is not None:
            errors += self._representative_errors(item.on_behalf_by_id, subject.id)
        if item.evidence_ref is not None and len(item.evidence_ref) > 500:  # noqa: PLR2004 - column size
            errors.append(FieldError("evidence_ref", "at most 500 characters"))
        return subject, errors

    def country_hashes(self, country: str, language: str) -> frozenset[str]:
        """Hashes of the information about ``country`` in ``language``, in force or published before."""
        key = (country, language)
        if key not in self._hashes:
            if self._contents is None:
                self._contents = contents_up_to(self.session, self.version)
            texts = (stored_notice_text(content, country, language) for content in self._contents)
            self._hashes[key] = frozenset(rules.notice_hash(t) for t in texts if t is not None)
        return self._hashes[key]

    def _representative_errors(self, rep_id: uuid.UUID, subject_id: uuid.UUID) -> list[FieldError]:
        rep = self.session.get(Subject, rep_id)
        if rep is None:
            return [FieldError("on_behalf_by_id", "no such subject")]
        if rep.status == ERASED:
            return [FieldError("on_behalf_by_id", "the subject has been erased")]
        if rep_id == subject_id:
            return [FieldError("on_behalf_by_id", "a person does not act on their own behalf")]
        return []

    def record(self, item: ConsentInput, *, actor: str) -> ConsentEvent:
        """Validate and store one event, update the projection and write its audit event.

        Raises:
            NotFound: the subject does not exist.
            ValidationFailed: any field is wrong (``details['errors']`` names each field).
        """
        now = utcnow()
        subject, errors = self.check(item, now=now)
        if errors:
            raise ValidationFailed(
                "the consent event is not valid; nothing was recorded",
                details={"errors": [error.as_dict() for error in errors]},
            )
        event = ConsentEvent(
            id=uuid.uuid4(),
            subject_id=subject.id,
            scope=item.scope,
            action=item.action,
            occurred_at=item.occurred_at or now,
            recorded_at=now,
            expires_at=item.expires_at,
            separate=item.separate,
            policy_version_id=self.version.id,
            notice_hash=item.notice_hash or notice_hash_for(self.bundle, item.scope, item.language),
            language=item.language,
            channel=item.channel,
            collected_by=actor,
            on_behalf_by_id=item.on_behalf_by_id,
            evidence_ref=item.evidence_ref,
        )
        self.session.add(event)
        self.session.flush()
        record_event(
            self.session,
            actor=actor,
            action=f"consent.{event.action}",
            target_type="subject",
            target_id=str(subject.id),
            details={"event_id": str(event.id), "scope": event.scope, "channel": event.channel},
        )
        project(self.session, event)
        return event


def record_consent(  # noqa: PLR0913 - the fields of a consent event
    session: Session,
    *,
    actor: str,
    subject_id: uuid.UUID,
    scope: str,
    action: str,
    language: str,
    channel: str,
    occurred_at: datetime | None = None,
    notice_hash: str | None = None,
    separate: bool = False,
    on_behalf_by_id: uuid.UUID | None = None,
    evidence_ref: str | None = None,
    expires_at: datetime | None = None,
) -> ConsentEvent:
    """Append one consent event under the policy in force (see the module docstring for the hash).

    A withdrawal of a scope never given is accepted and recorded. A merged subject's events are
    recorded on the subject it was merged into.

    Raises:
        NotFound: no such subject, or no policy published.
        ValidationFailed: an erased subject, an unknown scope, channel or language, bad times.
    """
    item = ConsentInput(
        subject_id=subject_id,
        scope=scope,
        action=action,
        language=language,
        channel=channel,
        occurred_at=occurred_at,
        notice_hash=notice_hash,
        separate=separate,
        on_behalf_by_id=on_behalf_by_id,
        evidence_ref=evidence_ref,
        expires_at=expires_at,
    )
    return Ledger.open(session).record(item, actor=actor)


def project(session: Session, event: ConsentEvent) -> bool:
    """Make ``event`` the projected state of its scope if it is later than the stored one.

    The person's row is locked first (``FOR NO KEY UPDATE``: it does not wait for the key-share
    locks that inserting their events takes), so writers of one person's consents project one
    after the other; SQLite's single writer does the same.
    """
    lock = select(Subject.id).where(Subject.id == event.subject_id).with_for_update(key_share=True)
    session.execute(lock)
    state = session.get(ConsentState, (event.subject_id, event.scope), populate_existing=True)
    held = session.get(ConsentEvent, state.event_id) if state is not None else None
    if not rules.is_later(event, held):
        return False
    if state is None:
        state = ConsentState(subject_id=event.subject_id, scope=event.scope)
        session.add(state)
    state.action = event.action
    state.occurred_at = event.occurred_at
    state.expires_at = event.expires_at
    state.separate = event.separate
    state.on_behalf_by_id = event.on_behalf_by_id
    state.event_id = event.id
    session.flush()
    return True


def list_events(session: Session, subject_id: uuid.UUID) -> list[ConsentEvent]:
    """Every event of the subject and of the subjects merged into it, oldest first.

    Raises:
        NotFound: no such subject.
    """
    group = require_group(session, subject_id)
    stmt = (
        select(ConsentEvent)
        .where(ConsentEvent.subject_id.in_(group))
        .order_by(ConsentEvent.occurred_at, ConsentEvent.recorded_at, ConsentEvent.id)
    )
    return list(session.scalars(stmt))


def current_states(
    session: Session, subject_id: uuid.UUID, *, at: datetime | None = None
) -> dict[str, rules.State]:
    """Each scope's state at ``at`` (default now) over the subject and those merged into it."""
    return rules.states_at(list_events(session, subject_id), at or utcnow())


def expire_due(session: Session, *, actor: str, now: datetime | None = None) -> int:
    """Record an ``expired`` event for every given consent whose ``expires_at`` has passed.

    The event takes the moment of expiry as ``occurred_at``, and the language and channel of the
    consent that lapsed. Returns how many consents expired.
    """
    now = now or utcnow()
    stmt = select(ConsentState).where(
        ConsentState.action == rules.GIVEN,
        ConsentState.expires_at.is_not(None),
        ConsentState.expires_at <= now,
    )
    version = current_version(session)
    audit: list[EventInput] = []
    for state in list(session.scalars(stmt)):
        given = session.get_one(ConsentEvent, state.event_id)
        event = ConsentEvent(
            id=uuid.uuid4(),
            subject_id=state.subject_id,
            scope=state.scope,
            action=rules.EXPIRED,
            occurred_at=state.expires_at,
            recorded_at=now,
            separate=state.separate,
            policy_version_id=version.id if version else given.policy_version_id,
            language=given.language,
            channel=given.channel,
            collected_by=actor,
            on_behalf_by_id=state.on_behalf_by_id,
        )
        session.add(event)
        session.flush()
        project(session, event)
        audit.append(
            EventInput(
                "consent.expired",
                "subject",
                str(state.subject_id),
                {"event_id": str(event.id), "scope": event.scope, "channel": event.channel},
            )
        )
    if audit:
        record_events(session, actor=actor, events=audit)
    return len(audit)


@dataclass(frozen=True, slots=True)
class RebuildResult:
    events: int
    states: int
    changed: int


def rebuild_projection(session: Session, *, actor: str = "system") -> RebuildResult:
    """Recompute ``consent_states`` from every event; ``changed`` counts rows that differed."""
    before = {(s.subject_id, s.scope): s.event_id for s in session.scalars(select(ConsentState))}
    for held in [obj for obj in session.identity_map.values() if isinstance(obj, ConsentState)]:
        session.expunge(held)
    session.execute(delete(ConsentState).execution_options(synchronize_session=False))
    events = 0
    after: dict[tuple[uuid.UUID, str], uuid.UUID] = {}
    for subject_id, chunk in _events_by_subject(session):
        events += len(chunk)
        for scope, state in rules.fold(chunk).items():
            session.add(_state_row(subject_id, state))
            after[(subject_id, scope)] = state.event_id
        session.flush()
    changed = sum(1 for key in before.keys() | after.keys() if before.get(key) != after.get(key))
    result = RebuildResult(events=events, states=len(after), changed=changed)
    record_event(
        session,
        actor=actor,
        action="consent.projection_rebuilt",
        target_type="consent_states",
        target_id="all",
        details={"events": result.events, "states": result.states, "changed": result.changed},
    )
    return result


def _state_row(subject_id: uuid.UUID, state: rules.State) -> ConsentState:
    return ConsentState(
        subject_id=subject_id,
        scope=state.scope,
        action=state.action,
        occurred_at=state.occurred_at,
        expires_at=state.expires_at,
        separate=state.separate,
        on_behalf_by_id=state.on_behalf_by_id,
        event_id=state.event_id,
    )


def _events_by_subject(session: Session) -> Iterator[tuple[uuid.UUID, Sequence[ConsentEvent]]]:
    stmt = select(ConsentEvent).order_by(ConsentEvent.subject_id).execution_options(yield_per=5000)
    current: uuid.UUID | None = None
    chunk: list[ConsentEvent] = []
    for event in session.scalars(stmt):
        if event.subject_id != current and chunk:
            yield chunk[0].subject_id, chunk
            chunk = []
        current = event.subject_id
        chunk.append(event)
    if chunk:
        yield chunk[0].subject_id, chunk


def policy_numbers(session: Session, version_ids: set[uuid.UUID | None]) -> dict[uuid.UUID, int]:
    """Version number of each policy version id (for receipts and exports)."""
    ids = {vid for vid in version_ids if vid is not None}
    if not ids:
        return {}
    rows = session.execute(select(PolicyVersion.id, PolicyVersion.number).where(PolicyVersion.id.in_(ids)))
    return {row.id: row.number for row in rows}
