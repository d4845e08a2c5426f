"""Legacy 8-bit Vietnamese encodings (TCVN3/ABC and VNI-Windows) found in old spreadsheets.

Pure functions, standard library only: :func:`repair_legacy` decodes a cell written in a legacy
font, :func:`looks_legacy` tells a reader whether a cell's font is worth looking up. Run repair
before any clean-up (see `text`): TCVN3 stores "ư" as U+00AD, a soft hyphen clean-ups strip.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from .syllable import VIET, is_vietnamese_syllable

# ---------------------------------------------------------------------------------------------
# Legacy character tables. Position i of each table encodes VIET[i].

_TCVN3 = "µ¸¶·¹¨»¾¼½Æ©ÇÊÈÉËÌÐÎÏÑªÒÕÓÔÖ×ÝØÜÞßãáâä«åèæçé¬êíëìîïóñòô\xadõøö÷ùúýûüþ®"
# ỷ/ỹ are "yû"/"yõ": duydev's current table has them wrong as ë/ì.
_VNI = (
    "aø aù aû aõ aï aê aè aé aú aü aë aâ aà aá aå aã aä eø eù eû eõ eï eâ eà eá eå eã eä "
    "ì í æ ó ò oø où oû oõ oï oâ oà oá oå oã oä ô ôø ôù ôû ôõ ôï "
    "uø uù uû uõ uï ö öø öù öû öõ öï yø yù yû yõ î ñ"
).split()
assert len(VIET) == len(_TCVN3) == len(_VNI) == 67

# The ABC font has lowercase toned letters only; these seven capitals are all it offers.
_TCVN3_MAP = dict(zip(_TCVN3, VIET)) | dict(zip("¡¢£¤¥¦§", "ĂÂÊÔƠƯĐ"))
_TCVN3_TABLE = str.maketrans(_TCVN3_MAP)
# VNI capitals are the lowercase byte sequences upper-cased (AØ = À, Ñ = Đ, Æ = Ỉ ...).
_VNI_MAP = dict(zip(_VNI, VIET)) | {v.upper(): u.upper() for v, u in zip(_VNI, VIET)}
# Longest match first, so "ôù" (ớ) wins over "ô" (ơ) followed by a stray "ù".
_VNI_RE = re.compile("|".join(map(re.escape, sorted(_VNI_MAP, key=len, reverse=True))))

# Latin-1 letters that genuine Vietnamese Unicode text uses; every other Latin-1 letter or symbol
# inside a word is evidence of a legacy encoding (or of a foreign word).
_VN_LATIN1 = frozenset("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúý")
_LEGACY_CHARS = frozenset(_TCVN3_MAP) | frozenset("".join(_VNI_MAP))
_STRONG = frozenset(c for c in _LEGACY_CHARS if ord(c) >= 0x80 and c not in _VN_LATIN1)
_WORD_CHARS = sorted(
    {c for c in _LEGACY_CHARS if ord(c) >= 0x80}
    | {chr(i) for i in range(0xA0, 0x100) if chr(i).isalpha()}
)
_LEGACY_WORD = re.compile("[A-Za-z" + re.escape("".join(_WORD_CHARS)) + "]+")
# VNI vowel + modifier pairs never written in Unicode Vietnamese: "oà/oá/oã" are left out because
# old-style "hoà", "khoá" are genuine.
_VNI_PAIRS = frozenset(k for k in _VNI_MAP if len(k) == 2) - {"oà", "oá", "oã", "OÀ", "OÁ", "OÃ"}

_MIN_SHARE = 0.8  # share of changed words that must decode to valid syllables

# ---------------------------------------------------------------------------------------------
# Legacy encodings


def _decode_tcvn3(s: str) -> str:
    return s.translate(_TCVN3_TABLE)


def _decode_vni(s: str) -> str:
    return _VNI_RE.sub(lambda m: _VNI_MAP[m.group()], s)


_DECODERS = {"TCVN3": _decode_tcvn3, "VNI": _decode_vni}


def _font_prior(font: str | None) -> str | None:
    name = (font or "").strip().lower()
    if name.startswith(".vn"):
        return "TCVN3"
    if name.startswith("vni"):
        return "VNI"
    return None


def _is_acronym_with_d(word: str) -> bool:
    # "TĐKT", "GDĐT", "Đ" (of "Đ/c") are not syllables but are normal in official text.
    return "Đ" in word and re.fullmatch("[A-ZĐ]+", word) is not None


def _plausible_case(word: str) -> bool:
    # Genuine words are lower, UPPER or Capitalised. TCVN3 writes many lowercase toned letters with
    # Latin-1 capitals ("chÝnh" = chính, "ThÓ" = Thể), so "tÊm" is legacy, not Unicode "têm".
    return word.islower() or word.isupper() or (word[0].isupper() and word[1:].islower())


@dataclass
class _Reading:
    """How well one table reads a cell's non-ASCII words."""

    valid: int = 0  # words that became Vietnamese syllables
    neutral: int = 0  # acronyms with Đ, neither for nor against
    long_valid: bool = False  # some valid word has two letters or more
    leftover: bool = False  # a non-Vietnamese Latin-1 character survived

    def add(self, word: str) -> None:
        if any(0x80 <= ord(c) <= 0xFF and c not in _VN_LATIN1 for c in word):
            self.leftover = True
        elif is_vietnamese_syllable(word):
            self.valid += 1
            self.long_valid = self.long_valid or len(word) > 1
        elif _is_acronym_with_d(word):
            self.neutral += 1


