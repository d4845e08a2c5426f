"""Fonts of a few cells of an .xlsx, read from the sheet and styles XML alone.

Legacy Vietnamese text (TCVN3, VNI) is decoded by its font, so the reader looks up the fonts of
the rare suspect cells, streaming their sheet and styles.xml: openpyxl never loads a whole workbook.
"""

from __future__ import annotations

import zipfile
from typing import Callable

import defusedxml.ElementTree as ET

from .xml_scan import XLSX_TOKEN, a1_position, capped_int, read_blocks, row_number, tag_attrs, tokens


def xlsx_fonts(zf: zipfile.ZipFile, part: str, cells: set[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """The font name of each of `cells` ((row, col)) of one worksheet part: the cell's style index
    (`s`, streamed from the sheet), its cellXfs entry's fontId, that font's name (styles.xml)."""
    styles: dict[tuple[int, int], int] = {}
    row = col = 0
    for m, _, _ in tokens(read_blocks(zf, part), XLSX_TOKEN, part):
        opener = m.group(2) if m is not None else None
        if opener == b"row":
            row, col = row_number(m.group(3), row), 0
        elif opener == b"c":
            attrs = tag_attrs(m.group(3))
            r, c = a1_position(attrs[b"r"]) if b"r" in attrs else (max(row, 1), col + 1)
            col = c
            if (r, c) in cells:
                style = attrs.get(b"s", b"0")
                styles[(r, c)] = capped_int(style) if style.isdigit() else 0
    if not styles:
        return {}
    xf_font = _style_list(zf, "cellXfs", "xf", lambda e: e.get("fontId"), set(styles.values()))
    wanted = {int(f) for f in xf_font.values() if f and f.isdigit()}
    names = _style_list(zf, "fonts", "font", _font_name, wanted)
    out = {}
    for where, xf in styles.items():
        font = xf_font.get(xf)
        name = names.get(int(font)) if font and font.isdigit() else None
        if name:
            out[where] = name
    return out


def _font_name(font) -> str | None:
    for child in font:
        if child.tag.endswith("}name") or child.tag == "name":
            return child.get("val")
    return None


def _style_list(zf: zipfile.ZipFile, group: str, item: str, pick: Callable, wanted: set[int]) -> dict[int, str]:
    """pick(element) for the wanted positions of styles.xml's <group>'s <item> children, streamed
    (a hostile styles.xml may be as large as the uncompressed limit)."""
    out: dict[int, str] = {}
    stack: list = []
    n = 0
    try:
        with zf.open("xl/styles.xml") as stream:
            for event, elem in ET.iterparse(stream, events=("start", "end")):
                if event == "start":
                    stack.append(elem)
                    continue
                stack.pop()
                local = elem.tag.rsplit("}", 1)[-1]
                if len(stack) == 2 and local == item and stack[1].tag.rsplit("}", 1)[-1] == group:
                    if n in wanted:
                        out[n] = pick(elem)
                    n += 1
                if len(stack) == 1 and local == group:
                    break
                if len(stack) in (1, 2):
                    del stack[-1][-1]  # done with it: memory stays flat whatever the part's size
    except Exception:  # a damaged styles.xml: fonts are only a hint
        return out
    return out
