"""The encodings an import reads besides UTF, and how a file without a byte order mark is told apart.

A file that is not UTF-8 was written by a spreadsheet or till in the code page of its machine's
country: Windows-1252 in Western Europe and the Americas, 1250 in Central Europe, 1251 for
Cyrillic, 1253 Greek, 1254 Turkish, 1255 Hebrew, 1256 Arabic, 1257 Baltic, 1258 Vietnamese, Shift-JIS,
GB18030, Big5 and EUC-KR in Japan, mainland China, Taiwan and Hong Kong, and Korea.
Bytes alone do not say which: nearly any bytes decode in several of them. So each encoding that
decodes the file is scored on how its reading looks as names and notes (letters of one script in
a word, accents of one language, no currency sign inside a word, vowels in a Greek or Cyrillic
word, common rather than rare ideographs), the store's own country breaks a near tie, and a
reading that stays in doubt is said, not silently taken (ADR 0005, amendment "encodings").
"""

from __future__ import annotations

import codecs
import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy

# Our names (the WHATWG encoding labels browsers use) → the Python codec that reads them. Shift-JIS,
# EUC-KR and Big5 are read with Microsoft's supersets (code pages 932, 949 and 950), as Excel and
# tills in Japan, Korea, Taiwan and Hong Kong write them: cp950 is Big5 with the euro sign and the
# seven ETEN characters Windows added (碁銹裏墻恒粧嫺); Hong Kong's HKSCS characters are in neither.
# The order is the order of preference between readings alike (the new ones last, so a file that
# reads the same in an older one keeps its name).
LEGACY = {
    "windows-1252": "cp1252",
    "windows-1250": "cp1250",
    "windows-1251": "cp1251",
    "windows-1253": "cp1253",
    "windows-1254": "cp1254",
    "shift_jis": "cp932",
    "gb18030": "gb18030",
    "euc-kr": "cp949",
    "windows-1255": "cp1255",
    "windows-1256": "cp1256",
    "windows-1257": "cp1257",
    "windows-1258": "cp1258",
    "big5": "cp950",
}
# Code pages that map every byte to a character, so that decoding is no evidence at all: a file only
# they read, and that reads wrong in them, is in no encoding we read.
_EVERY_BYTE = frozenset({"windows-1256"})
# Code pages that write some accents as a separate mark after the letter (Vietnamese tones in
# Windows-1258: “Nguyễn” is “Nguyê” and a combining tilde); their text is composed (NFC) as it is
# read, so a name compares and searches equal to the same name typed.
COMPOSED = frozenset({"windows-1258"})
# UTF-16 in its byte order, with or without a byte order mark (``reading.open_text`` skips one).
CODECS = {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "utf-16-le": "utf-16-le", "utf-16-be": "utf-16-be", **LEGACY}
LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": gettext_lazy("UTF-8 with a byte order mark"),
    "utf-16-le": "UTF-16 LE",
    "utf-16-be": "UTF-16 BE",
    "windows-1252": gettext_lazy("Western European (Windows-1252)"),
    "windows-1250": gettext_lazy("Central European (Windows-1250)"),
    "windows-1251": gettext_lazy("Cyrillic (Windows-1251)"),
    "windows-1253": gettext_lazy("Greek (Windows-1253)"),
    "windows-1254": gettext_lazy("Turkish (Windows-1254)"),
    "shift_jis": gettext_lazy("Japanese (Shift-JIS)"),
    "gb18030": gettext_lazy("Chinese Simplified (GB18030)"),
    "euc-kr": gettext_lazy("Korean (EUC-KR)"),
    "windows-1255": gettext_lazy("Hebrew (Windows-1255)"),
    "windows-1256": gettext_lazy("Arabic (Windows-1256)"),
    "windows-1257": gettext_lazy("Baltic (Windows-1257)"),
    "windows-1258": gettext_lazy("Vietnamese (Windows-1258)"),
    "big5": gettext_lazy("Traditional Chinese (Big5)"),
}
# What a person may choose on the mapping step, the API and the command line.
CHOICES = ("utf-8", *LEGACY)
# Other names people and programs give them (Python's, IANA's, Microsoft's) → ours.
_ALIASES = {
    "utf-8-sig": "utf-8",
    "cp1252": "windows-1252",
    "latin-1": "windows-1252",  # as browsers read it: every Latin-1 file is a Windows-1252 file
    "iso8859-1": "windows-1252",
    "cp1250": "windows-1250",
    "cp1251": "windows-1251",
    "cp1253": "windows-1253",
    "cp1254": "windows-1254",
    "cp932": "shift_jis",
    "shift_jis": "shift_jis",
    "windows-31j": "shift_jis",
    "gb18030": "gb18030",
    "gbk": "gb18030",
    "gb2312": "gb18030",
    "cp936": "gb18030",
    "euc_kr": "euc-kr",
    "cp949": "euc-kr",
    "cp1255": "windows-1255",
    "cp1256": "windows-1256",
    "cp1257": "windows-1257",
    "cp1258": "windows-1258",
    "big5": "big5",
    "cp950": "big5",
}
# A store's country → the code page Windows (and so Excel) writes there, among ours.
_COUNTRY_CODE_PAGES = {
    **dict.fromkeys(["PL", "CZ", "SK", "HU", "SI", "HR", "BA", "RO", "AL"], "windows-1250"),
    **dict.fromkeys(["RU", "UA", "BY", "BG", "RS", "MK", "KZ", "KG", "MN"], "windows-1251"),
    **dict.fromkeys(["GR", "CY"], "windows-1253"),
    **dict.fromkeys(["TR", "AZ"], "windows-1254"),
    "JP": "shift_jis",
    "CN": "gb18030",
    "SG": "gb18030",
    "KR": "euc-kr",
    "IL": "windows-1255",
    **dict.fromkeys(
        ["SA", "AE", "EG", "JO", "LB", "KW", "QA", "BH", "OM", "MA", "DZ", "TN", "IQ", "IR"], "windows-1256"
    ),
    **dict.fromkeys(["LT", "LV", "EE"], "windows-1257"),
    "VN": "windows-1258",
    **dict.fromkeys(["TW", "HK", "MO"], "big5"),
}
# Countries whose Windows writes a code page we do not read (Thai, Windows-874).
_OTHER_CODE_PAGES = frozenset(["TH"])

