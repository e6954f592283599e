"""`mamori subjects`: add, find, show, reveal, relate, merge, erase and import persons; the reach check."""

from __future__ import annotations

import dataclasses
import json
import sys
import uuid
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import typer
from pydantic import BaseModel

from mamori.cli.common import cli_actor, fail, session_scope, shown
from mamori.config import get_settings
from mamori.errors import Forbidden, PolicyViolation, ValidationFailed
from mamori.security.service import staff_principal
from mamori.subjects import lifecycle, reach, service
from mamori.subjects.importer import apply_import, count_rows, plan_import
from mamori.subjects.schemas import SubjectRead, SubjectSummary

app = typer.Typer(
    help="Persons whose data is held: identifiers encrypted, found by blind index.", no_args_is_help=True
)
IdArg = typer.Argument(..., help="A subject id (UUID).")
JsonOpt = typer.Option(False, "--json", help="Print JSON instead of text.")


def _uuid(text: str, field: str = "subject_id") -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        fail(ValidationFailed(f"{field}: not a UUID"))
        raise


def _date(text: str | None, field: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(ValidationFailed(f"{field}: not a date (YYYY-MM-DD)"))
        raise


def _print(model: BaseModel, *, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(model.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return
    for key, value in model.model_dump(mode="json").items():
        typer.echo(
            f"{key}: {json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value}"
        )


def _identifiers(email: str | None, phone: str | None, pairs: list[str]) -> list[tuple[str, str]]:
    found = [("email", email)] if email else []
    found += [("phone", phone)] if phone else []
    for pair in pairs:
        kind, sep, value = pair.partition("=")
        if not sep:
            fail(ValidationFailed("identifier: write KIND=VALUE, e.g. member_number=M0001"))
        found.append((kind.strip(), value))
    return [(kind, value) for kind, value in found if value is not None]


@app.command("add")
def add_cmd(  # noqa: PLR0913 - one option per fact of a person
    category: list[str] = typer.Option(..., "--category", "-c", help="A subject category id (repeatable)."),
    email: str = typer.Option(None, help="E-mail address."),
    phone: str = typer.Option(None, help="Phone number (Japanese numbers without +81 are fine)."),
    identifier: list[str] = typer.Option([], "--identifier", "-i", help="Another identifier KIND=VALUE."),
    name: str = typer.Option(None, help="Full name (stored encrypted)."),
    dob: str = typer.Option(None, "--dob", help="Date of birth YYYY-MM-DD."),
    jurisdiction: str = typer.Option("JP", help="JP or CN."),
    language: str = typer.Option("ja", help="ja, en, zh-Hans or zh-Hant."),
) -> None:
    """Add a person and print the new subject id.

    Example: mamori subjects add -c customers --email hanako@example.jp --name "山田 花子".
    """
    settings = get_settings()
    with session_scope(settings) as session:
        subject = service.create_subject(
            session,
            settings,
            cli_actor(),
            categories=category,
            identifiers=_identifiers(email, phone, identifier),
            jurisdiction=jurisdiction,
            language=language,
            name=name,
            date_of_birth=_date(dob, "date_of_birth"),
        )
        typer.echo(str(subject.id))


@app.command("find")
def find_cmd(  # noqa: PLR0913 - one option per way to name a person
    email: str = typer.Option(None, help="Find by e-mail address."),
    phone: str = typer.Option(None, help="Find by phone number."),
    kind: str = typer.Option(None, help="Identifier kind, with --value."),
    value: str = typer.Option(None, help="Identifier value, with --kind."),
    as_json: bool = JsonOpt,
    id_only: bool = typer.Option(False, "--id-only", help="Print only the subject id (for scripts)."),
) -> None:
    """Find the subject holding an identifier (merges followed); prints no personal data.

    Prints the subject id (the SUBJECT_ID other commands take), status, jurisdiction and categories.
    Example: mamori subjects find --email hanako@example.jp --id-only >> ids.txt.
    """
    pairs = _identifiers(email, phone, [f"{kind}={value}"] if kind and value is not None else [])
    if len(pairs) != 1:
        fail(ValidationFailed("give exactly one of --email, --phone, or --kind with --value"))
    settings = get_settings()
    with session_scope(settings) as session:
        subject = service.find_subject(session, settings, kind=pairs[0][0], value=pairs[0][1])
        summary = SubjectSummary.of(subject)
    if id_only:
        typer.echo(str(summary.id))
    elif as_json:
        _print(summary, as_json=True)
    else:
        typer.echo(f"{summary.id}  {summary.status}  {summary.jurisdiction}  {','.join(summary.categories)}")


@app.command("show")
def show_cmd(subject_id: str = IdArg, as_json: bool = JsonOpt) -> None:
    """Show a subject without personal data: status, categories, identifier kinds, relationships.

    Example: mamori subjects show 3f2b0c1e-8d8a-4c55-9a57-0a4f3c1d2e10.
    """
    with session_scope() as session:
        view: SubjectRead = service.subject_view(session, service.resolve(session, _uuid(subject_id)))
    _print(view, as_json=as_json)


@app.command("reveal")
def reveal_cmd(
    subject_id: str = IdArg,
    purpose: str = typer.Option(..., help="A purpose id declared for the subject's categories."),
    as_user: str = typer.Option(
        ..., "--as", help="The staff user you read for: the purpose must be among their role's duties."
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Show a subject's name and identifiers for a declared purpose (the read is audited).

    Example: mamori subjects reveal 3f2b0c1e-8d8a-4c55-9a57-0a4f3c1d2e10 --purpose customer.sales --as hanako.
    """
    settings = get_settings()
    with session_scope(settings) as session:
        reader = staff_principal(session, as_user)
        try:
            view = service.reveal_subject(
                session,
                settings,
                f"{cli_actor()} as {reader.actor}",
                _uuid(subject_id),
                purpose,
                role=reader.role.value,
            )
        except (PolicyViolation, Forbidden):
            session.commit()  # the refusal stays in the audit log
            raise
    _print(view, as_json=as_json)


@app.command("relate")
def relate_cmd(  # noqa: PLR0913
    subject_id: str = IdArg,
    related_id: str = typer.Argument(..., help="The subject who acts for the first one."),
    kind: str = typer.Option(
        ..., help="legal_representative_minor, legal_representative_ward, agent or next_of_kin."
    ),
    evidence: str = typer.Option(..., help="Reference to the proof held (document number, file)."),
    valid_from: str = typer.Option(None, "--from", help="First valid day YYYY-MM-DD; default today."),
    valid_until: str = typer.Option(None, "--until", help="Last valid day YYYY-MM-DD."),
) -> None:
    """Record who acts for a subject: legal representative, agent or next of kin.

    Example: mamori subjects relate CHILD PARENT --kind legal_representative_minor --evidence koseki/118.
    """
    start = _date(valid_from, "valid_from") or date.today()  # noqa: DTZ011 - a calendar day is meant
    with session_scope() as session:
        row = lifecycle.relate(
            session,
            cli_actor(),
            _uuid(subject_id),
            related_subject_id=_uuid(related_id, "related_subject_id"),
            kind=kind,
            evidence_ref=evidence,
            valid_from=start,
            valid_until=_date(valid_until, "valid_until"),
        )
        typer.echo(str(row.id))


@app.command("merge")
def merge_cmd(
    source_id: str = typer.Argument(
        ..., help="The subject that is merged (its id then leads to the target)."
    ),
    target_id: str = typer.Argument(..., help="The subject that remains."),
    preview: bool = typer.Option(False, "--preview", help="Print what would move (JSON); merge nothing."),
) -> None:
    """Merge two records of one person; both histories stay.

    Example: mamori subjects merge OLD_ID NEW_ID (first with --preview to see what moves).
    """
    if preview:
        with session_scope() as session:
            found = lifecycle.merge_preview(session, _uuid(source_id), _uuid(target_id, "target_id"))
            typer.echo(json.dumps(dataclasses.asdict(found), default=str, ensure_ascii=False, indent=2))
        return
    with session_scope() as session:
        target = lifecycle.merge_subjects(
            session, cli_actor(), _uuid(source_id), _uuid(target_id, "target_id")
        )
        typer.echo(f"merged {source_id} into {target.id}")


@app.command("erase")
def erase_cmd(
    subject_id: str = IdArg, yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation.")
) -> None:
    """Erase a subject's name, birth date and identifiers (ids and history stay).

    Example: mamori subjects erase 3f2b0c1e-8d8a-4c55-9a57-0a4f3c1d2e10 --yes.
    """
    parsed = _uuid(subject_id)
    if not yes:
        typer.confirm(f"Erase subject {parsed}? This cannot be undone", abort=True)
    with session_scope() as session:
        subject = lifecycle.erase_subject(session, cli_actor(), parsed)
        typer.echo(f"erased {subject.id}")


@app.command("reach")
def reach_cmd(
    rebuild: bool = typer.Option(False, "--rebuild", help="Recompute the projection (audited)."),
) -> None:
    """Check the audiences' projection of subjects against its definition (exit 1 if it differs).

    Database triggers keep it on every write; it can only differ after a load that bypassed
    them (triggers disabled). --rebuild recomputes it in one transaction.

    Example: mamori subjects reach, then mamori subjects reach --rebuild if it differs.
    """
    what = "rebuilding" if rebuild else "checking"
    typer.echo(f"{what} subject_reach (about half a minute per million subjects) …", err=True)
    with session_scope() as session:
        if rebuild:
            rows = reach.rebuild(session, cli_actor())
            typer.echo(f"rebuilt subject_reach: {rows} rows")
            return
        check = reach.differences(session)
    if check.ok:
        typer.echo("subject_reach matches its definition")
        return
    typer.echo(
        f"subject_reach differs: {check.missing} row(s) missing or changed, {check.extra} row(s) extra;"
        " run mamori subjects reach --rebuild",
        err=True,
    )
    raise typer.Exit(1)


@app.command("import")
def import_cmd(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="A .csv or .jsonl file."),
    encoding: str = typer.Option("utf-8", help="The file's encoding: utf-8, or cp932 for Shift_JIS (Excel)."),
) -> None:
    """Import subjects from CSV or JSONL; if any row is rejected nothing is imported (exit 2).

    Columns: jurisdiction, language, name, date_of_birth, categories (separated by ;).

    Identifier columns: email, phone, member_number, employee_number, shareholder_number.

    Rejected rows print as "row N: field: reason"; the CSV header is row 1.

    Example: mamori subjects import customers.csv.
    """
    settings = get_settings()
    total = count_rows(file)
    with session_scope(settings) as session:
        try:
            with typer.progressbar(length=total, label="checking ", file=sys.stderr) as bar:
                plan = plan_import(session, settings, file, progress=bar.update, encoding=encoding)
        except ValidationFailed as exc:  # not a .csv/.jsonl file, or a bad header
            _reject(exc.message, exc.details.get("errors", []))
        if plan.rejections:
            rows = len({r.row for r in plan.rejections})
            _reject(f"{rows} row(s) rejected; nothing was imported", [r.as_dict() for r in plan.rejections])
        with typer.progressbar(length=len(plan.subjects), label="importing", file=sys.stderr) as bar:
            result = apply_import(session, settings, cli_actor(), plan, progress=bar.update)
    counts = f"{result.subjects} subjects, {result.identifiers} identifiers, {result.categories} categories"
    typer.echo(f"imported {counts}")


def _reject(message: str, errors: list[dict[str, Any]]) -> NoReturn:
    for error in errors:
        where = f"row {error['row']}: " if "row" in error else ""
        typer.echo(shown(f"{where}{error.get('field', '-')}: {error.get('message', '')}"), err=True)
    typer.secho(f"error: {shown(message)}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)
