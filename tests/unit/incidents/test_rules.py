"""Reportability (APPI Rule 7), fact checks, the incident lifecycle and what closing needs."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mamori.errors import InvalidTransition
from mamori.incidents.messages import explain
from mamori.incidents.rules import (
    PERSONS_THRESHOLD,
    TRANSITIONS,
    ActionStatus,
    Assessment,
    Certainty,
    ClosingFacts,
    Exemption,
    Facts,
    Kind,
    State,
    Trigger,
    UnlawfulPurpose,
    assess,
    check_action_transition,
    check_transition,
    closing_problems,
    fact_problems,
)
from mamori.policy.schema import LANGUAGES

SPECIAL = ("health_check",)
MONEY = ("payment_info", "bank_account")
KNOWN = datetime(2026, 11, 20, 0, 30, tzinfo=UTC)
BASE = Facts(kind=Kind.LEAK, certainty=Certainty.ACTUAL, known_at=KNOWN, data_items=("name", "email"))
ITEMS = ("name", "email", "health_check", "payment_info", "bank_account")


def judge(facts: Facts) -> Assessment:
    return assess(facts, special_care=SPECIAL, financial_items=MONEY)


CASES: list[tuple[str, Facts, bool, tuple[Trigger, ...]]] = [
    ("nothing", BASE, False, ()),
    ("special care alone", replace(BASE, data_items=("name", "health_check")), True,
     (Trigger.SPECIAL_CARE,)),
    ("card data alone", replace(BASE, data_items=("payment_info",)), True, (Trigger.FINANCIAL_LOSS,)),
    ("financial risk flag alone", replace(BASE, financial_loss_risk=True), True, (Trigger.FINANCIAL_LOSS,)),
    *[(f"unlawful purpose: {who}", replace(BASE, unlawful_purpose=who), True, (Trigger.UNLAWFUL_PURPOSE,))
      for who in UnlawfulPurpose],
    ("1,000 known is not more than 1,000", replace(BASE, persons_known=1000, persons_max=1000), False, ()),
    ("1,001 known", replace(BASE, persons_known=1001, persons_max=1001), True, (Trigger.OVER_THRESHOLD,)),
    ("10 known, possible maximum 1,001", replace(BASE, persons_known=10, persons_max=1001), True,
     (Trigger.OVER_THRESHOLD,)),
    ("10 known, possible maximum 1,000", replace(BASE, persons_known=10, persons_max=1000), False, ()),
    ("suspected counts like actual", replace(BASE, certainty=Certainty.SUSPECTED, persons_max=5000), True,
     (Trigger.OVER_THRESHOLD,)),
    ("loss and damage count like a leak", replace(BASE, kind=Kind.LOSS, data_items=("health_check",)), True,
     (Trigger.SPECIAL_CARE,)),
    ("all four", replace(BASE, data_items=("health_check", "bank_account"), persons_max=2000,
                         unlawful_purpose=UnlawfulPurpose.ATTACKER), True,
     (Trigger.SPECIAL_CARE, Trigger.FINANCIAL_LOSS, Trigger.UNLAWFUL_PURPOSE, Trigger.OVER_THRESHOLD)),
    ("special care and over 1,000", replace(BASE, data_items=("health_check",), persons_max=1500), True,
     (Trigger.SPECIAL_CARE, Trigger.OVER_THRESHOLD)),
    ("encrypted special care", replace(BASE, data_items=("health_check",), advanced_encryption=True), False,
     (Trigger.SPECIAL_CARE,)),
    ("encrypted, everything", replace(BASE, data_items=("health_check", "payment_info"), persons_max=9000,
                                      unlawful_purpose=UnlawfulPurpose.INSIDER, advanced_encryption=True),
     False,
     (Trigger.SPECIAL_CARE, Trigger.FINANCIAL_LOSS, Trigger.UNLAWFUL_PURPOSE, Trigger.OVER_THRESHOLD)),
    ("web form data taken by an attacker", replace(BASE, acquiring_data_affected=True,
                                                   unlawful_purpose=UnlawfulPurpose.ATTACKER), True,
     (Trigger.UNLAWFUL_PURPOSE,)),
]  # fmt: skip


class TestAssess:
    @pytest.mark.parametrize(("name", "facts", "reportable", "triggers"), CASES, ids=[c[0] for c in CASES])
    def test_table(self, name: str, facts: Facts, reportable: bool, triggers: tuple[Trigger, ...]) -> None:
        answer = judge(facts)
        assert answer.reportable is reportable, name
        assert answer.triggers == triggers
        assert answer.notify_individuals is reportable

    def test_encryption_is_named_as_the_exemption(self) -> None:
        answer = judge(replace(BASE, data_items=("health_check",), advanced_encryption=True))
        assert answer.exemption == Exemption.ADVANCED_ENCRYPTION
        assert judge(BASE).exemption is None

    def test_fired_triggers_say_what_fired(self) -> None:
        answer = judge(replace(BASE, data_items=("health_check", "payment_info", "name"), persons_max=1234,
                               unlawful_purpose=UnlawfulPurpose.PROCESSOR))  # fmt: skip
        by_code = {f.trigger: f for f in answer.fired}
        assert by_code[Trigger.SPECIAL_CARE].items == ("health_check",)
        assert by_code[Trigger.FINANCIAL_LOSS].items == ("payment_info",)
        assert by_code[Trigger.UNLAWFUL_PURPOSE].actor == UnlawfulPurpose.PROCESSOR
        assert by_code[Trigger.OVER_THRESHOLD].count == 1234

    def test_pipl_notice_for_people_in_china_without_threshold(self) -> None:
        assert judge(replace(BASE, jurisdictions=("JP", "CN"))).pipl_notice
        assert not judge(BASE).pipl_notice
        assert not judge(replace(BASE, jurisdictions=("CN",), advanced_encryption=True)).pipl_notice

    @given(known=st.integers(0, 5000), extra=st.integers(0, 5000))
    def test_the_possible_maximum_decides_the_threshold(self, known: int, extra: int) -> None:
        answer = judge(replace(BASE, persons_known=known, persons_max=known + extra))
        assert (Trigger.OVER_THRESHOLD in answer.triggers) is (known + extra > PERSONS_THRESHOLD)

    @given(items=st.lists(st.sampled_from(ITEMS), unique=True), encrypted=st.booleans(),
           unlawful=st.sampled_from([None, *UnlawfulPurpose]), persons=st.integers(0, 3000))  # fmt: skip
    def test_reportable_exactly_when_a_trigger_fired_and_not_encrypted(
        self, items: list[str], encrypted: bool, unlawful: UnlawfulPurpose | None, persons: int
    ) -> None:
        facts = replace(BASE, data_items=tuple(items), advanced_encryption=encrypted,
                        unlawful_purpose=unlawful, persons_max=persons)  # fmt: skip
        answer = judge(facts)
        assert answer.reportable is (bool(answer.fired) and not encrypted)
        more = judge(replace(facts, persons_max=persons + 1000, unlawful_purpose=UnlawfulPurpose.INSIDER))
        assert set(answer.triggers) <= set(more.triggers)  # more facts never remove a trigger


class TestExplain:
    def test_each_reason_has_a_code_and_four_languages(self) -> None:
        answer = judge(
            replace(BASE, data_items=("health_check",), persons_max=1500, jurisdictions=("JP", "CN"))
        )
        reasons = explain(answer)
        assert [r["code"] for r in reasons] == ["special_care", "over_1000_persons", "pipl_notice"]
        for reason in reasons:
            messages = reason["messages"]
            assert isinstance(messages, dict)
            assert set(messages) == set(LANGUAGES)
            assert len(set(messages.values())) == len(LANGUAGES)
        assert "1,500" in reasons[1]["messages"]["en"]  # type: ignore[index]

    def test_not_reportable_and_exemption_are_explained(self) -> None:
        assert [r["code"] for r in explain(judge(BASE))] == ["not_reportable"]
        encrypted = judge(replace(BASE, data_items=("health_check",), advanced_encryption=True))
        assert [r["code"] for r in explain(encrypted)] == ["special_care", "advanced_encryption"]


class TestFactProblems:
    @pytest.mark.parametrize(
        ("facts", "field"),
        [
            (replace(BASE, occurred_at=KNOWN + timedelta(minutes=1)), "known_at"),
            (replace(BASE, persons_known=-1), "persons_known"),
            (replace(BASE, persons_max=-5), "persons_max"),
            (replace(BASE, persons_known=10, persons_max=9), "persons_max"),
            (replace(BASE, data_items=("name", "shoe_size")), "data_items[1]"),
            (replace(BASE, jurisdictions=("US",)), "jurisdictions[0]"),
            (replace(BASE, jurisdictions=()), "jurisdictions"),
            (replace(BASE, known_at=datetime(2026, 11, 20)), "known_at"),  # noqa: DTZ001 - naive on purpose
        ],
    )
    def test_each_problem_names_its_field(self, facts: Facts, field: str) -> None:
        assert [p.field for p in fact_problems(facts, known_items=ITEMS)] == [field]

    def test_systems_must_be_in_the_data_map_when_there_is_one(self) -> None:
        facts = replace(BASE, systems=("crm", "legacy_ftp"))
        problems = fact_problems(facts, known_items=ITEMS, known_systems=("crm", "shop"))
        assert [p.field for p in problems] == ["systems[1]"]
        assert fact_problems(facts, known_items=ITEMS, known_systems=None) == []

    def test_good_facts_have_no_problem(self) -> None:
        assert fact_problems(replace(BASE, occurred_at=KNOWN, persons_max=3), known_items=ITEMS) == []


class TestLifecycle:
    @pytest.mark.parametrize(("current", "target"), [(c, t) for c in State for t in State])
    def test_the_table_is_the_only_authority(self, current: State, target: State) -> None:
        if target in TRANSITIONS[current]:
            check_transition(current, target)
        else:
            with pytest.raises(InvalidTransition):
                check_transition(current, target)

    def test_closed_cannot_be_dismissed(self) -> None:
        with pytest.raises(InvalidTransition, match="closed to dismissed"):
            check_transition(State.CLOSED, State.DISMISSED)

    def test_a_done_action_cannot_become_accepted_directly(self) -> None:
        with pytest.raises(InvalidTransition):
            check_action_transition(ActionStatus.DONE, ActionStatus.ACCEPTED)
        check_action_transition(ActionStatus.OPEN, ActionStatus.ACCEPTED)


class TestClosingProblems:
    def _facts(self, facts: Facts, **values: object) -> ClosingFacts:
        defaults: dict[str, object] = {"filed": frozenset(), "individuals_told": False, "actions": ()}
        return ClosingFacts(assessment=judge(facts), **(defaults | values))  # type: ignore[arg-type]

    def test_reportable_needs_the_final_report_and_the_people_told(self) -> None:
        reportable = replace(BASE, persons_max=2000)
        assert closing_problems(self._facts(reportable)) == [
            "ppc_final_report_not_filed",
            "individuals_not_notified",
        ]
        done = self._facts(reportable, filed=frozenset({("ppc", "final")}), individuals_told=True)
        assert closing_problems(done) == []

    def test_open_actions_block_and_accepted_ones_do_not(self) -> None:
        assert closing_problems(self._facts(BASE, actions=(ActionStatus.DONE, ActionStatus.OPEN))) == [
            "actions_open"
        ]
        assert closing_problems(self._facts(BASE, actions=(ActionStatus.DONE, ActionStatus.ACCEPTED))) == []

    def test_pipl_needs_its_notice_filed(self) -> None:
        china = replace(BASE, jurisdictions=("CN",))
        assert closing_problems(self._facts(china)) == ["pipl_report_not_filed"]
        assert closing_problems(self._facts(china, filed=frozenset({("pipl", "preliminary")}))) == []
