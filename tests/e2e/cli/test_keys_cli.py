"""Keys as an operator meets them: servers refuse the public development keys, ``mamori keys
generate`` writes a real set, ``mamori doctor`` says what is missing before going live."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
import pytest

from mamori.config import Settings
from mamori.security.crypto import cipher_from_settings

REFUSED = "refuses to start on the development keys"
WARNING = "PUBLIC DEVELOPMENT KEYS"


def run(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mamori", *args],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=timeout, check=False,
    )  # fmt: skip


def base_env(url: str, **settings: str) -> dict[str, str]:
    """The test process's environment without any key setting, plus ``settings`` as MAMORI_*."""
    names = ("SECRET_KEY", "ENCRYPTION_KEYS", "AUDIT_KEY", "ALLOW_DEV_KEYS")
    env = {k: v for k, v in os.environ.items() if k not in {f"MAMORI_{n}" for n in names}}
    env |= {"MAMORI_DATABASE_URL": url, "MAMORI_MAIL_BACKEND": "null"}
    return env | {f"MAMORI_{name.upper()}": value for name, value in settings.items()}


def generated_keys(tmp_path: Path) -> dict[str, str]:
    made = run(tmp_path, "keys", "generate", "--out", str(tmp_path / "keys.env"))
    assert made.returncode == 0, made.stderr
    lines = (tmp_path / "keys.env").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class TestServeAndWorkerRefuseDevelopmentKeys:
    def test_serve_exits_with_what_to_set(self, tmp_path: Path, fresh_database_url: str) -> None:
        result = run(
            tmp_path, "serve", "--port", str(_free_port()), env=base_env(fresh_database_url), timeout=60
        )
        assert result.returncode == 1
        assert REFUSED in result.stderr
        assert "MAMORI_SECRET_KEY" in result.stderr
        assert "mamori keys generate" in result.stderr

    def test_serve_with_the_flag_warns_loudly_and_serves(
        self, tmp_path: Path, fresh_database_url: str
    ) -> None:
        port = _free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "mamori", "serve", "--port", str(port), "--dev-keys"],
            cwd=tmp_path, env=base_env(fresh_database_url), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, "the server exited"
                assert time.monotonic() < deadline, "the server did not answer"
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.3)
        finally:
            process.terminate()
            _, err = process.communicate(timeout=30)
        assert WARNING in err

    def test_worker_refuses_then_runs_with_the_setting_or_real_keys(
        self, tmp_path: Path, fresh_database_url: str
    ) -> None:
        refused = run(tmp_path, "worker", "run", "--once", env=base_env(fresh_database_url))
        assert refused.returncode == 1
        assert REFUSED in refused.stderr
        allowed = run(
            tmp_path, "worker", "run", "--once", env=base_env(fresh_database_url, allow_dev_keys="true")
        )
        assert allowed.returncode == 0, allowed.stderr
        assert WARNING in allowed.stderr
        keys = generated_keys(tmp_path)
        real = run(tmp_path, "worker", "run", "--once", env={**base_env(fresh_database_url), **keys})
        assert real.returncode == 0, real.stderr
        assert WARNING not in real.stderr
        assert "worker finished" in real.stdout


class TestKeysGenerate:
    def test_writes_a_private_usable_key_set_and_never_overwrites(self, tmp_path: Path) -> None:
        keys = generated_keys(tmp_path)
        target = tmp_path / "keys.env"
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
        assert set(keys) == {"MAMORI_SECRET_KEY", "MAMORI_ENCRYPTION_KEYS", "MAMORI_AUDIT_KEY"}
        settings = Settings(
            secret_key=keys["MAMORI_SECRET_KEY"], encryption_keys=keys["MAMORI_ENCRYPTION_KEYS"]
        )
        cipher = cipher_from_settings(settings)
        assert cipher.decrypt(cipher.encrypt("山田 花子")) == "山田 花子"
        again = run(tmp_path, "keys", "generate", "--out", str(target))
        assert again.returncode == 4
        assert "exists" in again.stderr
        assert dict(line.split("=", 1) for line in target.read_text().splitlines() if "=" in line) == keys
        forced = run(tmp_path, "keys", "generate", "--out", str(target), "--force")
        assert forced.returncode == 0
        assert target.read_text().count("MAMORI_SECRET_KEY=") == 1
        assert keys["MAMORI_SECRET_KEY"] not in target.read_text()

    def test_prints_without_out(self, tmp_path: Path) -> None:
        one, two = run(tmp_path, "keys", "generate"), run(tmp_path, "keys", "generate")
        assert "MAMORI_ENCRYPTION_KEYS=" in one.stdout
        assert one.stdout != two.stdout


class TestDoctor:
    def test_a_development_setup_has_problems(self, tmp_path: Path) -> None:
        env = base_env("sqlite:///dev.db", allow_dev_keys="true", trusted_proxies="10.0.0.0/8,proxy.local")
        result = run(tmp_path, "doctor", env=env)
        assert result.returncode == 1
        problems = [
            line.split()[1].rstrip(":") for line in result.stdout.splitlines() if line.startswith("PROBLEM")
        ]
        assert problems == [
            "MAMORI_SECRET_KEY", "MAMORI_ENCRYPTION_KEYS", "MAMORI_AUDIT_KEY", "MAMORI_ALLOW_DEV_KEYS",
            "MAMORI_PUBLIC_BASE_URL", "MAMORI_MAIL_BACKEND", "MAMORI_FILES_DIR", "MAMORI_TRUSTED_PROXIES",
        ]  # fmt: skip
        assert "fix: run 'mamori keys generate" in result.stdout
        assert "'proxy.local' is not an address" in result.stdout

    @pytest.mark.parametrize("url", ["sqlite:///live.db", "postgresql+psycopg://mamori@db.internal/mamori"])
    def test_a_live_setup_passes(self, tmp_path: Path, url: str) -> None:
        files = tmp_path / "files"
        files.mkdir(mode=0o700)
        env = base_env(
            url, public_base_url="https://privacy.example.jp", mail_backend="smtp", smtp_host="mail.internal",
            files_dir=str(files), trusted_proxies="10.0.0.5, 10.1.0.0/16",
        ) | generated_keys(tmp_path)  # fmt: skip
        result = run(tmp_path, "doctor", env=env)
        assert result.returncode == 0, result.stdout
        assert "PROBLEM" not in result.stdout
        assert ("WARNING  MAMORI_DATABASE_URL" in result.stdout) == url.startswith("sqlite")
        files.chmod(0o755)
        opened = run(tmp_path, "doctor", env=env)
        assert opened.returncode == 1
        assert "PROBLEM  MAMORI_FILES_DIR" in opened.stdout

    def test_plain_http_and_short_secret_are_problems(self, tmp_path: Path) -> None:
        keys = generated_keys(tmp_path)
        settings = {
            "public_base_url": "http://privacy.example.jp",
            "secret_key": "short",
            "mail_backend": "smtp",
        }
        env = base_env("sqlite:///x.db", **settings) | {
            k: v for k, v in keys.items() if k != "MAMORI_SECRET_KEY"
        }
        result = run(tmp_path, "doctor", env=env)
        assert result.returncode == 1
        assert "PROBLEM  MAMORI_SECRET_KEY: is shorter than 32 characters" in result.stdout
        assert (
            "PROBLEM  MAMORI_PUBLIC_BASE_URL: 'http://privacy.example.jp' is not an https address"
            in result.stdout
        )
