from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from mamori.cli.common import cli_actor, session_scope, shown
from mamori.errors import Conflict, ValidationFailed

if TYPE_CHECKING:
    from mamori.policy.rules import Change

app = typer.Typer(help="The policy bundle: check, publish, list and compare versions.", no_args_is_help=True)
DirArg = typer.Argument(..., exists=False, help="Bundle directory (a folder of YAML files).")


@app.command("check")
def check_cmd(directory: Path = DirArg) -> None:
    """Validate a bundle; every problem is printed as file:line: field: message.

    Example: mamori policy check policies/aoki.
    """
    from mamori.datamap.service import map_warnings  # loads the connectors: only this command needs them
    from mamori.dsr.checks import deadline_warnings
    from mamori.policy import service  # the loader and schema: not for a quick listing

    result = service.check_bundle(directory)
    if result.bundle is None:
        for error in result.errors:
            typer.secho(str(error), fg=typer.colors.RED, err=True)
        typer.echo(f"{len(result.errors)} problem(s); the bundle is not valid", err=True)
        raise typer.Exit(2)
    purposes = len(result.bundle.purposes())
    typer.echo(f"OK: bundle {result.bundle.id!r}, {len(result.sources)} files, {purposes} purposes")
    cookies = result.bundle.cookies
    if cookies.properties:
        items = sum(len(prop.items) for prop in cookies.properties)
        typer.echo(f"cookies: {len(cookies.properties)} web properties, {items} cookies/tags/SDKs")
    for warning in map_warnings(result.bundle):
        typer.secho(f"warning: {shown(warning)}", fg=typer.colors.YELLOW, err=True)
    for warning in deadline_warnings(result.bundle, date.today()):  # noqa: DTZ011 - receipt days, any zone
        typer.secho(f"warning: {shown(warning)}", fg=typer.colors.YELLOW, err=True)


@app.command("publish")
def publish_cmd(
    directory: Path = DirArg,
    publisher: str = typer.Option(None, help="Who publishes (recorded); default: the CLI user."),
    effective: str = typer.Option(None, help="Effective date YYYY-MM-DD; default: today."),
    note: str = typer.Option(None, help="A short note stored with the version."),
    if_changed: bool = typer.Option(
        False, "--if-changed", help="An unchanged bundle is not an error: say so and exit 0 (deploy scripts)."
    ),
) -> None:
    """Store the bundle as a new immutable version (refused if invalid; unchanged: exit 4).

    Example: mamori policy publish policies/aoki --if-changed.
    """
    from mamori.policy import service  # the loader and schema: not for a quick listing

    effective_date = _parse_date(effective) if effective else None
    with session_scope() as session:
        try:
            version = service.publish_bundle(
                session,
                actor=publisher or cli_actor(),
                directory=directory,
                effective_date=effective_date,
                note=note,
            )
        except Conflict as unchanged:  # the only conflict of a publication
            if not if_changed:
                raise
            typer.echo(shown(unchanged.message))
            return
        typer.echo(
            f"published version {version.number} ({version.content_hash[:12]})"
            f" by {shown(version.published_by)}"
        )


@app.command("versions")
def versions_cmd() -> None:
    """List published versions.

    Example: mamori policy versions.
    """
    from mamori.policy.repository import list_versions

    with session_scope() as session:
        for v in list_versions(session):
            typer.echo(
                f"{v.number:>4}  {v.published_at:%Y-%m-%d %H:%M}  {v.content_hash[:12]}"
                f"  {shown(v.published_by)}"
            )


@app.command("diff")
def diff_cmd(
    old: str = typer.Argument(..., help="A version number, id or 'current'."),
    new: str = typer.Argument(..., help="Another version, or a bundle directory."),
    as_json: bool = typer.Option(False, "--json", help="Print the changes as JSON."),
) -> None:
    """Item-by-item changes between two versions, or a version and a directory.

    Example: mamori policy diff current policies/aoki.
    """
    from mamori.policy import service  # the loader and schema: not for a quick listing

    with session_scope() as session:
        before = service.get_version(session, old)
        if Path(new).is_dir():
            changes = service.diff_version_and_directory(before, Path(new))
        else:
            changes = service.diff_versions(before, service.get_version(session, new))
    _print_changes(changes, as_json=as_json)


def _print_changes(changes: list[Change], *, as_json: bool) -> None:
    if as_json:
        rows = [{"kind": c.kind.value, "path": c.path, "old": c.old, "new": c.new} for c in changes]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not changes:
        typer.echo("no changes")
    marks = {"added": "+", "removed": "-", "changed": "~"}
    for change in changes:
        typer.echo(f"{marks[change.kind.value]} {shown(change.path)}")
        if change.kind.value == "changed":
            typer.echo(f"    old: {json.dumps(change.old, ensure_ascii=False)}")
            typer.echo(f"    new: {json.dumps(change.new, ensure_ascii=False)}")


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        from mamori.cli.common import fail

        fail(ValidationFailed(f"not a date (YYYY-MM-DD): {text!r}"))
        raise
