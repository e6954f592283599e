"""``mamori requests`` as an agent runs it: a postal request from the form to the print batch."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader

from mamori.config import DEFAULT_POLICY_DIR

SCAN = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


def _run(url: str, files: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "MAMORI_DATABASE_URL": url,
        "MAMORI_MAIL_BACKEND": "null",
        "MAMORI_FILES_DIR": str(files),
    }
    return subprocess.run(
        [sys.executable, "-m", "mamori", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )


def test_a_postal_request_from_registration_to_registered_mail(
    fresh_database_url: str, tmp_path: Path
) -> None:
    files = tmp_path / "files"

    def run(*args: str) -> str:
        done = _run(fresh_database_url, files, *args)
        assert done.returncode == 0, done.stderr
        return done.stdout

    run("policy", "publish", str(DEFAULT_POLICY_DIR))
    opened = run(
        "requests", "open", "--type", "disclosure", "--name", "山田 花子", "--address", "横浜市都筑区1-2-3"
    )
    reference = re.search(r"R\d{8}-[0-9A-F]{6}", opened)
    assert reference is not None
    ref = reference.group(0)
    moved = _run(fresh_database_url, files, "requests", "move", ref, "closed", "--reason", "done")
    assert moved.returncode != 0
    assert "cannot go from received to closed" in moved.stderr
    unknown = _run(
        fresh_database_url, files, "requests", "open", "--type", "telepathy", "--name", "x", "--address", "y"
    )
    assert unknown.returncode == 2
    assert "request_type" in unknown.stderr
    scan = tmp_path / "licence.png"
    scan.write_bytes(SCAN)
    assert "encrypted" in run("requests", "upload", ref, str(scan), "--document-type", "drivers_licence")
    checked = run(
        "requests",
        "check",
        ref,
        "--document-type",
        "drivers_licence",
        "--outcome",
        "verified",
        "--matched",
        "name,address",
    )
    assert "still missing: nothing" in checked
    run("requests", "move", ref, "in_progress", "--reason", "ID verified")
    run("requests", "decide", ref, "--outcome", "full")
    # No data map is published: the systems were not searched, so no letter may go yet.
    unsearched = _run(fresh_database_url, files, "requests", "send", ref, "--method", "post")
    assert unsearched.returncode == 2, unsearched.stdout + unsearched.stderr
    assert "the organisation's systems were not searched" in unsearched.stderr
    assert "held-nowhere-else" in unsearched.stderr
    short = _run(fresh_database_url, files, "requests", "held-nowhere-else", ref, "--reason", "none")
    assert short.returncode == 2
    assert "reason" in short.stderr
    run("requests", "held-nowhere-else", ref, "--reason", "顧客データは当社の他のシステムにありません")
    shown = json.loads(run("requests", "show", ref))
    assert shown["held_nowhere_else"]["reason"] == "顧客データは当社の他のシステムにありません"
    run("requests", "send", ref, "--method", "post")
    out = tmp_path / "batch"
    printed = run("requests", "print-batch", "--out", str(out))
    assert f"[1/1] {ref}" in printed
    assert (out / "mailing-list.tsv").read_text(encoding="utf-8").count("横浜市都筑区1-2-3") == 1
    pdf = next(out.glob(f"*{ref}.pdf")).read_bytes()
    assert pdf.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace("\n", "")
    assert "当社の個人情報保護管理者は" in text
    assert "以外には保有していないことを確認しました" in text
    assert "顧客データは当社の他のシステムにありません" in text
    delivery_id = (out / "mailing-list.tsv").read_text(encoding="utf-8").splitlines()[1].split("\t")[0]
    run("requests", "mailed", delivery_id, "--tracking", "JP1234567890")
    run("requests", "move", ref, "closed", "--reason", "answered")
    assert '"state": "closed"' in run("requests", "show", ref)
    assert "deleted 0 document(s)" in run("requests", "purge-documents")  # closed today: kept for now


def test_the_list_names_no_one_and_a_reveal_is_for_a_purpose_of_the_users_duties(
    fresh_database_url: str, tmp_path: Path
) -> None:
    files = tmp_path / "files"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return _run(fresh_database_url, files, *args)

    assert run("policy", "publish", str(DEFAULT_POLICY_DIR)).returncode == 0
    opened = run(
        "requests", "open", "--type", "disclosure", "--name", "山田 花子", "--address", "横浜市都筑区1-2-3"
    )
    ref = re.search(r"R\d{8}-[0-9A-F]{6}", opened.stdout)
    assert ref is not None
    for user, role in (("hanako", "agent"), ("ken", "engineer")):
        assert run("users", "add", user, "--role", role, "--password", "x" * 12).returncode == 0
    listed = run("requests", "list")
    assert ref.group(0) in listed.stdout
    assert "山田" not in listed.stdout
    shown = run("requests", "reveal", ref.group(0), "--purpose", "inquirer.response", "--as", "hanako")
    assert shown.returncode == 0, shown.stderr
    assert "山田 花子" in shown.stdout
    refused = run("requests", "reveal", ref.group(0), "--purpose", "inquirer.response", "--as", "ken")
    assert refused.returncode != 0
    assert "not among the duties of the role 'engineer'" in refused.stderr
    assert "山田" not in refused.stdout
    log = run("audit", "list", "--action", "request.read_refused")
    assert "request.read_refused" in log.stdout
