"""`mamori incidents …`: the incident register, clocks, reports and notices."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

import typer
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from mamori.cli.common import cli_actor, fail, session_scope
from mamori.config import get_settings
from mamori.errors import ValidationFailed
from mamori.incidents import repository as repo
from mamori.incidents import service, views
from mamori.incidents.reminders import send_reminders
from mamori.incidents.schemas import EventRead, FactsUpdate, IncidentCreate, IncidentRead

app = typer.Typer(help="The incident register, clocks, reports and notices.", no_args_is_help=True)
IdArg = typer.Argument(..., help="An incident id (UUID) or reference (INC-2026-0001).")
JsonOpt = typer.Option(False, "--json", help="Print JSON instead of text.")


def dump(value: BaseModel | list[Any] | dict[str, Any]) -> None:
    data = value.model_dump(mode="json") if isinstance(value, BaseModel) else value
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def resolve(session: Session, text: str) -> uuid.UUID:
    """The incident's id from a UUID or a reference."""
    try:
        return service.get_incident(session, uuid.UUID(text)).id
    except ValueError:
        found = repo.by_reference(session, text.strip().upper())
        if found is None:
            fail(ValidationFailed(f"incident: no incident {text!r} (give a UUID or a reference)"))
            raise
        return found.id


def _instant(text: str | None, field: str) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        fail(ValidationFailed(f"{field}: not an ISO 8601 time such as 2026-11-20T09:30+09:00"))
        raise
    if value.tzinfo is None:
        fail(ValidationFailed(f"{field}: give the offset, e.g. 2026-11-20T09:30+09:00"))
    return value


def _model(kind: type[IncidentCreate | FactsUpdate], values: dict[str, Any]) -> Any:
    try:
        return kind.model_validate({k: v for k, v in values.items() if v is not None and v != []})
    except ValidationError as exc:
        errors = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]
        fail(ValidationFailed("the input is not valid; nothing was written", details={"errors": errors}))
        raise


def _print_incident(view: IncidentRead, *, as_json: bool, lang: str = "en") -> None:
    if as_json:
        dump(view)
        return
    verdict = "REPORTABLE" if view.reportable else "not reportable"
    typer.echo(f"{view.reference}  {view.id}  {view.state}  {view.kind}/{view.certainty}  {verdict}")
    for reason in view.reasons:
        typer.echo(f"  [{reason.code}] {reason.messages.get(lang, reason.messages['en'])}")
    for clock in view.clocks:
        typer.echo(f"  {clock.status:9} {clock.due_on}  {clock.name}")
    if view.closing_blockers:
        typer.echo(f"  to close: {', '.join(view.closing_blockers)}")


FACT_OPTIONS: dict[str, Any] = {
    "item": typer.Option([], "--item", "-i", help="A data item id of the policy (repeatable)."),
    "system": typer.Option([], "--system", help="A system involved, by its data-map id (repeatable)."),
}


