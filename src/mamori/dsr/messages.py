"""Texts people read about their requests (mails, the public form), in ja, en, zh-Hans, zh-Hant."""

from __future__ import annotations

from mamori.notices.messages import LabelTable

_TEXTS: dict[str, tuple[str, str, str, str]] = {
    "mail.link_subject": (
        "ご請求への回答書をご確認ください",
        "Your answer is ready to download",
        "请查收对您请求的答复",
        "請查收對您請求的答覆",
    ),
    "mail.link_body": (
        (
            "受付番号 {reference} のご請求への回答書を、次のリンクからダウンロードできます。\n{link}\n"
            "リンクの有効期限は {until} です。開くには、別のメールでお送りする確認コードを入力してください。"
        ),
        (
            "The answer to your request {reference} can be downloaded here:\n{link}\n"
            "The link works until {until}. To open it, enter the code we send you in a separate e-mail."
        ),
        (
            "您可以通过以下链接下载对受理编号 {reference} 请求的答复：\n{link}\n"
            "链接有效期至 {until}。打开时，请输入我们另行发送的确认码。"
        ),
        (
            "您可以透過以下連結下載對受理編號 {reference} 請求的答覆：\n{link}\n"
            "連結有效期至 {until}。開啟時，請輸入我們另行寄送的確認碼。"
        ),
    ),
    "mail.code_subject": (
        "回答書を開くための確認コード",
        "Your code to open the answer",
        "打开答复的确认码",
        "開啟答覆的確認碼",
    ),
    "mail.code_body": (
        "受付番号 {reference} の回答書を開くための確認コードは {code} です。一度だけ使えます。",
        "The code to open the answer to your request {reference} is {code}. It can be used once.",
        "用于打开受理编号 {reference} 答复的确认码为 {code}，仅可使用一次。",
        "用於開啟受理編號 {reference} 答覆的確認碼為 {code}，僅可使用一次。",
    ),
    "mail.confirm_subject": (
        "ご請求のメールアドレスを確認してください",
        "Please confirm the e-mail address of your request",
        "请确认您请求中的电子邮件地址",
        "請確認您請求中的電子郵件地址",
    ),
    "mail.confirm_body": (
        (
            "当社ウェブサイトからのご請求を受け付けるため、次のリンクを開いてメールアドレスを確認してください。\n{link}\n"
            "リンクの有効期限は {until} です。お心当たりのない場合は、このメールを破棄してください。"
        ),
        (
            "To send us the request you filled in on our website, open this link to confirm"
            " your e-mail address:\n{link}\nThe link works until {until}."
            " If you did not make a request, you can ignore this e-mail."
        ),
        (
            "为受理您在本公司网站提交的请求，请打开以下链接确认您的电子邮件地址：\n{link}\n"
            "链接有效期至 {until}。如非本人操作，请忽略本邮件。"
        ),
        (
            "為受理您在本公司網站提交的請求，請開啟以下連結確認您的電子郵件地址：\n{link}\n"
            "連結有效期至 {until}。如非本人操作，請忽略本郵件。"
        ),
    ),
    "mail.received_subject": (
        "ご請求を受け付けました",
        "We have received your request",
        "我们已受理您的请求",
        "我們已受理您的請求",
    ),
    "mail.received_body": (
        (
            "ご請求を受け付けました。受付番号は {reference} です。{target} までに回答いたします。"
            "本人確認書類の提出についてご案内する場合があります。"
        ),
        (
            "We have received your request. Its reference is {reference}. We will answer by {target}. "
            "We may contact you about proof of identity."
        ),
        (
            "我们已受理您的请求，受理编号为 {reference}。我们将于 {target} 前答复。"
            "我们可能会就身份证明文件与您联系。"
        ),
        (
            "我們已受理您的請求，受理編號為 {reference}。我們將於 {target} 前答覆。"
            "我們可能會就身分證明文件與您聯繫。"
        ),
    ),
    "mail.reminder_subject": ("回答期限が近い請求", "Requests due soon", "即将到期的请求", "即將到期的請求"),
    "form.title": (
        "開示等のご請求",
        "Make a request about your personal data",
        "提出披露等请求",
        "提出揭露等請求",
    ),
    "form.intro": (
        (
            "このフォームから、当社が保有するあなたの個人データについてご請求いただけます。"
            "ご入力いただくのは、ご本人を確認し回答をお届けするために必要な事項だけです。"
        ),
        (
            "Use this form to make a request about personal data we hold about you. "
            "We ask only for what we need to find you in our records and to send you our answer."
        ),
        "您可以通过本表格就本公司保有的您的个人数据提出请求。我们仅请您填写确认本人及送达答复所需的事项。",
        "您可以透過本表單就本公司保有的您的個人資料提出請求。我們僅請您填寫確認本人及送達答覆所需的事項。",
    ),
    "form.request_type": ("ご請求の種類", "What you are asking for", "请求类型", "請求類型"),
    "form.ground": (
        "理由（利用停止・消去の場合）",
        "Ground (for suspension of use or erasure)",
        "理由（停止使用、消除时）",
        "理由（停止利用、消除時）",
    ),
    "form.erasure": (
        "データの消去も希望する",
        "I also ask for the data to be erased",
        "同时要求删除数据",
        "同時要求刪除資料",
    ),
    "form.requester": ("ご請求になる方", "Who is asking", "请求人", "請求人"),
    "form.name": ("お名前", "Your name", "姓名", "姓名"),
    "form.email": ("メールアドレス", "E-mail address", "电子邮件地址", "電子郵件地址"),
    "form.member_number": (
        "会員番号（お持ちの場合）",
        "Member number (if you have one)",
        "会员编号（如有）",
        "會員編號（如有）",
    ),
    "form.response_method": ("回答の受け取り方法", "How you want the answer", "答复方式", "答覆方式"),
    "form.address": (
        "ご住所（郵送をご希望の場合。本人確認書類の記載と同じもの）",
        "Postal address (for an answer by post; as on your ID)",
        "地址（希望邮寄时，与身份证明文件一致）",
        "地址（希望郵寄時，與身分證明文件一致）",
    ),
    "form.details": ("ご請求の内容（任意）", "Details (optional)", "请求内容（选填）", "請求內容（選填）"),
    "form.submit": ("送信する", "Send", "提交", "送出"),
    "form.sent_title": (
        "メールをご確認ください",
        "Please check your e-mail",
        "请查看您的电子邮件",
        "請查看您的電子郵件",
    ),
    "form.sent_body": (
        "ご入力のメールアドレスに確認用のリンクをお送りしました。リンクを開くとご請求を受け付けます。",
        "We have sent a confirmation link to the address you gave. Your request is made once you open it.",
        "我们已向您填写的地址发送确认链接。打开链接后，您的请求即被受理。",
        "我們已向您填寫的地址寄送確認連結。開啟連結後，您的請求即被受理。",
    ),
    "form.confirmed_title": (
        "ご請求を受け付けました",
        "Your request has been received",
        "您的请求已受理",
        "您的請求已受理",
    ),
    "form.confirmed_body": (
        "受付番号は {reference} です。{target} までに回答いたします。",
        "Its reference is {reference}. We will answer by {target}.",
        "受理编号为 {reference}。我们将于 {target} 前答复。",
        "受理編號為 {reference}。我們將於 {target} 前答覆。",
    ),
    "form.expired_title": ("リンクが無効です", "This link no longer works", "链接已失效", "連結已失效"),
    "form.expired_body": (
        "確認用のリンクの有効期限が切れたか、すでに使われています。お手数ですが、もう一度フォームからご請求ください。",
        "The confirmation link has expired or was already used. Please fill in the form again.",
        "确认链接已过期或已被使用。请重新填写表格提交请求。",
        "確認連結已過期或已被使用。請重新填寫表單提交請求。",
    ),
    "form.errors": (
        "入力内容をご確認ください",
        "Please check what you entered",
        "请检查您填写的内容",
        "請檢查您填寫的內容",
    ),
    "error.required": ("入力してください。", "Please fill this in.", "请填写此项。", "請填寫此項。"),
    "error.invalid": ("正しく入力してください。", "This is not valid.", "填写内容无效。", "填寫內容無效。"),
    "download.title": ("回答書のダウンロード", "Download your answer", "下载答复", "下載答覆"),
    "download.intro": (
        "メールでお送りした確認コードを入力してください。",
        "Enter the code we sent you by e-mail.",
        "请输入我们通过电子邮件发送的确认码。",
        "請輸入我們以電子郵件寄送的確認碼。",
    ),
    "download.code": ("確認コード", "Code", "确认码", "確認碼"),
    "download.submit": ("開く", "Open", "打开", "開啟"),
    "download.wrong": (
        "確認コードが正しくありません。残り {left} 回入力できます。",
        "The code is not right. You can try {left} more times.",
        "确认码不正确。您还可以尝试 {left} 次。",
        "確認碼不正確。您還可以嘗試 {left} 次。",
    ),
    "download.locked": (
        "このリンクは使用済みか、ロックされています。お手数ですが、窓口までご連絡ください。",
        "This link has been used or is locked. Please contact us for a new one.",
        "该链接已被使用或已锁定。请与我们联系。",
        "該連結已被使用或已鎖定。請與我們聯繫。",
    ),
    "task.waiting.no_policy": (
        "ポリシーがまだ公開されていないため、当社システムでの作業を開始できません。",
        "No policy has been published yet, so the work in our systems cannot start.",
        "由于尚未发布任何政策，无法开始在本公司系统中的作业。",
        "由於尚未發布任何政策，無法開始在本公司系統中的作業。",
    ),
    "task.waiting.no_datamap": (
        (
            "公開中のポリシーにデータマップ（datamap/*.yaml）がないため、当社システムでの検索・訂正・消去を"
            "開始できません。データマップを含むポリシーを公開すると、自動的に開始されます。"
        ),
        (
            "The policy in force has no data map (datamap/*.yaml), so no system can be searched, corrected"
            " or erased yet. The work starts by itself once a policy with a data map is published."
        ),
        "现行政策中没有数据地图（datamap/*.yaml），因此无法在本公司系统中检索、更正或删除。发布包含数据地图的政策后将自动开始。",
        "現行政策中沒有資料地圖（datamap/*.yaml），因此無法在本公司系統中檢索、更正或刪除。發布包含資料地圖的政策後將自動開始。",
    ),
    "task.waiting.no_identity": (
        (
            "この方について当社が保有する識別子（メールアドレス、電話番号、会員番号など）のいずれも、"
            "データマップのシステムに対応していないため、検索を開始できません。"
        ),
        (
            "None of the identifiers we hold for this person (e-mail address, phone, member number…)"
            " is one the systems of the data map are searched by, so the search cannot start."
        ),
        "本公司为此人保有的识别信息（电子邮件地址、电话号码、会员编号等）均不对应数据地图中的系统，因此无法开始检索。",
        "本公司為此人保有的識別資訊（電子郵件地址、電話號碼、會員編號等）均不對應資料地圖中的系統，因此無法開始檢索。",
    ),
    "task.waiting.unmapped_change": (
        "訂正を求められた項目を保持するシステムがデータマップにないため、訂正を開始できません。",
        "The data map has no system holding an item the correction asks to change, so it cannot start.",
        "数据地图中没有保存所请求更正项目的系统，因此无法开始更正。",
        "資料地圖中沒有保存所請求更正項目的系統，因此無法開始更正。",
    ),
    "task.waiting.not_startable": (
        "当社システムでの作業を開始できませんでした。詳しくは監査ログ（request.task_pending）をご確認ください。",
        "The work in our systems could not start; the audit log (request.task_pending) says why.",
        "无法开始在本公司系统中的作业，原因请查看审计日志（request.task_pending）。",
        "無法開始在本公司系統中的作業，原因請查看稽核日誌（request.task_pending）。",
    ),
}

_TABLE = LabelTable(_TEXTS)
text, texts = _TABLE.label, _TABLE.labels
