"""`mamori incidents …`: the incident register, clocks, reports and notices."""

from __future__ import annotations

import typer

app = typer.Typer(help="the incident register, clocks, reports and notices.", no_args_is_help=True)
