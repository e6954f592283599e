"""`mamori worker …`: run and inspect the durable background queue."""

from __future__ import annotations

import typer

app = typer.Typer(help="run and inspect the durable background queue.", no_args_is_help=True)
