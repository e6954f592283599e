"""The labelled corpus of bench/discovery.py: records in ja, en, zh-Hans and zh-Hant, written for Mamori.

A record is a template with slots ("{name}様 {phone}"); each slot is filled by a generator and
its span is the label. Two template sets: ``TUNED`` (the detectors were developed against these)
and ``HELD_OUT`` (never looked at while tuning: other phrasings, value forms and names that are not
in Mamori's dictionaries). ``NEGATIVE`` records hold only look-alikes (order, parcel, product,
member and employee numbers, prices, ordinary dates, the company's own phone numbers, corporate and
invoice numbers): any span found in them is a false alarm.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

COMPANY_PHONES = ("0120-123-456", "03-5555-0100", "400-820-0000")

# Names: some in Mamori's dictionaries, some not (the held-out part draws more of the latter).
JA_SUR = [("山田", "ヤマダ", "Yamada"), ("佐藤", "サトウ", "Sato"), ("鈴木", "スズキ", "Suzuki"), ("高橋", "タカハシ", "Takahashi"),
          ("田中", "タナカ", "Tanaka"), ("伊藤", "イトウ", "Ito"), ("中村", "ナカムラ", "Nakamura"), ("小林", "コバヤシ", "Kobayashi"),
          ("吉田", "ヨシダ", "Yoshida"), ("佐々木", "ササキ", "Sasaki"), ("井上", "イノウエ", "Inoue"), ("木村", "キムラ", "Kimura")]  # fmt: skip
JA_SUR_RARE = [("武藤", "ムトウ", "Muto"), ("蓮見", "ハスミ", "Hasumi"), ("真壁", "マカベ", "Makabe"), ("綾瀬", "アヤセ", "Ayase"),
               ("東雲", "シノノメ", "Shinonome"), ("九条", "クジョウ", "Kujo")]  # fmt: skip
JA_GIVEN = [("太郎", "タロウ", "Taro"), ("花子", "ハナコ", "Hanako"), ("健太", "ケンタ", "Kenta"), ("美咲", "ミサキ", "Misaki"),
            ("直樹", "ナオキ", "Naoki"), ("陽子", "ヨウコ", "Yoko"), ("翔太", "ショウタ", "Shota"), ("由美", "ユミ", "Yumi")]  # fmt: skip
JA_GIVEN_RARE = [
    ("颯真", "ソウマ", "Soma"),
    ("紬", "ツムギ", "Tsumugi"),
    ("瑛士", "エイジ", "Eiji"),
    ("詩織", "シオリ", "Shiori"),
]
ZH_SUR = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "欧阳"]
ZH_SUR_T = ["王", "李", "張", "劉", "陳", "楊", "黃", "趙", "周", "吳", "歐陽"]
ZH_GIVEN = ["伟", "芳", "小明", "静", "丽娟", "强", "建国", "海燕", "子涵", "浩然"]
ZH_GIVEN_T = ["偉", "芳", "小明", "靜", "麗娟", "強", "建國", "海燕", "子涵", "浩然"]
EN_GIVEN = ["John", "Mary", "Emily", "James", "Sarah", "Michael", "Olivia", "David"]
EN_SUR = ["Smith", "Johnson", "Brown", "Taylor", "Wilson", "Davis", "Clark", "Walker"]
EN_RARE = [("Bartholomew", "Quince"), ("Zelda", "Okonkwo"), ("Ines", "Valderrama")]

PREFS = [("東京都", "渋谷区", "渋谷"), ("大阪府", "大阪市北区", "梅田"), ("神奈川県", "横浜市中区", "山下町"),
         ("北海道", "札幌市中央区", "北一条西"), ("福岡県", "福岡市博多区", "博多駅前"), ("愛知県", "名古屋市中村区", "名駅")]  # fmt: skip
PREFS_RARE = [("長野県", "松本市", "中央"), ("岐阜県", "高山市", "花里町"), ("沖縄県", "那覇市", "久茂地")]
# Names for the FRESH part only (written after the first round of tuning, never looked at while
# tuning the second): ordinary and rare surnames and given names outside the lists above.
JA_SUR_FRESH = [("長谷川", "ハセガワ", "Hasegawa"), ("石井", "イシイ", "Ishii"), ("前田", "マエダ", "Maeda"), ("藤原", "フジワラ", "Fujiwara"),
                ("岡田", "オカダ", "Okada"), ("村上", "ムラカミ", "Murakami"), ("鬼塚", "オニツカ", "Onitsuka"), ("柊", "ヒイラギ", "Hiiragi"),
                ("十河", "ソゴウ", "Sogo"), ("唐沢", "カラサワ", "Karasawa"), ("宍戸", "シシド", "Shishido"), ("甘粕", "アマカス", "Amakasu"),
                ("芦田", "アシダ", "Ashida"), ("汐見", "シオミ", "Shiomi")]  # fmt: skip
JA_GIVEN_FRESH = [("蒼", "アオイ", "Aoi"), ("陽翔", "ハルト", "Haruto"), ("結衣", "ユイ", "Yui"), ("凛", "リン", "Rin"),
                  ("湊", "ミナト", "Minato"), ("杏奈", "アンナ", "Anna"), ("悠人", "ユウト", "Yuto"), ("琴音", "コトネ", "Kotone"),
                  ("大和", "ヤマト", "Yamato"), ("千尋", "チヒロ", "Chihiro"), ("誠", "マコト", "Makoto"), ("恵美子", "エミコ", "Emiko")]  # fmt: skip
ZH_SUR_FRESH = [
    "孙",
    "马",
    "朱",
    "胡",
    "郭",
    "何",
    "罗",
    "郑",
    "梁",
    "谢",
    "宋",
    "许",
    "韩",
    "冯",
    "邓",
    "曹",
    "彭",
    "司马",
    "诸葛",
]
ZH_SUR_FRESH_T = [
    "孫",
    "馬",
    "朱",
    "胡",
    "郭",
    "何",
    "羅",
    "鄭",
    "梁",
    "謝",
    "宋",
    "許",
    "韓",
    "馮",
    "鄧",
    "曹",
    "彭",
    "司馬",
    "諸葛",
]
ZH_GIVEN_FRESH = ["思远", "雨桐", "俊杰", "佳怡", "梓萱", "宇轩", "欣怡", "志明", "磊", "婷"]
ZH_GIVEN_FRESH_T = ["思遠", "雨桐", "俊傑", "佳怡", "淑芬", "家豪", "冠宇", "志明", "磊", "婷"]
EN_FRESH = [("Priya", "Raman"), ("Tomasz", "Kowalczyk"), ("Aoife", "Byrne"), ("Chidi", "Eze"), ("Lars", "Henriksen"),
            ("Grace", "Holloway"), ("Mateo", "Silva"), ("Hannah", "Becker")]  # fmt: skip

CN_PLACES = [
    ("上海市", "浦东新区", "世纪大道"),
    ("北京市", "朝阳区", "建国路"),
    ("广东省深圳市", "南山区", "科技园路"),
]
TW_PLACES = [
    ("台北市", "大安區", "忠孝東路四段"),
    ("高雄市", "前鎮區", "中山二路"),
    ("臺中市", "西屯區", "台灣大道三段"),
]
HK_PLACES = [("香港九龍", "旺角", "彌敦道"), ("香港", "灣仔", "軒尼詩道")]
US_STREETS = ["Main Street", "Oak Avenue", "Maple Road", "Sunset Boulevard", "Pine Street"]
US_CITIES = [("Springfield", "IL"), ("Portland", "OR"), ("Austin", "TX"), ("Boston", "MA")]
FW = str.maketrans("0123456789-", "０１２３４５６７８９－")
KANJI_DIGITS = str.maketrans("0123456789", "〇一二三四五六七八九")


class Gen:
    """Value generators; ``rare`` draws names and places outside Mamori's dictionaries more often."""

    def __init__(self, rng: random.Random, *, rare: bool = False, fresh: bool = False) -> None:
        self.r = rng
        self.rare = rare
        self.fresh = fresh

    def d(self, n: int) -> str:
        return "".join(self.r.choice("0123456789") for _ in range(n))

    def _pick(self, common: list, rare: list):  # type: ignore[no-untyped-def]
        return self.r.choice(rare if self.rare and self.r.random() < 0.5 else common)

    def _ja(self) -> tuple[tuple[str, str, str], tuple[str, str, str]]:
        if self.fresh:
            return self.r.choice(JA_SUR_FRESH), self.r.choice(JA_GIVEN_FRESH)
        return self._pick(JA_SUR, JA_SUR_RARE), self._pick(JA_GIVEN, JA_GIVEN_RARE)

    def ja_name(self) -> str:
        s, g = self._ja()
        return s[0] + self.r.choice(["", " ", "　"]) + g[0]

    def kana_name(self) -> str:
        s, g = self._ja()
        return s[1] + self.r.choice([" ", "　"]) + g[1]

    def romaji_name(self) -> str:
        s, g = self._ja()
        return self.r.choice([f"{g[2]} {s[2]}", f"{s[2].upper()} {g[2]}"])

    def en_name(self) -> str:
        if self.fresh:
            return " ".join(self.r.choice(EN_FRESH))
        if self.rare and self.r.random() < 0.4:
            return " ".join(self.r.choice(EN_RARE))
        return f"{self.r.choice(EN_GIVEN)} {self.r.choice(EN_SUR)}"

    def zh_name(self) -> str:
        if self.fresh:
            return self.r.choice(ZH_SUR_FRESH) + self.r.choice(ZH_GIVEN_FRESH)
        return self.r.choice(ZH_SUR) + self.r.choice(ZH_GIVEN)

    def zh_name_t(self) -> str:
        if self.fresh:
            return self.r.choice(ZH_SUR_FRESH_T) + self.r.choice(ZH_GIVEN_FRESH_T)
        return self.r.choice(ZH_SUR_T) + self.r.choice(ZH_GIVEN_T)

    def jp_phone(self) -> str:
        kind = self.r.randrange(5)
        if kind == 0:
            return f"0{self.r.choice('789')}0-{self.d(4)}-{self.d(4)}"
        if kind == 1:
            return f"0{self.r.choice('789')}0{self.d(8)}"
        if kind == 2:
            return f"0{self.r.choice('36')}-{self.d(4)}-{self.d(4)}"
        if kind == 3:
            return f"+81 {self.r.choice('789')}0-{self.d(4)}-{self.d(4)}"
        return f"0{self.r.choice('789')}0-{self.d(4)}-{self.d(4)}".translate(FW)

    def cn_phone(self) -> str:
        n = f"1{self.r.choice('3589')}{self.d(9)}"
        return self.r.choice([n, f"{n[:3]} {n[3:7]} {n[7:]}", f"+86 {n[:3]}-{n[3:7]}-{n[7:]}"])

    def tw_phone(self) -> str:
        return self.r.choice([f"09{self.d(2)}-{self.d(3)}-{self.d(3)}", f"02-{self.d(4)}-{self.d(4)}"])

    def hk_phone(self) -> str:
        return f"+852 {self.r.choice('5689')}{self.d(3)} {self.d(4)}"

    def us_phone(self) -> str:
        return self.r.choice(
            [f"({self.r.randint(201, 989)}) 555-{self.d(4)}", f"{self.r.randint(201, 989)}-555-{self.d(4)}"]
        )

    def email(self) -> str:
        user = self.r.choice(["yamada.taro", "h.sato", "wang.xm", "chen1988", "emily_w", "k-tanaka"])
        return f"{user}{self.r.randint(1, 99)}@{self.r.choice(['example.jp', 'example.com', 'mail.example.cn', 'example.com.tw'])}"

    def dob_ja(self) -> str:
        y, m, d = self.r.randint(1940, 2005), self.r.randint(1, 12), self.r.randint(1, 28)
        forms = [f"{y}年{m}月{d}日", f"{y}/{m:02d}/{d:02d}", f"昭和{self.r.randint(20, 63)}年{m}月{d}日",
                 f"平成{self.r.choice(['元', str(self.r.randint(2, 30))])}年{m}月{d}日", f"{y}-{m:02d}-{d:02d}"]  # fmt: skip
        return self.r.choice(forms)

    def dob_zh(self) -> str:
        y, m, d = self.r.randint(1950, 2005), self.r.randint(1, 12), self.r.randint(1, 28)
        return self.r.choice([f"{y}年{m}月{d}日", f"民國{y - 1911}年{m}月{d}日", f"{y}-{m:02d}-{d:02d}"])

    def dob_en(self) -> str:
        y, m, d = self.r.randint(1950, 2005), self.r.randint(1, 12), self.r.randint(1, 28)
        months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                  "October", "November", "December"]  # fmt: skip
        return self.r.choice(
            [f"{months[m - 1]} {d}, {y}", f"{m:02d}/{d:02d}/{y}", f"{d} {months[m - 1][:3]} {y}"]
        )

    def my_number(self) -> str:
        body = self.d(11)
        total = sum(int(c) * (n + 1 if n <= 6 else n - 5) for n, c in enumerate(reversed(body), start=1))
        check = 0 if total % 11 <= 1 else 11 - total % 11
        n = body + str(check)
        return self.r.choice([n, f"{n[:4]} {n[4:8]} {n[8:]}", f"{n[:4]}-{n[4:8]}-{n[8:]}"])

    def _luhn(self, prefix: str, length: int) -> str:
        body = prefix + self.d(length - len(prefix) - 1)
        total = 0
        for i, c in enumerate(reversed(body)):
            v = int(c) * (2 if i % 2 == 0 else 1)
            total += v - 9 if v > 9 else v
        return body + str((10 - total % 10) % 10)

    def card(self) -> str:
        prefix, length = self.r.choice([("4", 16), ("53", 16), ("37", 15), ("3530", 16), ("2223", 16)])
        n = self._luhn(prefix, length)
        if length == 15:
            return self.r.choice([n, f"{n[:4]} {n[4:10]} {n[10:]}"])
        return self.r.choice(
            [
                n,
                " ".join(n[i : i + 4] for i in range(0, 16, 4)),
                "-".join(n[i : i + 4] for i in range(0, 16, 4)),
            ]
        )

    def masked_card(self) -> str:
        return self.r.choice(
            [f"**** **** **** {self.d(4)}", f"4{self.d(3)}-XXXX-XXXX-{self.d(4)}", f"************{self.d(4)}"]
        )

    def passport(self) -> str:
        return self.r.choice(
            [f"T{self.r.choice('KRZ')}{self.d(7)}", f"E{self.d(8)}", f"M{self.r.choice('ABZ')}{self.d(7)}"]
        )

    def licence(self) -> str:
        return self.r.choice([f"{self.r.randint(30, 62)}{self.d(10)}", f"D{self.d(7)}"])

    def bank_jp(self) -> str:
        return self.d(7)

    def bank_cn(self) -> str:
        return "6222" + self.d(self.r.choice([12, 15]))

    def prc_id(self) -> str:
        w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
        body = f"{self.r.choice(['110105', '310115', '440305'])}{self.r.randint(1950, 2004)}{self.r.randint(1, 12):02d}{self.r.randint(1, 28):02d}{self.d(3)}"
        return body + "10X98765432"[sum(int(c) * k for c, k in zip(body, w, strict=True)) % 11]

    def postal_jp(self) -> str:
        return f"{self.d(3)}-{self.d(4)}"

    def jp_address(self) -> str:
        pref, city, town = self._pick(PREFS, PREFS_RARE)
        house = self.r.choice([f"{self.r.randint(1, 5)}丁目{self.r.randint(1, 30)}-{self.r.randint(1, 20)}",
                               f"{self.r.randint(1, 5)}-{self.r.randint(1, 30)}-{self.r.randint(1, 20)}",
                               f"{self.r.randint(1, 999)}番地{self.r.randint(1, 20)}"])  # fmt: skip
        if self.rare and self.r.random() < 0.3:
            house = house.translate(FW)
        building = self.r.choice(
            ["", f" メゾン青山{self.r.randint(101, 909)}号室", f" サンライズビル{self.r.randint(2, 12)}F"]
        )
        return self.r.choice([pref, ""]) + city + town + house + building

    def cn_address(self) -> str:
        a, b, c = self.r.choice(CN_PLACES)
        return f"{a}{b}{c}{self.r.randint(1, 999)}号" + self.r.choice(
            ["", f"{self.r.randint(1, 30)}楼", f"{self.r.randint(1, 20)}号楼{self.r.randint(101, 2505)}室"]
        )

    def tw_address(self) -> str:
        a, b, c = self.r.choice(TW_PLACES)
        return f"{a}{b}{c}{self.r.randint(1, 300)}號" + self.r.choice(["", f"{self.r.randint(2, 20)}樓"])

    def hk_address(self) -> str:
        a, b, c = self.r.choice(HK_PLACES)
        return f"{a}{b}{c}{self.r.randint(1, 500)}號{self.r.randint(2, 30)}樓"

    def us_address(self) -> str:
        city, state = self.r.choice(US_CITIES)
        return f"{self.r.randint(10, 9999)} {self.r.choice(US_STREETS)}, {city}, {state} {self.d(5)}"

    # Look-alikes for the negative records
    def order_no(self) -> str:
        return self.r.choice(
            [
                f"{self.d(4)}-{self.d(4)}-{self.d(4)}",
                f"ORD-{self.d(8)}-{self.d(4)}",
                f"{self.d(11)}",
                f"1{self.r.choice('358')}{self.d(9)}",
            ]
        )

    def jan(self) -> str:
        body = self.r.choice(["45", "49"]) + self.d(10)
        total = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body))
        return body + str((10 - total % 10) % 10)

    def corporate(self) -> str:
        body = self.d(12)
        total = sum(int(c) * (2 if i % 2 == 0 else 1) for i, c in enumerate(reversed(body)))
        return str(9 - total % 9) + body

    def price(self) -> str:
        return self.r.choice(
            [
                f"¥{self.r.randint(1, 99)},{self.d(3)}",
                f"{self.r.randint(100, 99999)}円",
                f"NT${self.r.randint(100, 9999)}",
                f"${self.r.randint(1, 999)}.{self.d(2)}",
            ]
        )

    def date(self) -> str:
        return self.r.choice(
            [
                f"2024年{self.r.randint(1, 12)}月{self.r.randint(1, 28)}日",
                f"2025/{self.r.randint(1, 12):02d}/{self.r.randint(1, 28):02d}",
                f"令和{self.r.randint(2, 7)}年{self.r.randint(1, 12)}月{self.r.randint(1, 28)}日",
            ]
        )

    def company_phone(self) -> str:
        return self.r.choice(COMPANY_PHONES)

    def member(self) -> str:
        return self.r.choice([f"M{self.d(8)}", self.d(8), self.d(10)])

    def sku(self) -> str:
        return self.r.choice(
            [
                f"SKU-{self.d(5)}",
                f"AB{self.d(7)}",
                f"{self.r.choice('ABCXYZ')}{self.r.choice('ABCXYZ')}-{self.d(4)}-{self.d(2)}",
            ]
        )


