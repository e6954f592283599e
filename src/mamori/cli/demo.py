"""``mamori demo``: a working system with sample data and a business system in one command.

What it makes, all in the folder it runs in: the database (``MAMORI_DATABASE_URL``, by default
``./mamori.db``), the example shop ``./mamori-shop.db`` that the default bundle's data map names,
and ``./mamori-demo.json`` (mode 600) with the sample staff's passwords and the demo's API token,
so that a second run prints the same sign-ins instead of changing them (``--reset-passwords``
makes new ones).
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer
from sqlalchemy.orm import Session

from mamori.cli.demo_data import DemoRefs, seed_everything
from mamori.cli.demo_shop import SHOP_FILE, create_shop, shop_exists
from mamori.cli.guard import warn_dev_keys
from mamori.config import get_settings
from mamori.db.migrate import upgrade
from mamori.errors import Conflict, Unauthenticated
from mamori.policy import service as policy
from mamori.security import service as security
from mamori.security.keys import dev_key_problems
from mamori.security.rules import Role

DEMO_ACTOR = "system:demo"
STATE_FILE = "mamori-demo.json"
DEFAULT_CUSTOMERS = 3000
STAFF = (
    ("admin", "Administrator", Role.ADMIN),
    ("privacy", "Privacy Office (sample)", Role.PRIVACY_OFFICER),
    ("agent", "Contact-centre agent (sample)", Role.AGENT),
    ("engineer", "Business-system engineer (sample)", Role.ENGINEER),
    ("auditor", "Auditor (sample)", Role.AUDITOR),
)


@dataclass
class DemoState:
    """What a later run must print again: the sign-ins and the token (kept in ``mamori-demo.json``)."""

    passwords: dict[str, str] = field(default_factory=dict)
    token: str | None = None

    @classmethod
    def load(cls, path: Path) -> DemoState:
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        return cls(passwords=dict(data.get("passwords", {})), token=data.get("token"))

    def save(self, path: Path) -> None:
        text = json.dumps({"passwords": self.passwords, "token": self.token}, indent=2)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
        path.chmod(0o600)


def _publish(session: Session) -> None:
    settings = get_settings()
    try:
        version = policy.publish_bundle(
            session, actor=DEMO_ACTOR, directory=settings.default_policy_dir, note="default bundle (demo)"
        )
        typer.echo(f"published the default policy as version {version.number}")
    except Conflict:
        typer.echo("the default policy is already the current version")


def _staff(session: Session, state: DemoState, *, reset: bool) -> None:
    """Create the sample staff; keep known passwords unless ``reset``; a user unknown to the file gets one."""
    for username, name, role in STAFF:
        user = security.get_user_by_username(session, username)
        if user is not None and username in state.passwords and not reset:
            continue
        password = secrets.token_urlsafe(12)
        if user is None:
            security.add_user(
                session, actor=DEMO_ACTOR, username=username, display_name=name, role=role, password=password
            )
        else:
            security.set_password(session, actor=DEMO_ACTOR, username=username, password=password)
        state.passwords[username] = password


def _token(session: Session, state: DemoState, *, reset: bool) -> str:
    if state.token and not reset:
        try:
            security.authenticate_token(session, state.token)
        except Unauthenticated:
            pass  # revoked or from another database: a new one
        else:
            return state.token
    state.token = security.create_token(session, actor=DEMO_ACTOR, username="admin", name="demo").secret
    return state.token


def prepare_demo(session: Session, state: DemoState, *, reset_passwords: bool) -> DemoRefs:
    """Publish the default policy, add staff and the sample data; the references the README uses."""
    _publish(session)
    _staff(session, state, reset=reset_passwords)
    _token(session, state, reset=reset_passwords)
    return seed_everything(session, get_settings(), DEMO_ACTOR)


def _shop(customers: int) -> Path:
    path = Path.cwd() / SHOP_FILE
    if shop_exists(path):
        typer.echo(f"example shop: {path} (kept)")
    else:
        create_shop(path, customers)
        typer.echo(f"example shop: {path} ({customers} customers, {customers * 5} orders)")
    return path


def run_demo(
    *, serve: bool, host: str, port: int, reset_passwords: bool = False, customers: int = 3000
) -> None:
    """Prepare everything, print where it is, then serve (unless ``serve`` is false)."""
    from mamori.cli.common import session_scope

    settings = get_settings()
    typer.echo(f"database: {settings.database_url}")
    upgrade(settings.database_url)
    shop = _shop(customers)
    state_path = Path.cwd() / STATE_FILE
    state = DemoState.load(state_path)
    with session_scope(settings) as session:
        refs = prepare_demo(session, state, reset_passwords=reset_passwords)
    state.save(state_path)
    _print_ready(f"http://{host}:{port}", state, refs, shop, state_path)
    problems = dev_key_problems(settings)
    if problems:  # the demo is a development setup by definition: it warns, never refuses
        typer.echo("  this is a development setup: never put real personal data in it")
        warn_dev_keys(problems, "demo")
    if serve:
        from mamori.cli.main import serve_app

        os.environ["MAMORI_DEMO"] = "true"  # public pages carry the demonstration banner
        get_settings.cache_clear()
        serve_app(host=host, port=port)


def _print_ready(base: str, state: DemoState, refs: DemoRefs, shop: Path, state_path: Path) -> None:
    echo = typer.echo
    echo("")
    echo("Mamori demo is ready.")
    echo(f"  sign in at {base}/console/login as (passwords kept in {state_path.name}; --reset-passwords):")
    for username, _, role in STAFF:
        echo(f"    {role.value:<16} {username:<9} {state.passwords.get(username, '(unchanged)')}")
    echo(f"  admin password: {state.passwords.get('admin', '(unchanged)')}")
    echo(f"  API token:      {state.token}")
    echo(f"  privacy notice: {base}/privacy?lang=ja  (also en, zh-Hans, zh-Hant; PDF at /privacy.pdf)")
    echo(f"  contact form:   {base}/contact?lang=ja   request status: {base}/requests/status")
    echo(f"  joint use:      {base}/joint-use?lang=ja")
    echo(f"  API docs:       {base}/api/v1/docs")
    echo(f"  example shop:   {shop} (the default bundle's data map: policies/aoki/datamap/shop.yaml)")
    echo(f'  try:            curl -H "Authorization: Bearer {state.token}" {base}/api/v1/policy')
    echo("  for the README's examples, in your shell:")
    echo(f"    {refs.exports(state.token or '')}")
