"""The decision rules, without a database."""

from __future__ import annotations

import functools
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mamori.config import DEFAULT_POLICY_DIR
from mamori.consents.decisions import rules
from mamori.consents.decisions.rules import (
    ConsentFact,
    DecisionContext,
    PolicyFacts,
    RelationshipFact,
    SubjectFacts,
    SuspensionFact,
    decide,
)
from mamori.policy.loader import load_bundle

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
PARENT = uuid.uuid4()
EARLIEST = datetime(2020, 1, 1)  # noqa: DTZ001 - hypothesis takes naive bounds (zone given apart)
LATEST = datetime(2090, 1, 1)  # noqa: DTZ001


@functools.cache
def _default_policy() -> PolicyFacts:
    bundle = load_bundle(DEFAULT_POLICY_DIR).bundle
    assert bundle is not None
    return PolicyFacts.of(bundle, 1)


@pytest.fixture
def policy() -> PolicyFacts:
    return _default_policy()


def _subject(**kwargs: object) -> SubjectFacts:
    base: dict[str, object] = {"id": uuid.uuid4(), "categories": {"customers": NOW - timedelta(days=10)}}
    base.update(kwargs)
    return SubjectFacts(**base)  # type: ignore[arg-type]


def _given(scope: str, **kwargs: object) -> ConsentFact:
    base: dict[str, object] = {"scope": scope, "action": "given", "occurred_at": NOW - timedelta(days=1)}
    base.update(kwargs)
    return ConsentFact(**base)  # type: ignore[arg-type]


def _codes(
    policy: PolicyFacts, subject: SubjectFacts, purpose: str, items: tuple[str, ...] = ()
) -> list[str]:
    decision = decide(DecisionContext(policy, subject, purpose, items, NOW))
    assert decision.allowed is (not decision.reasons)
    return [r.code for r in decision.reasons]


class TestPolicyFacts:
    def test_from_the_default_bundle(self, policy: PolicyFacts) -> None:
        assert policy.purposes["customer.mailings"].consent_required
        assert policy.purposes["customer.joint_use"].sharing
        assert not policy.purposes["customer.sales"].sharing
        assert policy.purposes["customer.camera_analysis"].camera
        assert policy.purposes["customer.camera_analysis"].period == (0, 0, 30)
        assert {"payment_info", "camera_image", "health_check"} <= policy.sensitive_items
        assert "name" not in policy.sensitive_items
        assert policy.minor_age == {"JP": 16, "CN": 14}


