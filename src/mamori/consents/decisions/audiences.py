"""Audiences: the subjects who may be contacted for a purpose, computed set-wise in SQL.

The query states the decision rules (:mod:`.rules`) as joins, EXISTS and NOT EXISTS; no subject
is looked at in Python. Most subjects are read off the reach projection (one row per category of
an active, unmerged subject, kept by triggers; decision record 0011) joined to the purpose's
consent states. Subjects into which others were merged (rare) take a second branch whose
sources add the merged subjects' rows from the base tables.
"""

from __future__ import annotations

import codecs
import functools
import json
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal
from typing import cast as cast_type

from sqlalchemy import (
    Date,
    String,
    and_,
    cast,
    exists,
    false,
    func,
    literal_column,
    not_,
    or_,
    select,
    text,
    true,
    union,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from mamori.audit.service import record_event
from mamori.consents.decisions import facts as loader
from mamori.consents.decisions.rules import (
    LEGAL_REPRESENTATIVES,
    PolicyFacts,
    PurposeInfo,
    minor_threshold,
    period_cutoff,
    pipl_requirements,
    suspension_scopes,
    tokyo_date,
)
from mamori.consents.models import ConsentEvent, ConsentState, UsageSuspension
from mamori.consents.rules import CONTACT_CHANNELS
from mamori.errors import NotFound, ValidationFailed
from mamori.policy.changes.history import Baseline
from mamori.subjects.models import (
    Subject,
    SubjectCategory,
    SubjectIdentifier,
    SubjectReach,
    SubjectRelationship,
)

if TYPE_CHECKING:
    import psycopg

Channel = Literal["email", "post", "phone", "any"]
CHANNEL_ITEMS: dict[str, str | None] = {"email": "email", "post": "address", "phone": "phone", "any": None}
CHANNEL_IDENTIFIERS: dict[str, str | None] = {"email": "email", "post": None, "phone": "phone", "any": None}
# The flag of :class:`SubjectReach` that says the subject has an identifier of that kind
REACH_FLAGS = {"email": "has_email", "phone": "has_phone"}


@dataclass(frozen=True, slots=True)
class AudienceFilters:
    jurisdiction: str | None = None
    language: str | None = None
    min_age: int | None = None


@dataclass(frozen=True, slots=True)
class AudienceRequest:
    purpose_id: str
    channel: str = "any"
    category: str = "customers"
    filters: AudienceFilters = AudienceFilters()
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Member:
    subject_id: uuid.UUID
    language: str
    jurisdiction: str


def prepare(session: Session, request: AudienceRequest) -> tuple[PolicyFacts, PurposeInfo, tuple[str, ...]]:
    """Validate the request against the policy in force; the items the channel uses.

    Raises:
        ValidationFailed: unknown purpose, category or channel, or a channel the purpose cannot use.
    """
    time = request.at or datetime.now(UTC)
    policy = loader.policy_on(session, tokyo_date(time))
    if policy is None:
        raise NotFound("no policy has been published yet")
    errors: list[dict[str, str]] = []
    purpose = policy.purposes.get(request.purpose_id)
    categories = {p.category for p in policy.purposes.values()}
    if purpose is None:
        errors.append({"field": "purpose", "message": f"unknown purpose {request.purpose_id!r}"})
    if request.category not in categories:
        errors.append({"field": "category", "message": f"unknown subject category {request.category!r}"})
    elif purpose is not None and purpose.category != request.category:
        errors.append(
            {"field": "category", "message": f"{purpose.id!r} is not a purpose of {request.category!r}"}
        )
    if request.channel not in CHANNEL_ITEMS:
        errors.append({"field": "channel", "message": "channel must be email, post, phone or any"})
    elif purpose is not None and (item := CHANNEL_ITEMS[request.channel]) and item not in purpose.items:
        errors.append({"field": "channel", "message": f"{purpose.id!r} does not use the item {item!r}"})
    if errors or purpose is None:
        raise ValidationFailed("the audience request is not valid", details={"errors": errors})
    item = CHANNEL_ITEMS[request.channel]
    return policy, purpose, (item,) if item else ()


def record_audience(session: Session, *, actor: str, request: AudienceRequest, policy: PolicyFacts) -> None:
    """The audit event of an audience read (its parameters; no personal data)."""
    filters = request.filters
    record_event(
        session,
        actor=actor,
        action="audience.read",
        target_type="purpose",
        target_id=request.purpose_id,
        details={
            "channel": request.channel,
            "category": request.category,
            "jurisdiction": filters.jurisdiction,
            "language": filters.language,
            "min_age": filters.min_age,
            "policy_version": policy.version,
        },
    )


def stream_audience(session: Session, request: AudienceRequest, *, batch: int = 10_000) -> Iterator[Member]:
    """Yield the audience (validate with :func:`prepare` first); the database does the work."""
    stmt = audience_query(session, request)
    _tune(session)
    result = session.execute(stmt.execution_options(yield_per=batch))
    for subject_id, language, jurisdiction in result:
        yield Member(subject_id, language, jurisdiction)


COLUMNS = ("subject_id", "language", "jurisdiction")


def stream_audience_text(
    session: Session, request: AudienceRequest, *, csv_format: bool, batch: int = 10_000
) -> Iterator[str]:
    """The audience as text chunks: CSV with a header row, or JSON lines (validate first).

    PostgreSQL writes the text itself (``COPY … TO STDOUT``), so no row becomes a Python object;
    elsewhere the rows are read as plain tuples and formatted in batches. Either way the lines
    are those :func:`stream_audience` describes, in the same order.
    """
    stmt = audience_query(session, request)
    _tune(session)
    if session.get_bind().dialect.name == "postgresql":
        yield from _copied(session, stmt, csv_format=csv_format)
        return
    if csv_format:
        yield ",".join(COLUMNS) + "\n"
    # SQLAlchemy binds the parameters; the rows come straight off the driver's cursor as plain
    # tuples (no Row object each: a third of the time at half a million rows).
    result = session.connection().execute(_as_text(stmt))
    quote = functools.cache(json.dumps)  # a handful of language and jurisdiction codes
    try:
        while part := result.cursor.fetchmany(batch):
            if csv_format:
                yield "".join([f"{_dashed(i)},{lang},{juris}\n" for i, lang, juris in part])
            else:
                yield "".join([
                    f'{{"subject_id": "{_dashed(i)}", "language": {quote(lang)}, '
                    f'"jurisdiction": {quote(juris)}}}\n'
                    for i, lang, juris in part
                ])  # fmt: skip
    finally:
        result.close()


def _as_text(stmt: Any) -> Any:
    """The audience's columns with the id as stored text (no UUID object per row)."""
    sub = stmt.subquery("audience")
    return select(cast(sub.c.id, String), sub.c.language, sub.c.jurisdiction)


def _dashed(value: str) -> str:
    """A UUID stored as 32 hex digits (SQLite) in its usual dashed form."""
    if len(value) != 32:  # noqa: PLR2004 - already dashed
        return value
    return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"


def _copied(session: Session, stmt: Any, *, csv_format: bool) -> Iterator[str]:
    sub = stmt.subquery("audience")
    if csv_format:
        query = select(cast(sub.c.id, String).label(COLUMNS[0]), sub.c.language, sub.c.jurisdiction)
        options = "FORMAT csv, HEADER true"
    else:
        # Language and jurisdiction are codes (checked on entry), so COPY's text format, which
        # escapes only backslashes, tabs and line ends, leaves the JSON as built.
        line: ColumnElement[str] = (
            literal_column("'{\"subject_id\": \"'") + cast(sub.c.id, String)
            + literal_column("'\", \"language\": '") + cast(func.to_json(sub.c.language), String)
            + literal_column("', \"jurisdiction\": '") + cast(func.to_json(sub.c.jurisdiction), String)
            + literal_column("'}'")
        )  # fmt: skip
        query = select(line)
        options = "FORMAT text"
    compiled = query.compile(dialect=session.get_bind().dialect, compile_kwargs={"render_postcompile": True})
    raw = cast_type("psycopg.Connection[Any]", session.connection().connection.dbapi_connection)
    decoder = codecs.getincrementaldecoder("utf-8")()
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY ({compiled}) TO STDOUT WITH ({options})", compiled.params) as copy,
    ):
        for block in copy:
            yield decoder.decode(bytes(block))
    yield decoder.decode(b"", final=True)


