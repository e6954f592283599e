"""Reason texts for decisions in ja, en, zh-Hans and zh-Hant, and the caller's language.

Texts name purposes, items and scopes by id only: never personal data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mamori.consents.decisions.rules import Reason

LANGS = ("ja", "en", "zh-Hans", "zh-Hant")

_TEXTS: dict[str, tuple[str, str, str, str]] = {
    "purpose_unknown": (
        "利用目的 {purpose} は現在のポリシーにありません。",
        "The purpose {purpose} is not in the current policy.",
        "当前政策中没有使用目的 {purpose}。",
        "目前的政策中沒有利用目的 {purpose}。",
    ),
    "purpose_not_declared_for_subject": (
        "利用目的 {purpose} は本人の区分に対して公表されていません（{category} の目的です）。",
        "The purpose {purpose} is not declared for this person's categories (it belongs to {category}).",
        "使用目的 {purpose} 未针对本人的类别公布（属于 {category}）。",
        "利用目的 {purpose} 未針對本人的類別公布（屬於 {category}）。",
    ),
    "item_not_in_purpose": (
        "項目 {item} は利用目的 {purpose} の項目に含まれていません。",
        "The item {item} is not among the items of the purpose {purpose}.",
        "项目 {item} 不属于使用目的 {purpose} 的项目。",
        "項目 {item} 不屬於利用目的 {purpose} 的項目。",
    ),
    "consent_missing": (
        "{scope} について本人の同意がありません。",
        "There is no consent from the person for {scope}.",
        "没有本人对 {scope} 的同意。",
        "沒有本人對 {scope} 的同意。",
    ),
    "consent_withdrawn": (
        "{scope} への同意は撤回されています。",
        "The consent for {scope} has been withdrawn.",
        "对 {scope} 的同意已被撤回。",
        "對 {scope} 的同意已被撤回。",
    ),
    "channel_withdrawn": (
        "本人は {scope} の連絡手段（項目 {item}）への同意を撤回しています。",
        "The person has withdrawn consent to the contact channel {scope} (item {item}).",
        "本人已撤回对联系方式 {scope}（项目 {item}）的同意。",
        "本人已撤回對聯絡方式 {scope}（項目 {item}）的同意。",
    ),
    "consent_expired": (
        "{scope} への同意は期限が切れています。",
        "The consent for {scope} has expired.",
        "对 {scope} 的同意已过期。",
        "對 {scope} 的同意已過期。",
    ),
    "suspended": (
        "本人の情報の利用が停止されています（{scopes}）。",
        "Use of this person's data is suspended ({scopes}).",
        "本人信息的使用已被暂停（{scopes}）。",
        "本人資料的利用已被停止（{scopes}）。",
    ),
    "retention_expired": (
        "区分 {category} の取得から保存期間 {retention} が過ぎています。",
        "The retention period {retention} since collection for {category} has passed.",
        "自类别 {category} 收集以来的保存期限 {retention} 已过。",
        "自類別 {category} 蒐集以來的保存期限 {retention} 已過。",
    ),
    "subject_erased": (
        "本人の情報は消去されています。",
        "This person's data has been erased.",
        "本人的信息已被删除。",
        "本人的資料已被刪除。",
    ),
    "pipl_separate_consent_missing": (
        "中国の個人情報保護法により {scope} について個別の同意が必要ですが、ありません。",
        "China's PIPL requires a separate consent for {scope}, and there is none.",
        "根据《个人信息保护法》，{scope} 需要单独同意，但尚未取得。",
        "依中國《個人信息保護法》，{scope} 需要單獨同意，但尚未取得。",
    ),
    "minor_consent_unentitled": (
        "{scope} への同意は未成年者のもので、法定代理人によるものではありません。",
        "The consent for {scope} is a minor's and was not given by a legal representative.",
        "对 {scope} 的同意属于未成年人，且并非由法定代理人作出。",
        "對 {scope} 的同意屬於未成年人，且並非由法定代理人作出。",
    ),
    "consent_predates_change": (
        "{scope} への同意は第{version}版の変更前のもので、変更後の内容には及びません（再同意が必要）。",
        (
            "The consent for {scope} was given before version {version} of the policy changed it, so it does"
            " not cover the change; the person must consent again."
        ),
        "对 {scope} 的同意早于第 {version} 版政策的变更，不涵盖变更后的内容，需要重新取得同意。",
        "對 {scope} 的同意早於第 {version} 版政策的變更，不涵蓋變更後的內容，須重新取得同意。",
    ),
    "collected_before_change": (
        (
            "この情報はポリシー第{version}版で利用目的 {purpose} が変更される前に取得されたため、"
            "本人の同意なくこの目的に利用できません。"
        ),
        (
            "This data was collected before version {version} of the policy changed the purpose {purpose};"
            " it may be used for it only with the person's consent."
        ),
        "该信息在第 {version} 版政策变更使用目的 {purpose} 之前收集，未经本人同意不得用于该目的。",
        "該資料在第 {version} 版政策變更利用目的 {purpose} 之前蒐集，未經本人同意不得用於該目的。",
    ),
}


def message(code: str, details: Mapping[str, Any], lang: str) -> str:
    """The reason's text in ``lang`` (Japanese when the language is not one of the four)."""
    texts = _TEXTS[code]
    index = LANGS.index(lang) if lang in LANGS else 0
    values = {key: ", ".join(map(str, v)) if isinstance(v, list) else v for key, v in details.items()}
    return texts[index].format_map(_Missing(values))


class _Missing(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "-"


def reason_dict(reason: Reason, lang: str) -> dict[str, Any]:
    return {
        "code": reason.code,
        "message": message(reason.code, reason.details, lang),
        "details": reason.details,
    }


_ALIASES = {
    "zh-hans": "zh-Hans",
    "zh-cn": "zh-Hans",
    "zh-sg": "zh-Hans",
    "zh": "zh-Hans",
    "zh-hant": "zh-Hant",
    "zh-tw": "zh-Hant",
    "zh-hk": "zh-Hant",
    "zh-mo": "zh-Hant",
}


def pick_language(requested: str | None, accept_language: str | None = None) -> str:
    """An explicit ``lang``, else the best of an Accept-Language header, else Japanese."""
    for candidate in [requested] if requested else _accepted(accept_language or ""):
        lang = _canonical(candidate)
        if lang:
            return lang
    return "ja"


def _canonical(tag: str) -> str | None:
    lowered = tag.strip().lower()
    if lowered in _ALIASES:
        return _ALIASES[lowered]
    if lowered.startswith(("zh-hant", "zh-tw", "zh-hk")):
        return "zh-Hant"
    if lowered.startswith("zh"):
        return "zh-Hans"
    primary = lowered.split("-")[0]
    return primary if primary in ("ja", "en") else None


def _accepted(header: str) -> list[str]:
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(weighted)]
