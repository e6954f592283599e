"""`mamori requests …`: requests from people about their data, from a postal form to the answer."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import typer
from sqlalchemy.orm import Session

from mamori.cli.common import cli_actor, fail, session_scope, shown
from mamori.config import get_settings
from mamori.db.session import make_engine, make_session_factory
from mamori.dsr import service
from mamori.dsr.models import Case
from mamori.dsr.rules import RequesterKind
from mamori.dsr.schemas import RequesterIn
from mamori.dsr.service import delivery, reading, sweeps, views
from mamori.errors import Forbidden, PolicyViolation, ValidationFailed
from mamori.notify.service import outbox_from_settings
from mamori.security.service import staff_principal

app = typer.Typer(
    help="Requests from people about their data (disclosure, correction, ...).", no_args_is_help=True
)
RefArg = typer.Argument(..., help="The case reference (R20261201-1A2B3C) or id.")


def _case(session: Session, ref: str) -> Case:
    try:
        return service.get_case(session, uuid.UUID(ref))
    except ValueError:
        return service.case_by_reference(session, ref.strip().upper())


def _show(session: Session, case: Case) -> None:
    view = views.case_view(session, case)
    typer.echo(json.dumps(view.model_dump(mode="json"), ensure_ascii=False, indent=2))


@app.command("open")
def open_case(  # noqa: PLR0913 - the fields of a postal form
    request_type: str = typer.Option(..., "--type", help="disclosure, correction, utilisation_cease, ..."),
    name: str = typer.Option(..., help="The requester's name as on the form."),
    address: str | None = typer.Option(None, help="Postal address on the ID (for a reply by post)."),
    email: str | None = typer.Option(None, help="E-mail address (for electronic delivery)."),
    requester: RequesterKind = typer.Option(RequesterKind.SELF, help="Who files the request."),
    representation: str | None = typer.Option(None, help="legal representative: minor or adult_ward"),
    subject_id: str | None = typer.Option(None, help="The person on record, if already found (UUID)."),
    channel: str = typer.Option("post", help="post, api or inquiry"),
    language: str = typer.Option("ja", help="ja, en, zh-Hans or zh-Hant: the answer's language"),
    response: str = typer.Option("post", help="post or electronic"),
    ground: str | None = typer.Option(None, help="for utilisation_cease: the ground"),
    erasure: bool = typer.Option(False, "--erasure", help="utilisation_cease: erase the data too"),
    details: str | None = typer.Option(None, help="What the person wrote (stored encrypted)."),
) -> None:
    """Register a request, e.g. a postal form received by the contact centre."""
    with session_scope() as session:
        who = RequesterIn(
            kind=requester, name=name, email=email, address=address, representation=representation
        )
        case = service.open_case(
            session,
            actor=cli_actor(),
            request_type=request_type,
            channel=channel,
            language=language,
            subject_id=uuid.UUID(subject_id) if subject_id else None,
            requester=who,
            response_method=response,
            ground=ground,
            erasure=erasure,
            details=details,
            settings=get_settings(),
        )
        typer.echo(
            f"opened {case.reference} ({case.request_type}); answer by {case.target_on.isoformat()}, "
            f"Art. 39 date {case.art39_on.isoformat()}"
        )


@app.command("list")
def list_cases(state: str | None = typer.Option(None, help="Only cases in this state.")) -> None:
    """List cases, newest first."""
    with session_scope() as session:
        for case in views.list_cases(session, state=state):
            typer.echo(
                f"{case.reference}\t{case.request_type}\t{case.state}\t{case.target_on.isoformat()}"
                f"\t{case.art39_on.isoformat()}"
            )


@app.command("show")
def show(ref: str = RefArg) -> None:
    """Show a case as JSON: requester, deadlines, state, allowed moves, history."""
    with session_scope() as session:
        _show(session, _case(session, ref))


@app.command("reveal")
def reveal(
    ref: str = RefArg,
    purpose: str = typer.Option(..., help="A purpose id of the policy among your role's duties."),
    as_user: str = typer.Option(..., "--as", help="The staff user you read for (their role's duties apply)."),
) -> None:
    """Show the requester's name, e-mail and address for a purpose (the read is audited)."""
    with session_scope() as session:
        reader = staff_principal(session, as_user)
        case = _case(session, ref)
        try:
            view = reading.reveal_requester(
                session,
                case,
                actor=f"{cli_actor()} as {reader.actor}",
                role=reader.role.value,
                purpose=purpose,
                settings=get_settings(),
            )
        except (PolicyViolation, Forbidden):
            session.commit()  # the refusal stays in the audit log
            raise
    typer.echo(json.dumps(view.model_dump(mode="json"), ensure_ascii=False, indent=2))


