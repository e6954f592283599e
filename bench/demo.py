"""How long `mamori demo --no-serve` takes for a new user, and a second run.

Run:  .venv/bin/python bench/demo.py [--customers 3000]

Each figure is a whole CLI process in a fresh folder, as `scripts/demo` runs it. The baseline,
measured in the same run, is the least any demo must do: `mamori db upgrade` and `mamori policy
publish policies/aoki` on a fresh database. The bench checks the demo did its work (the shop's
customers and orders, the sample cases, the printed sign-ins) before it prints the figures.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MAMORI = [sys.executable, "-m", "mamori"]


def timed(args: list[str], folder: Path) -> tuple[float, str]:
    env = {
        **os.environ,
        "MAMORI_DATABASE_URL": f"sqlite:///{folder / 'mamori.db'}",
        "MAMORI_MAIL_BACKEND": "null",
    }
    started = time.perf_counter()
    done = subprocess.run(args, cwd=folder, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return elapsed, done.stdout


def count(database: Path, sql: str) -> int:
    with sqlite3.connect(database) as conn:
        return int(conn.execute(sql).fetchone()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mamori-bench-demo-") as tmp:
        base = Path(tmp) / "baseline"
        base.mkdir()
        up, _ = timed([*MAMORI, "db", "upgrade"], base)
        publish, _ = timed([*MAMORI, "policy", "publish", str(REPO / "policies" / "aoki")], base)
        folder = Path(tmp) / "demo"
        folder.mkdir()
        demo = [*MAMORI, "demo", "--no-serve", "--customers", str(args.customers)]
        first, out = timed(demo, folder)
        second, again = timed(demo, folder)
        customers = count(folder / "mamori-shop.db", "SELECT count(*) FROM customer")
        orders = count(folder / "mamori-shop.db", "SELECT count(*) FROM orders")
        cases = count(folder / "mamori.db", "SELECT count(*) FROM dsr_cases")
        assert customers == args.customers, customers
        assert orders == args.customers * 5, orders
        assert cases >= 8, cases  # noqa: PLR2004 - one or more per state
        assert "export TOKEN=mam_" in out
        password = next(line.split()[-1] for line in out.splitlines() if "admin password:" in line)
        assert f"admin password: {password}" in again, "a second run must keep the passwords"
    print(f"shop: {customers} customers, {orders} orders; {cases} sample cases")
    print(f"baseline (db upgrade + policy publish): {up + publish:6.2f} s")
    print(f"mamori demo --no-serve, fresh folder:   {first:6.2f} s")
    print(f"mamori demo --no-serve, second run:     {second:6.2f} s")


if __name__ == "__main__":
    main()
