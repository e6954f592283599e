"""`mamori retention …`: sweeps of what outlived its retention, their records, and legal holds."""

from __future__ import annotations

import json
import uuid

import typer

from mamori.cli.common import cli_actor, fail, session_scope, shown
from mamori.config import get_settings
from mamori.errors import ValidationFailed
from mamori.retention import service
from mamori.retention.holds import active_holds, place_hold, release_hold
from mamori.retention.models import RetentionRunTable
from mamori.retention.sweep import BATCH
from mamori.security.crypto import cipher_from_settings

app = typer.Typer(help="Retention sweeps, their records and legal holds.", no_args_is_help=True)
hold_app = typer.Typer(help="Legal holds: what sweeps must keep.", no_args_is_help=True)
app.add_typer(hold_app, name="hold")
JsonOpt = typer.Option(False, "--json", help="Print JSON instead of text.")


def _progress(row: RetentionRunTable) -> None:
    verb = "deleted" if row.action == "delete" else "anonymised"
    typer.echo(
        f"  {row.system}.{row.dataset}: {row.expired} expired, {row.changed} {verb}, {row.held} held"
        f"{f', {row.residual} left' if row.residual else ''} [{row.status}]",
        err=True,
    )


@app.command("sweep")
def sweep_cmd(
    dry_run: bool = typer.Option(False, "--dry-run", help="Count what would go; change nothing."),
    batch: int = typer.Option(BATCH, "--batch", min=1, max=100_000, help="Rows per batch."),
    as_json: bool = JsonOpt,
) -> None:
    """Delete or anonymise what outlived its retention, in Mamori and in the mapped systems.

    Resumes a sweep that a killed process left unfinished. Exit code 1 when a table failed or
    values were left. Example: mamori retention sweep --dry-run.
    """
    settings = get_settings()
    with session_scope(settings) as session:
        run = None if dry_run else service.unfinished_run(session)
        if run is not None:
            typer.echo(f"resuming run {run.id}", err=True)
        else:
            run = service.start_run(session, actor=cli_actor(), dry_run=dry_run)
            session.commit()
        typer.echo(
            f"{'dry run' if dry_run else 'sweep'} {run.id} (policy version {run.policy_version})", err=True
        )
        service.execute_run(session, settings, run.id, batch=batch, report=_progress)
        result = service.run_dict(session, run)
    _print_run(result, as_json=as_json)
    if result["status"] != "done":
        raise typer.Exit(1)


def _print_run(result: dict[str, object], *, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    dry = bool(result["dry_run"])
    typer.echo(f"{'DRY RUN' if dry else 'SWEEP'} {result['id']}: {result['status']}")
    head = ("system.dataset", "action", "retention", "expired", "changed", "held")
    typer.echo(f"{head[0]:32} {head[1]:10} {head[2]:9} {head[3]:>9} {head[4]:>9} {head[5]:>7}  items")
    for table in result["tables"]:  # type: ignore[attr-defined]
        typer.echo(
            f"{table['system'] + '.' + table['dataset']:32} {table['action']:10} {table['retention']:9}"
            f" {table['expired']:>9} {('-' if dry else table['changed']):>9} {table['held']:>7}"
            f"  {','.join(table['items'])}{'  ERROR ' + shown(table['error']) if table['error'] else ''}"
        )
    expired, held = int(str(result["expired"])), int(str(result["held"]))
    done = f"would go: {expired - held}" if dry else f"{result['changed']} changed"
    typer.echo(f"total: {expired} expired, {done}, {held} held, {result['residual']} left")


@app.command("runs")
def runs_cmd(as_json: bool = JsonOpt) -> None:
    """List the latest runs, newest first."""
    with session_scope() as session:
        runs = [service.run_dict(session, r) for r in service.list_runs(session)]
    if as_json:
        typer.echo(json.dumps(runs, ensure_ascii=False, indent=2))
        return
    for r in runs:
        kind = "dry-run" if r["dry_run"] else "sweep"
        typer.echo(
            f"{r['id']}  {r['created_at']}  {kind:7}  {r['status']:8}"
            f"  expired {r['expired']}  changed {r['changed']}  held {r['held']}"
        )


@app.command("show")
def show_cmd(run_id: uuid.UUID, as_json: bool = JsonOpt) -> None:
    """One run with its counts per system, dataset and data item."""
    with session_scope() as session:
        result = service.run_dict(session, service.get_run(session, run_id))
    _print_run(result, as_json=as_json)


@hold_app.command("add")
def hold_add(
    reason: str = typer.Option(..., "--reason", help="Why the data is held (an investigation, a lawsuit)."),
    dataset: str | None = typer.Option(None, "--dataset", help="system.dataset to hold as a whole."),
    identity: list[str] = typer.Option(
        [], "--identity", help="kind=value, e.g. email=a@example.jp (repeatable)."
    ),
) -> None:
    """Place a legal hold on a dataset or on a person's records (identities are stored encrypted)."""
    identities: dict[str, list[str]] = {}
    for pair in identity:
        kind, _, value = pair.partition("=")
        identities.setdefault(kind.strip(), []).append(value)
    system, _, ds = (dataset or "").partition(".")
    settings = get_settings()
    with session_scope(settings) as session:
        try:
            hold = place_hold(
                session,
                cipher_from_settings(settings),
                actor=cli_actor(),
                reason=reason,
                system=system or None,
                dataset=ds or None,
                identities=identities,
            )
        except ValidationFailed as exc:
            fail(exc)
        typer.echo(str(hold.id))


@hold_app.command("list")
def hold_list() -> None:
    """The holds in force (manual ones; open requests and incidents hold their subjects by themselves)."""
    with session_scope() as session:
        for hold in active_holds(session):
            what = (
                f"{hold.system}.{hold.dataset}"
                if hold.system
                else "identities: " + ",".join(hold.identity_kinds)
            )
            typer.echo(f"{hold.id}  {hold.created_at.isoformat()}  {what}  {shown(hold.reason)}")


@hold_app.command("release")
def hold_release(hold_id: uuid.UUID) -> None:
    """Release a manual hold: the next sweep treats its data like any other."""
    with session_scope() as session:
        release_hold(session, actor=cli_actor(), hold_id=hold_id)
    typer.echo("released")