# The accented letters of each language a code page serves: a word's accents come from one of them.
_A = {
    "en": "",
    "de": "äöüß",
    "fr": "àâçéèêëîïôœùûüÿ",
    "es": "áéíñóúü",
    "pt": "áâãàçéêíóôõú",
    "it": "àèéìíîòóùú",
    "ca": "àçèéíïòóúü",
    "nl": "áéëïóöü",
    "da": "æøåéó",
    "sv": "åäöé",
    "fi": "äöåšž",
    "et": "äöõüšž",
    "is": "áðéíóúýþæö",
    "sq": "çë",
    "pl": "ąćęłńóśźż",
    "cs": "áčďéěíňóřšťúůýž",
    "sk": "áäčďéíĺľňóôŕšťúýž",
    "hu": "áéíóöőúüű",
    "sl": "čšž",
    "hr": "čćđšž",
    "ro": "ăâîşţșț",
    "tr": "çğıöşüâîû",
    # Lithuanian (ąčęėįšųūž) and Latvian (āčēģīķļņšūž) as one: their names meet in one Baltic store's list.
    "lt-lv": "ąčęėįšųūžāēģīķļņ",
    "vi": "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ",
}
_LANGUAGES = {
    "windows-1252": ("en", "de", "fr", "es", "pt", "it", "ca", "nl", "da", "sv", "fi", "et", "is", "sq"),
    "windows-1250": ("en", "de", "pl", "cs", "sk", "hu", "sl", "hr", "ro", "sq"),
    "windows-1254": ("en", "de", "fr", "es", "pt", "it", "ca", "nl", "da", "sv", "fi", "et", "sq", "tr"),
    "windows-1257": ("en", "de", "lt-lv", "et", "fi", "sv", "da", "pl", "sl"),
    "windows-1258": ("en", "vi", "fr", "de", "es", "it", "nl"),
}
_ALPHABETS = {enc: [frozenset(_A[lang]) for lang in langs] for enc, langs in _LANGUAGES.items()}
# Letters few words need where another code page has common ones in their place: Icelandic ð, þ and
# ý in Windows-1252 are Turkish ğ, ş and ı in Windows-1254; Slovak ĺ and ŕ in Windows-1250 are the
# Nordic å and the French à of Windows-1252.
_RARE_LETTERS = {"windows-1252": frozenset("ðþý"), "windows-1250": frozenset("ĺŕ")}
_COMMON_HANGUL = frozenset(
    "김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우구민나진지엄채원천방공현함변"
    "염여추도소석선설마길연위표명기반라왕금옥육인맹제모탁국어은편용준훈수빈예린호영철희경미숙자순혜아름다솔결"
    "시건태혁재동규승종욱상병광소다채별새봄가을겨울해달빛하늘바람꽃나무산강물보람슬기들이랑누리사랑믿음"
    "서울부대구천광전산경북충청제특별자치시군읍면리로길번지아파트빌라층호가나라마바사자차카타파하"
    "생일선물반지목걸이귀걸팔찌시계사이즈금은백화점고객메모화메일름성주소우편휴대폰남여결혼기념회원등급"
    "할인구매금액포인트방문최근날짜비고없음있음예아니오동의수신거부문자카톡을를는에의로과와도만부터까지"
    "입니다합니요께서했습있었했던되는하는한할좋아해요세요주세감사드립니다안녕하세요고맙습"
    "번째개월년월일시분초원달러엔위안점센터본매장지점팀장님씨양군부인여사님선생"
    "리미키니디비지치피티히기시이오코토포로모보소조초호노도고수루무부쿠투푸후누두구주추"
    "진선현숙희정영순옥자경미은혜연주지수아유나라하다서윤채민준우도예시건태혁재동규승종상병광"
)
_GREEK_TONED = frozenset("άέήίόύώΐΰ")
_VOWELS = frozenset(
    "aeiouyáéíóúýàèìòùâêîôûäëïöüÿåæøœãõăąęěőűůıаеёиоуыэюяіїєўαεηιουωάέήίόύώϊϋΐΰ"
    "āēīūėįųơưảạằắẳẵặầấẩẫậẻẽẹềếểễệỉĩịỏọồốổỗộờớởỡợủũụừứửữựỳỷỹỵ"
)
# Marks a name or note may hold inside a word; other punctuation there, or a symbol among letters,
# is how a wrong code page shows (“£ukasz”, “Wroc³aw”, “ŽR“c”).
_LEGIT_MARKS = frozenset("'’‘-‐–·.")
_SYMBOL_MARKS = frozenset("‰†‡•¡¿§¶¤¦¨¯´¸")
_TOKENS = re.compile(r"[\s,;\"]+")

