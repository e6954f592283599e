"""``mamori doctor``: is this installation ready for real personal data?"""

from __future__ import annotations

import typer

from mamori.config import get_settings
from mamori.security.doctor import Level, run_checks

COLOURS = {Level.OK: "green", Level.WARNING: "yellow", Level.PROBLEM: "red"}


def doctor() -> None:
    """Check what an operator must set before going live; exit 1 on any PROBLEM.

    Keys, public address, mail, database, files directory, trusted proxies: each line says OK,
    WARNING or PROBLEM, and how to fix it. Example: mamori doctor.
    """
    checks = run_checks(get_settings())
    for check in checks:
        typer.secho(f"{check.level.value:<8} {check.name}: {check.message}", fg=COLOURS[check.level])
        if check.fix:
            typer.echo(f"{'':<8}   fix: {check.fix}")
    problems = sum(check.level == Level.PROBLEM for check in checks)
    warnings = sum(check.level == Level.WARNING for check in checks)
    typer.echo(f"{problems} problem(s), {warnings} warning(s)")
    if problems:
        raise typer.Exit(1)
