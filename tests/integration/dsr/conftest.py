"""Settings whose encrypted files go to the test's own directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from mamori.config import Settings

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"ID-FRONT-" * 50
PDF = b"%PDF-1.4\n% power of attorney\n" + b"POWER-OF-ATTORNEY " * 40
JPEG = b"\xff\xd8\xff\xe0" + b"FAMILY-REGISTER " * 40


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(  # type: ignore[call-arg]
        database_url=database_url, mail_backend="null", files_dir=tmp_path / "files", _env_file=None
    )


def all_file_bytes(root: Path) -> bytes:
    """Every byte under ``root``: what someone reading the disk would see."""
    return b"".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())
