"""Root of the ``mamori`` command."""

from __future__ import annotations

import typer

from mamori.cli import (
    audience,
    audit,
    consents,
    datamap,
    db,
    decide,
    doctor,
    incidents,
    inquiries,
    keys,
    policy,
    processors,
    provisions,
    requests,
    subjects,
    users,
    worker,
)
from mamori.cli.guard import DEV_KEYS_HELP, require_real_keys
from mamori.config import get_settings

app = typer.Typer(
    name="mamori",
    help="Mamori: personal-information protection management. The privacy policy as code.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")
app.add_typer(policy.app, name="policy")
app.add_typer(audit.app, name="audit")
app.add_typer(users.users_app, name="users")
app.add_typer(users.tokens_app, name="tokens")
app.add_typer(subjects.app, name="subjects")
app.add_typer(consents.app, name="consents")
app.add_typer(decide.app, name="decide")
app.add_typer(audience.app, name="audience")
app.add_typer(provisions.app, name="provisions")
app.add_typer(processors.app, name="processors")
app.add_typer(requests.app, name="requests")
app.add_typer(incidents.app, name="incidents")
app.add_typer(inquiries.app, name="inquiries")
app.add_typer(datamap.app, name="datamap")
app.add_typer(datamap.fulfillment_app, name="fulfillment")
app.add_typer(worker.app, name="worker")
app.add_typer(keys.app, name="keys")
app.command("doctor")(doctor.doctor)


def serve_app(*, host: str, port: int) -> None:
    import uvicorn

    from mamori.api.app import create_app

    uvicorn.run(create_app(), host=host, port=port, log_level="info")


@app.command()
def serve(
    host: str = typer.Option(None, help="Interface to listen on; default MAMORI_HOST or 127.0.0.1."),
    port: int = typer.Option(None, help="TCP port; default MAMORI_PORT or 8000."),
    dev_keys: bool = typer.Option(False, "--dev-keys", help=DEV_KEYS_HELP),
) -> None:
    """Run the API and the public pages.

    Refuses the public development keys unless --dev-keys or MAMORI_ALLOW_DEV_KEYS=true.
    Example: mamori serve --port 8000.
    """
    settings = get_settings()
    require_real_keys(settings, dev_keys=dev_keys, what="serve")
    serve_app(host=host or settings.host, port=port or settings.port)


@app.command()
def demo(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="TCP port."),
    no_serve: bool = typer.Option(
        False, "--no-serve", help="Prepare everything but do not start the server."
    ),
) -> None:
    """Create the database, publish the default policy, add an admin, a token and sample data; serve."""
    from mamori.cli.demo import run_demo

    run_demo(serve=not no_serve, host=host, port=port)


def run() -> None:
    app()
