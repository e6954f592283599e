"""Check and rebuild the reach projection (kept by triggers; decision record 0011).

The triggers keep ``subject_reach`` right on every write. It can only go wrong when they were
bypassed: a bulk load with triggers disabled (``session_replication_role = replica``,
``pg_restore --disable-triggers``) or a copy of some tables only. :func:`differences` says how
many rows differ from the definition; :func:`rebuild` recomputes the whole table in one
transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, delete, except_, exists, func, insert, select
from sqlalchemy.orm import Session

from mamori.audit.service import record_event
from mamori.subjects.models import Subject, SubjectCategory, SubjectIdentifier, SubjectReach

COLUMNS = (
    "category",
    "subject_id",
    "collected_at",
    "jurisdiction",
    "language",
    "date_of_birth",
    "has_email",
    "has_phone",
    "has_members",
)


@dataclass(frozen=True, slots=True)
class ReachCheck:
    missing: int  # rows the definition has and the table lacks (or holds with other values)
    extra: int  # rows the table has and the definition does not (or with other values)

    @property
    def ok(self) -> bool:
        return self.missing == 0 and self.extra == 0


def defined_rows() -> Select[tuple[object, ...]]:
    """The projection's rows as its definition computes them from the base tables."""
    s, c, i = Subject.__table__, SubjectCategory.__table__, SubjectIdentifier.__table__
    child = Subject.__table__.alias("child")
    return (
        select(
            c.c.category,
            s.c.id,
            c.c.collected_at,
            s.c.jurisdiction,
            s.c.language,
            s.c.date_of_birth,
            exists().where(i.c.subject_id == s.c.id, i.c.kind == "email"),
            exists().where(i.c.subject_id == s.c.id, i.c.kind == "phone"),
            exists().where(child.c.merged_into_id == s.c.id),
        )
        .join(c, c.c.subject_id == s.c.id)
        .where(s.c.status == "active", s.c.merged_into_id.is_(None))
    )


def _kept_rows() -> Select[tuple[object, ...]]:
    r = SubjectReach.__table__
    return select(*(r.c[name] for name in COLUMNS))


def differences(session: Session) -> ReachCheck:
    """Compare the table with its definition (reads both whole: minutes at millions of rows)."""
    missing = except_(defined_rows(), _kept_rows()).subquery()
    extra = except_(_kept_rows(), defined_rows()).subquery()
    return ReachCheck(
        missing=int(session.scalar(select(func.count()).select_from(missing)) or 0),
        extra=int(session.scalar(select(func.count()).select_from(extra)) or 0),
    )


def rebuild(session: Session, actor: str) -> int:
    """Recompute the whole projection in this transaction; the number of rows. Audited."""
    before = differences(session)
    session.execute(delete(SubjectReach))
    session.execute(insert(SubjectReach).from_select(list(COLUMNS), defined_rows()))
    rows = int(session.scalar(select(func.count()).select_from(SubjectReach)) or 0)
    record_event(
        session, actor=actor, action="subjects.reach_rebuilt", target_type="projection",
        target_id="subject_reach",
        details={"rows": rows, "missing_before": before.missing, "extra_before": before.extra},
    )  # fmt: skip
    return rows
