"""Bundle key ``provisions.countries``: what a person is told before consenting to a transfer abroad.

APPI Art. 28(2) and Rules Art. 17: a consent to provision to a third party in a foreign country
counts only when the person was first told the country's name, its system for protecting
personal information, and the measures the recipient takes. Each entry holds those three texts
for one country (the measures per party there). :func:`country_notice_text` composes the exact
text shown in one language; a ``cross_border:<XX>`` consent carries the SHA-256 of it.

A party abroad whose only route is each person's consent (not an adequate country, no equivalent
measures declared) needs an entry for its country that names its measures; so does a country a
purpose sends data to (PIPL: a separate consent of each CN subject).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import Field, ValidationError

from mamori.policy.schema import Ident, Strict, Text

if TYPE_CHECKING:
    from mamori.policy.schema import Loc, Organisation, PolicyBundle, Processor

HOME_COUNTRY = "JP"
# Countries the PPC recognises as having an equivalent system (Rules Art. 15): the EU and EEA
# member states and the United Kingdom.
ADEQUATE_COUNTRIES = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
    "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO", "GB",
})  # fmt: skip

# The headings are part of the hashed text: changing them would void every hash given so far.
_HEADINGS: dict[str, tuple[str, str, str]] = {
    "ja": ("移転先の国", "その国の個人情報の保護に関する制度", "提供先が講ずる個人情報の保護のための措置"),
    "en": (
        "Country of the recipient",
        "That country's system for the protection of personal information",
        "Measures the recipient takes to protect personal information",
    ),
    "zh-Hans": ("接收方所在国家", "该国的个人信息保护制度", "接收方为保护个人信息采取的措施"),
    "zh-Hant": ("接收方所在國家", "該國的個人資訊保護制度", "接收方為保護個人資訊採取的措施"),
}
_COLON = {"ja": "：", "en": ": ", "zh-Hans": "：", "zh-Hant": "："}


class PartyMeasures(Strict):
    """The measures one party in the country takes (contract terms, security, onward transfers)."""

    party: Ident = Field(description="id of a recipient, group company or processor of the bundle")
    name: Text | None = Field(
        default=None, description="the party's name; only for a party registered through the API"
    )
    text: Text


class CountryInformation(Strict):
    """The information about one foreign country shown before a ``cross_border:<XX>`` consent."""

    code: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")
    name: Text
    system: Text = Field(description="summary of the country's personal-information protection system")
    measures: list[PartyMeasures] = Field(default_factory=list)
    sample: bool = Field(default=False, description="sample wording the organisation must review")


def route_is_consent_only(country: str, *, equivalent_measures: bool = False) -> bool:
    """Abroad, outside the adequate countries and without equivalent measures: only each person's consent."""
    return country != HOME_COUNTRY and country not in ADEQUATE_COUNTRIES and not equivalent_measures


def declared_names(bundle: PolicyBundle) -> dict[str, tuple[str, Text]]:
    """Every recipient, group company and processor of the bundle: id → (country, name)."""
    companies = bundle.joint_use.companies if bundle.joint_use else []
    orgs: list[Organisation | Processor] = [
        *companies, *bundle.outsourcing.processors, *bundle.provisions.recipients,
    ]  # fmt: skip
    return {org.id: (org.country, org.name) for org in orgs}


def consent_only_parties(bundle: PolicyBundle) -> list[tuple[Loc, str, str]]:
    """(location of its country, party id, country) of each declared party only consent can reach."""
    found: list[tuple[Loc, str, str]] = []
    companies: list[Organisation | Processor] = [*(bundle.joint_use.companies if bundle.joint_use else [])]
    processors: list[Organisation | Processor] = [*bundle.outsourcing.processors]
    for section, orgs in (
        (("joint_use", "companies"), companies),
        (("outsourcing", "processors"), processors),
    ):
        found += [
            ((*section, i, "country"), org.id, org.country)
            for i, org in enumerate(orgs)
            if route_is_consent_only(org.country)
        ]
    found += [
        (("provisions", "recipients", i, "country"), r.id, r.country)
        for i, r in enumerate(bundle.provisions.recipients)
        if route_is_consent_only(r.country, equivalent_measures=r.equivalent_measures is not None)
    ]
    return found


def country_information(bundle: PolicyBundle, code: str) -> CountryInformation | None:
    return next((c for c in bundle.provisions.countries if c.code == code), None)


def country_notice_text(bundle: PolicyBundle, code: str, lang: str) -> str | None:
    """The exact text shown in ``lang`` before a ``cross_border:<code>`` consent; None without an entry."""
    info = country_information(bundle, code)
    if info is None:
        return None
    return compose_notice(info, {key: name for key, (_, name) in declared_names(bundle).items()}, lang)


