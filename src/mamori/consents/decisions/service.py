"""Decisions: may I use these items of this person for this purpose now?

:func:`check` and :func:`check_batch` are the entry for the API and the CLI: they validate,
load everything set-wise, decide with the pure rules, audit every refusal and count all
decisions in the caller's transaction. :class:`Decider` is the same for engineers in-process:
preloaded once, then decisions are plain function calls; :meth:`Decider.flush` writes the audit.
"""

from __future__ import annotations

import gc
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from mamori.audit.service import EventInput, record_events
from mamori.config import Settings
from mamori.consents.decisions import facts as loader
from mamori.consents.decisions.messages import reason_dict
from mamori.consents.decisions.rules import (
    ALLOWED,
    Decision,
    DecisionContext,
    PolicyFacts,
    SubjectFacts,
    decide,
    tokyo_date,
)
from mamori.consents.models import DecisionCount
from mamori.errors import Conflict, NotFound, ValidationFailed
from mamori.security.crypto import blind_index
from mamori.subjects.rules import InvalidIdentifier, normalise

SubjectRef = uuid.UUID | tuple[str, str]
MAX_BATCH = 10_000


@dataclass(frozen=True, slots=True)
class CheckInput:
    subject: SubjectRef
    purpose_id: str
    items: tuple[str, ...] = ()
    at: datetime | None = None


class Outcome(NamedTuple):
    """One decided check: what was asked, for whom, and the answer."""

    subject_id: uuid.UUID
    purpose_id: str
    items: tuple[str, ...]
    decision: Decision
    policy_version: int

    def as_dict(self, lang: str) -> dict[str, Any]:
        return {
            "allowed": self.decision.allowed,
            "reasons": [reason_dict(r, lang) for r in self.decision.reasons],
            "policy_version": self.policy_version,
        }


@dataclass(frozen=True, slots=True)
class CheckError:
    """A batch entry that could not be decided (unknown subject, ambiguous identifier)."""

    status: int
    code: str
    detail: str
    field: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "error": {"status": self.status, "code": self.code, "detail": self.detail, "field": self.field}
        }


def check(  # noqa: PLR0913 - the question has this many parts
    session: Session,
    settings: Settings,
    *,
    actor: str,
    subject: SubjectRef,
    purpose_id: str,
    items: Sequence[str] = (),
    at: datetime | None = None,
    lang: str = "ja",
    log_allowed: bool = False,
) -> dict[str, Any]:
    """Decide one use; the refusal (if any) is audited and the decision counted.

    Raises:
        ValidationFailed: unknown purpose ("purpose"), malformed identifier ("subject.value"),
            unknown item ("items[i]"); nothing is written.
        NotFound: no such subject. Conflict: the identifier belongs to several subjects.
    """
    [result] = check_batch(
        session,
        settings,
        actor=actor,
        checks=[CheckInput(subject, purpose_id, tuple(items), at)],
        lang=lang,
        log_allowed=log_allowed,
        field_prefix="",
    )
    if isinstance(result, CheckError):
        raise (NotFound if result.status == 404 else Conflict)(  # noqa: PLR2004
            result.detail, details={"errors": [{"field": result.field, "message": result.detail}]}
        )
    return result


def check_batch(  # noqa: PLR0913
    session: Session,
    settings: Settings,
    *,
    actor: str,
    checks: Sequence[CheckInput],
    lang: str = "ja",
    log_allowed: bool = False,
    field_prefix: str = "checks",
) -> list[dict[str, Any] | CheckError]:
    """Decide up to 10,000 uses at once: per entry a result dict, or a :class:`CheckError`.

    Raises:
        ValidationFailed: any entry has an unknown purpose or item or a malformed identifier
            (each named ``checks[i].<field>``); nothing is written.
    """
    if len(checks) > MAX_BATCH:
        raise ValidationFailed(
            f"at most {MAX_BATCH} checks per batch",
            details={"errors": [{"field": field_prefix or "checks", "message": "too many checks"}]},
        )
    now = datetime.now(UTC)
    policies = _policies(session, checks, now)
    keys = _validate(settings, checks, policies, now, field_prefix)
    resolved = _resolve(session, checks, keys, field_prefix)
    known = _facts_by_instant(session, checks, resolved, now)
    outcomes: list[Outcome | CheckError] = []
    for index, entry in enumerate(checks):
        row = resolved[index]
        if isinstance(row, CheckError):
            outcomes.append(row)
            continue
        time = entry.at or now
        policy = policies[tokyo_date(time)]
        facts = known[_as_of(entry.at, now)][row.id]
        ctx = DecisionContext(policy, facts, entry.purpose_id, entry.items, time)
        outcomes.append(Outcome(row.id, entry.purpose_id, entry.items, decide(ctx), policy.version))
    record_outcomes(
        session,
        actor=actor,
        outcomes=[o for o in outcomes if isinstance(o, Outcome)],
        log_allowed=log_allowed,
    )
    return [o if isinstance(o, CheckError) else o.as_dict(lang) for o in outcomes]


