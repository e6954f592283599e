"""What a person must be shown before consenting to a transfer abroad, and the hash the consent carries.

The texts come from ``provisions.countries`` of the policy in force (see
:mod:`mamori.policy.sections.countries`); a ``cross_border:<XX>`` consent recorded afterwards must
carry ``notice_hash`` of the text in the language it was shown in (the consents ledger checks it).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from mamori.consents.rules import notice_hash
from mamori.errors import NotFound, ValidationFailed
from mamori.policy.schema import LANGUAGES
from mamori.policy.sections.countries import (
    compose_notice,
    country_information,
    declared_names,
    party_label,
)
from mamori.policy.service import bundle_of, require_current_version


@dataclass(frozen=True, slots=True)
class PartyMeasuresView:
    party: str
    name: str
    text: str


@dataclass(frozen=True, slots=True)
class CountryNotice:
    """The information about one country in one language, as the person must see it."""

    code: str
    language: str
    policy_version: int
    sample: bool
    name: str
    system: str
    measures: tuple[PartyMeasuresView, ...]
    text: str
    notice_hash: str

    @property
    def scope(self) -> str:
        return "cross_border:" + self.code


def country_notice(session: Session, code: str, lang: str) -> CountryNotice:
    """The country information of the policy in force in ``lang``, with the hash a consent must carry.

    Raises:
        ValidationFailed: ``lang`` is not one of ja, en, zh-Hans, zh-Hant.
        NotFound: no policy published, or it holds no information about ``code``.
    """
    if lang not in LANGUAGES:
        raise ValidationFailed(
            f"unknown language {lang!r}",
            details={"errors": [{"field": "lang", "message": f"must be one of {', '.join(LANGUAGES)}"}]},
        )
    version = require_current_version(session)
    bundle = bundle_of(version)
    info = country_information(bundle, code.upper())
    if info is None:
        raise NotFound(f"the policy in force holds no information about the country {code!r}")
    names = {key: name for key, (_, name) in declared_names(bundle).items()}
    text = compose_notice(info, names, lang)
    measures = [
        PartyMeasuresView(m.party, party_label(m, names, lang), m.text.get(lang)) for m in info.measures
    ]
    return CountryNotice(
        code=info.code,
        language=lang,
        policy_version=version.number,
        sample=info.sample,
        name=info.name.get(lang),
        system=info.system.get(lang),
        measures=tuple(measures),
        text=text,
        notice_hash=notice_hash(text),
    )


def country_codes(session: Session) -> list[str]:
    """The countries the policy in force holds information about. Raises NotFound without a policy."""
    return [info.code for info in bundle_of(require_current_version(session)).provisions.countries]
