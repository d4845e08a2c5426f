"""Names as people read them in the manifest: NFC, shown_text, and unique across the whole manifest.

A name that is not UTF-8 (cp1258 bytes, as unzipping a Windows archive leaves them) is decoded as
people would read it; characters that must not reach a name shown to people or written to XML are
shown as visible escapes. Everything downstream keys on these names, files and attachment labels
alike, so each is claimed once.
"""

from __future__ import annotations

import os
import re
import unicodedata
from typing import Callable

from ..normalise.text import escaped

ATTACHMENT_SEPARATOR = " › "  # "thu.eml › bao_cao.xlsx": an attachment's label in the manifest

# Characters that must not reach a name shown to people or written to XML: C0/C1 controls (an ESC
# sequence, a newline inside a name) and line separators, bidirectional overrides (after U+202E,
# "bao_cao\u202excl.exe" reads "bao_caoexe.lcx"), lone surrogates and the two XML non-characters.
# Each is shown as a visible escape.
_UNSHOWABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")


def shown_text(text: str) -> str:
    """`text` in NFC with every unshowable character replaced by a visible escape such as "\\x1b"."""
    return escaped(unicodedata.normalize("NFC", text), _UNSHOWABLE)


def display_part(part: str) -> str:
    """One path component as people should read it.

    On Linux a name that is not UTF-8 (cp1258 bytes, as unzipping a Windows archive leaves them)
    arrives as surrogate escapes; the raw bytes are decoded as Windows-1258, then Windows-1252, and
    only if both fail shown with the undecodable bytes escaped. The real name stays in the path."""
    try:
        part.encode("utf-8")
    except UnicodeEncodeError:
        part = _redecode(part)
    return shown_text(part)


def _redecode(part: str) -> str:
    if os.name == "nt":  # Windows names are UTF-16: a lone surrogate is shown as an escape, not decoded
        return part
    raw = os.fsencode(part)
    for codec in ("cp1258", "cp1252"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "backslashreplace")


class ManifestNames:
    """Every name of the manifest, unique by construction.

    A name claimed again gets the next free variant ("a (2).xlsx", "thu.eml › (2) a.xlsx"). The
    next number to try is kept per base name, so 20,000 attachments with one name cost 20,000
    claims, not 200 million comparisons."""

    def __init__(self) -> None:
        self.taken: set[str] = set()
        self.next: dict[str, int] = {}

    def claim(self, base: str, variant: Callable[[int], str]) -> str:
        if base not in self.taken:
            self.taken.add(base)
            return base
        n = self.next.get(base, 2)
        while (shown := variant(n)) in self.taken:  # only names someone else holds are skipped
            n += 1
        self.next[base] = n + 1
        self.taken.add(shown)
        return shown

    def file(self, shown: str) -> str:
        head, sep, last = shown.rpartition("/")
        stem, suffix = os.path.splitext(last)
        return self.claim(shown, lambda n: f"{head}{sep}{stem} ({n}){suffix}")

    def folder(self, shown: str) -> str:
        return self.claim(f"{shown}/", lambda n: f"{shown} ({n})/")

    def attachment(self, email: str, attachment: str) -> str:
        return self.claim(f"{email}{ATTACHMENT_SEPARATOR}{attachment}",
                          lambda n: f"{email}{ATTACHMENT_SEPARATOR}({n}) {attachment}")
