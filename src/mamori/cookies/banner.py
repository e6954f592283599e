"""What the banner script is given: its texts in the visitor's language and the property's categories."""

from __future__ import annotations

from typing import Any

from mamori.cookies.service import Inventory

# ja, en, zh-Hans, zh-Hant
_TEXTS: dict[str, tuple[str, str, str, str]] = {
    "title": ("Cookieの利用について", "Cookies on this site", "关于Cookie的使用", "關於Cookie的使用"),
    "body": (
        (
            "当サイトでは、サイトの表示に必要なCookieのほか、アクセス解析や広告のためのCookie及びタグを利用し、"
            "お使いのブラウザから外部の事業者に情報を送信することがあります。必須以外の項目は、同意いただいた場合にのみ利用します。"
        ),
        (
            "This site uses cookies it needs to work and, if you agree, cookies and tags for analytics and"
            " advertising that make your browser send information to other companies."
        ),
        (
            "本网站除使用显示网站所必需的Cookie外，还可能使用用于访问分析及广告的Cookie和标签，使您的浏览器向外部公司发送信息。"
            "必要项目以外的项目仅在您同意后使用。"
        ),
        (
            "本網站除使用顯示網站所必要的Cookie外，還可能使用用於流量分析及廣告的Cookie和標籤，使您的瀏覽器向外部業者傳送資訊。"
            "必要項目以外的項目僅在您同意後使用。"
        ),
    ),
    "accept_all": ("すべて同意する", "Accept all", "全部同意", "全部同意"),
    "reject_all": ("すべて拒否する", "Reject all", "全部拒绝", "全部拒絕"),
    "customise": ("項目ごとに選ぶ", "Choose by category", "按类别选择", "依類別選擇"),
    "save": ("選択を保存する", "Save my choices", "保存所选内容", "儲存所選內容"),
    "always_on": ("常に有効", "Always on", "始终启用", "始終啟用"),
    "gpc_on": (
        "ブラウザのグローバル・プライバシー・コントロール（GPC）に従い、広告等は無効です。",
        "Your browser sends Global Privacy Control (GPC), so advertising and sharing stay off.",
        "根据您浏览器的全球隐私控制（GPC）信号，广告等功能已关闭。",
        "依據您瀏覽器的全球隱私控制（GPC）訊號，廣告等功能已關閉。",
    ),
    "cookie_policy": ("Cookieポリシー", "Cookie policy", "Cookie政策", "Cookie政策"),
    "external": ("外部送信について", "External transmission", "关于外部发送", "關於外部傳送"),
    "reopen": ("Cookie設定", "Cookie settings", "Cookie设置", "Cookie設定"),
    "items": ("利用するタグ等", "Tags used", "使用的标签等", "使用的標籤等"),
    "centre": (
        "プライバシーセンターで管理する",
        "Manage in the privacy centre",
        "在隐私中心管理",
        "在隱私中心管理",
    ),
}
_INDEX = {"ja": 0, "en": 1, "zh-Hans": 2, "zh-Hant": 3}


def banner_language(tag: str | None) -> str:
    """A page's language tag (``zh-TW``, ``en-GB``, ``ja-JP``...) mapped to one of Mamori's four."""
    value = (tag or "").strip().lower().replace("_", "-")
    if value.startswith("zh"):
        traditional = any(part in value for part in ("hant", "-tw", "-hk", "-mo"))
        return "zh-Hant" if traditional else "zh-Hans"
    if value.startswith("en"):
        return "en"
    return "ja"


def banner_texts(lang: str) -> dict[str, str]:
    index = _INDEX.get(lang, 0)
    return {key: values[index] for key, values in _TEXTS.items()}


def banner_config(inventory: Inventory, property_id: str, lang: str, base_url: str) -> dict[str, Any]:
    """Everything the script needs for one property in one language (raises NotFound)."""
    prop = inventory.property(property_id)
    used = {item.category for item in prop.items}
    categories = [
        {
            "id": category.id,
            "name": category.name.get(lang),
            "description": category.description.get(lang),
            "necessary": category.strictly_necessary,
            "gpc": category.gpc_opt_out,
            "items": [item.name for item in prop.items if item.category == category.id],
        }
        for category in inventory.cookies.categories
        if category.id in used or category.strictly_necessary
    ]
    query = f"?lang={lang}"
    return {
        "property": prop.id,
        "hash": inventory.hash_of(property_id),
        "version": inventory.version,
        "lang": lang,
        "texts": banner_texts(lang),
        "categories": categories,
        "links": {
            "centre": f"{base_url}/cookies/browser",
            "cookies": f"{base_url}/cookies{query}",
            "external": f"{base_url}/external-transmission{query}",
        },
    }
