"""Parties: recipients, group companies, processors and providers, from the bundle or the API.

A party declared in the published policy is copied into ``parties`` the first time it is used
(and refreshed from the policy each time after), so every provision points at a row.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.audit.service import record_event
from mamori.consents.rules import ISO_COUNTRIES, FieldError
from mamori.errors import Conflict, NotFound, ValidationFailed
from mamori.policy.schema import PolicyBundle
from mamori.policy.service import bundle_of, require_current_version
from mamori.provisions import rules
from mamori.provisions.models import Party

POLICY, API = "policy", "api"
_KEY = re.compile(r"[a-z][a-z0-9_.-]{0,79}")


def _text(value: Any) -> dict[str, str] | None:
    return None if value is None else value.model_dump(by_alias=True)


@dataclass(frozen=True, slots=True)
class PartyInput:
    """A party as the API or CLI gives it; texts are ``{"ja": ..., "en": ...}`` (ja required)."""

    key: str
    kind: str
    name: dict[str, str]
    country: str
    address: dict[str, str] | None = None
    representative: dict[str, Any] | None = None
    contract_document: bool = False
    measures_basis: str | None = None
    measures_checked_on: date | None = None
    measures_interval: str | None = None


def declared_parties(bundle: PolicyBundle) -> dict[str, PartyInput]:
    """Every party the bundle declares, by key."""
    found: dict[str, PartyInput] = {}
    companies = bundle.joint_use.companies if bundle.joint_use else []
    for kind, orgs in (
        (rules.GROUP_COMPANY, companies),
        (rules.PROCESSOR, bundle.outsourcing.processors),
    ):
        for org in orgs:
            found[org.id] = _from_org(org, kind)
    for recipient in bundle.provisions.recipients:
        party = _from_org(recipient, rules.RECIPIENT)
        measures = recipient.equivalent_measures
        found[recipient.id] = replace(
            party,
            contract_document=recipient.contract_document,
            measures_basis=measures.basis if measures else None,
            measures_checked_on=measures.last_checked if measures else None,
            measures_interval=measures.check_interval if measures else None,
        )
    return found


def _from_org(org: Any, kind: str) -> PartyInput:
    representative = getattr(org, "representative", None)
    return PartyInput(
        key=org.id,
        kind=kind,
        name=org.name.model_dump(by_alias=True),
        country=org.country,
        address=_text(getattr(org, "address", None)),
        representative=representative.model_dump(by_alias=True) if representative else None,
    )


def _apply(party: Party, data: PartyInput) -> None:
    for name, value in asdict(data).items():
        setattr(party, name, value)


def resolve_party(session: Session, key: str, *, bundle: PolicyBundle | None = None) -> Party | None:
    """The party with ``key``: registered, or declared in the policy in force (copied in); else None."""
    party = session.scalars(select(Party).where(Party.key == key)).first()
    if party is not None and party.source == API:
        return party
    bundle = bundle or bundle_of(require_current_version(session))
    declared = declared_parties(bundle).get(key)
    if declared is None:
        return party
    if party is None:
        party = Party(source=POLICY, created_by="policy")
        session.add(party)
    _apply(party, declared)
    session.flush()
    return party


def party_errors(data: PartyInput, prefix: str = "") -> list[FieldError]:
    """Field problems of a party given through the API."""
    errors: list[FieldError] = []
    if data.kind not in rules.PARTY_KINDS:
        errors.append(FieldError(prefix + "kind", f"must be one of {', '.join(rules.PARTY_KINDS)}"))
    if not data.name.get("ja", "").strip():
        errors.append(FieldError(prefix + "name", "needs at least the Japanese name ('ja')"))
    if data.country not in ISO_COUNTRIES:
        errors.append(FieldError(prefix + "country", "an ISO 3166-1 alpha-2 code such as JP or US"))
    if data.kind in {rules.RECIPIENT, rules.PROVIDER} and not (data.address and data.representative):
        errors.append(
            FieldError(prefix + "address", "a recipient or provider needs its address and representative")
        )
    if data.measures_basis and data.measures_checked_on is None:
        errors.append(FieldError(prefix + "measures_checked_on", "when were the measures last checked?"))
    if data.measures_interval is not None:
        try:
            rules.period_after(date(2000, 1, 1), data.measures_interval)
        except ValueError:
            errors.append(FieldError(prefix + "measures_interval", "an ISO 8601 period such as P1Y"))
    return errors


def register_party(session: Session, *, actor: str, data: PartyInput) -> Party:
    """Register a party through the API.

    Raises:
        ValidationFailed: a bad field (each named). Conflict: the key is taken.
    """
    errors = party_errors(data)
    if not _KEY.fullmatch(data.key):
        errors.insert(0, FieldError("key", "lower-case letters, digits, '_', '.' and '-' (at most 80)"))
    if errors:
        raise ValidationFailed(
            "the party is not valid; nothing was recorded",
            details={"errors": [e.as_dict() for e in errors]},
        )
    bundle = bundle_of(require_current_version(session))
    taken = session.scalars(select(Party.id).where(Party.key == data.key)).first()
    if taken is not None or data.key in declared_parties(bundle):
        raise Conflict(
            f"a party {data.key!r} already exists", details={"errors": [{"field": "key", "message": "taken"}]}
        )
    party = Party(source=API, created_by=actor)
    _apply(party, data)
    session.add(party)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="party.registered",
        target_type="party",
        target_id=str(party.id),
        details={"key": party.key, "kind": party.kind, "country": party.country},
    )
    return party


def list_parties(session: Session, *, kind: str | None = None) -> list[Party]:
    """Every party: those declared in the policy in force (copied in) and those registered."""
    bundle = bundle_of(require_current_version(session))
    for key in declared_parties(bundle):
        resolve_party(session, key, bundle=bundle)
    stmt = select(Party).order_by(Party.kind, Party.key)
    if kind is not None:
        stmt = stmt.where(Party.kind == kind)
    return list(session.scalars(stmt))


def require_party(session: Session, key: str, *, field: str, bundle: PolicyBundle | None = None) -> Party:
    """Like :func:`resolve_party`; an unknown key raises ValidationFailed naming ``field``."""
    party = resolve_party(session, key, bundle=bundle)
    if party is None:
        raise ValidationFailed(
            f"no party {key!r}; nothing was recorded",
            details={"errors": [{"field": field, "message": f"unknown party {key!r}"}]},
        )
    return party


def measures_of(party: Party) -> rules.Measures | None:
    if party.measures_basis is None or party.measures_checked_on is None:
        return None
    return rules.Measures(party.measures_basis, party.measures_checked_on, party.measures_interval or "P1Y")


def snapshot(party: Party) -> dict[str, Any]:
    """The party as it was when data went to it or came from it (kept with the record)."""
    return {
        "key": party.key,
        "kind": party.kind,
        "name": party.name,
        "address": party.address,
        "representative": party.representative,
        "country": party.country,
    }


def get_party(session: Session, key: str) -> Party:
    party = resolve_party(session, key)
    if party is None:
        raise NotFound(f"no party {key!r}")
    return party
