# ruff: noqa: E501 - a table of sentences in four languages reads better unbroken
"""Words of the contact form and the staff inquiry pages, in ja, en, zh-Hans and zh-Hant."""

from __future__ import annotations

from mamori.notices.messages import LabelTable

FORM = LabelTable(
    {
        "title": ("お問い合わせ", "Contact us", "联系我们", "聯絡我們"),
        "intro": (
            "個人情報の取扱い、苦情、広報・IRその他のお問い合わせをこのフォームで受け付けています。",
            "Use this form for questions about personal information, complaints, press and investor relations, or anything else.",
            "您可通过此表单咨询个人信息的处理、提出投诉，或就公关、投资者关系及其他事项与我们联系。",
            "您可透過此表單諮詢個人資料的處理、提出申訴，或就公關、投資人關係及其他事項與我們聯繫。",
        ),
        "hours": ("受付時間", "Opening hours", "服务时间", "服務時間"),
        "closed": ("休業日", "Closed on", "休息日", "休息日"),
        "open_now": ("ただいま受付時間内です。", "We are open now.", "现在是服务时间。", "現在是服務時間。"),
        "closed_now": (
            "ただいま受付時間外です。次の受付開始：",
            "We are closed now. We open again on ",
            "现在不是服务时间。下次开始服务：",
            "現在不是服務時間。下次開始服務：",
        ),
        "name": ("お名前（任意）", "Your name (optional)", "姓名（选填）", "姓名（選填）"),
        "email": ("メールアドレス", "E-mail address", "电子邮箱", "電子郵件地址"),
        "email_hint": (
            "回答はこのアドレスにお送りします。",
            "We send our answer to this address.",
            "我们会将答复发送至此邮箱。",
            "我們會將答覆寄至此信箱。",
        ),
        "phone": ("電話番号（任意）", "Phone number (optional)", "电话号码（选填）", "電話號碼（選填）"),
        "category": ("お問い合わせの種類", "Topic", "咨询类别", "諮詢類別"),
        "message": ("お問い合わせ内容", "Your message", "咨询内容", "諮詢內容"),
        "message_hint": (
            "{limit}文字以内でご記入ください。",
            "Up to {limit} characters.",
            "请在{limit}字以内填写。",
            "請在{limit}字以內填寫。",
        ),
        "send": ("送信する", "Send", "提交", "送出"),
        "purpose": (
            "ご記入の内容は、お問い合わせへの回答のためにのみ利用します。",
            "We use what you write here only to answer your inquiry.",
            "您填写的内容仅用于答复您的咨询。",
            "您填寫的內容僅用於答覆您的諮詢。",
        ),
        "privacy_link": ("個人情報保護方針", "Privacy policy", "个人信息保护方针", "個人資料保護方針"),
        "errors_heading": (
            "入力内容をご確認ください。入力された内容はそのまま残っています。",
            "Please check the form. What you typed is still here.",
            "请检查填写内容。您已填写的内容仍保留在下方。",
            "請檢查填寫內容。您已填寫的內容仍保留在下方。",
        ),
        "err_message_empty": (
            "お問い合わせ内容をご記入ください。",
            "Please write your message.",
            "请填写咨询内容。",
            "請填寫諮詢內容。",
        ),
        "err_message_long": (
            "お問い合わせ内容は{limit}文字以内でご記入ください（現在{count}文字）。",
            "Your message can have at most {limit} characters (it has {count}).",
            "咨询内容不能超过{limit}字（当前{count}字）。",
            "諮詢內容不得超過{limit}字（目前{count}字）。",
        ),
        "err_email": (
            "メールアドレスを正しくご記入ください。",
            "Please enter a valid e-mail address.",
            "请填写有效的电子邮箱。",
            "請填寫有效的電子郵件地址。",
        ),
        "err_phone": (
            "電話番号を正しくご記入ください。",
            "Please enter a valid phone number.",
            "请填写有效的电话号码。",
            "請填寫有效的電話號碼。",
        ),
        "err_name": ("お名前が長すぎます。", "The name is too long.", "姓名过长。", "姓名過長。"),
        "err_category": (
            "種類を選んでください。",
            "Please choose a topic.",
            "请选择咨询类别。",
            "請選擇諮詢類別。",
        ),
        "err_other": (
            "入力内容に誤りがあります。",
            "Something in the form is not right.",
            "填写内容有误。",
            "填寫內容有誤。",
        ),
        "rate_limited": (
            "短い時間に多くのお問い合わせが送信されました。{minutes}分ほどしてから、もう一度送信してください。入力された内容はそのまま残っています。",
            "Too many messages were sent from here in a short time. Please send again in about {minutes} minutes; what you typed is still here.",
            "短时间内提交的咨询过多。请约{minutes}分钟后再提交，您已填写的内容仍保留在下方。",
            "短時間內送出的諮詢過多。請約{minutes}分鐘後再送出，您已填寫的內容仍保留在下方。",
        ),
        "received_title": (
            "お問い合わせを受け付けました",
            "We have your message",
            "我们已收到您的咨询",
            "我們已收到您的諮詢",
        ),
        "reference": ("受付番号", "Reference", "受理编号", "受理編號"),
        "expect_answer": ("ご連絡の目安", "You will hear from us by", "预计答复时间", "預計答覆時間"),
        "received_body": (
            "回答はご記入のメールアドレスにお送りします。再度ご連絡いただく際は受付番号をお知らせください。",
            "We will answer by e-mail. Please quote the reference if you contact us again.",
            "我们将通过电子邮件答复。再次联系时请告知受理编号。",
            "我們將以電子郵件答覆。再次聯繫時請告知受理編號。",
        ),
        "bad_lang_title": (
            "対応していない言語です",
            "Language not available",
            "不支持该语言",
            "不支援該語言",
        ),
        "bad_lang_body": (
            "次の言語からお選びください。",
            "Please choose one of these languages.",
            "请从以下语言中选择。",
            "請從以下語言中選擇。",
        ),
        "no_policy": (
            "ただいまお問い合わせを受け付けられません。",
            "The form is not available at the moment.",
            "目前无法受理咨询。",
            "目前無法受理諮詢。",
        ),
    }
)

STATES = LabelTable(
    {
        "new": ("新規", "New", "新建", "新建"),
        "assigned": ("担当決定", "Assigned", "已分配", "已指派"),
        "waiting_for_customer": ("返答待ち", "Waiting for customer", "等待客户", "等待客戶"),
        "answered": ("回答済み", "Answered", "已答复", "已答覆"),
        "closed": ("完了", "Closed", "已关闭", "已結案"),
        "reopened": ("再開", "Reopened", "已重新打开", "已重新開啟"),
        "converted": ("請求へ移行", "Converted to a request", "已转为请求", "已轉為請求"),
    }
)
