"""Texts of the privacy centre's e-mails, in ja, en, zh-Hans and zh-Hant (pages use gettext)."""

from __future__ import annotations

from mamori.notices.messages import LabelTable

_TEXTS: dict[str, tuple[str, str, str, str]] = {
    "status.subject": (
        "ご請求の状況を確認するためのコード",
        "Your code to see where your request stands",
        "查看请求进度的确认码",
        "查看請求進度的確認碼",
    ),
    "status.body": (
        (
            "受付番号 {reference} の状況確認コードは {code} です。{minutes} 分間、一度だけ使えます。\n"
            "お心当たりがない場合は、このメールを破棄してください。"
        ),
        (
            "The code to see the status of your request {reference} is {code}. It works once, for"
            " {minutes} minutes.\nIf you did not ask for it, you can ignore this e-mail."
        ),
        (
            "受理编号 {reference} 的进度查询确认码为 {code}。仅可使用一次，{minutes} 分钟内有效。\n"
            "如果您没有申请，请忽略本邮件。"
        ),
        (
            "受理編號 {reference} 的進度查詢確認碼為 {code}。僅可使用一次，{minutes} 分鐘內有效。\n"
            "如果您沒有申請，請忽略本郵件。"
        ),
    ),
    "signin.subject": (
        "プライバシー設定へのログインリンク",
        "Your sign-in link to your privacy preferences",
        "隐私偏好设置的登录链接",
        "隱私偏好設定的登入連結",
    ),
    "signin.body": (
        (
            "次のリンクから、ご自身のプライバシー設定を開けます（{minutes} 分間、一度だけ、"
            "リンクをご請求いただいたブラウザでのみ有効です）。\n{link}\n"
            "お心当たりがない場合は、このメールを破棄してください。"
        ),
        (
            "Open your privacy preferences with this link (it works once, for {minutes} minutes, in the"
            " browser that asked for it):\n{link}\nIf you did not ask for it, you can ignore this e-mail."
        ),
        (
            "请通过以下链接打开您的隐私偏好设置（{minutes} 分钟内有效，仅可使用一次，"
            "且仅限申请链接的浏览器）：\n"
            "{link}\n如果您没有申请，请忽略本邮件。"
        ),
        (
            "請透過以下連結開啟您的隱私偏好設定（{minutes} 分鐘內有效，僅可使用一次，"
            "且僅限申請連結的瀏覽器）：\n"
            "{link}\n如果您沒有申請，請忽略本郵件。"
        ),
    ),
    "receipt.subject": (
        "同意の変更を承りました",
        "We have recorded your consent change",
        "我们已记录您的同意变更",
        "我們已記錄您的同意變更",
    ),
    "receipt.body": (
        (
            "{when} に、次の変更を記録しました。\n{change}\n"
            "受領書（PDF）をこのメールに添付しました。プライバシー設定のページからもダウンロードできます。"
            "記録番号: {event}"
        ),
        (
            "On {when} we recorded this change:\n{change}\n"
            "The receipt (PDF) is attached to this e-mail; you can also download it from your privacy "
            "preferences page. Record number: {event}"
        ),
        (
            "我们于 {when} 记录了以下变更：\n{change}\n"
            "变更回执（PDF）已附在本邮件中，也可在隐私偏好设置页面下载。记录编号：{event}"
        ),
        (
            "我們於 {when} 記錄了以下變更：\n{change}\n"
            "變更回執（PDF）已附在本郵件中，也可在隱私偏好設定頁面下載。記錄編號：{event}"
        ),
    ),
    "pipl.sensitive": (
        "センシティブ個人情報及びカメラ画像の取扱い（個別同意）",
        "Handling of sensitive personal information and camera images (separate consent)",
        "敏感个人信息及摄像头图像的处理（单独同意）",
        "敏感個人資訊及攝影機影像的處理（單獨同意）",
    ),
    "channel.email": ("メール", "E-mail", "电子邮件", "電子郵件"),
    "channel.post": ("郵便", "Post", "邮寄", "郵寄"),
    "channel.phone": ("電話", "Telephone", "电话", "電話"),
    "receipt.given": ("同意しました", "consent given", "已同意", "已同意"),
    "receipt.withdrawn": ("同意を撤回しました", "consent withdrawn", "已撤回同意", "已撤回同意"),
    "ack.request_subject": (
        "ご請求を受け付けました",
        "We have received your request",
        "我们已受理您的请求",
        "我們已受理您的請求",
    ),
    "ack.request_body": (
        (
            "ご請求を受け付けました。受付番号は {reference} です。\n"
            "{target} までに回答する予定です（法令上の期限は {art39} です）。\n"
            "状況は {status_link} で、受付番号と確認コードを使ってご確認いただけます。"
        ),
        (
            "We have received your request. Its reference is {reference}.\n"
            "We plan to answer by {target} (the legal time limit is {art39}).\n"
            "You can see where it stands at {status_link} with the reference and a one-time code."
        ),
        (
            "我们已受理您的请求，受理编号为 {reference}。\n预计于 {target} 前答复（法定期限为 {art39}）。\n"
            "您可以在 {status_link} 使用受理编号和确认码查看进度。"
        ),
        (
            "我們已受理您的請求，受理編號為 {reference}。\n預計於 {target} 前答覆（法定期限為 {art39}）。\n"
            "您可以在 {status_link} 使用受理編號和確認碼查看進度。"
        ),
    ),
    "letter.title": (
        "ご請求受付のお知らせ",
        "Acknowledgement of your request",
        "请求受理通知",
        "請求受理通知",
    ),
    "letter.body": (
        (
            "ご請求を受け付けました（受付日 {received}、受付番号 {reference}）。"
            "{target} までに回答する予定です（法令上の期限は {art39} です）。"
        ),
        (
            "We received your request on {received}; its reference is {reference}. We plan to answer by"
            " {target} (the legal time limit is {art39})."
        ),
        (
            "我们已于 {received} 受理您的请求，受理编号为 {reference}。"
            "预计于 {target} 前答复（法定期限为 {art39}）。"
        ),
        (
            "我們已於 {received} 受理您的請求，受理編號為 {reference}。"
            "預計於 {target} 前答覆（法定期限為 {art39}）。"
        ),
    ),
    "letter.status": (
        (
            "ご請求の状況は {url} で、受付番号と次の確認コードを入力してご確認いただけます"
            "（{until} まで、一度だけ有効です）。"
        ),
        (
            "You can see where your request stands at {url} by entering the reference and the code below"
            " (valid once, until {until})."
        ),
        "您可以在 {url} 输入受理编号和以下确认码查看请求进度（仅可使用一次，有效期至 {until}）。",
        "您可以在 {url} 輸入受理編號和以下確認碼查看請求進度（僅可使用一次，有效期至 {until}）。",
    ),
    "letter.code": ("確認コード", "Code", "确认码", "確認碼"),
    "ack.inquiry_subject": (
        "お問い合わせを受け付けました",
        "We have received your inquiry",
        "我们已收到您的咨询",
        "我們已收到您的諮詢",
    ),
    "ack.inquiry_body": (
        (
            "お問い合わせを受け付けました。受付番号は {reference} です。\n"
            "{due} までにご返信する予定です（営業日で計算）。"
        ),
        (
            "We have received your inquiry. Its reference is {reference}.\n"
            "We plan to reply by {due} (counted in business days)."
        ),
        "我们已收到您的咨询，受理编号为 {reference}。\n预计于 {due} 前回复（按工作日计算）。",
        "我們已收到您的諮詢，受理編號為 {reference}。\n預計於 {due} 前回覆（按工作日計算）。",
    ),
}

_TABLE = LabelTable(_TEXTS)
text = _TABLE.label
