"""`mamori decide`: may these items of this person be used for this purpose now?"""

from __future__ import annotations

import json
import uuid
from datetime import datetime

import typer

from mamori.cli.common import cli_actor, fail, session_scope, shown
from mamori.config import get_settings
from mamori.consents.decisions import service
from mamori.errors import ValidationFailed

app = typer.Typer(help="Decide whether a use is allowed (exit 0 allowed, 1 refused, 2 bad input).")


@app.callback(invoke_without_command=True)
def decide(  # noqa: PLR0913 - one option per part of the question
    subject: str = typer.Option(None, "--subject", help="Subject id (UUID)."),
    email: str = typer.Option(None, "--email", help="Find the subject by e-mail address."),
    phone: str = typer.Option(None, "--phone", help="Find the subject by phone number."),
    purpose: str = typer.Option(..., "--purpose", help="Purpose id of the current policy."),
    item: list[str] = typer.Option([], "--item", help="A data item to use (repeat for several)."),
    at: str = typer.Option(None, "--at", help="Decide as of this ISO 8601 instant (default now)."),
    lang: str = typer.Option("ja", "--lang", help="Language of the reasons: ja, en, zh-Hans, zh-Hant."),
    as_json: bool = typer.Option(False, "--json", help="Print the answer as JSON."),
) -> None:
    """Decide one use; a refusal is written to the audit log.

    Example: mamori decide --email hanako@example.jp --purpose customer.mailings --item email --lang en.
    """
    ref = _subject(subject, email, phone)
    instant = _instant(at)
    settings = get_settings()
    with session_scope(settings) as session:
        result = service.check(
            session,
            settings,
            actor=cli_actor(),
            subject=ref,
            purpose_id=purpose,
            items=item,
            at=instant,
            lang=lang,
        )
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        verdict = "allowed" if result["allowed"] else "refused"
        typer.echo(f"{verdict} (policy version {result['policy_version']})")
        for reason in result["reasons"]:
            typer.echo(f"  {reason['code']}: {shown(reason['message'])}")
    raise typer.Exit(0 if result["allowed"] else 1)


def _subject(subject: str | None, email: str | None, phone: str | None) -> service.SubjectRef:
    given = [(k, v) for k, v in (("subject", subject), ("email", email), ("phone", phone)) if v]
    if len(given) != 1:
        fail(ValidationFailed("give exactly one of --subject, --email, --phone"))
    kind, value = given[0]
    if kind != "subject":
        return (kind, value)
    try:
        return uuid.UUID(value)
    except ValueError:
        fail(ValidationFailed("--subject must be a subject id (UUID)"))
        raise


def _instant(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        instant = None
    if instant is None or instant.tzinfo is None:
        fail(
            ValidationFailed("--at must be an ISO 8601 instant with a time zone, e.g. 2026-01-01T09:00+09:00")
        )
        raise AssertionError  # pragma: no cover - fail() exits
    return instant
