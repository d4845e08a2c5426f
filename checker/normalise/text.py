"""Vietnamese text helpers for the cells of spreadsheets filled by government units.

Pure functions, standard library only:

* storage: :func:`nfc`, :func:`clean_text`, :func:`is_nfc`;
* legacy 8-bit encodings (TCVN3/ABC and VNI-Windows): :func:`repair_legacy`, :func:`looks_legacy`,
  with the syllable validator :func:`is_vietnamese_syllable` they rely on;
* comparison keys, for matching only and never for display: :func:`strip_diacritics`,
  :func:`list_key`, :func:`name_key`, :func:`person_key`;
* suggestions: :func:`closest`.

Order for a raw cell value: ``repair_legacy(raw, font)`` first, then ``clean_text()``. Legacy repair
must come first because TCVN3 stores "ư" as U+00AD (a soft hyphen, which clean-ups strip) and "é" as
U+00D0 "Ð" (the look-alike that :func:`nfc` turns into "Đ").
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass

__all__ = [
    "clean_text", "closest", "is_nfc", "is_vietnamese_syllable", "list_key", "looks_legacy",
    "name_key", "nfc", "person_key", "repair_legacy", "strip_diacritics",
]

# ---------------------------------------------------------------------------------------------
# Legacy character tables (domain.md §4.2). Position i of each table encodes _VIET[i].

_VIET = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
_TCVN3 = "µ¸¶·¹¨»¾¼½Æ©ÇÊÈÉËÌÐÎÏÑªÒÕÓÔÖ×ÝØÜÞßãáâä«åèæçé¬êíëìîïóñòô\xadõøö÷ùúýûüþ®"
# ỷ/ỹ are "yû"/"yõ": duydev's current table has them wrong as ë/ì (see domain.md §4.2).
_VNI = (
    "aø aù aû aõ aï aê aè aé aú aü aë aâ aà aá aå aã aä eø eù eû eõ eï eâ eà eá eå eã eä "
    "ì í æ ó ò oø où oû oõ oï oâ oà oá oå oã oä ô ôø ôù ôû ôõ ôï "
    "uø uù uû uõ uï ö öø öù öû öõ öï yø yù yû yõ î ñ"
).split()
assert len(_VIET) == len(_TCVN3) == len(_VNI) == 67

# The ABC font has lowercase toned letters only; these seven capitals are all it offers.
_TCVN3_MAP = dict(zip(_TCVN3, _VIET)) | dict(zip("¡¢£¤¥¦§", "ĂÂÊÔƠƯĐ"))
_TCVN3_TABLE = str.maketrans(_TCVN3_MAP)
# VNI capitals are the lowercase byte sequences upper-cased (AØ = À, Ñ = Đ, Æ = Ỉ ...).
_VNI_MAP = dict(zip(_VNI, _VIET)) | {v.upper(): u.upper() for v, u in zip(_VNI, _VIET)}
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
_VIET_ONLY = frozenset(c for c in _VIET + _VIET.upper() if ord(c) > 0xFF)

_MIN_SHARE = 0.8  # share of changed words that must decode to valid syllables

# ---------------------------------------------------------------------------------------------
# Syllables

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền, sắc, ngã, hỏi, nặng
_STOP_TONES = {"\u0301", "\u0323"}  # a syllable closed by p/t/c/ch takes only sắc or nặng
_ONSETS = "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx]"
_RHYMES = """
    a ac ach ai am an ang anh ao ap at au ay ăc ăm ăn ăng ăp ăt âc âm ân âng âp ât âu ây
    e ec em en eng eo ep et ê êch êm ên ênh êp êt êu
    i ia ich im in inh ip it iu iêc iêm iên iêng iêp iêt iêu y ynh yt yêm yên yêt yêu
    o oc oi om on ong op ot ô ôc ôi ôm ôn ông ôp ôt ơ ơi ơm ơn ơp ơt
    u ua uc ui um un ung up ut uôc uôi uôm uôn uông uôt
    ư ưa ưc ưi ưm ưn ưng ưt ưu ươc ươi ươm ươn ương ươp ươt ươu
    oa oac oach oai oam oan oang oanh oao oap oat oay oăc oăm oăn oăng oăt oe oen oeo oet
    uân uâng uât uây uê uêch uênh uơ uy uych uynh uyt uyu uya uyên uyêt
