"""Pure rules of sign-in: session limits, the lockout count, and what a token may do now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from mamori.security.rules import (
    ROLE_SCOPES,
    LockoutPolicy,
    Role,
    Scope,
    SessionLimits,
    after_failure,
    effective_scopes,
    locked,
    session_live,
)

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
POLICY = LockoutPolicy(max_failures=5, window=timedelta(minutes=15), lockout=timedelta(minutes=15))
LIMITS = SessionLimits(idle=timedelta(minutes=30), absolute=timedelta(hours=12))


class TestSessionLive:
    def test_idle_and_absolute(self) -> None:
        assert session_live(T0, T0, T0 + timedelta(minutes=29), LIMITS)
        assert not session_live(T0, T0, T0 + timedelta(minutes=30), LIMITS)
        late = T0 + timedelta(hours=12)
        assert not session_live(T0, late - timedelta(seconds=1), late, LIMITS)

    @given(st.integers(0, 24 * 3600), st.integers(0, 24 * 3600))
    def test_never_past_either_limit(self, used_after: int, asked_after: int) -> None:
        last = T0 + timedelta(seconds=used_after)
        now = last + timedelta(seconds=asked_after)
        if session_live(T0, last, now, LIMITS):
            assert now - last < LIMITS.idle
            assert now - T0 < LIMITS.absolute


class TestLockout:
    def test_the_fifth_failure_in_the_window_locks_for_the_period(self) -> None:
        state = None
        for minute in range(5):
            assert not locked(state, T0 + timedelta(minutes=minute))
            state = after_failure(state, T0 + timedelta(minutes=minute), POLICY)
        assert state is not None
        assert state.locked_until == T0 + timedelta(minutes=4 + 15)
        assert locked(state, T0 + timedelta(minutes=18))
        assert not locked(state, T0 + timedelta(minutes=19))

    def test_failures_spread_beyond_the_window_never_lock(self) -> None:
        state = None
        for n in range(20):
            state = after_failure(state, T0 + timedelta(minutes=4 * n), POLICY)
            assert state.locked_until is None

    def test_after_a_lock_runs_out_the_count_starts_again(self) -> None:
        state = None
        for _ in range(5):
            state = after_failure(state, T0, POLICY)
        again = after_failure(state, T0 + timedelta(minutes=16), POLICY)
        assert (again.failures, again.locked_until) == (1, None)


class TestEffectiveScopes:
    def test_a_token_loses_what_the_new_role_lacks(self) -> None:
        token = sorted(ROLE_SCOPES[Role.ENGINEER])
        now = effective_scopes(token, Role.AUDITOR)
        assert Scope.CONSENTS_WRITE not in now
        assert Scope.CONSENTS_READ in now

    @given(st.sets(st.sampled_from(list(Scope))), st.sampled_from(list(Role)))
    def test_never_more_than_the_token_or_the_role(self, scopes: set[Scope], role: Role) -> None:
        now = effective_scopes([s.value for s in scopes] + ["retired:scope"], role)
        assert now <= scopes
        assert now <= ROLE_SCOPES[role]