class TestDecide:
    def test_unknown_purpose_alone(self, policy: PolicyFacts) -> None:
        assert _codes(policy, _subject(status="erased"), "nope") == ["purpose_unknown"]

    def test_erased_alone(self, policy: PolicyFacts) -> None:
        assert _codes(policy, _subject(status="erased", categories={}), "customer.mailings", ("salary",)) == [
            "subject_erased"
        ]

    def test_every_item_outside_the_purpose_is_named(self, policy: PolicyFacts) -> None:
        decision = decide(DecisionContext(policy, _subject(), "customer.sales", ("salary", "name", "x"), NOW))
        assert [r.details["item"] for r in decision.reasons] == ["salary", "x"]

    def test_reasons_accumulate(self, policy: PolicyFacts) -> None:
        subject = _subject(
            categories={"employees": NOW}, suspensions=(SuspensionFact(uuid.uuid4(), "all", NOW),)
        )
        assert _codes(policy, subject, "customer.mailings", ("salary",)) == [
            "purpose_not_declared_for_subject",
            "item_not_in_purpose",
            "consent_missing",
            "suspended",
        ]

    @pytest.mark.parametrize(
        ("state", "code"),
        [
            (None, "consent_missing"),
            (_given("purpose:customer.mailings"), None),
            (_given("purpose:customer.mailings", occurred_at=NOW + timedelta(seconds=1)), "consent_missing"),
            (_given("purpose:customer.mailings", action="withdrawn"), "consent_withdrawn"),
            (_given("purpose:customer.mailings", action="expired"), "consent_expired"),
            (_given("purpose:customer.mailings", expires_at=NOW), "consent_expired"),
            (_given("purpose:customer.mailings", expires_at=NOW + timedelta(seconds=1)), None),
        ],
    )
    def test_consent_states(self, policy: PolicyFacts, state: ConsentFact | None, code: str | None) -> None:
        consents = {state.scope: state} if state else {}
        assert _codes(policy, _subject(consents=consents), "customer.mailings") == ([code] if code else [])

    @pytest.mark.parametrize(
        ("collected_days_ago", "purpose", "expired"),
        [
            (29, "customer.camera_analysis", False),
            (31, "customer.camera_analysis", True),
            (1800, "customer.sales", False),
        ],
    )
    def test_retention(
        self, policy: PolicyFacts, collected_days_ago: int, purpose: str, expired: bool
    ) -> None:
        subject = _subject(
            categories={"customers": NOW - timedelta(days=collected_days_ago)},
            consents={
                f"purpose:{purpose}": _given(f"purpose:{purpose}"),
            },
        )
        assert ("retention_expired" in _codes(policy, subject, purpose)) is expired

    @pytest.mark.parametrize(
        ("scope", "purpose", "suspended"),
        [
            ("all", "customer.sales", True),
            ("purpose:customer.sales", "customer.sales", True),
            ("purpose:customer.credit", "customer.sales", False),
            ("third_party_provision", "customer.sales", False),
            ("third_party_provision", "customer.joint_use", True),
        ],
    )
    def test_suspension_scopes(self, policy: PolicyFacts, scope: str, purpose: str, suspended: bool) -> None:
        subject = _subject(suspensions=(SuspensionFact(uuid.uuid4(), scope, NOW - timedelta(days=1)),))
        assert (_codes(policy, subject, purpose) == ["suspended"]) is suspended

    @pytest.mark.parametrize(
        ("purpose", "items", "consents", "missing"),
        [
            ("customer.joint_use", (), {}, ["sharing"]),
            ("customer.joint_use", (), {"sharing": False}, ["sharing"]),
            ("customer.joint_use", (), {"sharing": True}, []),
            ("customer.joint_use", (), {"purpose:customer.joint_use": True}, []),
            ("customer.sales", ("payment_info",), {}, ["sensitive"]),
            ("customer.sales", ("payment_info",), {"sensitive": True}, []),
            ("customer.sales", ("name",), {}, []),
            ("employee.camera", (), {}, ["camera", "sensitive"]),
        ],
    )
    def test_pipl_separate_consents(
        self,
        policy: PolicyFacts,
        purpose: str,
        items: tuple[str, ...],
        consents: dict[str, bool],
        missing: list[str],
    ) -> None:
        states = {scope: _given(scope, separate=separate) for scope, separate in consents.items()}
        categories = {"customers": NOW, "employees": NOW}
        cn = _subject(jurisdiction="CN", consents=states, categories=categories)
        jp = _subject(jurisdiction="JP", consents=states, categories=categories)
        if purpose == "employee.camera":
            items = ("camera_image",)
        decision = decide(DecisionContext(policy, cn, purpose, items, NOW))
        assert sorted(r.details["scope"] for r in decision.reasons) == missing
        assert {r.code for r in decision.reasons} <= {"pipl_separate_consent_missing"}
        assert decide(DecisionContext(policy, jp, purpose, items, NOW)).allowed

    @pytest.mark.parametrize(
        ("age", "by", "kind", "valid_until", "entitled"),
        [
            (30, None, None, None, True),
            (16, None, None, None, True),
            (15, None, None, None, False),
            (15, PARENT, "legal_representative_minor", None, True),
            (15, PARENT, "legal_representative_ward", None, True),
            (15, PARENT, "agent", None, False),
            (15, PARENT, "legal_representative_minor", date(2020, 1, 1), False),
            (15, uuid.uuid4(), "legal_representative_minor", None, False),
        ],
    )
    def test_minor_consent(  # noqa: PLR0913
        self,
        policy: PolicyFacts,
        age: int,
        by: uuid.UUID | None,
        kind: str | None,
        valid_until: date | None,
        entitled: bool,
    ) -> None:
        consented = NOW - timedelta(days=1)
        day = rules.tokyo_date(consented)
        born = day.replace(year=day.year - age)
        relationships = (RelationshipFact(PARENT, kind, date(2010, 1, 1), valid_until),) if kind else ()
        subject = _subject(
            date_of_birth=born,
            relationships=relationships,
            consents={"purpose:customer.mailings": _given("purpose:customer.mailings", on_behalf_by_id=by)},
        )
        assert (_codes(policy, subject, "customer.mailings") == []) is entitled

    def test_cn_minor_age_is_14(self, policy: PolicyFacts) -> None:
        day = rules.tokyo_date(NOW - timedelta(days=1))
        subject = _subject(
            jurisdiction="CN",
            date_of_birth=day.replace(year=day.year - 15),
            consents={"purpose:customer.mailings": _given("purpose:customer.mailings")},
        )
        assert _codes(policy, subject, "customer.mailings") == []


