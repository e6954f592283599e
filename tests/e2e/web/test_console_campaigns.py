"""Campaigns in the console: the policy diff names each change's class and links to the campaign it
needs; the campaign is started from that link, shows its audience, and is paused and resumed."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.campaigns.models import Campaign
from mamori.config import Settings
from mamori.policy.models import PolicyVersion
from mamori.security.rules import Role
from tests.bundles import copy_default_bundle, edit, justify
from tests.e2e.web.staff_client import csrf_of, sign_in
from tests.e2e.web.test_console_policy import NEW, OLD, _send, zipped
from tests.factories.decisions import create_subject
from tests.integration.campaigns.test_service import AGO

LINK = "/console/campaigns?purpose=customer.sales&amp;kind=notification"


def _publish_reworded(client: TestClient, tmp_path: Path) -> None:
    bundle = copy_default_bundle(tmp_path)
    edit(bundle, "purposes.yaml", OLD, NEW)
    justify(bundle, "customer.sales")
    assert "Version 2 was published." in _send(client, zipped(bundle), publish=True)


class TestCampaignsFromTheDiff:
    def test_the_diff_links_to_the_campaign_which_is_started_and_paused(
        self,
        client: TestClient,
        session: Session,
        settings: Settings,
        published: PolicyVersion,
        tmp_path: Path,
    ) -> None:
        del published
        for n in (1, 2):
            create_subject(
                session, settings, categories={"customers": AGO}, identifiers=[("email", f"c{n}@example.jp")]
            )
        sign_in(client, session, Role.PRIVACY_OFFICER)
        _publish_reworded(client, tmp_path)
        diff = client.get("/console/policy/diff?old=1&new=2&lang=en")
        assert 'data-class="related_change"' in diff.text
        assert "Create a notification campaign for customer.sales" in diff.text
        assert LINK in diff.text
        form = client.get(LINK.replace("&amp;", "&") + "&lang=en")
        assert '<option value="customer.sales" selected>' in form.text
        started = client.post(
            "/console/campaigns?lang=en",
            data={"csrf_token": csrf_of(form.text), "purpose_id": "customer.sales", "kind": "notification"},
        )
        assert "The campaign was started" in started.text
        campaign = session.scalars(select(Campaign)).one()
        assert (campaign.kind, campaign.purpose_id, campaign.policy_version) == (
            "notification",
            "customer.sales",
            2,
        )
        assert '<td id="stat-audience">2</td>' in started.text
        paused = client.post(
            f"/console/campaigns/{campaign.id}/pause?lang=en", data={"csrf_token": csrf_of(started.text)}
        )
        assert "The campaign was paused." in paused.text
        assert '<dd id="campaign-state">paused</dd>' in paused.text
        again = client.post(
            f"/console/campaigns/{campaign.id}/pause?lang=en", data={"csrf_token": csrf_of(paused.text)}
        )
        assert "Nothing was changed:" in again.text
        resumed = client.post(
            f"/console/campaigns/{campaign.id}/resume?lang=en", data={"csrf_token": csrf_of(paused.text)}
        )
        assert '<dd id="campaign-state">running</dd>' in resumed.text
        actions = set(
            session.scalars(select(AuditEvent.action).where(AuditEvent.target_id == str(campaign.id)))
        )
        assert {"campaign.created", "campaign.paused", "campaign.running"} <= actions
        listed = client.get("/console/campaigns?lang=ja")
        assert f"/console/campaigns/{campaign.id}" in listed.text

    def test_an_agent_cannot_open_campaigns(self, client: TestClient, session: Session) -> None:
        sign_in(client, session, Role.AGENT)
        assert client.get("/console/campaigns").status_code == 403
