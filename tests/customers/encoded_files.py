"""Small customer files as tills and spreadsheets write them in each country's code page, written
to disk, with the names and cities an import must store from them."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

HEADER = "Last Name,First Name,Email,City,Note"
_TONES = "\u0300\u0301\u0303\u0309\u0323"


def windows_1258(text: str) -> bytes:
    """Vietnamese as Windows writes it in code page 1258: a letter the code page has is its byte, and
    one it lacks (“ễ”) is its base letter with any circumflex, breve or horn (“ê”) and then the tone as
    a combining mark."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
            out += (base + "".join(c for c in parts if c in _TONES)).encode("cp1258")
    return bytes(out)


def encode(text: str, codec: str) -> bytes:
    return windows_1258(text) if codec == "cp1258" else text.encode(codec)


@dataclass(frozen=True)
class Encoded:
    encoding: str  # ours, as the import reports it
    codec: str  # how the till wrote it
    label: str
    text: str
    people: list[tuple[str, str, str]]  # (first name, last name, city), sorted by email

    def write(self, folder: Path) -> Path:
        path = folder / f"customers-{self.encoding}.csv"
        path.write_bytes(encode(self.text, self.codec))
        return path


def _file(encoding: str, codec: str, label: str, rows: list[str], delimiter: str = ",") -> Encoded:
    rows = [row.replace(",", delimiter) for row in rows]
    text = "\r\n".join([HEADER.replace(",", delimiter), *rows]) + "\r\n"
    people = []
    for row in sorted(rows, key=lambda r: r.split(delimiter)[2]):
        last, first, _email, city, _note = row.split(delimiter)
        people.append((first, last, city))
    return Encoded(encoding, codec, label, text, people)


FILES = [
    _file(
        "shift_jis",
        "cp932",  # Excel in Japan: Microsoft's Shift-JIS
        "Japanese (Shift-JIS)",
        [
            "山田,花子,hanako@example.jp,東京都,誕生日プレゼント",
            "佐藤,太郎,taro@example.jp,大阪市,指輪 12号",
            "鈴木,一郎,ichiro@example.jp,横浜市,",
        ],
    ),
    _file(
        "windows-1251",
        "cp1251",
        "Cyrillic (Windows-1251)",
        [
            "Иванова,Анна,anna@example.ru,Москва,подарок на день рождения",
            "Петров,Сергей,sergey@example.ru,Санкт-Петербург,",
        ],
        ";",
    ),
    _file(
        "windows-1250",
        "cp1250",
        "Central European (Windows-1250)",
        [
            "Wójcik,Łukasz,lukasz@example.pl,Kraków,prezent urodzinowy",
            "Nowak,Zofia,zofia@example.pl,Łódź,",
        ],
        ";",
    ),
    _file(
        "gb18030",
        "gb18030",
        "Chinese Simplified (GB18030)",
        [
            "王,芳,fang@example.cn,北京,生日礼物",
            "李,娜,na@example.cn,上海,",
            "张,伟,wei@example.cn,广州,喜欢黄金",
        ],
    ),
    _file(
        "euc-kr",
        "euc_kr",
        "Korean (EUC-KR)",
        [
            "김,민준,minjun@example.kr,서울,생일 선물",
            "이,서연,seoyeon@example.kr,부산,",
            "박,지훈,jihoon@example.kr,대구,반지 사이즈 12",
        ],
    ),
    _file(
        "windows-1253",
        "cp1253",
        "Greek (Windows-1253)",
        [
            "Παπαδόπουλος,Γιώργος,giorgos@example.gr,Αθήνα,δώρο γενεθλίων",
            "Νικολάου,Μαρία,maria@example.gr,Θεσσαλονίκη,",
        ],
        ";",
    ),
    _file(
        "windows-1254",
        "cp1254",
        "Turkish (Windows-1254)",
        [
            "Yıldız,Şahin,sahin@example.com.tr,İstanbul,yüzük ölçüsü 12",
            "Öztürk,Ayşe,ayse@example.com.tr,İzmir,",
        ],
        ";",
    ),
    _file(
        "windows-1252",
        "cp1252",
        "Western European (Windows-1252)",
        [
            "Müller,Hans,hans@example.de,Zürich,",
            "Brontë,Zoë,zoe@example.com,Paris,café au lait - budget 500 €",
        ],
    ),
]
FILES += [
    _file(
        "windows-1255",
        "cp1255",  # stored in logical order, as typed: right to left is the screen's business
        "Hebrew (Windows-1255)",
        [
            "כהן,יוסי,yossi@example.co.il,תל אביב,מתנה ליום הולדת",
            "לוי,מיכל,michal@example.co.il,ירושלים,",
            "מזרחי,אבי,avi@example.co.il,חיפה,טבעת מידה 12",
        ],
    ),
    _file(
        "windows-1256",
        "cp1256",
        "Arabic (Windows-1256)",
        [
            "العلي,محمد,mohammed@example.sa,الرياض,هدية عيد ميلاد",
            "حسن,فاطمة,fatima@example.ae,دبي,",
        ],
        ";",
    ),
    _file(
        "windows-1257",
        "cp1257",
        "Baltic (Windows-1257)",
        [
            "Petrauskienė,Ona,ona@example.lt,Šiauliai,gimtadienio dovana",
            "Kazlauskas,Žygimantas,zygimantas@example.lt,Vilnius,",
            "Bērziņš,Jānis,janis@example.lv,Rīga,",
        ],
        ";",
    ),
    _file(
        "windows-1258",
        "cp1258",  # tones as combining marks where the code page has no such letter
        "Vietnamese (Windows-1258)",
        [
            "Nguyễn,Văn An,an@example.vn,Hà Nội,quà sinh nhật",
            "Trần,Thị Hương,huong@example.vn,Hồ Chí Minh,",
            "Đặng,Quốc Bảo,bao@example.vn,Đà Nẵng,nhẫn cỡ 12",
        ],
    ),
    _file(
        "big5",
        "cp950",  # Excel in Taiwan and Hong Kong: Microsoft's Big5
        "Traditional Chinese (Big5)",
        [
            "陳,怡君,yijun@example.tw,台北市,生日禮物",
            "林,志明,zhiming@example.tw,高雄市,",
            "黃,淑芬,shufen@example.hk,香港,喜歡黃金",
        ],
    ),
]
IDS = [f.encoding for f in FILES]

# One line of Korean: its bytes are also common Chinese characters (Simplified and Traditional), so the
# reading is in doubt.
KOREAN_IN_DOUBT = "Name,Email\r\n김민준,minjun@example.kr\r\n".encode("euc_kr")
