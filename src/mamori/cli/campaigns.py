"""`mamori campaigns`: notification and consent campaigns for policy revisions."""

from __future__ import annotations

import json
import uuid

import typer

from mamori.campaigns import rules, service
from mamori.cli.common import cli_actor, session_scope, shown

app = typer.Typer(help="Notification and consent campaigns for policy revisions.", no_args_is_help=True)
IdArg = typer.Argument(..., help="The campaign's id.")


@app.command("create")
def create_cmd(
    purpose: str = typer.Option(..., "--purpose", help="The revised purpose (id in the version in force)."),
    kind: str = typer.Option("notification", "--kind", help="notification or consent."),
    category: str = typer.Option("customers", "--category", help="Subject category id."),
    rate: int = typer.Option(100, "--rate", min=1, help="Messages per second at most."),
    remind_after: int = typer.Option(None, "--remind-after", min=0, help="Days before a reminder (consent)."),
) -> None:
    """Build the audience (one delivery per person) and queue the sending.

    Example: mamori campaigns create --purpose customer.mailings --kind consent --rate 200.
    """
    with session_scope() as session:
        campaign = service.create_campaign(
            session, actor=cli_actor(), kind=kind, purpose_id=purpose, category=category,
            rate_per_second=rate, remind_after_days=remind_after,
        )  # fmt: skip
        audience = service.statistics(session, campaign.id)["audience"]
        typer.echo(f"campaign {campaign.id} created: {audience} people, version {campaign.policy_version}")


@app.command("list")
def list_cmd() -> None:
    """Every campaign, oldest first."""
    with session_scope() as session:
        for c in service.list_campaigns(session):
            typer.echo(f"{c.id}  {c.kind:<12} {c.state:<9} v{c.policy_version}  {shown(c.purpose_id)}")


@app.command("show")
def show_cmd(
    campaign_id: uuid.UUID = IdArg,
    as_json: bool = typer.Option(False, "--json", help="Print the statistics as JSON."),
) -> None:
    """Progress and statistics: sent, bounced, complained, by post, consented, reminders."""
    with session_scope() as session:
        stats = service.statistics(session, campaign_id)
    if as_json:
        typer.echo(json.dumps(stats, ensure_ascii=False, indent=2))
        return
    done = stats["audience"] - stats["by_status"].get("pending", 0) - stats["by_status"].get("sending", 0)
    typer.echo(
        f"{stats['kind']} campaign, {stats['state']}, purpose {shown(stats['purpose'])}, v{stats['version']}"
    )
    typer.echo(f"progress: {done}/{stats['audience']}")
    for key in ("sent", "bounced", "complained", "print", "reminders", "consented"):
        if stats[key] is not None:
            typer.echo(f"{key}: {stats[key]}")


def _steer(campaign_id: uuid.UUID, to: str) -> None:
    with session_scope() as session:
        campaign = service.steer(session, actor=cli_actor(), campaign_id=campaign_id, to=to)
        typer.echo(f"campaign {campaign.id}: {campaign.state}")


@app.command("pause")
def pause_cmd(campaign_id: uuid.UUID = IdArg) -> None:
    """Stop sending after the batch in flight; resume continues where it stopped."""
    _steer(campaign_id, rules.PAUSED)


@app.command("resume")
def resume_cmd(campaign_id: uuid.UUID = IdArg) -> None:
    """Send again after a pause."""
    _steer(campaign_id, rules.RUNNING)


@app.command("cancel")
def cancel_cmd(campaign_id: uuid.UUID = IdArg) -> None:
    """Stop for good: deliveries not yet sent are cancelled."""
    _steer(campaign_id, rules.CANCELLED)


@app.command("close")
def close_cmd(campaign_id: uuid.UUID = IdArg) -> None:
    """Close the campaign and keep its report (the statistics at closing)."""
    with session_scope() as session:
        campaign = service.steer(session, actor=cli_actor(), campaign_id=campaign_id, to=rules.CLOSED)
        typer.echo(json.dumps(campaign.report, ensure_ascii=False, indent=2))


@app.command("feedback")
def feedback_cmd(
    message_id: str = typer.Argument(..., help="The Message-ID the bounce or complaint names."),
    kind: str = typer.Option(..., "--kind", help="bounced or complained."),
) -> None:
    """Record a bounce or complaint against the delivery that sent the message."""
    with session_scope() as session:
        delivery = service.record_feedback(session, actor=cli_actor(), message_id=message_id, kind=kind)
        typer.echo(f"delivery {delivery.id}: {delivery.status}")


@app.command("remind")
def remind_cmd(campaign_id: uuid.UUID = IdArg) -> None:
    """Queue a reminder to everyone of a consent campaign who has not consented yet."""
    with session_scope() as session:
        count = service.remind(session, actor=cli_actor(), campaign_id=campaign_id)
        typer.echo(f"{count} reminders queued")
