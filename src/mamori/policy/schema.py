"""The policy-bundle schema: what an organisation promises, as typed, validated data.

A bundle is a directory of YAML files. Each file holds some of the top-level keys of
:class:`PolicyBundle`; together they must hold all required keys, each key in one file only.
Every text a person reads is a :class:`Text` with Japanese (authoritative), English,
Simplified and Traditional Chinese. ``docs/policy-bundle.md`` is the reference.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from mamori.policy.sections.dsr import RequestHandling
from mamori.policy.sections.incidents import IncidentRules
from mamori.policy.sections.inquiries import Inquiries
from mamori.policy.sections.staff import StaffRole, StaffRoleName, staff_role_problems

LANGUAGES: tuple[str, ...] = ("ja", "en", "zh-Hans", "zh-Hant")
Language = Literal["ja", "en", "zh-Hans", "zh-Hant"]
Jurisdiction = Literal["JP", "CN"]
JURISDICTIONS: tuple[Jurisdiction, ...] = ("JP", "CN")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKEND: tuple[Weekday, ...] = ("sat", "sun")
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Ident = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.-]*$", max_length=80)]
_DURATION = re.compile(r"^P(?:(?P<y>\d+)Y)?(?:(?P<m>\d+)M)?(?:(?P<d>\d+)D)?$")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_MONTH_DAY = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Text(Strict):
    """A text in the four languages; Japanese is the authoritative one."""

    ja: str = Field(min_length=1)
    en: str = Field(min_length=1)
    zh_hans: str = Field(alias="zh-Hans", min_length=1)
    zh_hant: str = Field(alias="zh-Hant", min_length=1)

    def get(self, lang: str) -> str:
        return {"ja": self.ja, "en": self.en, "zh-Hans": self.zh_hans, "zh-Hant": self.zh_hant}.get(
            lang, self.ja
        )


class Person(Strict):
    title: Text
    name: Text


class Organisation(Strict):
    id: Ident
    name: Text
    representative: Person | None = None
    address: Text | None = None
    country: str = Field(default="JP", pattern=r"^[A-Z]{2}$")


class Controller(Organisation):
    website: str | None = None
    my_number_handler: bool = Field(
        default=False,
        description="the organisation handles Individual Numbers under the My Number Act (an employer"
        " or a tax-document preparer); only then may a data item or field hold the number",
    )


class Revision(Strict):
    date: date
    summary: Text


class PiplAddendum(Strict):
    enabled: bool
    text: Text


class DataItem(Strict):
    id: Ident
    name: Text
    special_care: bool = False
    pipl_sensitive: bool = Field(
        default=False, description="sensitive personal information under PIPL Art. 28"
    )


class PurposeFlag(StrEnum):
    CAMERA_IMAGES = "camera_images"
    PROFILING = "profiling"
    MARKETING = "marketing"
    DIRECT_MARKETING = "direct_marketing"
    THIRD_PARTY_PROVISION = "third_party_provision"
    JOINT_USE = "joint_use"
    SPECIAL_CARE = "special_care"
    CRIME_PREVENTION = "crime_prevention"
    CREDIT = "credit"
    HEALTH = "health"
    STAFF_MONITORING = "staff_monitoring"
    STATISTICS = "statistics"


class Purpose(Strict):
    id: Ident
    text: Text
    items: list[Ident] = Field(min_length=1)
    consent_required: bool = False
    retention: str = Field(description="ISO 8601 period such as P5Y or P90D")
    flags: list[PurposeFlag] = Field(default_factory=list)
    countries: list[str] = Field(
        default_factory=list,
        description="countries outside Japan the data goes to for this purpose (ISO 3166)",
    )

    @field_validator("retention")
    @classmethod
    def _period(cls, value: str) -> str:
        match = _DURATION.match(value)
        if not match or not any(match.groupdict().values()):
            msg = "retention must be an ISO 8601 period like P5Y, P18M or P90D"
            raise ValueError(msg)
        return value


class SubjectCategory(Strict):
    id: Ident
    name: Text
    purposes: list[Purpose] = Field(min_length=1)


class ThirdPartyException(Strict):
    code: Ident
    text: Text
    legal_basis: str


class ThirdPartyProvision(Strict):
    statement: Text
    exceptions: list[ThirdPartyException] = Field(min_length=1)
    opt_out_provision: Literal[False] = False


class JointUse(Strict):
    statement: Text
    users: Text
    companies: list[Organisation] = Field(default_factory=list)
    items: list[Ident] = Field(min_length=1)
    purposes: Text
    responsible: Organisation
    effective_date: date | None = None


class Duty(Strict):
    id: Ident
    text: Text


class Processor(Strict):
    id: Ident
    name: Text
    country: str = Field(pattern=r"^[A-Z]{2}$")
    duties: list[Ident]
    sample: bool = False


class Outsourcing(Strict):
    statement: Text
    duties: list[Duty] = Field(min_length=1)
    processors: list[Processor] = Field(default_factory=list)


class RequestForm(Strict):
    id: Ident
    title: Text
    file: str | None = None


class RequestType(Strict):
    id: Ident
    name: Text
    form: Ident | None = None
    target_days: int = Field(default=14, ge=1, le=90)
    jurisdictions: list[Jurisdiction] = Field(default_factory=lambda: list(JURISDICTIONS))


class Choice(Strict):
    id: Ident
    name: Text


class Requester(Strict):
    id: Ident
    name: Text
    proof: Text


class Requests(Strict):
    statement: Text
    types: list[RequestType] = Field(min_length=1)
    forms: list[RequestForm] = Field(default_factory=list)
    id_documents: list[Choice] = Field(min_length=1)
    requesters: list[Requester] = Field(min_length=1)
    submission: Text
    response_methods: list[Choice] = Field(min_length=1)
    reception: Organisation
    fees: Text

    @model_validator(mode="after")
    def _forms_exist(self) -> Requests:
        known = {form.id for form in self.forms}
        for kind in self.types:
            if kind.form and kind.form not in known:
                msg = f"request type {kind.id!r} names unknown form {kind.form!r}"
                raise ValueError(msg)
        return self


class Closure(Strict):
    name: Text
    start: str = Field(description="MM-DD, first closed day")
    end: str = Field(description="MM-DD, last closed day; may wrap past the year end")

    @field_validator("start", "end")
    @classmethod
    def _month_day(cls, value: str) -> str:
        if not _MONTH_DAY.match(value):
            msg = "expected MM-DD, e.g. 12-29"
            raise ValueError(msg)
        return value


class ContactCentre(Strict):
    name: Text
    timezone: Literal["Asia/Tokyo"] = "Asia/Tokyo"
    opens: str = "10:00"
    closes: str = "17:00"
    closed_weekdays: list[Weekday] = Field(default_factory=lambda: list(WEEKEND))
    closed_on_national_holidays: bool = True
    closures: list[Closure] = Field(default_factory=list)
    languages: list[Language] = Field(min_length=1)
    topics: Text
    # Where people go: an address on this Mamori ("/contact") or a full URL of the organisation's site.
    inquiry_url: str | None = None
    request_url: str | None = None
    status_url: str | None = None
    preferences_url: str | None = None

    @field_validator("opens", "closes")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not _CLOCK.match(value):
            msg = "expected HH:MM (24-hour clock)"
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _order(self) -> ContactCentre:
        if self.opens >= self.closes:
            msg = "the centre must open before it closes"
            raise ValueError(msg)
        if len(set(self.closed_weekdays)) >= len(WEEKDAYS):
            msg = "the centre cannot be closed on every day of the week"
            raise ValueError(msg)
        return self


class DiscoveryRules(Strict):
    """What PII discovery must not report: the organisation's own phone numbers (any format)."""

    company_phones: list[Annotated[str, Field(max_length=40)]] = Field(default_factory=list)


