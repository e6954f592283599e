"""Sweep one dataset of a connected system: find the rows past retention, delete or anonymise them, verify.

Rows are walked in primary-key order in keyset batches (``WHERE clock < cutoff AND key > cursor
ORDER BY key LIMIT n``): memory holds one batch of keys, never the whole set, and the cursor after
each batch lets an interrupted sweep go on where it stopped. ``delete`` removes the batch's range
with one statement (children first) and reads the range again: what is left beyond the held rows
is residual. ``anonymise`` uses the erasure machinery of fulfillment (the fields' strategies, then
a re-read by key counting personal values left). Files (camera footage) are rows keyed by path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Connection, Table, and_, delete, false, func, or_, select, true, tuple_
from sqlalchemy.exc import SQLAlchemyError

from mamori.fulfillment.connectors.base import Connector, ConnectorError, Delete, Key, Lookup
from mamori.fulfillment.connectors.footage import MODIFIED, FootageConnector
from mamori.fulfillment.connectors.sql import SqlConnector
from mamori.fulfillment.rules import erasure_changes, residual_fields
from mamori.policy.sections.datamap import Dataset

ANONYMISE_BATCH = 10_000
BATCH = 20_000  # rows per batch: one short transaction and one re-read each


@dataclass
class Counts:
    """What a sweep of one dataset found and did; ``cursor`` is the last key it passed."""

    expired: int = 0
    changed: int = 0
    held: int = 0
    residual: int = 0
    cursor: list[Any] | None = None
    items: list[str] = field(default_factory=list)


Progress = Callable[[Counts], None]


@dataclass(frozen=True)
class Job:
    connector: Connector
    dataset: Dataset
    cutoff: datetime
    held: set[Key]
    dry_run: bool = False
    batch: int = BATCH


def sweep_dataset(job: Job, counts: Counts, progress: Progress) -> Counts:
    """Sweep ``job.dataset`` from ``counts.cursor`` on; ``progress`` is called after every batch.

    Raises:
        ConnectorError: the system cannot be reached or refused the change (names no value).
    """
    counts.items = sorted({f.item for f in job.dataset.personal_fields if f.item})
    if isinstance(job.connector, FootageConnector):
        return _sweep_files(job, job.connector, counts, progress)
    if isinstance(job.connector, SqlConnector):
        try:
            return _sweep_sql(job, job.connector, counts, progress)
        except SQLAlchemyError as exc:
            raise ConnectorError(f"{job.connector.system.id}: {type(exc).__name__}") from None
    raise ConnectorError(f"{job.connector.system.id}: retention sweeps cover SQL and files stores only")


# --------------------------------------------------------------------------- SQL


@dataclass(frozen=True)
class _Sql:
    table: Table
    pk: list[Any]
    expired: ColumnElement[bool]

    def key(self) -> Any:
        return self.pk[0] if len(self.pk) == 1 else tuple_(*self.pk)

    def after(self, cursor: list[Any] | None) -> ColumnElement[bool]:
        if cursor is None:
            return true()
        return cast("ColumnElement[bool]", self.key() > (cursor[0] if len(cursor) == 1 else tuple_(*cursor)))

    def upto(self, last: Key) -> ColumnElement[bool]:
        return cast("ColumnElement[bool]", self.key() <= (last[0] if len(last) == 1 else tuple_(*last)))

    def held(self, keys: list[Key]) -> ColumnElement[bool]:
        if not keys:
            return true()
        values = [k[0] for k in keys] if len(self.pk) == 1 else keys
        return cast("ColumnElement[bool]", self.key().not_in(values))


def _plan(conn: Connection, connector: SqlConnector, job: Job) -> _Sql:
    dataset, expiry = job.dataset, job.dataset.expiry
    assert expiry is not None  # noqa: S101 - only datasets with expiry are swept
    table = connector.table(conn, dataset.id)
    if expiry.clock is None or expiry.clock not in table.c:
        raise ConnectorError(f"{connector.system.id}: {dataset.id} has no clock column {expiry.clock!r}")
    naive = job.cutoff.astimezone(UTC).replace(tzinfo=None)  # stored UTC without zone, as the shop does
    condition = table.c[expiry.clock] < naive
    if expiry.action == "anonymise":
        condition = and_(condition, _not_yet_anonymised(table, dataset))
    return _Sql(table, [table.c[c] for c in dataset.primary_key], condition)


def _not_yet_anonymised(table: Table, dataset: Dataset) -> ColumnElement[bool]:
    """A row still holding a value its strategy would remove (anonymised rows are no work left)."""
    left: list[ColumnElement[bool]] = []
    for f in dataset.personal_fields:
        column = table.c[f.name]
        if f.erasure == "null":
            left.append(column.is_not(None))
        elif f.erasure == "mask":
            left.append(and_(column.is_not(None), column != f.mask))
        elif f.erasure == "hash":
            left.append(and_(column.is_not(None), func.length(column) != 64))  # noqa: PLR2004 - SHA-256 hex
    return or_(*left) if left else false()


def _sweep_sql(job: Job, connector: SqlConnector, counts: Counts, progress: Progress) -> Counts:
    engine = connector.engine()
    with engine.connect() as conn:
        plan = _plan(conn, connector, job)
        children = _children(conn, connector, job)
    if job.dry_run:
        return _count_sql(engine, plan, job, counts)
    anonymise = job.dataset.expiry is not None and job.dataset.expiry.action == "anonymise"
    step = _anonymise_batch if anonymise else _delete_batch
    while step(engine, connector, plan, children, job, counts):
        progress(counts)
    return counts


def _anonymise_batch(
    engine: Any, connector: SqlConnector, plan: _Sql, _: list[tuple[Table, Any]], job: Job, counts: Counts
) -> bool:
    """The next batch's keys, then the erasure strategies on those not held; False when none is left."""
    with engine.connect() as conn:
        query = select(*plan.pk).where(plan.expired, plan.after(counts.cursor)).order_by(*plan.pk)
        limit = min(job.batch, ANONYMISE_BATCH)  # these rows are read whole into memory
        keys: list[Key] = [tuple(row) for row in conn.execute(query.limit(limit))]
    if not keys:
        return False
    held = [k for k in keys if k in job.held]
    counts.expired += len(keys)
    counts.held += len(held)
    _anonymise(connector, job, [k for k in keys if k not in job.held], counts)
    counts.cursor = list(keys[-1])
    return True


