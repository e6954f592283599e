"""Audit-log throughput on SQLite: append (batched and one by one) and verify, 100k events.

Run:  .venv/bin/python bench/audit.py [--events 100000] [--batch 1000]
Targets (issue 2): append >= 20k events/s batched; verify >= 500k events/s.
The baseline measured in the same run is one event per transaction (what a naive caller does).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from mamori.audit.service import EventInput, record_event, record_events, verify_chain
from mamori.db.migrate import upgrade
from mamori.db.session import make_engine, make_session_factory, unit_of_work


def _events(start: int, count: int) -> list[EventInput]:
    return [
        EventInput(
            "consent.given", "subject", f"s-{n}", {"purpose": "customer.mailings", "channel": "web", "n": n}
        )
        for n in range(start, start + count)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument(
        "--single", type=int, default=2_000, help="events for the one-per-transaction baseline"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        factory = make_session_factory(make_engine(url))

        started = time.perf_counter()
        for n in range(args.single):
            with unit_of_work(factory) as session:
                record_event(
                    session, actor="bench", action="consent.given", target_type="subject", target_id=str(n)
                )
        single_rate = args.single / (time.perf_counter() - started)

        started = time.perf_counter()
        done = 0
        while done < args.events:
            count = min(args.batch, args.events - done)
            with unit_of_work(factory) as session:
                record_events(session, actor="bench", events=_events(done, count))
            done += count
            if done % (args.events // 4 or 1) == 0:
                print(f"  appended {done:,} events", flush=True)
        batched_rate = args.events / (time.perf_counter() - started)

        total = args.single + args.events
        started = time.perf_counter()
        with unit_of_work(factory) as session:
            result = verify_chain(session)
        verify_rate = total / (time.perf_counter() - started)
        assert result.ok, result
        assert result.checked == total, result

    print(f"append, one event per transaction (baseline): {single_rate:>10,.0f} events/s")
    print(
        f"append, batched by {args.batch:,}:              {batched_rate:>10,.0f} events/s"
        f"  ({batched_rate / single_rate:.1f}x baseline; target 20,000)"
    )
    print(f"verify {total:,} events:                    {verify_rate:>10,.0f} events/s  (target 500,000)")


if __name__ == "__main__":
    main()
