"""Servers and workers refuse the public development keys unless told this is a development setup."""

from __future__ import annotations

import typer

from mamori.config import Settings
from mamori.security.keys import dev_key_problems


def require_real_keys(settings: Settings, *, dev_keys: bool, what: str) -> None:
    """Exit 1 on the development keys; with ``dev_keys`` or ``allow_dev_keys`` warn loudly instead."""
    problems = dev_key_problems(settings)
    if not problems:
        return
    if dev_keys or settings.allow_dev_keys:
        warn_dev_keys(problems, what)
        return
    typer.secho(f"error: mamori {what} refuses to start on the development keys:", fg="red", err=True)
    for problem in problems:
        typer.echo(f"  - {problem}", err=True)
    typer.echo(
        "  Anyone with Mamori's source and a copy of the database could read every encrypted value.\n"
        "  Fix: run 'mamori keys generate --out /etc/mamori/keys.env', load that file into the\n"
        "  environment (or copy its lines into .env), then start again; 'mamori doctor' checks the rest.\n"
        "  For a development machine only: --dev-keys or MAMORI_ALLOW_DEV_KEYS=true.",
        err=True,
    )
    raise typer.Exit(1)


def warn_dev_keys(problems: list[str], what: str) -> None:
    """The loud warning of a development setup, on standard error."""
    bar = "!" * 78
    lines = [bar, f"!! WARNING: mamori {what} runs on the PUBLIC DEVELOPMENT KEYS. Development only.", bar]
    lines += [f"!!   {problem}" for problem in problems]
    lines += ["!! Never put real personal data here. Real keys: 'mamori keys generate'.", bar]
    typer.secho("\n".join(lines), fg="yellow", err=True)
