"""``mamori audit anchor``, ``audit verify --anchor`` and ``audit list`` as an operator runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from mamori.audit.service import EventInput, record_events
from mamori.cli.common import shown
from mamori.config import DEFAULT_POLICY_DIR
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from tests.e2e.cli.test_cli import mamori


def _events(url: str, count: int, actor: str = "user:test") -> None:
    engine = make_engine(url)
    with unit_of_work(make_session_factory(engine)) as session:
        events = [EventInput("thing.done", "thing", f"t{i}", {"i": i}) for i in range(count)]
        record_events(session, actor=actor, events=events)
    engine.dispose()


def _sql(url: str, *statements: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()


def _cut_tail_and_move_head_back(url: str) -> None:
    """Delete the last event and point its head at the one before: the chain itself stays valid."""
    engine = make_engine(url)
    with engine.begin() as conn:
        last = conn.execute(text("SELECT chain, link FROM audit_events ORDER BY seq DESC LIMIT 1")).one()
        before = conn.execute(
            text("SELECT hash FROM audit_events WHERE chain = :c AND link = :l"),
            {"c": last.chain, "l": last.link - 1},
        ).scalar_one()
        conn.execute(
            text("DELETE FROM audit_events WHERE chain = :c AND link = :l"), {"c": last.chain, "l": last.link}
        )
        conn.execute(
            text("UPDATE audit_chain_heads SET seq = :l, hash = :h WHERE id = :c"),
            {"l": last.link - 1, "h": before, "c": last.chain},
        )
    engine.dispose()


@pytest.fixture
def anchored(fresh_database_url: str, tmp_path: Path) -> Path:
    """A log of 6 events anchored to a file, then 2 more events."""
    _events(fresh_database_url, 6)
    out = tmp_path / "anchor.json"
    made = mamori(fresh_database_url, "audit", "anchor", "--out", str(out))
    assert made.returncode == 0, made.stderr
    _events(fresh_database_url, 2)
    return out


class TestAnchor:
    def test_prints_each_chain_with_a_mac(self, fresh_database_url: str) -> None:
        _events(fresh_database_url, 3)
        printed = mamori(fresh_database_url, "audit", "anchor")
        assert printed.returncode == 0, printed.stderr
        anchor = json.loads(printed.stdout)
        assert anchor["events"] == 3
        assert [c["links"] for c in anchor["chains"]] == [3]
        assert len(anchor["mac"]) == 64

    def test_a_longer_log_still_matches(self, fresh_database_url: str, anchored: Path) -> None:
        ok = mamori(fresh_database_url, "audit", "verify", "--anchor", str(anchored))
        assert ok.returncode == 0, ok.stderr
        assert "OK: 8 events" in ok.stdout
        assert "matches the anchor" in ok.stdout

    def test_a_tail_cut_with_its_head_moved_back_is_found(
        self, fresh_database_url: str, anchored: Path
    ) -> None:
        for _ in range(3):  # back to 5 events: one fewer than the anchor
            _cut_tail_and_move_head_back(fresh_database_url)
        assert mamori(fresh_database_url, "audit", "verify").returncode == 0  # the chain alone cannot tell
        broken = mamori(fresh_database_url, "audit", "verify", "--anchor", str(anchored))
        assert broken.returncode == 1
        assert "shorter than the anchor: 5 events, the anchor records 6" in broken.stderr

    def test_an_emptied_log_is_found(self, fresh_database_url: str, anchored: Path) -> None:
        _sql(fresh_database_url, "DELETE FROM audit_events", "DELETE FROM audit_chain_heads")
        broken = mamori(fresh_database_url, "audit", "verify", "--anchor", str(anchored))
        assert broken.returncode == 1
        assert "the anchor records 6" in broken.stderr

    def test_an_edited_anchor_is_refused(self, fresh_database_url: str, anchored: Path) -> None:
        anchor = json.loads(anchored.read_text())
        anchor["events"] = 1
        anchored.write_text(json.dumps(anchor))
        broken = mamori(fresh_database_url, "audit", "verify", "--anchor", str(anchored))
        assert broken.returncode == 1
        assert "MAC does not match" in broken.stderr


class TestEmptyLog:
    def test_a_published_policy_without_events_is_not_ok(self, fresh_database_url: str) -> None:
        published = mamori(fresh_database_url, "policy", "publish", str(DEFAULT_POLICY_DIR))
        assert published.returncode == 0, published.stderr
        _sql(fresh_database_url, "DELETE FROM audit_events", "DELETE FROM audit_chain_heads")
        broken = mamori(fresh_database_url, "audit", "verify")
        assert broken.returncode == 1
        assert "OK" not in broken.stdout
        assert "policy version 1: no audit event publishes it" in broken.stderr


class TestControlCharacters:
    def test_a_newline_in_an_actor_cannot_forge_a_line_and_escapes_never_reach_the_terminal(
        self, fresh_database_url: str
    ) -> None:
        forged = "user:eve\n      99  2026-01-01 00:00:00  cli:root  policy.published \x1b[2J\x1b]0;owned\x07"
        _events(fresh_database_url, 1, actor=forged)
        listed = mamori(fresh_database_url, "audit", "list")
        assert listed.returncode == 0, listed.stderr
        assert len(listed.stdout.splitlines()) == 1
        assert "\x1b" not in listed.stdout
        assert "\x07" not in listed.stdout
        assert "user:eve\\n      99" in listed.stdout
        assert "\\x1b[2J" in listed.stdout

    @pytest.mark.parametrize("username", ["eve\nroot", "eve\x1b[31m", "eve\u202eoot"])
    def test_usernames_with_control_characters_are_refused(
        self, fresh_database_url: str, username: str
    ) -> None:
        added = mamori(
            fresh_database_url, "users", "add", username, "--role", "agent", "--password", "p" * 14
        )
        assert added.returncode == 2
        assert "control characters" in added.stderr
        assert "\x1b" not in added.stderr
        listed = mamori(fresh_database_url, "users", "list")
        assert listed.stdout.strip() == ""


class TestShown:
    @pytest.mark.parametrize(
        ("stored", "printed"),
        [
            ("plain 日本語", "plain 日本語"),
            ("a\nb\r\tc", "a\\nb\\r\\tc"),
            ("\x1b[31mred\x07", "\\x1b[31mred\\x07"),
            ("\x9b2J\u202egnp.exe", "\\x9b2J\\u202egnp.exe"),
        ],
    )
    def test_control_characters_are_escaped(self, stored: str, printed: str) -> None:
        assert shown(stored) == printed
