"""Tests for checker.normalise.text: normalisation, legacy TCVN3/VNI repair and comparison keys."""

from __future__ import annotations

import random
import re
import unicodedata

import pytest

from checker.normalise import legacy as legacy_module  # the fast paths' internals
from checker.normalise import text as text_module
from checker.normalise.legacy import looks_legacy, repair_legacy
from checker.normalise.syllable import is_vietnamese_syllable
from checker.normalise.text import clean_text, is_nfc, list_key, name_key, nfc, person_key, strip_diacritics

# ---------------------------------------------------------------------------------------------
# Encoders written independently of checker.normalise.text, from domain.md §4.2, to build legacy input.

GRAVE, ACUTE, TILDE, HOOK, DOT = "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"
CIRCUMFLEX, BREVE, HORN = "\u0302", "\u0306", "\u031b"

# TCVN3 bytes per vowel, in the order: no tone, huyền, hỏi, ngã, sắc, nặng (None = plain ASCII).
TCVN3_ROWS = {
    "a": (None, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9), "ă": (0xA8, 0xBB, 0xBC, 0xBD, 0xBE, 0xC6),
    "â": (0xA9, 0xC7, 0xC8, 0xC9, 0xCA, 0xCB), "e": (None, 0xCC, 0xCE, 0xCF, 0xD0, 0xD1),
    "ê": (0xAA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6), "i": (None, 0xD7, 0xD8, 0xDC, 0xDD, 0xDE),
    "o": (None, 0xDF, 0xE1, 0xE2, 0xE3, 0xE4), "ô": (0xAB, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9),
    "ơ": (0xAC, 0xEA, 0xEB, 0xEC, 0xED, 0xEE), "u": (None, 0xEF, 0xF1, 0xF2, 0xF3, 0xF4),
    "ư": (0xAD, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9), "y": (None, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE),
}
TCVN3_ENCODE = {"đ": "\xae"} | dict(zip("ĂÂÊÔƠƯĐ", "\xa1\xa2\xa3\xa4\xa5\xa6\xa7"))
for _vowel, _codes in TCVN3_ROWS.items():
    for _tone, _code in zip(("", GRAVE, HOOK, TILDE, ACUTE, DOT), _codes):
        if _code is not None:
            TCVN3_ENCODE[unicodedata.normalize("NFC", _vowel + _tone)] = chr(_code)
VIETNAMESE_LETTERS = {c for c in TCVN3_ENCODE} | {c.upper() for c in TCVN3_ENCODE}


def encode_tcvn3(s: str) -> str | None:
    """TCVN3 (ABC) form of ``s``, or None when it needs an uppercase toned letter ABC lacks."""
    out = []
    for c in s:
        if c in TCVN3_ENCODE:
            out.append(TCVN3_ENCODE[c])
        elif c in VIETNAMESE_LETTERS:
            return None
        else:
            out.append(c)
    return "".join(out)


VNI_TONE = {GRAVE: "ø", ACUTE: "ù", HOOK: "û", TILDE: "õ", DOT: "ï"}
VNI_CIRCUMFLEX = {"": "â", GRAVE: "à", ACUTE: "á", HOOK: "å", TILDE: "ã", DOT: "ä"}
VNI_BREVE = {"": "ê", GRAVE: "è", ACUTE: "é", HOOK: "ú", TILDE: "ü", DOT: "ë"}
VNI_I = {"": "i", GRAVE: "ì", ACUTE: "í", HOOK: "æ", TILDE: "ó", DOT: "ò"}


def encode_vni_letter(c: str) -> str:
    """VNI-Windows bytes (as Latin-1 text) of one letter, built from its base, quality and tone."""
    if c in "đĐ":
        return "ñ" if c == "đ" else "Ñ"
    parts = unicodedata.normalize("NFD", c.lower())
    base, marks = parts[0], parts[1:]
    tone = next((m for m in marks if m in VNI_TONE), "")
    if base == "i":
        code = VNI_I[tone]
    elif base == "y" and tone == DOT:
        code = "î"
    elif CIRCUMFLEX in marks:
        code = base + VNI_CIRCUMFLEX[tone]
    elif BREVE in marks:
        code = base + VNI_BREVE[tone]
    elif HORN in marks:
        code = {"o": "ô", "u": "ö"}[base] + VNI_TONE.get(tone, "")
    else:
        code = base + VNI_TONE.get(tone, "")
    return code.upper() if c.isupper() else code