def _default_minor_ages() -> dict[Jurisdiction, int]:
    # PIPL: under 14 a guardian consents. APPI sets no age; PPC guidance points to roughly 12-15
    # and the pending amendment to 16, so 16 is the cautious default.
    return {"JP": 16, "CN": 14}


class ChangeJustification(Strict):
    """The author's word on a change of a purpose in this revision (see docs/policy-bundle.md).

    ``reasonably_related``: the changed purpose stays within what a person would reasonably
    expect from the old one (APPI Art. 17(2)); the change is announced. ``wording_only``: the
    text changed but not what is done. ``needs_consent``: the author accepts that data collected
    before the change is used for it only with each person's consent (APPI Art. 18(1)).
    A justification counts for the revision that adds or changes it.
    """

    purpose: Ident
    kind: Literal["reasonably_related", "wording_only", "needs_consent"]
    text: Text


class ConsentRules(Strict):
    """Who may consent: below these ages a legal representative consents for the person."""

    minor_age: dict[Jurisdiction, int] = Field(default_factory=_default_minor_ages)
    adult_age: int = 18


def _no_provisions() -> ProvisionsSection:
    return ProvisionsSection()


class PolicyBundle(Strict):
    """The whole promise of one organisation."""

    schema_version: Literal[1] = 1
    id: Ident
    title: Text
    enacted: date
    authoritative_language: Literal["ja"] = "ja"
    controller: Controller
    preamble: Text
    principles: list[Text] = Field(min_length=1)
    inquiries_note: Text
    data_items: list[DataItem] = Field(min_length=1)
    purposes_intro: Text
    subject_categories: list[SubjectCategory] = Field(min_length=1)
    third_party_provision: ThirdPartyProvision
    joint_use: JointUse | None = None
    outsourcing: Outsourcing
    optionality: Text
    requests: Requests
    contact_centre: ContactCentre
    inquiries: Inquiries = Field(default_factory=Inquiries)
    cookies: Cookies
    revision_policy: Text
    revisions: list[Revision] = Field(default_factory=list)
    pipl: PiplAddendum
    consent_rules: ConsentRules = Field(default_factory=ConsentRules)
    provisions: ProvisionsSection = Field(default_factory=_no_provisions)
    request_handling: RequestHandling = Field(default_factory=RequestHandling)
    incidents: IncidentRules = Field(default_factory=IncidentRules)
    datamap: list[System] = Field(default_factory=list, description="one system per datamap/*.yaml")
    discovery: DiscoveryRules = Field(default_factory=DiscoveryRules)
    cameras: Cameras | None = Field(default=None, description="the camera register and face-data rules")
    staff_roles: dict[StaffRoleName, StaffRole] | None = Field(
        default=None, description="per staff role, the purposes it may read personal data for"
    )
    change_justifications: list[ChangeJustification] = Field(
        default_factory=list, description="the author's word on changed purposes (one per purpose)"
    )
    safety_measures: list[SafetyMeasure] = Field(
        default_factory=list, description="security control measures, by kind (APPI Art. 23)"
    )

    @model_validator(mode="after")
    def _references(self, info: ValidationInfo) -> PolicyBundle:
        if info.context and info.context.get("defer_references"):
            return self  # the loader reports them itself, each with its file and line
        problems = reference_problems(self)
        if problems:
            raise ValueError("; ".join(message for _, message in problems))
        return self

    def purposes(self) -> dict[str, Purpose]:
        return {p.id: p for cat in self.subject_categories for p in cat.purposes}


