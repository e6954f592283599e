"""Rules of the management system: ratings, review dates, actions, training."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mamori.errors import InvalidTransition, ValidationFailed
from mamori.pms.rules import (
    ActionState,
    Level,
    Rating,
    TrainingFact,
    action_overdue,
    add_months,
    level_of,
    next_review,
    overdue_training,
    rating_problems,
    valid_until,
    verification_outcome,
)

scale = st.integers(min_value=1, max_value=5)


class TestRating:
    @pytest.mark.parametrize(
        ("likelihood", "impact", "level"),
        [
            (1, 1, Level.LOW),
            (2, 2, Level.LOW),
            (1, 5, Level.MEDIUM),
            (3, 3, Level.MEDIUM),
            (2, 5, Level.HIGH),
            (3, 4, Level.HIGH),
            (3, 5, Level.CRITICAL),
            (5, 5, Level.CRITICAL),
        ],
    )
    def test_score_and_level(self, likelihood: int, impact: int, level: Level) -> None:
        rating = Rating(likelihood, impact)
        assert rating.score == likelihood * impact
        assert rating.level == level

    @given(scale, scale)
    def test_level_never_falls_as_the_score_rises(self, a: int, b: int) -> None:
        order = list(Level)
        assert order.index(level_of(a * b)) <= order.index(level_of(min(25, a * b + 1)))

    def test_residual_above_inherent_is_refused(self) -> None:
        assert rating_problems(Rating(2, 2), Rating(3, 2)) == [
            {"field": "residual", "message": "the residual rating is above the inherent one"}
        ]
        assert rating_problems(Rating(3, 3), Rating(2, 2)) == []

    def test_values_off_the_scale_are_named(self) -> None:
        fields = [p["field"] for p in rating_problems(Rating(0, 6), Rating(1, 1))]
        assert fields == ["likelihood", "impact"]


class TestReviewDate:
    def test_review_interval_follows_the_residual_level(self) -> None:
        day = date(2026, 1, 31)
        assert next_review(day, Rating(1, 2)) == date(2027, 1, 31)
        assert next_review(day, Rating(2, 5)) == date(2026, 7, 31)
        assert next_review(day, Rating(5, 5)) == date(2026, 4, 30)  # April has 30 days

    def test_add_months_crosses_years(self) -> None:
        assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)


class TestCorrectiveActions:
    def test_effective_verification_closes(self) -> None:
        assert verification_outcome(ActionState.DONE, "hana", "ken", effective=True) == ActionState.VERIFIED

    def test_ineffective_verification_reopens(self) -> None:
        assert verification_outcome(ActionState.DONE, "hana", "ken", effective=False) == ActionState.OPEN

    def test_owner_cannot_verify(self) -> None:
        with pytest.raises(ValidationFailed):
            verification_outcome(ActionState.DONE, "hana", "hana", effective=True)

    @pytest.mark.parametrize("state", [ActionState.OPEN, ActionState.VERIFIED])
    def test_only_done_is_verified(self, state: ActionState) -> None:
        with pytest.raises(InvalidTransition):
            verification_outcome(state, "hana", "ken", effective=True)

    def test_overdue_only_while_open(self) -> None:
        today = date(2026, 12, 8)
        assert action_overdue("open", date(2026, 12, 7), today)
        assert not action_overdue("open", date(2026, 12, 8), today)
        assert not action_overdue("done", date(2026, 12, 1), today)


class TestTraining:
    def test_validity(self) -> None:
        assert valid_until(date(2025, 12, 8), "passed", 12) == date(2026, 12, 8)
        assert valid_until(date(2025, 12, 8), "passed", None) is None
        assert valid_until(date(2025, 12, 8), "failed", 12) == date(2025, 12, 8)

    def test_who_is_overdue(self) -> None:
        today = date(2026, 12, 8)
        records = [
            TrainingFact("privacy", "aiko", date(2026, 4, 1), "passed", date(2027, 4, 1)),
            TrainingFact("privacy", "ben", date(2025, 10, 1), "passed", date(2026, 10, 1)),
            TrainingFact("privacy", "chen", date(2026, 11, 1), "failed", date(2026, 11, 1)),
        ]
        due = overdue_training(records, ["aiko", "ben", "chen", "dai"], ["privacy"], today)
        assert [(d.person, d.expired_on) for d in due] == [
            ("ben", date(2026, 10, 1)),
            ("chen", None),
            ("dai", None),
        ]

    def test_a_newer_pass_replaces_an_expired_one(self) -> None:
        records = [
            TrainingFact("privacy", "ben", date(2024, 10, 1), "passed", date(2025, 10, 1)),
            TrainingFact("privacy", "ben", date(2026, 10, 1), "passed", date(2027, 10, 1)),
        ]
        assert overdue_training(records, ["ben"], ["privacy"], date(2026, 12, 8)) == []