def encode_vni(s: str) -> str:
    """VNI-Windows form of ``s``."""
    return "".join(encode_vni_letter(c) if c in VIETNAMESE_LETTERS else c for c in s)


# ---------------------------------------------------------------------------------------------
# Corpus of genuine Unicode Vietnamese (NFC): 34 sentences quoted from Plan 327/KH-SVHTT
# (shared/seed/000_d3d0479d1f7067b5.txt), the 24 unit names, 16 people's names covering all six
# tones and 13 short cells: 87 entries.
# * 87/87 come back unchanged from repair_legacy, with no font, a TCVN3 font or a VNI font.
# * VNI: 86/87 round-trip exactly, with the VNI font and without any font.
# * TCVN3: 84/87 can be encoded (ABC lacks uppercase toned letters; the 5 all-caps lines go through
#   an H font); 82/84 round-trip exactly with the font, and also without it (then all-caps lines
#   come back lowercase, as nothing says the font drew capitals).
# * The misses are AMBIGUOUS: every changed word is a valid syllable both as it stands and
#   decoded (VNI "Soá" = Số, TCVN3 "Sè" = Số, TCVN3 "Cã" = Có), so the cell is left unchanged.
AMBIGUOUS = {"VNI": {"Số: 327 /KH-SVHTT"}, "TCVN3": {"Số: 327 /KH-SVHTT", "Có"}}