def _as_of(at: datetime | None, now: datetime) -> datetime | None:
    """The past instant whose ledger a check reads; None for now and later (today's projection)."""
    return at if at is not None and at < now else None


def _facts_by_instant(
    session: Session,
    checks: Sequence[CheckInput],
    resolved: dict[int, loader.SubjectRow | CheckError],
    now: datetime,
) -> dict[datetime | None, dict[uuid.UUID, SubjectFacts]]:
    """The facts each check needs: a decision at a past instant reads the ledger as it was then."""
    wanted: dict[datetime | None, dict[uuid.UUID, loader.SubjectRow]] = {}
    for index, entry in enumerate(checks):
        row = resolved[index]
        if isinstance(row, loader.SubjectRow):
            wanted.setdefault(_as_of(entry.at, now), {})[row.id] = row
    return {
        as_of: loader.load_facts(session, list(rows.values()), as_of=as_of) for as_of, rows in wanted.items()
    }


def _policies(session: Session, checks: Sequence[CheckInput], now: datetime) -> dict[date, PolicyFacts]:
    policies: dict[date, PolicyFacts] = {}
    for day in {tokyo_date(entry.at or now) for entry in checks}:
        policy = loader.policy_on(session, day)
        if policy is None:
            raise NotFound(f"no policy was in force on {day.isoformat()}")
        policies[day] = policy
    return policies


def _validate(
    settings: Settings,
    checks: Sequence[CheckInput],
    policies: dict[date, PolicyFacts],
    now: datetime,
    prefix: str,
) -> dict[int, tuple[str, str]]:
    errors: list[dict[str, str]] = []
    keys: dict[int, tuple[str, str]] = {}
    for index, entry in enumerate(checks):
        where = f"{prefix}[{index}]." if prefix else ""
        policy = policies[tokyo_date(entry.at or now)]
        if entry.purpose_id not in policy.purposes:
            errors.append({"field": where + "purpose", "message": f"unknown purpose {entry.purpose_id!r}"})
        errors.extend(
            {"field": f"{where}items[{i}]", "message": f"unknown data item {item!r}"}
            for i, item in enumerate(entry.items)
            if item not in policy.data_items
        )
        if isinstance(entry.subject, tuple):
            kind, value = entry.subject
            try:
                keys[index] = (kind, blind_index(settings, kind, normalise(kind, value)))
            except InvalidIdentifier as exc:
                errors.append({"field": where + "subject.value", "message": str(exc)})
    if errors:
        raise ValidationFailed(
            "the decision request is not valid; nothing was decided", details={"errors": errors}
        )
    return keys


def _resolve(
    session: Session, checks: Sequence[CheckInput], keys: dict[int, tuple[str, str]], prefix: str
) -> dict[int, loader.SubjectRow | CheckError]:
    owners = loader.identifier_owners(session, keys.values())
    wanted = {e.subject for e in checks if isinstance(e.subject, uuid.UUID)}
    wanted.update(i for ids in owners.values() for i in ids)
    rows = loader.survivors(session, wanted)
    resolved: dict[int, loader.SubjectRow | CheckError] = {}
    for index, entry in enumerate(checks):
        where = f"{prefix}[{index}].subject" if prefix else "subject"
        if isinstance(entry.subject, uuid.UUID):
            found = [rows[entry.subject]] if entry.subject in rows else []
            where += ".id"
        else:
            by_id = {rows[i].id: rows[i] for i in owners.get(keys[index], ()) if i in rows}
            found = list(by_id.values())
            where += ".value"
        if len(found) == 1:
            resolved[index] = found[0]
        elif not found:
            resolved[index] = CheckError(404, "not-found", "no such subject", where)
        else:
            resolved[index] = CheckError(409, "conflict", "the identifier belongs to several subjects", where)
    return resolved


def record_outcomes(
    session: Session, *, actor: str, outcomes: Sequence[Outcome], log_allowed: bool = False
) -> None:
    """Audit every refusal (and every allowed decision if asked) in one call; count them all."""
    events = [
        EventInput(
            "decision.allowed" if o.decision.allowed else "decision.refused",
            "subject",
            str(o.subject_id),
            {
                "purpose": o.purpose_id,
                "items": list(o.items),
                "reasons": [r.code for r in o.decision.reasons],
                "policy_version": o.policy_version,
            },
        )
        for o in outcomes
        if log_allowed or not o.decision.allowed
    ]
    if events:
        record_events(session, actor=actor, events=events)
    count_decisions(session, Counter((o.purpose_id, o.decision.allowed) for o in outcomes))