def _delete_batch(
    engine: Any, _: SqlConnector, plan: _Sql, children: list[tuple[Table, Any]], job: Job, counts: Counts
) -> bool:
    """Delete the next batch by key range (only its last key is read); False when none is left."""
    ahead = select(*plan.pk).where(plan.expired, plan.after(counts.cursor)).order_by(*plan.pk)
    with engine.connect() as conn:
        # The batch's last key: the row ``batch`` places on (read in the database, no key list);
        # fewer rows left than a batch: the last of them.
        found = conn.execute(ahead.limit(1).offset(job.batch - 1)).first()
        if found is None:
            found = conn.execute(
                select(*plan.pk)
                .where(plan.expired, plan.after(counts.cursor))
                .order_by(*(c.desc() for c in plan.pk))
                .limit(1)
            ).first()
    if found is None:
        return False
    last: Key = tuple(found)
    held = _held_between(job.held, counts.cursor, last)
    span = and_(plan.expired, plan.after(counts.cursor), plan.upto(last))
    where = and_(span, plan.held(held))
    kept = 0
    with engine.begin() as conn:
        if held:
            values = [k[0] for k in held] if len(plan.pk) == 1 else held
            query = select(func.count()).select_from(plan.table).where(span, plan.key().in_(values))
            kept = int(conn.execute(query).scalar_one())
        if children and len(plan.pk) == 1:
            doomed = select(plan.pk[0]).where(where)
            for table, column in children:
                conn.execute(delete(table).where(column.in_(doomed)))
        deleted = conn.execute(delete(plan.table).where(where)).rowcount
    with engine.connect() as conn:  # read the range again: nothing expired but the held rows may remain
        left = int(conn.execute(select(func.count()).select_from(plan.table).where(where)).scalar_one())
    counts.changed += deleted
    counts.residual += left
    counts.held += kept
    counts.expired += deleted + left + kept
    counts.cursor = list(last)
    return True


