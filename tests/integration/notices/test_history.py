"""The public policy history: versions as published, an announced version, readable diffs, the Atom feed."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy.orm import Session

from mamori.calendar.service import TOKYO
from mamori.errors import NotFound
from mamori.notices.history import (
    ATOM,
    atom_feed,
    diff_lines,
    notice_as_published,
    notice_diff,
    policy_history,
)
from mamori.policy.service import publish_bundle
from tests.bundles import copy_default_bundle, edit
from tests.factories.subjects import ensure_policy

OLD = "to send you catalogues and promotional mail"
NEW = "to send you catalogues, promotional mail and e-mail newsletters"
JUSTIFICATION = """
change_justifications:
  - purpose: customer.mailings
    kind: reasonably_related
    text:
      ja: カタログ等の送付にメールマガジンを加えるもので、従来の目的と合理的に関連します。
      en: "Newsletters by e-mail are a form of the promotional mail the purpose already named."
      zh-Hans: 以电子邮件发送简报属于原目的已列明的宣传邮件的一种形式。
      zh-Hant: 以電子郵件寄送電子報屬於原目的已列明之宣傳郵件的一種形式。
"""


def _announce(session: Session, tmp_path: Path) -> date:
    ensure_policy(session)
    bundle = copy_default_bundle(tmp_path)
    edit(bundle, "purposes.yaml", OLD, NEW)
    edit(bundle, "bundle.yaml", "revisions:\n", "revisions:\n  - date: 2027-02-01\n    summary:\n"
         '      ja: 利用目的を改定\n      en: "Purposes revised."\n      zh-Hans: 修订使用目的\n'
         "      zh-Hant: 修訂利用目的\n")  # fmt: skip
    with (bundle / "bundle.yaml").open("a", encoding="utf-8") as handle:
        handle.write(JUSTIFICATION)  # a widened purpose is published only with the author's word on it
    effective = datetime.now(TOKYO).date() + timedelta(days=30)
    publish_bundle(session, actor="t", directory=bundle, effective_date=effective)
    return effective


class TestPolicyHistory:
    def test_an_announced_version_is_listed_with_its_date_before_it_takes_effect(
        self, session: Session, tmp_path: Path
    ) -> None:
        effective = _announce(session, tmp_path)
        entries = policy_history(session, "en")
        assert [e.state for e in entries[:2]] == ["announced", "in_force"]
        assert entries[0].effective_date == effective
        assert entries[0].summary == "Purposes revised."
        later = policy_history(session, "en", today=effective)
        assert [e.state for e in later[:2]] == ["in_force", "past"]

    def test_each_version_reads_as_it_was_published(self, session: Session, tmp_path: Path) -> None:
        _announce(session, tmp_path)
        numbers = [e.number for e in policy_history(session, "en")]
        assert OLD in notice_as_published(session, numbers[1], "en").text()
        assert NEW in notice_as_published(session, numbers[0], "en").text()
        with pytest.raises(NotFound):
            notice_as_published(session, 999, "en")


class TestNoticeDiff:
    def test_the_diff_shows_the_changed_sentence_in_the_chosen_language(
        self, session: Session, tmp_path: Path
    ) -> None:
        _announce(session, tmp_path)
        new, old = (e.number for e in policy_history(session, "en")[:2])
        lines = notice_diff(session, old, new, "en")
        assert any(line.op == "removed" and OLD in line.text for line in lines)
        assert any(line.op == "added" and NEW in line.text for line in lines)
        assert any(line.op == "skipped" and line.skipped > 0 for line in lines)  # unchanged parts folded
        zh = notice_diff(session, old, new, "zh-Hant")
        assert all(OLD not in line.text for line in zh)  # the Chinese text did not change

    def test_context_around_a_change(self) -> None:
        old = [f"line {i}" for i in range(10)]
        new = [*old[:5], "new line", *old[6:]]
        ops = [(d.op, d.text, d.skipped) for d in diff_lines(old, new)]
        assert ops == [
            ("skipped", "", 3), ("same", "line 3", 0), ("same", "line 4", 0),
            ("removed", "line 5", 0), ("added", "new line", 0),
            ("same", "line 6", 0), ("same", "line 7", 0), ("skipped", "", 2),
        ]  # fmt: skip


class TestAtomFeed:
    def test_the_feed_lists_every_revision_with_its_link(self, session: Session, tmp_path: Path) -> None:
        _announce(session, tmp_path)
        entries = policy_history(session, "ja")
        xml = atom_feed(entries, title="AOKI", lang="ja", base_url="https://example.jp")
        root = ET.fromstring(xml)  # noqa: S314 - our own output
        items = root.findall(f"{{{ATOM}}}entry")
        assert len(items) == len(entries)
        first = items[0]
        link = first.find(f"{{{ATOM}}}link")
        assert link is not None
        assert link.get("href") == f"https://example.jp/privacy/history/{entries[0].number}?lang=ja"
        assert first.findtext(f"{{{ATOM}}}summary") == "利用目的を改定"
        assert "利用目的を改定".encode() in xml  # characters, not escapes
