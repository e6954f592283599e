"""The consent ledger against a real database (SQLite, or PostgreSQL with MAMORI_TEST_DATABASE_URL)."""

from __future__ import annotations

import hashlib
import json
import random
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.consents import rules, service
from mamori.consents.models import ConsentEvent, ConsentState
from mamori.db.base import utcnow
from mamori.errors import NotFound, ValidationFailed
from mamori.policy.models import PolicyVersion
from mamori.policy.schema import LANGUAGES
from mamori.policy.sections.countries import country_notice_text
from mamori.policy.service import bundle_of, publish_bundle
from tests.bundles import copy_default_bundle, edit
from tests.factories.consents import (
    MAILINGS,
    country_hash,
    create_plain_subject,
    ensure_policy,
    record_consent,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def policy(session: Session) -> PolicyVersion:
    return ensure_policy(session)


def _count(session: Session, model: type[object]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _errors(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {e["field"]: e["message"] for e in exc.value.details["errors"]}


@pytest.mark.usefixtures("policy")
class TestRecordConsent:
    def test_stores_the_event_with_version_hash_and_collector(
        self, session: Session, policy: PolicyVersion
    ) -> None:
        subject = create_plain_subject(session)
        event = record_consent(session, subject, language="en", channel="shop", actor="user:clerk")
        assert event.policy_version_id == policy.id
        assert event.collected_by == "user:clerk"
        text = bundle_of(policy).purposes()["customer.mailings"].text.en
        assert event.notice_hash == hashlib.sha256(text.encode()).hexdigest()
        state = session.get_one(ConsentState, (subject.id, MAILINGS))
        assert (state.action, state.event_id) == ("given", event.id)

    def test_notice_hash_differs_by_language_and_can_be_given(self, session: Session) -> None:
        subject = create_plain_subject(session)
        ja = record_consent(session, subject, language="ja")
        zh = record_consent(session, subject, language="zh-Hant")
        assert ja.notice_hash != zh.notice_hash
        own = service.record_consent(
            session, actor="t", subject_id=subject.id, scope="camera", action="given",
            language="ja", channel="paper", notice_hash="b" * 64,
        )  # fmt: skip
        assert own.notice_hash == "b" * 64
        other = record_consent(session, subject, scope="sensitive")
        assert other.notice_hash is None

    def test_writes_an_audit_event_without_personal_data(self, session: Session) -> None:
        subject = create_plain_subject(session)
        event = record_consent(session, subject, action="withdrawn", channel="phone")
        audit = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
        assert audit.action == "consent.withdrawn"
        assert audit.target_id == str(subject.id)
        assert json.loads(audit.details) == {"event_id": str(event.id), "scope": MAILINGS, "channel": "phone"}

    def test_withdrawing_a_scope_never_given_is_recorded(self, session: Session) -> None:
        subject = create_plain_subject(session)
        record_consent(session, subject, scope="sharing", action="withdrawn")
        assert service.current_states(session, subject.id)["sharing"].action == "withdrawn"

    def test_a_backdated_event_does_not_overwrite_a_newer_state(self, session: Session) -> None:
        subject = create_plain_subject(session)
        newer = record_consent(session, subject, action="withdrawn", occurred_at=T0 + timedelta(days=2))
        record_consent(session, subject, action="given", occurred_at=T0, channel="paper")
        state = session.get_one(ConsentState, (subject.id, MAILINGS))
        assert state.event_id == newer.id
        assert len(service.list_events(session, subject.id)) == 2

    def test_merged_subject_events_go_to_the_survivor(self, session: Session) -> None:
        survivor = create_plain_subject(session)
        merged = create_plain_subject(session, merged_into=survivor)
        event = record_consent(session, merged)
        assert event.subject_id == survivor.id

    def test_erased_subject_is_refused_and_nothing_written(self, session: Session) -> None:
        subject = create_plain_subject(session, status="erased")
        before = _count(session, ConsentEvent), _count(session, AuditEvent)
        with pytest.raises(ValidationFailed) as exc:
            record_consent(session, subject)
        assert "subject_id" in _errors(exc)
        assert (_count(session, ConsentEvent), _count(session, AuditEvent)) == before

    def test_unknown_subject_is_not_found(self, session: Session) -> None:
        with pytest.raises(NotFound):
            record_consent(session, uuid.uuid4())

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"scope": "purpose:customer.unknown"}, "scope"),
            ({"scope": "cross_border:ZZ"}, "scope"),
            ({"channel": "fax"}, "channel"),
            ({"language": "ko"}, "language"),
            ({"action": "maybe"}, "action"),
            ({"occurred_at": utcnow() + timedelta(days=1)}, "occurred_at"),
        ],
    )
    def test_bad_input_names_the_field_and_writes_nothing(
        self, session: Session, changes: dict[str, object], field: str
    ) -> None:
        subject = create_plain_subject(session)
        before = _count(session, ConsentEvent), _count(session, ConsentState), _count(session, AuditEvent)
        with pytest.raises(ValidationFailed) as exc:
            record_consent(session, subject, **changes)  # type: ignore[arg-type]
        assert list(_errors(exc)) == [field]
        after = _count(session, ConsentEvent), _count(session, ConsentState), _count(session, AuditEvent)
        assert after == before

    def test_representative_must_exist(self, session: Session) -> None:
        child = create_plain_subject(session)
        with pytest.raises(ValidationFailed) as exc:
            record_consent(session, child, on_behalf_by_id=uuid.uuid4())
        assert "on_behalf_by_id" in _errors(exc)
        parent = create_plain_subject(session)
        event = record_consent(session, child, on_behalf_by_id=parent.id)
        assert service.current_states(session, child.id)[MAILINGS].on_behalf_by_id == parent.id
        assert event.on_behalf_by_id == parent.id

    def test_needs_a_published_policy(self, session: Session) -> None:
        session.execute(ConsentEvent.__table__.delete())  # nothing refers to the versions then
        session.execute(ConsentState.__table__.delete())
        session.execute(PolicyVersion.__table__.delete())
        subject = create_plain_subject(session)
        with pytest.raises(NotFound, match="no policy"):
            record_consent(session, subject)


