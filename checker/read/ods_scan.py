"""Streaming scan of an .ods file's content.xml: the extent of each table's cells holding a value.

calamine reads every sheet of an .ods when the file is opened, so the whole file is bounded first.
"""

from __future__ import annotations

import re
import zipfile
from typing import Iterator

from .extent import SheetExtent
from .xml_scan import ATTR, ATTRS, PREFIX, capped_int, read_blocks, self_closing, tokens, xml_text


_ODS_TEXT = re.compile(rb"(?:^|>)\s*[^\s<]")
_ODS_TOKEN = re.compile(
    rb"<(?:/" + PREFIX + rb"(table|table-row|table-cell|covered-table-cell)\s*|" + PREFIX +
    rb"(table|table-row|table-cell|covered-table-cell)(?=[\s/>])(" + ATTRS + rb"))>")


def ods_extents(zf: zipfile.ZipFile) -> Iterator[SheetExtent]:
    """Each table of content.xml with the extent of its cells holding a value. A cell counts when it
    has a value type (`office:value-type`) or any text; LibreOffice's repeats of EMPTY cells and
    rows (to column 16,384 and row 1,048,576) are not values and cost nothing. A repeated row or
    cell with a value counts as many times as it is repeated (calamine copies it that often)."""
    extent: SheetExtent | None = None
    row = 0  # rows of the current table so far
    row_repeat, col = 1, 0
    row_cells: list[tuple[int, int]] = []  # (last column, count) of the value cells of the current row
    cell: tuple[int, int, int] | None = None  # (first col, last col, offset of its content) of an open cell
    buf, base = b"", 0
    for m, now, at in tokens(read_blocks(zf, "content.xml"), _ODS_TOKEN, "content.xml"):
        if m is None:
            buf, base = now, at
            continue
        closer, opener, raw = m.group(1), m.group(2), m.group(3)
        if opener == b"table":
            if extent is not None:
                yield extent
            name = _ods_attr(raw, b"name")
            extent, row = SheetExtent(xml_text(name) if name is not None else ""), 0
        elif closer == b"table":
            if extent is not None:
                yield extent
            extent = None
        elif extent is None:
            continue
        elif opener == b"table-row":
            row_repeat, col, row_cells = _repeat(raw, b"number-rows-repeated"), 0, []
            if self_closing(raw):
                row += row_repeat
        elif closer == b"table-row":
            for last, count in row_cells:
                extent.add(row + row_repeat, last, count * row_repeat)
            row += row_repeat
        elif opener in (b"table-cell", b"covered-table-cell"):
            repeat = _repeat(raw, b"number-columns-repeated")
            first, col = col + 1, col + repeat
            cell = None
            if _ods_attr(raw, b"value-type") is not None:
                row_cells.append((col, repeat))
            elif not self_closing(raw):
                cell = (first, col, base + m.end())
        elif closer in (b"table-cell", b"covered-table-cell") and cell is not None:
            first, last, start = cell
            # Text anywhere inside (a paragraph, a note) counts; an empty <text:p/> does not. A cell
            # whose content began in an earlier block is counted, to be safe.
            if start < base or _ODS_TEXT.search(buf[start - base:m.start()]):
                row_cells.append((last, last - first + 1))
            cell = None
    if extent is not None:
        yield extent


def _ods_attr(raw: bytes, local: bytes) -> bytes | None:
    for m in ATTR.finditer(raw):
        if m.group(1).rsplit(b":", 1)[-1] == local:
            return m.group(2) if m.group(2) is not None else m.group(3)
    return None


def _repeat(raw: bytes, local: bytes) -> int:
    value = _ods_attr(raw, local)
    return max(1, capped_int(value.strip())) if value is not None and value.strip().isdigit() else 1