# A reading scores the suspicious things in it per character outside ASCII; the store's own code
# page is taken unless another reads clearly better, and readings closer than this are in doubt.
PRIOR_BONUS = 0.1
MARGIN = 0.05
GARBLED = 0.5
# The lines holding bytes outside ASCII are the evidence (the rest reads the same in all of them);
# 64 kB of them (a thousand lines of names) is evidence enough, and scoring them takes about 0.3 s.
EVIDENCE_BYTES = 64 * 1024


@dataclass
class Detection:
    encoding: str
    # Other encodings that read the file about as well, each with a word both read differently.
    alternatives: list[dict[str, str]] = field(default_factory=list)


def choice(name: str) -> str | None:
    """Our name for an encoding a person or program gave, or None when we do not read it."""
    key = (name or "").strip().lower().replace("_", "-")
    if key in CHOICES:
        return key
    if key == "shift-jis" or key == "sjis":
        return "shift_jis"
    try:
        python_name = codecs.lookup(key).name
    except LookupError:
        return None
    return _ALIASES.get(python_name) or (python_name if python_name in CHOICES else None)


def choices_label() -> str:
    return ", ".join(str(LABELS[c]) for c in CHOICES)


def country_code_page(country: str) -> str | None:
    country = (country or "").upper()
    if country in _OTHER_CODE_PAGES:
        return None
    return _COUNTRY_CODE_PAGES.get(country, "windows-1252" if country else None)


