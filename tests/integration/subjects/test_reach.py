"""The reach projection (kept by triggers) equals its definition after any mix of writes."""

from __future__ import annotations

import json
import random
import threading
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Exists, exists, select, text, update
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.config import Settings
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.subjects import lifecycle, reach, service
from mamori.subjects.models import Subject, SubjectCategory, SubjectIdentifier, SubjectReach
from mamori.subjects.schemas import CategoryIn
from tests.factories.subjects import corrupt_reach, create_subject, ensure_policy

Row = tuple[str, uuid.UUID, datetime, str, str, date | None, bool, bool, bool]


def _kept(session: Session) -> set[Row]:
    session.flush()
    r = SubjectReach
    cols = (r.category, r.subject_id, r.collected_at, r.jurisdiction, r.language, r.date_of_birth)
    flags = (r.has_email, r.has_phone, r.has_members)
    return {tuple(row) for row in session.execute(select(*cols, *flags))}  # type: ignore[misc]


def _defined(session: Session) -> set[Row]:
    """The projection computed from scratch, as its docstring defines it."""
    s, c, i, m = Subject, SubjectCategory, SubjectIdentifier, Subject.__table__.alias("m")

    def has(kind: str) -> Exists:
        return exists().where(i.subject_id == s.id, i.kind == kind)

    stmt = (
        select(c.category, s.id, c.collected_at, s.jurisdiction, s.language, s.date_of_birth)
        .add_columns(has("email"), has("phone"), exists().where(m.c.merged_into_id == s.id))
        .join(c, c.subject_id == s.id)
        .where(s.status == "active", s.merged_into_id.is_(None))
    )
    return {tuple(row) for row in session.execute(stmt)}


def _step(session: Session, settings: Settings, rng: random.Random, people: list[uuid.UUID]) -> str:
    """One random write, through the services or as plain SQL; its name."""
    live = [p for p in people if session.get(Subject, p).status == "active"]  # type: ignore[union-attr]
    choice = rng.choice(["create", "create", "identifier", "unidentify", "category", "merge", "erase", "sql"])
    if choice == "create" or len(live) < 2:
        kinds = rng.sample(["customers", "shareholders", "applicants"], rng.randint(1, 2))
        idents = [("email", f"r{uuid.uuid4().hex[:10]}@example.jp")] if rng.random() < 0.6 else []
        born = date(1950, 1, 1) + timedelta(days=rng.randint(0, 25_000))
        person = create_subject(
            session, settings, categories=kinds, identifiers=idents,
            jurisdiction=rng.choice(["JP", "CN"]), date_of_birth=born if rng.random() < 0.5 else None,
        )  # fmt: skip
        people.append(person.id)
        return "create"
    who = rng.choice(live)
    if choice == "identifier":
        kind, value = rng.choice([("phone", f"090{rng.randint(10**7, 10**8 - 1)}"), ("member_number", "M1")])
        if kind == "member_number":
            value = f"M{uuid.uuid4().int % 10**8:08d}"
        service.add_identifier(session, settings, "test", who, kind=kind, value=value)
    elif choice == "unidentify":
        held = session.scalars(select(SubjectIdentifier).where(SubjectIdentifier.subject_id == who)).all()
        if held:
            service.remove_identifier(session, "test", who, rng.choice(held).id)
    elif choice == "category":
        have = {c.category for c in session.get(Subject, who).categories}  # type: ignore[union-attr]
        missing = sorted({"customers", "shareholders", "applicants"} - have)
        if missing:
            when = datetime.now(UTC) - timedelta(days=rng.randint(0, 5000))
            wanted = CategoryIn(category=rng.choice(missing), collected_at=when)
            service.add_category(session, "test", who, wanted)
    elif choice == "merge":
        lifecycle.merge_subjects(session, "test", who, rng.choice([p for p in live if p != who]))
    elif choice == "erase":
        lifecycle.erase_subject(session, "test", who)
    else:  # writes that bypass the services: the triggers still see them
        session.flush()
        session.execute(update(Subject).where(Subject.id == who).values(language="en", jurisdiction="CN"))
        session.execute(
            update(SubjectCategory)
            .where(SubjectCategory.subject_id == who)
            .values(collected_at=datetime(2020, 1, 1, tzinfo=UTC))
        )
        session.expire_all()
    return choice


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_projection_equals_its_definition_after_each_write(
    session: Session, settings: Settings, seed: int
) -> None:
    ensure_policy(session)
    rng, people, seen = random.Random(seed), list[uuid.UUID](), set[str]()  # noqa: S311 - test data
    for _ in range(40):
        seen.add(_step(session, settings, rng, people))
        assert _kept(session) == _defined(session)
    assert {"create", "merge", "erase", "sql"} <= seen
    assert _kept(session)  # the comparison was not between two empty sets


def test_deleting_rows_removes_them(session: Session, settings: Settings) -> None:
    person = create_subject(session, settings, categories=["customers", "shareholders"])
    session.flush()
    assert {row[0] for row in _kept(session) if row[1] == person.id} == {"customers", "shareholders"}
    session.execute(text("DELETE FROM subject_categories WHERE category = 'shareholders'"))
    assert {row[0] for row in _kept(session) if row[1] == person.id} == {"customers"}
    assert _kept(session) == _defined(session)


def test_writers_for_one_person_take_turns(fresh_database_url: str) -> None:
    """Two transactions add categories to one person at once; both rows land (PostgreSQL locks)."""
    settings = Settings(database_url=fresh_database_url, mail_backend="null", _env_file=None)
    engine = make_engine(fresh_database_url)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        ensure_policy(session)
        person = create_subject(session, settings, categories=["customers"]).id
    errors: list[BaseException] = []

    def second() -> None:
        try:
            with unit_of_work(factory) as other:
                service.add_category(other, "test", person, "applicants")
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    first = factory()
    try:
        service.add_category(first, "test", person, "shareholders")
        first.flush()
        thread = threading.Thread(target=second)
        thread.start()
        thread.join(timeout=0.5)  # the second reaches its recomputation and waits (SQLite: for the lock)
        first.commit()
    finally:
        first.close()
    thread.join(timeout=30)
    with unit_of_work(factory) as session:
        kept = {row[0] for row in _kept(session) if row[1] == person}
        defined = _defined(session)
        assert _kept(session) == defined
    engine.dispose()
    assert errors == []
    assert kept == {"customers", "shareholders", "applicants"}


def test_check_counts_differences_and_rebuild_repairs(session: Session, settings: Settings) -> None:
    create_subject(session, settings, categories=["customers", "shareholders"])
    session.flush()
    assert reach.differences(session).ok
    corrupt_reach(session, settings)
    assert reach.differences(session) == reach.ReachCheck(missing=2, extra=1)
    rows = reach.rebuild(session, "test")
    assert reach.differences(session).ok
    assert _kept(session) == _defined(session)
    assert rows == len(_defined(session))
    rebuilt = AuditEvent.action == "subjects.reach_rebuilt"
    event = session.scalar(select(AuditEvent).where(rebuilt).order_by(AuditEvent.seq.desc()))
    assert event is not None
    assert json.loads(event.details) == {"rows": rows, "missing_before": 2, "extra_before": 1}
