"""Root of the ``mamori`` command."""

from __future__ import annotations

import importlib
from typing import NamedTuple

import typer
from typer import _click as click  # typer carries its own click; the separate one costs 0.3 s to import
from typer.core import TyperGroup


class Sub(NamedTuple):
    """A command group loaded only when it runs: ``mamori --help`` imports no room, no database driver."""

    module: str
    attr: str
    help: str


# Help texts are repeated here so that listing the commands needs no import; the test of the
# CLI's start checks that each one matches the group it names.
SUBCOMMANDS: dict[str, Sub] = {
    "db": Sub(
        "mamori.cli.db",
        "app",
        "Database schema: create and migrate.",
    ),
    "policy": Sub(
        "mamori.cli.policy",
        "app",
        "The policy bundle: check, publish, list and compare versions.",
    ),
    "campaigns": Sub(
        "mamori.cli.campaigns",
        "app",
        "Notification and consent campaigns for policy revisions.",
    ),
    "audit": Sub(
        "mamori.cli.audit",
        "app",
        "The hash-chained audit log: verify, anchor and read.",
    ),
    "users": Sub(
        "mamori.cli.users",
        "users_app",
        "Staff users and their roles.",
    ),
    "tokens": Sub(
        "mamori.cli.users",
        "tokens_app",
        "API tokens for staff and business systems.",
    ),
    "subjects": Sub(
        "mamori.cli.subjects",
        "app",
        "Persons whose data is held: identifiers encrypted, found by blind index.",
    ),
    "consents": Sub(
        "mamori.cli.consents",
        "app",
        "Consent ledger and usage suspensions: record, list, export, receipts.",
    ),
    "cookies": Sub(
        "mamori.cli.cookies",
        "app",
        "Cookies and tags: scan a site against the inventory, diff inventories.",
    ),
    "decide": Sub(
        "mamori.cli.decide",
        "app",
        "Decide whether a use is allowed (exit 0 allowed, 1 refused, 2 bad input).",
    ),
    "audience": Sub(
        "mamori.cli.audience",
        "app",
        "Pick the subjects who may be contacted for a purpose (JSON lines or CSV).",
    ),
    "provisions": Sub(
        "mamori.cli.provisions",
        "app",
        "Third-party provision records and receipts from other businesses.",
    ),
    "processors": Sub(
        "mamori.cli.processors",
        "app",
        "Processors, assessments, sub-processors and entrustments.",
    ),
    "pms": Sub(
        "mamori.cli.pms",
        "app",
        "Management system: risks, audits, corrective actions, training, management review.",
    ),
    "requests": Sub(
        "mamori.cli.requests",
        "app",
        "Requests from people about their data (disclosure, correction, ...).",
    ),
    "incidents": Sub(
        "mamori.cli.incidents",
        "app",
        "The incident register, clocks, reports and notices.",
    ),
    "inquiries": Sub(
        "mamori.cli.inquiries",
        "app",
        "Contact-centre inquiries and complaints on business hours (10:00-17:00 Japan time).",
    ),
    "datamap": Sub(
        "mamori.cli.datamap",
        "app",
        "The data map: systems, tables, fields and how to erase or suspend them.",
    ),
    "discovery": Sub(
        "mamori.cli.discovery",
        "app",
        "Find personal data the data map does not know about (ja, en, zh).",
    ),
    "retention": Sub(
        "mamori.cli.retention",
        "app",
        "Retention sweeps, their records and legal holds.",
    ),
    "fulfillment": Sub(
        "mamori.cli.datamap",
        "fulfillment_app",
        "Find, correct, suspend and erase a person's data across systems.",
    ),
    "worker": Sub(
        "mamori.cli.worker",
        "app",
        "Run and inspect the durable background queue.",
    ),
    "keys": Sub(
        "mamori.cli.keys",
        "app",
        "Generate keys, rotate the encryption key, show what is under which key.",
    ),
}

DEV_KEYS_HELP = "Start on the public development keys (development only; same as MAMORI_ALLOW_DEV_KEYS=true)."


def load_group(name: str) -> TyperGroup:
    """Import the module of the command group ``name`` and build its click command."""
    sub = SUBCOMMANDS[name]
    command = typer.main.get_group(getattr(importlib.import_module(sub.module), sub.attr))
    command.name = name
    return command


class LazyGroup(TyperGroup):
    """The root group: lists the groups from :data:`SUBCOMMANDS`, imports one only to run it."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*super().list_commands(ctx), *SUBCOMMANDS]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in SUBCOMMANDS:  # for listing and completion: the name and help only
            return TyperGroup(name=cmd_name, help=SUBCOMMANDS[cmd_name].help)
        return super().get_command(ctx, cmd_name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] in SUBCOMMANDS:
            return args[0], load_group(args[0]), args[1:]
        return super().resolve_command(ctx, args)


app = typer.Typer(
    cls=LazyGroup,
    name="mamori",
    help="Mamori: personal-information protection management. The privacy policy as code.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: rendering it with rich costs more than everything else the root does
)


def serve_app(*, host: str, port: int) -> None:
    import uvicorn

    from mamori.api.app import create_app

    # proxy_headers=False: uvicorn would otherwise take the client from X-Forwarded-For of any
    # loopback peer; Mamori believes that header only from MAMORI_TRUSTED_PROXIES (mamori.api.limits).
    uvicorn.run(create_app(), host=host, port=port, log_level="info", proxy_headers=False)


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
    from mamori.cli.guard import require_real_keys
    from mamori.config import get_settings

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
    reset_passwords: bool = typer.Option(
        False, "--reset-passwords", help="New passwords and token for the sample staff (else kept)."
    ),
    customers: int = typer.Option(3000, min=1, max=200000, help="Customers of a new example shop."),
) -> None:
    """Create the database, the example shop, publish the default policy, add staff and sample data; serve.

    A second run keeps the data, the shop and the passwords (printed again from mamori-demo.json).
    """
    from mamori.cli.demo import run_demo

    run_demo(serve=not no_serve, host=host, port=port, reset_passwords=reset_passwords, customers=customers)


@app.command()
def doctor() -> None:
    """Check what an operator must set before going live; exit 1 on any PROBLEM.

    Keys, public address, mail, database, files directory, trusted proxies: each line says OK,
    WARNING or PROBLEM, and how to fix it. Example: mamori doctor.
    """
    from mamori.cli.doctor import doctor as check

    check()


def run() -> None:
    app()
