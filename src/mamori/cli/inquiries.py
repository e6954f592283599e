"""`mamori inquiries …`: contact-centre inquiries."""

from __future__ import annotations

import typer

app = typer.Typer(help="contact-centre inquiries.", no_args_is_help=True)
