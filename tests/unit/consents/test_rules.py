"""Deriving consent state from events, and the scope grammar."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mamori.config import DEFAULT_POLICY_DIR
from mamori.consents import rules
from mamori.consents.rules import EXPIRED, GIVEN, WITHDRAWN, InvalidScope, Scope, parse_scope
from mamori.policy.loader import load_bundle
from mamori.policy.schema import PolicyBundle

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Ev:
    id: uuid.UUID
    scope: str
    action: str
    occurred_at: datetime
    recorded_at: datetime
    expires_at: datetime | None = None
    separate: bool = False
    on_behalf_by_id: uuid.UUID | None = None


def ev(action: str, minutes: int, *, scope: str = "purpose:a", recorded: int = 0, **kw: object) -> Ev:
    return Ev(
        uuid.uuid4(),
        scope,
        action,
        T0 + timedelta(minutes=minutes),
        T0 + timedelta(minutes=minutes + recorded),
        **kw,  # type: ignore[arg-type]
    )


@cache
def default_bundle() -> PolicyBundle:
    result = load_bundle(DEFAULT_POLICY_DIR)
    assert result.bundle is not None
    return result.bundle


@pytest.fixture
def bundle() -> PolicyBundle:
    return default_bundle()


events_strategy = st.lists(
    st.builds(
        Ev,
        id=st.uuids(),
        scope=st.sampled_from(["purpose:a", "purpose:b", "camera"]),
        action=st.sampled_from(rules.ACTIONS),
        occurred_at=st.integers(0, 20).map(lambda m: T0 + timedelta(minutes=m)),
        recorded_at=st.integers(0, 5).map(lambda m: T0 + timedelta(minutes=m)),
    ),
    max_size=30,
)


class TestFold:
    @given(events_strategy, st.randoms())
    def test_independent_of_the_order_events_are_given_in(self, events: list[Ev], rnd: object) -> None:
        shuffled = list(events)
        rnd.shuffle(shuffled)  # type: ignore[attr-defined]
        assert rules.fold(shuffled) == rules.fold(events)

    @given(events_strategy)
    def test_state_is_the_last_event_by_the_ordering(self, events: list[Ev]) -> None:
        folded = rules.fold(events)
        assert set(folded) == {e.scope for e in events}
        for scope, state in folded.items():
            last = max((e for e in events if e.scope == scope), key=rules.order_key)
            assert state.event_id == last.id
            assert state.action == last.action

    @given(events_strategy, st.integers(21, 40))
    def test_withdrawing_after_giving_means_not_given(self, events: list[Ev], later: int) -> None:
        history = [*events, ev(GIVEN, later), ev(WITHDRAWN, later + 1)]
        assert rules.fold(history)["purpose:a"].action == WITHDRAWN
        assert not rules.state_at(history, "purpose:a", T0 + timedelta(minutes=99)).given  # type: ignore[union-attr]

    def test_same_instant_later_recording_wins(self) -> None:
        first = ev(GIVEN, 5, recorded=0)
        second = ev(WITHDRAWN, 5, recorded=3)
        assert rules.fold([second, first])["purpose:a"].action == WITHDRAWN

    def test_same_instant_and_recording_ties_break_on_id(self) -> None:
        a = Ev(uuid.UUID(int=1), "camera", GIVEN, T0, T0)
        b = Ev(uuid.UUID(int=2), "camera", WITHDRAWN, T0, T0)
        assert rules.fold([b, a])["camera"].event_id == b.id

    def test_backdated_event_does_not_replace_a_newer_one(self) -> None:
        newer = ev(WITHDRAWN, 10)
        backdated_paper = ev(GIVEN, 1, recorded=60)
        assert rules.fold([newer, backdated_paper])["purpose:a"].action == WITHDRAWN
        assert rules.is_later(backdated_paper, newer) is False
        assert rules.is_later(newer, backdated_paper) is True
        assert rules.is_later(newer, None) is True

    def test_no_events_no_states(self) -> None:
        assert rules.fold([]) == {}


class TestStateAt:
    def test_a_given_state_past_its_expiry_is_expired(self) -> None:
        given_ = ev(GIVEN, 0, expires_at=T0 + timedelta(days=30))
        before = rules.state_at([given_], "purpose:a", T0 + timedelta(days=29))
        after = rules.state_at([given_], "purpose:a", T0 + timedelta(days=30))
        assert before is not None
        assert before.action == GIVEN
        assert after is not None
        assert after.action == EXPIRED
        assert not after.given

    def test_events_after_the_moment_are_ignored(self) -> None:
        history = [ev(GIVEN, 0), ev(WITHDRAWN, 10)]
        assert rules.state_at(history, "purpose:a", T0 + timedelta(minutes=5)).action == GIVEN  # type: ignore[union-attr]
        assert rules.state_at(history, "purpose:a", T0 - timedelta(minutes=1)) is None

    def test_other_scopes_do_not_count(self) -> None:
        assert rules.state_at([ev(GIVEN, 0, scope="camera")], "purpose:a", T0 + timedelta(1)) is None

    def test_withdrawn_never_expires(self) -> None:
        history = [ev(WITHDRAWN, 0, expires_at=T0 + timedelta(minutes=1))]
        assert rules.state_at(history, "purpose:a", T0 + timedelta(days=1)).action == WITHDRAWN  # type: ignore[union-attr]


class TestParseScope:
    @pytest.mark.parametrize(
        ("scope", "expected"),
        [
            ("purpose:customer.mailings", Scope("purpose", "customer.mailings")),
            ("recipient:aoki-holdings", Scope("recipient", "aoki-holdings")),
            ("cross_border:CN", Scope("cross_border", "CN")),
            ("cookie:analytics", Scope("cookie", "analytics")),
            ("sensitive", Scope("sensitive")),
            ("camera", Scope("camera")),
            ("sharing", Scope("sharing")),
        ],
    )
    def test_valid_scopes(self, bundle: PolicyBundle, scope: str, expected: Scope) -> None:
        parsed = parse_scope(scope, bundle)
        assert parsed == expected
        assert str(parsed) == scope

    @pytest.mark.parametrize(
        ("scope", "message"),
        [
            ("purpose:customer.nonexistent", "declares no purpose"),
            ("purpose:", "needs a value"),
            ("cross_border:XX", "ISO 3166"),
            ("cross_border:cn", "ISO 3166"),
            ("cross_border:CHN", "ISO 3166"),
            ("recipient:Bad Name", "lower-case"),
            ("cookie:", "needs a value"),
            ("camera:front", "takes no value"),
            ("marketing", "unknown scope"),
            ("", "unknown scope"),
        ],
    )
    def test_invalid_scopes(self, bundle: PolicyBundle, scope: str, message: str) -> None:
        with pytest.raises(InvalidScope, match=message):
            parse_scope(scope, bundle)

    @given(st.text(max_size=30))
    def test_never_raises_anything_but_invalid_scope(self, text: str) -> None:
        try:
            parsed = parse_scope(text, default_bundle())
        except InvalidScope:
            return
        assert str(parsed) == text

    def test_all_249_iso_countries(self) -> None:
        assert len(rules.ISO_COUNTRIES) == 249
        assert {"JP", "CN", "US", "AQ", "TW"} <= rules.ISO_COUNTRIES
        assert "XK" not in rules.ISO_COUNTRIES


class TestSuspensionScope:
    @pytest.mark.parametrize("scope", ["all", "third_party_provision", "purpose:customer.mailings"])
    def test_valid(self, bundle: PolicyBundle, scope: str) -> None:
        assert rules.parse_suspension_scope(scope, bundle) == scope

    @pytest.mark.parametrize("scope", ["camera", "purpose:nope", "everything", "recipient:x"])
    def test_invalid(self, bundle: PolicyBundle, scope: str) -> None:
        with pytest.raises(InvalidScope):
            rules.parse_suspension_scope(scope, bundle)

    def test_active_window(self) -> None:
        start, end = T0, T0 + timedelta(days=10)
        assert not rules.suspension_active(start, end, None, T0 - timedelta(seconds=1))
        assert rules.suspension_active(start, end, None, T0)
        assert not rules.suspension_active(start, end, None, end)
        assert rules.suspension_active(start, None, None, T0 + timedelta(days=900))
        assert not rules.suspension_active(start, None, T0 + timedelta(days=1), T0 + timedelta(days=2))


class TestEventFields:
    def _check(self, **kw: object) -> list[str]:
        base: dict[str, object] = {
            "action": GIVEN,
            "language": "ja",
            "channel": "web",
            "occurred_at": T0,
            "now": T0,
        }
        return [str(e) for e in rules.check_event_fields(**{**base, **kw})]  # type: ignore[arg-type]

    def test_a_good_event_has_no_errors(self) -> None:
        assert self._check() == []
        assert self._check(expires_at=T0 + timedelta(days=1), notice_hash="a" * 64) == []

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"action": "granted"}, "action"),
            ({"language": "fr"}, "language"),
            ({"channel": "email"}, "channel"),
            ({"occurred_at": T0 + timedelta(hours=1)}, "occurred_at"),
            ({"occurred_at": datetime(2026, 1, 1)}, "occurred_at"),  # noqa: DTZ001 - the point of the test
            ({"expires_at": T0}, "expires_at"),
            ({"action": WITHDRAWN, "expires_at": T0 + timedelta(days=1)}, "expires_at"),
            ({"notice_hash": "XYZ"}, "notice_hash"),
        ],
    )
    def test_each_bad_field_is_named(self, changes: dict[str, object], field: str) -> None:
        errors = self._check(**changes)
        assert len(errors) == 1
        assert errors[0].startswith(f"{field}: ")

    def test_small_clock_skew_is_tolerated(self) -> None:
        assert self._check(occurred_at=T0 + timedelta(minutes=4)) == []


class TestProjection:
    @given(events_strategy)
    def test_applying_events_one_by_one_equals_fold(self, events: list[Ev]) -> None:
        # What the service does per event: replace the stored state only when the new event is later.
        projection: dict[str, Ev] = {}
        for event in events:
            if rules.is_later(event, projection.get(event.scope)):
                projection[event.scope] = event
        assert {scope: e.id for scope, e in projection.items()} == {
            scope: state.event_id for scope, state in rules.fold(events).items()
        }
