"""Helpers to make variants of the default bundle in a temporary directory."""

from __future__ import annotations

import shutil
from pathlib import Path

from mamori.config import DEFAULT_POLICY_DIR


def copy_default_bundle(target: Path) -> Path:
    """Copy the default bundle to ``target/bundle`` and return that directory."""
    destination = target / "bundle"
    shutil.copytree(DEFAULT_POLICY_DIR, destination)
    return destination


def edit(directory: Path, file: str, old: str, new: str, count: int = 1) -> None:
    """Replace ``old`` by ``new`` in one bundle file; fail loudly if ``old`` is absent."""
    path = directory / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {file}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