def _script(ch: str) -> str:
    o = ord(ch)
    if o < 0x250 or 0x1E00 <= o < 0x1F00:
        return "latin"
    if 0x370 <= o < 0x400 or 0x1F00 <= o < 0x2000:
        return "greek"
    if 0x400 <= o < 0x530:
        return "cyrillic"
    if 0x590 <= o < 0x600 or 0xFB1D <= o < 0xFB50:
        return "hebrew"
    if 0x600 <= o < 0x700 or 0x750 <= o < 0x780 or 0xFB50 <= o < 0xFE00 or 0xFE70 <= o < 0xFF00:
        return "arabic"
    if 0xFF61 <= o < 0xFFA0:
        return "halfwidth-kana"
    if 0x3040 <= o < 0x3100 or 0x31F0 <= o < 0x3200:
        return "kana"
    if 0xAC00 <= o < 0xD7B0 or 0x1100 <= o < 0x1200 or 0x3130 <= o < 0x3190:
        return "hangul"
    if 0x3400 <= o < 0xA000 or 0xF900 <= o < 0xFB00 or 0x20000 <= o < 0x30000 or ch in "々〆ヶ":
        return "han"
    return "other"


def _rarity(ch: str, encoding: str) -> float:
    """How unusual a character is in real text of a multi-byte encoding (0 common, 1 rare)."""
    if unicodedata.category(ch) in ("Co", "Cn", "Cc"):
        return 1.0
    script = _script(ch)
    if encoding == "gb18030" and script == "han":
        try:
            b = ch.encode("gb2312")
        except UnicodeEncodeError:
            return 1.0  # beyond GB2312's 6,763 characters: rare in names and notes
        return 0.25 if b[0] >= 0xD8 else 0.0  # level 2: the less common half
    if encoding == "shift_jis" and script == "han":
        b = ch.encode("cp932")
        return 0.5 if b[0] >= 0xED else 0.25 if (b[0], b[1]) >= (0x98, 0x9F) else 0.0
    if encoding == "big5" and script == "han":
        b = ch.encode("cp950")
        # Big5 orders its characters by frequency class: 5,401 common ones (A440–C67E), then 7,652 less
        # common (C940–F9D5), then Microsoft's few additions.
        return 0.0 if b < b"\xc6\x7f" else 0.25 if b < b"\xf9\xd6" else 0.5
    if script == "hebrew" and unicodedata.category(ch) == "Mn":
        return 0.5  # vowel points: names and notes are written without them
    if script == "arabic" and unicodedata.category(ch) == "Mn":
        return 0.5  # short-vowel marks, the same
    if encoding == "euc-kr":
        if script == "hangul":
            try:
                ch.encode("euc_kr")
            except UnicodeEncodeError:
                return 1.0  # one of the 8,822 syllables only Microsoft's extension has
            # Of KS X 1001's 2,350 syllables a few hundred write nearly every name and word; Chinese
            # read as Korean gives the others (“츌”, “뼝”).
            return 0.0 if ch in _COMMON_HANGUL else 0.5
        if script == "han":
            return 0.5  # hanja: seldom in a Korean customer list
    return 0.0


def _words(text: str) -> Iterable[str]:
    """Each run of letters (with their combining marks)."""
    start = None
    for i, ch in enumerate(text + " "):
        if ch.isalpha() or unicodedata.category(ch).startswith("M"):
            if start is None:
                start = i
        elif start is not None:
            yield text[start:i]
            start = None


def _lower(ch: str) -> str:
    return ch.lower()[:1]  # “İ” lowers to “i” and a combining dot


