"""`mamori pms …` as the privacy office runs it: real processes on a fresh database."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from mamori.pms.common import today as tokyo_today
from tests.conftest import REAL_DEFAULT_POLICY_DIR


def mamori(database_url: str, *args: str, files: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "MAMORI_DATABASE_URL": database_url,
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


def test_register_check_and_review(fresh_database_url: str, tmp_path: Path) -> None:

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return mamori(fresh_database_url, *args, files=tmp_path / "files")

    assert run("policy", "publish", str(REAL_DEFAULT_POLICY_DIR)).returncode == 0
    added = run(
        "pms",
        "risks",
        "add",
        "shop.customer",
        "--stage",
        "storage",
        "--risk",
        "Backups on laptops",
        "--owner",
        "hana",
        "--likelihood",
        "3",
        "--impact",
        "4",
        "--residual-likelihood",
        "2",
        "--residual-impact",
        "3",
        "--measure",
        "access_control",
    )
    assert added.returncode == 0, added.stderr
    assert "score 12, residual 6" in added.stdout
    refused = run(
        "pms",
        "risks",
        "add",
        "shop.customer",
        "--stage",
        "storage",
        "--risk",
        "x",
        "--owner",
        "hana",
        "--likelihood",
        "1",
        "--impact",
        "1",
        "--residual-likelihood",
        "2",
        "--residual-impact",
        "2",
    )
    assert refused.returncode == 2
    assert "residual" in refused.stderr
    checklist = run("pms", "audits", "checklist", "--lang", "en")
    assert checklist.returncode == 1  # shop.customer lacks four stages
    assert "FAIL dataset.risks" in checklist.stdout
    assert "acquisition, use, provision, disposal" in checklist.stdout
    today = tokyo_today()
    trained = run(
        "pms",
        "training",
        "record",
        "--course",
        "privacy-basics",
        "--person",
        "aiko",
        "--on",
        today.isoformat(),
        "--result",
        "passed",
    )
    assert trained.returncode == 0, trained.stderr
    pdf, xlsx = tmp_path / "review.pdf", tmp_path / "review.xlsx"
    review = run(
        "pms",
        "review",
        "--from",
        (today - timedelta(days=7)).isoformat(),
        "--to",
        today.isoformat(),
        "--lang",
        "en",
        "--pdf",
        str(pdf),
        "--xlsx",
        str(xlsx),
    )
    assert review.returncode == 0, review.stderr
    text = subprocess.run(
        [poppler("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Management review report" in text
    assert "privacy-basics: 1" in text
    rows = {(r[0], r[1]): r[2] for r in load_workbook(xlsx)["review"].iter_rows(min_row=5, values_only=True)}
    assert rows[("Risk changes", "Newly registered")] == 1
    assert rows[("Training", "Attendances")] == 1


def poppler(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        pytest.fail(f"{tool} is missing: install Debian's poppler-utils")
    return found
