"""``mamori keys rotate`` on a real database: killed with SIGKILL mid-way, run again, then every
value and file reads under the new key alone and the old key can go."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text

from mamori.audit.models import AuditEvent
from mamori.config import Settings, get_settings
from mamori.consents.suspensions import list_suspensions, suspend
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.dsr.models import CaseDocument
from mamori.dsr.service.identity import read_document, upload_document
from mamori.security.rotation import ACTION, Files, targets
from mamori.subjects.models import Subject
from mamori.subjects.service import reveal_subject
from tests.factories.dsr import create_case
from tests.factories.subjects import create_subject

OLD = "old2025:" + base64.b64encode(b"o" * 32).decode()
NEW = "new2026:" + base64.b64encode(b"n" * 32).decode()
SECRET = "rotation-test-secret-0123456789abcdefghij"
PEOPLE = 150
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"ID-FRONT-" * 50
REASON = "本人から電話で停止の申出（山田）"


@pytest.fixture
def keyed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process reads with the keys the test sets (EncryptedText columns use the process's keys)."""
    monkeypatch.setenv("MAMORI_SECRET_KEY", SECRET)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def settings_for(url: str, files: Path, keys: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("MAMORI_ENCRYPTION_KEYS", keys)
    get_settings.cache_clear()
    return Settings(
        database_url=url, files_dir=files, encryption_keys=keys, secret_key=SECRET, mail_backend="null",
        _env_file=None,  # type: ignore[call-arg]
    )  # fmt: skip


def populate(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        for n in range(PEOPLE):
            person = create_subject(
                session, settings, name=f"山田 {n}", identifiers=[("email", f"p{n}@example.jp")]
            )
        suspend(session, actor="agent", subject_id=person.id, scope="all", reason=REASON, source="manual")
        case = create_case(session, settings)
        upload_document(
            session, actor="agent", case_id=case.id, kind="id_document", whose="person", data=PNG,
            document_type="passport", settings=settings,
        )  # fmt: skip
    engine.dispose()


def mamori(url: str, files: Path, keys: str, *args: str) -> subprocess.Popen[str]:
    env = {
        **os.environ, "MAMORI_DATABASE_URL": url, "MAMORI_FILES_DIR": str(files),
        "MAMORI_ENCRYPTION_KEYS": keys, "MAMORI_SECRET_KEY": SECRET, "MAMORI_MAIL_BACKEND": "null",
    }  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "-m", "mamori", *args],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def key_ids(engine: Engine, files: Path) -> dict[str, int]:
    """Values per key id over every encrypted column (plain SQL) and file (its header)."""
    counts: dict[str, int] = {}
    store = Files.open(Settings(files_dir=files, _env_file=None))  # type: ignore[call-arg]
    with engine.connect() as conn:
        for target in targets():
            sql = f"SELECT {target.column} FROM {target.table} WHERE {target.column} <> ''"  # noqa: S608
            for (value,) in conn.execute(text(sql)):
                key_id = store.key_id(value) if target.files else value.partition(":")[0]
                counts[str(key_id)] = counts.get(str(key_id), 0) + 1
    return counts


def rotated_batches(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).where(AuditEvent.action == ACTION)) or 0


class TestRotateResumesAfterKill:
    @pytest.mark.usefixtures("keyed")
    def test_kill_then_rerun_leaves_everything_under_the_new_key(
        self, fresh_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        files = tmp_path / "files"
        populate(settings_for(fresh_database_url, files, OLD, monkeypatch))
        engine = make_engine(fresh_database_url)
        try:
            before = key_ids(engine, files)
            assert set(before) == {"old2025"}
            assert before["old2025"] >= 2 * PEOPLE + 1  # names, e-mail addresses, the document

            rotating = mamori(
                fresh_database_url, files, f"{NEW},{OLD}", "keys", "rotate", "--batch-size", "1"
            )
            deadline = time.monotonic() + 120
            while rotated_batches(engine) < 20:
                assert rotating.poll() is None, rotating.communicate()
                assert time.monotonic() < deadline, "the rotation made no progress"
                time.sleep(0.05)
            rotating.send_signal(signal.SIGKILL)
            _, err = rotating.communicate(timeout=30)
            assert rotating.returncode == -signal.SIGKILL
            assert "to re-encrypt under 'new2026'" in err
            halfway = key_ids(engine, files)
            assert halfway.get("new2026", 0) >= 20
            assert halfway.get("old2025", 0) > 0
            assert sum(halfway.values()) == sum(before.values())

            again = mamori(
                fresh_database_url, files, f"{NEW},{OLD}", "keys", "rotate", "--new-key-id", "new2026"
            )
            out, err = again.communicate(timeout=300)
            assert again.returncode == 0, err
            assert f"{halfway['old2025']} value(s) and file(s) to re-encrypt" in err
            assert f"re-encrypted {halfway['old2025']}/{halfway['old2025']}" in err
            assert "everything is under 'new2026'" in out
            assert key_ids(engine, files) == {"new2026": sum(before.values())}

            status = mamori(fresh_database_url, files, NEW, "keys", "status")
            out, err = status.communicate(timeout=120)
            assert status.returncode == 0, err
            assert f"new2026: {sum(before.values())} value(s) (current)" in out
            assert "old2025" not in out
            self._all_read_with_the_new_key_alone(fresh_database_url, files, monkeypatch)
            self._audited_without_personal_data(engine)
        finally:
            engine.dispose()

    def _all_read_with_the_new_key_alone(
        self, url: str, files: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        settings = settings_for(url, files, NEW, monkeypatch)
        engine = make_engine(url)
        with unit_of_work(make_session_factory(engine)) as session:
            names = []
            for subject in session.scalars(select(Subject)):
                seen = reveal_subject(session, settings, "test", subject.id, "customer.sales")
                names.append(seen.name)
                assert all(i.value.endswith("@example.jp") for i in seen.identifiers)
            assert sorted(names) == sorted(f"山田 {n}" for n in range(PEOPLE))
            document = session.scalars(select(CaseDocument)).one()
            _, data = read_document(
                session, actor="test", case_id=document.case_id, document_id=document.id, settings=settings
            )
            assert data == PNG
            suspended = session.scalars(select(Subject).order_by(Subject.created_at.desc())).first()
            assert suspended is not None
            assert [s.reason for s in list_suspensions(session, suspended.id)] == [REASON]
        engine.dispose()

    def _audited_without_personal_data(self, engine: Engine) -> None:
        with engine.connect() as conn:
            rows = conn.execute(select(AuditEvent.details).where(AuditEvent.action == ACTION)).all()
        assert rows
        text_of_all = repr([row[0] for row in rows])
        assert "山田" not in text_of_all
        assert "example.jp" not in text_of_all