""".split()  # loanword rhymes "oong/ooc" (xoong) left out: VNI "coâng" read as TCVN3 is "coõng"
_LETTERS = frozenset("abcdeghiklmnopqrstuvxy" + _VIET)  # checked first: "ñ" decomposes to n + ngã
_SYLLABLE = re.compile(
    f"({_ONSETS})?(?:{'|'.join(sorted(_RHYMES, key=len, reverse=True))})")
_VOWELS, _MARKED = "aăâeêioôơuưy", "ăâêôơư"


def _split_tone(word: str) -> tuple[str, list[tuple[int, str]]]:
    """``word`` (NFC) without tone marks, and each tone mark with the index of its letter."""
    letters, tones = [], []
    for i, ch in enumerate(word):
        parts = unicodedata.normalize("NFD", ch)
        tones += [(i, m) for m in parts if m in _TONES]
        letters.append(unicodedata.normalize("NFC", "".join(m for m in parts if m not in _TONES)))
    return "".join(letters), tones


def _tone_well_placed(rhyme: str, at: int) -> bool:
    # Orthography: the tone sits on the last vowel with a quality mark (ươ → ơ, iê → ê); else on
    # the last vowel before a final consonant; else on the first of two vowels (ai, ia, ui) or the
    # middle of three (oai, uyu); final oa/oe/uy take either (old "hoá", new "hóa").
    cluster = re.match(f"[{_VOWELS}]*", rhyme).group()
    if not 0 <= at < len(cluster):
        return False
    marked = [i for i, c in enumerate(cluster) if c in _MARKED]
    if marked:
        return at == marked[-1]
    if len(cluster) < len(rhyme) or len(cluster) == 1:
        return at == len(cluster) - 1
    return cluster in ("oa", "oe", "uy") or at == (0 if len(cluster) == 2 else 1)


def is_vietnamese_syllable(word: str) -> bool:
    """True if ``word`` is one well-formed Vietnamese syllable: onset + rhyme + at most one tone.

    The tone must sit where Vietnamese spelling puts it, and a rhyme closed by p/t/c/ch takes only
    sắc or nặng.
    """
    word = unicodedata.normalize("NFC", word.lower())
    if not _LETTERS.issuperset(word):
        return False
    toneless, tones = _split_tone(word)
    match = _SYLLABLE.fullmatch(toneless)
    if match is None or len(tones) > 1:
        return False
    onset = match.group(1) or ""
    if toneless[len(onset):].startswith("y") and len(toneless) > len(onset) + 1 \
            and onset not in ("", "qu"):
        return False  # "yên", "quyết" but never "chynh"
    if not tones:
        return not toneless.endswith(("p", "t", "c", "ch"))
    at, tone = tones[0]
    if toneless.endswith(("p", "t", "c", "ch")) and tone not in _STOP_TONES:
        return False
    return _tone_well_placed(toneless[len(onset):], at - len(onset))


# ---------------------------------------------------------------------------------------------
# Normalisation for storage

_ETH_TABLE = str.maketrans("Ðð", "Đđ")
# NBSP and the other Unicode spaces become plain spaces; invisible format characters go.
_SPACE_TABLE = str.maketrans(
    {c: " " for c in "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
     "\u200a\u202f\u205f\u3000"} | {c: None for c in "\u200b\u200c\u200d\u2060\ufeff"}
)


def nfc(s: str) -> str:
    """NFC-normalise ``s`` and map the look-alikes Ð/ð (U+00D0/U+00F0) to Đ/đ in Vietnamese text.

    A word's Ð/ð is mapped when the text holds other Vietnamese-only letters or when the mapped
    word is a Vietnamese syllable ("Ðoàn"); Icelandic "Guðrún" is kept. Run :func:`repair_legacy`
    first: in TCVN3, Ð is the code of "é".
    """
    s = unicodedata.normalize("NFC", s)
    if "Ð" not in s and "ð" not in s:
        return s
    vietnamese = any(c in _VIET_ONLY for c in s if c not in "Ðð")

    def fix(m: re.Match[str]) -> str:
        mapped = m.group().translate(_ETH_TABLE)
        return mapped if vietnamese or is_vietnamese_syllable(mapped) else m.group()

    return re.sub(r"\w+", fix, s)


def is_nfc(s: str) -> bool:
    """True if ``s`` is already in Unicode NFC form."""
    return unicodedata.is_normalized("NFC", s)


def clean_text(s: str) -> str:
    """The value stored for a text cell: NFC, Đ look-alikes, spaces collapsed, line breaks kept.

    Runs of spaces/tabs/NBSP become one space; each line break (with any spaces or blank lines
    around it) becomes a single "\\n"; the ends are stripped. A soft hyphen is removed only when the
    text is genuine Unicode Vietnamese: otherwise it may be TCVN3 "ư" that repair did not convert,
    and deleting it would destroy the letter.
    """
    if not s:
        return ""
    s = nfc(s).translate(_SPACE_TABLE).replace("\r\n", "\n").replace("\r", "\n")
    if "\xad" in s and any(c.isalpha() and ord(c) > 0xFF for c in s):
        s = s.replace("\xad", "")
    s = re.sub(r"[^\S\n]+", " ", s)
    return re.sub(r"\s*\n\s*", "\n", s).strip()


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
    if not isinstance(s, str) or s.isascii():
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

    Cheap for the usual cell (ASCII or Unicode Vietnamese returns False at once); readers use it
    to decide whether a cell's font is worth looking up.
    """
    return any(repair_legacy(s, font)[1] for font in (".VnTime", "VNI-Times"))


# ---------------------------------------------------------------------------------------------
# Comparison keys

_D_TABLE = str.maketrans("đĐðÐ", "dDdD")
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_PUNCT_TABLE = str.maketrans({c: "-" for c in _DASHES} | dict.fromkeys("“”„‟″", '"')
                             | dict.fromkeys("‘’‚‛′", "'"))


