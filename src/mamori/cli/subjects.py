"""`mamori subjects` commands (being built; see issue 3)."""

from __future__ import annotations

import typer

app = typer.Typer(help="subjects", no_args_is_help=True)
