"""How often the import reads a short file in a legacy code page right, in doubt, or silently wrong.

    uv run python bench/encodings.py [--files 200] [--prefer windows-1252]

For each code page of ``importing.encodings.LEGACY``, writes ``--files`` small files (an English
header and one to four lines of names, an email and a city or note, drawn with a fixed seed from
the lists below) in it, and runs the import's own detection (``encodings.detect``), optionally
with a store's code page. A file is "right" when the reading is the text written, "in doubt" when
it is not but the right code page is among the alternatives the page and API show (a person
chooses; the command line refuses), and "silently wrong" otherwise. ADR 0005 ("encodings")
quotes the numbers.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' Windows-1258 writer
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trunkshow.settings")
os.environ.setdefault("TRUNKSHOW_DATA_DIR", "/tmp/trunkshow-bench-encodings")

# (first names and last names as "Last First", notes and cities) per code page.
WORDS: dict[str, tuple[list[str], list[str]]] = {
    "shift_jis": (
        ["山田 花子", "佐藤 太郎", "鈴木 一郎", "高橋 美咲", "田中 健", "渡辺 さくら", "伊藤 翔", "中村 愛"],
        ["東京都", "大阪市", "誕生日プレゼント", "指輪 12号", "ﾔﾏﾀﾞ ﾊﾅｺ"],
    ),
    "gb18030": (
        ["王 芳", "李 娜", "张 伟", "刘 洋", "陈 静", "杨 磊", "黄 敏", "赵 丽", "周 杰", "吴 强"],
        ["北京", "上海市", "生日礼物", "喜欢黄金", "戒指尺寸 12"],
    ),
    "euc-kr": (
        ["김 민준", "이 서연", "박 지훈", "최 수빈", "정 하은", "강 도윤", "조 예린", "윤 서준", "장 민서"],
        ["서울", "부산", "생일 선물", "반지 사이즈 12", ""],
    ),
    "windows-1251": (
        ["Иванова Анна", "Петров Сергей", "Смирнова Ольга", "Кузнецов Дмитрий", "Шевченко Олена"],
        ["Москва", "Санкт-Петербург", "Киев", "подарок на день рождения", "кольцо 17 размер"],
    ),
    "windows-1250": (
        ["Wójcik Łukasz", "Nowak Zofia", "Kowalski Paweł", "Dvořák Jiří", "Černá Eva", "Nagy Ferenc"],
        ["Kraków", "Łódź", "Praha", "Budapest", "Wrocław", "prezent urodzinowy"],
    ),
    "windows-1253": (
        ["Παπαδόπουλος Γιώργος", "Νικολάου Μαρία", "Γεωργίου Ελένη", "Οικονόμου Δημήτρης"],
        ["Αθήνα", "Θεσσαλονίκη", "Πάτρα", "δώρο γενεθλίων"],
    ),
    "windows-1254": (
        ["Yıldız Şahin", "Öztürk Ayşe", "Çelik Mehmet", "Kaya Elif", "Doğan Emre", "Kılıç Gülşen"],
        ["İstanbul", "İzmir", "Ankara", "doğum günü hediyesi", "yüzük ölçüsü 12"],
    ),
    "windows-1252": (
        ["Müller Hans", "Lefèvre Renée", "Brontë Zoë", "Peña José", "Ørsted Søren", "Lindén Åsa", "Weiß Jürgen"],
        ["café", "Budget 500 €", "Größe 54", "Zürich", "São Paulo", "bague en or très fine"],
    ),
    "windows-1255": (
        ["כהן יוסי", "לוי מיכל", "מזרחי אבי", "פרץ נועה", "ביטון שירה", "אברהם דוד", "פרידמן רונית", "שפירא תמר"],
        ["תל אביב", "ירושלים", "חיפה", "באר שבע", "מתנה ליום הולדת", "טבעת מידה 12"],
    ),
    "windows-1256": (
        ["العلي محمد", "حسن فاطمة", "الخطيب عمر", "منصور ليلى", "الحسيني يوسف", "عبدالله نورة", "سعيد أحمد"],
        ["الرياض", "دبي", "القاهرة", "جدة", "هدية عيد ميلاد", "خاتم مقاس 12"],
    ),
    "windows-1257": (
        [
            "Kazlauskas Jonas",
            "Petrauskienė Ona",
            "Jankauskaitė Eglė",
            "Bērziņš Jānis",
            "Kalniņa Līga",
            "Ozoliņš Mārtiņš",
            "Tamm Mari",
            "Šimkus Žygimantas",
        ],
        [
            "Vilnius",
            "Kaunas",
            "Klaipėda",
            "Rīga",
            "Tallinn",
            "Šiauliai",
            "gimtadienio dovana",
            "dzimšanas dienas dāvana",
        ],
    ),
    "windows-1258": (
        [
            "Nguyễn Văn An",
            "Trần Thị Hoa",
            "Lê Minh Tuấn",
            "Phạm Thu Hương",
            "Hoàng Đức Anh",
            "Võ Thị Lan",
            "Đặng Quốc Bảo",
        ],
        ["Hà Nội", "Hồ Chí Minh", "Đà Nẵng", "Huế", "quà sinh nhật", "nhẫn cỡ 12"],
    ),
    "big5": (
        ["陳 怡君", "林 志明", "黃 淑芬", "張 家豪", "李 美玲", "王 建宏", "吳 雅婷", "劉 俊傑"],
        ["台北市", "高雄市", "台中", "香港", "生日禮物", "喜歡黃金", "戒指尺寸 12"],
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--prefer", default=None, help="the store's code page, such as windows-1252")
    args = parser.parse_args()

    import django

    django.setup()
    from tests.customers.encoded_files import encode

    from trunkshow.customers.importing.encodings import LEGACY, detect, read

    rng = random.Random(1)
    print(f"{'code page':14} {'right':>6} {'in doubt':>9} {'silently wrong':>15}")
    for encoding, (names, notes) in WORDS.items():
        right = doubt = wrong = 0
        for _ in range(args.files):
            rows = []
            for _line in range(rng.randint(1, 4)):
                last, first = rng.choice(names).split(" ", 1)
                rows.append(f"{first},{last},x{rng.randint(1, 99)}@example.com,{rng.choice(notes)}")
            text = "First Name,Last Name,Email,Note\n" + "\n".join(rows) + "\n"
            data = encode(text, LEGACY[encoding])
            found = detect([data], prefer=args.prefer)
            assert found is not None
            if read(data, found.encoding) == text:
                right += 1
            elif any(a["encoding"] == encoding for a in found.alternatives):
                doubt += 1
            else:
                wrong += 1
        print(f"{encoding:14} {right:6d} {doubt:9d} {wrong:15d}")


if __name__ == "__main__":
    main()
