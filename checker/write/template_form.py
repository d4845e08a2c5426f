"""A table sheet of the template laid out as an administrative form (Nghị định 30/2020/NĐ-CP).

Above the header: the parent agency and the unit top left, the Quốc hiệu and Tiêu ngữ with the
place-and-date line top right, the title with the plan line across; under the prepared rows, the
signature block. The header stays on row 4 as in every earlier template version, so a cell a letter
names ("ô K5") is the same cell in the units' old and new files; the heading fits in the three rows
above by giving the left and right blocks two lines each (rich text, one cell per block).

Printing: the nominations table is wider than a page. It prints over "bands" of whole columns, each
one A4 landscape page wide at one scale, as the consolidated workbook's lists do (workbook.book.bands), with STT repeated on every band; the heading and
title sit over the first band's columns, so no page carries a title cut at its edge (before:
"DANH SÁCH GƯƠNG ĐIỂN HÌN" on page 4).
"""

from __future__ import annotations

from ..model import words
from .workbook import book

# STT is repeated at the left of every band after the first. Only STT: a repeated column prints
# every row of the sheet, the heading's and the signature block's too, so nothing of the heading may
# lie in it (with the name column repeated as well, "SỞ VĂN HÓA VÀ THỂ TH" printed cut on each band).
REPEATED_COLUMNS = 1
LEFT_SHARE = 0.4  # the heading's left block (agency, unit) fills this share of the first band


def bands(widths: list[float]) -> list[tuple[int, int]]:
    """(first, last) columns of each printed band (book.bands: as few as print legibly, one scale)."""
    return book.bands(widths, REPEATED_COLUMNS)


def heading_blocks(widths: list[float]) -> tuple[tuple[int, int], tuple[int, int]]:
    """(first, last) columns of the left block (agency, unit) and the right block (Quốc hiệu) over
    the first band, right of the repeated columns: the left block takes the first columns filling
    LEFT_SHARE of it, the right the last columns doing so, never overlapping."""
    first, last = title_columns(widths)
    band = widths[first:last + 1]
    total = sum(band)

    def span(ws: list[float]) -> int:
        return next((n for n in range(1, len(ws) + 1) if sum(ws[:n]) >= total * LEFT_SHARE), len(ws))

    left = max(1, min(span(band), len(band) - 1))
    right = max(1, min(span(band[::-1]), len(band) - left))
    return (first, first + left - 1), (last - right + 1, last)


def title_columns(widths: list[float]) -> tuple[int, int]:
    """The columns the title is centred over: the first band's, but the repeated ones (see
    REPEATED_COLUMNS), kept when the table has no others."""
    first, last = bands(widths)[0]
    return (min(REPEATED_COLUMNS, last), last)


class FormLayout:
    """Writes the heading (rows 1-3) and the signature block of one table sheet."""

    def __init__(self, wb, base: dict):
        def add(**spec):
            return wb.add_format({**base, **spec})
        self.agency = add(font_size=12)
        self.unit = add(font_size=12, bold=True)
        self.nation = add(font_size=12, bold=True)
        self.motto = add(font_size=13, bold=True, underline=1)
        self.place_date = add(font_size=13, italic=True, align="center", valign="top")
        self.block = add(align="center", valign="top", text_wrap=True)
        self.title = add(font_size=14, bold=True)
        self.plan_line = add(italic=True)
        self.title_cell = add(align="center", valign="vcenter", text_wrap=True)
        self.sign = add(bold=True, center_across=True)
        self.sign_note = add(italic=True, center_across=True)

    def heading(self, ws, widths: list[float], header_row: int, row_format, *, issuer: str, unit: str | None,
                place: str, year: int, title: str, plan_line: str) -> None:
        """Rows 0 .. header_row-1 (0-based): two-line blocks left and right, then the title; the rows
        take `row_format` (locked: the columns' own format leaves input cells unlocked)."""
        left, right = heading_blocks(widths)
        unit_line = unit.upper() if unit else words.UNIT_TO_FILL
        _rich(ws, 0, left, self.block, self.agency, issuer.upper(), self.unit, "\n" + unit_line)
        _rich(ws, 0, right, self.block, self.nation, words.NATIONAL_TITLE, self.motto, "\n" + words.NATIONAL_MOTTO)
        _merge(ws, 1, right, words.PLACE_DATE.format(place=place, year=year), self.place_date)
        _rich(ws, header_row - 1, title_columns(widths), self.title_cell, self.title, title, self.plan_line, "\n" + plan_line)
        for row, height in ((0, 38), (1, 22), (header_row - 1, 42)):
            ws.set_row(row, height, row_format)

    def signature(self, ws, widths: list[float], row: int) -> int:
        """The signature block from `row` (0-based): titles, then what each signer writes; returns its
        last row. Each text is one cell centred across its block, not a merge: a merged range under
        the header is read as a value in every cell (read/tables.py), and the reader knows these
        words as the block that ends a table's data."""
        left, right = heading_blocks(widths)
        lines = ((words.PREPARER, words.HEAD, self.sign), (words.PREPARER_SIGNS, words.HEAD_SIGNS, self.sign_note))
        for offset, (preparer, head, fmt) in enumerate(lines):
            for (c1, c2), text in ((left, preparer), (right, head)):
                ws.write_string(row + offset, c1, text, fmt)
                for c in range(c1 + 1, c2 + 1):
                    ws.write_blank(row + offset, c, None, fmt)
        return row + len(lines) - 1


def _merge(ws, row: int, cols: tuple[int, int], text: str, cell_format) -> None:
    if cols[0] == cols[1]:
        ws.write_string(row, cols[0], text, cell_format)
    else:
        ws.merge_range(row, cols[0], row, cols[1], text, cell_format)


def _rich(ws, row: int, cols: tuple[int, int], cell_format, *parts) -> None:
    """Rich text (format, text, format, text …) in one cell, merged over `cols` when wider than one
    (xlsxwriter: merge first, then overwrite the first cell with the rich string)."""
    _merge(ws, row, cols, "", cell_format)
    ws.write_rich_string(row, cols[0], *parts, cell_format)
