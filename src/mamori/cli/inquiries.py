"""`mamori inquiries …`: log, assign, answer, close and report contact-centre inquiries."""

from __future__ import annotations

import json
import uuid
from datetime import date

import typer
from pydantic import BaseModel
from sqlalchemy.orm import Session

from mamori.cli.common import cli_actor, fail, session_scope, shown
from mamori.config import get_settings
from mamori.db.session import make_engine, make_session_factory
from mamori.errors import ValidationFailed
from mamori.inquiries import replies, service
from mamori.inquiries.escalation import convert_to_request
from mamori.inquiries.intake import NewInquiry, open_inquiry
from mamori.inquiries.models import Inquiry
from mamori.inquiries.reports import complaints_report
from mamori.inquiries.views import inquiry_view, open_views, read_thread
from mamori.notify.service import outbox_from_settings

app = typer.Typer(
    help="Contact-centre inquiries and complaints on business hours (10:00-17:00 Japan time).",
    no_args_is_help=True,
)
RefArg = typer.Argument(..., help="The inquiry's reference (Q-261201-7KX3PA) or id.")
JsonOpt = typer.Option(False, "--json", help="Print JSON instead of text.")


def _print(model: BaseModel, *, as_json: bool) -> None:
    data = model.model_dump(mode="json")
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for key, value in data.items():
        text = json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value
        typer.echo(f"{key}: {shown(text)}")


def _find(session: Session, ref: str) -> Inquiry:
    try:
        return service.get_inquiry(session, uuid.UUID(ref))
    except ValueError:
        return service.find_by_reference(session, ref)