@app.command("register")
def register_cmd(  # noqa: PLR0913 - one option per fact
    kind: str = typer.Option(..., help="leak, loss or damage."),
    known_at: str = typer.Option(..., help="When any department first knew (ISO 8601 with offset): day 1."),
    occurred_at: str = typer.Option(None, help="When it happened, if known."),
    suspected: bool = typer.Option(False, "--suspected", help="Feared, not confirmed."),
    how_found: str = typer.Option(None, help="How it was found (stored encrypted)."),
    item: list[str] = FACT_OPTIONS["item"],
    system: list[str] = FACT_OPTIONS["system"],
    persons_known: int = typer.Option(0, help="Persons known to be affected."),
    persons_max: int = typer.Option(None, help="Possible maximum (counts for the 1,000 threshold)."),
    encrypted: bool = typer.Option(False, "--encrypted", help="All data was under advanced encryption."),
    unlawful: str = typer.Option(None, help="Unlawful purpose suspected: insider, attacker or processor."),
    financial_risk: bool = typer.Option(False, "--financial-risk", help="Risk of financial loss."),
    web_forms: bool = typer.Option(False, "--web-forms", help="Data being acquired (web forms) affected."),
    jurisdiction: list[str] = typer.Option([], "--jurisdiction", "-j", help="JP and/or CN (default JP)."),
    pipl_major: bool = typer.Option(False, "--pipl-major", help="A major incident under PIPL (hours clock)."),
    subject: list[str] = typer.Option(
        [], "--subject", help="A subject id known to be affected (repeatable)."
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Register an incident and print its reportability and clocks.

    Example: mamori incidents register --kind leak --known-at 2026-11-20T09:30+09:00 -i email
    --persons-max 1200.
    """
    data = _model(IncidentCreate, {
        "kind": kind, "known_at": _instant(known_at, "known_at"),
        "occurred_at": _instant(occurred_at, "occurred_at"),
        "certainty": "suspected" if suspected else "actual",
        "how_found": how_found, "data_items": item, "systems": system, "persons_known": persons_known,
        "persons_max": persons_max, "advanced_encryption": encrypted, "unlawful_purpose": unlawful,
        "financial_loss_risk": financial_risk, "acquiring_data_affected": web_forms,
        "jurisdictions": jurisdiction, "pipl_major": pipl_major, "subject_ids": subject,
    })  # fmt: skip
    settings = get_settings()
    with session_scope(settings) as session:
        incident = service.register_incident(session, settings, cli_actor(), data)
        view = views.incident_view(session, incident)
    _print_incident(view, as_json=as_json)


@app.command("update")
def update_cmd(  # noqa: PLR0913 - one option per fact
    incident: str = IdArg,
    observed_at: str = typer.Option(None, help="When these facts became known (default now)."),
    item: list[str] = FACT_OPTIONS["item"],
    system: list[str] = FACT_OPTIONS["system"],
    persons_known: int = typer.Option(None, help="New count of persons known."),
    persons_max: int = typer.Option(None, help="New possible maximum."),
    encrypted: bool = typer.Option(None, "--encrypted/--not-encrypted", help="Advanced encryption."),
    unlawful: str = typer.Option(None, help="insider, attacker or processor."),
    financial_risk: bool = typer.Option(None, "--financial-risk/--no-financial-risk", help="Financial loss."),
    jurisdiction: list[str] = typer.Option([], "--jurisdiction", "-j", help="Replace the jurisdictions."),
    as_json: bool = JsonOpt,
) -> None:
    """Record new facts (a recount, more items); reportability and clocks follow; the change is kept.

    Example: mamori incidents update INC-2026-0001 --persons-max 1500. Items given replace the list.
    """
    data = _model(FactsUpdate, {
        "observed_at": _instant(observed_at, "observed_at"), "data_items": item, "systems": system,
        "persons_known": persons_known, "persons_max": persons_max, "advanced_encryption": encrypted,
        "unlawful_purpose": unlawful, "financial_loss_risk": financial_risk, "jurisdictions": jurisdiction,
    })  # fmt: skip
    settings = get_settings()
    with session_scope(settings) as session:
        updated = service.update_facts(session, settings, cli_actor(), resolve(session, incident), data)
        view = views.incident_view(session, updated)
    _print_incident(view, as_json=as_json)


@app.command("list")
def list_cmd(
    state: str = typer.Option(None, help="open, contained, closed or dismissed."), as_json: bool = JsonOpt
) -> None:
    """The register, newest first.

    Example: mamori incidents list --state open.
    """
    with session_scope() as session:
        found = [views.incident_view(session, i) for i in repo.incidents(session, state=state)]
    if as_json:
        dump([v.model_dump(mode="json") for v in found])
        return
    for view in found:
        flag = "REPORTABLE" if view.reportable else "-"
        typer.echo(f"{view.reference}  {view.state:9}  {view.kind:6}  {flag:10}  {','.join(view.triggers)}")


@app.command("show")
def show_cmd(
    incident: str = IdArg,
    lang: str = typer.Option("en", help="ja, en, zh-Hans or zh-Hant."),
    as_json: bool = JsonOpt,
) -> None:
    """One incident: reportability and why, clocks, what closing still needs.

    Example: mamori incidents show INC-2026-0001 --lang ja.
    """
    with session_scope() as session:
        view = views.incident_view(
            session, service.get_incident(session, resolve(session, incident)), lang=lang
        )
    _print_incident(view, as_json=as_json, lang=lang)


@app.command("history")
def history_cmd(incident: str = IdArg, as_json: bool = JsonOpt) -> None:
    """Every change, oldest first, with the reportability after it.

    Example: mamori incidents history INC-2026-0001.
    """
    with session_scope() as session:
        found = [EventRead.model_validate(e) for e in repo.events(session, resolve(session, incident))]
    if as_json:
        dump([e.model_dump(mode="json") for e in found])
        return
    for event in found:
        flag = "reportable" if event.reportable else "-"
        typer.echo(f"{event.seq:3}  {event.recorded_at:%Y-%m-%d %H:%M}  {event.action:30}  {flag}  "
                   f"{','.join(sorted(event.changes))}")  # fmt: skip


@app.command("deadlines")
def deadlines_cmd(as_json: bool = JsonOpt) -> None:
    """Every running clock of the open incidents, overdue first.

    Example: mamori incidents deadlines.
    """
    with session_scope() as session:
        found = views.deadlines(session)
    if as_json:
        dump([d.model_dump(mode="json") for d in found])
        return
    for line in found:
        typer.echo(f"{line.clock.status:9}  {line.clock.due_on}  {line.reference}  {line.clock.name}")


@app.command("link")
def link_cmd(incident: str = IdArg, subject: list[str] = typer.Argument(..., help="Subject ids.")) -> None:
    """Link people known to be affected.

    Example: mamori incidents link INC-2026-0001 3f2b0c1e-8d8a-4c55-9a57-0a4f3c1d2e10.
    """
    try:
        ids = [uuid.UUID(s) for s in subject]
    except ValueError:
        fail(ValidationFailed("subject_ids: not a UUID"))
        raise
    with session_scope() as session:
        added = service.link_subjects(session, cli_actor(), resolve(session, incident), ids)
    typer.echo(f"linked {added} new subject(s)")


@app.command("state")
def state_cmd(
    incident: str = IdArg, to: str = typer.Argument(..., help="contained, closed, dismissed or open.")
) -> None:
    """Move an incident along its lifecycle; closing is refused while reports or actions are pending.

    Example: mamori incidents state INC-2026-0001 closed.
    """
    with session_scope() as session:
        changed = service.change_state(session, cli_actor(), resolve(session, incident), to)
        typer.echo(f"{changed.reference}: {changed.state}")


@app.command("remind")
def remind_cmd() -> None:
    """Record the reminders now due before each deadline (the job runner does this every hour).

    Example: mamori incidents remind.
    """
    with session_scope() as session:
        given = send_reminders(session)
    for reminder in given:
        when = "OVERDUE" if reminder.days_left < 0 else f"{reminder.days_left} day(s) left"
        typer.echo(f"{reminder.reference}  {reminder.clock}  due {reminder.due_on}  {when}")
    typer.echo(f"{len(given)} reminder(s)")


from mamori.cli import incidents_reports  # noqa: E402 - registers its commands on ``app``

__all__ = ["app", "incidents_reports"]
