"""The README's examples, run in order as a new user runs them after ``mamori demo``.

The code blocks of the README's section "The commands" are parsed; every line that calls Mamori
(or ``curl``) runs in a shell in a fresh folder that looks like a checkout (``.venv``, ``policies``,
``examples``), with the variables the demo printed (``export TOKEN=… CASE=…``) and ``RUN_ID`` taken
from what ``fulfillment run`` printed. ``serve`` runs in the background on a free port for the
``curl`` lines after it. A comment ``(exit N here)`` on a line is the exit code it must give.
A failing example fails the test with the line, its exit code and its output.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx2 as httpx

REPO = Path(__file__).resolve().parents[3]
README = REPO / "README.md"
EXPECTED_EXIT = re.compile(r"\(exit (\d+) here")
BASH = shutil.which("bash") or "/bin/bash"  # the shell a user pastes the README into
# What a user sees when an example did its work (a command, comment left out, that matches the key).
SHOWS = {
    r"subjects find --email user1@example\.jp$": "customers",
    "inquiries reply": "answered",
    "requests check": "still missing: nothing",
    "requests decide": "decided (full)",
    "fulfillment run access": "completed",
    "fulfillment show": "customer: found 1",
    "provisions receive sample_broker": "1 person(s)",
    "datamap check": "5 dataset(s) match the live schema",
}
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def readme_examples(text: str) -> list[str]:
    """The command lines of the code blocks under '## The commands' (comments kept for the exit code)."""
    section = text.split("\n## The commands", 1)[1].split("\n## ", 1)[0]
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL):
        lines += [line.strip() for line in block.splitlines() if line.strip() and not line.startswith("#")]
    return lines


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _checkout(tmp_path: Path) -> Path:
    """A folder a user would run the README in: the repository's venv, bundle and examples."""
    folder = tmp_path / "checkout"
    folder.mkdir()
    for name in (".venv", "policies", "examples"):
        (folder / name).symlink_to(REPO / name)
    return folder


class Runner:
    def __init__(self, folder: Path, env: dict[str, str], port: int) -> None:
        self.folder, self.env, self.port = folder, env, port
        self.background: list[subprocess.Popen[str]] = []

    def shell(self, line: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [BASH, "-c", line], cwd=self.folder, env=self.env, capture_output=True, text=True,
            timeout=300, check=False,
        )  # fmt: skip

    def run(self, line: str) -> None:
        line = line.replace("8000", str(self.port))
        if " serve " in line:
            self._serve(line)
            return
        expected = int(match.group(1)) if (match := EXPECTED_EXIT.search(line)) else 0
        done = self.shell(line)
        assert done.returncode == expected, (
            f"README example failed (exit {done.returncode}, expected {expected}):\n  {line}\n"
            f"stdout:\n{done.stdout[-3000:]}\nstderr:\n{done.stderr[-3000:]}"
        )
        assert "Traceback" not in done.stderr, line
        command = line.split("  #", 1)[0].strip()
        for key, shown in SHOWS.items():
            if re.search(key, command):
                assert shown in done.stdout + done.stderr, f"{line}\n{done.stdout}\n{done.stderr}"
        if "fulfillment run " in line:
            found = UUID.search(done.stdout)
            assert found, f"no run id in:\n{done.stdout}"
            self.env["RUN_ID"] = found.group(0)

    def _serve(self, line: str) -> None:
        command = line.split("#", 1)[0].strip().rstrip("&").strip()
        process = subprocess.Popen(
            [BASH, "-c", f"exec {command}"], cwd=self.folder, env=self.env, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        self.background.append(process)
        deadline = time.monotonic() + 240  # a loaded machine starts slowly
        while time.monotonic() < deadline:
            assert process.poll() is None, f"README example exited early: {line}"
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.3)
        raise AssertionError(f"the server of {line!r} did not come up")

    def stop(self) -> None:
        for process in self.background:
            process.terminate()
            process.wait(timeout=30)


def _demo_exports(output: str) -> dict[str, str]:
    line = next(line for line in output.splitlines() if line.strip().startswith("export TOKEN="))
    pairs = shlex.split(line.strip())[1:]
    return dict(pair.split("=", 1) for pair in pairs)


class TestReadme:
    def test_the_examples_parse(self) -> None:
        examples = readme_examples(README.read_text(encoding="utf-8"))
        assert len(examples) > 30
        assert all(e.startswith((".venv/bin/mamori", "curl")) for e in examples), examples
        commands = [e.split("  #", 1)[0].strip() for e in examples]
        for key in SHOWS:  # every check has its example
            assert any(re.search(key, command) for command in commands), key

    def test_every_example_runs_in_order_after_the_demo(self, tmp_path: Path) -> None:
        folder = _checkout(tmp_path)
        env = {
            **os.environ,
            "MAMORI_DATABASE_URL": f"sqlite:///{folder / 'mamori.db'}",
            "MAMORI_FILES_DIR": str(folder / "mamori-files"),
            "MAMORI_MAIL_BACKEND": "null",
        }
        env.pop("MAMORI_DEMO", None)
        env.pop("MAMORI_DEFAULT_POLICY_DIR", None)  # the demo publishes policies/aoki with its data map
        runner = Runner(folder, env, _free_port())
        demo = runner.shell(".venv/bin/mamori demo --no-serve --customers 200")
        assert demo.returncode == 0, demo.stdout + demo.stderr
        env.update(_demo_exports(demo.stdout))
        try:
            for line in readme_examples(README.read_text(encoding="utf-8")):
                runner.run(line)
        finally:
            runner.stop()
