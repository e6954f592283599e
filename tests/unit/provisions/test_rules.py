"""The pure rules of provision: retention ends, periods, foreign routes, verdicts, PIPL tiers."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mamori.consents.decisions.rules import ConsentFact, PolicyFacts, SubjectFacts, SuspensionFact
from mamori.errors import InvalidTransition
from mamori.provisions import rules

NOW = datetime(2026, 12, 1, 3, tzinfo=UTC)
EARLIEST, LATEST = datetime(2000, 1, 1), datetime(2090, 1, 1)  # noqa: DTZ001 - hypothesis bounds are naive
POLICY = PolicyFacts(
    version=1, purposes={}, data_items=frozenset(), sensitive_items=frozenset(), minor_age={"JP": 16}
)


def _ctx(
    *, basis: str = "consent", country: str = "JP", route: rules.RouteVerdict | None = None
) -> rules.GateContext:
    return rules.GateContext(
        policy=POLICY, basis=basis, recipient_key="acme", recipient_country=country, group_company=False,
        route=route or rules.RouteVerdict(rules.DOMESTIC), purpose_scope=None, time=NOW,
    )  # fmt: skip


def _given(scope: str, *, separate: bool = False) -> ConsentFact:
    return ConsentFact(scope, "given", NOW - timedelta(days=1), separate=separate)


def _codes(subject: SubjectFacts, ctx: rules.GateContext) -> list[str]:
    return [reason.code for reason in rules.refusals(subject, ctx)]


class TestRetentionEnd:
    def test_three_years_without_a_contract_document(self) -> None:
        assert rules.retention_end(NOW, contract_document=False) == datetime(2029, 12, 1, 3, tzinfo=UTC)

    def test_one_year_with_a_contract_document(self) -> None:
        assert rules.retention_end(NOW, contract_document=True) == datetime(2027, 12, 1, 3, tzinfo=UTC)

    def test_29_february_ends_on_28_february(self) -> None:
        leap = datetime(2028, 2, 29, 12, tzinfo=UTC)
        assert rules.retention_end(leap, contract_document=True) == datetime(2029, 2, 28, 12, tzinfo=UTC)

    @given(st.datetimes(min_value=EARLIEST, max_value=LATEST, timezones=st.just(UTC)))
    def test_always_three_calendar_years_later(self, instant: datetime) -> None:
        end = rules.retention_end(instant, contract_document=False)
        assert timedelta(days=3 * 365) <= end - instant <= timedelta(days=3 * 366)


class TestPeriodAfter:
    @pytest.mark.parametrize(
        ("day", "period", "expected"),
        [
            (date(2026, 1, 31), "P1M", date(2026, 2, 28)),
            (date(2026, 6, 1), "P1Y", date(2027, 6, 1)),
            (date(2026, 6, 1), "P180D", date(2026, 11, 28)),
            (date(2026, 11, 15), "P6M", date(2027, 5, 15)),
        ],
    )
    def test_adds_the_period(self, day: date, period: str, expected: date) -> None:
        assert rules.period_after(day, period) == expected


class TestForeignRoute:
    def test_home_country(self) -> None:
        assert rules.foreign_route("JP", None, NOW.date()).route == rules.DOMESTIC

    @pytest.mark.parametrize("country", ["DE", "FR", "IE", "NO", "IS", "LI", "GB"])
    def test_eu_eea_and_uk_are_adequate(self, country: str) -> None:
        assert rules.foreign_route(country, None, NOW.date()).route == rules.ADEQUATE

    def test_equivalent_measures_until_the_due_day(self) -> None:
        measures = rules.Measures("contract", date(2026, 1, 10), "P1Y")
        assert rules.foreign_route("US", measures, date(2027, 1, 10)).route == rules.EQUIVALENT
        late = rules.foreign_route("US", measures, date(2027, 1, 11))
        assert (late.route, late.per_person_consent) == (rules.BY_CONSENT, True)
        assert late.problem is not None
        assert "2027-01-10" in late.problem

    def test_no_measures_needs_each_persons_consent(self) -> None:
        verdict = rules.foreign_route("SG", None, NOW.date())
        assert (verdict.route, verdict.per_person_consent, verdict.problem) == (rules.BY_CONSENT, True, None)

    def test_overdue_measures_keep_their_due_day_for_the_refusal(self) -> None:
        measures = rules.Measures("contract", date(2026, 1, 10), "P1Y")
        late = rules.foreign_route("US", measures, date(2027, 1, 11))
        assert late.measures_due == date(2027, 1, 10)
        ctx = _ctx(country="US", route=late)
        [reason] = rules.refusals(
            SubjectFacts(uuid.uuid4(), consents={"recipient:acme": _given("recipient:acme")}), ctx
        )
        assert dict(reason.details) == {
            "scope": "cross_border:US",
            "country": "US",
            "measures_due": "2027-01-10",
        }


class TestRefusals:
    def test_recipient_consent_allows(self) -> None:
        subject = SubjectFacts(uuid.uuid4(), consents={"recipient:acme": _given("recipient:acme")})
        assert _codes(subject, _ctx()) == []

    def test_consent_for_another_recipient_does_not(self) -> None:
        subject = SubjectFacts(uuid.uuid4(), consents={"recipient:other": _given("recipient:other")})
        assert _codes(subject, _ctx()) == ["consent_missing"]

    def test_exception_basis_needs_no_consent_but_respects_suspensions(self) -> None:
        assert _codes(SubjectFacts(uuid.uuid4()), _ctx(basis="law")) == []
        stop = SuspensionFact(uuid.uuid4(), "third_party_provision", NOW - timedelta(days=1))
        suspended = SubjectFacts(uuid.uuid4(), suspensions=(stop,))
        assert _codes(suspended, _ctx(basis="law")) == ["third_party_provision_suspended"]

    def test_lifted_suspension_no_longer_blocks(self) -> None:
        lifted = SuspensionFact(
            uuid.uuid4(), "all", NOW - timedelta(days=2), lifted_at=NOW - timedelta(days=1)
        )
        consents = {"recipient:acme": _given("recipient:acme")}
        assert _codes(SubjectFacts(uuid.uuid4(), consents=consents, suspensions=(lifted,)), _ctx()) == []

    def test_consent_route_abroad_needs_cross_border_consent(self) -> None:
        ctx = _ctx(country="SG", route=rules.RouteVerdict(rules.BY_CONSENT, per_person_consent=True))
        without = SubjectFacts(uuid.uuid4(), consents={"recipient:acme": _given("recipient:acme")})
        assert _codes(without, ctx) == ["cross_border_consent_missing"]
        consents = {"recipient:acme": _given("recipient:acme"), "cross_border:SG": _given("cross_border:SG")}
        assert _codes(SubjectFacts(uuid.uuid4(), consents=consents), ctx) == []

    def test_pipl_subject_needs_separate_consents(self) -> None:
        plain = {"recipient:acme": _given("recipient:acme")}
        assert _codes(SubjectFacts(uuid.uuid4(), jurisdiction="CN", consents=plain), _ctx()) == [
            "pipl_separate_consent_missing"
        ]
        separate = {"recipient:acme": _given("recipient:acme", separate=True)}
        assert _codes(SubjectFacts(uuid.uuid4(), jurisdiction="CN", consents=separate), _ctx()) == []

    def test_erased_subject(self) -> None:
        assert _codes(SubjectFacts(uuid.uuid4(), status="erased"), _ctx()) == ["subject_erased"]


class TestPiplObligation:
    @pytest.mark.parametrize(
        ("non_sensitive", "sensitive", "expected"),
        [
            (0, 0, "exempt"),
            (99_999, 0, "exempt"),
            (100_000, 0, "standard_contract"),
            (999_999, 0, "standard_contract"),
            (1_000_000, 0, "security_assessment"),
            (10, 1, "standard_contract"),
            (10, 9_999, "standard_contract"),
            (10, 10_000, "security_assessment"),
        ],
    )
    def test_thresholds(self, non_sensitive: int, sensitive: int, expected: str) -> None:
        assert rules.pipl_obligation(non_sensitive, sensitive) == expected

    def test_tokyo_year_bounds(self) -> None:
        start, end = rules.tokyo_year_bounds(2026)
        assert (start, end) == (
            datetime(2025, 12, 31, 15, tzinfo=UTC),
            datetime(2026, 12, 31, 15, tzinfo=UTC),
        )


class TestSubProcessorReach:
    TODAY = date(2026, 12, 1)

    def _sub(
        self, status: str, *, country: str = "JP", duty: str = "printing", checked: date | None = None
    ) -> rules.SubProcessorFact:
        measures = rules.Measures("contract", checked, "P1Y") if checked else None
        return rules.SubProcessorFact(f"{status}-{country}", status, status, (duty,), country, measures)

    def test_approved_ones_of_the_duty_are_reached(self) -> None:
        subs = [self._sub("approved"), self._sub("approved", duty="other"), self._sub("refused")]
        assert rules.sub_processor_reach(subs, "printing", self.TODAY) == (["approved-JP"], [])

    def test_a_pending_one_of_the_duty_blocks(self) -> None:
        reached, problems = rules.sub_processor_reach([self._sub("pending")], "printing", self.TODAY)
        assert reached == []
        assert len(problems) == 1
        assert "awaits approval" in problems[0]
        assert rules.sub_processor_reach([self._sub("pending")], "other", self.TODAY) == ([], [])

    @pytest.mark.parametrize(
        ("checked", "blocked"), [(date(2025, 12, 1), False), (date(2025, 11, 30), True), (None, True)]
    )
    def test_an_approved_one_abroad_needs_its_route(self, checked: date | None, blocked: bool) -> None:
        sub = self._sub("approved", country="US", checked=checked)
        reached, problems = rules.sub_processor_reach([sub], "printing", self.TODAY)
        assert (reached == [], len(problems) == 1) == (blocked, blocked)

    def test_adequate_country_needs_no_measures(self) -> None:
        sub = self._sub("approved", country="FR")
        assert rules.sub_processor_reach([sub], "printing", self.TODAY) == (["approved-FR"], [])


class TestSubProcessorTransitions:
    @pytest.mark.parametrize(
        ("current", "target", "allowed"),
        [
            ("pending", "approved", True),
            ("pending", "refused", True),
            ("approved", "refused", True),
            ("approved", "approved", False),
            ("approved", "pending", False),
            ("refused", "approved", False),
            ("refused", "refused", False),
        ],
    )
    def test_table(self, current: str, target: str, allowed: bool) -> None:
        status = rules.SubProcessorStatus
        if allowed:
            rules.check_sub_processor_transition(status(current), status(target))
            return
        with pytest.raises(InvalidTransition):
            rules.check_sub_processor_transition(status(current), status(target))


class TestJointUseTerms:
    V1 = rules.JointUseTerms(
        1,
        NOW - timedelta(days=30),
        (NOW - timedelta(days=30)).date(),
        frozenset({"name"}),
        frozenset({"aoki"}),
    )
    V2 = rules.JointUseTerms(
        2,
        NOW - timedelta(days=10),
        (NOW - timedelta(days=10)).date(),
        frozenset({"name", "email"}),
        frozenset({"aoki", "valic"}),
    )
    LATER = rules.JointUseTerms(
        3, NOW - timedelta(days=5), (NOW + timedelta(days=20)).date(), frozenset(), frozenset()
    )

    def test_terms_made_known_when_the_data_came_in(self) -> None:
        history = [self.V1, self.V2, self.LATER]
        assert rules.terms_at(history, NOW - timedelta(days=20)) is self.V1
        assert rules.terms_at(history, NOW - timedelta(days=10)) is self.V2
        assert rules.terms_at(history, NOW) is self.V2  # version 3 is published but not in force yet
        assert rules.terms_at(history, NOW - timedelta(days=90)) is self.V1  # before Mamori: the first

    def test_what_goes_beyond(self) -> None:
        assert rules.joint_use_beyond(self.V1, "aoki", ["name"]) == []
        assert rules.joint_use_beyond(self.V1, "valic", ["name", "email"]) == [
            "joint_user:valic",
            "item:email",
        ]
        assert rules.joint_use_beyond(None, "valic", ["email"]) == []

    def test_beyond_the_terms_needs_consent(self) -> None:
        ctx = _ctx(basis="joint_use")
        beyond = ["item:email"]
        assert _codes(SubjectFacts(uuid.uuid4()), ctx) == []
        assert rules.refusals(SubjectFacts(uuid.uuid4()), ctx, beyond)[0].code == "joint_use_consent_missing"
        consented = SubjectFacts(uuid.uuid4(), consents={"sharing": _given("sharing")})
        assert rules.refusals(consented, ctx, beyond) == []
        cn = SubjectFacts(uuid.uuid4(), jurisdiction="CN", consents={"sharing": _given("sharing")})
        assert [r.code for r in rules.refusals(cn, ctx, beyond)] == ["pipl_separate_consent_missing"]
