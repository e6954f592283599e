"""`mamori datamap …` and `mamori fulfillment …`: the data map and runs across systems."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="The data map: systems, tables, fields and how to erase or suspend them.", no_args_is_help=True
)
fulfillment_app = typer.Typer(
    help="Find, correct, suspend and erase a person's data across systems.", no_args_is_help=True
)
