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
    "cross_border_consent_missing": (
        "外国にある第三者への提供について、移転先の国の情報を示したうえでの同意（{scope}）がありません。",
        "No consent given after the country information was shown covers the transfer abroad ({scope}).",
        "没有在告知接收方所在国信息后取得的境外提供同意（{scope}）。",
        "沒有在告知接收方所在國資訊後取得的境外提供同意（{scope}）。",
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
    texts = _TEXTS.get(reason.code)
    if texts is None:
        return decision_messages.reason_dict(reason, lang)
    index = decision_messages.LANGS.index(lang) if lang in decision_messages.LANGS else 0
    values = {k: ", ".join(map(str, v)) if isinstance(v, list) else v for k, v in reason.details.items()}
    return {"code": reason.code, "message": texts[index].format(**values), "details": dict(reason.details)}
