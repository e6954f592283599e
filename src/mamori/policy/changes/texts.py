"""What each class and rule means, in ja, en, zh-Hans and zh-Hant (``{target}`` is an id)."""

from __future__ import annotations

from mamori.policy.changes.model import ChangeClass, Classified

LANGS = ("ja", "en", "zh-Hans", "zh-Hant")
T = tuple[str, str, str, str]

CLASSES: dict[ChangeClass, T] = {
    ChangeClass.PUBLISH: ("公表のみ", "publish only", "仅公布", "僅公布"),
    ChangeClass.ANNOUNCE: ("公表し周知", "publish and announce", "公布并告知", "公布並告知"),
    ChangeClass.ANNOUNCE_IN_ADVANCE: ("事前に周知", "announce in advance", "事先告知", "事先告知"),
    ChangeClass.RELATED_CHANGE: (
        "関連性のある変更（理由を明示）",
        "reasonably related change (justified)",
        "具有合理关联的变更（需说明理由）",
        "具有合理關聯的變更（須說明理由）",
    ),
    ChangeClass.NEEDS_CONSENT: ("本人の同意が必要", "needs consent", "需要本人同意", "需要本人同意"),
}

RULES: dict[str, T] = {
    "purpose.added": (
        "利用目的 {target} を追加", "new purpose {target}", "新增使用目的 {target}", "新增利用目的 {target}"),
    "purpose.added_with_consent": (
        "同意を要する利用目的 {target} を追加", "new purpose {target}, used only with consent",
        "新增需同意的使用目的 {target}", "新增須同意的利用目的 {target}"),
    "purpose.added_for_new_category": (
        "新しい区分の利用目的 {target} を追加", "new purpose {target} for a new group of people",
        "为新类别新增使用目的 {target}", "為新類別新增利用目的 {target}"),
    "purpose.removed": (
        "利用目的 {target} を廃止", "purpose {target} removed",
        "删除使用目的 {target}", "刪除利用目的 {target}"),
    "purpose.items_added": (
        "利用目的 {target} に項目を追加", "items added to purpose {target}",
        "使用目的 {target} 新增项目", "利用目的 {target} 新增項目"),
    "purpose.special_care_items_added": (
        "利用目的 {target} に要配慮個人情報を追加", "special-care items added to purpose {target}",
        "使用目的 {target} 新增需特别注意的个人信息", "利用目的 {target} 新增須特別注意的個人資料"),
    "purpose.items_removed": (
        "利用目的 {target} の項目を削減", "items removed from purpose {target}",
        "使用目的 {target} 减少项目", "利用目的 {target} 減少項目"),
    "purpose.flags_added": (
        "利用目的 {target} の利用方法を拡大", "new uses of purpose {target}",
        "使用目的 {target} 扩大使用方式", "利用目的 {target} 擴大利用方式"),
    "purpose.third_party_provision_added": (
        "利用目的 {target} に第三者提供を追加", "provision to third parties added to purpose {target}",
        "使用目的 {target} 新增向第三方提供", "利用目的 {target} 新增向第三方提供"),
    "purpose.joint_use_added": (
        "利用目的 {target} に共同利用を追加", "joint use added to purpose {target}",
        "使用目的 {target} 新增共同使用", "利用目的 {target} 新增共同利用"),
    "purpose.flags_removed": (
        "利用目的 {target} の利用方法を縮小", "uses of purpose {target} narrowed",
        "使用目的 {target} 缩小使用方式", "利用目的 {target} 縮小利用方式"),
    "purpose.countries_added": (
        "利用目的 {target} に外国への移転を追加", "transfers abroad added to purpose {target}",
        "使用目的 {target} 新增向境外转移", "利用目的 {target} 新增向境外傳輸"),
    "purpose.countries_removed": (
        "利用目的 {target} の移転先国を削減", "countries removed from purpose {target}",
        "使用目的 {target} 减少转移国家", "利用目的 {target} 減少傳輸國家"),
    "purpose.consent_dropped": (
        "利用目的 {target} で同意を不要に変更", "purpose {target} no longer asks for consent",
        "使用目的 {target} 不再征求同意", "利用目的 {target} 不再徵求同意"),
    "purpose.consent_now_required": (
        "利用目的 {target} で同意を必要に変更", "purpose {target} now needs consent",
        "使用目的 {target} 改为需要同意", "利用目的 {target} 改為須同意"),
    "purpose.retention_longer": (
        "利用目的 {target} の保存期間を延長", "longer retention for purpose {target}",
        "延长使用目的 {target} 的保存期限", "延長利用目的 {target} 的保存期限"),
    "purpose.retention_shorter": (
        "利用目的 {target} の保存期間を短縮", "shorter retention for purpose {target}",
        "缩短使用目的 {target} 的保存期限", "縮短利用目的 {target} 的保存期限"),
    "purpose.retention_reworded": (
        "利用目的 {target} の保存期間の表記を変更", "retention of purpose {target} written differently",
        "使用目的 {target} 的保存期限表述变更", "利用目的 {target} 的保存期限寫法變更"),
    "purpose.text_changed": (
        "利用目的 {target} の文言を変更", "wording of purpose {target} changed",
        "变更使用目的 {target} 的表述", "變更利用目的 {target} 的文字"),
    "purpose.category_changed": (
        "利用目的 {target} の対象区分を変更", "purpose {target} moved to another group of people",
        "变更使用目的 {target} 的对象类别", "變更利用目的 {target} 的對象類別"),
    "joint_use.needs_consent": (
        "共同利用する項目又は共同利用者を追加", "joint use: new items or joint users",
        "共同使用：新增项目或共同使用者", "共同利用：新增項目或共同利用者"),
    "joint_use.advance_notice": (
        "共同利用の目的又は責任者を変更", "joint use: purposes or responsible entity changed",
        "共同使用：变更目的或责任者", "共同利用：變更目的或責任者"),
    "joint_use.notify_without_delay": (
        "共同利用の責任者の氏名・住所等を変更", "joint use: the responsible entity's name or address",
        "共同使用：责任者名称或地址变更", "共同利用：責任者名稱或地址變更"),
    "joint_use.publish_only": (
        "共同利用の縮小又は文言の変更", "joint use narrowed or reworded",
        "共同使用缩小或表述变更", "共同利用縮小或文字變更"),
    "recipient.added": (
        "提供先 {target} を追加", "new third-party recipient {target}",
        "新增第三方接收方 {target}", "新增第三方接收方 {target}"),
    "recipient.removed": (
        "提供先 {target} を削除", "third-party recipient {target} removed",
        "删除第三方接收方 {target}", "刪除第三方接收方 {target}"),
    "recipient.country_changed": (
        "提供先 {target} の所在国を変更", "third-party recipient {target} in another country",
        "第三方接收方 {target} 所在国变更", "第三方接收方 {target} 所在國變更"),
    "recipient.changed": (
        "提供先 {target} の情報を変更", "details of third-party recipient {target} changed",
        "第三方接收方 {target} 的信息变更", "第三方接收方 {target} 的資訊變更"),
    "processor.added_abroad": (
        "外国の委託先 {target} を追加", "new processor abroad {target}",
        "新增境外受托方 {target}", "新增境外受託方 {target}"),
    "processor.moved_abroad": (
        "委託先 {target} が外国へ移転", "processor {target} moved abroad",
        "受托方 {target} 迁往境外", "受託方 {target} 遷往境外"),
    "processor.added": (
        "国内の委託先 {target} を追加", "new processor in Japan {target}",
        "新增日本国内受托方 {target}", "新增日本國內受託方 {target}"),
    "processor.changed": (
        "委託先 {target} の情報を変更", "details of processor {target} changed",
        "受托方 {target} 的信息变更", "受託方 {target} 的資訊變更"),
    "processor.removed": (
        "委託先 {target} を削除", "processor {target} removed", "删除受托方 {target}", "刪除受託方 {target}"),
    "contact.controller_changed": (
        "事業者の名称・住所・代表者を変更", "the controller's name, address or representative changed",
        "经营者名称、地址或代表人变更", "事業者名稱、地址或代表人變更"),
    "contact.centre_changed": (
        "お問い合わせ窓口を変更", "the contact centre changed", "咨询窗口变更", "諮詢窗口變更"),
    "contact.reception_changed": (
        "請求の受付窓口を変更", "where requests are received changed",
        "请求受理窗口变更", "請求受理窗口變更"),
    "requests.procedure_changed": (
        "開示等の請求手続を変更", "the procedure for requests changed", "请求程序变更", "請求程序變更"),
    "cookies.changed": (
        "クッキー等の取扱いを変更", "cookies and tags changed", "Cookie等的处理变更", "Cookie等的處理變更"),
    "cookies.item_added": (
        "外部送信するタグ {target} を追加", "new tag {target} sends data from visitors' browsers",
        "新增向外部发送的标签 {target}", "新增向外部傳送的標籤 {target}"),
    "cookies.item_removed": (
        "タグ {target} を削除", "tag {target} removed", "删除标签 {target}", "刪除標籤 {target}"),
    "cookies.destination_changed": (
        "タグ {target} の送信先又は送信先の国を変更", "tag {target} sends to another host or country",
        "标签 {target} 的发送目的地或国家变更", "標籤 {target} 的傳送目的地或國家變更"),
    "cookies.item_changed": (
        "タグ {target} の送信内容・目的等を変更", "what tag {target} sends, or why, changed",
        "标签 {target} 的发送内容或目的变更", "標籤 {target} 的傳送內容或目的變更"),
    "cookies.scanner_hints": (
        "タグ {target} の検査用情報を変更", "scanner hints of tag {target} changed",
        "标签 {target} 的扫描用信息变更", "標籤 {target} 的掃描用資訊變更"),
    "cookies.linked_recipient": (
        "タグ {target} の送信先が個人と結び付けて利用", "the recipient of tag {target} ties it to a person",
        "标签 {target} 的接收方将其与个人关联", "標籤 {target} 的接收方將其與個人連結"),
    "cookies.category_added": (
        "クッキー等の区分 {target} を追加", "new cookie category {target}",
        "新增Cookie类别 {target}", "新增Cookie類別 {target}"),
    "cookies.category_changed": (
        "クッキー等の区分 {target} を変更", "cookie category {target} changed",
        "Cookie类别 {target} 变更", "Cookie類別 {target} 變更"),
    "cookies.category_removed": (
        "クッキー等の区分 {target} を削除", "cookie category {target} removed",
        "删除Cookie类别 {target}", "刪除Cookie類別 {target}"),
    "cookies.property_added": (
        "ウェブサイト {target} を追加", "new web property {target}",
        "新增网站 {target}", "新增網站 {target}"),
    "cookies.property_changed": (
        "ウェブサイト {target} の情報を変更", "details of web property {target} changed",
        "网站 {target} 的信息变更", "網站 {target} 的資訊變更"),
    "cookies.property_removed": (
        "ウェブサイト {target} を削除", "web property {target} removed",
        "删除网站 {target}", "刪除網站 {target}"),
    "third_party.exceptions_changed": (
        "第三者提供の例外を変更", "exceptions to third-party provision changed",
        "向第三方提供的例外情形变更", "向第三方提供的例外情形變更"),
    "country_information.changed": (
        "外国の制度に関する情報を変更", "information about foreign countries changed",
        "关于境外制度的信息变更", "關於境外制度的資訊變更"),
    "outsourcing.duties_changed": (
        "主な委託業務を変更", "the kinds of work entrusted changed", "主要委托业务变更", "主要委託業務變更"),
    "pipl.changed": (
        "中国個人情報保護法に関する追記を変更", "the PIPL addendum changed",
        "《个人信息保护法》补充说明变更", "《個人資訊保護法》補充說明變更"),
    "data_item.special_care": (
        "項目を要配慮個人情報に変更", "an item is now special-care information",
        "项目改为需特别注意的个人信息", "項目改為須特別注意的個人資料"),
    "record": ("改定履歴・理由の記録", "revision record", "修订记录", "修訂紀錄"),
    "wording_or_internal": (
        "文言又は内部設定の変更", "wording or internal settings", "表述或内部设置变更", "文字或內部設定變更"),
    "justification.invalid": (
        "変更理由 {target} に問題があります", "problem with the justification for {target}",
        "变更理由 {target} 存在问题", "變更理由 {target} 存在問題"),
}  # fmt: skip


def class_text(change_class: ChangeClass, lang: str) -> str:
    return CLASSES[change_class][_index(lang)]


def rule_text(change: Classified, lang: str) -> str:
    return RULES[change.rule][_index(lang)].format(target=change.target)


def _index(lang: str) -> int:
    return LANGS.index(lang) if lang in LANGS else 0