class TestTimeArithmetic:
    @pytest.mark.parametrize(
        ("time", "period", "cutoff"),
        [
            (datetime(2026, 3, 31, 12, tzinfo=UTC), (0, 1, 0), datetime(2026, 2, 28, 12, tzinfo=UTC)),
            (datetime(2024, 2, 29, tzinfo=UTC), (1, 0, 0), datetime(2023, 2, 28, tzinfo=UTC)),
            (datetime(2026, 1, 15, tzinfo=UTC), (0, 0, 30), datetime(2025, 12, 16, tzinfo=UTC)),
            (datetime(2026, 1, 15, tzinfo=UTC), (5, 2, 1), datetime(2020, 11, 14, tzinfo=UTC)),
        ],
    )
    def test_period_cutoff(self, time: datetime, period: tuple[int, int, int], cutoff: datetime) -> None:
        assert rules.period_cutoff(time, period) == cutoff

    @given(
        st.datetimes(
            min_value=EARLIEST,
            max_value=LATEST,
            timezones=st.just(UTC),
        ),
        st.tuples(st.integers(0, 20), st.integers(0, 24), st.integers(0, 400)),
    )
    def test_cutoff_is_never_later(self, time: datetime, period: tuple[int, int, int]) -> None:
        cutoff = rules.period_cutoff(time, period)
        assert cutoff <= time
        if period[:2] == (0, 0):
            assert time - cutoff == timedelta(days=period[2])

    @given(
        st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)),
        st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)),
        st.integers(1, 30),
    )
    def test_minor_matches_the_birthday_count(self, born: date, day: date, age: int) -> None:
        years = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
        assert rules.is_minor(born, day, age) is (years < age)

    def test_tokyo_date(self) -> None:
        assert rules.tokyo_date(datetime(2026, 1, 1, 14, 59, tzinfo=UTC)) == date(2026, 1, 1)
        assert rules.tokyo_date(datetime(2026, 1, 1, 15, 0, tzinfo=UTC)) == date(2026, 1, 2)

    def test_unknown_birth_date_is_not_a_minor(self) -> None:
        assert not rules.is_minor(None, date(2026, 1, 1), 16)
        assert not rules.is_minor(date(2020, 1, 1), date(2026, 1, 1), None)


class TestSuspensionPeriod:
    @pytest.mark.parametrize(
        ("starts", "ends", "lifted", "active"),
        [
            (-1, None, None, True),
            (0, None, None, True),
            (1, None, None, False),
            (-2, 0, None, False),
            (-2, 1, None, True),
            (-2, None, 0, False),
            (-2, None, 1, True),
        ],
    )
    def test_active(self, starts: int, ends: int | None, lifted: int | None, active: bool) -> None:
        def at(days: int | None) -> datetime | None:
            return None if days is None else NOW + timedelta(days=days)

        suspension = SuspensionFact(uuid.uuid4(), "all", NOW + timedelta(days=starts), at(ends), at(lifted))
        assert suspension.active(NOW) is active


states = st.builds(
    ConsentFact,
    scope=st.sampled_from(["a", "b"]),
    action=st.sampled_from(["given", "withdrawn", "expired"]),
    occurred_at=st.datetimes(
        min_value=EARLIEST, max_value=EARLIEST + timedelta(days=2), timezones=st.just(UTC)
    ),
)


class TestMerges:
    @given(st.lists(states, max_size=8))
    def test_latest_state_per_scope(self, facts: list[ConsentFact]) -> None:
        chosen = rules.latest_states(facts)
        assert set(chosen) == {f.scope for f in facts}
        for scope, state in chosen.items():
            same = [f for f in facts if f.scope == scope]
            assert state.occurred_at == max(f.occurred_at for f in same)
            ties = [f for f in same if f.occurred_at == state.occurred_at]
            if any(f.action != "given" for f in ties):
                assert state.action != "given"

    def test_latest_collection_per_category(self) -> None:
        merged = rules.merge_categories(
            [("customers", NOW), ("customers", NOW - timedelta(days=9)), ("staff", NOW)]
        )
        assert merged == {"customers": NOW, "staff": NOW}


class TestProperties:
    @given(st.lists(states, max_size=6), st.sampled_from(["all", "purpose:customer.mailings"]))
    def test_an_active_suspension_always_refuses(self, facts: list[ConsentFact], scope: str) -> None:
        policy = _default_policy()
        consents = rules.latest_states(
            [ConsentFact(f"purpose:customer.{f.scope}", f.action, f.occurred_at) for f in facts]
        )
        subject = _subject(consents=consents, suspensions=(SuspensionFact(uuid.uuid4(), scope, NOW),))
        for purpose in ("customer.mailings", "customer.sales") if scope == "all" else ("customer.mailings",):
            decision = decide(DecisionContext(policy, subject, purpose, (), NOW))
            assert not decision.allowed
            assert "suspended" in [r.code for r in decision.reasons]
