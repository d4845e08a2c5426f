"""Placeholders by meaning: a cell that only stands in for a text ("Như trên.", "(nt)", "N/A", "…").

Units write the same few fillers in many spellings: with or without diacritics, capitals, a full
stop, brackets, an ellipsis of three dots or one "…" character, a slash ("N/A"). So a cell and each
listed filler are compared by a meaning key: NFC, case-folded, diacritics and đ removed, every
punctuation mark, bracket and symbol made a space, whitespace collapsed. A cell made only of
punctuation ("." "-" "…" "???") has an empty key and is a placeholder whatever the list says.
The list itself is data (the rules file); nothing here knows which fillers a plan names. The same
key is what copied summaries are compared on.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Iterable

import pandas as pd

from .text import nfc, strip_diacritics

__all__ = ["is_placeholder", "ascii_key", "meaning_key", "placeholder_key", "placeholder_mask"]

_NOT_WORD = re.compile(r"[\W_]+")  # any run of what is not a letter or a digit (Unicode-aware)
# Only short cells are keyed: keying every 300-character summary would dominate a city run. The
# margin covers fillers wrapped in brackets, dots and spaces ("( Như trên ) ...").
_MARGIN = 12


def meaning_key(s: str) -> str:
    """The meaning key of `s`: "(Như trên.)", "như  trên…" and "NHU TREN" all give "nhu tren".

    Also what copied summaries are compared on (validate.copy_kinds): a copy that only differs in
    tone marks, capitals or punctuation is still a copy.
    """
    plain = strip_diacritics(nfc(s)).casefold()
    return _NOT_WORD.sub(" ", plain).strip()


# The fillers and the short cells repeat a lot: keyed once each.
placeholder_key = functools.lru_cache(maxsize=4096)(meaning_key)


def is_placeholder(value: str, keys: frozenset[str]) -> bool:
    """True if `value` means one of the fillers whose keys are `keys`, or holds no letter or digit."""
    key = placeholder_key(value)
    return key == "" or key in keys


def placeholder_mask(values: pd.Series, fillers: Iterable[str]) -> pd.Series:
    """Per cell of `values` (text, blanks excluded by the caller): True where it is a placeholder."""
    fillers = list(fillers)
    keys = frozenset(placeholder_key(v) for v in fillers)
    text = values.fillna("").astype(str)
    longest = max((len(v) for v in fillers), default=0) + _MARGIN
    # A long cell can still be only punctuation ("...........", a row of dashes): cheap to see.
    no_word = ~text.str.contains(r"[^\W_]", regex=True)
    short = text.str.len() <= longest
    hit = pd.Series(False, index=values.index)
    candidates = text[short & ~no_word]
    if len(candidates):
        hit.loc[candidates.index] = [placeholder_key(v) in keys for v in candidates]
    return hit | no_word



# Bytes that are not an ASCII letter or digit become a space (ascii_key).
_ASCII_WORD = bytes(range(48, 58)) + bytes(range(65, 91)) + bytes(range(97, 123))
_ASCII_TABLE = bytes(b if b in _ASCII_WORD else 32 for b in range(256))


def ascii_key(s: str) -> str:
    """A fast comparison key for long Vietnamese texts (copied summaries): đ made d, tone and vowel
    marks dropped, lower case, every other character a space, spaces collapsed.

    Equal to meaning_key on Vietnamese text; letters outside Latin are dropped (not kept, as
    meaning_key keeps them), which is what makes it fast: a few C-level string calls per text, where
    Unicode regular expressions cost minutes over a city's 300,000 summaries.
    """
    plain = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D").replace("ð", "d")
                                  .replace("Ð", "D"))
    return " ".join(plain.encode("ascii", "ignore").translate(_ASCII_TABLE).decode("ascii").lower().split())