def _is_symbol(ch: str) -> bool:
    return not ch.isascii() and (unicodedata.category(ch)[0] in "SN" or ch in _SYMBOL_MARKS)


def _token_suspicion(token: str) -> float:
    """A cell's piece between spaces: a symbol among letters, or punctuation inside a word."""
    score = 0.0
    if any(ch.isalpha() for ch in token) and any(_is_symbol(ch) for ch in token):
        score += 1  # “£ukasz”, “Pawe³”, “Íõ·¼”
    elif len(token) >= 2 and not any(ch.isalnum() for ch in token):
        score += 1  # a cell of symbols alone: “±±¾©” is Chinese read as Western, “«״§»” Big5 as Hebrew
    for i in range(1, len(token) - 1):
        ch = token[i]
        if (
            not ch.isascii()
            and not ch.isalnum()
            and ch not in _LEGIT_MARKS
            and unicodedata.category(ch)[0] == "P"
            and token[i - 1].isalpha()
            and token[i + 1].isalpha()
        ):
            score += 1  # “ŽR“c”: a quotation mark inside a word
    return score


def _word_suspicion(word: str, encoding: str) -> float:
    scripts = {_script(ch) for ch in word}
    if len(scripts - {"han", "kana"}) + bool(scripts & {"han", "kana"}) > 1:
        return 1  # scripts mixed in one word: “M黮ler”, “Mьller”
    script = next(iter(scripts))
    if script == "hebrew":
        return sum(_rarity(ch, encoding) for ch in word) + _hebrew_suspicion(word)
    if script == "arabic" and unicodedata.category(word[0]) == "Mn":
        return sum(_rarity(ch, encoding) for ch in word) + 1  # a vowel mark on no letter
    if script in ("kana", "halfwidth-kana") and word[0] in _NO_WORD_START:
        return sum(_rarity(ch, encoding) for ch in word) + 1  # “ｷｨｨﾘｬﾀ” is fine, “ｨﾘｬﾀ” no word
    if script not in ("latin", "greek", "cyrillic"):
        return sum(_rarity(ch, encoding) for ch in word)
    score = 0.0
    if any(a.islower() and b.isupper() and not b.isascii() for a, b in itertools.pairwise(word)):
        score += 1  # a capital inside a word: “NguyêÞn”, “гНгП” (“McDonald” keeps plain letters)
    if script == "greek":
        score += _greek_suspicion(word)
    if script == "cyrillic" and len(word) >= 2 and (word[0] in "ъЪ" or word[-1] in "ъЪ"):
        score += 1  # no word starts or ends in a hard sign today; Hebrew's ת read as Cyrillic does
    if encoding == "windows-1258" and any(ch in _VIETNAMESE for ch in word.lower()):
        score += _vietnamese_suspicion(word.lower())
    if encoding == "windows-1257":
        score += _baltic_suspicion(word.lower())
    if encoding == "windows-1254" and word[0] in "ğĞ":
        score += 1  # no Turkish word starts with ğ: “Ğiauliai” is Lithuanian read as Turkish
    letters = [_lower(c) for c in word if c.isalpha()]
    accents = {c for c in letters if not c.isascii()}
    alphabets = _ALPHABETS.get(encoding)
    if script == "latin" and alphabets is not None and not any(accents <= a for a in alphabets):
        score += 1  # accents no one language writes together: “Dvoøák”
    if script == "latin" and len(letters) >= 2 and all(not c.isascii() for c in letters):
        score += 1  # no plain letter at all: “Èâàíîâà” is Cyrillic read as Western
    if accents & _RARE_LETTERS.get(encoding, frozenset()):
        score += 0.5
    if script == "greek" and sum(1 for c in letters if c in _GREEK_TONED) > 1:
        score += 1  # a Greek word carries one accent: “Θβΰνξβΰ” is Russian read as Greek
    vowels = sum(1 for c in letters if c in _VOWELS)
    if len(letters) >= 4 and vowels < 0.2 * len(letters):
        score += 1 if script != "latin" else 0.5  # “Рбрбдьрпхлпт” is Greek read as Cyrillic
    return score


