"""Start time of the ``mamori`` command as a user runs it: a new process each time.

Run:  .venv/bin/python bench/cli_start.py [--runs 7]
Targets (issue 18): ``mamori --help`` <= 0.3 s and ``mamori policy versions`` <= 0.7 s on this machine.
Baselines measured in the same run: a bare ``python -c pass`` and ``python -c "import typer"``
(the floor any Typer command pays). Each command's output is checked, so a crash is not timed as fast.
Printed: median and best wall time and the median CPU time (user + system) of the process, which
a loaded machine distorts less. The modules' bytecode is written by an untimed first run, as an
installed package has it.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _time(command: list[str], *, env: dict[str, str], expect: str, runs: int) -> tuple[float, float, float]:
    """Median and best wall time, and median CPU time (user + system), of ``command`` over ``runs`` runs.

    Each run must exit 0 and print ``expect``. CPU time is less distorted than wall time by other
    processes on a loaded machine.
    """
    times, cpu = [], []
    for _ in range(runs):
        cpu_before = _children_cpu()
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)  # noqa: S603
        times.append(time.perf_counter() - started)
        cpu.append(_children_cpu() - cpu_before)
        if done.returncode != 0 or expect not in done.stdout:
            raise SystemExit(f"{' '.join(command)} failed: {done.returncode}\n{done.stdout}\n{done.stderr}")
    return statistics.median(times), min(times), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    python = sys.executable
    mamori = str(Path(python).with_name("mamori"))
    with tempfile.TemporaryDirectory() as tmp:
        # As installed: a pip install writes the bytecode of every module. Without it (e.g.
        # PYTHONDONTWRITEBYTECODE=1 in the calling shell) each start compiles ~270 modules from
        # source, seconds of CPU that no user pays; the first, untimed run of each command writes it.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["MAMORI_DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'start.db'}"
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
        print(f"load average at the start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"{'command':40} {'median':>8} {'best':>8} {'CPU':>8} {'target':>8}")
        for label, command, expect, target in rows:
            _time(command, env=env, expect=expect, runs=1)  # writes the bytecode; not timed
            median, best, cpu = _time(command, env=env, expect=expect, runs=args.runs)
            goal = f"{target:.1f} s" if target else ""
            verdict = "" if target is None else ("met" if median <= target else "NOT met")
            print(f"{label:40} {median:7.3f}s {best:7.3f}s {cpu:7.3f}s {goal:>8} {verdict}", flush=True)
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (wall times mean little above ~1 on 2 cores)")


if __name__ == "__main__":
    main()
