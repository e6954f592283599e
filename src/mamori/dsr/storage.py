"""Files kept encrypted on disk (AES-256-GCM with the field keys): uploaded documents and letters.

A file is ``MAGIC | len(key id) | key id | nonce | ciphertext``; the context (``dsr.document:<id>``)
is bound as associated data, so a file cannot be passed off as another one. Nothing is ever
written in clear, not even temporarily.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from mamori.config import Settings
from mamori.security.crypto import CryptoConfigError, FieldCipher, cipher_from_settings

MAGIC = b"MMRF1"
_NONCE = 12
SUBDIR = "dsr"

# Content is recognised by its first bytes, never by a file name or a declared type.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def sniff(data: bytes) -> str | None:
    """The content type of ``data`` (PDF, JPEG, PNG) or None when it is none of them."""
    return next((kind for magic, kind in SIGNATURES if data.startswith(magic)), None)


@dataclass(frozen=True)
class SealedFiles:
    directory: Path
    cipher: FieldCipher

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / key

    def put(self, data: bytes, *, context: str) -> str:
        """Encrypt and store ``data``; returns the storage key."""
        key = uuid.uuid4().hex
        nonce = os.urandom(_NONCE)
        key_id = self.cipher.current.encode()
        sealed = AESGCM(self.cipher.keys[self.cipher.current]).encrypt(nonce, data, context.encode())
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        partial = path.with_suffix(".part")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(MAGIC + bytes([len(key_id)]) + key_id + nonce + sealed)
        partial.replace(path)
        return key

    def get(self, key: str, *, context: str) -> bytes:
        """Decrypt a stored file. Raises FileNotFoundError, or CryptoConfigError for a foreign file."""
        raw = self._path(key).read_bytes()
        if not raw.startswith(MAGIC):
            raise CryptoConfigError("not a Mamori encrypted file")
        at = len(MAGIC)
        key_id = raw[at + 1 : at + 1 + raw[at]].decode()
        if key_id not in self.cipher.keys:
            raise CryptoConfigError(f"unknown encryption key id {key_id!r}")
        body = raw[at + 1 + raw[at] :]
        return AESGCM(self.cipher.keys[key_id]).decrypt(body[:_NONCE], body[_NONCE:], context.encode())

    def key_id(self, key: str) -> str:
        """The id of the key a stored file is encrypted with (read from its header)."""
        with self._path(key).open("rb") as stored:
            head = stored.read(len(MAGIC) + 256)
        if not head.startswith(MAGIC):
            raise CryptoConfigError("not a Mamori encrypted file")
        at = len(MAGIC)
        return head[at + 1 : at + 1 + head[at]].decode()

    def reseal(self, key: str, *, context: str) -> bool:
        """Encrypt a stored file again under the current key, in place; False when it already was.

        The new file is written beside the old one and renamed over it, so a kill leaves either.
        """
        if self.key_id(key) == self.cipher.current:
            return False
        data = self.get(key, context=context)
        nonce, key_id = os.urandom(_NONCE), self.cipher.current.encode()
        sealed = AESGCM(self.cipher.keys[self.cipher.current]).encrypt(nonce, data, context.encode())
        path = self._path(key)
        partial = path.with_suffix(".part")  # a leftover of a killed run is overwritten
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(MAGIC + bytes([len(key_id)]) + key_id + nonce + sealed)
            out.flush()
            os.fsync(out.fileno())
        partial.replace(path)
        return True

    def delete(self, key: str) -> bool:
        """Remove a stored file; False when it was already gone."""
        try:
            self._path(key).unlink()
        except FileNotFoundError:
            return False
        return True


def sealed_files(settings: Settings) -> SealedFiles:
    """The dsr file store under ``MAMORI_FILES_DIR``."""
    return SealedFiles(directory=Path(settings.files_dir) / SUBDIR, cipher=cipher_from_settings(settings))