def count_audience(session: Session, request: AudienceRequest) -> int:
    stmt = audience_query(session, request).subquery()
    _tune(session)
    return int(session.scalar(select(func.count()).select_from(stmt)) or 0)


def _tune(session: Session) -> None:
    """PostgreSQL: room for the hash joins of a whole-population query (this transaction only)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL work_mem = '64MB'"))
        session.execute(text("SET LOCAL jit = off"))  # compiling this big plan costs more than it saves
        # The merge-group branches read a few thousand rows by index; at the default cost of a
        # random page the planner hashes whole tables for them instead (0.2 s each at 1M).
        session.execute(text("SET LOCAL random_page_cost = 1.1"))


def audience_query(session: Session, request: AudienceRequest) -> Any:
    policy, purpose, items = prepare(session, request)
    states = ConsentState.__table__

    def earliest(scope: str) -> datetime | None:
        first: datetime | None = session.scalar(
            select(func.min(states.c.occurred_at)).where(states.c.scope == scope)
        )
        return first

    builder = _Builder(earliest, session.get_bind().dialect.name, policy, purpose, items, request)
    builder.versions = loader.version_numbers(session)
    return builder.query()


@dataclass(frozen=True, slots=True)
class _Source:
    """A table's rows with the surviving subject they count for (``root``)."""

    table: Any
    root: Any

    @property
    def c(self) -> Any:
        return self.table.c


