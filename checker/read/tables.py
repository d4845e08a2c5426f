"""A table sheet's data rows, under a header found by its labels.

Rows under the header are accounted for: each non-blank row is a data row, or one of the kinds of
rows that are not data (numbered but empty, a group title, the signature block, values outside the
table's columns), so the consolidation can show that nothing was dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..normalise import text
from ..normalise.values import is_blank
from ..ruleset.spec import SheetSpec
from .grids import Grid
from .labels import label_index

HEADER_SCAN_ROWS = 30
# A row under the table that opens the signature block: the usual footer phrases of Vietnamese
# administrative forms (compared without diacritics). Such a row is not data; rows after it are
# still read (a unit may sign in the middle and go on typing), see _read_table.
FOOTER_MARKERS = ("ky ghi ro ho ten", "thu truong don vi", "nguoi lap bieu", "dong dau")
# "Hà Nội, ngày 15 tháng 5 năm 2023": the place-and-date line that opens a signature block.
_PLACE_DATE = re.compile(r"\bngay\s+\S+\s+thang\s+\S+\s+nam\b")
_ROMAN_SECTION = re.compile(r"^[IVX]+\.?$|^[A-Z]\.?$")


@dataclass
class TableData:
    """The data rows of a table sheet: values by field key, aligned with Excel row numbers."""

    spec: SheetSpec
    sheet_name: str
    header_row: int
    columns: dict[str, int]  # field key -> Excel column number (1-based)
    rows: list[int] = field(default_factory=list)
    values: dict[str, list[Any]] = field(default_factory=dict)
    # The reader's own count of the rows under the header holding anything, made apart from the
    # row selection, and the rows the selection did not take as data, by kind (NOT_DATA): data rows
    # + these = seen, or a row was lost.
    seen: int = 0
    not_data: dict[str, list[int]] = field(default_factory=dict)


# Kinds of non-blank rows under a table's header that are not data rows.
NOT_DATA = ("numbered_blank", "group", "footer", "outside")


def find_header(spec: SheetSpec, grid: Grid) -> tuple[int, dict[str, int]] | None:
    index = label_index(spec.fields)
    best: tuple[int, dict[str, int]] | None = None
    for r in range(1, min(HEADER_SCAN_ROWS, len(grid.cells)) + 1):
        found: dict[str, int] = {}
        for c, value in enumerate(grid.cells[r - 1], start=1):
            key = index.field(value)
            if key and key not in found:
                found[key] = c
        if len(found) >= 2 and (best is None or len(found) > len(best[1])):
            best = (r, found)
            if len(found) == index.fields:
                break  # no row below can hold more: the rows of data are not scanned
    return best


def read_table(spec: SheetSpec, grid: Grid) -> tuple[TableData | None, list[tuple[str, str, str | None]]]:
    """The table under its header, and what is missing (kind "column", sheet, label), in order."""
    hit = find_header(spec, grid)
    if hit is None:
        return None, [("column", spec.name, f.label) for f in spec.fields]
    header_row, columns = hit
    # A two-row header (a merged group title above, the column names below) puts some labels one
    # row lower: look there for what is still missing.
    below = header_row + 1
    index = label_index(spec.fields)
    extra = {}
    for c, value in enumerate(grid.cells[below - 1] if below <= len(grid.cells) else [], start=1):
        key = index.field(value)
        if key and key not in columns and c not in columns.values():
            extra[key] = c
    if extra:
        columns.update(extra)
        header_row = below
    missing = [("column", spec.name, f.label) for f in spec.fields if f.key not in columns]
    table = TableData(spec, grid.name, header_row, columns, values={k: [] for k in columns})
    _fill_merged(grid, header_row)
    table.seen = _count_filled_rows(grid, header_row)
    table.not_data = {kind: [] for kind in NOT_DATA}
    label_cols = sorted(columns.values())
    stt_col = columns.get(spec.key_of("row_number"))
    signed = False  # a signature line was met: from there on only rows that look like data are data
    for r in range(header_row + 1, len(grid.cells) + 1):
        line = grid.cells[r - 1]
        kind = _row_kind(line, label_cols, stt_col, signed)
        if kind == "footer" and _is_footer(line):
            signed = True
        if kind == "blank":
            continue
        if kind != "data":
            table.not_data[kind].append(r)
            continue
        table.rows.append(r)
        for key, c in columns.items():
            table.values[key].append(line[c - 1] if c <= len(line) else None)
    return table, missing


def _count_filled_rows(grid: Grid, header_row: int) -> int:
    """Rows under the header holding any value: the reader's own count, kept apart from the row
    selection so that the consolidation compares two independent numbers."""
    return sum(1 for line in grid.cells[header_row:] if any(not is_blank(v) for v in line))


def _row_kind(line: list[Any], label_cols: list[int], stt_col: int | None, signed: bool) -> str:
    """What a row under the header is: "data", "blank" or one of NOT_DATA.

    A signature-like line (a footer phrase or a place-and-date line, alone on its row) is not data,
    but it no longer ends the table: a unit may sign mid-sheet and go on typing, and those rows must
    not vanish. After such a line, a row is data only if it looks like one (more than three filled
    cells, or a number in the STT column beside other fields); the rest of a signature block (the
    "(Ký, ghi rõ họ tên)" line, the signer's name) is not.
    """
    present = [c for c in label_cols if c <= len(line) and not is_blank(line[c - 1])]
    numbered = stt_col is not None and stt_col in present and _is_number(line[stt_col - 1])
    if _is_footer(line) and not (numbered and len(present) >= 2):
        return "footer"
    if not present:
        return "outside" if any(not is_blank(v) for v in line) else "blank"
    if present == [stt_col]:
        return "numbered_blank"  # a pre-numbered empty row
    if stt_col and present[0] == stt_col and len(present) <= 2 and _is_section(line[stt_col - 1]):
        return "group"  # a group row such as "I. Cá nhân"
    if signed and not (sum(1 for v in line if not is_blank(v)) > 3 or (numbered and len(present) >= 2)):
        return "footer"
    return "data"


def _is_number(value: Any) -> bool:
    """An STT: a number, or text such as "7" or "7."."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, str) and value.strip().rstrip(".").isdigit()


def _fill_merged(grid: Grid, header_row: int) -> None:
    """A value merged over several data cells belongs to each of them, as a person reads it.

    Ranges are clipped to the cells that exist (a range may claim A20:XFD1048576), and the cells
    filled are at most the grid's own: ranges that overlap (Excel never writes them; a hostile
    file may hold thousands) cannot make the work grow past the size of the sheet.
    """
    height = len(grid.cells)
    budget = sum(len(line) for line in grid.cells)
    for (r1, c1), (r2, c2) in grid.merged:
        if r2 <= header_row or r1 > height:
            continue
        value = grid.get(r1, c1)
        for r in range(max(r1, header_row + 1), min(r2, height) + 1):
            line = grid.cells[r - 1]
            last = min(c2, len(line))
            if last < c1:
                continue
            budget -= last - c1 + 1
            if budget < 0:
                return
            for c in range(c1, last + 1):
                if (r, c) != (r1, c1):
                    line[c - 1] = value


def _is_footer(line: list[Any]) -> bool:
    # A signature line stands alone on its row (a data row may mention "thủ trưởng đơn vị" in text).
    # Asked of every row: a data row is told apart at its fourth filled cell, not after all of them.
    filled = []
    for v in line:
        if not is_blank(v):
            filled.append(v)
            if len(filled) > 3:
                return False
    if not filled:
        return False
    for value in filled:
        if isinstance(value, str) and value.strip():
            key = text.name_key(value)
            if any(marker in key for marker in FOOTER_MARKERS) or _PLACE_DATE.search(key):
                return True
    return False


def _is_section(value: Any) -> bool:
    return isinstance(value, str) and bool(_ROMAN_SECTION.match(value.strip()))
