"""Pure rules of the consent ledger: scopes, field checks, and the derivation of state from events.

The current state of a scope is its latest event, ordered by ``occurred_at``, then ``recorded_at``,
then ``id`` (so that the order events are given in never matters). A ``given`` state whose
``expires_at`` has passed counts as ``expired``.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from mamori.policy.schema import LANGUAGES, PolicyBundle

GIVEN, WITHDRAWN, EXPIRED = "given", "withdrawn", "expired"
ACTIONS: tuple[str, ...] = (GIVEN, WITHDRAWN, EXPIRED)
CHANNELS: tuple[str, ...] = ("web", "paper", "phone", "shop", "api")
SCOPE_KINDS: tuple[str, ...] = (
    "purpose",
    "recipient",
    "cross_border",
    "sensitive",
    "camera",
    "sharing",
    "cookie",
    "channel",
)
# A contact channel and the data item a purpose must use for it (``channel:<purpose>:<channel>``):
# withdrawing one stops that purpose reaching the person by that channel, the purpose itself kept.
CONTACT_CHANNELS: dict[str, str] = {"email": "email", "post": "address", "phone": "phone"}
BARE_SCOPES = frozenset({"sensitive", "camera", "sharing"})
SUSPENSION_SOURCES: tuple[str, ...] = ("request", "manual")
ALL_USE, THIRD_PARTY_PROVISION = "all", "third_party_provision"
FUTURE_SKEW = timedelta(minutes=5)
_IDENT = re.compile(r"^[a-z][a-z0-9_.-]{0,79}$")
_HASH = re.compile(r"^[0-9a-f]{64}$")
# ISO 3166-1 alpha-2, the officially assigned codes.
ISO_COUNTRIES = frozenset({
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
})  # fmt: skip


class InvalidScope(ValueError):  # noqa: N818 - reads as a verdict on the input
    """The scope is not one Mamori knows, or names something the policy does not declare."""


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class EventLike(Protocol):
    """What the derivation needs of an event (a ``ConsentEvent`` row or a test double)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def scope(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def occurred_at(self) -> datetime: ...
    @property
    def recorded_at(self) -> datetime: ...
    @property
    def expires_at(self) -> datetime | None: ...
    @property
    def separate(self) -> bool: ...
    @property
    def on_behalf_by_id(self) -> uuid.UUID | None: ...


@dataclass(frozen=True, slots=True)
class State:
    """The state of one scope: its latest event (``action`` may read ``expired`` once lapsed)."""

    scope: str
    action: str
    occurred_at: datetime
    recorded_at: datetime
    expires_at: datetime | None
    separate: bool
    on_behalf_by_id: uuid.UUID | None
    event_id: uuid.UUID

    def at(self, when: datetime) -> State:
        """This state as it reads at ``when``: a lapsed ``given`` becomes ``expired``."""
        if self.action == GIVEN and self.expires_at is not None and self.expires_at <= when:
            return replace(self, action=EXPIRED)
        return self

    @property
    def given(self) -> bool:
        return self.action == GIVEN


def order_key(event: EventLike) -> tuple[datetime, datetime, uuid.UUID]:
    """Latest wins: by the time it happened, then when it was recorded, then id (a stable tiebreak)."""
    return (event.occurred_at, event.recorded_at, event.id)


def state_of(event: EventLike) -> State:
    return State(
        scope=event.scope,
        action=event.action,
        occurred_at=event.occurred_at,
        recorded_at=event.recorded_at,
        expires_at=event.expires_at,
        separate=event.separate,
        on_behalf_by_id=event.on_behalf_by_id,
        event_id=event.id,
    )


def fold(events: Iterable[EventLike]) -> dict[str, State]:
    """The latest event of each scope, as recorded (expiry not applied: that is :func:`states_at`)."""
    latest: dict[str, EventLike] = {}
    for event in events:
        held = latest.get(event.scope)
        if held is None or order_key(event) > order_key(held):
            latest[event.scope] = event
    return {scope: state_of(event) for scope, event in latest.items()}


def states_at(events: Iterable[EventLike], when: datetime) -> dict[str, State]:
    """Each scope's state at ``when``: events after ``when`` ignored, lapsed consents expired."""
    return {
        scope: state.at(when) for scope, state in fold(e for e in events if e.occurred_at <= when).items()
    }


def state_at(events: Iterable[EventLike], scope: str, when: datetime) -> State | None:
    """The state of ``scope`` at ``when``, or None when nothing had been recorded for it by then."""
    return states_at((e for e in events if e.scope == scope), when).get(scope)


def is_later(event: EventLike, than: EventLike | None) -> bool:
    """Whether ``event`` replaces ``than`` in the projection."""
    return than is None or order_key(event) > order_key(than)


@dataclass(frozen=True, slots=True)
class Scope:
    kind: str
    value: str | None = None

    def __str__(self) -> str:
        return self.kind if self.value is None else f"{self.kind}:{self.value}"


def parse_scope(scope: str, bundle: PolicyBundle) -> Scope:
    """Check a consent scope against the grammar and the policy.

    ``purpose:<id>`` (a purpose of ``bundle``), ``recipient:<party id>``, ``cross_border:<XX>``
    (ISO 3166-1 alpha-2), ``cookie:<category>``, ``channel:<purpose id>:<email|post|phone>`` (a
    consent-based purpose of ``bundle`` that uses the channel's item), ``sensitive``, ``camera``
    or ``sharing``.

    Raises:
        InvalidScope: anything else; the message says what is wrong.
    """
    kind, sep, value = scope.partition(":")
    if kind in BARE_SCOPES:
        if sep:
            raise InvalidScope(f"{kind!r} takes no value")
        return Scope(kind)
    if kind not in SCOPE_KINDS:
        allowed = (
            "purpose:<id>, recipient:<id>, cross_border:<XX>, cookie:<category>, "
            "channel:<purpose>:<channel>, sensitive, camera, sharing"
        )
        raise InvalidScope(f"unknown scope; use one of {allowed}")
    if not value:
        raise InvalidScope(f"{kind!r} needs a value after ':'")
    if kind == "purpose" and value not in bundle.purposes():
        raise InvalidScope(f"the published policy declares no purpose {value!r}")
    if kind == "channel":
        _check_channel(value, bundle)
    if kind == "cross_border" and value not in ISO_COUNTRIES:
        raise InvalidScope("cross_border needs an ISO 3166-1 alpha-2 country code such as CN or US")
    if kind in {"recipient", "cookie"} and not _IDENT.match(value):
        raise InvalidScope(f"{kind} ids are lower-case letters, digits, '_', '.' and '-'")
    return Scope(kind, value)


def _check_channel(value: str, bundle: PolicyBundle) -> None:
    purpose_id, _, channel = value.rpartition(":")
    if channel not in CONTACT_CHANNELS:
        raise InvalidScope(f"channel scopes end in one of {', '.join(CONTACT_CHANNELS)}")
    purpose = bundle.purposes().get(purpose_id)
    if purpose is None:
        raise InvalidScope(f"the published policy declares no purpose {purpose_id!r}")
    if not purpose.consent_required:
        raise InvalidScope(f"{purpose_id!r} does not rest on consent, so it has no channel consents")
    if CONTACT_CHANNELS[channel] not in purpose.items:
        raise InvalidScope(f"{purpose_id!r} does not use the item {CONTACT_CHANNELS[channel]!r} ({channel})")


def parse_suspension_scope(scope: str, bundle: PolicyBundle) -> str:
    """``all``, ``third_party_provision`` or ``purpose:<id>`` of the policy. Raises InvalidScope."""
    if scope in {ALL_USE, THIRD_PARTY_PROVISION}:
        return scope
    kind, _, value = scope.partition(":")
    if kind != "purpose":
        raise InvalidScope("a suspension covers 'all', 'third_party_provision' or 'purpose:<id>'")
    parse_scope(scope, bundle)
    return f"purpose:{value}"


def check_event_fields(  # noqa: PLR0913 - one check per field of an event
    *,
    action: str,
    language: str,
    channel: str,
    occurred_at: datetime,
    now: datetime,
    expires_at: datetime | None = None,
    notice_hash: str | None = None,
) -> list[FieldError]:
    """Everything about an event that needs neither the database nor the policy."""
    errors: list[FieldError] = []
    if action not in ACTIONS:
        errors.append(FieldError("action", f"must be one of {', '.join(ACTIONS)}"))
    if language not in LANGUAGES:
        errors.append(FieldError("language", f"must be one of {', '.join(LANGUAGES)}"))
    if channel not in CHANNELS:
        errors.append(FieldError("channel", f"must be one of {', '.join(CHANNELS)}"))
    errors += _time_errors(occurred_at, now, expires_at, action)
    if notice_hash is not None and not _HASH.match(notice_hash):
        errors.append(FieldError("notice_hash", "must be a SHA-256 digest: 64 lower-case hex digits"))
    return errors


def notice_hash(text: str) -> str:
    """SHA-256 (hex) of a notice text as shown: what a consent event keeps as ``notice_hash``."""
    return hashlib.sha256(text.encode()).hexdigest()


def country_notice_error(
    country: str, language: str, given: str | None, accepted: Collection[str]
) -> FieldError | None:
    """Why a given ``cross_border:<country>`` consent may not be recorded; None when it may.

    APPI Art. 28(2): it counts only after the country information was shown, so it carries the
    hash of that text; ``accepted`` are the hashes of the information in ``language`` in the
    policy in force and the versions before it.
    """
    if not accepted:
        return FieldError(
            "notice_hash",
            f"the policy holds no information about {country} (provisions.countries) to show before "
            "this consent; none can be recorded until a version with it is in force",
        )
    if given is None:
        return FieldError(
            "notice_hash",
            f"required: the notice_hash of the information about {country} shown in {language}",
        )
    if given not in accepted:
        return FieldError(
            "notice_hash",
            f"is not the hash of the information about {country} in {language} of the policy in force "
            "or of an earlier version",
        )
    return None


def _time_errors(
    occurred_at: datetime, now: datetime, expires_at: datetime | None, action: str
) -> list[FieldError]:
    if occurred_at.tzinfo is None:
        return [FieldError("occurred_at", "needs a time zone (e.g. 2026-01-31T10:00:00+09:00)")]
    errors: list[FieldError] = []
    if occurred_at > now + FUTURE_SKEW:
        errors.append(FieldError("occurred_at", "is in the future"))
    if expires_at is not None:
        if expires_at.tzinfo is None:
            errors.append(FieldError("expires_at", "needs a time zone"))
        elif expires_at <= occurred_at:
            errors.append(FieldError("expires_at", "must be after occurred_at"))
        if action != GIVEN:
            errors.append(FieldError("expires_at", "only a given consent can expire"))
    return errors


def suspension_active(
    starts_at: datetime, ends_at: datetime | None, lifted_at: datetime | None, when: datetime
) -> bool:
    """A suspension covers ``when`` from its start until it ends or is lifted, whichever comes first."""
    if when < starts_at:
        return False
    return all(limit is None or when < limit for limit in (ends_at, lifted_at))
