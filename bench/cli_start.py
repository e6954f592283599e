"""Start time of the ``mamori`` command as a user runs it: a new process each time.

Run:  .venv/bin/python bench/cli_start.py [--runs 7]
Targets (issue 18): ``mamori --help`` <= 0.3 s and ``mamori policy versions`` <= 0.7 s on this machine.
Baselines measured in the same run: a bare ``python -c pass`` and ``python -c "import typer"``
(the floor any Typer command pays). Each command's output is checked, so a crash is not timed as fast.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _time(command: list[str], *, env: dict[str, str], expect: str, runs: int) -> tuple[float, float]:
    """Median and best wall time of ``command`` over ``runs`` runs; each must exit 0 and print ``expect``."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)  # noqa: S603
        times.append(time.perf_counter() - started)
        if done.returncode != 0 or expect not in done.stdout:
            raise SystemExit(f"{' '.join(command)} failed: {done.returncode}\n{done.stdout}\n{done.stderr}")
    return statistics.median(times), min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    python = sys.executable
    mamori = str(Path(python).with_name("mamori"))
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "MAMORI_DATABASE_URL": f"sqlite:///{Path(tmp) / 'start.db'}"}
        subprocess.run([mamori, "db", "upgrade"], env=env, check=True, capture_output=True)  # noqa: S603
        subprocess.run(  # noqa: S603 - the bench's own fixed commands
            [mamori, "policy", "publish", "policies/aoki", "--publisher", "bench"],
            env=env,
            check=True,
            capture_output=True,
            cwd=Path(__file__).resolve().parents[1],
        )
        rows = [
            ("python -c pass (baseline)", [python, "-c", "print('ok')"], "ok", None),
            ("python -c 'import typer' (baseline)", [python, "-c", "import typer; print('ok')"], "ok", None),
            ("mamori --help", [mamori, "--help"], "policy", 0.3),
            ("mamori policy versions", [mamori, "policy", "versions"], "bench", 0.7),
        ]
        print(f"{'command':40} {'median':>8} {'best':>8} {'target':>8}")
        for label, command, expect, target in rows:
            median, best = _time(command, env=env, expect=expect, runs=args.runs)
            goal = f"{target:.1f} s" if target else ""
            verdict = "" if target is None else ("met" if median <= target else "NOT met")
            print(f"{label:40} {median:7.3f}s {best:7.3f}s {goal:>8} {verdict}", flush=True)
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (figures mean little above ~1 on 2 cores)")


if __name__ == "__main__":
    main()