Loc = tuple[str | int, ...]


def _duplicates(where: Loc, ids: list[str], leaf: str = "id") -> list[tuple[Loc, str]]:
    seen: set[str] = set()
    problems: list[tuple[Loc, str]] = []
    for index, ident in enumerate(ids):
        if ident in seen:
            problems.append(((*where, index, leaf), f"duplicate id {ident!r}"))
        seen.add(ident)
    return problems


def _unknown(where: Loc, used: list[str], known: set[str], what: str) -> list[tuple[Loc, str]]:
    return [
        ((*where, i), f"undeclared {what} {ident!r}") for i, ident in enumerate(used) if ident not in known
    ]


def reference_problems(bundle: PolicyBundle) -> list[tuple[Loc, str]]:
    """Ids that repeat and references to ids that do not exist, each with its location."""
    problems = _duplicates(("data_items",), [item.id for item in bundle.data_items])
    problems += _duplicates(("subject_categories",), [c.id for c in bundle.subject_categories])
    problems += _duplicates(
        ("third_party_provision", "exceptions"),
        [e.code for e in bundle.third_party_provision.exceptions],
        "code",
    )
    problems += _duplicates(("outsourcing", "duties"), [d.id for d in bundle.outsourcing.duties])
    problems += _duplicates(("outsourcing", "processors"), [p.id for p in bundle.outsourcing.processors])
    problems += _duplicates(("requests", "types"), [t.id for t in bundle.requests.types])
    problems += _duplicates(("requests", "forms"), [f.id for f in bundle.requests.forms])
    if bundle.joint_use is not None:
        problems += _duplicates(("joint_use", "companies"), [c.id for c in bundle.joint_use.companies])
    known = {item.id for item in bundle.data_items}
    seen: set[str] = set()
    for c_index, category in enumerate(bundle.subject_categories):
        for p_index, purpose in enumerate(category.purposes):
            where: Loc = ("subject_categories", c_index, "purposes", p_index)
            if purpose.id in seen:
                problems.append(((*where, "id"), f"duplicate purpose id {purpose.id!r}"))
            seen.add(purpose.id)
            problems += _unknown((*where, "items"), purpose.items, known, "data item")
    if bundle.joint_use is not None:
        problems += _unknown(("joint_use", "items"), bundle.joint_use.items, known, "data item")
    problems += _unknown(
        ("incidents", "financial_loss_items"), bundle.incidents.financial_loss_items, known, "data item"
    )
    duties = {duty.id for duty in bundle.outsourcing.duties}
    for index, processor in enumerate(bundle.outsourcing.processors):
        where = ("outsourcing", "processors", index, "duties")
        problems += _unknown(where, processor.duties, duties, "duty")
    outsourced = duties | {p.id for p in bundle.outsourcing.processors}
    problems += datamap_problems(bundle.datamap, items=known, purposes=seen, outsourced=outsourced)
    problems += staff_role_problems(bundle.staff_roles, seen)
    problems += cookie_problems(bundle.cookies)
    problems += camera_problems(bundle)
    problems += safety_problems(bundle.safety_measures)
    if not bundle.controller.my_number_handler:
        problems += _my_number_problems(bundle)
    return problems + provisions_problems(bundle)


