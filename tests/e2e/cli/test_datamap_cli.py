"""`mamori datamap …` and `mamori fulfillment …` as an operator runs them: real processes, real files."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import create_engine

from mamori.config import DEFAULT_POLICY_DIR, Settings
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.errors import NotFound
from mamori.subjects.service import find_subject
from tests.factories.dsr import accepted_case
from tests.factories.fulfillment import SHOP_DIR, load_crm, load_shop, set_kind, shop_bundle, write_calls
from tests.factories.subjects import create_subject


@pytest.fixture
def systems(tmp_path: Path) -> dict[str, str]:
    """The shop and CRM on SQLite files and the call log as CSV; the environment that points at them."""
    for name, loader in (
        ("shop", lambda e: load_shop(e, 12)),
        ("crm", lambda e: load_crm(e, ["user2@example.jp"])),
    ):
        engine = create_engine(f"sqlite:///{tmp_path / name}.db")
        loader(engine)
        engine.dispose()
    write_calls(tmp_path / "calls", 5)
    return {
        "SHOP_DB_URL": f"sqlite:///{tmp_path / 'shop.db'}",
        "CRM_DB_URL": f"sqlite:///{tmp_path / 'crm.db'}",
        "CALLCENTRE_DIR": str(tmp_path / "calls"),
    }


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    bundle = shop_bundle(tmp_path)
    set_kind(bundle, "shop", "sqlite")
    set_kind(bundle, "crm", "sqlite")
    return bundle


def mamori(
    database_url: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "MAMORI_DATABASE_URL": database_url, "MAMORI_MAIL_BACKEND": "null", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "mamori", *args],
        capture_output=True,
        text=True,
        env=full,
        timeout=180,
        check=False,
    )


class TestDatamapCommands:
    def test_check_passes_then_names_a_missing_column_and_an_unmapped_one(
        self, bundle: Path, systems: dict[str, str], tmp_path: Path
    ) -> None:
        ok = mamori("sqlite://", "datamap", "check", "--bundle", str(bundle), env=systems)
        assert ok.returncode == 0, ok.stdout + ok.stderr
        assert "OK: 7 dataset(s) match the live schema" in ok.stdout
        with sqlite3.connect(tmp_path / "shop.db") as conn:
            conn.execute("ALTER TABLE customer RENAME COLUMN name_kana TO kana_name")
            conn.execute("ALTER TABLE customer ADD COLUMN mobile_phone TEXT")
        bad = mamori("sqlite://", "datamap", "check", "--bundle", str(bundle), env=systems)
        assert bad.returncode == 1
        assert "shop.customer.name_kana: missing_column: the column does not exist" in bad.stdout
        assert "shop.customer.kana_name: unmapped_personal" in bad.stdout
        assert "shop.customer.mobile_phone: unmapped_personal" in bad.stdout

    def test_a_bundle_without_a_data_map_is_valid_but_warned_about(self) -> None:
        # The default bundle ships without one: requests would search no system.
        for command in (("policy", "check"), ("datamap", "check", "--bundle")):
            result = mamori("sqlite://", *command, str(DEFAULT_POLICY_DIR))
            assert result.returncode == 0, result.stderr
            assert "warning: the bundle has no data map (datamap/*.yaml)" in result.stderr
            assert "tasks wait (reason no_datamap)" in result.stderr

    def test_a_bundle_with_a_data_map_is_not_warned_about(
        self, bundle: Path, systems: dict[str, str]
    ) -> None:
        for command in (("policy", "check"), ("datamap", "check", "--bundle")):
            result = mamori("sqlite://", *command, str(bundle), env=systems)
            assert result.returncode == 0, result.stderr
            assert "warning" not in result.stderr

    def test_check_names_a_system_that_is_down(self, bundle: Path, systems: dict[str, str]) -> None:
        down = {**systems, "CRM_DB_URL": "sqlite:////nonexistent/crm.db"}
        result = mamori("sqlite://", "datamap", "check", "--bundle", str(bundle), env=down)
        assert result.returncode == 1
        assert "crm: unreachable: crm: " in result.stdout

    def test_import_fideslang_writes_a_map_that_passes_policy_check(self, tmp_path: Path) -> None:
        target = shop_bundle(tmp_path, only=())
        result = mamori(
            "sqlite://",
            "datamap",
            "import-fideslang",
            str(SHOP_DIR / "shop_dataset.yml"),
            "--out",
            str(target / "datamap"),
        )
        assert result.returncode == 0, result.stderr
        assert "shop_pg.yaml (5 datasets)" in result.stderr
        check = mamori("sqlite://", "policy", "check", str(target))
        assert check.returncode == 0, check.stderr

    def test_ledger_as_csv_and_xlsx(self, bundle: Path, tmp_path: Path) -> None:
        csv_out = mamori("sqlite://", "datamap", "ledger", "--bundle", str(bundle))
        assert csv_out.returncode == 0, csv_out.stderr
        assert csv_out.stdout.splitlines()[0].startswith("システム,データセット,個人情報の項目,利用目的")
        path = tmp_path / "ledger.xlsx"
        xlsx = mamori(
            "sqlite://",
            "datamap",
            "ledger",
            "--bundle",
            str(bundle),
            "--format",
            "xlsx",
            "--lang",
            "en",
            "--out",
            str(path),
        )
        assert xlsx.returncode == 0, xlsx.stderr
        sheet = load_workbook(path).active
        assert sheet is not None
        assert sheet.cell(row=1, column=3).value == "Items"
        assert sheet.max_row == 8


def _accepted(url: str, request_type: str = "disclosure", **kwargs: object) -> str:
    """An accepted case about the person holding user2@example.jp; its reference."""
    settings = Settings(database_url=url, mail_backend="null")  # as the mamori process reads them
    engine = make_engine(url)
    with unit_of_work(make_session_factory(engine)) as session:
        try:
            person = find_subject(session, settings, kind="email", value="user2@example.jp")
        except NotFound:
            person = create_subject(session, settings, identifiers=[("email", "user2@example.jp")])
        reference = accepted_case(
            session,
            settings,
            subject_id=person.id,
            request_type=request_type,
            **kwargs,  # type: ignore[arg-type]
        ).reference
    engine.dispose()
    return reference


class TestFulfillmentCommands:
    def test_access_then_erase_then_access_again(
        self, fresh_database_url: str, bundle: Path, systems: dict[str, str]
    ) -> None:
        published = mamori(fresh_database_url, "policy", "publish", str(bundle))
        assert published.returncode == 0, published.stderr
        disclosure = _accepted(fresh_database_url)
        cease = _accepted(fresh_database_url, "utilisation_cease", erasure=True, ground="no_longer_needed")
        access = mamori(
            fresh_database_url,
            "fulfillment",
            "run",
            "access",
            "--case",
            disclosure,
            "--email",
            "user2@example.jp",
            env=systems,
        )
        assert access.returncode == 0, access.stderr
        assert "completed" in access.stdout
        assert "山田 太郎2" in access.stdout
        assert "order_item: found 15" in access.stdout
        erase = mamori(
            fresh_database_url,
            "fulfillment",
            "run",
            "erase",
            "--case",
            cease,
            "--email",
            "user2@example.jp",
            "--json",
            env=systems,
        )
        assert erase.returncode == 0, erase.stderr
        view = json.loads(erase.stdout)
        assert view["status"] == "completed"
        assert all(t["residual"] == 0 for s in view["systems"] for t in s["tables"])
        again = mamori(fresh_database_url, "fulfillment", "show", view["id"])
        assert f"run {view['id']}  erase  completed" in again.stdout

    def test_a_failed_run_is_retried_from_the_command_line(
        self, fresh_database_url: str, bundle: Path, systems: dict[str, str]
    ) -> None:
        mamori(fresh_database_url, "policy", "publish", str(bundle))
        cease = _accepted(fresh_database_url, "utilisation_cease", ground="no_longer_needed")
        down = {**systems, "CRM_DB_URL": "sqlite:////nonexistent/crm.db"}
        failed = mamori(
            fresh_database_url,
            "fulfillment",
            "run",
            "suspend",
            "--case",
            cease,
            "--email",
            "user2@example.jp",
            "--json",
            env={**down, "SHOP_SUSPEND_WEBHOOK": "http://127.0.0.1:9/x"},
        )
        view = json.loads(failed.stdout)
        assert view["status"] == "failed"
        assert {s["system"] for s in view["systems"] if s["status"] == "failed"} == {"crm", "shop"}
        retried = mamori(fresh_database_url, "fulfillment", "retry", view["id"], env=systems)
        assert retried.returncode == 0, retried.stderr
        assert "crm: done" in retried.stdout
        assert "shop: failed" in retried.stdout  # the webhook variable is still unset

    def test_bad_input_names_the_field(self, fresh_database_url: str, bundle: Path) -> None:
        mamori(fresh_database_url, "policy", "publish", str(bundle))
        case = _accepted(fresh_database_url)
        result = mamori(
            fresh_database_url, "fulfillment", "run", "access", "--case", case, "-i", "passport=X"
        )
        assert result.returncode == 2
        assert "identities.passport: not an identity of the case's person" in result.stderr

    def test_a_run_needs_an_accepted_case_of_the_same_action(
        self, fresh_database_url: str, bundle: Path
    ) -> None:
        mamori(fresh_database_url, "policy", "publish", str(bundle))
        made_up = mamori(fresh_database_url, "fulfillment", "run", "erase", "--case", "R-MADE-UP")
        assert made_up.returncode == 3, made_up.stderr
        assert "no request case 'R-MADE-UP'" in made_up.stderr
        case = _accepted(fresh_database_url)
        wrong = mamori(fresh_database_url, "fulfillment", "run", "erase", "--case", case)
        assert wrong.returncode == 2
        assert "a disclosure case allows: access" in wrong.stderr
        without = mamori(fresh_database_url, "fulfillment", "run", "erase", "--email", "user2@example.jp")
        assert without.returncode == 2
        assert "--case" in without.stderr

    def test_break_glass_is_the_privacy_officers_with_a_reason(
        self, fresh_database_url: str, bundle: Path, systems: dict[str, str]
    ) -> None:
        mamori(fresh_database_url, "policy", "publish", str(bundle))
        for user, role in (("eng", "engineer"), ("po", "privacy_officer")):
            added = mamori(fresh_database_url, "users", "add", user, "--role", role, "--password", "x" * 12)
            assert added.returncode == 0, added.stderr
        reason = "Court order 2026-123 requires immediate erasure of this account"
        base = ("fulfillment", "run", "erase", "--email", "user2@example.jp", "--break-glass", "--queue-only")
        engineer = mamori(fresh_database_url, *base, "--reason", reason, "--as", "eng", env=systems)
        assert engineer.returncode != 0
        assert "may not start a break-glass run" in engineer.stderr
        short = mamori(fresh_database_url, *base, "--reason", "urgent", "--as", "po", env=systems)
        assert short.returncode == 2
        assert "reason" in short.stderr
        officer = mamori(fresh_database_url, *base, "--reason", reason, "--as", "po", "--json", env=systems)
        assert officer.returncode == 0, officer.stderr
        assert json.loads(officer.stdout)["case_ref"] == "break-glass"
        log = mamori(fresh_database_url, "audit", "list", "--action", "fulfillment.break_glass")
        assert "fulfillment.break_glass" in log.stdout, log.stderr
