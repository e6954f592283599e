"""`mamori demo` as a new user runs it: a real server process answering over real HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(base: str, process: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the demo server exited early"
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.3)
    raise AssertionError("the demo server did not become healthy")


class TestDemoServer:
    def test_serves_the_notice_and_the_api_with_the_printed_token(self, tmp_path: Path) -> None:
        port = _free_port()
        env = {**os.environ, "MAMORI_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}"}
        process = subprocess.Popen(
            [sys.executable, "-m", "mamori", "demo", "--port", str(port)],
            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            token = _read_token(process)
            _wait_healthy(base, process)
            api = httpx.get(f"{base}/api/v1/policy", headers={"Authorization": f"Bearer {token}"}, timeout=30)
            assert api.status_code == 200
            assert api.json()["number"] == 1
            page = httpx.get(f"{base}/privacy?lang=ja", timeout=30)
            assert page.status_code == 200
            assert '<html lang="ja"' in page.text
            assert "利用目的" in page.text
            pdf = httpx.get(f"{base}/privacy.pdf?lang=en", timeout=60)
            assert pdf.headers["content-type"] == "application/pdf"
            assert pdf.content.startswith(b"%PDF")
        finally:
            process.terminate()
            process.communicate(timeout=30)


def _read_token(process: subprocess.Popen[str]) -> str:
    """The demo prints its credentials before it starts serving."""
    assert process.stdout is not None
    seen = []
    for line in process.stdout:
        seen.append(line)
        if "API token:" in line:
            token = line.split()[-1]
            assert token.startswith("mam_")
            assert any("admin password:" in earlier for earlier in seen)
            return token
    raise AssertionError("the demo printed no token:\n" + "".join(seen))
