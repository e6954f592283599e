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
_PLACE_END = tuple("町村市区郡駅店社局署所院園校寺宮橋線県都府道課部室館場口")
_ZH_STOP = (
    "(?![电電话話手机機的是在和与與及等您请請地住邮郵号號先女於于将將被把向给給已]|小姐|老师|老師|经理|經理)"
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
        "honorific": re.compile(rf"(?<=[{K}])(?:{HONORIFIC_JA})"),
        "zh_cued": re.compile(
            rf"(?:{cues})(?:[:：] ?| ?[是为為] ?| )?(?P<n>{zh}{_ZH_G}{{1,2}}|[{K}]{{2,4}}(?![{K}]))",
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
    }


_CUE_BEFORE = re.compile(rf"(?:{trie_pattern(frozenset(CUES_NAME.split('|')))})[^\n]{{0,3}}$", re.IGNORECASE)


def _cued(text: str, start: int) -> bool:
    return _CUE_BEFORE.search(text[max(0, start - 10) : start]) is not None


def _honoured(text: str, end: int, honorifics: str = HONORIFIC_JA) -> bool:
    return re.match(f"(?:{honorifics})", text[end : end + 3]) is not None


def japanese(text: str) -> Iterator[Span]:
    lex, pats = lexicon(), _patterns()
    for m in pats["ja"].finditer(text):
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
        score += 0.1 * bool(m.group("sp"))
        if score >= 0.6:  # noqa: PLR2004
            yield Span("person_name", m.start(), m.end(), min(score, 0.98), "Japanese surname and given name")
    for m in pats["honorific"].finditer(text):
        start = m.start()
        while start > 0 and m.start() - start < 5 and _KANJI.match(text, start - 1):  # noqa: PLR2004
            start -= 1
        name = text[start : m.start()]
        if not 2 <= len(name) <= 4:  # noqa: PLR2004
            continue
        if name not in _ROLE and not name.endswith(_PLACE_END) and not any(name.endswith(r) for r in _ROLE):
            yield Span("person_name", start, m.start(), 0.61, "kanji name with an honorific")


def katakana(text: str) -> Iterator[Span]:
    lex = lexicon()
    for m in _patterns()["kana"].finditer(text):
        score = 0.5 + 0.3 * (m.group("g") in lex.ja_given_kana) + 0.3 * _cued(text, m.start())
        score += 0.3 * _honoured(text, m.end())
        if score >= 0.6:  # noqa: PLR2004
            yield Span("person_name", m.start(), m.end(), min(score, 0.97), "katakana surname and given name")


def chinese(text: str) -> Iterator[Span]:
    pats = _patterns()
    for m in pats["zh_cued"].finditer(text):
        yield Span("person_name", m.start("n"), m.end("n"), 0.8, "name after a cue word")
    for m in pats["zh_paren"].finditer(text):
        yield Span("person_name", m.start("n"), m.end("n"), 0.7, "Chinese surname and given name in brackets")
    for m in pats["zh_hon"].finditer(text):
        yield Span("person_name", m.start("n"), m.end("n"), 0.78, "Chinese surname with an honorific")


def latin(text: str) -> Iterator[Span]:
    lex = lexicon()
    for m in _patterns()["latin"].finditer(text):
        a, b = m.group("a").lower(), m.group("b").lower()
        known = lex.romaji_given | lex.romaji_surnames
        pair = (a in lex.romaji_given and b in lex.romaji_surnames) or (
            a in lex.romaji_surnames and b in known
        )
        score = 0.75 if pair else 0.45 * ((a in known) + (b in known))
        score += 0.25 * bool(m.group("t")) + 0.2 * _cued(text, m.start())
        if score >= 0.6:  # noqa: PLR2004
            yield Span(
                "person_name", m.start("a"), m.end("b"), min(score, 0.97), "romanised given name and surname"
            )


_KANJI = re.compile(f"[{K}]")
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
