"""Counting rows by local day or week in SQL, so that a dashboard loads counts, not rows.

The caller computes each bucket's boundaries (aware instants, in whatever zone its days are defined)
and gets one count per bucket from a single statement of range counts, each served by an index on
the instant column: exact and portable (no time-zone arithmetic in SQL, nothing read per row). The
statements are built once per shape and reused with new boundaries (building 80 subqueries anew
would cost more than running them).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, literal_column, select, union_all
from sqlalchemy.orm import Session

_BUILT: dict[tuple[str, ...], Any] = {}


def _count_statement(column: Any, buckets: int, at_least: Any) -> Select[Any]:
    key = ("counts", str(column), str(at_least), str(buckets))
    if key not in _BUILT:
        counts = []
        for i in range(buckets):
            where = [column >= bindparam(f"s{i}", type_=column.type),
                     column < bindparam(f"s{i + 1}", type_=column.type)]  # fmt: skip
            if at_least is not None:
                where.append(at_least >= bindparam(f"m{i}", type_=at_least.type))
            counts.append(select(func.count()).where(*where).scalar_subquery())
        _BUILT[key] = select(*counts)
    return _BUILT[key]  # type: ignore[no-any-return]


def range_counts(
    session: Session,
    column: Any,
    starts: Sequence[datetime],
    *,
    at_least: tuple[Any, Sequence[date]] | None = None,
) -> list[int]:
    """Rows with ``starts[i] <= column < starts[i + 1]`` for each ``i``.

    With ``at_least=(other, minimums)`` only rows whose ``other >= minimums[i]`` count in bucket ``i``.
    """
    buckets = len(starts) - 1
    if buckets < 1:
        return []
    params: dict[str, Any] = {f"s{i}": start for i, start in enumerate(starts)}
    other = None
    if at_least is not None:
        other, minimums = at_least
        params |= {f"m{i}": minimums[i] for i in range(buckets)}
    return [int(n or 0) for n in session.execute(_count_statement(column, buckets, other), params).one()]


def range_groups(
    session: Session, column: Any, starts: Sequence[datetime], *keys: Any
) -> list[tuple[Any, ...]]:
    """``(i, *key values, count)`` of rows with ``starts[i] <= column < starts[i + 1]``, by ``keys``."""
    buckets = len(starts) - 1
    if buckets < 1:
        return []
    key = ("groups", str(column), *map(str, keys), str(buckets))
    if key not in _BUILT:
        _BUILT[key] = union_all(*[
            select(literal_column(str(i)).label("bucket"), *keys, func.count())
            .where(column >= bindparam(f"s{i}", type_=column.type),
                   column < bindparam(f"s{i + 1}", type_=column.type))
            .group_by(*keys)
            for i in range(buckets)
        ])  # fmt: skip
    params = {f"s{i}": start for i, start in enumerate(starts)}
    return [tuple(row) for row in session.execute(_BUILT[key], params)]
