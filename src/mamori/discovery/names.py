"""Person names: kanji, kana, romaji and English, Chinese. Dictionaries plus honorifics and cue words. Pure.

A surname from the dictionary followed by a given name scores; a known given name, an honorific
after (様, さん, 先生, 女士) or a cue word before (氏名, 收件人, Name) raise the score. Chinese
names, which look like ordinary words, are only taken with a cue or an honorific.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from mamori.discovery.lexicon import lexicon, trie_pattern
from mamori.discovery.spans import Span

K = "\u4e00-\u9fff々〆ヶ"
KATA = "ァ-ヺー"
HONORIFIC_JA = "様|さま|さん|殿|氏|君|くん|ちゃん|先生"
HONORIFIC_ZH = "先生|女士|小姐|老师|老師|同学|同學|经理|經理|太太|阿姨"
CUES_NAME = (
    "氏名|お名前|名前|担当者|担当|申込者|契約者|顧客|宛名|受取人|お届け先|送り主|依頼主|名義|会員名|患者|利用者"
    "|購入者|注文者|記入者|差出人|姓名|名字|联系人|聯絡人|收件人|收货人|收貨人|客户|客戶|顾客|寄件人|申请人|申請人"
    "|持卡人|户名|戶名|经办人|經辦人|负责人|負責人|フリガナ|ふりがな|カナ|配偶者|連絡者|from|dear|attn"
    "|name|customer|contact|signed"
    "|お客様|客様|ご本人|会员|會員|收件者|收貨者|致|买家|買家|用户|用戶|holder|cardholder|for|by|with|to"
)
# Words right after a name that say it is one: "山田 太郎から電話", "… 山田太郎 宛", "张伟本人".
AFTER_JA = "から|より|宛て|宛|行(?![きくけっ])|へ|本人|ご本人"
AFTER_ZH = "本人|[，,] ?(?:电话|電話|手机|手機|地址|身份证|身分證|邮箱|郵箱|生日)"
_LATIN_STOP = frozenset(
    [
        "street",
        "avenue",
        "road",
        "boulevard",
        "lane",
        "drive",
        "court",
        "way",
        "place",
        "square",
        "park",
        "city",
        "inc",
        "ltd",
        "co",
        "corp",
        "llc",
        "company",
        "center",
        "centre",
        "store",
        "shop",
        "bank",
        "card",
        "visa",
        "mastercard",
        "express",
        "amex",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "the",
        "customer",
        "order",
        "please",
        "thank",
        "thanks",
        "japan",
        "china",
        "taiwan",
        "hong",
        "kong",
        "tokyo",
        "osaka",
        "new",
        "york",
        "san",
        "los",
        "united",
        "states",
        "north",
        "south",
        "east",
        "west",
        "dob",
        "passport",
        "id",
    ]
)
_ROLE = frozenset(
    [
        "お客",
        "会員",
        "店長",
        "担当",
        "担当者",
        "責任者",
        "社長",
        "部長",
        "課長",
        "係長",
        "主任",
        "店員",
        "皆",
        "利用者",
        "購入者",
        "患者",
        "生徒",
        "保護者",
        "代表者",
        "各位",
        "取引先",
        "業者",
        "販売店",
        "御社",
        "貴社",
        "弊社",
        "当社",
        "先方",
        "関係者",
        "皆々",
        "ご家族",
        "家族",
        "奥",
        "旦那",
        "お父",
        "お母",
        "神",
        "仏",
        "殿下",
        "王",
        "申込者",
        "契約者",
        "問い合わせ者",
        "入居者",
        "加入者",
        "受講者",
        "参加者",
        "来店者",
        "ご本人",
        "本人",
        "ユーザー",
        "顧客",
        "客",
        "お得意",
    ]
)
_ROLE_ENDS = tuple(_ROLE)
_PLACE_END = tuple("町村市区郡駅店社局署所院園校寺宮橋線県都府道課部室館場口")
_ZH_STOP = (
    "(?![电電话話手机機的是在和与與及等您请請地住邮郵号號先女於于将將被把向给給已本]|小姐|老师|老師|经理|經理"
    "|表示|反映|投诉|投訴|来电|來電|询问|詢問|要求|希望|说|說|称|稱|订|訂|购|購|退|收到)"
)
_ZH_G = f"(?:{_ZH_STOP}[\u4e00-\u9fff])"


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    lex = lexicon()
    sur = trie_pattern(lex.ja_surnames)
    kana_sur = trie_pattern(lex.ja_surnames_kana)
    zh = trie_pattern(lex.zh_surnames)
    cues = trie_pattern(frozenset(CUES_NAME.split("|")))
    given_k = f"(?:(?![様殿氏君])[{K}]){{1,3}}"
    return {
        "ja": re.compile(
            rf"(?<![{K}])(?P<s>{sur})(?:(?P<sp> ?)(?P<g>{given_k}|[ぁ-ゖ]{{2,3}}(?=(?:{HONORIFIC_JA})))"
            rf"(?:(?=(?:{HONORIFIC_JA}))|(?![{K}])))?"
        ),
        "kana": re.compile(rf"(?<![{KATA}])(?P<s>{kana_sur})[ ・]?(?P<g>[{KATA}]{{2,6}})(?![{KATA}])"),
        "honorific": re.compile(rf"(?<=[{K}]) ?(?:{HONORIFIC_JA})"),
        "zh_cued": re.compile(
            rf"(?:{cues})(?:[:：] ?| ?[是为為] ?| )?(?P<n>[{K}]{{2,4}}(?![{K}])|{zh}{_ZH_G}{{1,2}})",
            re.IGNORECASE,
        ),
        "zh_hon": re.compile(rf"(?P<n>{zh}{_ZH_G}{{0,2}})(?:{HONORIFIC_ZH})"),
        # a lookahead, so that "Customer John Taylor" is tried at "John" too
        "latin": re.compile(
            r"(?<![A-Za-z])(?=[A-Z])(?=(?:(?P<t>Mr|Ms|Mrs|Miss|Dr|Prof)\.? )?"
            r"(?P<a>[A-Z][a-z]+|[A-Z]{2,})(?: [A-Z]\.)?"
            r" (?P<b>[A-Z][a-z]+|[A-Z]{2,})(?![A-Za-z]))"
        ),
        "zh_paren": re.compile(rf"[（(](?P<n>{zh}{_ZH_G}{{1,2}})[）)]"),
        # two groups of kanji with a space between, tried at every start (lookahead): "蓮見 紬"
        "ja_pair": re.compile(
            rf"(?=(?P<s>[{K}]{{1,3}}) (?P<g>(?:(?!{HONORIFIC_JA})[{K}]){{1,3}})"
            rf"(?:(?={HONORIFIC_JA})|(?![{K}])))"
        ),
        "kana_pair": re.compile(
            rf"(?<![{KATA}])(?=(?P<s>[{KATA}]{{2,6}})[ ・](?P<g>[{KATA}]{{2,6}})(?![{KATA}]))"
        ),
        "zh_after": re.compile(rf"(?P<n>{zh}{_ZH_G}{{1,2}})(?={AFTER_ZH})"),
        "after_ja": re.compile(rf" ?(?:{AFTER_JA})"),
        "run_after": re.compile(rf"(?<![{K}])(?:(?!{HONORIFIC_JA})[{K}]){{3,8}}(?= ?(?:{AFTER_JA}))"),
    }


_CUE_BEFORE = re.compile(rf"(?:{trie_pattern(frozenset(CUES_NAME.split('|')))})[^\n]{{0,3}}$", re.IGNORECASE)


def _cued(text: str, start: int) -> bool:
    return _CUE_BEFORE.search(text[max(0, start - 10) : start]) is not None


def _honoured(text: str, end: int, honorifics: str = HONORIFIC_JA) -> bool:
    return re.match(f"(?:{honorifics})", text[end : end + 3]) is not None


def _honoured_sp(text: str, end: int) -> bool:
    """An honorific right after the name or after one space ("ハスミ エイジ 様")."""
    return _honoured(text, end) or (text[end : end + 1] == " " and _honoured(text, end + 1))


def _followed(text: str, end: int) -> bool:
    return _patterns()["after_ja"].match(text, end) is not None


_FIELD_END = re.compile(r"(?: |\t|[、,，/／|]|$)")


def _field(text: str, start: int, end: int) -> bool:
    """The name fills a field of its own: a boundary before and a separator after."""
    before = text[start - 1 : start] if start else ""
    return before in {"", " ", "\t", ":", "：", "、", ",", "，", "/", "／", "|"} and (
        _FIELD_END.match(text, end) is not None
    )


def _role_or_place(word: str) -> bool:
    return word in _ROLE or word.endswith(_PLACE_END) or word.endswith(_ROLE_ENDS)


def _pairs(text: str) -> Iterator[Span]:
    """Kanji surname and given name written with a space, known or not, with evidence around them."""
    lex = lexicon()
    for m in _patterns()["ja_pair"].finditer(text):
        surname, given = m.group("s"), m.group("g")
        if not _after_prefix(text, m.start("s")):
            continue
        odd_surname = _role_or_place(surname) and surname not in lex.ja_surnames
        if odd_surname or _role_or_place(given) or surname in _CUE_WORDS or given in _CUE_WORDS:
            continue
        start, end = m.start("s"), m.end("g")
        score = 0.35 + 0.2 * (surname in lex.ja_surnames) + 0.2 * (given in lex.ja_given)
        score += 0.3 * _honoured_sp(text, end) + 0.3 * _cued(text, start) + 0.3 * _followed(text, end)
        score += 0.1 * _field(text, start, end)
        if score >= 0.6:  # noqa: PLR2004
            confidence = round(min(score + 0.05, 0.98), 2)
            yield Span("person_name", start, end, confidence, "surname and given name with a space")


def _split_known(run: str) -> bool:
    """A known surname then 1–3 kanji, or 1–3 kanji then a known given name."""
    lex = lexicon()
    for n in (1, 2, 3):
        if run[:n] in lex.ja_surnames and 1 <= len(run) - n <= 3:  # noqa: PLR2004
            return True
        if run[-n:] in lex.ja_given and 1 <= len(run) - n <= 3:  # noqa: PLR2004
            return True
    return False


def _after_prefix(text: str, start: int) -> bool:
    """No kanji right before ``start``, or only a word such as 本日 or 顧客 that names precede."""
    run = start
    while run > 0 and _KANJI.match(text, run - 1):
        run -= 1
    return run == start or text[run:start] in _PREFIX_WORDS


def _longer_run(text: str, start: int, stop: int) -> int | None:
    """In a run of kanji before an honorific, where a known surname starts a 2–6 character name."""
    lex = lexicon()
    for word in _PREFIX_WORDS:
        if text.startswith(word, start) and 2 <= stop - start - len(word) <= 4:  # noqa: PLR2004
            return start + len(word)
    for p in range(start, stop - 1):
        rest = text[p:stop]
        for n in (3, 2, 1):
            if rest[:n] in lex.ja_surnames and 1 <= len(rest) - n <= 3:  # noqa: PLR2004
                return p
    return None


def japanese(text: str) -> Iterator[Span]:
    yield from _known_surnames(text)
    yield from _honorifics(text)
    yield from _pairs(text)
    yield from _before_markers(text)


def _known_surnames(text: str) -> Iterator[Span]:
    """A surname from the dictionary, with a given name and evidence around them."""
    lex = lexicon()
    for m in _patterns()["ja"].finditer(text):
        surname, given = m.group("s"), m.group("g")
        if given is None:
            if len(surname) > 1 and _honoured(text, m.end()):
                yield Span("person_name", m.start(), m.end(), 0.62, "Japanese surname with an honorific")
            continue
        known = given in lex.ja_given
        if given.endswith(_PLACE_END) and not known:
            continue
        score = 0.3 if len(surname) == 1 else 0.45
        score += 0.3 * known + 0.3 * _honoured(text, m.end()) + 0.3 * _cued(text, m.start())
        score += 0.3 * _followed(text, m.end()) + 0.15 * _field(text, m.start(), m.end())
        score += 0.1 * bool(m.group("sp"))
        if score >= 0.6:  # noqa: PLR2004
            yield Span("person_name", m.start(), m.end(), min(score, 0.98), "Japanese surname and given name")


def _honorifics(text: str) -> Iterator[Span]:
    """Two to four kanji before 様, さん, 殿 …; in a longer run, the part after 本日 or a known surname."""
    for m in _patterns()["honorific"].finditer(text):
        start = m.start()
        while start > 0 and m.start() - start < 8 and _KANJI.match(text, start - 1):  # noqa: PLR2004
            start -= 1
        name = text[start : m.start()]
        if len(name) > 4:  # noqa: PLR2004  # "本日佐藤陽子様"
            inner = _longer_run(text, start, m.start())
            if inner is None:
                continue
            start, name = inner, text[inner : m.start()]
        if 2 <= len(name) <= 4 and not _role_or_place(name):  # noqa: PLR2004
            yield Span("person_name", start, m.start(), 0.61, "kanji name with an honorific")


def _before_markers(text: str) -> Iterator[Span]:
    """A run of kanji before から, より, 宛 or 行: a known name part, or a field of its own before 宛."""
    for m in _patterns()["run_after"].finditer(text):
        start = m.start()
        for word in _PREFIX_WORDS:
            if text.startswith(word, start):
                start += len(word)
                break
        run = text[start : m.end()]
        if _role_or_place(run):
            continue
        if 3 <= len(run) <= 5 and _split_known(run):  # noqa: PLR2004
            yield Span("person_name", start, m.end(), 0.66, "kanji name before から, より or 宛")
        elif 2 <= len(run) <= 4 and _ADDRESSEE.match(text, m.end()) and text[start - 1 : start] in {" ", ""}:  # noqa: PLR2004
            yield Span("person_name", start, m.end(), 0.64, "a name on its own before 宛 or 行")


def katakana(text: str) -> Iterator[Span]:
    lex = lexicon()
    for m in _patterns()["kana"].finditer(text):
        score = 0.5 + 0.3 * (m.group("g") in lex.ja_given_kana) + 0.3 * _cued(text, m.start())
        score += 0.3 * _honoured(text, m.end())
        if score >= 0.6:  # noqa: PLR2004
            yield Span("person_name", m.start(), m.end(), min(score, 0.97), "katakana surname and given name")
    for m in _patterns()["kana_pair"].finditer(text):
        start, end = m.start("s"), m.end("g")
        score = 0.3 + 0.2 * (m.group("s") in lex.ja_surnames_kana) + 0.2 * (m.group("g") in lex.ja_given_kana)
        score += 0.3 * _cued(text, start) + 0.3 * _honoured_sp(text, end)
        score += 0.3 * (text[start - 1 : start] in {"(", "（"} and text[end : end + 1] in {")", "）"})
        if score >= 0.6:  # noqa: PLR2004
            yield Span("person_name", start, end, min(score, 0.96), "katakana name with a space")


def chinese(text: str) -> Iterator[Span]:
    pats = _patterns()
    for m in pats["zh_cued"].finditer(text):
        n_start, n_end = m.span("n")
        if m.group("n").endswith(_ZH_NOT_NAME):
            continue
        honorific = _ZH_HONORIFIC_END.search(m.group("n"))
        if honorific:  # "致劉靜女士": the name without its honorific
            n_end = n_start + honorific.start()
            if n_end - n_start < 2:  # noqa: PLR2004
                continue
        yield Span("person_name", n_start, n_end, 0.8, "name after a cue word")
    for m in pats["zh_paren"].finditer(text):
        yield Span("person_name", m.start("n"), m.end("n"), 0.7, "Chinese surname and given name in brackets")
    for m in pats["zh_hon"].finditer(text):
        yield Span("person_name", m.start("n"), m.end("n"), 0.78, "Chinese surname with an honorific")
    for m in pats["zh_after"].finditer(text):
        before = text[m.start() - 2 : m.start()]
        if m.start() == 0 or before[-1:] in _FIELD_STARTS or before in _ZH_VERBS:
            yield Span("person_name", m.start("n"), m.end("n"), 0.7, "Chinese name before 本人 or a contact")


def latin(text: str) -> Iterator[Span]:
    lex = lexicon()
    for m in _patterns()["latin"].finditer(text):
        a, b = m.group("a").lower(), m.group("b").lower()
        known = lex.romaji_given | lex.romaji_surnames
        pair = (a in lex.romaji_given and b in lex.romaji_surnames) or (
            a in lex.romaji_surnames and b in known
        )
        score = 0.75 if pair else 0.45 * ((a in known) + (b in known))
        cued = _cued(text, m.start())
        if cued and a not in _LATIN_STOP and b not in _LATIN_STOP:  # "signed Zelda Okonkwo"
            score = max(score, 0.42)
        score += 0.25 * bool(m.group("t")) + 0.2 * cued
        if score >= 0.6:  # noqa: PLR2004
            yield Span(
                "person_name", m.start("a"), m.end("b"), min(score, 0.97), "romanised given name and surname"
            )


_KANJI = re.compile(f"[{K}]")
_ADDRESSEE = re.compile(r" ?(?:宛て|宛|行(?![きくけっ]))")
_ZH_HONORIFIC_END = re.compile(f"(?:{HONORIFIC_ZH})$")
_FIELD_STARTS = frozenset([" ", "：", ":", "，", ",", "、", "/", "／"])
_ZH_NOT_NAME = (
    *"号號码碼数數卡级級分名称稱额額期址",
    "编号",
    "編號",
    "番号",
    "信息",
    "资料",
    "資料",
    "等级",
    "等級",
)
_PREFIX_WORDS = frozenset(
    [
        "本日",
        "今日",
        "昨日",
        "先日",
        "先程",
        "先ほど",
        "明日",
        "至急",
        "再度",
        "毎度",
        "顧客",
        "会員",
        "当日",
        "翌日",
        "前日",
        "同日",
        "担当",
        "要対応",
        "新規",
        "既存",
    ]
)
_CUE_WORDS = frozenset(CUES_NAME.split("|"))
_ZH_VERBS = frozenset(["通知", "联系", "聯繫", "联络", "聯絡", "致电", "致電", "告知", "转告", "轉告"])
_KATA = re.compile("[ァ-ヺ]")
_UPPER = re.compile("[A-Z]")


def person_names(text: str) -> Iterator[Span]:
    if _KANJI.search(text):
        yield from japanese(text)
        yield from chinese(text)
    if _KATA.search(text):
        yield from katakana(text)
    if _UPPER.search(text):
        yield from latin(text)
