from __future__ import annotations

import typer

from mamori.audit import service
from mamori.cli.common import session_scope

app = typer.Typer(help="The hash-chained audit log: verify and read.", no_args_is_help=True)


@app.command("verify")
def verify_cmd() -> None:
    """Recompute the chain; exit 1 naming the first altered, missing or reordered event.

    Example: mamori audit verify.
    """
    with session_scope() as session:
        result = service.verify_chain(session)
    if result.ok:
        typer.echo(f"OK: {result.checked} events, chain intact")
        return
    where = f"chain {result.chain}, position {result.link}"
    what = (
        f"event {result.seq} is {result.problem} ({where})"
        if result.seq
        else f"the event at {where} is {result.problem}"
    )
    typer.secho(
        f"FAILED: {what}; {result.checked} events verified before it",
        fg=typer.colors.RED,
        err=True,
    )
    raise typer.Exit(1)


@app.command("list")
def list_cmd(
    after: int = typer.Option(0, help="Show events after this sequence number."),
    limit: int = typer.Option(50, min=1, max=1000),
    action: str = typer.Option(None, help="Only this action, e.g. policy.published."),
) -> None:
    """Print audit events in chain order.

    Example: mamori audit list --action policy.published.
    """
    with session_scope() as session:
        for e in service.list_events(session, after_seq=after, limit=limit, action=action):
            typer.echo(
                f"{e.seq:>7}  {e.occurred_at:%Y-%m-%d %H:%M:%S}  {e.actor:<24} {e.action:<24} {e.target_id}"
            )