PLAN = [
    "Số: 327 /KH-SVHTT",
    "Hà Nội, ngày 27 tháng 4 năm 2023",
    "KẾ HOẠCH",
    "Đẩy mạnh phong trào thi đua “Người tốt, việc tốt” Sở Văn hoá và Thể thao năm 2023",
    (
        "Thực hiện Chỉ thị số 20-CT/TU ngày 26/12/2022 của Ban Thường vụ Thành uỷ và Công văn số "
        "698/UBND-BTĐ ngày 16/3/2023 của UBND Thành phố"
    ),
    "I. MỤC ĐÍCH, YÊU CẦU",
    (
        "- Thông qua các hoạt động nhằm khơi dậy tinh thần thi đua, yêu nước, truyền thống văn "
        "hiến của Thủ đô, thiết thực tổ chức các hoạt động tại các đơn vị kỷ niệm 75 năm Ngày Chủ "
        "tịch Hồ Chí Minh ra “Lời kêu gọi thi đua ái quốc” (11/6/1948-11/6/2023)."
    ),
    (
        "- Đẩy mạnh công tác tuyên truyền, nêu gương các điển hình tiên tiến, người tốt, việc tốt "
        "trên các phương tiện thông tin đại chúng, công thông tin điện tử của Sở."
    ),
    "Tiếp tục xây dựng, nhân rộng các điển hình tiên tiến trong các lĩnh vực đời sống xã hội",
    (
        "- Nâng cao nhận thức và trách nhiệm của các cấp uỷ, chính quyền, các đoàn thể và của mỗi "
        "cán bộ, công chức, viên chức, người lao động về công tác thi đua khen thưởng nói chung"
    ),
    (
        "- Biểu dương tôn vinh các điển hình tiên tiến, người tốt việc tốt trong các phong trào "
        "thi đua yêu nước và phong trào “Người tốt, việc tốt”."
    ),
    "đảm bảo các yêu cầu về phòng chống dịch bệnh COVID - 19 theo quy định.",
    (
        "Các gương điển hình tiêu biểu được biểu dương tại Hội nghị thực sự lan toả trong xã hội, "
        "có ý nghĩa tuyên truyền, giáo dục cao."
    ),
    "II. NỘI DUNG HOẠT ĐỘNG",
    (
        "1. Quán triệt sâu sắc tư tưởng Hồ Chí Minh về thi đua ái quốc, Chỉ thị số 34-CT/TW ngày "
        "07/4/2014 của Bộ Chính trị về “Tiếp tục đổi mới công tác thi đua, khen thưởng”"
    ),
    (
        "Nghị quyết đại hội đại biểu Đảng bộ Thành phố lần thứ XVII gắn với “Học tập và làm theo "
        "tư tưởng, đạo đức, phong cách Hồ Chí Minh”."
    ),
    (
        "2. Tổ chức các phong trào thi đua sôi nổi, thiết thực nhằm phát huy sức mạnh của cả hệ "
        "thống chính trị, tạo sự đồng thuận của toàn Ngành"
    ),
    (
        "thực hành tiết kiệm, chống lãng phí; đảm bảo an sinh xã hội, giảm nghèo, phòng chống "
        "thiên tai, dịch bệnh, giữ vững ổn định chính trị, an ninh trật tự, an toàn xã hội."
    ),
    (
        "“Toàn dân chung sức xây dựng nông thôn mới” giai đoạn 2021 - 2025, “Doanh nghiệp Thủ đô "
        "hội nhập và phát triển”"
    ),
    (
        "“Cả nước chung ta vì người nghèo. không để ai bị bỏ lại phía sau”, “An toàn thực phẩm”, "
        "“Cải cách hành chính”."
    ),
    (
        "4. Các đơn vị trong Sở tổ chức đợt thi đua theo tinh thần “Đoàn kết, sáng tạo, thi đua "
        "xây dựng và bảo vệ Tổ quốc”, bám sát 5 nhiệm vụ trọng tâm, 3 khâu đột phá"
    ),
    "III. THỜI GIAN THỰC HIỆN: Từ nay đến ngày 10/10/2023.",
    "IV. TỔ CHỨC THỰC HIỆN",
    "- Xây dựng dự toán kinh phí để triển khai thực hiện.",
    (
        "Hướng dẫn các đơn vị xây dựng dự toán kinh phí để tổ chức thực hiện; hướng dẫn thực hiện "
        "thanh, quyết toán kinh phí bảo đảm đúng quy định."
    ),
    (
        "- Các đơn vị xây dựng kế hoạch để tổ chức thực hiện phong trào thi đua “Người tốt, việc "
        "tốt” đảm bảo thiết thực, hiệu quả, có sức lan toả sâu rộng, lôi cuốn được toàn đơn vị "
        "hưởng ứng tham gia."
    ),
    "V. KHEN THƯỞNG",
    (
        "Mỗi đơn vị giới thiệu tối thiểu 01 gương điển hình tiên tiến, “Người tốt, việc tốt” gửi "
        "về Hội đồng Thi đua - Khen thưởng Sở (qua Văn phòng Sở) trước ngày 20 hàng tháng để xem "
        "xét, giới thiệu Thành phố khen thưởng."
    ),
    (
        "(Lưu ý: Cá nhân đề nghị khen thưởng “Người tốt, việc tốt” phải là người có nhiều việc làm "
        "tốt, có hành động thể hiện nghĩa cử cao đẹp, được cộng đồng và xã hội ghi nhận;"
    ),
    (
        "Là tấm gương tiêu biểu trong phong trào thi đua yêu nước, đầu tàu, gương mẫu, được tập "
        "thể hoặc cộng đồng quý trọng, suy tôn)."
    ),
    (
        "Trong quá trình triển khai thực hiện nếu gặp khó khăn vướng mắc, các đơn vị báo cáo về Sở "
        "Văn hoá và Thể thao (qua Văn phòng Sở) để hướng dẫn./."
    ),
    "- Cụm thi đua số 7 TP (các Sở: Y tế; GDĐT; TTTT; KH-CN; LĐTBXH);",
    "- Đ/c CVP Sở;",
    "- Lưu: VT, TĐKT_(Q)",
]
UNITS = [
    "Văn phòng Sở", "Thanh tra Sở", "Phòng Kế hoạch - Tài chính", "Phòng Tổ chức – Pháp chế",
    "Phòng Quản lý Văn hóa", "Phòng Quản lý Nghệ thuật",
    "Phòng Xây dựng nếp sống văn hóa và gia đình", "Phòng Quản lý Di sản văn hóa",
    "Phòng Quản lý Thể dục thể thao", "Nhà hát Ca Múa Nhạc Thăng Long",
    "Nhà hát Múa rối Thăng Long", "Nhà hát Kịch Hà Nội", "Nhà hát Chèo Hà Nội",
    "Nhà hát Cải lương Hà Nội", "Nhà hát Xiếc và Tạp kỹ Hà Nội", "Bảo tàng Hà Nội",
    "Thư viện Hà Nội", "Ban Quản lý di tích danh thắng Hà Nội",
    "Ban Quản lý Di tích Nhà tù Hỏa Lò",
    "Trung tâm Hoạt động Văn hóa Khoa học Văn Miếu - Quốc Tử Giám", "Trung tâm Văn hóa Hà Nội",
    "Trung tâm Thông tin Triển lãm Hà Nội",
    "Trung tâm Huấn luyện và Thi đấu thể dục thể thao Hà Nội",
    "Trường Phổ thông năng khiếu Thể dục thể thao Hà Nội",
]
PEOPLE = [
    "Trần Thị Vân Anh", "Nguyễn Thị Ánh", "Nguyễn Văn Hùng", "Lê Thị Hồng Nhung", "Phạm Quốc Việt",
    "Hoàng Thị Thuỷ", "Vũ Đức Thắng", "Đặng Thị Ngọc Ánh", "Bùi Thị Hải Yến", "Đỗ Mạnh Hùng",
    "Ngô Thị Kim Chi", "Dương Văn Khải", "Lý Thị Mỹ Lệ", "Trịnh Văn Quyết", "Huỳnh Thị Tuyết Mai",
    "Tô Hoài",
]
SHORT = ["Có", "Không", "Nam", "Nữ", "x", "Đạt", "Cá nhân", "Tập thể", "cô", "Toàn", "Bà", "Ông",
         "Hà Nội"]