class _Builder:
    def __init__(  # noqa: PLR0913 - the request and what it was checked against
        self,
        earliest: Callable[[str], datetime | None],
        dialect: str,
        policy: PolicyFacts,
        purpose: PurposeInfo,
        items: Sequence[str],
        request: AudienceRequest,
    ) -> None:
        self.earliest = earliest  # the time of a scope's earliest consent state, if any
        self.dialect, self.policy, self.purpose, self.items, self.request = (
            dialect,
            policy,
            purpose,
            items,
            request,
        )
        self.time = request.at or datetime.now(UTC)
        members = _members_cte(dialect)
        # Every subject of a merge group with its survivor, the survivor itself included.
        self.groups = union(select(members.c.id, members.c.root), select(members.c.root, members.c.root)).cte(
            "merge_groups"
        )
        self.subject: Any = Subject.__table__.alias("s")
        self.sid: Any = self.subject.c.id  # the subject id column of ``self.subject``
        self.versions: dict[uuid.UUID, int] = {}  # policy version id → number

    def query(self) -> Any:
        # CN subjects get their own branches: their separate-consent tests then stand alone in
        # the WHERE clause, where the database can turn them into (hash) semi-joins.
        split = bool(pipl_requirements(self.purpose, self.items, self.policy))
        kinds: tuple[bool | None, ...] = (False, True) if split else (None,)
        return union_all(*(self._direct(cn) for cn in kinds), *(self._grouped(cn) for cn in kinds))

    def _source(self, model: Any, *, grouped: bool) -> _Source:
        table = model.__table__
        if not grouped:
            alias = table.alias()
            return _Source(alias, alias.c.subject_id)
        g = self.groups
        sub = select(g.c.root.label("root"), *table.c).join(g, g.c.id == table.c.subject_id).subquery()
        return _Source(sub, sub.c.root)

    @contextmanager
    def _about(self, relation: Any, sid: Any) -> Iterator[None]:
        """Build the tests for the subjects of ``relation`` (id column ``sid``) for a while."""
        saved = self.subject, self.sid
        self.subject, self.sid = relation, sid
        try:
            yield
        finally:
            self.subject, self.sid = saved

    def _direct(self, cn: bool | None) -> Any:
        """Subjects nobody was merged into, read off the reach projection (one row per category).

        The projection has already kept only active, unmerged subjects and holds their
        category's collection time, their language, jurisdiction, date of birth and identifier
        kinds, so one row answers everything but the consents and suspensions.
        """
        r = SubjectReach.__table__.alias("r")
        with self._about(r, r.c.subject_id):
            where: list[ColumnElement[bool]] = [
                r.c.category == self.purpose.category,
                r.c.collected_at >= period_cutoff(self.time, self.purpose.period),
                r.c.has_members.is_(false()),
            ]
            kind = CHANNEL_IDENTIFIERS[self.request.channel]
            if kind:
                where.append(r.c[REACH_FLAGS[kind]].is_(true()))
            where += self._filters()
            if self.purpose.consent_required:
                # Joined rather than EXISTS: a subject has one state per scope, and the database
                # can read the states of the scope in index order and look each subject up.
                scope = ("purpose:" + self.purpose.id,)
                state = self._source(ConsentState, grouped=False)
                since = self.purpose.consent_since
                where += self._given(state, scope, separate=False, grouped=False, baseline=since)
                where.append(self._may_have_given(state, scope))
                where += self._channel_kept(grouped=False)
            elif self.purpose.data_since is not None:
                where.append(
                    self._since_change(r.c.collected_at >= self.purpose.data_since.since, grouped=False)
                )
            where += self._jurisdiction(cn, grouped=False)
            where.append(not_(self._suspended(grouped=False)))
            return select(r.c.subject_id.label("id"), r.c.language, r.c.jurisdiction).where(*where)

    def _grouped(self, cn: bool | None) -> Any:
        """Subjects others were merged into: every test reads the whole merge group's rows."""
        s = self.subject
        child = Subject.__table__.alias("child")
        merged = child.c.merged_into_id.is_not(None)
        if self.dialect == "sqlite":  # read off the index of the few merged subjects, not asked of all
            has_members = s.c.id.in_(select(child.c.merged_into_id).where(merged))
        else:  # a merge semi-join on PostgreSQL: with IN (or IS NOT NULL) it expected one row
            has_members = exists().where(child.c.merged_into_id == s.c.id)  # and looped over the CTE
        where: list[ColumnElement[bool]] = [
            s.c.status == "active",
            s.c.merged_into_id.is_(None),
            has_members,
            *self._filters(),
        ]
        if self.purpose.consent_required:
            scope = ("purpose:" + self.purpose.id,)
            where.append(
                self._usable(scope, separate=False, grouped=True, baseline=self.purpose.consent_since)
            )
            where += self._channel_kept(grouped=True)
        elif self.purpose.data_since is not None:
            where.append(self._since_change(self._collected(grouped=True, since=True), grouped=True))
        where.append(self._collected(grouped=True))
        where += self._jurisdiction(cn, grouped=True)
        kind = CHANNEL_IDENTIFIERS[self.request.channel]
        if kind:
            ident = self._source(SubjectIdentifier, grouped=True)
            where.append(exists().where(ident.root == s.c.id, ident.c.kind == kind))
        where.append(not_(self._suspended(grouped=True)))
        return select(s.c.id, s.c.language, s.c.jurisdiction).where(*where)

    def _jurisdiction(self, cn: bool | None, *, grouped: bool) -> list[ColumnElement[bool]]:
        """The CN split: others, or CN subjects with their separate consents."""
        if cn is None:
            return []
        if not cn:
            return [self.subject.c.jurisdiction != "CN"]
        requirements = pipl_requirements(self.purpose, self.items, self.policy)
        usable = [self._usable(scopes, separate=True, grouped=grouped) for scopes in requirements]
        return [self.subject.c.jurisdiction == "CN", *usable]

    def _may_have_given(self, state: _Source, scopes: Sequence[str]) -> ColumnElement[bool]:
        """The age rule for a subject's ``state`` of ``scopes``: of age then, or represented.

        The exact test needs date arithmetic on the state's time, so two cheap tests come first
        and settle it for most people: no date of birth, or born early enough to have been of age
        at the earliest state of the scope anyone has. The database evaluates the OR in order.
        """
        if not self.policy.minor_age:
            return true()
        born = self.subject.c.date_of_birth
        return or_(born.is_(None), self._of_age_throughout(scopes), self._entitled(state, grouped=False))

    def _of_age_throughout(self, scopes: Sequence[str]) -> ColumnElement[bool]:
        """Born early enough to be of age (every jurisdiction) at the earliest state of ``scopes``.

        The earliest time per scope is read first (one index step each) and turned into a birth
        date here, a day early so that calendar edge cases (29 February) can only send someone
        to the exact test; a scope without any state can give no consent and sets no bound.
        The database then compares each row with a constant instead of doing date arithmetic.
        """
        oldest = max(self.policy.minor_age.values())
        tests: list[ColumnElement[bool]] = []
        for scope in scopes:
            first = self.earliest(scope)
            if first is not None:
                bound = minor_threshold(tokyo_date(first), oldest) - timedelta(days=1)
                tests.append(self.subject.c.date_of_birth <= bound)
        return and_(true(), *tests)

    def _filters(self) -> list[ColumnElement[bool]]:
        s, filters = self.subject, self.request.filters
        where: list[ColumnElement[bool]] = []
        if filters.jurisdiction:
            where.append(s.c.jurisdiction == filters.jurisdiction)
        if filters.language:
            where.append(s.c.language == filters.language)
        if filters.min_age is not None:
            born_by = minor_threshold(tokyo_date(self.time), filters.min_age)
            where.append(s.c.date_of_birth <= born_by)
        return where

    def _since_change(self, collected_since: ColumnElement[bool], *, grouped: bool) -> ColumnElement[bool]:
        """Data collected since the purpose's needs_consent change, or a consent that saw it."""
        since = self.purpose.data_since
        scope = ("purpose:" + self.purpose.id,)
        return or_(collected_since, self._usable(scope, separate=False, grouped=grouped, baseline=since))

    def _covers(self, g: _Source, baseline: Baseline) -> ColumnElement[bool]:
        """The state's consent was given under the version that changed the purpose, or later."""
        event = ConsentEvent.__table__.alias("ev")
        newer = sorted(i for i, number in self.versions.items() if number >= baseline.version)
        return exists().where(
            event.c.id == g.c.event_id,
            or_(
                event.c.policy_version_id.in_(newer),
                and_(event.c.policy_version_id.is_(None), g.c.occurred_at >= baseline.since),
            ),
        )

    def _collected(self, *, grouped: bool, since: bool = False) -> ColumnElement[bool]:
        cat = self._source(SubjectCategory, grouped=grouped)
        cutoff = period_cutoff(self.time, self.purpose.period)
        if since and self.purpose.data_since is not None:
            cutoff = max(cutoff, self.purpose.data_since.since)
        return exists().where(
            cat.root == self.sid,
            cat.c.category == self.purpose.category,
            cat.c.collected_at >= cutoff,
        )

    def _suspended(self, *, grouped: bool) -> ColumnElement[bool]:
        u, t = self._source(UsageSuspension, grouped=grouped), self.time
        return exists().where(
            u.root == self.sid,
            u.c.scope.in_(sorted(suspension_scopes(self.purpose))),
            u.c.starts_at <= t,
            or_(u.c.ends_at.is_(None), u.c.ends_at > t),
            or_(u.c.lifted_at.is_(None), u.c.lifted_at > t),
        )

    def _channel_kept(self, *, grouped: bool) -> list[ColumnElement[bool]]:
        """Not withdrawn from the request's channel for this purpose (``channel:<purpose>:<channel>``).

        The latest state of that scope (in a merge group: of the group) must not be a withdrawal;
        no state means the channel follows the purpose's consent. ``any`` names no channel.
        """
        if self.request.channel not in CONTACT_CHANNELS:
            return []
        g = self._source(ConsentState, grouped=grouped)
        where: list[ColumnElement[bool]] = [
            g.root == self.sid,
            g.c.scope == f"channel:{self.purpose.id}:{self.request.channel}",
            g.c.action == "withdrawn",
            g.c.occurred_at <= self.time,
        ]
        if grouped:  # only the latest state of the group counts
            o = self._source(ConsentState, grouped=True)
            later = or_(
                o.c.occurred_at > g.c.occurred_at,
                and_(o.c.occurred_at == g.c.occurred_at, o.c.action == "given"),
            )
            where.append(not_(exists().where(o.root == g.root, o.c.scope == g.c.scope, later)))
        return [not_(exists().where(*where))]

    def _usable(
        self, scopes: Sequence[str], *, separate: bool, grouped: bool, baseline: Baseline | None = None
    ) -> ColumnElement[bool]:
        """A given state of ``scopes`` that the subject was entitled to give (the age rule)."""
        g = self._source(ConsentState, grouped=grouped)
        given = self._given(g, scopes, separate=separate, grouped=grouped, baseline=baseline)
        entitled = self._entitled(g, grouped=True) if grouped else self._may_have_given(g, scopes)
        return exists().where(*given, entitled)

    def _given(
        self,
        g: _Source,
        scopes: Sequence[str],
        *,
        separate: bool,
        grouped: bool,
        baseline: Baseline | None = None,
    ) -> list[ColumnElement[bool]]:
        """A given, unexpired state of one of ``scopes`` (in a merge group: the latest one).

        ``baseline``: the version that widened the purpose; only a consent that saw it counts.
        """
        t = self.time
        where: list[ColumnElement[bool]] = [
            g.root == self.sid,
            g.c.scope.in_(list(scopes)),
            g.c.action == "given",
            g.c.occurred_at <= t,
            or_(g.c.expires_at.is_(None), g.c.expires_at > t),
        ]
        if separate:
            where.append(g.c.separate.is_(true()))
        if baseline is not None:
            where.append(self._covers(g, baseline))
        if grouped:  # several subjects' states for one scope: only the latest counts
            o = self._source(ConsentState, grouped=True)
            later = or_(
                o.c.occurred_at > g.c.occurred_at,
                and_(o.c.occurred_at == g.c.occurred_at, o.c.action != "given"),
            )
            where.append(not_(exists().where(o.root == g.root, o.c.scope == g.c.scope, later)))
        return where

    def _entitled(self, g: _Source, *, grouped: bool) -> ColumnElement[bool]:
        s = self.subject
        minor_clauses = [
            and_(s.c.jurisdiction == j, s.c.date_of_birth > self._threshold(g.c.occurred_at, age))
            for j, age in sorted(self.policy.minor_age.items())
        ]
        if not minor_clauses:
            return true()
        minor = and_(s.c.date_of_birth.is_not(None), or_(*minor_clauses))
        r, day = self._source(SubjectRelationship, grouped=grouped), self._day(g.c.occurred_at)
        # Correlated two levels up (the subject and its consent state), so said explicitly.
        represented = (
            exists()
            .where(
                r.root == self.sid,
                r.c.related_subject_id == g.c.on_behalf_by_id,
                r.c.kind.in_(sorted(LEGAL_REPRESENTATIVES)),
                r.c.valid_from <= day,
                or_(r.c.valid_until.is_(None), r.c.valid_until >= day),
            )
            .correlate(s, g.table)
        )
        return or_(not_(minor), and_(g.c.on_behalf_by_id.is_not(None), represented))

    def _day(self, instant: Any) -> Any:
        if self.dialect == "sqlite":
            return func.date(instant, "+9 hours")
        return cast(func.timezone("Asia/Tokyo", instant), Date)

    def _threshold(self, instant: Any, age: int) -> Any:
        if self.dialect == "sqlite":
            return func.date(instant, "+9 hours", f"-{age} years")
        return cast(
            func.timezone("Asia/Tokyo", instant) - func.make_interval(literal_column(str(int(age)))), Date
        )


def _members_cte(dialect: str) -> Any:
    """(id, root) for every merged subject and each subject it was merged into, chains followed."""
    s = Subject.__table__
    merged: ColumnElement[bool] = s.c.merged_into_id.is_not(None)
    if dialect == "sqlite":  # few are merged: without this hint SQLite scans every subject for them
        merged = func.likelihood(merged, literal_column("0.001"))
    base = select(s.c.id.label("id"), s.c.merged_into_id.label("root")).where(merged)
    members = base.cte("members", recursive=True)
    up = s.alias("up")
    step = (
        select(members.c.id, up.c.merged_into_id)
        .join(up, up.c.id == members.c.root)
        .where(up.c.merged_into_id.is_not(None))
    )
    return members.union_all(step)
