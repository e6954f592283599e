"""The key set of a deployment: is it the public development one, and a fresh one for ``.env``.

With ``MAMORI_SECRET_KEY`` unset the secret is a string in the public source, and with
``MAMORI_ENCRYPTION_KEYS`` unset the field key is derived from it: anyone with the source and a
copy of the database could read every encrypted value. Servers and workers refuse such a key set
unless the operator says it is a development setup (``MAMORI_ALLOW_DEV_KEYS``, ``--dev-keys``).
"""

from __future__ import annotations

import base64
import re
import secrets

from mamori.config import Settings

KEY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{0,31}$")
MIN_SECRET_LENGTH = 32


def default_secret() -> str:
    """The development secret written in the source (``Settings.secret_key``'s default)."""
    default = Settings.model_fields["secret_key"].default
    return str(default.get_secret_value())


def dev_key_problems(settings: Settings) -> list[str]:
    """Why the key set is the development one (empty when it is the operator's own)."""
    problems = []
    if settings.secret_key.get_secret_value() == default_secret():
        problems.append("MAMORI_SECRET_KEY is the development value written in Mamori's public source")
    if not settings.encryption_keys.get_secret_value().strip():
        problems.append(
            "MAMORI_ENCRYPTION_KEYS is not set, so the encryption key is derived from the secret key"
        )
    return problems


def new_key_id(prefix: str = "k") -> str:
    """A key id that names when it was made, e.g. ``k20261207a1b2``: sortable, unique enough."""
    from datetime import UTC, datetime

    return f"{prefix}{datetime.now(UTC):%Y%m%d}{secrets.token_hex(2)}"


def generate_env(key_id: str | None = None) -> str:
    """A new key set as ``.env`` lines: secret key, one AES-256 encryption key, audit key."""
    key_id = key_id or new_key_id()
    if not KEY_ID.match(key_id):
        msg = "a key id is 1 to 32 letters, digits, '.' or '-', starting with a letter or digit"
        raise ValueError(msg)
    aes = base64.b64encode(secrets.token_bytes(32)).decode()
    return (
        "# Mamori key set. Keep this file out of the database backups and back it up separately:\n"
        "# without these keys the encrypted data cannot be read.\n"
        f"MAMORI_SECRET_KEY={secrets.token_urlsafe(48)}\n"
        f"MAMORI_ENCRYPTION_KEYS={key_id}:{aes}\n"
        f"MAMORI_AUDIT_KEY={secrets.token_urlsafe(48)}\n"
    )
