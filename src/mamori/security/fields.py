"""A column type that stores staff free text encrypted with the field keys.

Free-text fields on a person's records (why use was suspended, where consent evidence is kept)
hold personal data as often as not. They are written and read in many places that have no
``Settings`` at hand, so the type encrypts on write and decrypts on read with the keys of the
process (:func:`mamori.config.get_settings`), bound to the column by ``context``. ``None`` and
the empty string are kept as they are: there is nothing to hide, and erasure writes them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Dialect, Text
from sqlalchemy.types import TypeDecorator

from mamori.config import get_settings
from mamori.security.crypto import cipher_from_settings


class EncryptedText(TypeDecorator[str]):
    """Text encrypted as ``keyid:base64`` (AES-256-GCM) with ``context`` as associated data."""

    impl = Text
    cache_ok = True

    def __init__(self, context: str) -> None:
        super().__init__()
        self.context = context

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        del dialect
        if not value:
            return value  # type: ignore[no-any-return]
        return cipher_from_settings(get_settings()).encrypt(str(value), context=self.context)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        del dialect
        if not value:
            return value  # type: ignore[no-any-return]
        return cipher_from_settings(get_settings()).decrypt(str(value), context=self.context)