CORPUS = PLAN + UNITS + PEOPLE + SHORT
FONTS = [None, ".VnTime", "VNI-Times"]


def test_corpus_size_and_form():
    """The corpus has the documented 87 distinct NFC entries, 84 of them TCVN3-encodable."""
    assert len(CORPUS) == len(set(CORPUS)) == 87
    assert all(is_nfc(s) for s in CORPUS)
    assert sum(encode_tcvn3(s.lower() if s == s.upper() else s) is not None for s in CORPUS) == 84


@pytest.mark.parametrize("font", FONTS)
def test_corpus_unchanged(font):
    """No genuine Unicode entry of the corpus is changed, whatever the font claims."""
    changed = [s for s in CORPUS if repair_legacy(s, font) != (s, None)]
    assert changed == []


def test_corpus_round_trips_through_vni():
    """Every corpus entry encoded as VNI decodes back exactly, with or without the VNI font."""
    failures, done = [], 0
    for s in CORPUS:
        encoded = encode_vni(s)
        if s in AMBIGUOUS["VNI"]:
            expected = (encoded, None)
        else:
            expected = (s, "VNI" if encoded != s else None)
        for font in ("VNI-Times", None):
            if repair_legacy(encoded, font) != expected:
                failures.append((font, s))
        done += s not in AMBIGUOUS["VNI"]
    assert failures == [] and done == 86


def test_corpus_round_trips_through_tcvn3():
    """Every TCVN3-encodable corpus entry decodes back exactly; all-caps ones via an H font."""
    failures, done = [], 0
    for s in CORPUS:
        caps = s == s.upper() and s != s.lower()
        encoded = encode_tcvn3(s.lower() if caps else s)
        if encoded is None:
            continue
        if s in AMBIGUOUS["TCVN3"]:
            with_font = without_font = (encoded, None)
        else:
            with_font = (s, "TCVN3" if encoded != s else None)
            without_font = (s.lower(), with_font[1]) if caps else with_font
            done += 1
        if repair_legacy(encoded, ".VnTimeH" if caps else ".VnTime") != with_font:
            failures.append(("font", s))
        if repair_legacy(encoded) != without_font:
            failures.append(("no font", s))
    assert failures == [] and done == 82


# ---------------------------------------------------------------------------------------------
# Legacy repair: verified round-trips, H fonts, genuine text

VERIFIED = [
    ("Hµ Néi", "Hà Nội", "TCVN3"),
    ("ng\xadêi tèt, viÖc tèt", "người tốt, việc tốt", "TCVN3"),
    ("Së V¨n ho¸ vµ ThÓ thao", "Sở Văn hoá và Thể thao", "TCVN3"),
    ("Th\xad viÖn Hµ Néi", "Thư viện Hà Nội", "TCVN3"),
    ("§oµn kÕt", "Đoàn kết", "TCVN3"),
    ("Haø Noäi", "Hà Nội", "VNI"),
    ("ngöôøi toát, vieäc toát", "người tốt, việc tốt", "VNI"),
    ("ñôn vò", "đơn vị", "VNI"),
    ("Myõ Ñöùc", "Mỹ Đức", "VNI"),
    ("kyû nieäm", "kỷ niệm", "VNI"),
]


