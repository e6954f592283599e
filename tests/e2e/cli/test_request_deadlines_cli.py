"""Answer targets against the APPI Art. 39 date, as the office sees them in `mamori requests` and
`mamori policy check` (real CLI processes, real database)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import update

from mamori.config import DEFAULT_POLICY_DIR
from mamori.db.session import make_engine
from mamori.dsr.models import Case
from tests.bundles import copy_default_bundle, edit


def mamori(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MAMORI_DATABASE_URL": url, "MAMORI_MAIL_BACKEND": "null"}
    return subprocess.run(
        [sys.executable, "-m", "mamori", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )


def _open(url: str) -> str:
    done = mamori(
        url, "requests", "open", "--type", "disclosure", "--name", "山田 花子", "--address", "横浜市1-2"
    )
    assert done.returncode == 0, done.stderr
    found = re.search(r"R\d{8}-[0-9A-F]{6}", done.stdout)
    assert found is not None
    return found.group(0)


class TestTargetBeforeArt39:
    def test_a_new_case_is_due_before_the_day_a_suit_may_follow_and_shows_both_dates(
        self, fresh_database_url: str
    ) -> None:
        assert mamori(fresh_database_url, "policy", "publish", str(DEFAULT_POLICY_DIR)).returncode == 0
        ref = _open(fresh_database_url)
        shown = mamori(fresh_database_url, "requests", "show", ref)
        assert shown.returncode == 0, shown.stderr
        dates = json.loads(shown.stdout)["deadlines"]
        target, art39 = date.fromisoformat(dates["target_on"]), date.fromisoformat(dates["art39_on"])
        assert target < art39, dates
        listed = mamori(fresh_database_url, "requests", "due").stdout
        assert f"{ref}\tdisclosure\treceived\t{target.isoformat()}\t{art39.isoformat()}" in listed

    def test_the_due_list_sorts_by_the_earlier_of_target_and_art39(self, fresh_database_url: str) -> None:
        assert mamori(fresh_database_url, "policy", "publish", str(DEFAULT_POLICY_DIR)).returncode == 0
        late_suit, early_target = _open(fresh_database_url), _open(fresh_database_url)
        engine = make_engine(fresh_database_url)
        with engine.begin() as conn:  # a case opened before the cap: its target lies after Art. 39
            conn.execute(
                update(Case)
                .where(Case.reference == late_suit)
                .values(target_on=date(2027, 1, 20), art39_on=date(2027, 1, 10))
            )
            conn.execute(
                update(Case)
                .where(Case.reference == early_target)
                .values(target_on=date(2027, 1, 15), art39_on=date(2027, 1, 22))
            )
        engine.dispose()
        lines = mamori(fresh_database_url, "requests", "due").stdout.splitlines()
        assert [line.split("\t")[0] for line in lines] == [late_suit, early_target]
        assert lines[0].split("\t")[3:5] == ["2027-01-20", "2027-01-10"]


class TestPolicyCheckWarns:
    def test_a_bundle_that_lifts_the_cap_is_told_which_targets_reach_art39(self, tmp_path: Path) -> None:
        quiet = mamori("sqlite://", "policy", "check", str(DEFAULT_POLICY_DIR))
        assert quiet.returncode == 0, quiet.stderr
        assert "Art. 39" not in quiet.stderr
        bundle = copy_default_bundle(tmp_path)
        edit(
            bundle,
            "request_handling.yaml",
            "  reminder_business_days:",
            "  target_before_art39: false\n  reminder_business_days:",
        )
        loud = mamori("sqlite://", "policy", "check", str(bundle))
        assert loud.returncode == 0, loud.stderr
        assert (
            "warning: request type 'disclosure': a target of 10 business days reaches the APPI Art. 39"
            in loud.stderr
        )
        assert "request_handling.cn: a target of 15 business days" in loud.stderr
        assert str(datetime.now(UTC).year) in loud.stderr
