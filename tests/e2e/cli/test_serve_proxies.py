"""`mamori serve` as production starts it: X-Forwarded-For counts only from a configured proxy."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2 as httpx

from mamori.config import DEFAULT_POLICY_DIR
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.policy.service import publish_bundle

CONTACT = {"lang": "en", "category": "other", "name": "Mei", "message": "Hello"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _serve(database_url: str, tmp_path: Path, **env: str) -> Iterator[str]:
    port = _free_port()
    environ = {**os.environ, "MAMORI_DATABASE_URL": database_url, "MAMORI_MAIL_BACKEND": "null",
               "MAMORI_ALLOW_DEV_KEYS": "true", "MAMORI_RATE_LIMIT_PER_ADDRESS": "2", **env}  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "mamori", "serve", "--port", str(port)],
        cwd=tmp_path, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.communicate()[1]
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.communicate(timeout=30)


def _posts(base: str, forwarded: list[str]) -> list[int]:
    """One contact form per X-Forwarded-For value, each to another mailbox; the status codes."""
    return [
        httpx.post(f"{base}/contact", data=CONTACT | {"email": f"m{n}@example.jp"},
                   headers={"X-Forwarded-For": hop}, timeout=30).status_code
        for n, hop in enumerate(forwarded)
    ]  # fmt: skip


def _published(url: str) -> None:
    engine = make_engine(url)
    with unit_of_work(make_session_factory(engine)) as session:
        publish_bundle(session, actor="user:officer", directory=DEFAULT_POLICY_DIR)
    engine.dispose()


class TestForwardedFor:
    def test_a_spoofed_header_from_loopback_does_not_reset_the_limit(
        self, fresh_database_url: str, tmp_path: Path
    ) -> None:
        _published(fresh_database_url)
        with _serve(fresh_database_url, tmp_path) as base:
            assert _posts(base, ["203.0.113.1", "203.0.113.2", "203.0.113.3"]) == [303, 303, 429]

    def test_a_configured_proxy_is_believed_right_most_untrusted_hop_first(
        self, fresh_database_url: str, tmp_path: Path
    ) -> None:
        _published(fresh_database_url)
        with _serve(fresh_database_url, tmp_path, MAMORI_TRUSTED_PROXIES="127.0.0.1, 10.0.0.0/8") as base:
            assert _posts(base, ["203.0.113.1", "203.0.113.2", "203.0.113.3"]) == [303, 303, 303]
            # the client wrote the left part itself; the proxies appended the right part
            same = ["198.51.100.1, 203.0.113.9, 10.1.2.3", "198.51.100.2, 203.0.113.9", "203.0.113.9"]
            assert _posts(base, same) == [303, 303, 429]