@app.command("due")
def due(overdue: bool = typer.Option(False, "--overdue", help="Only cases past their target.")) -> None:
    """Open cases by the earlier of target and Art. 39 date: reference, type, state, target, Art. 39.

    OVERDUE marks those past their target.
    """
    with session_scope() as session:
        for item in sweeps.list_open(session, overdue_only=overdue):
            mark = "\tOVERDUE" if item.overdue else ""
            typer.echo(
                f"{item.reference}\t{item.request_type}\t{item.state}\t{item.target_on.isoformat()}"
                f"\t{item.art39_on.isoformat()}{mark}"
            )


@app.command("move")
def move(
    ref: str = RefArg,
    to: str = typer.Argument(..., help="identity_check, in_progress, withdrawn, closed"),
    reason: str = typer.Option(..., help="Why (kept in the history and the audit log)."),
) -> None:
    """Move a case to another state."""
    with session_scope() as session:
        case = _case(session, ref)
        service.transition_case(session, actor=cli_actor(), case_id=case.id, to=to, reason=reason)
        typer.echo(f"{case.reference}: {case.state}")


@app.command("reject")
def reject(
    ref: str = RefArg,
    code: str = typer.Option(..., help="e.g. agent_without_power_of_attorney"),
    explanation: str = typer.Option(..., help="Shown in the letter."),
) -> None:
    """End a case that does not meet the conditions."""
    with session_scope() as session:
        case = _case(session, ref)
        service.reject_case(
            session,
            actor=cli_actor(),
            case_id=case.id,
            reason_code=code,
            explanation=explanation,
            settings=get_settings(),
        )
        typer.echo(f"{case.reference}: rejected ({code})")


@app.command("upload")
def upload(  # noqa: PLR0913
    ref: str = RefArg,
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="PDF, JPEG or PNG"),
    kind: str = typer.Option(
        "id_document", help="id_document, power_of_attorney, relation_proof, death_proof"
    ),
    whose: str = typer.Option("person", help="person or requester"),
    document_type: str | None = typer.Option(None, help="for an ID document: drivers_licence, passport, ..."),
    side: str | None = typer.Option(None, help="front (a My Number card: front only)"),
) -> None:
    """Attach a scanned document; it is stored encrypted."""
    with session_scope() as session:
        case = _case(session, ref)
        document = service.upload_document(
            session,
            actor=cli_actor(),
            case_id=case.id,
            kind=kind,
            whose=whose,
            data=file.read_bytes(),
            document_type=document_type,
            side=side,
            settings=get_settings(),
        )
        typer.echo(f"stored {document.id} ({document.content_type}, {document.size} bytes, encrypted)")


@app.command("check")
def check(  # noqa: PLR0913
    ref: str = RefArg,
    document_type: str = typer.Option(..., help="The ID document looked at."),
    outcome: str = typer.Option(..., help="verified or failed"),
    matched: str = typer.Option(
        "", help="Comma-separated: name,address,date_of_birth,email,phone,member_number,photo"
    ),
    whose: str = typer.Option("person", help="person or requester"),
    reasons: str = typer.Option("", help="Why (required when failed)."),
) -> None:
    """Record an identity check."""
    with session_scope() as session:
        case = _case(session, ref)
        items = [item.strip() for item in matched.split(",") if item.strip()]
        service.record_identity_check(
            session,
            actor=cli_actor(),
            case_id=case.id,
            whose=whose,
            outcome=outcome,
            document_type=document_type,
            matched=items,
            reasons=reasons,
            settings=get_settings(),
        )
        missing = service.proof_missing(session, case)
        typer.echo(f"{case.reference}: check recorded; still missing: {', '.join(missing) or 'nothing'}")


