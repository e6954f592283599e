"""Record, list and verify audit events. Callers own the transaction (the event commits with the change)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from mamori.audit.models import AuditChainHead, AuditEvent
from mamori.audit.parallel import PARALLEL_THRESHOLD, verify_file_in_parallel
from mamori.audit.rules import (
    VerifyResult,
    canonical_json,
    format_instant,
    genesis_hash,
    intact_count,
    link_hash,
    verify_links,
)
from mamori.db.base import utcnow

HEAD_ID = 1
# PostgreSQL writes this many chains at once: a transaction locks one free head until it commits,
# so audited transactions commit side by side instead of one fsync after another. SQLite has a
# single writer anyway and keeps one chain. (Migration 0013 creates the heads.)
POSTGRES_CHAINS = 16
_HEAD_KEY = "mamori.audit.head"


@dataclass(frozen=True, slots=True)
class EventInput:
    """What a room wants recorded. ``details`` must not carry personal data in clear."""

    action: str
    target_type: str
    target_id: str
    details: Mapping[str, Any] = field(default_factory=dict)


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


_heads = cast("Table", AuditChainHead.__table__)
_HEAD_COLUMNS = (_heads.c.id, _heads.c.seq, _heads.c.hash)
_FREE_HEADS = select(*_HEAD_COLUMNS).with_for_update(skip_locked=True).limit(1)
_THIS_HEAD_IF_FREE = _FREE_HEADS.where(_heads.c.id == bindparam("head_id"))
_FIRST_FREE_HEAD = _FREE_HEADS.order_by(_heads.c.id)


def _lock_head(session: Session) -> tuple[int, int, str]:
    """Lock a chain head until this transaction ends; its (chain, last link, last hash).

    On PostgreSQL: the head used last if it is free (or already ours), else the first free one;
    only when every head is busy wait for one. (Core statements: this runs in every audited
    transaction, and the heads are never kept as ORM objects that could go stale.)
    """
    connection = session.connection()
    if not _postgres(session):
        chain = HEAD_ID
    else:
        last = session.info.get(_HEAD_KEY)
        row = None
        if last is not None:
            row = connection.execute(_THIS_HEAD_IF_FREE, {"head_id": last}).first()
        if row is None:
            row = connection.execute(_FIRST_FREE_HEAD).first()
        if row is not None:
            session.info[_HEAD_KEY] = row.id
            return row.id, row.seq, row.hash
        chain = 1 + secrets.randbelow(POSTGRES_CHAINS)  # every head is busy (or none exists): wait
    row = connection.execute(select(*_HEAD_COLUMNS).where(_heads.c.id == chain).with_for_update()).first()
    if row is None:
        start = genesis_hash(chain)
        connection.execute(insert(_heads).values(id=chain, seq=0, hash=start))
        row = connection.execute(select(*_HEAD_COLUMNS).where(_heads.c.id == chain).with_for_update()).one()
    session.info[_HEAD_KEY] = row.id
    return row.id, row.seq, row.hash


def record_event(  # noqa: PLR0913 - the audit vocabulary
    session: Session,
    *,
    actor: str,
    action: str,
    target_type: str,
    target_id: str,
    details: Mapping[str, Any] | None = None,
) -> Recorded:
    """Append one event to a chain inside the caller's transaction."""
    return record_events(
        session, actor=actor, events=[EventInput(action, target_type, target_id, details or {})]
    )[0]


@dataclass(frozen=True, slots=True)
class Recorded:
    seq: int
    hash: str


_events = cast("Table", AuditEvent.__table__)
_NEXT_SEQ = func.nextval("audit_event_seq")
_ROWS_PER_INSERT = 2000  # x 11 columns: well under PostgreSQL's 65,535 parameters per statement
_MOVE_HEAD = (
    update(_heads)
    .where(_heads.c.id == bindparam("head_id"))
    .values(seq=bindparam("head_link"), hash=bindparam("head_hash"))
)
_INSERT_ONE = (
    insert(_events)
    .values(seq=_NEXT_SEQ)
    .returning(_events.c.link, _events.c.seq)
    .add_cte(_MOVE_HEAD.cte("moved_head"))
)


def _insert_many(connection: Connection, rows: list[dict[str, Any]], head: dict[str, Any]) -> list[int]:
    """PostgreSQL: multi-row inserts in chunks; the events' numbers in the order of ``rows``.

    A statement takes at most 65,535 parameters; the last chunk carries the head's move.
    """
    by_link: dict[int, int] = {}
    for start in range(0, len(rows), _ROWS_PER_INSERT):
        chunk = rows[start : start + _ROWS_PER_INSERT]
        stmt = insert(_events).values([{**row, "seq": _NEXT_SEQ} for row in chunk])
        last = start + _ROWS_PER_INSERT >= len(rows)
        if last:
            stmt = stmt.add_cte(_MOVE_HEAD.cte("moved_head"))
        returned = connection.execute(stmt.returning(_events.c.link, _events.c.seq), head if last else {})
        by_link.update((int(n_link), int(n)) for n_link, n in returned)
    return [by_link[row["link"]] for row in rows]


