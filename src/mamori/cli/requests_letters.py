"""`mamori requests status-code | acknowledgement`: what a postal requester needs to see the status online."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import typer
from sqlalchemy.orm import Session

from mamori.cli.common import cli_actor, session_scope
from mamori.config import get_settings
from mamori.dsr import service
from mamori.dsr.models import Case

RefArg = typer.Argument(..., help="The case reference (R20261201-1A2B3C) or id.")


def _case(session: Session, ref: str) -> Case:
    try:
        return service.get_case(session, uuid.UUID(ref))
    except ValueError:
        return service.case_by_reference(session, ref)


def status_code(ref: str = RefArg) -> None:
    """Issue a one-time code for the acknowledgement letter of a postal request (shown once, kept hashed).

    With the reference and this code the requester sees the status at /requests/status (45 days).
    """
    from mamori.centre.status import issue_letter_code

    with session_scope() as session:
        case = _case(session, ref)
        code = issue_letter_code(session, actor=cli_actor(), case_id=case.id, settings=get_settings())
        typer.echo(json.dumps({"reference": case.reference, "status_code": code}, ensure_ascii=False))


def acknowledgement(
    ref: str = RefArg,
    out: Path = typer.Option(..., "--out", help="Where to write the PDF letter (in the request's language)."),
) -> None:
    """Write the postal acknowledgement letter (reference, dates, a fresh one-time status code) as a PDF."""
    from mamori.centre.acknowledgements import acknowledgement_letter

    with session_scope() as session:
        case = _case(session, ref)
        reference, pdf = acknowledgement_letter(session, case.id, actor=cli_actor(), settings=get_settings())
    out.write_bytes(pdf)
    typer.echo(json.dumps({"reference": reference, "letter": str(out)}, ensure_ascii=False))
