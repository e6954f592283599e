"""``mamori requests status-code``: the code printed on a postal acknowledgement opens the status once."""

from __future__ import annotations

import json
import re
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy.orm import Session

from mamori.centre.status import open_status
from mamori.config import DEFAULT_POLICY_DIR, Settings
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from tests.e2e.cli.test_requests_cli import _run


def test_the_letter_code_opens_the_status_once(fresh_database_url: str, tmp_path: Path) -> None:
    files = tmp_path / "files"
    assert _run(fresh_database_url, files, "policy", "publish", str(DEFAULT_POLICY_DIR)).returncode == 0
    opened = _run(fresh_database_url, files, "requests", "open", "--type", "disclosure",
                  "--name", "山田 花子", "--address", "横浜市都筑区1-2-3")  # fmt: skip
    assert opened.returncode == 0, opened.stderr
    found = re.search(r"R\d{8}-[0-9A-F]{6}", opened.stdout)
    assert found is not None
    reference = found.group(0)
    issued = _run(fresh_database_url, files, "requests", "status-code", reference)
    assert issued.returncode == 0, issued.stderr
    code = json.loads(issued.stdout)["status_code"]
    settings = Settings(database_url=fresh_database_url, _env_file=None)  # type: ignore[call-arg]
    engine = make_engine(fresh_database_url)
    session: Session
    with unit_of_work(make_session_factory(engine)) as session:
        assert open_status(session, reference=reference, code=code, settings=settings) is not None
        assert open_status(session, reference=reference, code=code, settings=settings) is None
    engine.dispose()
    letter = tmp_path / "acknowledgement.pdf"
    written = _run(fresh_database_url, files, "requests", "acknowledgement", reference, "--out", str(letter))
    assert written.returncode == 0, written.stderr
    assert reference in "".join(page.extract_text() for page in PdfReader(letter).pages)
    unknown = _run(fresh_database_url, files, "requests", "status-code", "R20000101-000000")
    assert unknown.returncode != 0
