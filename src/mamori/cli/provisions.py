"""`mamori provisions …` and `mamori processors …`."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Third-party provision records and receipts from other businesses.", no_args_is_help=True
)
processors_app = typer.Typer(help="Processors, assessments and entrustments.", no_args_is_help=True)
