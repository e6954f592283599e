"""The CLI's start: ``mamori --help`` imports no room and no heavy library; a command imports what it needs.

Timings are not asserted here (bench/ measures them); what is imported is, because that is what
makes the start slow and it does not vary with the machine's load.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mamori.cli.main import SUBCOMMANDS, load_group

HEAVY = (
    "sqlalchemy",
    "pydantic",
    "holidays",
    "openpyxl",
    "weasyprint",
    "fastapi",
    "uvicorn",
    "alembic",
    "click",
    "rich",
)


def imported_by(*args: str, env: dict[str, str] | None = None) -> set[str]:
    """The modules a real ``python -m mamori ARGS`` process imported (from ``-X importtime``)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "mamori", *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


def test_help_imports_no_room_and_no_heavy_library() -> None:
    modules = imported_by("--help")
    heavy = sorted(m for m in modules if m.split(".")[0] in HEAVY)
    rooms = sorted(m for m in modules if m.startswith("mamori.") and not m.startswith("mamori.cli.main"))
    assert heavy == []
    assert rooms == [m for m in rooms if m in {"mamori.__main__", "mamori.cli"}]


def test_a_read_command_loads_japan_only_and_no_document_or_web_library(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'start.db'}"
    env = {"MAMORI_DATABASE_URL": url}
    subprocess.run(
        [sys.executable, "-m", "mamori", "db", "upgrade"],
        check=True,
        capture_output=True,
        env={**os.environ, **env},
        timeout=120,
    )
    modules = imported_by("policy", "versions", env=env)
    assert "sqlalchemy" in modules  # it did reach the database
    unwanted = ("openpyxl", "weasyprint", "fastapi", "uvicorn", "jinja2", "procrastinate", "psycopg")
    assert sorted(m for m in modules if m.split(".")[0] in unwanted) == []
    assert sorted(m for m in modules if m.startswith("holidays.countries")) == []
    assert not any(m.startswith(("mamori.fulfillment", "mamori.dsr", "mamori.incidents")) for m in modules)
    # Listing versions reads one table: not the bundle loader (YAML, the schema) nor the audit log.
    assert sorted(m for m in modules if m.split(".")[0] == "yaml") == []
    assert not any(
        m.startswith(("mamori.policy.loader", "mamori.policy.schema", "mamori.audit")) for m in modules
    )


def test_calendar_loads_only_japan_and_knows_its_holidays() -> None:
    code = (
        "import sys, datetime\n"
        "from mamori.calendar.service import japanese_holidays\n"
        "is_holiday = japanese_holidays()\n"
        "print(is_holiday(datetime.date(2027, 3, 22)), is_holiday(datetime.date(2027, 3, 23)))\n"
        "print(sorted(m for m in sys.modules if m.startswith('holidays.countries')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    substitute, ordinary = done.stdout.splitlines()[0].split()
    assert (substitute, ordinary) == ("True", "False")  # 2027-03-22 is the substitute for 21 March
    assert done.stdout.splitlines()[1] == "[]"


@pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
def test_listed_help_is_the_groups_own(name: str) -> None:
    """The root's list repeats each group's help so as not to import it; the two must not drift."""
    sub = SUBCOMMANDS[name]
    group = load_group(name)
    assert group.name == name
    assert group.help == sub.help
