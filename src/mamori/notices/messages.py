"""Words of the notices that are not in the policy bundle: headings, labels, dates, periods.

Each label is given in ja, en, zh-Hans and zh-Hant, in that order (``LANGUAGES``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from mamori.policy.schema import LANGUAGES, parse_period

_LABELS: dict[str, tuple[str, str, str, str]] = {
    # section headings
    "policy": ("基本方針", "Our commitments", "基本方针", "基本方針"),
    "controller": ("個人情報取扱事業者", "Controller", "个人信息处理者", "個人資料處理者"),
    "purposes": ("個人情報の利用目的", "Usage purposes", "个人信息的使用目的", "個人資料的利用目的"),
    "third_party": ("第三者提供", "Third-party provision", "向第三方提供", "向第三方提供"),
    "joint_use": ("共同利用", "Joint use", "共同使用", "共同利用"),
    "outsourcing": ("業務の委託", "Outsourcing", "委托处理", "委託處理"),
    "optionality": (
        "ご提供の任意性",
        "Optionality",
        "提供个人信息的自愿性",
        "提供個人資料之任意性",
    ),
    "requests": ("開示等のご請求", "Requests for disclosure, etc.", "披露等请求", "揭露等請求"),
    "inquiries": ("お問い合わせ窓口", "Inquiries", "咨询窗口", "諮詢窗口"),
    "cookies": ("Cookieについて", "Cookies", "关于Cookie", "關於Cookie"),
    "cameras": ("カメラ画像の取扱い", "Camera images", "摄像头图像的处理", "攝影機影像的處理"),
    "cameras_intro": (
        "当社は、次の場所にカメラを設置しています。カメラごとに、撮影範囲、利用目的、顔の分析の有無、保存期間、閲覧できる者を示します。",
        (
            "We operate cameras in the places listed below. For each camera we state what it films, why,"
            " whether faces are analysed, how long its images are kept and who may view them."
        ),
        "本公司在下列场所设置了摄像头。对每台摄像头，说明其拍摄范围、使用目的、是否分析面部、保存期限以及可查看者。",
        "本公司於下列場所設置攝影機。針對每台攝影機，說明其拍攝範圍、利用目的、是否分析臉部、保存期限及可檢視者。",
    ),
    "camera_site": ("設置場所の種別", "Kind of premises", "场所类别", "場所類別"),
    "camera_site.store": ("店舗", "Shop", "门店", "門市"),
    "camera_site.office": ("事業所", "Office", "办公场所", "辦公場所"),
    "camera_sees": ("撮影範囲", "What it films", "拍摄范围", "拍攝範圍"),
    "camera_purpose": ("利用目的", "Purpose", "使用目的", "利用目的"),
    "face_analysis": ("顔画像の分析", "Faces analysed", "面部图像分析", "臉部影像分析"),
    "face_templates": ("顔特徴データの作成", "Face templates made", "生成面部特征数据", "製作臉部特徵資料"),
    "camera_viewers": ("閲覧できる者", "Who may view", "可查看者", "可檢視者"),
    "camera_signage": ("掲示", "Signage", "告示", "告示"),
    "face_data_kept_inside": (
        "顔特徴データは、共同利用せず、第三者にも提供しません。",
        "Face templates are neither used jointly with others nor provided to third parties.",
        "面部特征数据不进行共同使用，也不向第三方提供。",
        "臉部特徵資料不進行共同利用，亦不提供予第三方。",
    ),
    "face_data_joint_use": (
        "顔特徴データを共同利用することがあります（共同利用の項をご覧ください）。",
        "Face templates may be used jointly as described under Joint use.",
        "面部特征数据可能进行共同使用（请参阅共同使用一节）。",
        "臉部特徵資料可能進行共同利用（請參閱共同利用一節）。",
    ),
    "face_data_provision": (
        "顔特徴データを、ご本人の同意を得て第三者に提供することがあります。",
        "Face templates may be provided to third parties with the person's consent.",
        "经本人同意，面部特征数据可能会提供给第三方。",
        "經本人同意，臉部特徵資料可能提供予第三方。",
    ),
    "safety_measures": (
        "安全管理措置",
        "How we keep personal information safe",
        "安全管理措施",
        "安全管理措施",
    ),
    "safety_intro": (
        "当社は、取り扱う個人情報の漏えい等を防ぐため、次の措置を講じています。",
        "To keep the personal information we handle from leaking or being lost, we take the measures below.",
        "为防止所处理的个人信息泄露等，本公司采取以下措施。",
        "為防止所處理的個人資料外洩等，本公司採取以下措施。",
    ),
    "measure_organisational": (
        "組織的安全管理措置",
        "Organisational measures",
        "组织性安全管理措施",
        "組織性安全管理措施",
    ),
    "measure_human": ("人的安全管理措置", "Human measures", "人员安全管理措施", "人員安全管理措施"),
    "measure_physical": ("物理的安全管理措置", "Physical measures", "物理安全管理措施", "物理安全管理措施"),
    "measure_technical": ("技術的安全管理措置", "Technical measures", "技术安全管理措施", "技術安全管理措施"),
    "pipl": (
        "中国個人情報保護法（PIPL）に関する補足",
        "PIPL addendum",
        "《个人信息保护法》（PIPL）补充条款",
        "中國《個人信息保護法》（PIPL）補充條款",
    ),
    "revisions": ("本方針の改定", "Revisions", "本方针的修订", "本方針之修訂"),
    "version": ("この版について", "About this version", "关于本版本", "關於本版本"),
    # labels of facts and columns
    "name": ("名称", "Name", "名称", "名稱"),
    "address": ("所在地", "Address", "地址", "地址"),
    "representative": ("代表者", "Representative", "代表人", "代表人"),
    "website": ("ウェブサイト", "Website", "网站", "網站"),
    "enacted": ("制定日", "Enacted", "制定日期", "制定日期"),
    "version_number": ("版数", "Version", "版本号", "版本號"),
    "content_hash": (
        "内容ハッシュ（SHA-256）",
        "Content hash (SHA-256)",
        "内容哈希值（SHA-256）",
        "內容雜湊值（SHA-256）",
    ),
    "data_items": ("個人情報の項目", "Data items", "个人信息项目", "個人資料項目"),
    "retention": ("保存期間", "Retention", "保存期限", "保存期限"),
    "consent_required": ("ご本人の同意が必要", "Consent required", "需征得本人同意", "需取得本人同意"),
    "consent": ("ご本人の同意", "Consent required", "本人同意", "本人同意"),
    "responsible": (
        "個人データの管理について責任を有する者",
        "Responsible entity",
        "负责管理个人数据的主体",
        "負責管理個人資料之主體",
    ),
    "joint_users": ("共同して利用する者の範囲", "Joint users", "共同使用者的范围", "共同利用者之範圍"),
    "group_companies": ("主なグループ会社", "Main group companies", "主要集团公司", "主要集團公司"),
    "joint_items": (
        "共同して利用する個人データの項目",
        "Data items used jointly",
        "共同使用的个人数据项目",
        "共同利用之個人資料項目",
    ),
    "joint_purposes": (
        "利用する者の利用目的",
        "Purposes of the joint users",
        "使用者的使用目的",
        "利用者之利用目的",
    ),
    "joint_since": ("共同利用の開始日", "Joint use since", "共同使用开始日期", "共同利用開始日期"),
    "duties": ("主な委託業務", "Work we entrust", "主要委托业务", "主要委託業務"),
    "processors": ("委託先", "Processors", "受托方", "受託方"),
    "processor": ("委託先", "Processor", "受托方", "受託方"),
    "country": ("国・地域", "Country or region", "国家/地区", "國家/地區"),
    "sample": (
        "サンプル（実在の委託先ではありません）",
        "Sample (not a real contractor)",
        "示例（并非真实的受托方）",
        "範例（並非真實的受託方）",
    ),
    "request_types": ("ご請求の種類", "Types of request", "请求类型", "請求類型"),
    "request_type": ("種類", "Request", "请求", "請求"),
    "form": ("請求書式", "Form", "申请表", "申請表"),
    "no_form": ("所定の書式なし", "No set form", "无指定表格", "無指定表格"),
    "applies_to": ("対象となる方", "Who it is for", "适用对象", "適用對象"),
    "everyone": ("すべての方", "Everyone", "所有人", "所有人"),
    "pipl_people": ("PIPLが適用される方", "People covered by the PIPL", "适用PIPL的人士", "適用PIPL之人士"),
    "id_documents": (
        "本人確認書類",
        "Accepted identity documents",
        "可接受的身份证明文件",
        "可接受的身分證明文件",
    ),
    "requesters": ("ご請求いただける方", "Who may request", "可提出请求的人", "可提出請求之人"),
    "requester": ("請求者", "Requester", "请求人", "請求人"),
    "proof": ("必要な書類", "Proof required", "所需证明文件", "所需證明文件"),
    "submission": ("ご請求の方法", "How to submit a request", "提交方式", "提出方式"),
    "response_methods": ("回答の方法", "How we respond", "答复方式", "答覆方式"),
    "reception": ("受付窓口", "Reception address", "受理窗口", "受理窗口"),
    "fees": ("手数料", "Fees", "手续费", "手續費"),
    "hours": ("受付時間", "Hours", "受理时间", "受理時間"),
    "closed": ("休業日", "Closed", "休息日", "休息日"),
    "languages": ("対応言語", "Languages", "服务语言", "服務語言"),
    "topics": ("受付内容", "Topics", "受理事项", "受理事項"),
    "inquiry_page": ("お問い合わせページ", "Inquiry page", "咨询页面", "諮詢頁面"),
    "open_page": ("こちらのページ", "Open the page", "打开页面", "開啟頁面"),
    "request_page": (
        "開示等のご請求",
        "Requests about your data",
        "关于个人信息的请求",
        "關於個人資料的請求",
    ),
    "status_page": ("ご請求の状況確認", "Status of a request", "请求处理进度", "請求處理進度"),
    "preferences_page": (
        "配信・同意の設定",
        "Your mailing and consent choices",
        "订阅与同意设置",
        "訂閱與同意設定",
    ),
    "cookie_policy": ("Cookieポリシー", "Cookie policy", "Cookie政策", "Cookie政策"),
    "external_transmission": (
        "外部送信に関する公表事項",
        "External transmission notice",
        "关于外部发送的公布事项",
        "關於外部傳送的公告事項",
    ),
    "revision_history": ("改定履歴", "Revision history", "修订记录", "修訂紀錄"),
    "all_versions": (
        "これまでの全版・変更点の比較",
        "Every published version and what changed",
        "所有已发布版本及变更对比",
        "所有已發布版本及變更對比",
    ),
    "forms_download": ("請求書のダウンロード", "Download the request forms", "下载请求书", "下載請求書"),
    "pipl_form": (
        "中国個人情報保護法に基づく請求書",
        "Request form under China's PIPL",
        "依据中国《个人信息保护法》的请求书",
        "依據中國《個人資訊保護法》的請求書",
    ),
    "date": ("日付", "Date", "日期", "日期"),
    "summary": ("内容", "Summary", "内容", "內容"),
    # flags worth telling the person about
    "flag.camera_images": ("カメラ画像を利用", "Uses camera images", "使用摄像头图像", "使用攝影機影像"),
    "flag.profiling": (
        "嗜好・傾向の分析（プロファイリング）",
        "Profiling (analysis of preferences)",
        "偏好与倾向分析（用户画像）",
        "偏好與傾向分析（剖析）",
    ),
    "flag.direct_marketing": ("ダイレクトマーケティング", "Direct marketing", "直接营销", "直效行銷"),
    "flag.joint_use": ("共同利用あり", "Used jointly in the group", "集团内共同使用", "集團內共同利用"),
    "flag.third_party_provision": (
        "第三者提供あり",
        "Provided to third parties",
        "向第三方提供",
        "向第三方提供",
    ),
    "flag.special_care": (
        "要配慮個人情報を含む",
        "Includes special-care information",
        "包含敏感个人信息",
        "包含敏感個人資料",
    ),
    "flag.staff_monitoring": ("従業者のモニタリング", "Staff monitoring", "员工监控", "員工監控"),
    # page furniture
    "authoritative_note": (
        "本方針は日本語版を正文とします。翻訳は便宜のために提供するものです。",
        "The Japanese text is authoritative; translations are for convenience.",
        "本方针以日文版本为准，译文仅供参考。",
        "本方針以日文版本為準，譯文僅供參考。",
    ),
    "colon": ("：", ": ", "：", "："),
    "language": ("言語", "Language", "语言", "語言"),
    "contents": ("目次", "Contents", "目录", "目錄"),
    "skip": ("本文へ移動", "Skip to content", "跳至正文", "跳至正文"),
    "download_pdf": ("PDF版をダウンロード", "Download as PDF", "下载PDF版", "下載PDF版"),
    "published_version": ("公開版", "Published version", "发布版本", "公布版本"),
    "unavailable_title": ("ただいまご覧いただけません", "Not available yet", "暂时无法查看", "暫時無法查閱"),
    "unavailable_body": (
        "個人情報保護方針はまだ公開されていません。しばらくしてから改めてお試しください。",
        "The privacy policy has not been published yet. Please try again later.",
        "个人信息保护方针尚未发布，请稍后再试。",
        "個人資料保護方針尚未公布，請稍後再試。",
    ),
    "bad_lang_title": ("言語の指定が正しくありません", "Unknown language", "语言参数无效", "語言參數無效"),
    "bad_lang_body": (
        "lang には次のいずれかを指定してください：",
        "The lang parameter must be one of:",
        "lang 参数必须为以下值之一：",
        "lang 參數必須為以下值之一：",
    ),
    "privacy_policy": ("個人情報保護方針", "Privacy policy", "个人信息保护方针", "個人資料保護方針"),
}

# Each language named in each language, and by itself (for the language switcher).
_LANGUAGE_NAMES: dict[str, tuple[str, str, str, str]] = {
    "ja": ("日本語", "Japanese", "日语", "日語"),
    "en": ("英語", "English", "英语", "英語"),
    "zh-Hans": ("中国語（簡体字）", "Chinese (Simplified)", "简体中文", "簡體中文"),
    "zh-Hant": ("中国語（繁体字）", "Chinese (Traditional)", "繁体中文", "繁體中文"),
}
ENDONYMS: dict[str, str] = {"ja": "日本語", "en": "English", "zh-Hans": "简体中文", "zh-Hant": "繁體中文"}

_COUNTRIES: dict[str, tuple[str, str, str, str]] = {
    "JP": ("日本", "Japan", "日本", "日本"),
    "CN": ("中国", "China", "中国", "中國"),
    "US": ("米国", "United States", "美国", "美國"),
}

_WEEKDAYS: dict[str, tuple[str, str, str, str]] = {
    "mon": ("月曜日", "Mondays", "星期一", "星期一"),
    "tue": ("火曜日", "Tuesdays", "星期二", "星期二"),
    "wed": ("水曜日", "Wednesdays", "星期三", "星期三"),
    "thu": ("木曜日", "Thursdays", "星期四", "星期四"),
    "fri": ("金曜日", "Fridays", "星期五", "星期五"),
    "sat": ("土曜日", "Saturdays", "星期六", "星期六"),
    "sun": ("日曜日", "Sundays", "星期日", "星期日"),
}
_HOLIDAYS = ("祝日", "Japanese public holidays", "日本法定节假日", "日本國定假日")
_JAPAN_TIME = ("（日本時間）", " (Japan time)", "（日本时间）", "（日本時間）")
_YES_NO = {
    "ja": ("必要", "不要"),
    "en": ("Yes", "No"),
    "zh-Hans": ("需要", "不需要"),
    "zh-Hant": ("需要", "不需要"),
}
_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def pick(texts: tuple[str, str, str, str], lang: str) -> str:
    """The text for ``lang`` from a (ja, en, zh-Hans, zh-Hant) tuple; Japanese for an unknown language."""
    return texts[LANGUAGES.index(lang)] if lang in LANGUAGES else texts[0]


@dataclass(frozen=True)
class LabelTable:
    """Labels by key, each in the four languages."""

    texts: Mapping[str, tuple[str, str, str, str]]

    def label(self, key: str, lang: str) -> str:
        """The label ``key`` in ``lang`` (Japanese for an unknown language). Raises KeyError for a bad key."""
        return pick(self.texts[key], lang)

    def labels(self, lang: str) -> dict[str, str]:
        """Every label in ``lang``, for templates."""
        return {key: pick(texts, lang) for key, texts in self.texts.items()}

    def has_label(self, key: str) -> bool:
        return key in self.texts


_TABLE = LabelTable(_LABELS)
label, labels, has_label = _TABLE.label, _TABLE.labels, _TABLE.has_label


def language_name(code: str, lang: str) -> str:
    return pick(_LANGUAGE_NAMES[code], lang)


def country_name(code: str, lang: str) -> str:
    texts = _COUNTRIES.get(code)
    return pick(texts, lang) if texts else code


def weekday_name(day: str, lang: str) -> str:
    return pick(_WEEKDAYS[day], lang)


def holidays_name(lang: str) -> str:
    return pick(_HOLIDAYS, lang)


def yes_no(value: bool, lang: str) -> str:
    yes, no = _YES_NO.get(lang, _YES_NO["ja"])
    return yes if value else no


def join(parts: list[str] | tuple[str, ...], lang: str) -> str:
    """A list in running text: "、" between Japanese and Chinese items, ", " between English ones."""
    return (", " if lang == "en" else "、").join(parts)


def aside(text: str, note: str, lang: str) -> str:
    """``text`` with ``note`` in brackets: full-width ones in Japanese and Chinese."""
    return f"{text} ({note})" if lang == "en" else f"{text}（{note}）"


def hours(opens: str, closes: str, lang: str) -> str:
    dash = "–" if lang == "en" else "～"
    return f"{opens}{dash}{closes}{pick(_JAPAN_TIME, lang)}"


def period(value: str, lang: str) -> str:
    """An ISO 8601 period in words: ``P5Y`` → "5年" / "5 years", ``P1Y6M`` → "1 year and 6 months"."""
    years, months, days = parse_period(value)
    if lang == "en":
        parts = [
            f"{n} {unit}{'' if n == 1 else 's'}"
            for n, unit in ((years, "year"), (months, "month"), (days, "day"))
            if n
        ]
        return " and ".join(parts)
    month_unit = {"ja": "か月", "zh-Hans": "个月", "zh-Hant": "個月"}.get(lang, "か月")
    day_unit = "日" if lang not in {"zh-Hans", "zh-Hant"} else "天"
    units = ((years, "年"), (months, month_unit), (days, day_unit))
    return "".join(f"{n}{unit}" for n, unit in units if n)


def long_date(value: date, lang: str) -> str:
    if lang == "en":
        return f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year}"
    return f"{value.year}年{value.month}月{value.day}日"


def month_day(value: str, lang: str) -> str:
    """``12-29`` → "12月29日" / "29 December"."""
    month, day = (int(part) for part in value.split("-"))
    return f"{day} {_MONTHS_EN[month - 1]}" if lang == "en" else f"{month}月{day}日"


def day_range(start: str, end: str, lang: str) -> str:
    separator = {"en": " – ", "zh-Hans": "至", "zh-Hant": "至"}.get(lang, "～")
    return f"{month_day(start, lang)}{separator}{month_day(end, lang)}"


def version_text(number: int, lang: str) -> str:
    return f"Version {number}" if lang == "en" else f"第{number}版"
