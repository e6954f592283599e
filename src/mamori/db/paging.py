"""Keyset cursors for the registers the console pages newest first (never OFFSET over millions).

A cursor is the (instant, id) of the last row shown, written as text for a query string. It holds
no personal data: a time and a random row id.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, tuple_

from mamori.errors import ValidationFailed

MAX_PAGE = 200
S = TypeVar("S", bound=Select[*tuple[Any, ...]])


@dataclass(frozen=True, slots=True)
class Cursor:
    at: datetime
    id: uuid.UUID

    def text(self) -> str:
        return f"{self.at.isoformat()}~{self.id}"

    @classmethod
    def parse(cls, text: str | None, field: str = "before") -> Cursor | None:
        """The cursor written by :meth:`text`; None for none.

        Raises:
            ValidationFailed: text that is not a cursor.
        """
        if not text:
            return None
        try:
            at, _, ident = text.partition("~")
            instant = datetime.fromisoformat(at)
            if instant.tzinfo is None:
                raise ValueError(at)  # noqa: TRY301 - one refusal for every malformed cursor
            return cls(instant, uuid.UUID(ident))
        except ValueError:
            raise ValidationFailed(
                "invalid page cursor", details={"errors": [{"field": field, "message": "not a page cursor"}]}
            ) from None


def check_limit(limit: int) -> None:
    """Raises ValidationFailed for a page size outside 1..MAX_PAGE."""
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed(
            "invalid page size",
            details={"errors": [{"field": "limit", "message": f"between 1 and {MAX_PAGE}"}]},
        )


def newest_first(stmt: S, at: Any, ident: Any, before: Cursor | None, limit: int) -> S:
    """``stmt`` by (at, id) descending after ``before``; one row more than a page tells of a next page."""
    check_limit(limit)
    paged = stmt.order_by(at.desc(), ident.desc()).limit(limit + 1)
    if before is not None:
        paged = paged.where(tuple_(at, ident) < tuple_(before.at, before.id))
    return paged
