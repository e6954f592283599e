"""A request waiting for a run (Prefer: wait): the run's own signal answers it without a read."""

from __future__ import annotations

import threading
import uuid
from typing import Any

from mamori.db import signals
from mamori.fulfillment.waiting import RunWaiter


class _Reads:
    """Stands in for the session factory and counts the reads of the run's state (none expected)."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> Any:
        self.calls += 1
        raise AssertionError("the state was read although the run's own signal had come")


def test_the_runs_own_signal_ends_the_wait_without_reading_the_state() -> None:
    run_id, reads = uuid.uuid4(), _Reads()
    with RunWaiter(run_id) as waiter:
        threading.Timer(0.05, signals.deliver, (signals.RUNS, str(run_id))).start()
        assert waiter.wait(reads, 5) is True  # type: ignore[arg-type]
    assert reads.calls == 0


def test_another_runs_signal_or_a_reconnection_is_no_answer() -> None:
    run_id = uuid.uuid4()
    with RunWaiter(run_id) as waiter:
        signals.deliver(signals.RUNS, str(uuid.uuid4()))
        signals.deliver(signals.RUNS, "")  # a listener reconnected: the state must be read
        assert not waiter._ended.is_set()
        signals.deliver(signals.RUNS, str(run_id))
        assert waiter._ended.is_set()
