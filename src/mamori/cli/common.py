"""What every command shares: settings, a unit of work, the actor, and error → exit code."""

from __future__ import annotations

import getpass
import re
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from mamori.config import Settings, get_settings
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.errors import Conflict, MamoriError, NotFound, Unauthenticated, ValidationFailed
from mamori.security.mynumber import NOTE as MY_NUMBER_NOTE
from mamori.security.mynumber import masked_count

EXIT_CODES: dict[type[MamoriError], int] = {ValidationFailed: 2, NotFound: 3, Conflict: 4, Unauthenticated: 5}


# C0 and C1 controls, DEL, line and paragraph separators, and bidirectional overrides: none of
# them may reach a terminal from stored text (a newline forges a line, ESC drives the terminal).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")  # noqa: PLR2004


def shown(value: object) -> str:
    """Stored or user-supplied text made safe to print: control characters escaped (``\\n``, ``\\x1b``).

    Every command prints stored values through this, so a value can neither forge a line of
    output nor send escape sequences to the terminal.
    """
    text = "" if value is None else str(value)
    return _CONTROL.sub(_escaped, text)


def cli_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


@contextmanager
def session_scope(settings: Settings | None = None) -> Iterator[Session]:
    """One unit of work for one command; domain errors become a message and an exit code."""
    settings = settings or get_settings()
    engine = make_engine(settings.database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            yield session
        if masked_count(session.info):  # the operator learns why the stored text differs from the typed
            for lang in ("ja", "en"):
                typer.secho(f"note: {MY_NUMBER_NOTE[lang]}", fg="yellow", err=True)
    except MamoriError as exc:
        fail(exc)
    except (OperationalError, ProgrammingError) as exc:
        if not _schema_missing(exc):
            raise
        typer.secho(
            "error: the database has no Mamori tables yet; run 'mamori db upgrade'", fg="red", err=True
        )
        raise typer.Exit(6) from None
    finally:
        engine.dispose()


def _schema_missing(exc: Exception) -> bool:
    text = str(exc).lower()
    return "no such table" in text or ("relation" in text and "does not exist" in text)


def fail(exc: MamoriError) -> None:
    typer.secho(f"error: {shown(exc.message)}", fg=typer.colors.RED, err=True)
    for line in exc.details.get("errors", []):
        text = f"{line.get('field', '')}: {line.get('message', '')}" if isinstance(line, dict) else str(line)
        typer.echo(f"  {shown(text)}", err=True)
    code = next((c for kind, c in EXIT_CODES.items() if isinstance(exc, kind)), 1)
    raise typer.Exit(code)
