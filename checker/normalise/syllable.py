"""Vietnamese syllables: the letters, and whether a word is one well-formed syllable.

Pure functions, standard library only. The legacy-encoding repair (`legacy`) judges a decoding by
how many words become syllables; `text` uses them to tell Vietnamese "Ðoàn" from Icelandic "Guðrún"
and to unify old and new tone placement in comparison keys.
"""

from __future__ import annotations

import re
import unicodedata

# The 67 lower-case letters Vietnamese adds to ASCII (the order of the legacy tables in `legacy`).
VIET = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
# Letters only Vietnamese text holds (beyond Latin-1), either case.
VIET_ONLY = frozenset(c for c in VIET + VIET.upper() if ord(c) > 0xFF)

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
_LETTERS = frozenset("abcdeghiklmnopqrstuvxy" + VIET)  # checked first: "ñ" decomposes to n + ngã
_SYLLABLE = re.compile(
    f"({_ONSETS})?(?:{'|'.join(sorted(_RHYMES, key=len, reverse=True))})")
_VOWELS, _MARKED = "aăâeêioôơuưy", "ăâêôơư"


def split_tone(word: str) -> tuple[str, list[tuple[int, str]]]:
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
    toneless, tones = split_tone(word)
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

