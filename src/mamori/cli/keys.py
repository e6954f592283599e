"""``mamori keys …``: generate a key set, rotate the encryption key, see what is under which key."""

from __future__ import annotations

import os
import time
from pathlib import Path

import typer

from mamori.cli.common import cli_actor, session_scope
from mamori.config import get_settings
from mamori.db.session import make_engine, make_session_factory
from mamori.security.crypto import CryptoConfigError, FieldCipher, cipher_from_settings
from mamori.security.keys import dev_key_problems, generate_env
from mamori.security.rotation import Files, Rotation, RotationError, key_counts, remaining

app = typer.Typer(
    help="Generate keys, rotate the encryption key, show what is under which key.", no_args_is_help=True
)


@app.command("generate")
def generate_cmd(
    out: Path = typer.Option(None, "--out", help="Write to this file (mode 0600) instead of printing."),
    force: bool = typer.Option(False, "--force", help="Overwrite --out if it exists."),
    key_id: str = typer.Option(None, "--key-id", help="Id of the encryption key; default k<date><random>."),
) -> None:
    """A new key set in .env format: MAMORI_SECRET_KEY, MAMORI_ENCRYPTION_KEYS, MAMORI_AUDIT_KEY.

    From the operating system's random source. Keep it out of database backups. To rotate, put
    the new encryption key first in MAMORI_ENCRYPTION_KEYS and keep the old ones after it.
    Example: mamori keys generate --out /etc/mamori/keys.env.
    """
    try:
        text = generate_env(key_id)
    except ValueError as exc:
        typer.secho(f"error: {exc}", fg="red", err=True)
        raise typer.Exit(2) from None
    if out is None:
        typer.echo(text, nl=False)
        return
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if force else os.O_EXCL)
    try:
        fd = os.open(out, flags, 0o600)
    except FileExistsError:
        typer.secho(
            f"error: {out} exists; keys in it may be in use (--force to overwrite)", fg="red", err=True
        )
        raise typer.Exit(4) from None
    os.fchmod(fd, 0o600)  # also when --force reuses a file made with looser rights
    with os.fdopen(fd, "w") as file:
        file.write(text)
    typer.echo(f"wrote a new key set to {out} (mode 600)")


@app.command("status")
def status_cmd() -> None:
    """How many encrypted values and files are under each key id, per column.

    A key id that holds nothing any more can be removed from MAMORI_ENCRYPTION_KEYS.
    Example: mamori keys status.
    """
    settings = get_settings()
    cipher = _cipher()
    with session_scope(settings) as session:
        counts = key_counts(session, Files.open(settings))
    totals: dict[str, int] = {}
    for label, counter in counts.items():
        if counter:
            typer.echo(f"{label:<48} " + "  ".join(f"{k}: {n}" for k, n in sorted(counter.items())))
        for key_id, n in counter.items():
            totals[key_id] = totals.get(key_id, 0) + n
    typer.echo(f"encrypting with: {cipher.current}")
    for key_id in dict.fromkeys([*cipher.keys, *totals]):
        held = totals.get(key_id, 0)
        note = "current" if key_id == cipher.current else "can be removed" if not held else "still in use"
        if key_id not in cipher.keys:
            note = "NOT CONFIGURED: these values cannot be read"
        typer.echo(f"  {key_id}: {held} value(s) ({note})")


@app.command("rotate")
def rotate_cmd(
    new_key_id: str = typer.Option(
        None, "--new-key-id", help="Refuse unless this is the first key of MAMORI_ENCRYPTION_KEYS."
    ),
    batch_size: int = typer.Option(500, min=1, max=100_000, help="Values per transaction."),
) -> None:
    """Re-encrypt every encrypted value and file under the first key of MAMORI_ENCRYPTION_KEYS.

    Put the new key first and keep the old ones after it. Progress goes to standard error. Each
    batch commits with its audit event; killed, it resumes where it stopped when run again.
    Then 'mamori keys status' shows the old keys hold nothing and they can be removed.
    Example: MAMORI_ENCRYPTION_KEYS=k2027:NEW,k2026:OLD mamori keys rotate --new-key-id k2027.
    """
    settings = get_settings()
    if dev_key_problems(settings) and not settings.encryption_keys.get_secret_value().strip():
        typer.secho("error: MAMORI_ENCRYPTION_KEYS is not set; rotation needs real keys", fg="red", err=True)
        raise typer.Exit(2)
    cipher = _cipher()
    if new_key_id is not None and new_key_id != cipher.current:
        typer.secho(
            f"error: the first key of MAMORI_ENCRYPTION_KEYS is {cipher.current!r}, not {new_key_id!r}",
            fg="red", err=True,
        )  # fmt: skip
        raise typer.Exit(2)
    files = Files.open(settings)
    with session_scope(settings) as session:
        total = remaining(session, files, cipher.current)
    typer.echo(f"{total} value(s) and file(s) to re-encrypt under {cipher.current!r}", err=True)
    engine = make_engine(settings.database_url)
    progress = _Progress(total)
    try:
        Rotation(make_session_factory(engine), cipher, files, cli_actor(), batch_size).run(progress)
    except RotationError as exc:
        typer.secho(f"error: {exc}; is its key in MAMORI_ENCRYPTION_KEYS?", fg="red", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    typer.echo(f"done: {progress.done} re-encrypted; everything is under {cipher.current!r}")


class _Progress:
    """Rows done / total and the rate, on standard error, at most twice a second."""

    def __init__(self, total: int) -> None:
        self.total, self.done = total, 0
        self.started = self.shown = time.monotonic()

    def __call__(self, done: int) -> None:
        self.done += done
        now = time.monotonic()
        if now - self.shown < 0.5 and self.done < self.total:  # noqa: PLR2004 - seconds
            return
        self.shown = now
        rate = self.done / max(now - self.started, 1e-6)
        typer.echo(f"re-encrypted {self.done}/{self.total} ({rate:,.0f}/s)", err=True)


def _cipher() -> FieldCipher:
    try:
        return cipher_from_settings(get_settings())
    except (CryptoConfigError, ValueError) as exc:
        typer.secho(f"error: MAMORI_ENCRYPTION_KEYS: {exc}", fg="red", err=True)
        raise typer.Exit(2) from None
