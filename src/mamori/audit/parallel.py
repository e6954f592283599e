"""Verify a long chain in a SQLite file on several cores: one range of links per process.

SQLite keeps one chain (chain 1), whose links are read by position.

Each range starts from the stored hash of the link before it, and the range before checks that
stored hash by recomputing it, so the ranges together prove the whole chain. The audit key goes
to each child on its standard input (never on the command line, which other users can read).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

from mamori.audit.rules import ChainSpec, intact_count, keyed_mac, split_ranges

PARALLEL_THRESHOLD = 50_000
_RANGE_SQL = (
    "SELECT seq, occurred_at, actor, action, target_type, target_id, details, prev_hash, hash "
    "FROM audit_events WHERE chain = 1 AND link BETWEEN ? AND ? ORDER BY link"
)


def check_range(path: str, first: int, last: int, prev_hash: str, spec: ChainSpec) -> bool:
    """True when links ``first..last`` are all present and each hash recomputes (read-only)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        cursor = connection.execute(_RANGE_SQL, (first, last))
        rows = iter(lambda: cursor.fetchmany(10_000), [])
        count = intact_count(
            (row for batch in rows for row in batch), spec, after=first - 1, prev_hash=prev_hash
        )
        return count == last - first + 1
    finally:
        connection.close()


def _boundary_hashes(path: str, ranges: list[tuple[int, int]]) -> dict[int, str]:
    wanted = [first - 1 for first, _ in ranges if first > 1]
    if not wanted:
        return {}
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        marks = ",".join("?" * len(wanted))
        rows = connection.execute(
            f"SELECT link, hash FROM audit_events WHERE chain = 1 AND link IN ({marks})",  # noqa: S608
            wanted,
        )
        return {int(seq): str(digest) for seq, digest in rows}
    finally:
        connection.close()


def verify_file_in_parallel(
    path: str, total: int, key: bytes, *, keyed_from: int = 1, workers: int | None = None
) -> bool:
    """Check links ``1..total`` of the committed chain in ``path`` (the caller checked ``total``)."""
    spec = ChainSpec(chain=1, mac=keyed_mac(key), keyed_from=keyed_from, numbered=True)
    workers = workers or os.cpu_count() or 1
    ranges = split_ranges(total, workers)
    boundaries = _boundary_hashes(path, ranges)
    starts = [spec.genesis if first == 1 else boundaries.get(first - 1) for first, _ in ranges]
    if any(start is None for start in starts):
        return False
    jobs = [(path, first, last, str(start)) for (first, last), start in zip(ranges, starts, strict=True)]
    if len(jobs) == 1:
        return check_range(*jobs[0], spec)
    # Plain child interpreters that import only this module (and the standard library): a
    # multiprocessing spawn would re-import the caller's whole program first.
    children = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and module, arguments we built
            [sys.executable, "-m", __name__, *map(str, job), str(keyed_from)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for job in jobs[1:]
    ]
    for child in children:
        assert child.stdin is not None  # noqa: S101 - asked for above
        child.stdin.write(key.hex() + "\n")
        child.stdin.flush()
    mine = check_range(*jobs[0], spec)
    answers = [child.communicate()[0].strip() for child in children]
    return mine and all(answer == "ok" for answer in answers) and all(c.returncode == 0 for c in children)


if __name__ == "__main__":
    _path, _first, _last, _prev, _keyed_from = sys.argv[1:6]
    _spec = ChainSpec(chain=1, mac=keyed_mac(bytes.fromhex(sys.stdin.readline().strip())),
                      keyed_from=int(_keyed_from), numbered=True)  # fmt: skip
    print("ok" if check_range(_path, int(_first), int(_last), _prev, _spec) else "broken")  # noqa: T201
