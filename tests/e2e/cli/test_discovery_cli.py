"""`mamori discovery …` as an operator runs it: the shop database and a file share with planted data."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import create_engine
from weasyprint import HTML

from tests.factories.fulfillment import load_shop, set_kind, shop_bundle

NOTE = "山田太郎様 090-1234-5678 yamada@example.jp"


@pytest.fixture
def world(tmp_path: Path) -> dict[str, Any]:
    """The shop on SQLite with an unmapped notes table and a notes-like street, and a share of files."""
    engine = create_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    load_shop(engine, 12)
    engine.dispose()
    with sqlite3.connect(tmp_path / "shop.db") as conn:
        conn.execute("CREATE TABLE support_note (id INTEGER PRIMARY KEY, body TEXT, created TEXT)")
        conn.executemany(
            "INSERT INTO support_note (body, created) VALUES (?, ?)",
            [
                (NOTE, "2024-05-01"),
                ("配送についての問い合わせ。注文番号 1234-5678-9012", "2024-05-02"),
                ("マイナンバー 1234 5678 9018 を受領", "2024-05-03"),
            ],
        )
        conn.execute("UPDATE address SET street = '電話 03-3456-7890 まで連絡' WHERE id = 3")
    share = tmp_path / "share"
    (share / "exports").mkdir(parents=True)
    (share / "exports" / "members.csv").write_text(
        "id,memo\n1,連絡先 yamada@example.jp\n2,カード 4111 1111 1111 1111 で決済\n", encoding="utf-8"
    )
    (share / "call.log").write_text("2024-05-01 着信 090-8765-4321 佐藤花子様\n通常ログ\n", encoding="utf-8")
    (share / "orders.jsonl").write_text(
        json.dumps({"note": "收件人：王小明 手机：138 1234 5678"}) + "\n", "utf-8"
    )
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["氏名", "住所"])
    sheet.append(["鈴木一郎様", "東京都渋谷区渋谷2丁目21-1"])
    book.save(share / "list.xlsx")
    html = "<p>返品依頼 佐藤花子様 携帯 080-2345-6789</p><p>注文日 2024年5月1日</p>"
    (share / "returns.pdf").write_bytes(HTML(string=html).write_pdf())
    bundle = shop_bundle(tmp_path, only=("shop",))
    set_kind(bundle, "shop", "sqlite")
    (bundle / "discovery.yaml").write_text("discovery:\n  company_phones: ['0120-123-456']\n", "utf-8")
    database = f"sqlite:///{tmp_path / 'mamori.db'}"
    env = {"SHOP_DB_URL": f"sqlite:///{tmp_path / 'shop.db'}"}
    assert mamori(database, "db", "upgrade", env=env).returncode == 0
    return {"bundle": bundle, "share": share, "database": database, "env": env, "tmp": tmp_path}


def mamori(database: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "MAMORI_DATABASE_URL": database, "MAMORI_MAIL_BACKEND": "null", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "mamori", *args],
        capture_output=True,
        text=True,
        env=full,
        timeout=180,
        check=False,
    )


class TestDetect:
    def test_the_note_the_name_check_missed_is_found(self) -> None:
        result = mamori("sqlite://", "discovery", "detect", NOTE)
        assert result.returncode == 0, result.stderr
        found = [json.loads(line) for line in result.stdout.splitlines()]
        assert [(f["type"], NOTE[f["start"] : f["end"]]) for f in found] == [
            ("person_name", "山田太郎"), ("phone", "090-1234-5678"), ("email", "yamada@example.jp"),
        ]  # fmt: skip

    def test_a_company_number_is_quiet(self) -> None:
        text = "お問い合わせは 0120-123-456 まで"
        assert mamori("sqlite://", "discovery", "detect", text).stdout.strip()
        assert not mamori(
            "sqlite://", "discovery", "detect", text, "--company-phone", "0120123456"
        ).stdout.strip()


class TestScan:
    def test_every_plant_is_found_and_reported_against_the_map(self, world: dict[str, Any]) -> None:
        db, env, bundle = world["database"], world["env"], str(world["bundle"])
        scan = mamori(db, "discovery", "scan", "--bundle", bundle, "--files", str(world["share"]), env=env)
        assert scan.returncode == 0, scan.stderr
        scan_id = scan.stdout.strip().splitlines()[-1]
        assert "sources" in scan.stderr  # progress on the terminal
        report = mamori(db, "discovery", "report", scan_id, "--bundle", bundle, "--format", "json", env=env)
        assert report.returncode == 0, report.stderr
        found = {(f["kind"], f["source"], f["column"]): f for f in json.loads(report.stdout)}
        assert set(found[("unmapped_personal", "shop.support_note", "body")]["types"]) >= {
            "person_name", "phone", "email",
        }  # fmt: skip
        assert ("my_number", "shop.support_note", "body") in found
        assert found[("more_than_declared", "shop.address", "street")]["proposed"] == ["phone"]
        files = {(s, c) for k, s, c in found if k == "file_personal"}
        assert files == {
            ("files:share/exports/members.csv", "memo"), ("files:share/call.log", "text"),
            ("files:share/orders.jsonl", "note"), ("files:share/list.xlsx", "Sheet.氏名"),
            ("files:share/list.xlsx", "Sheet.住所"),
            ("files:share/returns.pdf", "text"),
        }  # fmt: skip
        # Mapped columns holding what they declare, and the order note, raise nothing.
        assert not [k for k in found if k[1] == "shop.customer"]
        diff = mamori(db, "discovery", "diff", scan_id, "--bundle", bundle, env=env)
        assert "shop.support_note:" in diff.stdout
        assert "item: name" in diff.stdout
        assert "also holds phone, email" in diff.stdout
        csv_report = mamori(db, "discovery", "report", scan_id, "--bundle", bundle, env=env)
        assert "unmapped_personal,shop.support_note,body" in csv_report.stdout
        with sqlite3.connect(str(db).removeprefix("sqlite:///")) as conn:
            stored = [r[0] for r in conn.execute("SELECT value_hash FROM discovery_spans")]
            dumped = "\n".join(conn.iterdump())
        assert stored
        assert "090-1234-5678" not in dumped
        assert "yamada@example.jp" not in dumped

    def test_a_scan_killed_mid_way_resumes_and_counts_each_row_once(self, world: dict[str, Any]) -> None:
        share = world["tmp"] / "big"
        share.mkdir()
        lines = [f"{k}: 問い合わせ 090-{k:04d}-5678" for k in range(60)]
        (share / "calls.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        db = str(world["database"])
        full = {**os.environ, "MAMORI_DATABASE_URL": db, **world["env"]}
        args = [sys.executable, "-m", "mamori", "discovery", "scan", "--files", str(share), "--mode", "full",
                "--batch", "5", "--throttle", "0.3"]  # fmt: skip
        process = subprocess.Popen(args, env=full, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        path = db.removeprefix("sqlite:///")
        deadline = time.monotonic() + 60
        rows = 0
        while rows < 10 and time.monotonic() < deadline:
            time.sleep(0.2)
            with sqlite3.connect(path) as conn:
                rows = conn.execute("SELECT coalesce(sum(rows_scanned), 0) FROM discovery_scans").fetchone()[
                    0
                ]
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        with sqlite3.connect(path) as conn:
            scan_id, status, before = conn.execute(
                "SELECT id, status, rows_scanned FROM discovery_scans"
            ).fetchone()
        assert status == "running"
        assert 10 <= before < 60
        scan_text = f"{scan_id[:8]}-{scan_id[8:12]}-{scan_id[12:16]}-{scan_id[16:20]}-{scan_id[20:]}"
        resumed = mamori(
            db, "discovery", "scan", "--files", str(share), "--mode", "full", "--resume", scan_text
        )
        assert resumed.returncode == 0, resumed.stderr
        status_line = mamori(db, "discovery", "status", scan_text).stdout
        assert status_line.startswith("done: 1/1 sources, 60 rows, 60 spans")