# slot name → (label type or None, generator method)
SLOTS: dict[str, tuple[str | None, str]] = {
    "name": ("person_name", "ja_name"), "kana": ("person_name", "kana_name"), "romaji": ("person_name", "romaji_name"),
    "en_name": ("person_name", "en_name"), "zh_name": ("person_name", "zh_name"), "zh_name_t": ("person_name", "zh_name_t"),
    "phone": ("phone", "jp_phone"), "cn_phone": ("phone", "cn_phone"), "tw_phone": ("phone", "tw_phone"),
    "hk_phone": ("phone", "hk_phone"), "us_phone": ("phone", "us_phone"), "email": ("email", "email"),
    "dob": ("date_of_birth", "dob_ja"), "dob_zh": ("date_of_birth", "dob_zh"), "dob_en": ("date_of_birth", "dob_en"),
    "mynumber": ("my_number", "my_number"), "card": ("payment_card", "card"), "passport": ("passport", "passport"),
    "licence": ("drivers_licence", "licence"), "bank": ("bank_account", "bank_jp"), "bank_cn": ("bank_account", "bank_cn"),
    "prc_id": ("prc_id", "prc_id"), "postal": ("postal_code", "postal_jp"), "address": ("address", "jp_address"),
    "cn_address": ("address", "cn_address"), "tw_address": ("address", "tw_address"), "hk_address": ("address", "hk_address"),
    "us_address": ("address", "us_address"),
    "order": (None, "order_no"), "jan": (None, "jan"), "corporate": (None, "corporate"), "price": (None, "price"),
    "date": (None, "date"), "company_phone": (None, "company_phone"), "member": (None, "member"), "sku": (None, "sku"),
    "masked_card": (None, "masked_card"),
}  # fmt: skip

