"""Pure rules of campaigns: states, throttling and the message each person reads."""

from __future__ import annotations

from dataclasses import dataclass

from mamori.errors import InvalidTransition

KINDS = ("notification", "consent")
RUNNING, PAUSED, CANCELLED, CLOSED = "running", "paused", "cancelled", "closed"
TRANSITIONS: dict[str, frozenset[str]] = {
    RUNNING: frozenset({PAUSED, CANCELLED, CLOSED}),
    PAUSED: frozenset({RUNNING, CANCELLED, CLOSED}),
    CANCELLED: frozenset({CLOSED}),
    CLOSED: frozenset(),
}
# Delivery statuses: pending → sending (claimed) → sent; then bounced / complained / consented.
PENDING, SENDING, SENT, PRINT, BOUNCED, COMPLAINED, FAILED, SKIPPED = (
    "pending", "sending", "sent", "print", "bounced", "complained", "failed", "cancelled",
)  # fmt: skip
FEEDBACK = (BOUNCED, COMPLAINED)


def move(state: str, to: str) -> str:
    """The new state; raises InvalidTransition for a move the table does not allow."""
    if to not in TRANSITIONS.get(state, frozenset()):
        raise InvalidTransition(f"a {state} campaign cannot become {to}")
    return to


def message_id(campaign_id: str, delivery_id: int, domain: str, reminder: int = 0) -> str:
    """The Message-ID of one delivery, the same at every hand-over.

    A re-send after a crash is then the same message, which receiving systems recognise.
    """
    return f"<campaign.{campaign_id}.{delivery_id}.{reminder}@{domain}>"


def pause_for(sent: int, elapsed: float, rate: int) -> float:
    """Seconds to wait so that ``sent`` messages in ``elapsed`` seconds keep to ``rate`` per second."""
    return max(0.0, sent / rate - elapsed) if rate > 0 else 0.0


@dataclass(frozen=True, slots=True)
class Texts:
    subject: str
    body: str


_SUBJECT = {
    "notification": ("【重要】個人情報保護方針の改定のお知らせ", "Changes to our privacy policy",
                     "隐私政策修订通知", "隱私政策修訂通知"),
    "consent": ("【ご確認のお願い】個人情報の利用目的の変更への同意",
                "Please confirm: a change to how we use your data",
                "请确认：个人信息使用目的变更的同意", "請確認：個人資料利用目的變更的同意"),
}  # fmt: skip
_INTRO = (
    "第{version}版の個人情報保護方針で、次の変更があります（{date}から）。",
    "Version {version} of our privacy policy makes these changes (from {date}).",
    "第 {version} 版隐私政策有以下变更（自 {date} 起）。",
    "第 {version} 版隱私政策有以下變更（自 {date} 起）。",
)
_CONSENT = (
    "変更後の利用に同意いただける場合は、次のページで設定してください：{link}",
    "If you agree to the new use, please say so on this page: {link}",
    "如您同意变更后的使用，请在此页面设置：{link}",
    "如您同意變更後的利用，請在此頁面設定：{link}",
)
_MORE = (
    "改定の全文：{link}",
    "The full policy and its history: {link}",
    "政策全文及修订记录：{link}",
    "政策全文及修訂紀錄：{link}",
)
LANGS = ("ja", "en", "zh-Hans", "zh-Hant")


def texts(  # noqa: PLR0913 - what one message says
    kind: str, lang: str, *, version: int, date: str, changes: list[str], links: dict[str, str]
) -> Texts:
    """The subject and body of one person's message in their language (Japanese if unknown)."""
    i = LANGS.index(lang) if lang in LANGS else 0
    lines = [_INTRO[i].format(version=version, date=date), "", *(f"・{c}" for c in changes), ""]
    if kind == "consent":
        lines.append(_CONSENT[i].format(link=links["preferences"]))
    lines.append(_MORE[i].format(link=links["history"]))
    return Texts(_SUBJECT[kind][i], "\n".join(lines) + "\n")
