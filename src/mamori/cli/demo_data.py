"""The demo's sample data: people, shop customers on record, a provider, requests, inquiries, an incident.

Each part is added once: a second ``mamori demo`` leaves what exists alone and finds the same
references again (the README's examples use them).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.cli.demo_shop import customer_row
from mamori.config import Settings
from mamori.dsr.models import Case
from mamori.incidents.models import Incident
from mamori.inquiries.models import Inquiry
from mamori.inquiries.rules import State
from mamori.subjects.repository import subjects_by_identifier

SHOP_CUSTOMERS_ON_RECORD = 12  # user1..user12@example.jp are also Mamori subjects (members)
SAMPLE_PROVIDER = "sample_broker"


@dataclass(frozen=True)
class DemoRefs:
    """References the README's examples need, printed as shell variables."""

    case: str
    inquiry: str
    incident: str
    subject_id: str

    def exports(self, token: str) -> str:
        pairs = {
            "TOKEN": token,
            "CASE": self.case,
            "INQUIRY": self.inquiry,
            "INCIDENT": self.incident,
            "SUBJECT_ID": self.subject_id,
        }
        return "export " + " ".join(f"{k}={shlex.quote(v)}" for k, v in pairs.items())


# Fictitious people on reserved domains: categories, jurisdiction, language, e-mail, given, withdrawn
SAMPLE_PEOPLE: tuple[tuple[list[str], str, str, str, list[str], list[str]], ...] = (
    (["customers"], "JP", "ja", "hanako.sample@example.jp", ["customer.mailings", "customer.surveys"], []),
    (["customers"], "JP", "en", "taro.sample@example.jp", ["customer.mailings"], ["customer.mailings"]),
    (["customers"], "CN", "zh-Hans", "li.sample@example.cn", ["customer.group_promotions"], []),
    (["customers", "shareholders"], "JP", "zh-Hant", "chen.sample@example.tw", [], []),
)


def seed_everything(session: Session, settings: Settings, actor: str) -> DemoRefs:
    """Add every part of the sample data that is missing; the references for the README."""
    from mamori.dsr.demo import add_sample_requests
    from mamori.incidents.demo import add_sample_incident
    from mamori.inquiries.samples import add_sample_inquiries
    from mamori.provisions.demo import seed_demo

    _sample_people(session, settings, actor)
    _shop_customers(session, settings, actor)
    _provider(session, actor)
    typer.echo(f"sample processors assessed: {seed_demo(session, actor=actor)}")
    cases = add_sample_requests(session, settings, actor=actor)
    typer.echo(f"sample requests: {len(cases)} (mamori requests list; console /console/requests)")
    added = add_sample_inquiries(session, settings, actor)
    typer.echo(f"sample inquiries: {added} (mamori inquiries list; console /console/inquiries)")
    if add_sample_incident(session, settings, actor) is not None:
        typer.echo("sample incident: 1 (mamori incidents deadlines; console /console/incidents)")
    session.flush()
    return _refs(session, settings)


def _refs(session: Session, settings: Settings) -> DemoRefs:
    """The first sample case and incident, and the first inquiry nobody has taken yet."""
    case = session.scalars(select(Case.reference).order_by(Case.created_at, Case.reference).limit(1)).first()
    new = select(Inquiry.reference).where(Inquiry.state == State.NEW).order_by(Inquiry.received_at)
    inquiry = (
        session.scalars(new.limit(1)).first() or session.scalars(select(Inquiry.reference).limit(1)).first()
    )
    incident = session.scalars(select(Incident.reference).order_by(Incident.created_at).limit(1)).first()
    found = subjects_by_identifier(session, settings, "email", "user1@example.jp")
    return DemoRefs(
        case=case or "",
        inquiry=inquiry or "",
        incident=incident or "",
        subject_id=str(found[0].id) if found else "",
    )


def _sample_people(session: Session, settings: Settings, actor: str) -> None:
    """A few sample customers with consents, once (skipped when they already exist)."""
    from mamori.consents.service import record_consent
    from mamori.subjects.service import create_subject

    for categories, jurisdiction, language, email, given, withdrawn in SAMPLE_PEOPLE:
        if subjects_by_identifier(session, settings, "email", email):
            continue
        person = create_subject(
            session,
            settings,
            actor,
            categories=categories,
            identifiers=[("email", email)],
            jurisdiction=jurisdiction,
            language=language,
        )
        for action, purposes in (("given", given), ("withdrawn", withdrawn)):
            for purpose in purposes:
                record_consent(
                    session,
                    actor=actor,
                    subject_id=person.id,
                    scope=f"purpose:{purpose}",
                    action=action,
                    language=language,
                    channel="web",
                    separate=jurisdiction == "CN" and action == "given",
                )
    typer.echo(f"sample people: {len(SAMPLE_PEOPLE)} (e.g. hanako.sample@example.jp)")


def _shop_customers(session: Session, settings: Settings, actor: str) -> None:
    """The first shop customers as Mamori subjects: their requests search the shop by e-mail and phone."""
    from mamori.subjects.service import create_subject

    for k in range(1, SHOP_CUSTOMERS_ON_RECORD + 1):
        row = customer_row(k)
        if subjects_by_identifier(session, settings, "email", row["email"]):
            continue
        create_subject(
            session,
            settings,
            actor,
            categories=["customers"],
            name=row["name"],
            identifiers=[("email", row["email"]), ("phone", row["phone"])],
        )
    typer.echo(f"shop customers on record: user1@example.jp … user{SHOP_CUSTOMERS_ON_RECORD}@example.jp")


def _provider(session: Session, actor: str) -> None:
    """A sample business that provides data to us (APPI Art. 30 receipts name it)."""
    from mamori.provisions.models import Party
    from mamori.provisions.parties import PartyInput, register_party
    from mamori.provisions.rules import PROVIDER

    if session.scalars(select(Party.id).where(Party.key == SAMPLE_PROVIDER)).first() is not None:
        return
    register_party(
        session,
        actor=actor,
        data=PartyInput(
            key=SAMPLE_PROVIDER,
            kind=PROVIDER,
            country="JP",
            name={
                "ja": "（サンプル）名簿提供事業者",
                "en": "(Sample) List broker",
                "zh-Hans": "（示例）名单提供商",
                "zh-Hant": "（範例）名單提供商",
            },
            address={
                "ja": "東京都港区見本3-3",
                "en": "3-3 Mihon, Minato-ku, Tokyo, Japan",
                "zh-Hans": "日本东京都港区见本3-3",
                "zh-Hant": "日本東京都港區見本3-3",
            },
            representative={
                "title": {
                    "ja": "代表取締役",
                    "en": "Representative Director",
                    "zh-Hans": "代表董事",
                    "zh-Hant": "代表董事",
                },
                "name": {"ja": "見本 次郎", "en": "Jiro Mihon", "zh-Hans": "见本次郎", "zh-Hant": "見本次郎"},
            },
        ),
    )
