"""The banner of a demonstration server (``MAMORI_DEMO=true``), in the page's language."""

from __future__ import annotations

DEMO_BANNER = {
    "ja": "これはMamoriのデモです。掲載の組織・人物・連絡先は見本であり、実在の窓口ではありません。"
    "個人情報を入力しないでください。",
    "en": "This is a Mamori demonstration. The organisation, people and contacts shown are samples, "
    "not a real service. Do not enter personal information.",
    "zh-Hans": "这是Mamori的演示。页面上的组织、人员和联系方式均为示例，并非真实窗口。请勿输入个人信息。",
    "zh-Hant": "這是Mamori的示範。頁面上的組織、人員與聯絡方式皆為範例，並非真實窗口。請勿輸入個人資料。",
}
_STATE = {"demo": False}


def demo_banner(lang: str) -> str:
    """The demonstration banner in ``lang`` when this server is a demo, else an empty string."""
    if not _STATE["demo"]:
        return ""
    return DEMO_BANNER.get(lang, DEMO_BANNER["en"])


def set_demo(*, demo: bool) -> None:
    """Say whether the pages of this process are a demonstration's (the app sets it at start)."""
    _STATE["demo"] = demo
