"""Field encryption (AES-256-GCM with key ids for rotation) and keyed blind indexes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from mamori.config import Settings

_NONCE = 12
_KEY_BYTES = 32


class CryptoConfigError(ValueError):
    """The configured keys cannot be used."""


@dataclass(frozen=True)
class FieldCipher:
    """Encrypts short texts as ``keyid:base64(nonce|ciphertext)``; decrypts with any known key."""

    keys: dict[str, bytes]
    current: str

    def _aead(self, key_id: str) -> AESGCM:
        return _aesgcm(self.keys[key_id])

    def encrypt(self, plaintext: str, *, context: str = "") -> str:
        nonce = os.urandom(_NONCE)
        sealed = self._aead(self.current).encrypt(nonce, plaintext.encode(), context.encode())
        return f"{self.current}:{base64.b64encode(nonce + sealed).decode()}"

    def decrypt(self, token: str, *, context: str = "") -> str:
        key_id, _, payload = token.partition(":")
        if key_id not in self.keys:
            raise CryptoConfigError(f"unknown encryption key id {key_id!r}")
        raw = base64.b64decode(payload)
        return self._aead(key_id).decrypt(raw[:_NONCE], raw[_NONCE:], context.encode()).decode()


@lru_cache(maxsize=16)
def _aesgcm(key: bytes) -> AESGCM:
    return AESGCM(key)


def cipher_from_settings(settings: Settings) -> FieldCipher:
    """Keys from ``MAMORI_ENCRYPTION_KEYS``; without them a development key derived from the secret."""
    spec = settings.encryption_keys.get_secret_value().strip()
    if not spec:
        derived = hashlib.sha256(b"mamori-dev-field-key|" + settings.secret_key.get_secret_value().encode())
        return FieldCipher(keys={"dev": derived.digest()}, current="dev")
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for part in spec.split(","):
        key_id, sep, encoded = part.strip().partition(":")
        if not sep or not key_id:
            raise CryptoConfigError("MAMORI_ENCRYPTION_KEYS entries look like 'id:base64key'")
        key = base64.b64decode(encoded)
        if len(key) != _KEY_BYTES:
            raise CryptoConfigError(f"key {key_id!r} must be 32 bytes (AES-256)")
        keys[key_id] = key
        order.append(key_id)
    return FieldCipher(keys=keys, current=order[0])


def blind_index(settings: Settings, kind: str, normalised: str) -> str:
    """HMAC-SHA256 of a normalised value, scoped by ``kind``, for equality lookups of encrypted data."""
    key = settings.secret_key.get_secret_value().encode()
    return hmac.new(key, f"{kind}\x1f{normalised}".encode(), hashlib.sha256).hexdigest()


def new_key() -> str:
    """A fresh base64 AES-256 key for ``MAMORI_ENCRYPTION_KEYS``."""
    return base64.b64encode(os.urandom(_KEY_BYTES)).decode()
