"""Relationships, merging and erasure on a real database (rolled back after each test)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.config import Settings
from mamori.errors import Conflict, NotFound, ValidationFailed
from mamori.subjects import lifecycle, service
from mamori.subjects.models import SubjectIdentifier, SubjectRelationship
from mamori.subjects.schemas import CategoryIn
from tests.factories.subjects import create_subject


def _last(session: Session, action: str) -> AuditEvent | None:
    stmt = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq.desc()).limit(1)
    return session.scalar(stmt)


def _relate(
    session: Session, subject: uuid.UUID, related: uuid.UUID, **overrides: object
) -> SubjectRelationship:
    fields: dict = {
        "kind": "legal_representative_minor",
        "evidence_ref": "family-register/2026-118",
        "valid_from": date(2026, 1, 1),
        "valid_until": date(2030, 1, 1),
    } | overrides
    return lifecycle.relate(session, "test", subject, related_subject_id=related, **fields)


class TestRelate:
    def test_records_and_audits(self, session: Session, settings: Settings) -> None:
        child = create_subject(session, settings, date_of_birth=date(2015, 5, 5))
        parent = create_subject(session, settings)
        row = _relate(session, child.id, parent.id)
        assert (row.subject_id, row.related_subject_id, row.created_by) == (child.id, parent.id, "test")
        view = service.subject_view(session, child)
        assert [r.related_subject_id for r in view.relationships] == [parent.id]
        event = _last(session, "subject.related")
        assert event is not None
        assert str(parent.id) in event.details

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"kind": "friend"}, "kind"),
            ({"evidence_ref": "  "}, "evidence_ref"),
            ({"valid_from": date(2026, 1, 2), "valid_until": date(2026, 1, 1)}, "valid_until"),
        ],
    )
    def test_bad_input_names_the_field(
        self, session: Session, settings: Settings, overrides: dict, field: str
    ) -> None:
        child, parent = create_subject(session, settings), create_subject(session, settings)
        with pytest.raises(ValidationFailed) as exc:
            _relate(session, child.id, parent.id, **overrides)
        assert [e["field"] for e in exc.value.details["errors"]] == [field]
        assert session.scalar(select(SubjectRelationship).limit(1)) is None

    def test_same_day_validity_is_fine(self, session: Session, settings: Settings) -> None:
        child, parent = create_subject(session, settings), create_subject(session, settings)
        row = _relate(session, child.id, parent.id, valid_from=date(2026, 1, 1), valid_until=date(2026, 1, 1))
        assert row.valid_until == row.valid_from

    def test_unknown_self_and_erased(self, session: Session, settings: Settings) -> None:
        child, parent = create_subject(session, settings), create_subject(session, settings)
        with pytest.raises(NotFound):
            _relate(session, uuid.uuid4(), parent.id)
        with pytest.raises(ValidationFailed, match="related_subject_id"):
            _relate(session, child.id, uuid.uuid4())
        with pytest.raises(ValidationFailed, match="itself"):
            _relate(session, child.id, child.id)
        lifecycle.erase_subject(session, "test", parent.id)
        with pytest.raises(Conflict, match="erased"):
            _relate(session, child.id, parent.id)


class TestMergeSubjects:
    def test_merge_unites_categories_and_follows_identifiers(
        self, session: Session, settings: Settings
    ) -> None:
        early, late = datetime(2020, 1, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC)
        source = create_subject(
            session,
            settings,
            identifiers=[("email", "old@example.jp")],
            categories=[CategoryIn(category="customers", collected_at=early), "inquirers"],
        )
        target = create_subject(
            session,
            settings,
            identifiers=[("email", "new@example.jp")],
            categories=[CategoryIn(category="customers", collected_at=late), "shareholders"],
        )
        result = lifecycle.merge_subjects(session, "test", source.id, target.id)
        assert result is target
        assert (source.status, source.merged_into_id) == ("merged", target.id)
        collected = {c.category: c.collected_at for c in target.categories}
        assert collected == {
            "customers": early,
            "shareholders": collected["shareholders"],
            "inquirers": collected["inquirers"],
        }
        assert {c.category for c in source.categories} == {"customers", "inquirers"}  # history kept
        assert service.find_subject(session, settings, kind="email", value="old@example.jp") is target
        assert service.find_subject(session, settings, subject_id=source.id) is target
        view = service.subject_view(session, target)
        assert view.merged_ids == [source.id]
        assert len(view.identifiers) == 2
        revealed = service.reveal_subject(session, settings, "t", source.id, "customer.sales")
        assert revealed.id == target.id
        assert {i.value for i in revealed.identifiers} == {"old@example.jp", "new@example.jp"}
        event = _last(session, "subject.merged")
        assert event is not None
        assert event.target_id == str(source.id)
        assert str(target.id) in event.details

    def test_identifier_of_a_merged_subject_is_still_held(self, session: Session, settings: Settings) -> None:
        source = create_subject(session, settings, identifiers=[("email", "old@example.jp")])
        target = create_subject(session, settings)
        lifecycle.merge_subjects(session, "test", source.id, target.id)
        with pytest.raises(Conflict):
            create_subject(session, settings, identifiers=[("email", "old@example.jp")])
        with pytest.raises(Conflict, match="already has"):
            service.add_identifier(session, settings, "t", target.id, kind="email", value="old@example.jp")

    def test_refusals(self, session: Session, settings: Settings) -> None:
        a, b, c = (create_subject(session, settings) for _ in range(3))
        with pytest.raises(Conflict, match="itself"):
            lifecycle.merge_subjects(session, "t", a.id, a.id)
        lifecycle.merge_subjects(session, "t", a.id, b.id)
        with pytest.raises(Conflict, match=r"target .* already merged"):
            lifecycle.merge_subjects(session, "t", c.id, a.id)
        with pytest.raises(Conflict, match=r"source .* already merged"):
            lifecycle.merge_subjects(session, "t", a.id, c.id)
        lifecycle.erase_subject(session, "t", c.id)
        with pytest.raises(Conflict, match="erased"):
            lifecycle.merge_subjects(session, "t", b.id, c.id)
        with pytest.raises(NotFound):
            lifecycle.merge_subjects(session, "t", b.id, uuid.uuid4())


class TestEraseSubject:
    def test_removes_personal_data_keeps_ids(self, session: Session, settings: Settings) -> None:
        subject = create_subject(
            session, settings, identifiers=[("email", "erase@example.jp")], date_of_birth=date(1990, 1, 1)
        )
        parent = create_subject(session, settings)
        _relate(session, subject.id, parent.id)
        lifecycle.erase_subject(session, "officer", subject.id)
        assert (subject.status, subject.name_encrypted, subject.date_of_birth) == ("erased", None, None)
        assert subject.erased_at is not None
        rows = session.scalars(select(SubjectIdentifier).where(SubjectIdentifier.subject_id == subject.id))
        assert list(rows) == []
        with pytest.raises(NotFound):
            service.find_subject(session, settings, kind="email", value="erase@example.jp")
        view = service.subject_view(session, subject)
        assert [r.related_subject_id for r in view.relationships] == [parent.id]
        assert [c.category for c in view.categories] == ["customers"]
        revealed = service.reveal_subject(session, settings, "t", subject.id, "customer.sales")
        assert (revealed.name, revealed.identifiers) == (None, [])
        event = _last(session, "subject.erased")
        assert event is not None
        assert event.actor == "officer"
        assert '"identifiers_removed":1' in event.details

    def test_erasing_the_survivor_erases_merged_records(self, session: Session, settings: Settings) -> None:
        source = create_subject(session, settings, identifiers=[("email", "merged@example.jp")])
        target = create_subject(session, settings)
        lifecycle.merge_subjects(session, "t", source.id, target.id)
        lifecycle.erase_subject(session, "t", source.id)  # follows the merge to the target
        assert target.status == "erased"
        assert source.name_encrypted is None
        with pytest.raises(NotFound):
            service.find_subject(session, settings, kind="email", value="merged@example.jp")

    def test_twice_and_unknown(self, session: Session, settings: Settings) -> None:
        subject = create_subject(session, settings)
        lifecycle.erase_subject(session, "t", subject.id)
        with pytest.raises(Conflict, match="already erased"):
            lifecycle.erase_subject(session, "t", subject.id)
        with pytest.raises(NotFound):
            lifecycle.erase_subject(session, "t", uuid.uuid4())
        with pytest.raises(Conflict, match="erased"):
            service.add_identifier(session, settings, "t", subject.id, kind="email", value="x@example.jp")