@app.command("link")
def link(ref: str = RefArg, subject_id: str = typer.Argument(..., help="The subject id (UUID).")) -> None:
    """Say whom the case is about."""
    with session_scope() as session:
        case = _case(session, ref)
        service.link_subject(session, actor=cli_actor(), case_id=case.id, subject_id=uuid.UUID(subject_id))
        typer.echo(f"{case.reference}: linked")


def _changes(pairs: list[str]) -> dict[str, str] | None:
    changes: dict[str, str] = {}
    for pair in pairs:
        field, sep, value = pair.partition("=")
        if not sep:
            fail(ValidationFailed("--change: write field=new value"))
        changes[field.strip()] = value.strip()
    return changes or None


@app.command("decide")
def decide(
    ref: str = RefArg,
    outcome: str = typer.Option(..., help="full, partial or refused"),
    reason: list[str] = typer.Option([], help="A legal reason code (repeat for several)."),
    explanation: str = typer.Option("", help="Required for partial and refused."),
    change: list[str] = typer.Option([], help="For a correction: field=new value (repeat)."),
) -> None:
    """Record the decision; accepted cease requests suspend use at once."""
    with session_scope() as session:
        case = _case(session, ref)
        service.decide(
            session,
            actor=cli_actor(),
            case_id=case.id,
            outcome=outcome,
            reasons=reason,
            explanation=explanation,
            changes=_changes(change),
            settings=get_settings(),
        )
        typer.echo(f"{case.reference}: decided ({outcome})")


@app.command("held-nowhere-else")
def held_nowhere_else(
    ref: str = RefArg,
    reason: str = typer.Option(..., help="Why the data is held nowhere but in Mamori (10-1000 characters)."),
) -> None:
    """The privacy officer records that the person's data is held nowhere else (audited, in the letter).

    A disclosure, copy, portability or next-of-kin letter is refused until every system of the data
    map was searched or this statement is recorded.
    Example: mamori requests held-nowhere-else R20261208-1A2B3C --reason "no system holds customer data".
    """
    with session_scope() as session:
        case = _case(session, ref)
        service.record_held_nowhere_else(session, actor=cli_actor(), case_id=case.id, reason=reason)
        typer.echo(f"{case.reference}: recorded that the data is held nowhere else")


@app.command("pay")
def pay(
    ref: str = RefArg,
    amount: int = typer.Option(..., help="Yen."),
    method: str = typer.Option(..., help="e.g. postal_order, bank_transfer"),
) -> None:
    """Record the fee paid."""
    with session_scope() as session:
        case = _case(session, ref)
        service.record_payment(session, actor=cli_actor(), case_id=case.id, amount_yen=amount, method=method)
        typer.echo(f"{case.reference}: {amount} yen paid")


@app.command("letter")
def letter(ref: str = RefArg, out: Path | None = typer.Option(None, help="Also write the PDF here.")) -> None:
    """Render the response letter (PDF, requester's language) and store it encrypted."""
    with session_scope() as session:
        case = _case(session, ref)
        row = service.generate_letter(session, actor=cli_actor(), case_id=case.id, settings=get_settings())
        if out is not None:
            out.write_bytes(service.letter_bytes(row, get_settings()))
        typer.echo(f"{case.reference}: letter {row.id} ({row.language}, {row.size} bytes)")


