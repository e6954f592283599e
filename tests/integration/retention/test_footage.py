"""Camera footage in a ``files`` system: files past retention are deleted and verified gone."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy.orm import Session

from mamori.config import DEFAULT_POLICY_DIR, Settings
from mamori.fulfillment.runner import close_connectors
from mamori.policy.service import publish_bundle
from mamori.retention import service
from mamori.retention.holds import place_hold
from mamori.security.crypto import cipher_from_settings

DAY = 86400
FOOTAGE = {
    "id": "footage",
    "name": {
        "ja": "防犯カメラ映像",
        "en": "Camera footage",
        "zh-Hans": "摄像头录像",
        "zh-Hant": "攝影機錄影",
    },
    "connection": {"kind": "files", "path_env": "FOOTAGE_DIR"},
    "location": {"ja": "店舗NVR", "en": "Shop recorder", "zh-Hans": "门店录像机", "zh-Hant": "門市錄影機"},
    "datasets": [
        {
            "id": "entrance",
            "name": {"ja": "出入口", "en": "Entrance", "zh-Hans": "出入口", "zh-Hant": "出入口"},
            "primary_key": ["path"],
            "purposes": ["customer.camera_analysis"],
            "retention": "P30D",
            "expiry": {"action": "delete"},
            "fields": [{"name": "path", "item": "camera_image", "erasure": "delete"}],
        }
    ],
}


@pytest.fixture
def footage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, session: Session) -> Iterator[Path]:
    """Six files: three 40 days old (two in a sub-folder), three from the last two days."""
    store = tmp_path / "nvr"
    now = time.time()
    for name, days in [
        ("2026-10-01/0900.mp4", 40),
        ("2026-10-01/0910.mp4", 40),
        ("old.mp4", 45),
        ("2026-12-07/0900.mp4", 1),
        ("new.mp4", 0),
        ("edge.mp4", 29),
    ]:
        path = store / "entrance" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\x00" * 16)
        os.utime(path, (now - days * DAY, now - days * DAY))
    bundle = tmp_path / "bundle"
    shutil.copytree(DEFAULT_POLICY_DIR, bundle)
    (bundle / "datamap").mkdir(exist_ok=True)
    (bundle / "datamap" / "footage.yaml").write_text(
        yaml.safe_dump(FOOTAGE, allow_unicode=True), encoding="utf-8"
    )
    cameras = yaml.safe_load((bundle / "cameras.yaml").read_text(encoding="utf-8"))
    cameras["cameras"]["register"][0]["footage"] = "footage.entrance"
    (bundle / "cameras.yaml").write_text(yaml.safe_dump(cameras, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("FOOTAGE_DIR", str(store))
    publish_bundle(session, actor="user:officer", directory=bundle)
    yield store / "entrance"
    close_connectors()


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


class TestFootageSweep:
    def test_dry_run_lists_and_keeps(self, session: Session, settings: Settings, footage: Path) -> None:
        run = service.start_run(session, actor="user:officer", dry_run=True)
        service.execute_run(session, settings, run.id)
        table = next(t for t in service.run_dict(session, run)["tables"] if t["dataset"] == "entrance")
        assert (table["expired"], table["changed"]) == (3, 0)
        assert len(_files(footage)) == 6

    def test_files_past_retention_are_deleted_and_verified(
        self, session: Session, settings: Settings, footage: Path
    ) -> None:
        run = service.start_run(session, actor="user:officer", dry_run=False)
        service.execute_run(session, settings, run.id, batch=2)
        result = service.run_dict(session, run)
        assert _files(footage) == ["2026-12-07/0900.mp4", "edge.mp4", "new.mp4"]
        table = next(t for t in result["tables"] if t["dataset"] == "entrance")
        assert (table["expired"], table["changed"], table["residual"], table["status"]) == (3, 3, 0, "done")
        assert table["items"] == ["camera_image"]

    def test_a_hold_on_the_footage_keeps_every_file(
        self, session: Session, settings: Settings, footage: Path
    ) -> None:
        place_hold(
            session,
            cipher_from_settings(settings),
            actor="user:officer",
            reason="theft under investigation",
            system="footage",
            dataset="entrance",
        )
        run = service.start_run(session, actor="user:officer", dry_run=False)
        service.execute_run(session, settings, run.id)
        table = next(t for t in service.run_dict(session, run)["tables"] if t["dataset"] == "entrance")
        assert (table["expired"], table["changed"], table["held"]) == (3, 0, 3)
        assert len(_files(footage)) == 6
