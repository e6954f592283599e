from __future__ import annotations

import json
from pathlib import Path

import typer

from mamori.audit import service
from mamori.audit.anchors import check_anchor, make_anchor
from mamori.audit.rules import VerifyResult
from mamori.cli.common import session_scope, shown
from mamori.policy.integrity import verify_versions

app = typer.Typer(help="The hash-chained audit log: verify, anchor and read.", no_args_is_help=True)


def _chain_problem(result: VerifyResult) -> str:
    if result.problem == "headless":
        return f"the head of chain {result.chain} is missing (its tail may have been cut off)"
    where = f"chain {result.chain}, position {result.link}"
    what = (
        f"event {result.seq} is {result.problem} ({where})"
        if result.seq
        else f"the event at {where} is {result.problem}"
    )
    return f"{what}; {result.checked} events verified before it"


def _read_anchor(path: Path) -> dict[str, object]:
    try:
        anchor = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        typer.secho(f"error: cannot read the anchor {shown(path)}: {shown(exc)}", fg="red", err=True)
        raise typer.Exit(2) from None
    if not isinstance(anchor, dict):
        typer.secho(f"error: {shown(path)} is not an anchor", fg="red", err=True)
        raise typer.Exit(2)
    return anchor


@app.command("verify")
def verify_cmd(
    anchor: Path = typer.Option(None, "--anchor", help="Also check the log against an anchor file."),
) -> None:
    """Recompute every chain and check every published policy version; exit 1 naming each problem.

    With --anchor, the log must still hold everything the anchor recorded (a shortened, emptied
    or rewritten log fails). Example: mamori audit verify --anchor /mnt/worm/mamori-anchor.json.
    """
    anchored = _read_anchor(anchor) if anchor else None
    with session_scope() as session:
        result = service.verify_chain(session)
        problems = [] if result.ok else [_chain_problem(result)]
        problems += verify_versions(session)
        if anchored is not None:
            problems += check_anchor(session, anchored)
    if not problems:
        extra = f"; matches the anchor of {shown(anchored.get('made_at'))}" if anchored else ""
        typer.echo(f"OK: {result.checked} events, chain intact, policy versions intact{extra}")
        return
    for problem in problems:
        typer.secho(f"FAILED: {problem}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


@app.command("anchor")
def anchor_cmd(
    out: Path = typer.Option(None, "--out", help="Write the anchor to this file instead of printing it."),
) -> None:
    """Print (or write) an anchor: each chain's length and last hash, with a MAC over them.

    Keep anchors where whoever can write the database cannot (see the operator guide, "Audit
    anchors"); 'mamori audit verify --anchor FILE' then detects a shortened or emptied log. A log
    that does not verify is not anchored. Example: mamori audit anchor --out anchor.json.
    """
    with session_scope() as session:
        result = service.verify_chain(session)
        if not result.ok:
            typer.secho(f"FAILED: {_chain_problem(result)}; not anchored", fg="red", err=True)
            raise typer.Exit(1)
        body = make_anchor(session)
    text = json.dumps(body, ensure_ascii=False, indent=2) + "\n"
    if out is None:
        typer.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    typer.echo(f"anchor written to {shown(out)}: {body['events']} events")


@app.command("list")
def list_cmd(
    after: int = typer.Option(0, help="Show events after this sequence number."),
    limit: int = typer.Option(50, min=1, max=1000),
    action: str = typer.Option(None, help="Only this action, e.g. policy.published."),
) -> None:
    """Print audit events in chain order (stored text with control characters escaped).

    Example: mamori audit list --action policy.published.
    """
    with session_scope() as session:
        for e in service.list_events(session, after_seq=after, limit=limit, action=action):
            typer.echo(
                f"{e.seq:>7}  {e.occurred_at:%Y-%m-%d %H:%M:%S}  {shown(e.actor):<24} {shown(e.action):<24}"
                f" {shown(e.target_id)}"
            )