@pytest.mark.usefixtures("policy")
class TestListEvents:
    def test_includes_subjects_merged_in_and_orders_by_time(self, session: Session) -> None:
        survivor = create_plain_subject(session)
        merged = create_plain_subject(session)
        old = record_consent(session, merged, occurred_at=T0)
        new = record_consent(session, survivor, action="withdrawn", occurred_at=T0 + timedelta(hours=1))
        merged.status, merged.merged_into_id = "merged", survivor.id
        session.flush()
        assert [e.id for e in service.list_events(session, survivor.id)] == [old.id, new.id]
        assert [e.id for e in service.list_events(session, merged.id)] == [old.id, new.id]
        assert old.subject_id == merged.id  # histories stay where they were recorded

    def test_unknown_subject(self, session: Session) -> None:
        with pytest.raises(NotFound):
            service.list_events(session, uuid.uuid4())


@pytest.mark.usefixtures("policy")
class TestCurrentStates:
    def test_states_at_a_moment_and_now(self, session: Session) -> None:
        subject = create_plain_subject(session)
        record_consent(session, subject, occurred_at=T0)
        record_consent(session, subject, action="withdrawn", occurred_at=T0 + timedelta(days=5))
        record_consent(session, subject, scope="camera", occurred_at=T0 + timedelta(days=1))
        assert service.current_states(session, subject.id, at=T0 + timedelta(days=2))[MAILINGS].given
        now = service.current_states(session, subject.id)
        assert now[MAILINGS].action == "withdrawn"
        assert now["camera"].given

    def test_lapsed_consent_reads_expired(self, session: Session) -> None:
        subject = create_plain_subject(session)
        record_consent(session, subject, occurred_at=T0, expires_at=T0 + timedelta(days=1))
        assert service.current_states(session, subject.id)[MAILINGS].action == "expired"


