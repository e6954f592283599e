from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from mamori.cli.common import cli_actor, session_scope, shown
from mamori.errors import Conflict, ValidationFailed

if TYPE_CHECKING:
    from mamori.policy.changes.model import Classified
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
    old: str = typer.Argument(..., help="A version number, id, 'current' (in force) or 'latest'."),
    new: str = typer.Argument(..., help="Another version, or a bundle directory."),
    as_json: bool = typer.Option(False, "--json", help="Print the changes as JSON."),
    raw: bool = typer.Option(False, "--raw", help="Every changed field, without classes."),
    lang: str = typer.Option("ja", "--lang", help="Language of the texts: ja, en, zh-Hans, zh-Hant."),
) -> None:
    """Each change between two versions, or a version and a directory, with its class.

    Classes: publish, announce, announce_in_advance, related_change, needs_consent; a change
    marked MISSING stops 'policy publish' until the bundle supplies it.
    Example: mamori policy diff current policies/aoki --lang en.
    """
    from mamori.policy import service  # the loader and schema: not for a quick listing

    with session_scope() as session:
        before = service.get_version(session, old)
        if Path(new).is_dir():
            raw_changes = service.diff_version_and_directory(before, Path(new)) if raw else []
            classified = [] if raw else service.classify_directory(before, Path(new))
        else:
            after = service.get_version(session, new)
            raw_changes = service.diff_versions(before, after) if raw else []
            classified = [] if raw else service.classify_versions(before, after)
    if raw:
        _print_changes(raw_changes, as_json=as_json)
    else:
        _print_classified(classified, as_json=as_json, lang=lang)


def _print_classified(changes: list[Classified], *, as_json: bool, lang: str) -> None:
    from mamori.policy.changes import texts
    from mamori.policy.changes.classify import overall

    if as_json:
        rows = [{**c.as_dict(), "text": texts.rule_text(c, lang)} for c in changes]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not changes:
        typer.echo("no changes")
        return
    for change in changes:
        typer.echo(f"[{change.change_class.value}] {texts.rule_text(change, lang)}")
        typer.echo(f"    {texts.class_text(change.change_class, lang)}; {shown(change.path)}")
        if change.justification:
            text = change.justification.get(lang) or change.justification["ja"]
            typer.echo(f"    justification ({change.justification['kind']}): {text}")
        if change.missing:
            typer.secho(f"    MISSING: {change.missing}", fg=typer.colors.RED)
    strongest = overall(changes)
    if strongest is not None:
        typer.echo(f"overall: {strongest.value} ({texts.class_text(strongest, lang)})")


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
