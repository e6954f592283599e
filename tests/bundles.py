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


def justify(directory: Path, purpose: str, kind: str = "reasonably_related") -> None:
    """Add the author's justification a widened or reworded ``purpose`` needs before it is published."""
    with (directory / "bundle.yaml").open("a", encoding="utf-8") as handle:
        handle.write(
            f"\nchange_justifications:\n  - purpose: {purpose}\n    kind: {kind}\n    text:\n"
            "      ja: 従来の利用目的と合理的に関連する変更です。\n"
            '      en: "The change is reasonably related to the purpose as it was."\n'
            "      zh-Hans: 此变更与原使用目的具有合理关联。\n"
            "      zh-Hant: 此變更與原利用目的具有合理關聯。\n"
        )