def _date(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(ValidationFailed(f"{field}: not a date (YYYY-MM-DD)"))
        raise


@app.command("add")
def add_cmd(  # noqa: PLR0913 - one option per fact of an inquiry
    message: str = typer.Option(..., "--message", "-m", help="What the person said or wrote."),
    category: str = typer.Option(
        "other", help="personal_information, complaint, public_relations, investor_relations or other."
    ),
    channel: str = typer.Option("phone", help="web_form, email, phone or letter."),
    language: str = typer.Option("ja", help="ja, en, zh-Hans or zh-Hant."),
    name: str = typer.Option(None, help="The person's name (stored encrypted)."),
    email: str = typer.Option(None, help="E-mail address for answers (stored encrypted)."),
    phone: str = typer.Option(None, help="Phone number (stored encrypted)."),
) -> None:
    """Log an inquiry and print its reference and when the first answer is due.

    Example: mamori inquiries add -m "店舗での対応について" --category complaint --email hanako@example.jp.
    """
    settings = get_settings()
    new = NewInquiry(channel=channel, language=language, category=category, message=message,
                     name=name, email=email, phone=phone)  # fmt: skip
    with session_scope(settings) as session:
        view = inquiry_view(session, open_inquiry(session, settings, cli_actor(), new))
    typer.echo(f"{view.reference}  first answer due {view.first_response_due_at.isoformat()}")


@app.command("list")
def list_cmd(as_json: bool = JsonOpt) -> None:
    """Open inquiries, least business time left first (those waiting for the person last).

    Example: mamori inquiries list.
    """
    with session_scope() as session:
        views = open_views(session)
    if as_json:
        typer.echo(json.dumps([v.model_dump(mode="json") for v in views], ensure_ascii=False, indent=2))
        return
    if not views:
        typer.echo("no open inquiries")
    for v in views:
        typer.echo(
            f"{v.reference}  {v.remaining:>7}  {v.state:<20}  {shown(v.category):<20}"
            f"  {shown(v.assignee or '-')}"
        )


@app.command("show")
def show_cmd(ref: str = RefArg, as_json: bool = JsonOpt) -> None:
    """Show an inquiry with the person's contact data and every message (the read is audited).

    Example: mamori inquiries show Q-261201-7KX3PA.
    """
    settings = get_settings()
    with session_scope(settings) as session:
        thread = read_thread(session, settings, cli_actor(), _find(session, ref).id)
    _print(thread, as_json=as_json)


@app.command("assign")
def assign_cmd(ref: str = RefArg, to: str = typer.Option(..., "--to", help="A staff username.")) -> None:
    """Give an inquiry to a staff user.

    Example: mamori inquiries assign Q-261201-7KX3PA --to sato.
    """
    with session_scope() as session:
        inquiry = service.assign(session, cli_actor(), _find(session, ref).id, to)
        typer.echo(f"{inquiry.reference}  {inquiry.state}  {shown(inquiry.assignee)}")


@app.command("reply")
def reply_cmd(
    ref: str = RefArg,
    answer: str = typer.Option(..., "--answer", "-a", help="Your answer; the category's template wraps it."),
    wait: bool = typer.Option(
        False, "--wait", help="Ask the person for more; the clock stops until they reply."
    ),
) -> None:
    """E-mail an answer in the inquiry's language through the configured mail backend.

    Example: mamori inquiries reply Q-261201-7KX3PA -a "ご登録内容を更新しました。".
    """
    settings = get_settings()
    engine = make_engine(settings.database_url)
    outbox = outbox_from_settings(settings, make_session_factory(engine))
    try:
        with session_scope(settings) as session:
            inquiry = _find(session, ref)
            replies.reply(
                session, settings, outbox, cli_actor(), inquiry.id, answer=answer, wait_for_customer=wait
            )
            typer.echo(f"{inquiry.reference}  {inquiry.state}  e-mail queued")
    finally:
        engine.dispose()


@app.command("answer")
def answer_cmd(
    ref: str = RefArg,
    answer: str = typer.Option(..., "--answer", "-a", help="What you told the person."),
    channel: str = typer.Option("phone", help="phone or letter."),
    wait: bool = typer.Option(False, "--wait", help="You asked for more; the clock stops until they reply."),
) -> None:
    """Record an answer given by phone or letter (nothing is sent).

    Example: mamori inquiries answer Q-261201-7KX3PA -a "電話で説明" --channel phone.
    """
    settings = get_settings()
    with session_scope(settings) as session:
        inquiry = _find(session, ref)
        replies.record_answer(session, settings, cli_actor(), inquiry.id, answer=answer, channel=channel,
                              wait_for_customer=wait)  # fmt: skip
        typer.echo(f"{inquiry.reference}  {inquiry.state}")


@app.command("message")
def message_cmd(
    ref: str = RefArg,
    text: str = typer.Option(..., "--text", "-t", help="What the person wrote or said."),
    channel: str = typer.Option("email", help="web_form, email, phone or letter."),
) -> None:
    """Record a new message from the person: a wait ends, an answered inquiry reopens.

    Example: mamori inquiries message Q-261201-7KX3PA -t "会員番号は M0001 です".
    """
    settings = get_settings()
    with session_scope(settings) as session:
        inquiry = _find(session, ref)
        service.record_inbound(session, settings, cli_actor(), inquiry.id, text=text, channel=channel)
        typer.echo(f"{inquiry.reference}  {inquiry.state}")


@app.command("close")
def close_cmd(ref: str = RefArg) -> None:
    """Close an inquiry.

    Example: mamori inquiries close Q-261201-7KX3PA.
    """
    with session_scope() as session:
        inquiry = service.close(session, cli_actor(), _find(session, ref).id)
        typer.echo(f"{inquiry.reference}  {inquiry.state}")


@app.command("reopen")
def reopen_cmd(ref: str = RefArg) -> None:
    """Reopen an answered or closed inquiry.

    Example: mamori inquiries reopen Q-261201-7KX3PA.
    """
    with session_scope() as session:
        inquiry = service.reopen(session, cli_actor(), _find(session, ref).id)
        typer.echo(f"{inquiry.reference}  {inquiry.state}")


@app.command("convert")
def convert_cmd(
    ref: str = RefArg,
    request_type: str = typer.Option(..., "--type", help="A request type id of the policy, e.g. disclosure."),
    name: str = typer.Option(None, help="The requester's name, when the inquiry has none."),
    address: str = typer.Option(None, help="Postal address, when the answer goes by post."),
) -> None:
    """Turn an inquiry into a request case (disclosure, correction, suspension, ...), keeping the link.

    Example: mamori inquiries convert Q-261201-7KX3PA --type disclosure.
    """
    settings = get_settings()
    with session_scope(settings) as session:
        inquiry = _find(session, ref)
        convert_to_request(
            session, settings, cli_actor(), inquiry.id, request_type=request_type,
            requester_name=name, requester_address=address,
        )  # fmt: skip
        typer.echo(f"{inquiry.reference}  {inquiry.state}  case {inquiry.request_case_id}")


@app.command("complaints")
def complaints_cmd(
    start: str = typer.Option(..., "--from", help="First day (Tokyo), YYYY-MM-DD."),
    end: str = typer.Option(..., "--to", help="Last day (Tokyo), YYYY-MM-DD."),
    as_json: bool = JsonOpt,
) -> None:
    """Complaints of a period counted apart from other inquiries, for the management review.

    Example: mamori inquiries complaints --from 2026-04-01 --to 2027-03-31.
    """
    with session_scope() as session:
        report = complaints_report(session, _date(start, "from"), _date(end, "to"))
    _print(report, as_json=as_json)
