"""Decisions against a real database: each refusal reason and its opposite, batches, audit, counts."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.config import Settings
from mamori.consents.decisions.service import CheckInput, Decider, check, check_batch
from mamori.consents.models import DecisionCount
from mamori.errors import NotFound, ValidationFailed
from mamori.policy.models import PolicyVersion
from mamori.subjects.models import Subject
from tests.bundles import copy_default_bundle, edit
from tests.factories.decisions import (
    create_consent,
    create_relationship,
    create_subject,
    create_suspension,
    publish_policy,
)

NOW = datetime.now(UTC)
YEAR = timedelta(days=365)
Setup = Callable[[Session, Settings], tuple[Subject, str, list[str]]]


def _customer(session: Session, settings: Settings, **kwargs: object) -> Subject:
    return create_subject(session, settings, **kwargs)  # type: ignore[arg-type]


def _with_consent(purpose: str, **consent: object) -> Setup:
    def setup(session: Session, settings: Settings) -> tuple[Subject, str, list[str]]:
        subject = _customer(session, settings)
        create_consent(session, subject, f"purpose:{purpose}", **consent)  # type: ignore[arg-type]
        return subject, purpose, ["email"]

    return setup


def _plain(purpose: str, items: list[str], **subject: object) -> Setup:
    def setup(session: Session, settings: Settings) -> tuple[Subject, str, list[str]]:
        return _customer(session, settings, **subject), purpose, items

    return setup


def _suspended(purpose: str, scope: str, **period: object) -> Setup:
    def setup(session: Session, settings: Settings) -> tuple[Subject, str, list[str]]:
        subject = _customer(session, settings)
        create_suspension(session, subject, scope, **period)  # type: ignore[arg-type]
        return subject, purpose, ["name"]

    return setup


def _cn(purpose: str, items: list[str], scopes: dict[str, bool]) -> Setup:
    """A CN customer with the given consents (scope → separate)."""

    def setup(session: Session, settings: Settings) -> tuple[Subject, str, list[str]]:
        subject = _customer(session, settings, jurisdiction="CN")
        for scope, separate in scopes.items():
            create_consent(session, subject, scope, separate=separate)
        return subject, purpose, items

    return setup


def _minor(*, represented_by: str | None, until: date | None = None, age: int = 10) -> Setup:
    def setup(session: Session, settings: Settings) -> tuple[Subject, str, list[str]]:
        child = _customer(
            session, settings, date_of_birth=datetime.now(UTC).date() - timedelta(days=365 * age + 5)
        )
        parent = _customer(session, settings)
        if represented_by:
            create_relationship(session, child, parent, kind=represented_by, valid_until=until)
        create_consent(session, child, "purpose:customer.mailings", on_behalf_by=parent)
        return child, "customer.mailings", ["email"]

    return setup


SCENARIOS: dict[str, tuple[Setup, list[str]]] = {
    "no consent needed": (_plain("customer.sales", ["name", "payment_info"]), []),
    "declared for another category": (
        _plain("customer.sales", ["name"], categories={"shareholders": NOW}),
        ["purpose_not_declared_for_subject"],
    ),
    "items outside the purpose": (
        _plain("customer.sales", ["name", "salary", "health_check"]),
        ["item_not_in_purpose", "item_not_in_purpose"],
    ),
    "consent given": (_with_consent("customer.mailings"), []),
    "consent missing": (_plain("customer.mailings", ["email"]), ["consent_missing"]),
    "consent withdrawn": (_with_consent("customer.mailings", action="withdrawn"), ["consent_withdrawn"]),
    "consent expired by event": (_with_consent("customer.mailings", action="expired"), ["consent_expired"]),
    "consent past its expiry": (
        _with_consent("customer.mailings", expires_at=NOW - timedelta(days=1)),
        ["consent_expired"],
    ),
    "consent before its expiry": (_with_consent("customer.mailings", expires_at=NOW + timedelta(days=1)), []),
    "suspended entirely": (_suspended("customer.sales", "all"), ["suspended"]),
    "suspended for the purpose": (_suspended("customer.sales", "purpose:customer.sales"), ["suspended"]),
    "suspended for another purpose": (_suspended("customer.sales", "purpose:customer.credit"), []),
    "provision suspended, joint use": (
        _suspended("customer.joint_use", "third_party_provision"),
        ["suspended"],
    ),
    "provision suspended, own use": (_suspended("customer.sales", "third_party_provision"), []),
    "suspension lifted": (_suspended("customer.sales", "all", lifted_at=NOW - timedelta(days=1)), []),
    "suspension ended": (_suspended("customer.sales", "all", ends_at=NOW - timedelta(days=1)), []),
    "suspension not yet begun": (_suspended("customer.sales", "all", starts_at=NOW + timedelta(days=3)), []),
    "retention passed": (
        _plain("customer.sales", ["name"], categories={"customers": NOW - 6 * YEAR}),
        ["retention_expired"],
    ),
    "retention running": (_plain("customer.sales", ["name"], categories={"customers": NOW - 4 * YEAR}), []),
    "erased": (_plain("customer.sales", ["name"], status="erased"), ["subject_erased"]),
    "CN joint use without separate consent": (
        _cn("customer.joint_use", ["name"], {"sharing": False}),
        ["pipl_separate_consent_missing"],
    ),
    "CN joint use with separate sharing consent": (
        _cn("customer.joint_use", ["name"], {"sharing": True}),
        [],
    ),
    "CN joint use with separate purpose consent": (
        _cn("customer.joint_use", ["name"], {"purpose:customer.joint_use": True}),
        [],
    ),
    "JP joint use needs no separate consent": (_plain("customer.joint_use", ["name"]), []),
    "CN sensitive item without separate consent": (
        _cn("customer.sales", ["payment_info"], {}),
        ["pipl_separate_consent_missing"],
    ),
    "CN sensitive item with separate consent": (
        _cn("customer.sales", ["payment_info"], {"sensitive": True}),
        [],
    ),
    "CN camera without camera consent": (
        _cn("customer.camera_analysis", ["camera_attributes"], {"purpose:customer.camera_analysis": False}),
        ["pipl_separate_consent_missing"],
    ),
    "CN camera with camera consent": (
        _cn(
            "customer.camera_analysis",
            ["camera_attributes"],
            {"purpose:customer.camera_analysis": False, "camera": True},
        ),
        [],
    ),
    "minor consenting alone": (_minor(represented_by=None), ["minor_consent_unentitled"]),
    "minor by legal representative": (_minor(represented_by="legal_representative_minor"), []),
    "minor by an agent": (_minor(represented_by="agent"), ["minor_consent_unentitled"]),
    "minor by a representative no longer valid": (
        _minor(represented_by="legal_representative_minor", until=date(2010, 1, 1)),
        ["minor_consent_unentitled"],
    ),
    "adult by nobody in particular": (_minor(represented_by=None, age=30), []),
}


@pytest.mark.usefixtures("policy")
class TestCheck:
    @pytest.mark.parametrize("name", list(SCENARIOS))
    def test_reason_and_its_opposite(self, session: Session, settings: Settings, name: str) -> None:
        setup, expected = SCENARIOS[name]
        subject, purpose, items = setup(session, settings)
        result = check(session, settings, actor="t", subject=subject.id, purpose_id=purpose, items=items)
        assert sorted(r["code"] for r in result["reasons"]) == sorted(expected)
        assert result["allowed"] is (not expected)
        assert result["policy_version"] == 1
        assert all(r["message"] for r in result["reasons"])

    def test_refusal_is_audited_without_personal_data(self, session: Session, settings: Settings) -> None:
        subject = create_subject(session, settings, identifiers=[("email", "hanako@example.jp")])
        check(
            session,
            settings,
            actor="t",
            subject=("email", "Hanako@Example.jp"),
            purpose_id="customer.mailings",
        )
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "decision.refused")).one()
        assert event.target_id == str(subject.id)
        assert "hanako" not in event.details
        assert "consent_missing" in event.details

    def test_allowed_logged_only_when_asked(self, session: Session, settings: Settings) -> None:
        subject = create_subject(session, settings)
        for log in (False, True):
            check(
                session, settings, actor="t", subject=subject.id, purpose_id="customer.sales", log_allowed=log
            )
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("decision.%"))).all()
        assert actions == ["decision.allowed"]

    def test_counts_per_purpose_and_day(self, session: Session, settings: Settings) -> None:
        subject = create_subject(session, settings)
        for purpose in ("customer.sales", "customer.sales", "customer.mailings"):
            check(session, settings, actor="t", subject=subject.id, purpose_id=purpose)
        rows = session.execute(
            select(DecisionCount.purpose_id, DecisionCount.allowed, DecisionCount.count)
        ).all()
        assert sorted(map(tuple, rows)) == [("customer.mailings", False, 1), ("customer.sales", True, 2)]

    def test_message_in_the_callers_language(self, session: Session, settings: Settings) -> None:
        subject = create_subject(session, settings)
        texts = {
            lang: check(
                session, settings, actor="t", subject=subject.id, purpose_id="customer.mailings", lang=lang
            )["reasons"][0]["message"]
            for lang in ("ja", "en", "zh-Hans", "zh-Hant")
        }
        assert texts["en"].startswith("There is no consent")
        assert "同意" in texts["ja"]
        assert len(set(texts.values())) == 4

    def test_merged_subject_is_decided_as_survivor(self, session: Session, settings: Settings) -> None:
        survivor = create_subject(session, settings)
        merged = create_subject(session, settings, merged_into=survivor)
        create_consent(session, merged, "purpose:customer.mailings")
        for ref in (survivor.id, merged.id):
            result = check(session, settings, actor="t", subject=ref, purpose_id="customer.mailings")
            assert result["allowed"], result

    def test_later_withdrawal_on_survivor_wins(self, session: Session, settings: Settings) -> None:
        survivor = create_subject(session, settings)
        merged = create_subject(session, settings, merged_into=survivor)
        create_consent(session, merged, "purpose:customer.mailings", occurred_at=NOW - YEAR)
        create_consent(session, survivor, "purpose:customer.mailings", action="withdrawn")
        result = check(session, settings, actor="t", subject=merged.id, purpose_id="customer.mailings")
        assert [r["code"] for r in result["reasons"]] == ["consent_withdrawn"]

    def test_decision_at_a_past_instant(self, session: Session, settings: Settings) -> None:
        subject = create_subject(session, settings, categories={"customers": NOW - 6 * YEAR})
        past = check(
            session, settings, actor="t", subject=subject.id, purpose_id="customer.sales", at=NOW - 2 * YEAR
        )
        now = check(session, settings, actor="t", subject=subject.id, purpose_id="customer.sales")
        assert past["allowed"]
        assert not now["allowed"]

    def test_bad_input_names_the_field_and_writes_nothing(self, session: Session, settings: Settings) -> None:
        subject = create_subject(session, settings)
        before = session.scalar(select(func.count()).select_from(AuditEvent))
        cases = [
            ({"subject": subject.id, "purpose_id": "nope"}, "purpose"),
            ({"subject": ("email", "not-an-email"), "purpose_id": "customer.sales"}, "subject.value"),
            ({"subject": subject.id, "purpose_id": "customer.sales", "items": ["name", "ufo"]}, "items[1]"),
        ]
        for kwargs, field in cases:
            with pytest.raises(ValidationFailed) as caught:
                check(session, settings, actor="t", **kwargs)  # type: ignore[arg-type]
            assert [e["field"] for e in caught.value.details["errors"]] == [field]
        with pytest.raises(NotFound):
            check(session, settings, actor="t", subject=uuid.uuid4(), purpose_id="customer.sales")
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == before
        assert session.scalar(select(func.count()).select_from(DecisionCount)) == 0


@pytest.mark.usefixtures("policy")
class TestCheckBatch:
    def test_mixed_batch_with_per_entry_errors(self, session: Session, settings: Settings) -> None:
        ok = create_subject(session, settings, identifiers=[("member_number", "M-001")])
        results = check_batch(
            session,
            settings,
            actor="t",
            checks=[
                CheckInput(ok.id, "customer.sales", ("name",)),
                CheckInput(uuid.uuid4(), "customer.sales"),
                CheckInput(("member_number", "m001"), "customer.mailings"),
            ],
        )
        assert results[0] == {"allowed": True, "reasons": [], "policy_version": 1}
        assert not isinstance(results[1], dict)
        assert results[1].as_dict()["error"]["status"] == 404
        assert results[1].field == "checks[1].subject.id"
        assert isinstance(results[2], dict)
        assert results[2]["reasons"][0]["code"] == "consent_missing"
        refused = session.scalars(select(AuditEvent).where(AuditEvent.action == "decision.refused")).all()
        assert len(refused) == 1

    def test_invalid_entry_fails_the_whole_batch(self, session: Session, settings: Settings) -> None:
        ok = create_subject(session, settings)
        with pytest.raises(ValidationFailed) as caught:
            check_batch(
                session,
                settings,
                actor="t",
                checks=[CheckInput(ok.id, "customer.sales"), CheckInput(ok.id, "nope")],
            )
        assert caught.value.details["errors"][0]["field"] == "checks[1].purpose"

    def test_too_many(self, session: Session, settings: Settings) -> None:
        with pytest.raises(ValidationFailed):
            check_batch(session, settings, actor="t", checks=[CheckInput(uuid.uuid4(), "x")] * 10_001)


class TestCrossBorder:
    def test_each_country_needs_its_separate_consent(
        self, session: Session, settings: Settings, tmp_path: object
    ) -> None:
        bundle = copy_default_bundle(tmp_path)  # type: ignore[arg-type]
        edit(
            bundle,
            "purposes.yaml",
            "flags: [direct_marketing, marketing]",
            "flags: [direct_marketing, marketing]\n        countries: [US, SG]",
        )
        publish_policy(session, bundle)
        subject = create_subject(session, settings, jurisdiction="CN")
        create_consent(session, subject, "purpose:customer.mailings")
        create_consent(session, subject, "cross_border:US", separate=True)
        result = check(session, settings, actor="t", subject=subject.id, purpose_id="customer.mailings")
        assert [(r["code"], r["details"]["scope"]) for r in result["reasons"]] == [
            ("pipl_separate_consent_missing", "cross_border:SG")
        ]
        create_consent(session, subject, "cross_border:SG", separate=True)
        assert check(session, settings, actor="t", subject=subject.id, purpose_id="customer.mailings")[
            "allowed"
        ]


@pytest.mark.usefixtures("policy")
class TestDecider:
    def test_same_answers_as_check_and_flushes_refusals(self, session: Session, settings: Settings) -> None:
        subjects = {name: SCENARIOS[name][0](session, settings) for name in SCENARIOS}
        decider = Decider.load(session)
        for name, (subject, purpose, items) in subjects.items():
            decision = decider.decide(subject.id, purpose, items)
            assert sorted(r.code for r in decision.reasons) == sorted(SCENARIOS[name][1]), name
        refusals = sum(1 for _, expected in SCENARIOS.values() if expected)
        assert decider.flush(session, actor="t") == refusals
        audited = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "decision.refused")
        )
        assert audited == refusals
        total = session.scalar(select(func.sum(DecisionCount.count)))
        assert total == len(SCENARIOS)

    def test_unknown_subject(self, session: Session) -> None:
        decider = Decider.load(session, subject_ids=[])
        with pytest.raises(NotFound):
            decider.decide(uuid.uuid4(), "customer.sales")


def test_policy_fixture_is_version_one(policy: PolicyVersion) -> None:
    assert policy.number == 1
