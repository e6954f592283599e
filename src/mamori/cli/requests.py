"""`mamori requests …`: requests from people about their data."""

from __future__ import annotations

import typer

app = typer.Typer(help="requests from people about their data.", no_args_is_help=True)