def stored_notice_text(content: Mapping[str, Any], code: str, lang: str) -> str | None:
    """Like :func:`country_notice_text`, from the stored content of a published version.

    Reads only the entry and the names it needs, so an old version stays readable when the
    schema of other sections has moved on; an entry that no longer validates gives None.
    """
    section = content.get("provisions") or {}
    entries = [c for c in section.get("countries") or [] if isinstance(c, dict)]
    raw = next((c for c in entries if c.get("code") == code), None)
    if raw is None:
        return None
    joint = content.get("joint_use") or {}
    orgs = [
        *(joint.get("companies") or []),
        *((content.get("outsourcing") or {}).get("processors") or []),
        *(section.get("recipients") or []),
    ]
    try:
        info = CountryInformation.model_validate(raw)
        wanted = {item.party for item in info.measures}
        names = {o["id"]: Text.model_validate(o["name"]) for o in orgs if o.get("id") in wanted}
    except (ValidationError, KeyError, TypeError):
        return None
    return compose_notice(info, names, lang)


def party_label(item: PartyMeasures, names: Mapping[str, Text], lang: str) -> str:
    """The party's name in ``lang``: given with the measures, else the bundle's; its id as a last resort."""
    name = item.name or names.get(item.party)
    return name.get(lang) if name is not None else item.party


def compose_notice(info: CountryInformation, names: Mapping[str, Text], lang: str) -> str:
    """Country, its system and each party's measures under their headings, in ``lang``."""
    lang = lang if lang in _HEADINGS else "ja"
    country, system, measures = _HEADINGS[lang]
    blocks = [f"{country}\n{info.name.get(lang)}", f"{system}\n{info.system.get(lang)}"]
    if info.measures:
        lines = [f"{party_label(m, names, lang)}{_COLON[lang]}{m.text.get(lang)}" for m in info.measures]
        blocks.append(measures + "\n" + "\n".join(lines))
    return "\n\n".join(blocks)


def _entry_problems(bundle: PolicyBundle) -> list[tuple[Loc, str]]:
    names = declared_names(bundle)
    problems: list[tuple[Loc, str]] = []
    seen: set[str] = set()
    for i, info in enumerate(bundle.provisions.countries):
        where: Loc = ("provisions", "countries", i)
        if info.code in seen:
            problems.append(((*where, "code"), f"duplicate country {info.code!r}"))
        if info.code == HOME_COUNTRY:
            problems.append(((*where, "code"), "Japan is the home country: no transfer abroad to explain"))
        seen.add(info.code)
        parties: set[str] = set()
        for j, item in enumerate(info.measures):
            at: Loc = (*where, "measures", j, "party")
            declared = names.get(item.party)
            if item.party in parties:
                problems.append((at, f"measures of {item.party!r} are given twice"))
            parties.add(item.party)
            if declared is None and item.name is None:
                problems.append((at, f"undeclared party {item.party!r}: give its name for a registered one"))
            elif declared is not None and declared[0] != info.code:
                problems.append((at, f"party {item.party!r} is in {declared[0]}, not in {info.code}"))
    return problems


def _missing(country: str, party: str) -> str:
    return (
        f"{country} is not an adequate country and {party!r} declares no equivalent measures: each "
        f"person's consent is the only route, and it needs provisions.countries information for "
        f"{country} (its name, its protection system, {party!r}'s measures)"
    )


def country_problems(bundle: PolicyBundle) -> list[tuple[Loc, str]]:
    """Entries that are wrong, and parties and purposes abroad whose consent would lack the information."""
    problems = _entry_problems(bundle)
    entries = {info.code: index for index, info in enumerate(bundle.provisions.countries)}
    for loc, party, country in consent_only_parties(bundle):
        index = entries.get(country)
        if index is None:
            problems.append((loc, _missing(country, party)))
        elif party not in {item.party for item in bundle.provisions.countries[index].measures}:
            where: Loc = ("provisions", "countries", index, "measures")
            problems.append((where, f"the information for {country} must give the measures of {party!r}"))
    for c, category in enumerate(bundle.subject_categories):
        for p, purpose in enumerate(category.purposes):
            for k, code in enumerate(purpose.countries):
                if code != HOME_COUNTRY and code not in entries:
                    message = f"purpose {purpose.id!r} sends data to {code}: its cross_border:{code} consents"
                    at: Loc = ("subject_categories", c, "purposes", p, "countries", k)
                    problems.append((at, f"{message} need provisions.countries information for {code}"))
    return problems
