"""``mamori policy diff`` classifies a new tag of the cookie inventory (a real process, a real database)."""

from __future__ import annotations

from pathlib import Path

from mamori.config import DEFAULT_POLICY_DIR
from tests.bundles import copy_default_bundle, edit
from tests.e2e.cli.test_cli import mamori
from tests.unit.policy.test_cookie_changes import add_tag


def test_a_new_linked_tag_is_listed_with_its_class(fresh_database_url: str, tmp_path: Path) -> None:
    assert mamori(fresh_database_url, "policy", "publish", str(DEFAULT_POLICY_DIR)).returncode == 0
    bundle = copy_default_bundle(tmp_path)
    add_tag(bundle, linked=True)
    diff = mamori(fresh_database_url, "policy", "diff", "current", str(bundle), "--lang", "en")
    assert diff.returncode == 0, diff.stderr
    lines = diff.stdout.splitlines()
    assert "[announce] new tag www/tiktok_pixel sends data from visitors' browsers" in lines
    assert "[needs_consent] the recipient of tag www/tiktok_pixel ties it to a person" in lines
    assert lines[-1] == "overall: needs_consent (needs consent)"
    edit(
        bundle,
        "cookies.yaml",
        "linked_to_person: true\n          provider: {ja: TikTok",
        "linked_to_person: false\n          provider: {ja: TikTok",
    )
    japanese = mamori(fresh_database_url, "policy", "diff", "current", str(bundle))
    assert "[announce] 外部送信するタグ www/tiktok_pixel を追加" in japanese.stdout
    assert "needs_consent" not in japanese.stdout
