"""``mamori demo``: a working system with sample data in one command."""

from __future__ import annotations

import secrets

import typer
from sqlalchemy.orm import Session

from mamori.cli.guard import warn_dev_keys
from mamori.config import get_settings
from mamori.db.migrate import upgrade
from mamori.dsr.demo import add_sample_requests
from mamori.errors import Conflict
from mamori.policy import service as policy
from mamori.security import service as security
from mamori.security.keys import dev_key_problems
from mamori.security.rules import Role

DEMO_ACTOR = "system:demo"
SAMPLE_STAFF = (
    ("privacy", "Privacy Office (sample)", Role.PRIVACY_OFFICER),
    ("agent", "Contact-centre agent (sample)", Role.AGENT),
    ("engineer", "Business-system engineer (sample)", Role.ENGINEER),
    ("auditor", "Auditor (sample)", Role.AUDITOR),
)


def prepare_demo(session: Session) -> tuple[str, str]:
    """Publish the default policy if needed, (re)set the admin, add sample staff.

    Returns the admin password and a fresh token.
    """
    settings = get_settings()
    try:
        version = policy.publish_bundle(
            session, actor=DEMO_ACTOR, directory=settings.default_policy_dir, note="default bundle (demo)"
        )
        typer.echo(f"published the default policy as version {version.number}")
    except Conflict:
        typer.echo("the default policy is already the current version")
    password = secrets.token_urlsafe(12)
    admin = security.get_user_by_username(session, "admin")
    if admin is None:
        security.add_user(
            session,
            actor=DEMO_ACTOR,
            username="admin",
            display_name="Administrator",
            role=Role.ADMIN,
            password=password,
        )
    else:
        security.set_password(session, actor=DEMO_ACTOR, username="admin", password=password)
    for username, name, role in SAMPLE_STAFF:
        if security.get_user_by_username(session, username) is None:
            security.add_user(
                session,
                actor=DEMO_ACTOR,
                username=username,
                display_name=name,
                role=role,
                password=secrets.token_urlsafe(16),
            )
    _sample_people(session)
    _sample_inquiries(session)
    from mamori.provisions.demo import seed_demo

    typer.echo(f"sample processors assessed: {seed_demo(session, actor=DEMO_ACTOR)}")
    _sample_incident(session)
    typer.echo(f"sample requests: {add_sample_requests(session, get_settings())} (mamori requests list)")
    issued = security.create_token(session, actor=DEMO_ACTOR, username="admin", name="demo")
    return password, issued.secret


# Fictitious people on reserved domains: categories, jurisdiction, language, e-mail, given, withdrawn
SAMPLE_PEOPLE: tuple[tuple[list[str], str, str, str, list[str], list[str]], ...] = (
    (["customers"], "JP", "ja", "hanako.sample@example.jp", ["customer.mailings", "customer.surveys"], []),
    (["customers"], "JP", "en", "taro.sample@example.jp", ["customer.mailings"], ["customer.mailings"]),
    (["customers"], "CN", "zh-Hans", "li.sample@example.cn", ["customer.group_promotions"], []),
    (["customers", "shareholders"], "JP", "zh-Hant", "chen.sample@example.tw", [], []),
)


def _sample_people(session: Session) -> None:
    """A few sample customers with consents, once (skipped when they already exist)."""
    from mamori.consents.service import record_consent
    from mamori.subjects.repository import subjects_by_identifier
    from mamori.subjects.service import create_subject

    settings = get_settings()
    for categories, jurisdiction, language, email, given, withdrawn in SAMPLE_PEOPLE:
        if subjects_by_identifier(session, settings, "email", email):
            continue
        person = create_subject(
            session,
            settings,
            DEMO_ACTOR,
            categories=categories,
            identifiers=[("email", email)],
            jurisdiction=jurisdiction,
            language=language,
        )
        for purpose in given:
            record_consent(
                session,
                actor=DEMO_ACTOR,
                subject_id=person.id,
                scope=f"purpose:{purpose}",
                action="given",
                language=language,
                channel="web",
                separate=jurisdiction == "CN",
            )
        for purpose in withdrawn:
            record_consent(
                session,
                actor=DEMO_ACTOR,
                subject_id=person.id,
                scope=f"purpose:{purpose}",
                action="withdrawn",
                language=language,
                channel="web",
            )
    typer.echo(f"sample people: {len(SAMPLE_PEOPLE)} (e.g. hanako.sample@example.jp)")


def _sample_inquiries(session: Session) -> None:
    from mamori.inquiries.samples import add_sample_inquiries

    added = add_sample_inquiries(session, get_settings(), DEMO_ACTOR)
    typer.echo(f"sample inquiries: {added} (see /console/inquiries or 'mamori inquiries list')")


def _sample_incident(session: Session) -> None:
    from mamori.incidents.demo import add_sample_incident

    incident = add_sample_incident(session, get_settings(), DEMO_ACTOR)
    if incident is not None:
        typer.echo(f"sample incident: {incident.reference} (mamori incidents show {incident.reference})")


def run_demo(*, serve: bool, host: str, port: int) -> None:
    from mamori.cli.common import session_scope

    settings = get_settings()
    typer.echo(f"database: {settings.database_url}")
    upgrade(settings.database_url)
    with session_scope(settings) as session:
        password, token = prepare_demo(session)
    base = f"http://{host}:{port}"
    typer.echo("")
    typer.echo("Mamori demo is ready.")
    typer.echo("  admin user:     admin")
    typer.echo(f"  admin password: {password}")
    typer.echo(f"  API token:      {token}")
    typer.echo(f"  privacy notice: {base}/privacy?lang=ja  (also en, zh-Hans, zh-Hant; PDF at /privacy.pdf)")
    typer.echo(f"  contact form:   {base}/contact?lang=ja   staff console: {base}/console/login")
    typer.echo(f"  joint use:      {base}/joint-use?lang=ja")
    typer.echo(f"  API docs:       {base}/api/v1/docs")
    typer.echo(f'  try:            curl -H "Authorization: Bearer {token}" {base}/api/v1/policy')
    problems = dev_key_problems(settings)
    if problems:  # the demo is a development setup by definition: it warns, never refuses
        typer.echo("  this is a development setup: never put real personal data in it")
        warn_dev_keys(problems, "demo")
    if serve:
        from mamori.cli.main import serve_app

        serve_app(host=host, port=port)
