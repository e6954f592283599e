"""`mamori audience`: the subjects who may be contacted for a purpose."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from contextlib import nullcontext
from pathlib import Path
from typing import TextIO

import typer

from mamori.cli.common import cli_actor, session_scope
from mamori.consents.decisions import audiences

app = typer.Typer(help="Pick the subjects who may be contacted for a purpose (JSON lines or CSV).")


@app.callback(invoke_without_command=True)
def audience(  # noqa: PLR0913 - one option per filter
    purpose: str = typer.Option(..., "--purpose", help="Purpose id of the current policy."),
    category: str = typer.Option("customers", "--category", help="Subject category id."),
    channel: str = typer.Option("any", "--channel", help="email, post, phone or any."),
    jurisdiction: str = typer.Option(None, "--jurisdiction", help="Only JP or only CN subjects."),
    language: str = typer.Option(None, "--language", help="Only subjects with this language."),
    min_age: int = typer.Option(
        None, "--min-age", help="Only subjects at least this old (birth date known)."
    ),
    fmt: str = typer.Option("jsonl", "--format", help="jsonl or csv."),
    out: Path = typer.Option(None, "--out", help="Write to this file instead of standard output."),
) -> None:
    """Stream the audience; the read is written to the audit log.

    Example: mamori audience --purpose customer.mailings --category customers --format csv --out list.csv.
    """
    filters = audiences.AudienceFilters(jurisdiction=jurisdiction, language=language, min_age=min_age)
    request = audiences.AudienceRequest(purpose, channel, category, filters)
    with session_scope() as session:
        policy, _, _ = audiences.prepare(session, request)
        audiences.record_audience(session, actor=cli_actor(), request=request, policy=policy)
        with out.open("w", encoding="utf-8", newline="") if out else nullcontext(sys.stdout) as stream:
            chunks = audiences.stream_audience_text(session, request, csv_format=fmt == "csv")
            count = _write(stream, chunks, csv_format=fmt == "csv")
    if out:
        typer.echo(f"{count} subjects written to {out}", err=True)


def _write(stream: TextIO, chunks: Iterable[str], *, csv_format: bool) -> int:
    """Write the text; the number of subjects (lines, less the CSV header)."""
    lines = 0
    for chunk in chunks:
        stream.write(chunk)
        lines += chunk.count("\n")
    return lines - 1 if csv_format and lines else lines
