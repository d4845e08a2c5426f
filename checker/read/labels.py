"""Labels as the reader compares them: without diacritics, case, required-markers or punctuation.

A sheet, a column or a form field is found by its label, so every reading stage keys labels the
same way; the template writer keys them so too when it fills a template.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from ..normalise import text
from ..ruleset.spec import FieldSpec


@functools.lru_cache(maxsize=1 << 16)
def label_key(label: object) -> str:
    """Compare labels without diacritics, case, required-markers, punctuation or line breaks.

    Cached: every file repeats the same labels, and header scans key every text cell they meet.
    """
    return text.name_key(str(label).replace("(*)", " ").replace("*", " "))


def short_key(label: str) -> str:
    """A label's short form: the part before ':' ("Tiêu chí 1: …" -> "tieu chi 1")."""
    return label_key(label.split(":", 1)[0]) if ":" in label else label_key(label)


class LabelIndex:
    """A sheet's field labels by their keys (full and short forms), for finding them among its cells."""

    def __init__(self, fields: tuple[FieldSpec, ...]):
        self.keys: dict[str, str] = {}  # label key -> field key
        for f in fields:
            self.keys[label_key(f.label)] = f.key
            self.keys.setdefault(short_key(f.label), f.key)
        # The most letters and digits a label's key holds, and a text holding more (matched from
        # its start, stopping as soon as it has found one more: a summary is not scanned whole).
        self.most = max((len(k.replace(" ", "")) for k in self.keys), default=0)
        self.fields = len(set(self.keys.values()))  # how many fields have labels here
        self._more = re.compile(rf"(?:[\W_]*[^\W_]){{{self.most + 1}}}")

    def field(self, value: object) -> str | None:
        """The key of the field whose label the cell holds; None if it holds none.

        A text whose NFC form has more letters and digits than any label is none, and is not keyed:
        keying never lowers that count (it drops marks, punctuation and spaces, and keeps or expands
        letters; only composing, which NFC has done, joins letters: Hangul jamo into a syllable),
        and header scans meet every long text of the rows under a header (keying each one took
        most of finding a header)."""
        if not isinstance(value, str) or (len(value) > self.most
                                          and self._more.match(unicodedata.normalize("NFC", value))):
            return None
        return self.keys.get(label_key(value)) if value and not value.isspace() else None


@functools.lru_cache(maxsize=256)  # a few sheets, met in every file
def label_index(fields: tuple[FieldSpec, ...]) -> LabelIndex:
    return LabelIndex(fields)
