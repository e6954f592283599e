"""`mamori consents`: the consent ledger and usage suspensions from the command line."""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import typer

from mamori.cli.common import cli_actor, fail, session_scope, shown
from mamori.errors import ValidationFailed

app = typer.Typer(
    help="Consent ledger and usage suspensions: record, list, export, receipts.", no_args_is_help=True
)

SubjectArg = typer.Argument(..., help="Subject id (UUID).")
ScopeArg = typer.Argument(
    ..., help="purpose:<id>, recipient:<id>, cross_border:<XX>, cookie:<c>, sensitive, ..."
)
Channel = typer.Option("api", help="web, paper, phone, shop or api.")
Language = typer.Option("ja", help="Language the notice was shown in: ja, en, zh-Hans, zh-Hant.")
OccurredAt = typer.Option(None, "--occurred-at", help="When it happened, ISO 8601 with zone; default now.")


@contextmanager
def readable_errors() -> Iterator[None]:
    """Turn field errors into 'field: message' lines (the shared handler prints each line)."""
    try:
        yield
    except ValidationFailed as exc:
        lines = [
            f"{e['field']}: {e['message']}" if isinstance(e, dict) else str(e)
            for e in exc.details.get("errors", [])
        ]
        raise ValidationFailed(exc.message, details={**exc.details, "errors": lines}) from exc


