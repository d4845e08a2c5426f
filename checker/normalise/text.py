"""Vietnamese text helpers for the cells of spreadsheets filled by government units.

Pure functions, standard library only:

* storage: :func:`nfc`, :func:`clean_text`, :func:`is_nfc`;
* comparison keys, for matching only and never for display: :func:`strip_diacritics`,
  :func:`list_key`, :func:`name_key`, :func:`person_key` (unit names are matched on these keys in
  `matching`).

Legacy 8-bit encodings (TCVN3, VNI) are repaired in `legacy`, syllables judged in `syllable`.
Order for a raw cell value: ``repair_legacy(raw, font)`` first, then ``clean_text()``. Legacy repair
must come first because TCVN3 stores "ư" as U+00AD (a soft hyphen, which clean-ups strip) and "é" as
U+00D0 "Ð" (the look-alike that :func:`nfc` turns into "Đ").
"""

from __future__ import annotations

import functools
import re
import unicodedata

from .syllable import VIET_ONLY, is_vietnamese_syllable, split_tone

__all__ = [
    "clean_text", "is_nfc", "list_key", "name_key", "nfc", "person_key", "strip_diacritics",
]

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
    if s.isascii():
        return s  # NFC already, and no Ð/ð
    s = unicodedata.normalize("NFC", s)
    if "Ð" not in s and "ð" not in s:
        return s
    vietnamese = any(c in VIET_ONLY for c in s if c not in "Ðð")

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
    if _already_clean(s):
        return s
    return _clean_text(s)


# Whitespace other than a single plain space, the characters _SPACE_TABLE maps, a soft hyphen and
# the Đ look-alikes: text holding none of them (and no space at either end) is only NFC-normalised.
_NOT_CLEAN = re.compile("[^\\S ]|  |[\u00ad\u00d0\u00f0" + "".join(chr(c) for c in _SPACE_TABLE) + "]")


def _already_clean(s: str) -> bool:
    """True if clean_text(s) is s itself: the fast path of the usual cell (tests/normalise/test_text.py
    compares both paths on tricky inputs)."""
    if s[0] == " " or s[-1] == " " or _NOT_CLEAN.search(s):
        return False
    return s.isascii() or unicodedata.is_normalized("NFC", s)


@functools.lru_cache(maxsize=1 << 16)  # pure; list values and unit names recur in every file
def _clean_text(s: str) -> str:
    s = nfc(s).translate(_SPACE_TABLE).replace("\r\n", "\n").replace("\r", "\n")
    if "\xad" in s and any(c.isalpha() and ord(c) > 0xFF for c in s):
        s = s.replace("\xad", "")
    s = re.sub(r"[^\S\n]+", " ", s)
    return re.sub(r"\s*\n\s*", "\n", s).strip()

# ---------------------------------------------------------------------------------------------
# Comparison keys

_D_TABLE = str.maketrans("đĐðÐ", "dDdD")
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_PUNCT_TABLE = str.maketrans({c: "-" for c in _DASHES} | dict.fromkeys("“”„‟″", '"')
                             | dict.fromkeys("‘’‚‛′", "'"))


class _Stripped(dict):
    """Each character's share of strip_diacritics, computed once (str.translate looks it up): its
    decomposition without combining marks. Filtering character by character is the same as filtering
    the whole NFD form, since canonical reordering only moves the marks that are dropped."""

    def __missing__(self, code: int) -> str:
        c = chr(code).translate(_D_TABLE)
        self[code] = out = "".join(x for x in unicodedata.normalize("NFD", c) if not unicodedata.combining(x))
        return out


_STRIPPED = _Stripped()


def strip_diacritics(s: str) -> str:
    """``s`` without tone and vowel marks; đ/Đ (and look-alikes ð/Ð) become d/D."""
    if s.isascii():
        return s
    out = s.translate(_STRIPPED)
    return out if out.isascii() else unicodedata.normalize("NFC", out)


def _canonical_tone(word: str) -> str:
    # Old style "hoá/uỷ/khoẻ" and new style "hóa/ủy/khỏe" differ only in where the tone sits in a
    # final oa/oe/uy; put it on the last vowel so both spellings give the same key.
    toneless, tones = split_tone(unicodedata.normalize("NFC", word))
    if len(tones) != 1 or not toneless.endswith(("oa", "oe", "uy")):
        return word
    return toneless[:-1] + unicodedata.normalize("NFC", toneless[-1] + tones[0][1])


@functools.lru_cache(maxsize=1 << 14)  # pure; the same list values recur in every file
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


@functools.lru_cache(maxsize=1 << 16)  # pure; labels, units and names recur across files and checks
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


@functools.lru_cache(maxsize=1 << 16)  # pure; each person is keyed by several checks
def person_key(s: str) -> str:
    """:func:`name_key` of a person's name without leading honorifics (Ông, Bà, Đ/c, ...)."""
    t = clean_text(s).casefold()
    stripped = _HONORIFIC_RE.sub("", t)
    return name_key(stripped if stripped.strip() else t)


def escaped(text: str, unsafe: re.Pattern) -> str:
    """`text` with each character `unsafe` matches written as a visible escape ("\\x1b", "\\u202e"):
    shown, never obeyed, and never silently lost."""
    return unsafe.sub(_escape, text) if unsafe.search(text) else text


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
