from __future__ import annotations

from datetime import timedelta

import typer

from mamori.cli.common import cli_actor, fail, session_scope, shown
from mamori.errors import ValidationFailed
from mamori.security import service
from mamori.security.rules import Role, Scope

users_app = typer.Typer(help="Staff users and their roles.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens for staff and business systems.", no_args_is_help=True)


@users_app.command("add")
def add_cmd(
    username: str,
    role: Role = typer.Option(..., help="admin, privacy_officer, agent, engineer or auditor."),
    name: str = typer.Option(None, help="Display name; default: the username."),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """Create a staff user.

    Example: mamori users add hanako --role agent.
    """
    with session_scope() as session:
        user = service.add_user(
            session,
            actor=cli_actor(),
            username=username,
            display_name=name or username,
            role=role,
            password=password,
        )
        typer.echo(f"added {shown(user.username)} ({user.role})")


@users_app.command("list")
def list_cmd() -> None:
    """List staff users."""
    with session_scope() as session:
        for user in service.list_users(session):
            state = "active" if user.active else "disabled"
            typer.echo(f"{shown(user.username):<20} {user.role:<16} {state}")


@tokens_app.command("create")
def create_cmd(
    username: str,
    name: str = typer.Option("cli", help="A label for the token."),
    scope: list[str] = typer.Option(None, help="Limit to these scopes (repeat); default: all of the role's."),
    days: int = typer.Option(None, min=1, help="Expire after this many days."),
) -> None:
    """Issue an API token for USERNAME and print it once.

    Example: mamori tokens create hanako --scope policy:read.
    """
    try:
        scopes = {Scope(s) for s in scope} if scope else None
    except ValueError:
        fail(ValidationFailed(f"unknown scope; known: {', '.join(s.value for s in Scope)}"))
        return
    with session_scope() as session:
        issued = service.create_token(
            session,
            actor=cli_actor(),
            username=username,
            name=name,
            scopes=scopes,
            valid_for=timedelta(days=days) if days else None,
        )
        typer.echo(issued.secret)
        typer.echo(
            f"token id {issued.token.id} (to revoke it); scopes: {' '.join(issued.token.scopes)}",
            err=True,
        )


@tokens_app.command("list")
def tokens_list_cmd(username: str = typer.Argument(None, help="Only this user's tokens.")) -> None:
    """List tokens (id, user, name, prefix, state, scopes); secrets are never shown again.

    Example: mamori tokens list hanako.
    """
    with session_scope() as session:
        for token in service.list_tokens(session, username=username):
            state = "revoked" if token.revoked_at else "active"
            typer.echo(
                f"{token.id}  {shown(token.user.username):<16} {shown(token.name):<12} {token.prefix}…"
                f"  {state:<8}"
                f" {' '.join(token.scopes)}"
            )


@tokens_app.command("revoke")
def revoke_cmd(token_id: str) -> None:
    """Revoke a token by its id."""
    with session_scope() as session:
        service.revoke_token(session, actor=cli_actor(), token_id=token_id)
        typer.echo(f"revoked {shown(token_id)}")