@pytest.mark.parametrize("legacy, unicode, encoding", VERIFIED)
@pytest.mark.parametrize("font", FONTS)
def test_verified_round_trips(legacy, unicode, encoding, font):
    """The round-trips verified in domain.md §4.2 decode from characters alone, any font."""
    assert repair_legacy(legacy, font) == (unicode, encoding)


@pytest.mark.parametrize("legacy, font, expected", [
    ("hµ néi", ".VnTimeH", "HÀ NỘI"),
    ("Së v¨n ho¸ vµ thÓ thao", ".VnArialH", "SỞ VĂN HOÁ VÀ THỂ THAO"),
    ("Hµ Néi", ".VnTime", "Hà Nội"),
])
def test_tcvn3_h_font_upper_cases(legacy, font, expected):
    """Text in a TCVN3 "H" font is decoded and then upper-cased, as the font draws it."""
    assert repair_legacy(legacy, font) == (expected, "TCVN3")


GENUINE = [
    "cô", "Hà Nội", "Đoàn kết", "Nguyễn Thị Ánh", "Có", "Toàn", "Tô Hoài", "hello world",
    "COVID - 19", "12345", "3,5", "nguyen.van.a@gmail.com", "https://sovhtt.hanoi.gov.vn/tin-tuc",
    "café", "crème brûlée", "naïve", "Müller", "señor", "Noël", "Straße", "Guðrún", "5 × 3",
    "© 2023", "50°C", "«Hello»", "Ø", "½", "Hoa\u0300ng",  # last: NFD, left for clean_text
]


@pytest.mark.parametrize("s", GENUINE)
@pytest.mark.parametrize("font", FONTS + [".VnTimeH", "VNI-Helve"])
def test_genuine_text_is_never_changed(s, font):
    """Unicode Vietnamese, ASCII, e-mail, URLs and accented foreign words come back unchanged."""
    assert repair_legacy(s, font) == (s, None)


@pytest.mark.parametrize("s, expected", [
    ("Haø Noäi", True), ("Hµ Néi", True), ("Coù", True), ("Hà Nội", False), ("café", False),
    ("abc", False), ("", False),
])
def test_looks_legacy(s, expected):
    """looks_legacy flags cells a TCVN3 or VNI font would decode, so their font is worth reading."""
    assert looks_legacy(s) is expected


def test_acronyms_with_d_do_not_block_repair():
    """Official acronyms such as TĐKT are neutral when scoring a decoding."""
    assert repair_legacy("Löu: VT, TÑKT_(Q)") == ("Lưu: VT, TĐKT_(Q)", "VNI")
    assert repair_legacy("L\xadu: VT, T§KT_(Q)") == ("Lưu: VT, TĐKT_(Q)", "TCVN3")


@pytest.mark.parametrize("word, expected", [
    ("người", True), ("quyết", True), ("gì", True), ("khuỷu", True), ("xoong", False),
    ("Thuỷ", True), ("thủy", True), ("tốt", True), ("tồt", False), ("café", False),
    ("ñôn", False), ("hello", False), ("giường", True), ("thuở", True), ("ngưòi", False),
    ("soá", True), ("toaỷ", False), ("hòan", False), ("chýnh", False), ("quỳnh", True), ("", False),
])
def test_is_vietnamese_syllable(word, expected):
    """The validator wants onset + rhyme + one well-placed tone, stop codas only with sắc/nặng."""
    assert is_vietnamese_syllable(word) is expected


# ---------------------------------------------------------------------------------------------
# Normalisation


def test_nfd_input_becomes_nfc():
    """Decomposed input (macOS, Unikey "tổ hợp") is composed: 28 code points become 19."""
    decomposed = unicodedata.normalize("NFD", "Người tốt, việc tốt")
    assert len(decomposed) == 28 and not is_nfc(decomposed)
    assert nfc(decomposed) == "Người tốt, việc tốt" and len(nfc(decomposed)) == 19
    assert clean_text(decomposed) == "Người tốt, việc tốt"


@pytest.mark.parametrize("s, expected", [
    ("Ðoàn kết", "Đoàn kết"),
    ("ðoàn", "đoàn"),
    ("Ð/c Nguyễn Văn A", "Đ/c Nguyễn Văn A"),
    ("ÐẠT", "ĐẠT"),
    ("Guðrún", "Guðrún"),
    ("bÐ", "bÐ"),  # TCVN3 "bé" left unrepaired: not mapped to Đ
])
def test_eth_look_alikes(s, expected):
    """Ð/ð become Đ/đ only in Vietnamese text."""
    assert nfc(s) == expected


