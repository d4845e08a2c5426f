"""Labels as the reader compares them: without diacritics, case, required-markers or punctuation.

A sheet, a column or a form field is found by its label, so every reading stage keys labels the
same way; the template writer keys them so too when it fills a template.
"""

from __future__ import annotations

import functools

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


def label_index(fields: tuple[FieldSpec, ...]) -> dict[str, str]:
    index = {}
    for f in fields:
        index[label_key(f.label)] = f.key
        index.setdefault(short_key(f.label), f.key)
    return index
