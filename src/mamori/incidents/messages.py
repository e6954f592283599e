"""Why an incident is (not) reportable, and the names of clocks and actors, in ja, en, zh-Hans, zh-Hant.

Texts name data items by their policy name and counts as numbers: never personal data.
"""

from __future__ import annotations

from mamori.incidents.clocks import ClockCode
from mamori.incidents.rules import Assessment, Exemption, Fired, Trigger, UnlawfulPurpose
from mamori.notices.messages import LabelTable
from mamori.policy.schema import LANGUAGES, PolicyBundle

_TEXTS: dict[str, tuple[str, str, str, str]] = {
    Trigger.SPECIAL_CARE: (
        "要配慮個人情報（{items}）が含まれるため、個人情報保護委員会への報告対象です。",
        "Special-care information ({items}) is involved, so the incident must be reported to the PPC.",
        "涉及需特别关注的个人信息（{items}），须向个人信息保护委员会报告。",
        "涉及需特別關注的個人資料（{items}），須向個人資訊保護委員會報告。",
    ),
    Trigger.FINANCIAL_LOSS: (
        "財産的被害が生じるおそれがあるため（{items}）、報告対象です。",
        "There is a risk of financial loss ({items}), so the incident must be reported.",
        "存在造成财产损失的风险（{items}），须报告。",
        "存在造成財產損失的風險（{items}），須報告。",
    ),
    Trigger.UNLAWFUL_PURPOSE: (
        "不正の目的をもって行われたおそれがあるため（{actor}）、報告対象です。",
        "An act with an unlawful purpose is suspected ({actor}), so the incident must be reported.",
        "怀疑系出于不正当目的的行为（{actor}），须报告。",
        "懷疑係出於不正當目的之行為（{actor}），須報告。",
    ),
    Trigger.OVER_THRESHOLD: (
        "影響を受けうる本人の数が最大 {count} 人で、1,000人を超えるため、報告対象です。",
        "Up to {count} persons may be affected, more than 1,000, so the incident must be reported.",
        "可能受影响的本人最多 {count} 人，超过1,000人，须报告。",
        "可能受影響之本人最多 {count} 人，超過1,000人，須報告。",
    ),
    Exemption.ADVANCED_ENCRYPTION: (
        "データはすべて高度な暗号化等の措置で保護されていたため、報告の対象外です。",
        "All the data was protected by advanced encryption, so the incident is exempt from reporting.",
        "所有数据均受高级加密等措施保护，因此无需报告。",
        "所有資料均受高度加密等措施保護，因此無須報告。",
    ),
    "not_reportable": (
        "報告対象となる事由はありません。",
        "None of the reporting triggers applies.",
        "不存在须报告的情形。",
        "不存在須報告之情形。",
    ),
    "pipl_notice": (
        "中国の本人が含まれるため、PIPL第57条により当局及び本人への通知が必要です。",
        "People in China are affected: PIPL Art. 57 requires a notice to the authority and to them.",
        "涉及中国境内的个人，依《个人信息保护法》第五十七条须通知监管部门及本人。",
        "涉及中國境內之個人，依《個人資訊保護法》第五十七條須通知監管部門及本人。",
    ),
    "short.special_care": (
        "要配慮個人情報",
        "Special-care information",
        "需特别关注的个人信息",
        "需特別關注之個人資料",
    ),
    "short.financial_loss": ("財産的被害のおそれ", "Risk of financial loss", "财产损失风险", "財產損失風險"),
    "short.unlawful_purpose": (
        "不正の目的のおそれ",
        "Unlawful purpose suspected",
        "涉嫌不正当目的",
        "涉嫌不正當目的",
    ),
    "short.over_1000_persons": ("1,000人超", "More than 1,000 persons", "超过1,000人", "超過1,000人"),
    "items_none": ("項目の特定なし", "no item named", "未指明项目", "未指明項目"),
    UnlawfulPurpose.INSIDER: ("内部者", "an insider", "内部人员", "內部人員"),
    UnlawfulPurpose.ATTACKER: ("外部からの攻撃者", "an outside attacker", "外部攻击者", "外部攻擊者"),
    UnlawfulPurpose.PROCESSOR: ("委託先", "a processor", "受托方", "受託方"),
    ClockCode.PPC_PRELIMINARY: (
        "個人情報保護委員会への速報",
        "Preliminary report to the PPC",
        "向个人信息保护委员会的速报",
        "向個人資訊保護委員會之速報",
    ),
    ClockCode.PPC_FINAL: (
        "個人情報保護委員会への確報",
        "Final report to the PPC",
        "向个人信息保护委员会的确报",
        "向個人資訊保護委員會之確報",
    ),
    ClockCode.INDIVIDUALS: ("本人への通知", "Notice to individuals", "通知本人", "通知本人"),
    ClockCode.PIPL_AUTHORITY: (
        "PIPL：当局への通知",
        "PIPL: notice to the authority",
        "PIPL：通知监管部门",
        "PIPL：通知監管部門",
    ),
    ClockCode.PIPL_INDIVIDUALS: (
        "PIPL：本人への通知",
        "PIPL: notice to individuals",
        "PIPL：通知个人",
        "PIPL：通知個人",
    ),
}
_TABLE = LabelTable(_TEXTS)
label = _TABLE.label


def fired_label(code: str, lang: str) -> str:
    """The short name of a trigger (``special_care`` → 要配慮個人情報); the code itself if unknown."""
    key = f"short.{code}"
    return label(key, lang) if _TABLE.has_label(key) else code


def _item_names(items: tuple[str, ...], bundle: PolicyBundle | None, lang: str) -> str:
    if not items:
        return label("items_none", lang)
    names = {item.id: item.name.get(lang) for item in bundle.data_items} if bundle else {}
    separator = ", " if lang == "en" else "、"
    return separator.join(names.get(item, item) for item in items)


def fired_text(fired: Fired, lang: str, bundle: PolicyBundle | None = None) -> str:
    """Why one trigger fired, in ``lang``."""
    actor = label(fired.actor, lang) if fired.actor else ""
    count = f"{fired.count:,}" if fired.count is not None else ""
    return label(fired.trigger, lang).format(items=_item_names(fired.items, bundle, lang), actor=actor,
                                             count=count)  # fmt: skip


def explain(assessment: Assessment, bundle: PolicyBundle | None = None) -> list[dict[str, object]]:
    """Each fired trigger (then the exemption, the PIPL notice) as a code and its text in the 4 languages."""
    reasons: list[dict[str, object]] = [
        {"code": str(f.trigger), "messages": {lang: fired_text(f, lang, bundle) for lang in LANGUAGES}}
        for f in assessment.fired
    ]
    extra = [str(assessment.exemption)] if assessment.exemption else []
    extra += [] if assessment.fired else ["not_reportable"]
    extra += ["pipl_notice"] if assessment.pipl_notice else []
    reasons += [{"code": code, "messages": {lang: label(code, lang) for lang in LANGUAGES}} for code in extra]
    return reasons
