"""Each ``mamori doctor`` check on its own: what is a problem, what is only a warning."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from mamori.config import Settings
from mamori.security import doctor
from mamori.security.doctor import Level
from mamori.security.keys import dev_key_problems, generate_env

KEY = base64.b64encode(b"k" * 32).decode()


def make(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SECRET_KEY", "ENCRYPTION_KEYS", "AUDIT_KEY", "ALLOW_DEV_KEYS", "PUBLIC_BASE_URL"):
        monkeypatch.delenv(f"MAMORI_{name}", raising=False)


class TestDevKeyProblems:
    def test_defaults_are_the_development_keys(self) -> None:
        assert len(dev_key_problems(make())) == 2

    def test_a_generated_set_is_not(self) -> None:
        lines = dict(line.split("=", 1) for line in generate_env().splitlines() if "=" in line)
        own = make(secret_key=lines["MAMORI_SECRET_KEY"], encryption_keys=lines["MAMORI_ENCRYPTION_KEYS"])
        assert dev_key_problems(own) == []

    def test_a_bad_key_id_is_refused(self) -> None:
        with pytest.raises(ValueError, match="key id"):
            generate_env("no:colons")


class TestChecks:
    @pytest.mark.parametrize(
        ("spec", "level"),
        [("", Level.PROBLEM), ("a:b", Level.PROBLEM), (f"k1:{KEY}", Level.OK), (f"k_1:{KEY}", Level.PROBLEM)],
    )
    def test_encryption_keys(self, spec: str, level: Level) -> None:
        assert doctor.check_encryption_keys(make(encryption_keys=spec)).level == level

    @pytest.mark.parametrize(
        ("url", "level"),
        [
            ("", Level.PROBLEM),
            ("http://x.jp", Level.PROBLEM),
            ("https://", Level.PROBLEM),
            ("https://x.jp", Level.OK),
        ],
    )
    def test_public_base_url(self, url: str, level: Level) -> None:
        assert doctor.check_public_base_url(make(public_base_url=url)).level == level

    @pytest.mark.parametrize(
        ("proxies", "level"),
        [("", Level.OK), ("10.0.0.1, ::1, 192.168.0.0/16", Level.OK), ("10.0.0.1,localhost", Level.PROBLEM)],
    )
    def test_trusted_proxies(self, proxies: str, level: Level) -> None:
        assert doctor.check_trusted_proxies(make(trusted_proxies=proxies)).level == level

    def test_sqlite_is_a_warning_not_a_problem(self) -> None:
        assert doctor.check_database(make(database_url="sqlite:///m.db")).level == Level.WARNING
        assert doctor.check_database(make(database_url="postgresql+psycopg://h/m")).level == Level.OK

    def test_files_dir_must_exist_and_be_private(self, tmp_path: Path) -> None:
        files = tmp_path / "files"
        assert doctor.check_files_dir(make(files_dir=files)).level == Level.PROBLEM
        files.mkdir(mode=0o700)
        assert doctor.check_files_dir(make(files_dir=files)).level == Level.OK
        files.chmod(0o704)
        assert doctor.check_files_dir(make(files_dir=files)).level == Level.PROBLEM
