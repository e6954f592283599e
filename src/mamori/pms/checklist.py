"""Audit checklists derived from the bundle and the registers (pure: the facts are passed in).

Each item names what is checked (a purpose, a dataset, a processor, a party abroad, a kind of
measure), a check code and whether it passed today; the texts of each code are in four languages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from mamori.pms.rules import Stage
from mamori.policy.schema import PolicyBundle
from mamori.policy.sections.safety import MeasureKind

CHECKS: dict[str, dict[str, str]] = {
    "purpose.retention": {
        "ja": "利用目的に保管期間が定められている",
        "en": "The purpose has a retention period",
        "zh-Hans": "利用目的已规定保管期限",
        "zh-Hant": "利用目的已訂定保管期限",
    },
    "dataset.retention": {
        "ja": "台帳のデータセットに保管期間が定められている",
        "en": "The ledger dataset has a retention period",
        "zh-Hans": "台账数据集已规定保管期限",
        "zh-Hant": "台帳資料集已訂定保管期限",
    },
    "dataset.risks": {
        "ja": "データセットの全段階（取得・利用・保管・提供・廃棄）のリスクが評価されている",
        "en": (
            "Risks of the dataset are assessed for every stage"
            " (acquisition, use, storage, provision, disposal)"
        ),
        "zh-Hans": "已对数据集各阶段（取得、利用、保管、提供、废弃）的风险进行评估",
        "zh-Hant": "已對資料集各階段（取得、利用、保管、提供、廢棄）的風險進行評估",
    },
    "processor.assessment": {
        "ja": "委託先に有効な評価がある",
        "en": "The processor has a current assessment",
        "zh-Hans": "受托方有有效的评估",
        "zh-Hant": "受託方有有效的評估",
    },
    "transfer.route": {
        "ja": "外国にある第三者への提供の根拠（十分性認定国・相当措置）が確認できる",
        "en": (
            "The party abroad has a transfer route (adequate country or equivalent measures checked in time)"
        ),
        "zh-Hans": "向境外第三方提供的依据（充分性认定国家或同等措施）可以确认",
        "zh-Hant": "向境外第三方提供的依據（適足性認定國家或同等措施）可以確認",
    },
    "measures.kind": {
        "ja": "この種類の安全管理措置が定められている",
        "en": "Safety measures of this kind are declared",
        "zh-Hans": "已规定此类安全管理措施",
        "zh-Hant": "已訂定此類安全管理措施",
    },
}


@dataclass(frozen=True, slots=True)
class CheckItem:
    code: str
    subject: str  # what is checked: a purpose id, system.dataset, a party key, a measure kind
    passed: bool
    detail: str = ""

    def text(self, lang: str) -> str:
        return CHECKS[self.code].get(lang, CHECKS[self.code]["ja"])

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "subject": self.subject, "passed": self.passed, "detail": self.detail}


def derive_checklist(
    bundle: PolicyBundle,
    *,
    processors: Mapping[str, str | None],
    foreign_parties: Mapping[str, str | None],
    assessed: Iterable[tuple[str, str, str]],
) -> list[CheckItem]:
    """The checklist of an audit.

    Args:
        bundle: the published policy.
        processors: each registered processor → None when its assessment is current, else why not.
        foreign_parties: each party abroad → None when it has a route, else the problem.
        assessed: (system, dataset, stage) of every risk in the register.
    """
    items = [
        CheckItem("purpose.retention", purpose.id, bool(purpose.retention), purpose.retention or "")
        for purpose in bundle.purposes().values()
    ]
    stages = {str(stage) for stage in Stage}
    covered: dict[str, set[str]] = {}
    for system_id, dataset_id, stage in assessed:
        covered.setdefault(f"{system_id}.{dataset_id}", set()).add(stage)
    for system in bundle.datamap:
        for dataset in system.datasets:
            name = f"{system.id}.{dataset.id}"
            items.append(
                CheckItem("dataset.retention", name, dataset.retention is not None, dataset.retention or "")
            )
            missing = [stage for stage in Stage if str(stage) not in covered.get(name, set())]
            detail = ", ".join(str(stage) for stage in missing)
            items.append(CheckItem("dataset.risks", name, not (stages - covered.get(name, set())), detail))
    items += [
        CheckItem("processor.assessment", key, problem is None, problem or "")
        for key, problem in sorted(processors.items())
    ]
    items += [
        CheckItem("transfer.route", key, problem is None, problem or "")
        for key, problem in sorted(foreign_parties.items())
    ]
    kinds = {measure.kind for measure in bundle.safety_measures}
    items += [CheckItem("measures.kind", str(kind), kind in kinds) for kind in MeasureKind]
    return items