TUNED: dict[str, list[str]] = {
    "ja": [
        "{name}様 {phone} {email}",
        "お名前：{name}　電話番号：{phone}　メール：{email}",
        "〒{postal} {address} {name}様宛",
        "フリガナ：{kana}　生年月日：{dob}",
        "{name}さんから電話あり。折り返し先 {phone}。",
        "マイナンバー：{mynumber}（本人確認書類として提示）",
        "クレジットカード番号 {card} で決済",
        "振込先：みずほ銀行 渋谷支店 普通 {bank} 名義 {kana}",
        "パスポート番号 {passport}、運転免許証番号 {licence}",
        "配送先住所：{address}　TEL {phone}",
        "{name}様の誕生日は{dob}です。",
        "担当：{name}（{email}）",
    ],
    "en": [
        "Customer {en_name} called from {us_phone} about order delivery.",
        "Name: {romaji}, Email: {email}, Phone: {phone}",
        "Ship to {en_name}, {us_address}",
        "Date of birth: {dob_en}. Passport no. {passport}",
        "Card number {card} was declined for Mr. {en_name}.",
        "Driver's license {licence} checked at the counter.",
    ],
    "zh-Hans": [
        "收件人：{zh_name} 手机：{cn_phone} 地址：{cn_address}",
        "客户{zh_name}先生的身份证号是{prc_id}",
        "联系人：{zh_name}，邮箱 {email}，出生日期 {dob_zh}",
        "银行账号 {bank_cn}（{zh_name}）",
        "{zh_name}女士来电 {cn_phone}，邮编 {postal}",
    ],
    "zh-Hant": [
        "收件人：{zh_name_t} 電話：{tw_phone} 地址：{tw_address}",
        "聯絡人：{zh_name_t}，手機 {hk_phone}，地址 {hk_address}",
        "{zh_name_t}先生的出生日期為{dob_zh}，護照號碼 {passport}",
        "信用卡號 {card}，持卡人 {zh_name_t}",
    ],
}
HELD_OUT: dict[str, list[str]] = {
    "ja": [
        "本日{name}様より問い合わせ。連絡先は{phone}、メールは{email}とのこと。",
        "申込者 {name} / 住所 {address} / 携帯 {phone}",
        "{name}様（{dob}生）より返品依頼",
        "ご依頼主：{kana} 様　〒{postal}",
        "個人番号 {mynumber} を受領、台帳には記載しないこと",
        "カード {card} 有効期限 12/28",
        "口座番号：普通預金 {bank}",
        "お客様（{name}様）の旅券番号：{passport}",
        "本人確認：運転免許証（番号 {licence}）を目視で確認済",
    ],
    "en": [
        "Please contact {en_name} at {email} or {us_phone}.",
        "Attn: {romaji} — DOB {dob_en}",
        "Delivered to {us_address} (signed {en_name})",
        "Visa {card} on file for {en_name}",
        "ID checked: driver license {licence}, expires 2027",
    ],
    "zh-Hans": [
        "{zh_name}先生电话{cn_phone}，住{cn_address}",
        "身份证{prc_id}，姓名{zh_name}",
        "申请人：{zh_name}，生日：{dob_zh}，护照 {passport}",
        "请于明天联系{zh_name}女士（{email}）",
    ],
    "zh-Hant": [
        "寄件人：{zh_name_t}，連絡電話 {tw_phone}，住址 {tw_address}",
        "{zh_name_t}小姐 {hk_phone} {hk_address}",
        "帳號 {bank_cn}，戶名 {zh_name_t}",
    ],
}
# The second round of tuning looked at these (other phrasings than TUNED, drawn like HELD_OUT).
DEV: dict[str, list[str]] = {
    "ja": [
        "{name} 様より再配達の依頼、{phone}",
        "{name}からの問い合わせ（{email}）に回答済",
        "送付先：{address} {name} 宛",
        "{name}さま（{kana}）のご注文",
        "お電話のお客様 {name}、折返し {phone}",
        "{name}　{phone}　{email}",
    ],
    "en": [
        "Talked to {en_name} about a refund; email {email}",
        "Account holder {en_name}, card {card}",
        "Parcel for {romaji}: {us_address}",
        "Verified by {en_name} on the phone",
    ],
    "zh-Hans": [
        "会员{zh_name}投诉商品破损，电话{cn_phone}",
        "{zh_name}，电话{cn_phone}",
        "已通知{zh_name}本人",
    ],
    "zh-Hant": [
        "客戶{zh_name_t}表示未收到貨，電話{tw_phone}",
        "收件者：{zh_name_t}，地址{tw_address}",
        "致{zh_name_t}女士：",
    ],
}
# Written before the second round of tuning and never looked at while tuning it: other phrasings
# (names without honorifics, names after the value, addressee markers) and FRESH names.
FRESH: dict[str, list[str]] = {
    "ja": [
        "{name} 様 ご本人より電話、{phone} に折り返し希望",
        "顧客メモ：{name}（{kana}）生年月日 {dob}、{address}在住",
        "{name}から返品の件でメールあり（{email}）",
        "宛先 〒{postal} {address} {name} 行",
        "【要対応】{name}さま 携帯{phone}",
        "ご契約者様氏名：{name}／個人番号：{mynumber}",
        "引落口座 {bank}（口座名義 {kana}）",
        "{address} にお住まいの{name}様へ発送済",
    ],
    "en": [
        "Spoke with {en_name} ({email}); callback on {us_phone}.",
        "Refund to card {card}, cardholder {en_name}",
        "{romaji} requested deletion of the account; DOB on file {dob_en}",
        "New address for {en_name}: {us_address}",
        "Passport {passport} presented by {romaji} at the store",
    ],
    "zh-Hans": [
        "客户{zh_name}反映快递未到，联系电话{cn_phone}",
        "{zh_name}，身份证号码{prc_id}，现住{cn_address}",
        "退款至{zh_name}的银行卡{bank_cn}",
        "致{zh_name}：您的订单已发货，确认邮件已发至{email}",
    ],
    "zh-Hant": [
        "會員{zh_name_t}來電詢問，電話{tw_phone}",
        "送貨地址：{tw_address}，收件者{zh_name_t}小姐",
        "{zh_name_t}先生 護照{passport} 生日{dob_zh}",
        "香港客戶{zh_name_t}，地址{hk_address}，電話{hk_phone}",
    ],
}
NEGATIVE: dict[str, list[str]] = {
    "ja": [
        "注文番号：{order} のお届け予定日は{date}です。",
        "JAN {jan} 価格 {price}（税込）",
        "商品コード {sku} を{date}に出荷しました。",
        "お問い合わせはカスタマーセンター {company_phone} まで（平日10時〜17時）",
        "会員番号 {member} のポイントを付与しました。",
        "社員番号 E{member} の勤怠を修正",
        "法人番号 {corporate}、登録番号 T{corporate}",
        "追跡番号 {order} で配送状況を確認できます。",
        "カード下4桁のみ保存：{masked_card}",
        "令和6年度の売上は{price}でした。",
    ],
    "en": [
        "Order {order} shipped on {date}; total {price}.",
        "Call us at {company_phone}. Tracking number {order}.",
        "Product {sku}, barcode {jan}, member {member}.",
    ],
    "zh-Hans": [
        "订单号 {order}，金额 {price}，下单日期 {date}",
        "客服热线 {company_phone}，快递单号 {order}",
        "商品条码 {jan}，会员编号 {member}",
    ],
    "zh-Hant": [
        "訂單編號 {order}，金額 {price}",
        "客服專線 {company_phone}，會員編號 {member}",
    ],
}
_SLOT = re.compile(r"\{(\w+)\}")
Record = tuple[str, str, list[tuple[str, int, int]]]  # language, text, labels