@pytest.mark.usefixtures("policy")
class TestExpireDue:
    def test_turns_lapsed_given_states_into_expired_events(self, session: Session) -> None:
        lapsed, fresh = create_plain_subject(session), create_plain_subject(session)
        record_consent(session, lapsed, occurred_at=T0, expires_at=T0 + timedelta(days=1), channel="shop")
        record_consent(session, fresh, occurred_at=T0, expires_at=utcnow() + timedelta(days=30))
        record_consent(session, fresh, scope="camera")
        assert service.expire_due(session, actor="job:expiry") == 1
        state = session.get_one(ConsentState, (lapsed.id, MAILINGS))
        expired = session.get_one(ConsentEvent, state.event_id)
        assert (state.action, expired.action, expired.channel) == ("expired", "expired", "shop")
        assert expired.occurred_at == T0 + timedelta(days=1)
        assert session.get_one(ConsentState, (fresh.id, MAILINGS)).action == "given"
        audit = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
        assert (audit.action, audit.actor) == ("consent.expired", "job:expiry")
        assert service.expire_due(session, actor="job:expiry") == 0  # nothing twice


SG = "cross_border:SG"
SG_SYSTEM_JA = "シンガポールでは、2012年個人データ保護法（PDPA）が"


def _give(session: Session, subject_id: uuid.UUID, **fields: object) -> ConsentEvent:
    """A given cross-border consent through the service itself (no hash filled in for the caller)."""
    values: dict[str, object] = {"scope": SG, "action": "given", "language": "ja", "channel": "web"}
    return service.record_consent(session, actor="t", subject_id=subject_id, **{**values, **fields})  # type: ignore[arg-type]


def _written(session: Session) -> tuple[int, int, int]:
    return _count(session, ConsentEvent), _count(session, ConsentState), _count(session, AuditEvent)


def _publish_changed_sg_text(
    session: Session, tmp_path: Path, effective: date | None = None
) -> PolicyVersion:
    bundle = copy_default_bundle(tmp_path)
    edit(bundle, "provisions.yaml", SG_SYSTEM_JA, "シンガポール共和国では、2012年個人データ保護法（PDPA）が")
    return publish_bundle(session, actor="test", directory=bundle, effective_date=effective)


