"""Set-wise reads and writes for large provisions: one array parameter per query, COPY on PostgreSQL.

An ``IN (...)`` list of thousands of bound parameters costs more to build and parse than the query
costs to run; on PostgreSQL one array parameter (``= ANY(:ids)``) and ``COPY`` for inserts do the
same work at a fraction of the cost. SQLite takes the portable path (chunked IN lists, executemany).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Table, any_, bindparam, insert
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import Uuid

from mamori.consents.decisions.facts import chunks

PG_CHUNK = 50_000


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def id_chunks(session: Session, column: Any, ids: Sequence[uuid.UUID]) -> Iterator[ColumnElement[bool]]:
    """Conditions ``column`` is one of ``ids``, one per chunk (one array parameter each on PostgreSQL)."""
    if _postgres(session):
        for part in chunks(list(ids), PG_CHUNK):
            yield column == any_(bindparam("ids", list(part), type_=ARRAY(Uuid())))
        return
    for part in chunks(list(ids)):
        yield column.in_(part)


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with every column) in the session's transaction."""
    if not rows:
        return
    if not _postgres(session):
        for part in chunks(list(rows), 2_000):
            session.execute(insert(table), list(part))
        return
    columns = list(rows[0])
    connection: Any = session.connection().connection.driver_connection
    names = ", ".join(f'"{name}"' for name in columns)
    with connection.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([row[name] for name in columns])
