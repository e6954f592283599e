"""Why a person's data was not provided, in ja, en, zh-Hans and zh-Hant (ids only, no personal data)."""

from __future__ import annotations

from typing import Any

from mamori.consents.decisions import messages as decision_messages
from mamori.consents.decisions.rules import Reason

_TEXTS: dict[str, tuple[str, str, str, str]] = {
    "third_party_provision_suspended": (
        "本人の求めにより第三者提供が停止されています（{scopes}）。",
        "Provision of this person's data to third parties is suspended ({scopes}).",
        "应本人要求，已停止向第三方提供其信息（{scopes}）。",
        "應本人要求，已停止向第三方提供其資料（{scopes}）。",
    ),
    # Which routes abroad were missing (APPI Art. 28): not an adequate country, no equivalent
    # measures (or their periodic check overdue), and no consent after the country information.
    "cross_border_consent_missing": (
        "{country}は我が国と同等の水準にあると認められる国（EU・EEA加盟国、英国）ではなく、提供先に相当措置の体制もありません。移転先の国の情報を示したうえでの本人の同意（{scope}）もありません。",
        (
            "{country} is not an adequate country and the recipient has no equivalent measures; "
            "nor is there a consent given after the country information was shown ({scope})."
        ),
        "{country}不属于被认定与日本具有同等水平制度的国家（欧盟、欧洲经济区成员国及英国），接收方也没有相当的保护措施；也没有在告知接收方所在国信息后取得的本人同意（{scope}）。",
        "{country}不屬於被認定與日本具有同等水準制度的國家（歐盟、歐洲經濟區成員國及英國），接收方亦無相當的保護措施；亦無在告知接收方所在國資訊後取得的本人同意（{scope}）。",
    ),
    "cross_border_consent_missing.overdue": (
        "{country}は我が国と同等の水準にあると認められる国（EU・EEA加盟国、英国）ではなく、提供先の相当措置の定期確認が期限（{measures_due}）を過ぎています。移転先の国の情報を示したうえでの本人の同意（{scope}）もありません。",
        (
            "{country} is not an adequate country and the periodic check of the recipient's equivalent "
            "measures was due on {measures_due}; nor is there a consent given after the country "
            "information was shown ({scope})."
        ),
        "{country}不属于被认定与日本具有同等水平制度的国家（欧盟、欧洲经济区成员国及英国），接收方相当保护措施的定期确认已超过期限（{measures_due}）；也没有在告知接收方所在国信息后取得的本人同意（{scope}）。",
        "{country}不屬於被認定與日本具有同等水準制度的國家（歐盟、歐洲經濟區成員國及英國），接收方相當保護措施的定期確認已超過期限（{measures_due}）；亦無在告知接收方所在國資訊後取得的本人同意（{scope}）。",
    ),
    "joint_use_consent_missing": (
        "この共同利用は、本人のデータを取得した時点で示した共同利用の範囲を超えています（{beyond}）。本人の同意（{accepted}）がありません。",
        "This joint use exceeds the terms shown when the data came in ({beyond}); no consent ({accepted}).",
        "本次共同使用超出了取得本人数据时所告知的共同使用范围（{beyond}），且没有本人的同意（{accepted}）。",
        "本次共同利用超出了取得本人資料時所告知的共同利用範圍（{beyond}），且沒有本人的同意（{accepted}）。",
    ),
}


def reason_dict(reason: Reason, lang: str) -> dict[str, Any]:
    """``code``, ``message`` in ``lang`` and ``details`` of a refusal."""
    variant = ".overdue" if "measures_due" in reason.details else ""
    texts = _TEXTS.get(reason.code + variant)
    if texts is None:
        return decision_messages.reason_dict(reason, lang)
    index = decision_messages.LANGS.index(lang) if lang in decision_messages.LANGS else 0
    values = {k: ", ".join(map(str, v)) if isinstance(v, list) else v for k, v in reason.details.items()}
    return {"code": reason.code, "message": texts[index].format(**values), "details": dict(reason.details)}