def count_decisions(session: Session, counts: Counter[tuple[str, bool]], *, day: date | None = None) -> None:
    """Add to the per purpose and Tokyo day counters (an upsert on SQLite and PostgreSQL)."""
    if not counts:
        return
    day = day or tokyo_date(datetime.now(UTC))
    rows = [{"day": day, "purpose_id": p, "allowed": a, "count": n} for (p, a), n in sorted(counts.items())]
    dialect = session.get_bind().dialect.name
    table = cast("Table", DecisionCount.__table__)
    if dialect == "postgresql":
        pg = postgresql.insert(table)
        stmt: Any = pg.on_conflict_do_update(
            index_elements=["day", "purpose_id", "allowed"], set_={"count": table.c.count + pg.excluded.count}
        )
    elif dialect == "sqlite":
        lite = sqlite.insert(table)
        stmt = lite.on_conflict_do_update(
            index_elements=["day", "purpose_id", "allowed"],
            set_={"count": table.c.count + lite.excluded.count},
        )
    else:  # pragma: no cover - other databases take the plain insert (first count of the day)
        stmt = insert(table)
    session.execute(stmt, rows)


@dataclass
class Decider:
    """In-process decisions on preloaded facts: ``decider.decide(subject_id, purpose, items)``.

    Decisions are pure calls; refusals and counts are kept until :meth:`flush` writes them.
    """

    policy: PolicyFacts
    subjects: dict[uuid.UUID, SubjectFacts]  # merged subjects' ids map to their survivor's facts
    pending: list[Outcome] = field(default_factory=list)
    counts: Counter[tuple[str, bool]] = field(default_factory=Counter)

    @classmethod
    def load(
        cls, session: Session, *, subject_ids: Sequence[uuid.UUID] | None = None, limit: int | None = None
    ) -> Decider:
        """Preload the policy in force and the facts of ``subject_ids`` (default: every subject)."""
        policy = loader.policy_on(session, tokyo_date(datetime.now(UTC)))
        if policy is None:
            raise NotFound("no policy has been published yet")
        if subject_ids is None:
            facts = loader.load_all_facts(session, limit=limit)
        else:
            resolved = loader.survivors(session, subject_ids)
            rows = list({row.id: row for row in resolved.values()}.values())
            loaded: dict[uuid.UUID, SubjectFacts] = {}
            for part in loader.chunks(rows, 50_000):
                loaded.update(loader.load_facts(session, part))
            facts = {start: loaded[row.id] for start, row in resolved.items()}
        # Millions of long-lived fact objects would make every cyclic-GC pass walk them all; they
        # hold no cycles, so they are moved out of its sight (the collector's own freeze).
        gc.freeze()
        return cls(policy=policy, subjects=facts)

    def decide(
        self, subject_id: uuid.UUID, purpose_id: str, items: Sequence[str] = (), at: datetime | None = None
    ) -> Decision:
        """Decide one use. Raises NotFound for a subject that was not loaded."""
        facts = self.subjects.get(subject_id)
        if facts is None:
            raise NotFound("no such subject among the loaded ones")
        items = tuple(items)
        decision = decide(DecisionContext(self.policy, facts, purpose_id, items, at or datetime.now(UTC)))
        self.counts[purpose_id, decision.allowed] += 1
        if decision is not ALLOWED:
            self.pending.append(Outcome(facts.id, purpose_id, items, decision, self.policy.version))
        return decision

    def decide_many(
        self, checks: Sequence[tuple[uuid.UUID, str, Sequence[str]]], at: datetime | None = None
    ) -> list[Decision]:
        """Decide many uses at one instant."""
        time = at or datetime.now(UTC)
        return [self.decide(subject_id, purpose, items, time) for subject_id, purpose, items in checks]

    def flush(self, session: Session, *, actor: str) -> int:
        """Write the kept refusals to the audit log and add the counts; returns the refusals written."""
        written = len(self.pending)
        if self.pending:
            record_events_outcomes = self.pending
            self.pending = []
            record_outcomes(session, actor=actor, outcomes=record_events_outcomes)
            counted = Counter((o.purpose_id, o.decision.allowed) for o in record_events_outcomes)
            self.counts.subtract(counted)
        count_decisions(session, +self.counts)
        self.counts = Counter()
        return written
