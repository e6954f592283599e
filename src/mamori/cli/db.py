from __future__ import annotations

import typer

from mamori.config import get_settings
from mamori.db.migrate import current_revision, upgrade

app = typer.Typer(help="Database schema: create and migrate.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_cmd(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply migrations up to REVISION (default: the newest).

    Example: mamori db upgrade.
    """
    url = get_settings().database_url
    upgrade(url, revision)
    typer.echo(f"database at revision {current_revision(url)}")


@app.command("current")
def current_cmd() -> None:
    """Print the schema revision the database is at."""
    typer.echo(current_revision(get_settings().database_url) or "(empty database)")