# Small kana, the long-vowel mark and the voicing marks follow a kana: no Japanese word starts with one.
_NO_WORD_START = frozenset("ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮーｧｨｩｪｫｬｭｮｯｰﾞﾟ")
_FINAL_FORMS = frozenset("ךםןףץ")
_VIETNAMESE = frozenset("ăằắẳẵặđơờớởỡợưừứửữựảạẩẫậẻẽẹềếểễệỉĩịỏọồốổỗộủũụỳỷỹỵầấẩẫậ")
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")


def _greek_suspicion(word: str) -> float:
    """What Hebrew read as Greek looks like: a final sigma inside a word, a diaeresis on an iota or
    upsilon that follows no vowel (it parts two vowels), a lowercase word of several syllables
    without the accent Greek writes on every one."""
    score = 1.0 if "ς" in word[:-1] else 0.0
    lower = word.lower()
    for i, ch in enumerate(lower):
        if ch in "ϊϋΐΰ" and (i == 0 or lower[i - 1] not in "αεουάέόύ"):
            score += 1
    toned = any(ch in _GREEK_TONED for ch in lower)
    if word.islower() and len(word) >= 4 and not toned and sum(1 for ch in lower if ch in _VOWELS) >= 2:
        score += 0.5
    return score


def _baltic_suspicion(word: str) -> float:
    """Western letters read as Baltic: ė after a vowel (“Zoė”), Polish ć ń ś ź before one (Polish
    writes ci, ni, si, zi there: “Peńa”, “Sćo”), ų starting a word (“Ųrsted”)."""
    score = 0.0
    for i, ch in enumerate(word):
        after = word[i + 1] if i + 1 < len(word) else ""
        if (
            (ch == "ė" and i > 0 and word[i - 1] in _VOWELS)
            or (ch in "ćńśź" and after and after in _VOWELS)
            or (ch == "ų" and i == 0)
        ):
            score += 1
    return score


def _hebrew_suspicion(word: str) -> float:
    """A final letter inside a word (“ָגאםמגא” is Russian read as Hebrew), or a point on no letter."""
    score = 1.0 if any(ch in _FINAL_FORMS for ch in word[:-1]) else 0.0
    if unicodedata.category(word[0]) == "Mn":
        score += 1
    return score


def _vietnamese_suspicion(word: str) -> float:
    """A word with Vietnamese letters that is no Vietnamese syllable: two tones (a syllable has one),
    ă before a vowel or at the end (“Joăo” is Portuguese read as Vietnamese), đ after the start."""
    score = 0.0
    if sum(1 for ch in unicodedata.normalize("NFD", word) if ch in _TONES) > 1:
        score += 1
    for i, ch in enumerate(word):
        opens = i + 1 == len(word) or word[i + 1] in _VOWELS or not word[i + 1].isascii()
        if unicodedata.normalize("NFD", ch)[:2] == "a\u0306" and opens:
            score += 1
        if ch == "đ" and i > 0:
            score += 1
    return score


def _languages(accented: list[set[str]], encoding: str) -> int:
    """How many of the code page's languages it takes to write these words' accents (greedy)."""
    alphabets = _ALPHABETS.get(encoding)
    if not alphabets:
        return 1
    left = [a for a in accented if any(a <= alphabet for alphabet in alphabets)]
    count = 0
    while left:
        best = max(alphabets, key=lambda alphabet: sum(1 for a in left if a <= alphabet))
        left = [a for a in left if not a <= best]
        count += 1
    return max(count, 1)


