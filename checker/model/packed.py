"""Long texts held packed, their length in characters then their UTF-8 deflated: the summaries are
the largest thing a city's consolidation holds.

Measured at 3,000 files: the summary column was 62 of the 115 MiB of rows, as Python strings of two
bytes a character. A text of a `longtext` column from PACK_FROM characters on is held as a
`Packed` (about 320 bytes for a 300-character summary, against 690). Only what needs the words
unpacks them (the copy and placeholder checks, the sheets and documents that show them), a chunk
of rows at a time.

Imports nothing from checker.
"""

from __future__ import annotations

import zlib
from typing import Any

# Texts shorter than this are held as they are: deflating a short text saves little.
PACK_FROM = 128
_LEVEL = 1  # measured on summaries: 321 bytes at level 1, 320 at 6, in 28 µs against 31
_HEAD = 4  # bytes: the length in characters, little-endian


class Packed(bytes):
    """A text packed (see the module): equal packed texts are equal bytes, so a packed column can
    be compared, grouped and hashed as it is; its words are `text()`."""

    __slots__ = ()

    def text(self) -> str:
        return zlib.decompress(self[_HEAD:]).decode("utf-8")

    @property
    def length(self) -> int:
        """The text's length in characters, without unpacking it."""
        return int.from_bytes(self[:_HEAD], "little")

    def __str__(self) -> str:  # a value shown where nobody expected a packed one still reads right
        return self.text()

    def __repr__(self) -> str:
        return f"Packed({self.length} characters)"


def pack(text: str) -> str | Packed:
    """`text` as it is held: packed from PACK_FROM characters on."""
    if len(text) < PACK_FROM:
        return text
    return Packed(len(text).to_bytes(_HEAD, "little") + zlib.compress(text.encode("utf-8"), _LEVEL))


def unpacked(value: Any) -> Any:
    """A held value as it was read: the text of a packed one, any other value as it is."""
    return value.text() if type(value) is Packed else value


def text_length(value: Any) -> int:
    """The length in characters of a held text (0 for a blank), packed or not."""
    if type(value) is Packed:
        return value.length
    return len(value) if isinstance(value, str) else 0
