"""A system kept in files (``members.csv`` or ``members.jsonl``) with many people, and its bundle.

Member k has e-mail ``member{k}@example.jp`` and the name ``会員 花子{k}``. The file is large
enough that rewriting it takes a while, so runs that rewrite it at once really overlap.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

from mamori.config import DEFAULT_POLICY_DIR

TEXT = "{ja: 会員名簿, en: Member list, zh-Hans: 会员名册, zh-Hant: 會員名冊}"
SYSTEM = f"""id: members
name: {TEXT}
connection: {{kind: KIND, path_env: MEMBERS_DIR}}
location: {TEXT}
datasets:
  - id: members
    name: {TEXT}
    fields:
      - {{name: id}}
      - {{name: email, item: email, identity: email, erasure: delete}}
      - {{name: name, item: name, erasure: delete}}
      - {{name: note, item: inquiry_content, erasure: delete}}
"""
COLUMNS = ("id", "email", "name", "note")


def member(k: int) -> dict[str, str]:
    return {"id": str(k), "email": f"member{k}@example.jp", "name": f"会員 花子{k}", "note": "連絡事項" * 20}


def write_members(folder: Path, kind: str, n: int) -> Path:
    """``members.<kind>`` with ``n`` members in ``folder``; its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"members.{kind}"
    with path.open("w", encoding="utf-8", newline="") as handle:
        if kind == "csv":
            writer = csv.DictWriter(handle, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(member(k) for k in range(1, n + 1))
        else:
            handle.writelines(json.dumps(member(k), ensure_ascii=False) + "\n" for k in range(1, n + 1))
    return path


def read_members(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        if path.suffix == ".csv":
            return list(csv.DictReader(handle))
        return [json.loads(line) for line in handle if line.strip()]


def members_bundle(tmp_path: Path, kind: str) -> Path:
    """The default policy with the members system as its whole data map."""
    bundle = tmp_path / "bundle"
    shutil.copytree(DEFAULT_POLICY_DIR, bundle)
    (bundle / "datamap").mkdir()
    (bundle / "datamap" / "members.yaml").write_text(SYSTEM.replace("KIND", kind), encoding="utf-8")
    return bundle


def temp_copies(folder: Path) -> list[Path]:
    """Temporary copies a rewrite leaves beside the files (``.members.csv.XXXX``), lock files aside."""
    return sorted(p for p in folder.glob(".members.*") if not p.name.endswith(".lock"))
