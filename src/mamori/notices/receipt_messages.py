"""Words of the consent receipt, in ja, en, zh-Hans and zh-Hant (in that order, ``LANGUAGES``)."""

from __future__ import annotations

from mamori.notices.messages import LabelTable

_LABELS: dict[str, tuple[str, str, str, str]] = {
    "receipt_title": ("同意の記録（控え）", "Your consent receipt", "同意记录（存根）", "同意紀錄（存根）"),
    "receipt_intro": (
        "この控えは、当社が記録しているあなたの同意の内容と現在の状態をお知らせするものです。",
        "This receipt shows the consents we hold on record for you and where each of them stands now.",
        "本存根列明本公司所记录的您的各项同意及其当前状态。",
        "本存根列明本公司所紀錄之您的各項同意及其目前狀態。",
    ),
    "receipt_reference": ("照会番号", "Reference", "查询编号", "查詢編號"),
    "receipt_issued": ("発行日時", "Issued", "出具时间", "出具時間"),
    "receipt_consents": ("同意の内容", "Your consents", "同意事项", "同意事項"),
    "receipt_none": (
        "記録されている同意はありません。",
        "We hold no consent on record for you.",
        "目前没有您的同意记录。",
        "目前沒有您的同意紀錄。",
    ),
    "receipt_state": ("状態", "Status", "状态", "狀態"),
    "receipt_date": ("日時", "Date", "时间", "時間"),
    "receipt_channel": ("受付方法", "Given through", "提交方式", "提交方式"),
    "receipt_version": (
        "個人情報保護方針の版",
        "Policy version",
        "个人信息保护方针版本",
        "個人資料保護方針版本",
    ),
    "receipt_history": ("これまでの記録", "History", "历史记录", "歷史紀錄"),
    "receipt_separate": ("個別の同意", "Separate consent", "单独同意", "單獨同意"),
    "receipt_on_behalf": (
        "法定代理人等による同意",
        "Given by a representative",
        "由法定代理人等作出",
        "由法定代理人等作出",
    ),
    "receipt_withdraw": ("同意の撤回について", "How to withdraw", "如何撤回同意", "如何撤回同意"),
    "receipt_withdraw_body": (
        (
            "同意はいつでも撤回できます。撤回は同意したときと同じ方法、または下記の窓口で受け付けます。"
            "撤回しても、撤回前に行った取扱いの適法性には影響しません。"
        ),
        (
            "You may withdraw any consent at any time, the same way you gave it or through the desk below. "
            "Withdrawing does not affect what was lawfully done before."
        ),
        "您可以随时撤回任何同意，可通过作出同意时的相同方式或以下窗口办理。撤回不影响撤回前已进行的处理的合法性。",
        "您可以隨時撤回任何同意，可透過作出同意時的相同方式或以下窗口辦理。撤回不影響撤回前已進行之處理的合法性。",
    ),
    "receipt_japan_time": ("（日本時間）", " (Japan time)", "（日本时间）", "（日本時間）"),
    "state.given": ("同意済み", "Given", "已同意", "已同意"),
    "state.withdrawn": ("撤回済み", "Withdrawn", "已撤回", "已撤回"),
    "state.expired": ("期限切れ", "Expired", "已过期", "已過期"),
    "channel.web": ("ウェブサイト", "Website", "网站", "網站"),
    "channel.paper": ("書面", "Paper form", "书面", "書面"),
    "channel.phone": ("電話", "Telephone", "电话", "電話"),
    "channel.shop": ("店舗", "In a shop", "门店", "門市"),
    "channel.api": ("システム連携", "Connected system", "系统对接", "系統串接"),
    "scope.channel": ("連絡手段", "Contact channel", "联系方式", "聯絡方式"),
    "scope.recipient": ("第三者への提供", "Provision to a third party", "向第三方提供", "向第三方提供"),
    "scope.cross_border": ("外国への移転", "Transfer abroad", "向境外提供", "向境外提供"),
    "scope.sensitive": (
        "センシティブな個人情報の取扱い",
        "Handling of sensitive personal information",
        "敏感个人信息的处理",
        "敏感個人資料之處理",
    ),
    "scope.camera": ("カメラ画像の分析", "Analysis of camera images", "摄像头图像分析", "攝影機影像分析"),
    "scope.sharing": (
        "他の事業者（グループ会社を含む）への提供",
        "Provision to other handlers, group companies included",
        "向其他个人信息处理者（含集团公司）提供",
        "向其他個人資料處理者（含集團公司）提供",
    ),
    "scope.cookie": (
        "Cookie等の利用",
        "Cookies and similar technologies",
        "Cookie等的使用",
        "Cookie等之使用",
    ),
}


_TABLE = LabelTable(_LABELS)
label, labels, has_label = _TABLE.label, _TABLE.labels, _TABLE.has_label