@app.command("send")
def send(
    ref: str = RefArg,
    method: str = typer.Option(..., help="post or electronic"),
) -> None:
    """Send the answer: queue it for the next print batch, or mail a download link and its code.

    The download link starts with MAMORI_PUBLIC_BASE_URL (the address people reach Mamori at).
    """
    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        with session_scope() as session:
            case = _case(session, ref)
            if method == "post":
                row = delivery.send_by_post(session, actor=cli_actor(), case_id=case.id, settings=settings)
            else:
                outbox = outbox_from_settings(settings, make_session_factory(engine))
                row = delivery.send_electronically(
                    session,
                    actor=cli_actor(),
                    case_id=case.id,
                    outbox=outbox,
                    settings=settings,
                )
            typer.echo(f"{case.reference}: delivery {row.id} ({row.method}, {row.status})")
    finally:
        engine.dispose()


@app.command("print-batch")
def print_batch(
    out: Path = typer.Option(..., file_okay=False, help="Directory for the letters to print."),
) -> None:
    """Collect the letters waiting for registered mail: one PDF each and a mailing list."""
    out.mkdir(parents=True, exist_ok=True)
    with session_scope() as session:
        batch, items = delivery.create_print_batch(session, actor=cli_actor(), settings=get_settings())
        lines = ["delivery\treference\taddressee\taddress"]
        for index, item in enumerate(items, start=1):
            (out / f"{index:03d}-{item.reference}.pdf").write_bytes(item.pdf)
            lines.append(f"{item.delivery.id}\t{item.reference}\t{item.addressee}\t{item.address}")
            typer.echo(f"[{index}/{len(items)}] {item.reference}")
        (out / "mailing-list.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        typer.echo(
            f"batch {batch.id}: {len(items)} letters in {out}; record each with 'mamori requests mailed'"
        )


@app.command("mailed")
def mailed(
    delivery_id: str = typer.Argument(..., help="Delivery id from the mailing list."),
    tracking: str = typer.Option(..., help="The registered-mail number."),
) -> None:
    """Record that a printed letter went out by registered mail."""
    with session_scope() as session:
        row = delivery.record_mailing(
            session, actor=cli_actor(), delivery_id=uuid.UUID(delivery_id), tracking_number=tracking
        )
        typer.echo(f"delivery {row.id}: mailed ({shown(row.tracking_number)})")


@app.command("remind")
def remind() -> None:
    """Mail the office the cases whose reminder day has come (also a periodic job)."""
    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        with session_scope() as session:
            outbox = outbox_from_settings(settings, make_session_factory(engine))
            refs = sweeps.send_reminders(session, outbox=outbox)
            typer.echo(f"reminded of {len(refs)} case(s): {', '.join(refs) or '-'}")
    finally:
        engine.dispose()


@app.command("purge-documents")
def purge_documents() -> None:
    """Delete documents of cases closed longer ago than the bundle keeps them (also a periodic job)."""
    with session_scope() as session:
        count = sweeps.purge_documents(session, actor=cli_actor(), settings=get_settings())
        typer.echo(f"deleted {count} document(s)")


@app.command("tasks")
def tasks(
    hand_over: bool = typer.Option(False, "--hand-over", help="Pass them to fulfillment now."),
    lang: str = typer.Option("ja", "--lang", help="ja, en, zh-Hans or zh-Hant: the language of the reasons."),
) -> None:
    """Search, correction and erasure work not handed to fulfillment yet, with the reason it waits.

    The worker tries again every 10 minutes (dsr.hand_over_tasks). Example: mamori requests tasks --lang en.
    """
    with session_scope() as session:
        if hand_over:
            handed = service.hand_over_pending(session, actor=cli_actor(), settings=get_settings())
            typer.echo(f"handed over {handed}")
        for task in service.pending_tasks(session):
            reference = service.get_case(session, task.case_id).reference
            waiting = views.waiting_read(task.waiting)
            why = waiting.messages.get(lang, waiting.messages["ja"]) if waiting else "-"
            typer.echo(f"{task.id}\t{task.action}\t{reference}\t{shown(why)}")


def _register_letters() -> None:
    """The postal acknowledgement and its status code (kept in their own module for size)."""
    from mamori.cli import requests_letters

    app.command("status-code")(requests_letters.status_code)
    app.command("acknowledgement")(requests_letters.acknowledgement)


_register_letters()
