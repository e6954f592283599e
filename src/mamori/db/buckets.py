"""Counting rows by time bucket in SQL: which of consecutive intervals an instant column falls in.

The buckets are given by their boundaries (aware instants computed by the caller in whatever zone
its weeks or days are defined), so grouping is exact and portable (no time-zone arithmetic in SQL):
bucket ``i`` holds ``starts[i] <= column < starts[i + 1]``; before or after them the bucket is NULL.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, literal_column, null


def bucket(column: Any, starts: Sequence[datetime]) -> ColumnElement[Any]:
    """The index ``i`` of the interval ``[starts[i], starts[i + 1])`` holding ``column``, else NULL."""
    if len(starts) < 2:  # noqa: PLR2004 - at least one interval
        raise ValueError("buckets need at least two boundaries")
    whens: list[tuple[Any, Any]] = [(column < starts[0], null())]
    whens += [(column < end, literal_column(str(index))) for index, end in enumerate(starts[1:])]
    return case(*whens, else_=null())