def _suspicion(text: str, encoding: str) -> float:
    """The suspicious things in a reading, per piece of text holding characters outside ASCII."""
    score = 0.0
    pieces = 0
    accented: list[set[str]] = []
    han = korean_band = 0  # han characters, and those whose GB or Big5 bytes are also common Korean syllables
    for token in _TOKENS.split(text):
        if token.isascii():
            continue
        pieces += 1
        score += _token_suspicion(token)
        for word in _words(token):
            if word.isascii():
                continue
            score += _word_suspicion(word, encoding)
            if _script(word[0]) == "latin":
                accented.append({_lower(c) for c in word if not c.isascii()})
            if encoding in ("gb18030", "big5"):
                for ch in word:
                    if _script(ch) == "han":
                        han += 1
                        b = ch.encode(LEGACY[encoding])
                        korean_band += len(b) == 2 and 0xB0 <= b[0] <= 0xC8 and b[1] >= 0xA1
                    elif encoding == "big5" and not ch.isascii() and b"\xc6\xa1" <= ch.encode("cp950") < b"\xc9":
                        score += 1  # kana and Cyrillic between Big5's two levels: “Ч” is Chinese bytes
    score += 0.5 * (_languages(accented, encoding) - 1)
    score += sum(1 for ch in text if unicodedata.category(ch) in ("Cc", "Co", "Cn") and ch not in "\r\n\t")
    if han >= 6 and korean_band == han:
        # Common Korean syllables in EUC-KR are byte for byte common Chinese characters in GB18030 and
        # Big5; Chinese text has about half its characters outside that band (Big5: most), Korean none.
        score += 0.5 * han
    return score / max(pieces, 1)


def _evidence(chunks: Iterable[bytes]) -> bytes:
    """The lines holding bytes outside ASCII, up to EVIDENCE_BYTES; a line cut short is dropped."""
    kept: list[bytes] = []
    size = 0
    rest = b""
    for chunk in chunks:
        lines = (rest + chunk).split(b"\n")
        rest = lines.pop()
        for line in lines:
            if not line.isascii():
                kept.append(line)
                size += len(line) + 1
                if size >= EVIDENCE_BYTES:
                    return b"\n".join(kept)
    if rest and not rest.isascii():
        kept.append(rest)
    return b"\n".join(kept)


def _first_difference(ours: str, theirs: str) -> tuple[str, str]:
    """The first word two readings of the same lines read differently."""
    for a, x in zip(_TOKENS.split(ours), _TOKENS.split(theirs), strict=False):
        if a != x:
            return a, x
    return ours[:40], theirs[:40]


def read(data: bytes, encoding: str) -> str:
    """Bytes in one of our code pages as text, composed where the code page writes marks apart."""
    text = data.decode(LEGACY[encoding])
    return unicodedata.normalize("NFC", text) if encoding in COMPOSED else text


def detect(chunks: Iterable[bytes], *, prefer: str | None = None) -> Detection | None:
    """The code page that reads these bytes best, with the others that read them about as well;
    None when none of ours decodes them."""
    evidence = _evidence(chunks)
    readings: dict[str, str] = {}
    for name in LEGACY:
        try:
            readings[name] = read(evidence, name)
        except UnicodeDecodeError:
            continue
    if not readings:
        return None
    scores = {}
    for name, text in readings.items():
        scores[name] = _suspicion(text, name) - (PRIOR_BONUS if name == prefer else 0.0)
    order = list(LEGACY)
    best = min(readings, key=lambda n: (scores[n], order.index(n)))
    top = scores[best]
    if top >= GARBLED and readings.keys() <= _EVERY_BYTE:
        return None  # only a code page that decodes anything reads it, and it reads as garbage
    # Code pages that read the lines exactly alike are one reading, named by the most common of them
    # (“Müller, Zoë, café, €” is Western European in a Polish store too).
    best = next(n for n in order if n in readings and readings[n] == readings[best])
    alternatives = []
    # When even the best reading looks wrong, every reading is in doubt: a person chooses.
    margin = MARGIN if top < GARBLED else float("inf")
    for name in order:
        # A code page that reads these lines exactly alike is no doubt (“Müller” is the same in three).
        close = name != best and name in readings and scores[name] - top < margin
        if close and readings[name] != readings[best]:
            ours, theirs = _first_difference(readings[best], readings[name])
            alternatives.append({"encoding": name, "ours": ours, "theirs": theirs})
    return Detection(best, alternatives)
