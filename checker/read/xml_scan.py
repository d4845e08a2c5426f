"""Streaming scans of spreadsheet XML (worksheet parts, .ods content.xml) in bounded memory.

A part is inflated in 1 MiB blocks and matched token by token; a tag cut by a block boundary is
carried into the next block, and nothing else is kept. Shared by `xlsx_scan`, `xlsx_fonts` and
`ods_scan`.
"""

from __future__ import annotations

import re
import zipfile
from typing import Iterator

from .safety import Rejected

BLOCK = 1 << 20  # bytes of XML inflated at a time
MAX_TAG = 1 << 20  # no real tag is this long; a longer one would make the scan quadratic

PREFIX = rb"(?:[A-Za-z_][\w.\-]*:)?"
# Attributes, quote-aware: a ">" or " r=" inside a quoted value does not end the tag or fake an
# attribute (XML forbids "<" in values, so a quoted value never swallows the next tag).
ITEM = rb"(?:[^>\"'<]|\"[^\"<]*\"|'[^'<]*')"
ATTRS = ITEM + rb"*"
ATTR = re.compile(rb"([\w:.\-]+)\s*=\s*(?:\"([^\"<]*)\"|'([^'<]*)')")
_REF = re.compile(rb"([A-Za-z]+)([0-9]+)")
# Tokens of worksheet XML: openers of row/c/v/is/f, closers of c/f/v. A self-closing cell with an
# `r` attribute (a formatting-only cell: the bulk of a sheet "used" down to row 1,048,576) is
# skipped by the regex itself, at C speed.
XLSX_TOKEN = re.compile(
    rb"<(?:/" + PREFIX + rb"(c|f|v)\s*|" + PREFIX +
    rb"(row|v|is|f|c(?!" + ITEM + rb"*?\sr\s*=" + ATTRS + rb"/>))(?=[\s/>])(" + ATTRS + rb"))>")
_ANY_TAG = re.compile(rb"<" + ATTRS + rb">")



def capped_int(digits: bytes) -> int:
    return int(digits) if len(digits) <= 12 else 10 ** 12  # absurdly long: over any limit, cheaply


def column_number(letters: bytes) -> int:
    if len(letters) > 6:
        return 10 ** 9
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def tag_attrs(raw: bytes) -> dict[bytes, bytes]:
    found: dict[bytes, bytes] = {}
    for m in ATTR.finditer(raw):
        value = m.group(2) if m.group(2) is not None else m.group(3)
        name = m.group(1)
        # A duplicated attribute: keep the larger reference, whichever one a reader takes.
        if name not in found or (name == b"r" and a1_position(value) > a1_position(found[name])):
            found[name] = value
    return found


def a1_position(value: bytes) -> tuple[int, int]:
    """(row, col) of an A1 reference as calamine reads it (letters then digits, any case); (0, 0)
    for anything else, which calamine refuses (the sheet is then unreadable, not dense)."""
    m = _REF.fullmatch(value)
    return (capped_int(m.group(2)), column_number(m.group(1))) if m else (0, 0)


def read_blocks(zf: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    with zf.open(part) as stream:
        while block := stream.read(BLOCK):
            yield block


def tokens(blocks: Iterator[bytes], pattern: re.Pattern, part: str,
            hold: re.Pattern | None = None) -> Iterator[tuple[re.Match | None, bytes, int]]:
    """(match, buffer, offset of the buffer in the part) for each token, block by block, and
    (None, buffer, offset) when a new buffer starts. A tag cut by a block boundary is carried into
    the next buffer (and a tag matching `hold` whose text runs past it); other text is never kept."""
    carry, offset = b"", 0
    for block in blocks:
        buf = carry + block
        base = offset - len(carry)
        offset += len(block)
        yield None, buf, base
        end = 0
        for m in pattern.finditer(buf):
            end = m.end()
            yield m, buf, base
        last = buf.rfind(b"<", end)
        carry = b""
        if last >= 0 and (not _ANY_TAG.match(buf, last) or (hold is not None and hold.match(buf, last))):
            carry = buf[last:]  # an unfinished tag, or a formula whose text goes on in the next block
            if len(carry) > MAX_TAG:
                raise Rejected("corrupt", f"phần {part} có thẻ XML dài bất thường (hơn {MAX_TAG:,} byte): "
                                          "tệp hỏng hoặc bị sửa bất thường")


def self_closing(raw: bytes) -> bool:
    return raw.rstrip().endswith(b"/")


def row_number(raw: bytes, previous: int) -> int:
    """A <row>'s number: its `r`, or the one after the previous row (as calamine counts)."""
    r = tag_attrs(raw).get(b"r")
    return capped_int(r) if r is not None and r.isdigit() else previous + 1


def xml_text(raw: bytes) -> str:
    text = raw.decode("utf-8", errors="replace")
    if "&" in text:
        text = re.sub(r"&#x([0-9a-fA-F]+);", lambda m: chr(int(m.group(1), 16)), text)
        text = re.sub(r"&#([0-9]+);", lambda m: chr(int(m.group(1))), text)
        for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&")):
            text = text.replace(entity, char)
    return text
