"""`mamori decide` commands (being built; see issue 3)."""

from __future__ import annotations

import typer

app = typer.Typer(help="decide", no_args_is_help=True)