@pytest.mark.parametrize("s, expected", [
    ("  Nguyễn\u00a0Văn   A \t", "Nguyễn Văn A"),
    ("dòng 1  \r\n\r\n  dòng 2\rdòng 3", "dòng 1\ndòng 2\ndòng 3"),
    ("Thư\xad viện\u200b", "Thư viện"),
    ("ng\xadêi", "ng\xadêi"),  # possible TCVN3 "ư": kept
    ("\ufeffCó", "Có"),
    ("", ""),
])
def test_clean_text(s, expected):
    """clean_text collapses spaces, keeps line breaks, drops soft hyphens only in Unicode text."""
    assert clean_text(s) == expected


def test_soft_hyphen_repaired_before_cleaning():
    """Repair then clean keeps TCVN3 "ư" that cleaning first would have lost."""
    raw = "Th\xad viÖn\u00a0 Hµ Néi "
    repaired, encoding = repair_legacy(raw, ".VnTime")
    assert (clean_text(repaired), encoding) == ("Thư viện Hà Nội", "TCVN3")


# ---------------------------------------------------------------------------------------------
# Comparison keys


@pytest.mark.parametrize("s, expected", [
    ("Đoàn kết", "Doan ket"), ("NGƯỜI TỐT", "NGUOI TOT"), ("ðỗ", "do"), ("Hoa\u0300ng", "Hoang"),
])
def test_strip_diacritics(s, expected):
    """strip_diacritics removes all marks and maps đ/Đ to d/D."""
    assert strip_diacritics(s) == expected


@pytest.mark.parametrize("a, b", [
    ("Văn hoá", "văn hóa "), ("Cá  nhân", "cá nhân"), ("Thành uỷ", "Thành ủy"),
    ("hoà", "hòa"), ("thuỷ", "thủy"), ("khoẻ", "khỏe"),
    ("Kế hoạch -Tài chính", "kế hoạch – tài chính"),
    ("a ,b", "a,b"), ("“Người tốt”", '"người tốt"'), ("Ðạt", "Đạt"), ("Có\u00a0", "có"),
    (unicodedata.normalize("NFD", "Quý"), "quý"),
])
def test_list_key_equal(a, b):
    """list_key ignores case, spacing, dash style, NFD and tone placement."""
    assert list_key(a) == list_key(b)


@pytest.mark.parametrize("a, b", [
    ("Nam", "Năm"), ("Có", "Cỏ"), ("Nữ", "Nu"), ("Đạt", "Dat"), ("hoà", "hoa"), ("Toàn", "Tòan x"),
])
def test_list_key_different(a, b):
    """list_key keeps diacritics, so different words stay different."""
    assert list_key(a) != list_key(b)


def test_list_key_value():
    """list_key puts the tone on the last vowel of a final oa/oe/uy and tidies dashes."""
    assert list_key("  Thể dục  thể thao – Văn hóa ") == "thể dục thể thao-văn hoá"
    assert list_key("Uỷ ban, Thủy") == "uỷ ban, thuỷ"


ABBREVIATIONS = {"TT": "Trung tâm", "NH": "Nhà hát", "TDTT": "Thể dục thể thao",
                 "BQL": "Ban Quản lý", "VH": "Văn hóa", "HN": "Hà Nội", "TP": "Thành phố"}
SUFFIXES = ["Hà Nội", "thành phố Hà Nội", "TP Hà Nội", "Thành phố"]


@pytest.mark.parametrize("raw, canonical", [
    ("NH Chèo HN", "Nhà hát Chèo Hà Nội"),
    ("Nha hat cheo", "Nhà hát Chèo Hà Nội"),
    ("TT Thông tin Triển lãm", "Trung tâm Thông tin Triển lãm Hà Nội"),
    ("Trung tâm Thông tin - Triển lãm TP Hà Nội", "Trung tâm Thông tin Triển lãm Hà Nội"),
    ("Thư viện Thành phố Hà Nội", "Thư viện Hà Nội"),
    ("TT. Văn hoá TP", "Trung tâm Văn hóa Hà Nội"),
    ("TT HL và Thi đấu TDTT", "Trung tâm HL và Thi đấu thể dục thể thao"),
    ("BQL Di tích Nhà tù Hoả Lò", "Ban Quản lý Di tích Nhà tù Hỏa Lò"),
])
def test_name_key_matches_variants(raw, canonical):
    """Abbreviations are expanded and place suffixes dropped, so unit name variants share a key."""
    assert name_key(raw, ABBREVIATIONS, SUFFIXES) == name_key(canonical, ABBREVIATIONS, SUFFIXES)


