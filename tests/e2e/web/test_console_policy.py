"""The policy in the console: a changed bundle uploaded as a zip is checked, published and read as a diff."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from mamori.policy.models import PolicyVersion
from mamori.policy.service import list_versions
from mamori.security.rules import Role
from tests.bundles import copy_default_bundle, edit, justify
from tests.e2e.web.staff_client import csrf_of, sign_in

OLD = "selling in shops and online"
NEW = "selling in shops, online and by catalogue"


def zipped(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


def _send(client: TestClient, data: bytes, *, publish: bool) -> str:
    token = csrf_of(client.get("/console/policy?lang=en").text)
    form = {"csrf_token": token, "source": "upload", "note": "catalogue sales"} | (
        {"publish": "yes"} if publish else {}
    )
    response = client.post(
        "/console/policy/check?lang=en", data=form, files={"bundle": ("policy.zip", data, "application/zip")}
    )
    return response.text


class TestPublishFromZip:
    def test_a_changed_bundle_is_published_and_its_diff_read_in_the_chosen_language(
        self, client: TestClient, session: Session, published: PolicyVersion, tmp_path: Path
    ) -> None:
        del published
        bundle = copy_default_bundle(tmp_path)
        edit(bundle, "purposes.yaml", OLD, NEW)
        justify(bundle, "customer.sales")
        sign_in(client, session, Role.PRIVACY_OFFICER)
        checked = _send(client, zipped(bundle), publish=False)
        assert "The bundle is valid." in checked
        assert NEW in checked
        assert len(list_versions(session)) == 1  # a check publishes nothing
        done = _send(client, zipped(bundle), publish=True)
        assert "Version 2 was published." in done
        diff = client.get("/console/policy/diff?old=1&new=2&lang=en")
        assert OLD in diff.text
        assert NEW in diff.text
        assert "purposes" in diff.text
        japanese = client.get("/console/policy/diff?old=1&new=2&lang=ja")
        assert "第1版 → 第2版" in japanese.text

    def test_errors_are_shown_by_file_and_line_and_nothing_is_published(
        self, client: TestClient, session: Session, published: PolicyVersion, tmp_path: Path
    ) -> None:
        del published
        bundle = copy_default_bundle(tmp_path)
        edit(bundle, "purposes.yaml", "retention: P5Y", "retention: five years")
        sign_in(client, session, Role.PRIVACY_OFFICER)
        page = _send(client, zipped(bundle), publish=True)
        assert "The bundle has errors:" in page
        assert "purposes.yaml" in page
        assert "<td>30</td>" in page  # the line of the bad retention
        assert len(list_versions(session)) == 1

    def test_an_auditor_reads_versions_but_cannot_publish(
        self, client: TestClient, session: Session, published: PolicyVersion
    ) -> None:
        del published
        sign_in(client, session, Role.AUDITOR)
        assert client.get("/console/policy").status_code == 200
        token = csrf_of(client.get("/console/audit").text)
        assert (
            client.post("/console/policy/check", data={"csrf_token": token, "publish": "yes"}).status_code
            == 403
        )
