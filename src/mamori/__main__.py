"""``python -m mamori`` runs the command line."""

from mamori.cli.main import run

run()