def record_events(session: Session, *, actor: str, events: Sequence[EventInput]) -> list[Recorded]:
    """Append several events at once: one lock on a chain head, one multi-row insert.

    Event numbers come from ``audit_event_seq`` on PostgreSQL (no lock; a rolled-back transaction
    leaves a gap) and equal the link on SQLite.
    """
    if not events:
        return []
    session.flush()  # the caller's pending changes first, as an ORM write here would do
    chain, link, prev = _lock_head(session)
    postgres = _postgres(session)
    now = utcnow()
    instant = format_instant(now)
    rows: list[dict[str, Any]] = []
    for event in events:
        link += 1
        details = canonical_json(dict(event.details))
        digest = link_hash(
            prev, link, instant, actor, event.action, event.target_type, event.target_id, details
        )
        row = {
            "chain": chain,
            "link": link,
            "occurred_at": now,
            "actor": actor,
            "action": event.action,
            "target_type": event.target_type,
            "target_id": event.target_id,
            "details": details,
            "prev_hash": prev,
            "hash": digest,
        }
        if not postgres:
            row["seq"] = link
        rows.append(row)
        prev = digest
    head = {"head_id": chain, "head_link": link, "head_hash": prev}
    connection = session.connection()
    if not postgres:
        connection.execute(insert(_events), rows)
        connection.execute(_MOVE_HEAD, head)
        numbers = [row["seq"] for row in rows]
    elif len(rows) == 1:
        # One round trip: the row and the head's move in one statement (a data-modifying CTE),
        # built once.
        returned = connection.execute(_INSERT_ONE, {**rows[0], **head}).one()
        numbers = [int(returned.seq)]
    else:
        numbers = _insert_many(connection, rows, head)
    return [Recorded(n, row["hash"]) for n, row in zip(numbers, rows, strict=True)]


def list_events(
    session: Session, *, after_seq: int = 0, limit: int = 100, action: str | None = None
) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.seq > after_seq).order_by(AuditEvent.seq).limit(limit)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return list(session.scalars(stmt))


_COLUMNS = "link, occurred_at, actor, action, target_type, target_id, details, prev_hash, hash"
_FAST_COLUMNS = "occurred_at, actor, action, target_type, target_id, details, hash"


def _raw_rows(session: Session, columns: str, batch: int, chain: int = HEAD_ID) -> Iterator[tuple[Any, ...]]:
    """One chain's rows straight from the driver (no ORM or type processing: verification reads millions)."""
    cursor = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    marker = "%s" if _postgres(session) else "?"
    try:
        cursor.execute(
            f"SELECT {columns} FROM audit_events WHERE chain = {marker} ORDER BY link",  # noqa: S608 - fixed text
            (chain,),
        )
        while rows := cursor.fetchmany(batch):
            yield from rows
    finally:
        cursor.close()


def _links(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    for row in rows:
        # SQLite returns the instant as the very text that was hashed; other drivers a datetime.
        yield row if isinstance(row[1], str) else (row[0], format_instant(row[1]), *row[2:])


def verify_chain(session: Session, *, batch: int = 10_000) -> VerifyResult:
    """Recompute every hash of every chain; the first altered, deleted or reordered event is reported.

    Each chain is checked link by link against its head (which catches a lost tail); an event
    whose chain has no head is reported too. ``checked`` counts the events verified.
    """
    session.flush()
    heads: dict[int, tuple[int | None, str | None]] = {
        row.id: (row.seq, row.hash) for row in session.execute(select(*_HEAD_COLUMNS))
    }
    chains = set(session.scalars(select(AuditEvent.chain).distinct()))
    if not heads:
        heads[HEAD_ID] = (None, None)  # an empty log, or one whose head was removed: read the links
    if chains - set(heads):
        orphan = min(chains - set(heads))
        first = session.scalar(select(func.min(AuditEvent.link)).where(AuditEvent.chain == orphan))
        return VerifyResult(ok=False, checked=0, problem="altered", chain=orphan, link=first)
    checked = 0
    for chain in sorted(heads):
        head_seq, head_hash = heads[chain]
        if (
            chain == HEAD_ID
            and len(heads) == 1
            and not _postgres(session)
            and _fast_sqlite_check(session, head_seq, head_hash, batch)
        ):
            return VerifyResult(ok=True, checked=head_seq or 0)
        result = verify_links(
            _links(_raw_rows(session, _COLUMNS, batch, chain)),
            head_seq=head_seq,
            head_hash=head_hash,
            genesis=genesis_hash(chain),
        )
        if not result.ok:
            return _placed(session, result, chain, checked)
        checked += result.checked
    return VerifyResult(ok=True, checked=checked)


def _placed(session: Session, result: VerifyResult, chain: int, checked: int) -> VerifyResult:
    """The chain's finding with the event's number (the chain reports positions)."""
    link = result.seq
    number = None
    if result.problem != "missing" and link is not None:
        stmt = select(AuditEvent.seq).where(AuditEvent.chain == chain, AuditEvent.link == link)
        number = session.scalar(stmt)
    if number is None and not _postgres(session) and result.problem != "missing":
        number = link
    return replace(result, checked=checked + result.checked, chain=chain, link=link, seq=number)


def _fast_sqlite_check(session: Session, head_seq: int | None, head_hash: str | None, batch: int) -> bool:
    """True only when the whole chain is certainly intact; False means "look closer"."""
    if head_seq is None:
        return False
    last = session.scalar(
        select(AuditEvent.hash).where(AuditEvent.chain == HEAD_ID).order_by(AuditEvent.link.desc()).limit(1)
    )
    if last != head_hash:
        return False
    path = session.connection().engine.url.database
    if head_seq >= PARALLEL_THRESHOLD and path and path != ":memory:" and not session.in_nested_transaction():
        # Other processes see committed rows only; the head compared above came from this session,
        # so any uncommitted difference fails the check and falls back to the full path.
        return verify_file_in_parallel(path, head_seq)
    return intact_count(_raw_rows(session, _FAST_COLUMNS, batch)) == head_seq
