"""Words of incident notices, statements and reports, in ja, en, zh-Hans and zh-Hant (``LANGUAGES``)."""

from __future__ import annotations

from mamori.notices.messages import LabelTable

_LABELS: dict[str, tuple[str, str, str, str]] = {
    "kind.leak": ("漏えい", "leak", "泄露", "洩漏"),
    "kind.loss": ("滅失", "loss", "灭失", "滅失"),
    "kind.damage": ("毀損", "damage", "毁损", "毀損"),
    "mail_subject": (
        "【重要】個人情報の{kind}に関するお知らせ（{reference}）",
        "Important: notice of a personal-data {kind} ({reference})",
        "【重要】关于个人信息{kind}的通知（{reference}）",
        "【重要】關於個人資料{kind}之通知（{reference}）",
    ),
    "greeting": (
        (
            "平素より格別のご愛顧を賜り、誠にありがとうございます。このたび、お客様の個人情報に関わる事態が"
            "生じましたので、下記のとおりお知らせいたします。多大なご心配とご迷惑をおかけしますことを、"
            "心よりお詫び申し上げます。"
        ),
        (
            "We are writing to tell you about an incident that affects personal data we hold about you. "
            "We sincerely apologise for the worry and inconvenience this causes."
        ),
        "我们谨此通知您一起涉及我们所持有的您的个人信息的事件。对由此给您带来的担忧与不便，我们深表歉意。",
        "我們謹此通知您一起涉及本公司所持有之您的個人資料的事件。對由此給您帶來的擔憂與不便，我們深表歉意。",
    ),
    "summary_actual": (
        "{known}、当社が取り扱う個人データの{kind}が判明しました。",
        "On {known} we found that personal data we handle had been subject to a {kind}.",
        "{known}，我们发现所处理的个人数据发生了{kind}。",
        "{known}，本公司發現所處理之個人資料發生了{kind}。",
    ),
    "summary_suspected": (
        "{known}、当社が取り扱う個人データの{kind}のおそれがあることが判明しました。",
        "On {known} we found that personal data we handle may have been subject to a {kind}.",
        "{known}，我们发现所处理的个人数据可能发生了{kind}。",
        "{known}，本公司發現所處理之個人資料可能發生了{kind}。",
    ),
    "occurred": (
        "発生日：{occurred}",
        "It occurred on {occurred}.",
        "发生日期：{occurred}",
        "發生日期：{occurred}",
    ),
    "pending": (
        "現在調査中です。判明し次第、改めてお知らせいたします。",
        "We are still investigating and will tell you more as soon as we know it.",
        "目前正在调查中，查明后将另行通知。",
        "目前正在調查中，查明後將另行通知。",
    ),
    "no_harm_known": (
        "現時点で、二次被害は確認されていません。",
        "So far we know of no harm that has followed from it.",
        "目前尚未发现二次损害。",
        "目前尚未發現二次損害。",
    ),
    "can_do_default": (
        "不審な連絡やメールを受け取った場合は、記載のリンクや添付ファイルを開かず、下記の窓口までご連絡ください。",
        (
            "If you receive an unexpected call or e-mail about this, do not open its links or attachments; "
            "contact us at the desk below instead."
        ),
        "如收到可疑的电话或邮件，请勿打开其中的链接或附件，并与下述窗口联系。",
        "如收到可疑的電話或郵件，請勿開啟其中的連結或附件，並與下述窗口聯繫。",
    ),
    "h.summary": ("1. 概要", "1. What happened", "1. 概要", "1. 概要"),
    "h.items": (
        "2. 対象となる個人情報の項目",
        "2. The personal data concerned",
        "2. 涉及的个人信息项目",
        "2. 涉及之個人資料項目",
    ),
    "h.cause": ("3. 原因", "3. Cause", "3. 原因", "3. 原因"),
    "h.harm": (
        "4. 二次被害又はそのおそれの有無及びその内容",
        "4. Harm that followed or may follow",
        "4. 二次损害或其风险及内容",
        "4. 二次損害或其風險及內容",
    ),
    "h.measures": ("5. 当社の対応", "5. What we are doing", "5. 我们采取的措施", "5. 本公司採取之措施"),
    "h.can_do": (
        "6. お客様にお願いしたいこと",
        "6. What you can do",
        "6. 您可以采取的措施",
        "6. 您可以採取之措施",
    ),
    "h.contact": ("7. お問い合わせ窓口", "7. Whom to contact", "7. 咨询窗口", "7. 諮詢窗口"),
    "measures_default": (
        "原因の調査と再発防止策の実施を進めています。",
        "We are investigating the cause and putting measures in place so that it does not happen again.",
        "我们正在调查原因并落实防止再次发生的措施。",
        "本公司正在調查原因並落實防止再次發生之措施。",
    ),
    "hours": (
        "受付時間：{opens}～{closes}（土日祝日・年末年始を除く）",
        "Open {opens}-{closes} Japan time, except weekends, national holidays and the New Year holidays.",
        "受理时间：{opens}～{closes}（日本时间，周六、周日、节假日及年末年初除外）",
        "受理時間：{opens}～{closes}（日本時間，週六、週日、國定假日及年末年初除外）",
    ),
    "reference": (
        "お問い合わせ番号：{reference}",
        "Reference: {reference}",
        "查询编号：{reference}",
        "查詢編號：{reference}",
    ),
    "statement_title": (
        "個人情報の{kind}に関するお知らせとお詫び",
        "Notice and apology: personal-data {kind}",
        "关于个人信息{kind}的通知及致歉",
        "關於個人資料{kind}之通知及致歉",
    ),
    "statement_intro": (
        (
            "個別にご連絡を差し上げることができないお客様がいらっしゃるため、本お知らせにより公表いたします。"
            "ご自身の情報が含まれるかどうかは、下記の専用窓口でお調べいたします。"
        ),
        (
            "We cannot reach every person affected individually, so we publish this notice. Our inquiry desk "
            "below can tell you whether your data is concerned."
        ),
        "由于无法逐一联系所有受影响的个人，特此公告。您可通过下述专用窗口查询您的信息是否涉及其中。",
        "由於無法逐一聯繫所有受影響之個人，特此公告。您可透過下述專用窗口查詢您的資料是否涉及其中。",
    ),
    "statement_missing_title": (
        "お知らせが見つかりません",
        "Notice not found",
        "未找到该通知",
        "找不到該通知",
    ),
    "statement_missing_body": (
        "この番号で公表しているお知らせはありません。番号をご確認ください。",
        "We have published no notice under this reference. Please check the reference.",
        "我们未以此编号发布任何通知，请核对编号。",
        "本公司未以此編號發布任何通知，請核對編號。",
    ),
    "desk_title": ("専用お問い合わせ窓口", "Inquiry desk for this incident", "专用咨询窗口", "專用諮詢窗口"),
    "desk_text": (
        "本件に関するお問い合わせは、{centre}にて承ります。お問い合わせの際は「{reference}」とお伝えください。",
        "{centre} answers questions about this incident. Please quote {reference}.",
        "有关本事件的咨询，请联系{centre}，并告知编号“{reference}”。",
        "有關本事件之諮詢，請聯繫{centre}，並告知編號「{reference}」。",
    ),
    "persons": (
        "影響を受けた可能性のある方：最大 {count} 名",
        "People who may be affected: up to {count}",
        "可能受影响的人数：最多 {count} 人",
        "可能受影響之人數：最多 {count} 人",
    ),
    # the report to the authority
    "report.ppc.preliminary": (
        "個人データの漏えい等の報告（速報）",
        "Report of a personal-data breach (preliminary)",
        "个人数据泄露等报告（速报）",
        "個人資料洩漏等報告（速報）",
    ),
    "report.ppc.final": (
        "個人データの漏えい等の報告（確報）",
        "Report of a personal-data breach (final)",
        "个人数据泄露等报告（确报）",
        "個人資料洩漏等報告（確報）",
    ),
    "report.pipl.preliminary": (
        "個人情報安全事件の通知（PIPL第57条・初報）",
        "Notice of a personal-information security incident (PIPL Art. 57, first notice)",
        "个人信息安全事件通知（《个人信息保护法》第五十七条·初报）",
        "個人資訊安全事件通知（《個人資訊保護法》第五十七條·初報）",
    ),
    "report.pipl.final": (
        "個人情報安全事件の通知（PIPL第57条・最終報告）",
        "Notice of a personal-information security incident (PIPL Art. 57, final)",
        "个人信息安全事件通知（《个人信息保护法》第五十七条·终报）",
        "個人資訊安全事件通知（《個人資訊保護法》第五十七條·終報）",
    ),
    "r.reference": ("整理番号", "Reference", "编号", "編號"),
    "r.version": ("版", "Version", "版本", "版本"),
    "r.status": ("状態", "Status", "状态", "狀態"),
    "r.drafted": ("作成日時", "Drafted", "起草时间", "起草時間"),
    "r.reporter": ("報告者", "Reporting organisation", "报告者", "報告者"),
    "r.known": ("発覚日時（本件を知った日時）", "Known since", "获知时间", "獲知時間"),
    "r.occurred": ("発生日時", "Occurred", "发生时间", "發生時間"),
    "r.how_found": ("発見の経緯", "How it was found", "发现经过", "發現經過"),
    "r.systems": ("関係するシステム", "Systems involved", "涉及的系统", "涉及之系統"),
    "r.triggers": ("報告対象となる事由", "Why it is reported", "报告事由", "報告事由"),
    "r.known_persons": ("判明している人数", "Persons known", "已知人数", "已知人數"),
    "r.max_persons": ("最大の人数（おそれを含む）", "Possible maximum", "可能的最多人数", "可能之最多人數"),
    "r.special_care": (
        "うち要配慮個人情報",
        "Special-care items among them",
        "其中需特别关注的信息",
        "其中需特別關注之資料",
    ),
    "r.encrypted": ("高度な暗号化等の措置", "Advanced encryption", "高级加密等措施", "高度加密等措施"),
    "r.none": ("（記載なし）", "(not given)", "（未填写）", "（未填寫）"),
    "r.draft": ("下書き", "draft", "草稿", "草稿"),
    "r.filed": ("提出済み", "filed", "已提交", "已提交"),
    "i.summary": ("(1) 概要", "(1) Summary", "(1) 概要", "(1) 概要"),
    "i.data_items": (
        "(2) 漏えい等が発生し、又は発生したおそれがある個人データの項目",
        "(2) Personal-data items concerned",
        "(2) 发生或可能发生泄露等的个人数据项目",
        "(2) 發生或可能發生洩漏等之個人資料項目",
    ),
    "i.persons": (
        "(3) 漏えい等が発生し、又は発生したおそれがある個人データに係る本人の数",
        "(3) Number of persons concerned",
        "(3) 相关本人的人数",
        "(3) 相關本人之人數",
    ),
    "i.cause": ("(4) 原因", "(4) Cause", "(4) 原因", "(4) 原因"),
    "i.secondary_damage": (
        "(5) 二次被害又はそのおそれの有無及びその内容",
        "(5) Secondary damage or its risk",
        "(5) 二次损害或其风险及内容",
        "(5) 二次損害或其風險及內容",
    ),
    "i.response_to_individuals": (
        "(6) 本人への対応の実施状況",
        "(6) Response to the persons concerned",
        "(6) 对本人的应对情况",
        "(6) 對本人之應對情況",
    ),
    "i.publication": ("(7) 公表の実施状況", "(7) Publication", "(7) 公布情况", "(7) 公布情況"),
    "i.prevention": (
        "(8) 再発防止のための措置",
        "(8) Prevention measures",
        "(8) 防止再次发生的措施",
        "(8) 防止再次發生之措施",
    ),
    "i.other": ("(9) その他参考となる事項", "(9) Other", "(9) 其他参考事项", "(9) 其他參考事項"),
    "p.categories": (
        "(1) 個人情報の種類",
        "(1) Categories of personal information",
        "(1) 个人信息种类",
        "(1) 個人資訊種類",
    ),
    "p.cause": ("(2) 原因", "(2) Cause", "(2) 原因", "(2) 原因"),
    "p.harm": ("(3) 生じうる損害", "(3) Possible harm", "(3) 可能造成的危害", "(3) 可能造成之危害"),
    "p.measures": ("(4) 講じた措置", "(4) Measures taken", "(4) 采取的补救措施", "(4) 採取之補救措施"),
    "p.individual_actions": (
        "(5) 本人が講じうる措置",
        "(5) What individuals can do",
        "(5) 个人可以采取的减轻危害的措施",
        "(5) 個人可以採取之減輕危害措施",
    ),
    "p.contact": (
        "(6) 連絡先",
        "(6) Contact",
        "(6) 个人信息处理者的联系方式",
        "(6) 個人資訊處理者之聯繫方式",
    ),
}
_TABLE = LabelTable(_LABELS)
label = _TABLE.label
