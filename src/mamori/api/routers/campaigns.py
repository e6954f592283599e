"""Campaigns for policy revisions: progress and statistics (creating and steering: the CLI)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from mamori.api.deps import SessionDep, require
from mamori.campaigns import service
from mamori.security.rules import Scope
from mamori.security.service import Principal

router = APIRouter(prefix="/campaigns", tags=["campaigns"])
Officer = Annotated[Principal, Depends(require(Scope.POLICY_WRITE))]


class CampaignStatistics(BaseModel):
    campaign: uuid.UUID
    kind: str
    state: str
    purpose: str
    version: int
    audience: int
    by_status: dict[str, int]
    by_channel: dict[str, int]
    sent: int
    bounced: int
    complained: int
    print: int
    reminders: int
    consented: int | None


@router.get("")
def list_campaigns(session: SessionDep, _: Officer) -> list[CampaignStatistics]:
    """Every campaign with its statistics, oldest first."""
    return [_stats(session, c.id) for c in service.list_campaigns(session)]


@router.get("/{campaign_id}")
def campaign_statistics(campaign_id: uuid.UUID, session: SessionDep, _: Officer) -> CampaignStatistics:
    """Progress and statistics of one campaign: sent, bounced, complained, by post, consented."""
    return _stats(session, campaign_id)


def _stats(session: Any, campaign_id: uuid.UUID) -> CampaignStatistics:
    return CampaignStatistics.model_validate(service.statistics(session, campaign_id))