def _held_between(held: set[Key], cursor: list[Any] | None, last: Key) -> list[Key]:
    """The held keys inside (cursor, last]; all of them when the key values do not compare."""
    low = tuple(cursor) if cursor is not None else None
    try:
        return [k for k in held if (low is None or k > low) and k <= last]
    except TypeError:
        return list(held)


def _count_sql(engine: Any, plan: _Sql, job: Job, counts: Counts) -> Counts:
    with engine.connect() as conn:
        where = and_(plan.expired, plan.after(counts.cursor))
        counts.expired = int(
            conn.execute(select(func.count()).select_from(plan.table).where(where)).scalar_one()
        )
        held = list(job.held)
        for start in range(0, len(held), 1000):
            chunk = held[start : start + 1000]
            values = [k[0] for k in chunk] if len(plan.pk) == 1 else chunk
            query = select(func.count()).select_from(plan.table).where(where, plan.key().in_(values))
            counts.held += int(conn.execute(query).scalar_one())
    return counts


def _children(conn: Connection, connector: SqlConnector, job: Job) -> list[tuple[Table, Any]]:
    """The tables (and their referring column) whose rows go with a deleted row."""
    assert job.dataset.expiry is not None  # noqa: S101
    out = []
    for child in job.dataset.expiry.children:
        dataset_id, column = child.split(".")
        table = connector.table(conn, dataset_id)
        out.append((table, table.c[column]))
    return out


def _anonymise(connector: SqlConnector, job: Job, keys: list[Key], counts: Counts) -> None:
    if not keys:
        return
    dataset = job.dataset
    lookup = Lookup(dataset.id, tuple(dataset.primary_key), tuple(keys))
    rows = {tuple(row[c] for c in dataset.primary_key): row for row in connector.fetch([lookup])[0]}
    connector.apply(erasure_changes(dataset, rows, b"retention"))
    counts.changed += len(rows)
    again = connector.fetch([lookup])[0]
    counts.residual += sum(1 for row in again if residual_fields(dataset, [row]))


# --------------------------------------------------------------------------- files


def _sweep_files(job: Job, connector: FootageConnector, counts: Counts, progress: Progress) -> Counts:
    limit = job.cutoff.timestamp()
    after = counts.cursor[0] if counts.cursor else None
    batch: list[Key] = []
    last: str | None = None
    for path, mtime in connector.scan(job.dataset.id, after):
        last = path
        if mtime >= limit:
            continue
        counts.expired += 1
        if (path,) in job.held:
            counts.held += 1
            continue
        batch.append((path,))
        if len(batch) >= job.batch:
            _remove_files(connector, job, batch, counts, last)
            progress(counts)
            batch = []
    _remove_files(connector, job, batch, counts, last)
    progress(counts)
    return counts


def _remove_files(
    connector: FootageConnector, job: Job, batch: list[Key], counts: Counts, last: str | None
) -> None:
    if batch and not job.dry_run:
        counts.changed += connector.apply([Delete(job.dataset.id, tuple(batch))])[0]
        again = connector.fetch([Lookup(job.dataset.id, ("path",), tuple(batch))])[0]
        counts.residual += len([row for row in again if row.get(MODIFIED) is not None])
    if last is not None and not job.dry_run:
        counts.cursor = [last]