@pytest.mark.usefixtures("policy")
class TestCrossBorderConsent:
    @pytest.mark.parametrize("language", LANGUAGES)
    def test_accepted_with_the_hash_of_the_country_information_in_its_language(
        self, session: Session, policy: PolicyVersion, language: str
    ) -> None:
        subject = create_plain_subject(session)
        text = country_notice_text(bundle_of(policy), "SG", language)
        assert text is not None
        digest = hashlib.sha256(text.encode()).hexdigest()
        event = _give(session, subject.id, language=language, notice_hash=digest)
        assert (event.notice_hash, event.language) == (digest, language)
        assert session.get_one(ConsentState, (subject.id, SG)).action == "given"

    @pytest.mark.parametrize(
        ("fields", "says"),
        [
            ({}, "required: the notice_hash of the information about SG shown in ja"),
            ({"notice_hash": "0" * 64}, "is not the hash of the information about SG in ja"),
            (
                {"notice_hash": "hash:en", "language": "ja"},
                "is not the hash of the information about SG in ja",
            ),
            ({"scope": "cross_border:CN", "notice_hash": "0" * 64}, "holds no information about CN"),
        ],
        ids=["missing", "wrong", "another-language", "no-information"],
    )
    def test_refused_naming_notice_hash_and_nothing_written(
        self, session: Session, fields: dict[str, object], says: str
    ) -> None:
        subject = create_plain_subject(session)
        if fields.get("notice_hash") == "hash:en":
            fields = {**fields, "notice_hash": country_hash(session, "SG", "en")}
        before = _written(session)
        with pytest.raises(ValidationFailed) as exc:
            _give(session, subject.id, **fields)
        assert list(_errors(exc)) == ["notice_hash"]
        assert says in _errors(exc)["notice_hash"]
        assert _written(session) == before

    def test_withdrawal_needs_no_hash(self, session: Session) -> None:
        subject = create_plain_subject(session)
        _give(session, subject.id, notice_hash=country_hash(session, "SG"))
        withdrawn = _give(session, subject.id, action="withdrawn")
        assert withdrawn.notice_hash is None
        assert session.get_one(ConsentState, (subject.id, SG)).action == "withdrawn"

    def test_an_earlier_versions_text_stays_valid_after_the_text_changes(
        self, session: Session, tmp_path: Path
    ) -> None:
        old = country_hash(session, "SG")
        _publish_changed_sg_text(session, tmp_path)
        new = country_hash(session, "SG")
        assert new != old
        subject = create_plain_subject(session)
        assert _give(session, subject.id, notice_hash=old).notice_hash == old
        assert _give(session, subject.id, notice_hash=new).notice_hash == new

    def test_a_version_not_yet_in_force_does_not_count(self, session: Session, tmp_path: Path) -> None:
        future = _publish_changed_sg_text(session, tmp_path, effective=date.today() + timedelta(days=30))  # noqa: DTZ011
        text = country_notice_text(bundle_of(future), "SG", "ja")
        assert text is not None
        subject = create_plain_subject(session)
        with pytest.raises(ValidationFailed) as exc:
            _give(session, subject.id, notice_hash=hashlib.sha256(text.encode()).hexdigest())
        assert list(_errors(exc)) == ["notice_hash"]

    def test_one_ledger_checks_many_events_against_the_versions_once(self, session: Session) -> None:
        ledger = service.Ledger.open(session)
        right, wrong = country_hash(session, "SG", "zh-Hant"), "1" * 64
        subject = create_plain_subject(session)
        for digest, expected in ((right, []), (wrong, ["notice_hash"]), (right, [])):
            item = service.ConsentInput(subject.id, SG, "given", "zh-Hant", "paper", notice_hash=digest)
            _, errors = ledger.check(item)
            assert [e.field for e in errors] == expected
        assert ledger.record(item, actor="t").notice_hash == right


@pytest.mark.usefixtures("policy")
class TestRebuildProjection:
    def test_projection_equals_fold_for_random_histories(self, session: Session) -> None:
        rnd = random.Random(27560)  # noqa: S311 - test data, not secrets
        subjects = [create_plain_subject(session) for _ in range(6)]
        scopes = [MAILINGS, "camera", "cross_border:SG"]
        for _ in range(60):
            record_consent(
                session,
                rnd.choice(subjects),
                scope=rnd.choice(scopes),
                action=rnd.choice(["given", "withdrawn"]),
                occurred_at=T0 + timedelta(minutes=rnd.randint(0, 50)),
            )
        for subject in subjects:
            stored = {
                s.scope: s.event_id
                for s in session.scalars(select(ConsentState).where(ConsentState.subject_id == subject.id))
            }
            events = session.scalars(select(ConsentEvent).where(ConsentEvent.subject_id == subject.id))
            assert stored == {scope: st.event_id for scope, st in rules.fold(events).items()}

    def test_rebuild_restores_a_damaged_projection(self, session: Session) -> None:
        subject = create_plain_subject(session)
        record_consent(session, subject, occurred_at=T0)
        last = record_consent(session, subject, action="withdrawn", occurred_at=T0 + timedelta(hours=1))
        record_consent(session, subject, scope="camera")
        state = session.get_one(ConsentState, (subject.id, MAILINGS))
        state.action = "given"  # damage: a projection that disagrees with the ledger
        session.delete(session.get_one(ConsentState, (subject.id, "camera")))
        session.flush()
        total = _count(session, ConsentEvent)
        result = service.rebuild_projection(session, actor="cli:ops")
        assert result.events == total
        assert result.changed >= 1
        restored = session.get_one(ConsentState, (subject.id, MAILINGS))
        assert (restored.action, restored.event_id) == ("withdrawn", last.id)
        assert session.get(ConsentState, (subject.id, "camera")) is not None
        assert service.rebuild_projection(session).changed == 0