_MY_NUMBER = (
    "the Individual Number (My Number) may not be kept unless controller.my_number_handler is true"
    " (My Number Act Art. 19-20)"
)


def _my_number_problems(bundle: PolicyBundle) -> list[tuple[Loc, str]]:
    """Every data item and data-map field that declares it holds the Individual Number."""
    items = {
        item.id
        for item in bundle.data_items
        if names_my_number(item.id)
        or any(
            names_my_number(text)
            for text in (item.name.ja, item.name.en, item.name.zh_hans, item.name.zh_hant)
        )
    }
    problems: list[tuple[Loc, str]] = [
        (("data_items", i, "id"), _MY_NUMBER) for i, item in enumerate(bundle.data_items) if item.id in items
    ]
    for s, system in enumerate(bundle.datamap):
        for d, dataset in enumerate(system.datasets):
            for f, field in enumerate(dataset.fields):
                where: Loc = ("datamap", s, "datasets", d, "fields", f)
                if names_my_number(field.name) or field.item in items:
                    problems.append(((*where, "name"), _MY_NUMBER))
                elif field.identity is not None and names_my_number(field.identity):
                    problems.append(((*where, "identity"), _MY_NUMBER))
    return problems


def parse_period(value: str) -> tuple[int, int, int]:
    """``P5Y`` → (5, 0, 0): years, months, days."""
    match = _DURATION.match(value)
    if match is None:
        msg = f"not an ISO 8601 period: {value!r}"
        raise ValueError(msg)
    return int(match["y"] or 0), int(match["m"] or 0), int(match["d"] or 0)


# Room sections import the base types above, so they are imported last (see policy/sections/).
from mamori.policy.sections.cameras import Cameras, camera_problems  # noqa: E402
from mamori.policy.sections.cookies import Cookies, cookie_problems  # noqa: E402
from mamori.policy.sections.datamap import System, datamap_problems  # noqa: E402
from mamori.policy.sections.provisions import ProvisionsSection  # noqa: E402
from mamori.policy.sections.provisions import reference_problems as provisions_problems  # noqa: E402
from mamori.policy.sections.safety import SafetyMeasure, safety_problems  # noqa: E402
from mamori.security.mynumber import names_my_number  # noqa: E402

PolicyBundle.model_rebuild()