def test_name_key_values():
    """name_key gives plain lowercase ASCII-like keys and never drops a name to nothing."""
    assert name_key("Nhà hát Chèo Hà Nội", ABBREVIATIONS, SUFFIXES) == "nha hat cheo"
    assert name_key("Phòng Tổ chức – Pháp chế") == "phong to chuc phap che"
    assert name_key("“Đoàn Xiếc” (cũ), Hà Nội.") == "doan xiec cu ha noi"
    assert name_key("Hà Nội", ABBREVIATIONS, SUFFIXES) == "ha noi"
    assert name_key("TTTT", {"TT": "Trung tâm"}) == "tttt"  # whole tokens only


@pytest.mark.parametrize("raw, expected", [
    ("Ông Nguyễn Văn Hùng", "nguyen van hung"),
    ("bà  Trần Thị Vân Anh", "tran thi van anh"),
    ("Đ/c Lê Thị Hồng Nhung", "le thi hong nhung"),
    ("đ / c: Phạm Quốc Việt", "pham quoc viet"),
    ("Đồng chí Vũ Đức Thắng", "vu duc thang"),
    ("Chị Ngô Thị Kim Chi", "ngo thi kim chi"),
    ("Anh Đỗ Mạnh Hùng", "do manh hung"),
    ("Chi Mai", "chi mai"),  # "Chi" is a name, not "Chị"
    ("Bà", "ba"),  # an honorific alone is kept rather than leaving nothing
])
def test_person_key(raw, expected):
    """person_key strips leading honorifics and otherwise equals name_key."""
    assert person_key(raw) == expected


# ---------------------------------------------------------------------------------------------
# Property: random word sequences from the corpus are never mis-decoded

CORPUS_WORDS = sorted({w for s in CORPUS for w in re.findall(r"[^\W\d_]+", s)})


def test_random_sequences_are_never_mis_decoded():
    """Genuine sequences stay unchanged; their legacy forms decode exactly or are left as they are.

    5,000 seeded sequences of 1–5 corpus words; a legacy form may stay undecoded when every word
    reads validly both ways (single ambiguous words such as "Hoàng" = VNI "Hồng"), but it is never
    decoded into anything other than the original.
    """
    rng = random.Random(327)
    wrong, decoded, kept = [], 0, 0
    for _ in range(5000):
        s = " ".join(rng.choice(CORPUS_WORDS) for _ in range(rng.randint(1, 5)))
        if repair_legacy(s) != (s, None):
            wrong.append(s)
        for encoded in (encode_vni(s), encode_tcvn3(s)):
            if encoded is None or encoded == s:
                continue
            out = repair_legacy(encoded)[0]
            if out not in (s, encoded):
                wrong.append((s, encoded, out))
            decoded, kept = decoded + (out == s), kept + (out == encoded)
    assert wrong == []
    assert decoded > 10 * kept  # nearly every sequence carries enough evidence to decode

# ---------------------------------------------------------------------------------------------
# Fast paths: each gives what the slow path gives, on tricky inputs (NFD, TCVN3, VNI, zero-width
# and non-breaking spaces, soft hyphens, Ð look-alikes, line breaks, formulas as text)

TRICKY = [
    "Nguyễn Văn A", "Hoa\u0300ng", "Nguye\u0302\u0303n", "Hà\u00a0Nội", "Hà\u200bNội", "\ufeffCó", "Có\u2060",
    "  Hà Nội ", "Hà  Nội", "Hà\tNội", "dòng 1\r\ndòng 2", "a\rb", " \n x \n\n y ", "tr\xadêng", "Tr\xadong",
    "Ðoàn kết", "Guðrún", "chÝnh quyÒn", "Haø Noäi", "Hµ Néi", "=SUM(A1:A3)", "=HYPERLINK(\"x\")", "",
    " ", "\u3000", "x\u2028y", "x\x85y", "x\x1cy", "x\u202fy", "a\u00adb", "café", "Ø", "Hoà\u0301",
    "\u0301", "가나", "\u1100\u1161", "Ω\u0301", "ﬁ", "Ａ", "123", "1\u00a0000", "TĐKT", "COVID - 19",
]
TRICKY_ALPHABET = sorted(set("".join(TRICKY)) | set("aăâeêoôơuưyđ AĐ.\n\r\t,") | {"\u0300", "\u0303", "\u0323"})


