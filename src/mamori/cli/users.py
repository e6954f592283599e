from __future__ import annotations

import os
import sys
from datetime import timedelta

import typer

from mamori.cli.common import cli_actor, fail, session_scope, shown
from mamori.errors import ValidationFailed
from mamori.security import service
from mamori.security.rules import Role, Scope
from mamori.security.second_factor import reset_user_second_factor

users_app = typer.Typer(help="Staff users and their roles.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens for staff and business systems.", no_args_is_help=True)


NO_TERMINAL_HINT = (
    "no password given and no terminal to ask on: use --password, --password-stdin"
    " or the MAMORI_NEW_PASSWORD environment variable"
)


def _new_password(password: str | None, *, from_stdin: bool) -> str:
    """The new user's password: given, piped, from the environment, or typed at a terminal."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if password:
        return password
    if not sys.stdin.isatty():
        fail(ValidationFailed(NO_TERMINAL_HINT))
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@users_app.command("add")
def add_cmd(
    username: str,
    role: Role = typer.Option(..., help="admin, privacy_officer, agent, engineer or auditor."),
    name: str = typer.Option(None, help="Display name; default: the username."),
    password: str = typer.Option(
        None,
        envvar="MAMORI_NEW_PASSWORD",
        show_envvar=True,
        help="The password; asked for at a terminal if absent.",
    ),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input."
    ),
) -> None:
    """Create a staff user.

    Example: mamori users add hanako --role agent (asks for the password), or
    printf '%s\\n' "$PW" | mamori users add hanako --role agent --password-stdin.
    """
    secret = _new_password(password, from_stdin=password_stdin)
    with session_scope() as session:
        user = service.add_user(
            session,
            actor=cli_actor(),
            username=username,
            display_name=name or username,
            role=role,
            password=secret,
        )
        typer.echo(f"added {shown(user.username)} ({user.role})")


@users_app.command("role")
def role_cmd(
    username: str,
    role: Role = typer.Argument(..., help="admin, privacy_officer, agent, engineer or auditor."),
) -> None:
    """Give USERNAME another role: their console sessions end and their tokens narrow at once.

    Example: mamori users role hanako auditor.
    """
    with session_scope() as session:
        user = service.get_user_by_username(session, username)
        old = user.role if user is not None else ""
        service.change_role(session, actor=cli_actor(), username=username, role=role)
    typer.echo(f"{username}: {old} → {role.value}")


@users_app.command("disable")
def disable_cmd(username: str) -> None:
    """Disable USERNAME: sign-in refused, console sessions ended, API tokens stop at once.

    Example: mamori users disable hanako.
    """
    with session_scope() as session:
        service.set_active(session, actor=cli_actor(), username=username, active=False)
    typer.echo(f"disabled {username}")


@users_app.command("enable")
def enable_cmd(username: str) -> None:
    """Enable USERNAME again (their earlier sessions stay ended; they sign in anew).

    Example: mamori users enable hanako.
    """
    with session_scope() as session:
        service.set_active(session, actor=cli_actor(), username=username, active=True)
    typer.echo(f"enabled {username}")


@users_app.command("reset-second-factor")
def reset_second_factor_cmd(username: str) -> None:
    """Forget USERNAME's authenticator and recovery codes (a lost phone); they enrol at the next sign-in.

    Their console sessions end too. Example: mamori users reset-second-factor hanako.
    """
    with session_scope() as session:
        reset_user_second_factor(session, actor=cli_actor(), username=username)
    typer.echo(f"second factor of {username} reset: they set it up again at the next sign-in")


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
    # Printed only once it is committed: a token shown to someone must exist.
    token_id = issued.token.id
    try:
        typer.echo(issued.secret)
    except OSError:  # stdout closed (a broken pipe): the token exists but nobody saw it
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second failure at exit
        typer.echo(f"error: token {token_id} was created but could not be printed;"
                   f" revoke it with 'mamori tokens revoke {token_id}'", err=True)  # fmt: skip
        raise typer.Exit(1) from None
    typer.echo(f"token id {token_id} (to revoke it); scopes: {' '.join(issued.token.scopes)}", err=True)


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