def strip_diacritics(s: str) -> str:
    """``s`` without tone and vowel marks; đ/Đ (and look-alikes ð/Ð) become d/D."""
    s = unicodedata.normalize("NFD", s.translate(_D_TABLE))
    return unicodedata.normalize("NFC", "".join(c for c in s if not unicodedata.combining(c)))


def _canonical_tone(word: str) -> str:
    # Old style "hoá/uỷ/khoẻ" and new style "hóa/ủy/khỏe" differ only in where the tone sits in a
    # final oa/oe/uy; put it on the last vowel so both spellings give the same key.
    toneless, tones = _split_tone(unicodedata.normalize("NFC", word))
    if len(tones) != 1 or not toneless.endswith(("oa", "oe", "uy")):
        return word
    return toneless[:-1] + unicodedata.normalize("NFC", toneless[-1] + tones[0][1])


def list_key(s: str) -> str:
    """Key for comparing a cell with a drop-down list value; diacritics are kept ("Nam" ≠ "Năm").

    NFC, look-alikes, case-folded, whitespace collapsed, dashes unified with no spaces around them,
    one space after a comma and none before, curly quotes made straight, and old/new tone placement
    unified ("Văn hoá" == "văn hóa").
    """
    s = clean_text(s).casefold().translate(_PUNCT_TABLE)
    s = re.sub(r"\s+", " ", s)
    s = re.sub(r" ?- ?", "-", s)
    s = re.sub(r" ?, ?", ", ", s)
    s = re.sub(r"\w+", lambda m: _canonical_tone(m.group()), s)
    return unicodedata.normalize("NFC", s).strip()


def _plain_key(s: str) -> str:
    s = strip_diacritics(nfc(s)).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", s).split())


@functools.lru_cache(maxsize=64)
def _abbreviation_rule(
    items: tuple[tuple[str, str], ...],
) -> tuple[re.Pattern[str], dict[str, str]]:
    table = {_plain_key(k): _plain_key(v) for k, v in items if _plain_key(k)}
    # One pass with every abbreviation in a single pattern, so an expansion is never re-expanded.
    alternatives = "|".join(map(re.escape, sorted(table, key=len, reverse=True)))
    return re.compile(rf"(?<!\S)(?:{alternatives})(?!\S)"), table


def _expand(key: str, abbreviations: dict[str, str] | None) -> str:
    if not abbreviations or not key:
        return key
    pattern, table = _abbreviation_rule(tuple(sorted(abbreviations.items())))
    return pattern.sub(lambda m: table[m.group()], key) if table else key


def name_key(s: str, abbreviations: dict[str, str] | None = None,
             drop_suffixes: list[str] | None = None) -> str:
    """Key for unit and person names: no diacritics, case-folded, punctuation as spaces.

    ``abbreviations`` maps whole-token abbreviations to expansions ({"TT": "Trung tâm"}); both
    sides are keyed the same way. ``drop_suffixes`` are phrases removed from the end, longest first
    and repeatedly, after keying and expansion; a name is never reduced to nothing. Both come from
    the rules file.
    """
    key = _expand(_plain_key(s), abbreviations)
    suffixes = sorted({_expand(_plain_key(x), abbreviations) for x in drop_suffixes or ()} - {""},
                      key=len, reverse=True)
    dropped = True
    while dropped:
        dropped = False
        for suffix in suffixes:
            if key.endswith(" " + suffix):
                key, dropped = key[: -len(suffix) - 1], True
                break
    return key


# Leading forms of address. Matched on the text with its diacritics, so that given names such as
# "Chi" or "Bá" are not mistaken for "Chị" or "Bà".
HONORIFICS = ("đồng chí", "dong chi", "đ/c", "ð/c", "d/c", "ông", "bà", "anh", "chị")
_HONORIFIC_RE = re.compile(
    r"^(?:(?:" + "|".join(re.escape(h).replace("/", r"\s*/\s*").replace(r"\ ", r"\s+")
                          for h in HONORIFICS) + r")(?:[\s.:,]+|(?=\s*$)))+"
)


def person_key(s: str) -> str:
    """:func:`name_key` of a person's name without leading honorifics (Ông, Bà, Đ/c, ...)."""
    t = clean_text(s).casefold()
    stripped = _HONORIFIC_RE.sub("", t)
    return name_key(stripped if stripped.strip() else t)


def closest(value: str, candidates: dict[str, str], n: int = 3, cutoff: float = 0.6) -> list[str]:
    """Display names of the candidate keys most similar to ``value`` (a key made the same way).

    ``candidates`` maps key → display name. Similarity is difflib's ratio on the keys; results are
    best first, ties broken by key, each display name once, at most ``n``, all ≥ ``cutoff``.
    """
    scored = []
    for key, display in candidates.items():
        matcher = difflib.SequenceMatcher(None, value, key, autojunk=False)
        if matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff:
            ratio = matcher.ratio()
            if ratio >= cutoff:
                scored.append((-ratio, key, display))
    result: list[str] = []
    for _, _, display in sorted(scored):
        if display not in result:
            result.append(display)
            if len(result) == n:
                break
    return result
