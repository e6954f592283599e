"""Create, steer and report campaigns. Entry points own the transaction; services flush only."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import Table, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from mamori.audit.service import record_event
from mamori.campaigns import rules
from mamori.campaigns.models import Campaign, CampaignDelivery
from mamori.consents.decisions.audiences import AudienceRequest, prepare, stream_audience
from mamori.consents.models import ConsentState
from mamori.db.base import utcnow
from mamori.db.queue import enqueue
from mamori.errors import NotFound, ValidationFailed
from mamori.policy.changes.history import effective_instant
from mamori.policy.models import PolicyVersion
from mamori.policy.service import current_version, latest_version

SEND = "campaigns.send"
CHUNK = 10_000


def create_campaign(  # noqa: PLR0913 - what a campaign is about and how fast it goes
    session: Session,
    *,
    actor: str,
    kind: str,
    purpose_id: str,
    category: str = "customers",
    rate_per_second: int = 100,
    remind_after_days: int | None = None,
) -> Campaign:
    """A campaign to the people the purpose's revision affects, with one pending delivery each.

    The campaign is about the newest published version (in force, or announced in advance with a
    later effective date). The audience of a notification is the purpose's audience now; that of
    a consent campaign is the purpose's audience just before that version takes effect (the people
    whose data the purpose covered before it changed; now, for a version not yet in force). By
    e-mail when the person has an address, else by post.

    Raises:
        ValidationFailed: unknown kind, purpose or category, or a rate below 1.
        NotFound: no version published, or none in force yet (the message says which).
    """
    if kind not in rules.KINDS or rate_per_second < 1:
        raise ValidationFailed("kind must be notification or consent and the rate at least 1 per second")
    version = _revision(session)
    campaign = Campaign(
        kind=kind, purpose_id=purpose_id, category=category, policy_version=version.number,
        rate_per_second=rate_per_second, remind_after_days=remind_after_days, created_by=actor,
    )  # fmt: skip
    session.add(campaign)
    session.flush()
    before = effective_instant(version.effective_date) - timedelta(microseconds=1)
    at = min(before, utcnow()) if kind == "consent" else None
    request = AudienceRequest(purpose_id, channel="email", category=category, at=at)
    prepare(session, request)
    _insert(session, campaign.id, stream_audience(session, request), "email")
    anyone = AudienceRequest(purpose_id, channel="any", category=category, at=request.at)
    _insert(session, campaign.id, stream_audience(session, anyone), "post")
    total = session.scalar(select(func.count()).where(CampaignDelivery.campaign_id == campaign.id))
    record_event(
        session, actor=actor, action="campaign.created", target_type="campaign", target_id=str(campaign.id),
        details={"kind": kind, "purpose": purpose_id, "version": version.number, "audience": total},
    )  # fmt: skip
    enqueue_send(session, campaign.id)
    return campaign


def _revision(session: Session) -> PolicyVersion:
    """The version a campaign is about: the newest published one, in force or announced in advance.

    Raises:
        NotFound: no version is published, or none is in force yet (the audience is read from the
            version in force), each said as such with what to do.
    """
    latest = latest_version(session)
    if latest is None:
        raise NotFound(
            "a campaign tells people about a published policy version, and none is published: "
            "publish the bundle with 'mamori policy publish DIR', then the revised bundle"
        )
    if current_version(session) is None:
        raise NotFound(
            f"version {latest.number} is published but takes effect on {latest.effective_date.isoformat()}, "
            "and no earlier version is in force: the audience is read from the version in force, "
            "so create the campaign once a version is in force"
        )
    return latest


def _insert(session: Session, campaign_id: uuid.UUID, members: Iterator[Any], channel: str) -> None:
    """Add deliveries in chunks; a person already added (by e-mail) is skipped."""
    table = cast("Table", CampaignDelivery.__table__)
    builder = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = builder(table).on_conflict_do_nothing(index_elements=["campaign_id", "subject_id"])
    rows: list[dict[str, Any]] = []
    for member in members:
        rows.append({
            "campaign_id": campaign_id, "subject_id": member.subject_id, "language": member.language,
            "channel": channel, "status": rules.PENDING, "attempts": 0, "reminders": 0,
        })  # fmt: skip
        if len(rows) >= CHUNK:
            session.connection().execute(stmt, rows)
            rows = []
    if rows:
        session.connection().execute(stmt, rows)


def enqueue_send(
    session: Session, campaign_id: uuid.UUID, after: dict[str, Any] | None = None, *, run_after: Any = None
) -> None:
    """Queue the next batch: a new chain (``after`` None) or the one after the batch ``after`` ran."""
    chain = str(after["chain"]) if after else uuid.uuid4().hex
    number = int(after["round"]) + 1 if after else 0
    payload = {"campaign_id": str(campaign_id), "chain": chain, "round": number}
    enqueue(session, kind=SEND, payload=payload, key=f"{SEND}:{chain}:{number}", run_after=run_after)


def get_campaign(session: Session, campaign_id: uuid.UUID) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound("no such campaign")
    return campaign


def steer(session: Session, *, actor: str, campaign_id: uuid.UUID, to: str) -> Campaign:
    """Pause, resume (``running``), cancel or close a campaign. Raises InvalidTransition, NotFound."""
    campaign = get_campaign(session, campaign_id)
    campaign.state = rules.move(campaign.state, to)
    if to == rules.CANCELLED:
        session.execute(
            update(CampaignDelivery)
            .where(CampaignDelivery.campaign_id == campaign.id, CampaignDelivery.status == rules.PENDING)
            .values(status=rules.SKIPPED, updated_at=utcnow())
        )
    if to == rules.RUNNING:
        enqueue_send(session, campaign.id)
    if to == rules.CLOSED:
        campaign.closed_at = utcnow()
        campaign.report = statistics(session, campaign.id)
    session.flush()
    record_event(session, actor=actor, action=f"campaign.{to}", target_type="campaign",
                 target_id=str(campaign.id), details={"state": to})  # fmt: skip
    return campaign


def record_feedback(session: Session, *, actor: str, message_id: str, kind: str) -> CampaignDelivery:
    """A bounce or complaint reported for a message (by its Message-ID). Raises NotFound, ValidationFailed."""
    if kind not in rules.FEEDBACK:
        raise ValidationFailed("feedback is bounced or complained")
    delivery = session.scalars(
        select(CampaignDelivery).where(CampaignDelivery.message_id == message_id)
    ).first()
    if delivery is None:
        raise NotFound("no delivery with this Message-ID")
    delivery.status, delivery.updated_at = kind, utcnow()
    session.flush()
    record_event(session, actor=actor, action=f"campaign.delivery_{kind}", target_type="campaign",
                 target_id=str(delivery.campaign_id), details={"delivery": delivery.id})  # fmt: skip
    return delivery


def remind(session: Session, *, actor: str, campaign_id: uuid.UUID) -> int:
    """Queue a reminder to each person of a consent campaign who has not consented since it began."""
    campaign = get_campaign(session, campaign_id)
    if campaign.kind != "consent" or campaign.state != rules.RUNNING:
        raise ValidationFailed("reminders go out for a running consent campaign only")
    due = utcnow() - timedelta(days=campaign.remind_after_days or 0)
    consented = _consented(campaign).with_only_columns(ConsentState.subject_id)
    stmt = (
        update(CampaignDelivery)
        .where(
            CampaignDelivery.campaign_id == campaign.id, CampaignDelivery.status == rules.SENT,
            CampaignDelivery.sent_at <= due, CampaignDelivery.subject_id.not_in(consented),
        )
        .values(status=rules.PENDING, reminders=CampaignDelivery.reminders + 1, updated_at=utcnow())
    )  # fmt: skip
    count = int(session.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]
    if count:
        enqueue_send(session, campaign.id)
    record_event(session, actor=actor, action="campaign.reminded", target_type="campaign",
                 target_id=str(campaign.id), details={"reminders": count})  # fmt: skip
    return count


def _consented(campaign: Campaign) -> Any:
    return select(func.count()).where(
        ConsentState.scope == f"purpose:{campaign.purpose_id}",
        ConsentState.action == "given",
        ConsentState.occurred_at >= campaign.created_at,
        ConsentState.subject_id.in_(
            select(CampaignDelivery.subject_id).where(CampaignDelivery.campaign_id == campaign.id)
        ),
    )


def statistics(session: Session, campaign_id: uuid.UUID) -> dict[str, Any]:
    """Counts by delivery status and channel, and (consent campaigns) who consented since it began."""
    campaign = get_campaign(session, campaign_id)
    rows = session.execute(
        select(CampaignDelivery.status, CampaignDelivery.channel, func.count())
        .where(CampaignDelivery.campaign_id == campaign_id)
        .group_by(CampaignDelivery.status, CampaignDelivery.channel)
    )
    by_status: dict[str, int] = {}
    by_channel: dict[str, int] = {}
    for status, channel, count in rows:
        by_status[status] = by_status.get(status, 0) + count
        by_channel[channel] = by_channel.get(channel, 0) + count
    reminders = session.scalar(
        select(func.coalesce(func.sum(CampaignDelivery.reminders), 0)).where(
            CampaignDelivery.campaign_id == campaign_id
        )
    )
    consented = session.scalar(_consented(campaign)) if campaign.kind == "consent" else None
    return {
        "campaign": str(campaign.id), "kind": campaign.kind, "state": campaign.state,
        "purpose": campaign.purpose_id, "version": campaign.policy_version,
        "audience": sum(by_status.values()), "by_status": by_status, "by_channel": by_channel,
        "sent": by_status.get(rules.SENT, 0) + sum(by_status.get(s, 0) for s in rules.FEEDBACK),
        "bounced": by_status.get(rules.BOUNCED, 0), "complained": by_status.get(rules.COMPLAINED, 0),
        "print": by_status.get(rules.PRINT, 0), "reminders": int(reminders or 0), "consented": consented,
    }  # fmt: skip


def list_campaigns(session: Session) -> list[Campaign]:
    return list(session.scalars(select(Campaign).order_by(Campaign.created_at)))
