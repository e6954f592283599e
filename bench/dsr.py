"""Deadline arithmetic of request cases: business-calendar targets next to plain calendar-day dates.

Run:  .venv/bin/python bench/dsr.py [--cases 100000]
Prints the time to compute the APPI target (10 business days, holidays and the New Year closure
skipped), the Art. 39 date and the PIPL target with its cap, for every receipt date over ten
years, next to the baseline of adding 14 calendar days to each date (measured in the same run).
"""

from __future__ import annotations

import argparse
import time
from datetime import date, timedelta

from mamori.calendar.service import appi_calendar
from mamori.dsr.deadlines import appi_deadlines, pipl_deadlines


def _dates(n: int) -> list[date]:
    start = date(2026, 1, 1)
    return [start + timedelta(days=i % 3653) for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=100_000)
    args = parser.parse_args()
    cal, days = appi_calendar(), _dates(args.cases)
    appi_deadlines(cal, days[0], 10)  # warm the holiday cache of the first year
    t0 = time.perf_counter()
    baseline = [d + timedelta(days=14) for d in days]
    t1 = time.perf_counter()
    appi = [appi_deadlines(cal, d, 10) for d in days]
    t2 = time.perf_counter()
    pipl = [pipl_deadlines(cal, d, 15, 30) for d in days]
    t3 = time.perf_counter()
    base_s, appi_s, pipl_s = t1 - t0, t2 - t1, t3 - t2
    print(f"cases: {args.cases}")
    print(f"baseline (+14 calendar days): {base_s * 1000:.1f} ms")
    print(
        f"APPI target + Art. 39 date:   {appi_s * 1000:.1f} ms  ({appi_s / args.cases * 1e6:.2f} µs/case, "
        f"{appi_s / base_s:.0f}x baseline)"
    )
    print(
        f"PIPL target + cap:            {pipl_s * 1000:.1f} ms  ({pipl_s / args.cases * 1e6:.2f} µs/case, "
        f"{pipl_s / base_s:.0f}x baseline)"
    )
    assert len(baseline) == len(appi) == len(pipl)


if __name__ == "__main__":
    main()
