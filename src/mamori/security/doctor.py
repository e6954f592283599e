"""``mamori doctor``: what an operator must set before going live, checked one setting at a time.

Each check gives OK, WARNING (allowed, but know what it means) or PROBLEM (must be fixed before
real personal data goes in), with the fix. Only the settings and the files directory are read:
no database connection, so it runs before the first ``mamori db upgrade`` too.
"""

from __future__ import annotations

import ipaddress
import stat
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from mamori.config import Settings
from mamori.security.crypto import CryptoConfigError, cipher_from_settings
from mamori.security.keys import KEY_ID, MIN_SECRET_LENGTH, default_secret

GENERATE = "run 'mamori keys generate --out FILE' and load FILE into the environment"


class Level(StrEnum):
    OK = "OK"
    WARNING = "WARNING"
    PROBLEM = "PROBLEM"


@dataclass(frozen=True)
class Check:
    name: str
    level: Level
    message: str
    fix: str = ""


def _ok(name: str, message: str) -> Check:
    return Check(name, Level.OK, message)


def check_secret_key(settings: Settings) -> Check:
    name, secret = "MAMORI_SECRET_KEY", settings.secret_key.get_secret_value()
    if secret == default_secret():
        return Check(name, Level.PROBLEM, "is the development value from the public source", GENERATE)
    if len(secret) < MIN_SECRET_LENGTH:
        return Check(name, Level.PROBLEM, f"is shorter than {MIN_SECRET_LENGTH} characters", GENERATE)
    return _ok(name, "set, not the development value")


def check_encryption_keys(settings: Settings) -> Check:
    name, spec = "MAMORI_ENCRYPTION_KEYS", settings.encryption_keys.get_secret_value().strip()
    if not spec:
        return Check(name, Level.PROBLEM, "not set: the key is derived from the secret key", GENERATE)
    try:
        cipher = cipher_from_settings(settings)
    except (CryptoConfigError, ValueError) as exc:
        return Check(name, Level.PROBLEM, f"cannot be used: {exc}", "entries are 'id:base64 of 32 bytes'")
    bad = [key_id for key_id in cipher.keys if not KEY_ID.match(key_id)]
    if bad:
        return Check(name, Level.PROBLEM, f"bad key id {bad[0]!r}", "ids are letters, digits, '.', '-'")
    return _ok(name, f"{len(cipher.keys)} AES-256 key(s), new values under {cipher.current!r}")


def check_audit_key(settings: Settings) -> Check:
    if not settings.audit_key.get_secret_value().strip():
        return Check("MAMORI_AUDIT_KEY", Level.PROBLEM, "not set: derived from the secret key", GENERATE)
    return _ok("MAMORI_AUDIT_KEY", "set")


def check_public_base_url(settings: Settings) -> Check:
    name, url = "MAMORI_PUBLIC_BASE_URL", settings.public_base_url.strip()
    fix = "set it to the https address people reach Mamori at, e.g. https://privacy.example.jp"
    if not url:
        return Check(
            name, Level.PROBLEM, "not set: links in mails and letters would use http://HOST:PORT", fix
        )
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        return Check(name, Level.PROBLEM, f"{url!r} is not an https address", fix)
    return _ok(name, url)


def check_allow_dev_keys(settings: Settings) -> Check:
    if settings.allow_dev_keys:
        return Check(
            "MAMORI_ALLOW_DEV_KEYS", Level.PROBLEM, "is true: servers would start on development keys",
            "remove it (or set it to false)",
        )  # fmt: skip
    return _ok("MAMORI_ALLOW_DEV_KEYS", "false")


def check_mail_backend(settings: Settings) -> Check:
    if settings.mail_backend != "smtp":
        return Check(
            "MAMORI_MAIL_BACKEND", Level.PROBLEM, f"is {settings.mail_backend!r}: no mail reaches anyone",
            "set it to smtp with MAMORI_SMTP_HOST (and port, login, STARTTLS)",
        )  # fmt: skip
    return _ok("MAMORI_MAIL_BACKEND", f"smtp via {settings.smtp_host}:{settings.smtp_port}")


def check_database(settings: Settings) -> Check:
    if settings.database_url.startswith("sqlite"):
        return Check(
            "MAMORI_DATABASE_URL", Level.WARNING,
            "SQLite: one machine, one writer; fine for a small office, not for several servers",
            "PostgreSQL for production: postgresql+psycopg://USER@HOST/mamori",
        )  # fmt: skip
    return _ok("MAMORI_DATABASE_URL", settings.database_url.split("://", 1)[0])


def check_files_dir(settings: Settings) -> Check:
    name, path = "MAMORI_FILES_DIR", settings.files_dir
    fix = f"mkdir -p -m 700 {path} (owned by the user Mamori runs as)"
    if not path.is_dir():
        return Check(name, Level.PROBLEM, f"{path} does not exist", fix)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o007:
        return Check(
            name, Level.PROBLEM, f"{path} is open to every user (mode {mode:o})", f"chmod o-rwx {path}"
        )
    return _ok(name, f"{path} (mode {mode:o})")


def check_trusted_proxies(settings: Settings) -> Check:
    name = "MAMORI_TRUSTED_PROXIES"
    entries = [e.strip() for e in settings.trusted_proxies.split(",") if e.strip()]
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            return Check(
                name, Level.PROBLEM, f"{entry!r} is not an address or network", "e.g. 10.0.0.5,10.1.0.0/16"
            )
    return _ok(name, ", ".join(entries) if entries else "none (X-Forwarded-For is never believed)")


CHECKS: tuple[Callable[[Settings], Check], ...] = (
    check_secret_key,
    check_encryption_keys,
    check_audit_key,
    check_allow_dev_keys,
    check_public_base_url,
    check_mail_backend,
    check_database,
    check_files_dir,
    check_trusted_proxies,
)


def run_checks(settings: Settings) -> list[Check]:
    """Every check, in the order the operator guide lists them."""
    return [check(settings) for check in CHECKS]