def _tricky_strings(n: int = 3000) -> list[str]:
    rng = random.Random(18)
    return TRICKY + [s.encode("ascii", "ignore").decode() for s in TRICKY] + CORPUS + [
        "".join(rng.choice(TRICKY_ALPHABET) for _ in range(rng.randint(1, 12))) for _ in range(n)]


def _reference_strip(s: str) -> str:
    """strip_diacritics as it was written before its per-character table."""
    s = unicodedata.normalize("NFD", s.translate(str.maketrans("đĐðÐ", "dDdD")))
    return unicodedata.normalize("NFC", "".join(c for c in s if not unicodedata.combining(c)))


def test_clean_text_fast_path_agrees_with_the_full_clean_up():
    """clean_text's shortcut for text already clean returns what the full clean-up returns, on every input."""
    slow = text_module._clean_text.__wrapped__
    differ = [s for s in _tricky_strings() if s and clean_text(s) != slow(s)]
    assert differ == []


@pytest.mark.parametrize("s, fast", [
    ("Nguyễn Văn A", True), ("hello world", True), ("=SUM(A1:A3)", True), ("Hoa\u0300ng", False),
    ("Hà\u00a0Nội", False), ("Hà\u200bNội", False), ("Hà  Nội", False), (" Có", False), ("a\nb", False),
    ("tr\xadêng", False), ("Ðoàn", False),
])
def test_clean_text_fast_path_is_taken_for_clean_text_only(s, fast):
    """The shortcut is taken for ASCII or NFC text with single spaces, never for text that needs a change."""
    assert text_module._already_clean(s) is fast


def test_nfc_fast_path_agrees():
    """nfc's ASCII shortcut: the same as NFC plus the Ð mapping, on every input."""
    differ = [s for s in _tricky_strings() if s.isascii() and nfc(s) != unicodedata.normalize("NFC", s)]
    assert differ == [] and nfc("Ðoàn") == "Đoàn"


def test_strip_diacritics_table_agrees_with_nfd_filtering():
    """strip_diacritics by its per-character table equals filtering the whole NFD form (Hangul, NFD, Ð)."""
    differ = [s for s in _tricky_strings() if strip_diacritics(s) != _reference_strip(s)]
    assert differ == [] and strip_diacritics("Nguye\u0302\u0303n Ðức") == "Nguyen Duc"


def test_looks_legacy_pre_tests_agree_with_the_decoders():
    """looks_legacy's cheap pre-tests give what trying both decoders gives, on Unicode, TCVN3 and VNI text."""
    inputs = _tricky_strings()
    inputs += [e for s in CORPUS + PEOPLE for e in (encode_vni(s), encode_tcvn3(s)) if e is not None]
    full = {s: any(repair_legacy(s, font)[1] for font in (".VnTime", "VNI-Times")) for s in inputs}
    assert {s: looks_legacy(s) for s in inputs} == full
    assert sum(full.values()) > 100  # legacy inputs were among them


def test_repair_legacy_pre_test_skips_only_text_without_a_legacy_letter():
    """Text without any character a legacy word is made of is returned unchanged at once; TCVN3 is still read."""
    assert legacy_module._LEGACY_LETTER.search("Hà Nội") and not legacy_module._LEGACY_LETTER.search("Ả Ơ ≥ “x”")
    assert repair_legacy("Ả Ơ ≥ “x”", ".VnTime") == ("Ả Ơ ≥ “x”", None)
    assert repair_legacy("Hµ Néi") == ("Hà Nội", "TCVN3")


def test_cached_keys_agree_with_their_uncached_functions():
    """person_key, list_key and the plain key are cached; cached and fresh results are equal."""
    for s in _tricky_strings(500):
        assert person_key(s) == person_key.__wrapped__(s)
        assert list_key(s) == list_key.__wrapped__(s)
        assert text_module._plain_key(s) == text_module._plain_key.__wrapped__(s)