# Vietnamese letters beyond Latin-1, and combining marks: a regex finds one at once in a long
# Unicode summary, where a Python loop over every character would not.
_GENUINE = re.compile("[\u0100-\u024f\u1ea0-\u1ef9\u0300-\u036f]")


@functools.lru_cache(maxsize=1 << 16)  # pure, and the same cells ("Có", "Cá nhân") recur in every file
def repair_legacy(s: str, font: str | None = None) -> tuple[str, str | None]:
    """Decode a TCVN3 or VNI-Windows cell: ``(text, "TCVN3" | "VNI")``, else ``(s, None)``.

    Only the words holding non-ASCII characters are judged. A decoding is accepted when:

    1. the cell shows character evidence for the encoding (a Latin-1 character Vietnamese never
       uses; for TCVN3 also a capital inside a lowercase word, "chÝnh"; for VNI also a vowel +
       modifier pair such as "aâ", "où"), or the font names it (``.Vn*`` TCVN3, ``VNI*`` VNI);
    2. it leaves no non-Vietnamese Latin-1 character;
    3. at least 80 % of the judged words become Vietnamese syllables, more than were before;
    4. the other table does not read the cell equally well.

    The font alone never suffices, because pasted text keeps the cell's old font: a cell whose
    words are valid syllables both as they stand and decoded ("cô" vs TCVN3 "cụ") is left alone.
    Text with letters above U+00FF or combining marks is genuine Unicode, returned unchanged. Text
    in a TCVN3 "H" font (``.VnTimeH``) is upper-cased after decoding.
    """
    if not isinstance(s, str) or s.isascii() or not _LEGACY_LETTER.search(s):
        return s, None
    if _GENUINE.search(s) or any((c.isalpha() and ord(c) > 0xFF) or unicodedata.combining(c) for c in s):
        return s, None
    words = [w for w in _LEGACY_WORD.findall(s) if not w.isascii()]
    if not words:
        return s, None
    prior = _font_prior(font)
    strong = any(c in _STRONG for w in words for c in w)
    evidence = {
        "TCVN3": strong or not all(map(_plausible_case, words)),
        "VNI": strong or any(w[i:i + 2] in _VNI_PAIRS for w in words for i in range(len(w) - 1)),
    }
    valid_before = sum(is_vietnamese_syllable(w) and _plausible_case(w) for w in words)
    ranked: list[tuple[tuple[int, bool], str]] = []
    for name, decode in _DECODERS.items():
        reading = _Reading()
        for word in words:
            reading.add(decode(word))
        explained = reading.valid + reading.neutral
        if ((evidence[name] or prior == name) and not reading.leftover and reading.long_valid
                and explained > valid_before
                and reading.valid >= _MIN_SHARE * (len(words) - reading.neutral)):
            ranked.append(((explained, prior == name), name))
    ranked.sort(reverse=True)
    if not ranked or (len(ranked) == 2 and ranked[0][0] == ranked[1][0]):
        return s, None  # nothing fits, or both tables fit equally well: a human must decide
    name = ranked[0][1]
    out = unicodedata.normalize("NFC", _DECODERS[name](s))
    if name == "TCVN3" and font and font.strip().startswith(".") and font.strip().endswith("H"):
        out = out.upper()  # the H font draws every letter as a capital
    return out, name


def looks_legacy(s: str) -> bool:
    """True if ``s`` would be decoded by :func:`repair_legacy` given a TCVN3 or a VNI font.

    Cheap for the usual cell: ASCII, text without any character a legacy word is made of, and
    Unicode Vietnamese return False at once, before the decoders (the same answer: repair_legacy
    returns unchanged on each); readers use it to decide whether a cell's font is worth looking up.
    """
    if not isinstance(s, str) or s.isascii() or not _LEGACY_LETTER.search(s) or _GENUINE.search(s):
        return False
    return _looks_legacy(s)


# A non-ASCII legacy word holds at least one of these: text without any is never decoded.
_LEGACY_LETTER = re.compile("[" + re.escape("".join(_WORD_CHARS)) + "]")


@functools.lru_cache(maxsize=1 << 14)
def _looks_legacy(s: str) -> bool:
    return any(repair_legacy(s, font)[1] for font in (".VnTime", "VNI-Times"))