def fill(template: str, gen: Gen) -> tuple[str, list[tuple[str, int, int]]]:
    out, labels, pos = [], [], 0
    for m in _SLOT.finditer(template):
        out.append(template[pos : m.start()])
        kind, method = SLOTS[m.group(1)]
        value = getattr(gen, method)()
        start = sum(map(len, out))
        out.append(value)
        if kind is not None:
            labels.append((kind, start, start + len(value)))
        pos = m.end()
    out.append(template[pos:])
    return "".join(out), labels


def _noise(rng: random.Random, text: str) -> tuple[str, int]:
    """Leading filler so positions vary; returns the text and the shift."""
    filler = rng.choice(["", "", "メモ: ", "[2024-05-01 10:12] ", "備考／", "Note: ", "备注："])
    return filler + text, len(filler)


def corpus(
    templates: dict[str, list[str]], n: int, seed: int, *, rare: bool = False, fresh: bool = False
) -> list[Record]:
    rng = random.Random(seed)
    gen = Gen(rng, rare=rare, fresh=fresh)
    flat: list[tuple[str, str]] = [(lang, t) for lang, ts in templates.items() for t in ts]
    records: list[Record] = []
    for _ in range(n):
        lang, template = rng.choice(flat)
        text, labels = fill(template, gen)
        text, shift = _noise(rng, text)
        records.append((lang, text, [(k, s + shift, e + shift) for k, s, e in labels]))
    return records


Maker = Callable[[], list[Record]]
