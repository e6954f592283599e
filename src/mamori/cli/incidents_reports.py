"""`mamori incidents report|reports|file|pdf|notify|statement|action…`: reports, notices and remediation."""

from __future__ import annotations

import uuid
from pathlib import Path

import typer

from mamori.cli.common import cli_actor, fail, session_scope
from mamori.cli.incidents import IdArg, JsonOpt, app, dump, resolve
from mamori.config import get_settings
from mamori.db.session import make_engine, make_session_factory
from mamori.errors import ValidationFailed
from mamori.incidents import actions, outreach, reports, service
from mamori.incidents import repository as repo
from mamori.incidents.schemas import ActionCreate, NoticesCreate, ReportCreate, ReportItems, StatementCreate
from mamori.notify.service import outbox_from_settings

LangOpt = typer.Option("ja", help="ja, en, zh-Hans or zh-Hant.")


def _id(text: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        fail(ValidationFailed(f"{field}: not a UUID"))
        raise


@app.command("report")
def report_cmd(  # noqa: PLR0913 - one option per item the office writes
    incident: str = IdArg,
    authority: str = typer.Option("ppc", help="ppc or pipl."),
    stage: str = typer.Option("preliminary", help="preliminary or final."),
    summary: str = typer.Option(None, help="(1) Summary."),
    cause: str = typer.Option(None, help="(4) Cause."),
    secondary_damage: str = typer.Option(None, help="(5) Secondary damage or its risk."),
    response: str = typer.Option(None, help="(6) Response to individuals."),
    publication: str = typer.Option(None, help="(7) Publication."),
    prevention: str = typer.Option(None, help="(8) Prevention measures."),
    other: str = typer.Option(None, help="(9) Other."),
    as_json: bool = JsonOpt,
) -> None:
    """Draft a new version of a report; items not given carry over from the previous version.

    Example: mamori incidents report INC-2026-0001 --stage preliminary --cause "誤送信".
    """
    items = ReportItems(summary=summary, cause=cause, secondary_damage=secondary_damage,
                        response_to_individuals=response, publication=publication, prevention=prevention,
                        other=other)  # fmt: skip
    if authority not in {"ppc", "pipl"} or stage not in {"preliminary", "final"}:
        fail(ValidationFailed("authority must be ppc or pipl, stage preliminary or final"))
    data = ReportCreate(authority=authority, stage=stage, items=items)
    settings = get_settings()
    with session_scope(settings) as session:
        report = reports.draft_report(session, settings, cli_actor(), resolve(session, incident), data)
        read = reports.report_read(settings, report)
    if as_json:
        dump(read)
    else:
        typer.echo(f"{read.id}  {read.authority}/{read.stage} v{read.version}  {read.status}")


@app.command("reports")
def reports_cmd(incident: str = IdArg) -> None:
    """Every report version of an incident.

    Example: mamori incidents reports INC-2026-0001.
    """
    with session_scope() as session:
        for report in repo.reports(session, resolve(session, incident)):
            filed = f"filed {report.filed_at:%Y-%m-%d %H:%M}" if report.filed_at else "draft"
            typer.echo(f"{report.id}  {report.authority}/{report.stage} v{report.version}  {filed}")


@app.command("file")
def file_cmd(incident: str = IdArg, report: str = typer.Argument(..., help="The report id.")) -> None:
    """Mark a report version as filed with the authority (its clock is then done).

    Example: mamori incidents file INC-2026-0001 9c1d….
    """
    with session_scope() as session:
        filed = reports.file_report(session, cli_actor(), resolve(session, incident), _id(report, "report"))
        typer.echo(f"filed {filed.authority}/{filed.stage} v{filed.version}")


@app.command("pdf")
def pdf_cmd(
    incident: str = IdArg,
    report: str = typer.Argument(..., help="The report id."),
    out: Path = typer.Option(..., "--out", "-o", help="Where to write the PDF."),
    lang: str = LangOpt,
) -> None:
    """Write a report as a PDF (Japanese, as the PPC receives it, unless --lang says otherwise).

    Example: mamori incidents pdf INC-2026-0001 9c1d… -o report.pdf.
    """
    from mamori.web.incident_reports import report_pdf

    settings = get_settings()
    with session_scope(settings) as session:
        read = reports.report_read(
            settings, reports.get_report(session, resolve(session, incident), _id(report, "report"))
        )
        typer.echo("rendering the PDF…", err=True)
        out.write_bytes(report_pdf(read, service.bundle(session), lang))
    typer.echo(f"wrote {out}")


@app.command("notify")
def notify_cmd(
    incident: str = IdArg,
    channel: str = typer.Option("email", help="email (letter when a person has no address) or post."),
    again: bool = typer.Option(False, "--again", help="Also people already told."),
) -> None:
    """Tell every linked person in their language; prints one send record per person.

    Example: mamori incidents notify INC-2026-0001.
    """
    if channel not in {"email", "post"}:
        fail(ValidationFailed("channel: must be email or post"))
    settings = get_settings()
    engine = make_engine(settings.database_url)
    outbox = outbox_from_settings(settings, make_session_factory(engine))
    try:
        with session_scope(settings) as session:
            data = NoticesCreate(channel=channel, again=again)
            sent = outreach.send_notices(
                session, settings, outbox, cli_actor(), resolve(session, incident), data
            )
            for notice in sent:
                typer.echo(
                    f"{notice.subject_id}  {notice.channel}  {notice.language}  {notice.law}  {notice.status}"
                )
            typer.echo(f"{len(sent)} notice(s)")
    finally:
        engine.dispose()


@app.command("statement")
def statement_cmd(
    incident: str = IdArg,
    publish: bool = typer.Option(False, "--publish", help="Publish a new statement first."),
    lang: str = LangOpt,
) -> None:
    """Print (and with --publish, first publish) the public statement and inquiry-desk text.

    Example: mamori incidents statement INC-2026-0001 --publish --lang en.
    """
    settings = get_settings()
    with session_scope(settings) as session:
        incident_id = resolve(session, incident)
        if publish:
            outreach.publish_statement(session, settings, cli_actor(), incident_id, StatementCreate())
        text = outreach.statement(session, incident_id).texts.get(lang)
    typer.echo(text["text"] if text else f"no statement in {lang}")


@app.command("action")
def action_cmd(
    incident: str = IdArg,
    title: str = typer.Option(..., help="What will be done (stored encrypted)."),
    owner: str = typer.Option(..., help="Who is responsible (a staff user name)."),
    due: str = typer.Option(..., help="Due date YYYY-MM-DD."),
) -> None:
    """Add a corrective action; prints its id.

    Example: mamori incidents action INC-2026-0001 --title "送信前確認の二重化" --owner hanako
    --due 2026-12-20.
    """
    try:
        data = ActionCreate(title=title, owner=owner, due_on=due)
    except ValueError:
        fail(ValidationFailed("due_on: not a date (YYYY-MM-DD)"))
        raise
    settings = get_settings()
    with session_scope(settings) as session:
        typer.echo(
            str(actions.add_action(session, settings, cli_actor(), resolve(session, incident), data).id)
        )


@app.command("action-status")
def action_status_cmd(
    incident: str = IdArg,
    action: str = typer.Argument(..., help="The action id."),
    status: str = typer.Argument(..., help="done, accepted or open."),
) -> None:
    """Mark a corrective action done or accepted (or open again).

    Example: mamori incidents action-status INC-2026-0001 5e0f… done.
    """
    with session_scope() as session:
        incident_id, action_id = resolve(session, incident), _id(action, "action")
        changed = actions.set_action_status(session, cli_actor(), incident_id, action_id, status)
        typer.echo(f"{changed.id}: {changed.status}")
