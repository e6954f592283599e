"""The open-inquiries list (ordered by business time left) over N open inquiries, next to a plain query.

Run:  .venv/bin/python bench/inquiries.py [--open 2000] [--url sqlite:///bench/inquiries.db]
The list computes each inquiry's remaining business time with the contact centre's calendar and
sorts by it; the baseline reads the same rows ordered by their stored due instant (what an index
could give without the calendar). Inquiries are spread over the last 30 days, a third waiting.
"""

from __future__ import annotations

import argparse
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.config import DEFAULT_POLICY_DIR, Settings
from mamori.db.base import utcnow
from mamori.db.migrate import upgrade
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.inquiries.intake import NewInquiry, open_inquiry
from mamori.inquiries.models import Inquiry
from mamori.inquiries.rules import OPEN_STATES
from mamori.inquiries.views import open_views
from mamori.policy.service import current_version, publish_bundle

CATEGORIES = ("complaint", "personal_information", "other", "public_relations", "investor_relations")


def _fill(session: Session, settings: Settings, count: int) -> None:
    if current_version(session) is None:
        publish_bundle(session, actor="bench", directory=DEFAULT_POLICY_DIR)
    now = utcnow()
    for i in range(count):
        received = now - timedelta(minutes=(i * 37) % (30 * 24 * 60))
        new = NewInquiry(channel="email", language="ja", category=CATEGORIES[i % 5], message=f"質問 {i}",
                         email=f"p{i}@example.jp", received_at=received)  # fmt: skip
        inquiry = open_inquiry(session, settings, "bench", new)
        if i % 3 == 0:
            inquiry.state, inquiry.paused_since = "waiting_for_customer", now - timedelta(hours=i % 48)


def _timed(work: Any, repeat: int = 3) -> tuple[Any, float]:
    best = float("inf")
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return result, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--open", type=int, default=2000, help="open inquiries to create")
    parser.add_argument("--url", default=None, help="database URL (default: a new SQLite file in bench/)")
    args = parser.parse_args()
    path = Path(__file__).resolve().parent / "inquiries-bench.db"
    url = args.url or f"sqlite:///{path}"
    if args.url is None:
        path.unlink(missing_ok=True)
    upgrade(url)
    settings = Settings(database_url=url, mail_backend="null", _env_file=None)  # type: ignore[call-arg]
    factory = make_session_factory(make_engine(url))
    with unit_of_work(factory) as session:
        _fill(session, settings, args.open)
    with unit_of_work(factory) as session:
        views, listed = _timed(lambda: open_views(session))
        stmt = select(Inquiry).where(Inquiry.state.in_([str(s) for s in OPEN_STATES]))
        rows, plain = _timed(lambda: list(session.scalars(stmt.order_by(Inquiry.first_response_due_at))))
    if not len(views) == len(rows) == args.open:  # every inquiry listed by both, none lost
        raise SystemExit(f"{args.open} open inquiries, {len(views)} listed, {len(rows)} read plainly")
    print(f"open inquiries:            {len(views)} (plain query rows: {len(rows)})")
    print(f"list by business time left: {listed * 1000:.1f} ms (best of 3)")
    print(f"plain query by due instant: {plain * 1000:.1f} ms (best of 3)")
    print(f"ratio:                      {listed / plain:.1f}x")
    if args.url is None:
        path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