def parse_uuid(text: str, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        fail(ValidationFailed(f"{name} is not a UUID", details={"errors": [f"{name}: not a UUID"]}))
        raise


def parse_time(text: str | None, name: str) -> datetime | None:
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        fail(ValidationFailed(f"{name} is not a time", details={"errors": [f"{name}: ISO 8601 with a zone"]}))
        raise ValueError(name)
    return value


def _record(subject: str, scope: str, action: str, **fields: Any) -> None:
    from mamori.consents import service

    subject_id = parse_uuid(subject, "subject_id")
    with session_scope() as session, readable_errors():
        event = service.record_consent(
            session, actor=cli_actor(), subject_id=subject_id, scope=scope, action=action, **fields
        )
        typer.echo(f"recorded {event.action} {event.scope} for {event.subject_id} (event {event.id})")


@app.command("give")
def give_cmd(  # noqa: PLR0913 - the fields of an event
    subject: str = SubjectArg,
    scope: str = ScopeArg,
    channel: str = Channel,
    language: str = Language,
    occurred_at: str = OccurredAt,
    separate: bool = typer.Option(False, "--separate", help="A separate consent (PIPL)."),
    on_behalf_by: str = typer.Option(None, help="Subject id of who consented on the person's behalf."),
    evidence_ref: str = typer.Option(None, help="Where the evidence is kept (form number, recording id)."),
    expires_at: str = typer.Option(None, help="When the consent lapses, ISO 8601 with zone."),
    notice_hash: str = typer.Option(
        None,
        help="SHA-256 of the notice shown; default: of the purpose text. Required for cross_border:<XX>: "
        "see 'mamori provisions country <XX>'.",
    ),
) -> None:
    """Record that a person gave consent.

    Example: mamori consents give 3f2b...e1 purpose:customer.mailings --channel shop.
    """
    _record(
        subject, scope, "given", channel=channel, language=language,
        occurred_at=parse_time(occurred_at, "occurred_at"), separate=separate,
        on_behalf_by_id=parse_uuid(on_behalf_by, "on_behalf_by_id") if on_behalf_by else None,
        evidence_ref=evidence_ref, expires_at=parse_time(expires_at, "expires_at"), notice_hash=notice_hash,
    )  # fmt: skip


@app.command("withdraw")
def withdraw_cmd(  # noqa: PLR0913 - the fields of an event
    subject: str = SubjectArg,
    scope: str = ScopeArg,
    channel: str = Channel,
    language: str = Language,
    occurred_at: str = OccurredAt,
    evidence_ref: str = typer.Option(None, help="Where the evidence is kept."),
) -> None:
    """Record that a person withdrew consent (also when it was never given).

    Example: mamori consents withdraw 3f2b...e1 purpose:customer.mailings --channel phone.
    """
    _record(
        subject, scope, "withdrawn", channel=channel, language=language,
        occurred_at=parse_time(occurred_at, "occurred_at"), evidence_ref=evidence_ref,
    )  # fmt: skip


@app.command("list")
def list_cmd(
    subject: str = SubjectArg,
    at: str = typer.Option(None, help="States at this moment (ISO 8601); default now."),
    as_json: bool = typer.Option(False, "--json", help="Print states and events as JSON."),
) -> None:
    """A person's consent states and every event (subjects merged into them included).

    Example: mamori consents list 3f2b...e1.
    """
    from mamori.consents import service

    subject_id = parse_uuid(subject, "subject_id")
    with session_scope() as session:
        states = service.current_states(session, subject_id, at=parse_time(at, "at"))
        events = service.list_events(session, subject_id)
        if as_json:
            out = {
                "states": {
                    scope: {"action": s.action, "occurred_at": s.occurred_at.isoformat()}
                    for scope, s in sorted(states.items())
                },
                "events": [_event_row(e) for e in events],
            }
            typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
            return
        for scope, state in sorted(states.items()):
            typer.echo(f"{scope:<40} {state.action:<10} {state.occurred_at:%Y-%m-%d %H:%M}")
        typer.echo(f"{len(events)} event(s)")
        for event in events:
            when = f"{event.occurred_at:%Y-%m-%d %H:%M}"
            typer.echo(
                f"  {when}  {event.action:<10} {shown(event.scope)}  {shown(event.channel)}  {event.id}"
            )


def _event_row(event: Any) -> dict[str, Any]:
    return {
        "id": str(event.id),
        "scope": event.scope,
        "action": event.action,
        "occurred_at": event.occurred_at.isoformat(),
        "channel": event.channel,
        "language": event.language,
        "separate": event.separate,
    }


@app.command("export")
def export_cmd(
    subject: str = SubjectArg,
    out: Path = typer.Option(None, "--out", help="Write to this file instead of standard output."),
) -> None:
    """A person's consent records in the ISO/IEC TS 27560 structure (JSON, UTF-8).

    Example: mamori consents export 3f2b...e1 --out consents.json.
    """
    from mamori.consents import export

    subject_id = parse_uuid(subject, "subject_id")
    with session_scope() as session:
        text = export.to_json(export.export_consents(session, subject_id, actor=cli_actor()))
    if out is None:
        sys.stdout.buffer.write(text.encode() + b"\n")
    else:
        out.write_text(text + "\n", encoding="utf-8")
        typer.echo(f"wrote {out}")


@app.command("receipt")
def receipt_cmd(
    subject: str = SubjectArg,
    output: str = typer.Option("html", "--format", help="html or pdf."),
    lang: str = typer.Option(None, help="ja, en, zh-Hans or zh-Hant; default: the person's language."),
    out: Path = typer.Option(None, "--out", help="File to write (needed for pdf)."),
) -> None:
    """A consent receipt the person can keep, as HTML or PDF.

    Example: mamori consents receipt 3f2b...e1 --format pdf --out receipt.pdf.
    """
    from mamori.notices.receipt import receipt_for_subject
    from mamori.web.receipts import receipt_html, receipt_pdf

    if output not in {"html", "pdf"} or (output == "pdf" and out is None):
        fail(
            ValidationFailed(
                "use --format html, or --format pdf with --out FILE",
                details={"errors": ["format: html or pdf (pdf needs --out)"]},
            )
        )
    subject_id = parse_uuid(subject, "subject_id")
    with session_scope() as session, readable_errors():
        receipt = receipt_for_subject(session, subject_id, lang, actor=cli_actor())
    data = receipt_pdf(receipt) if output == "pdf" else receipt_html(receipt).encode()
    if out is None:
        sys.stdout.buffer.write(data)
        return
    out.write_bytes(data)
    typer.echo(f"wrote {out} ({receipt.lang}, {len(receipt.consents)} consent(s))")


@app.command("expire")
def expire_cmd(now: str = typer.Option(None, help="Treat this moment as now (ISO 8601).")) -> None:
    """Record an 'expired' event for every given consent past its expiry.

    Example: mamori consents expire.
    """
    from mamori.consents import service

    with session_scope() as session:
        count = service.expire_due(session, actor=cli_actor(), now=parse_time(now, "now"))
    typer.echo(f"{count} consent(s) expired")


@app.command("rebuild")
def rebuild_cmd() -> None:
    """Recompute the current-state table from the ledger.

    Example: mamori consents rebuild.
    """
    from mamori.consents import service

    with session_scope() as session:
        result = service.rebuild_projection(session, actor=cli_actor())
    typer.echo(f"{result.events} event(s), {result.states} state(s), {result.changed} corrected")


@app.command("suspend")
def suspend_cmd(  # noqa: PLR0913 - the fields of a suspension
    subject: str = SubjectArg,
    scope: str = typer.Option("all", help="all, purpose:<id> or third_party_provision."),
    reason: str = typer.Option(..., help="Why use stops (kept with the suspension, not in the audit log)."),
    source: str = typer.Option("manual", help="request or manual."),
    source_ref: str = typer.Option(None, help="The request it comes from."),
    starts_at: str = typer.Option(None, help="ISO 8601 with zone; default now."),
    ends_at: str = typer.Option(None, help="ISO 8601 with zone; default open-ended."),
) -> None:
    """Suspend use for a person.

    Example: mamori consents suspend 3f2b...e1 --scope all --reason "complaint 42".
    """
    from mamori.consents import suspensions

    subject_id = parse_uuid(subject, "subject_id")
    with session_scope() as session, readable_errors():
        item = suspensions.suspend(
            session, actor=cli_actor(), subject_id=subject_id, scope=scope, reason=reason, source=source,
            source_ref=source_ref, starts_at=parse_time(starts_at, "starts_at"),
            ends_at=parse_time(ends_at, "ends_at"),
        )  # fmt: skip
        typer.echo(f"suspension {item.id} ({item.scope}) for {item.subject_id}")


@app.command("lift")
def lift_cmd(suspension: str = typer.Argument(..., help="Suspension id.")) -> None:
    """End a suspension now.

    Example: mamori consents lift 9a0c...77.
    """
    from mamori.consents import suspensions

    suspension_id = parse_uuid(suspension, "suspension_id")
    with session_scope() as session:
        item = suspensions.lift(session, actor=cli_actor(), suspension_id=suspension_id)
        typer.echo(f"lifted suspension {item.id}")


@app.command("import")
def import_cmd(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV (with a header) or JSONL file."),
    file_format: str = typer.Option(None, "--format", help="csv or jsonl; default: from the file name."),
) -> None:
    """Import consent events; every row is checked first and nothing is imported if any is bad.

    Columns: subject_id or email, scope, action, occurred_at, language, channel, separate,
    notice_hash (required for a given cross_border:<XX> consent). Rows are numbered as lines of
    the file (a CSV header is row 1).

    Example: mamori consents import paper-forms.csv.
    """
    from mamori.cli.consents_import import run_import

    run_import(file, file_format)
