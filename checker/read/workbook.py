"""Read a unit's workbook: find each template sheet, its header and columns by label, and its rows.

Everything is located by label, not by position: rows inserted above the header, reordered, hidden
or extra columns, blank rows, merged cells, a signature block under the table and a renamed sheet
are all read correctly, and what cannot be found is reported by name. Rows keep their real Excel row
numbers so every finding carries a true cell reference. python-calamine reads the cells (fast, and
the same API for .xlsx/.xlsm/.xls/.ods). Before calamine touches a sheet, its extent is measured
from the file's bytes (`sheetscan`), so a tiny file cannot make it allocate a dense grid of
gigabytes; the same streamed pass finds formulas saved without a value, and the fonts of the rare
cells whose legacy Vietnamese text needs them are read from the sheet and styles XML alone.

Rows under a table's header are accounted for: each non-blank row is a data row, or one of the
kinds of rows that are not data (numbered but empty, a group title, the signature block, values
outside the table's columns), so the consolidation can show that nothing was dropped.
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

import python_calamine as calamine

from . import sheetscan
from ..normalise import text
from ..ruleset.spec import FieldSpec, RuleSet, SheetSpec
from .safety import Rejected, inspect_bytes
from ..normalise.values import as_text, is_blank

HEADER_SCAN_ROWS = 30
FORM_SCAN_ROWS = 80
FORM_SCAN_COLS = 6
VERSION_SHEET = "_ntvt"
# A row under the table that opens the signature block: the usual footer phrases of Vietnamese
# administrative forms (compared without diacritics). Such a row is not data; rows after it are
# still read (a unit may sign in the middle and go on typing), see _read_table.
FOOTER_MARKERS = ("ky ghi ro ho ten", "thu truong don vi", "nguoi lap bieu", "dong dau")
# "Hà Nội, ngày 15 tháng 5 năm 2023": the place-and-date line that opens a signature block.
_PLACE_DATE = re.compile(r"\bngay\s+\S+\s+thang\s+\S+\s+nam\b")
_ROMAN_SECTION = re.compile(r"^[IVX]+\.?$|^[A-Z]\.?$")


@functools.lru_cache(maxsize=1 << 16)
def label_key(label: object) -> str:
    """Compare labels without diacritics, case, required-markers, punctuation or line breaks.

    Cached: every file repeats the same labels, and header scans key every text cell they meet.
    """
    return text.name_key(str(label).replace("(*)", " ").replace("*", " "))


def short_key(label: str) -> str:
    """A label's short form: the part before ':' ("Tiêu chí 1: …" -> "tieu chi 1")."""
    return label_key(label.split(":", 1)[0]) if ":" in label else label_key(label)


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


@dataclass
class FormValue:
    row: int
    col: int
    value: Any


@dataclass
class WorkbookData:
    """Everything read from one input file."""

    name: str
    sha256: str
    format: str | None = None
    rejected: Rejected | None = None
    tables: dict[str, TableData] = field(default_factory=dict)
    forms: dict[str, dict[str, FormValue]] = field(default_factory=dict)  # sheet key -> field key -> value
    form_sheets: dict[str, str] = field(default_factory=dict)  # sheet key -> actual sheet name
    missing: list[tuple[str, str, str | None]] = field(default_factory=list)  # (kind, sheet, label)
    version: str | None = None
    long_cells: list[tuple[str, int, int, int]] = field(default_factory=list)  # (sheet, row, col, length)
    formulas: list[tuple[str, int, int, str]] = field(default_factory=list)  # (sheet, row, col, formula) w/o value
    fonts: dict[tuple[str, int, int], str] = field(default_factory=dict)  # (sheet, row, col) -> font name


def read_workbook(name: str, data: bytes, rules: RuleSet, sha256: str | None = None) -> WorkbookData:
    """Read one input file's bytes (`sha256` their digest, if already known); an unreadable file
    comes back with `rejected` set, never raised."""
    import hashlib

    book = WorkbookData(name=name, sha256=sha256 or hashlib.sha256(data).hexdigest())
    verdict = inspect_bytes(name, data, rules.limits)
    if isinstance(verdict, Rejected):
        book.rejected = verdict
        return book
    book.format = verdict
    zf = zipfile.ZipFile(io.BytesIO(data)) if verdict in ("xlsx", "xlsm") else None
    try:
        # .ods and .xls are read whole when calamine opens them: bound every sheet first.
        sheetscan.bound_whole_file(verdict, data, rules.limits)
        wb = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = _Sheets(zf, rules)
        grids = _load_grids(wb, rules, sheets)
    except Rejected as exc:
        book.rejected = exc
        return book
    except Exception as exc:  # calamine raises its own error types for corrupt parts
        book.rejected = Rejected("corrupt", f"tệp hỏng hoặc không phải bảng tính hợp lệ ({type(exc).__name__})")
        return book
    _truncate_long_cells(book, grids, rules.limits.max_cell_chars)
    _locate(book, grids, rules)
    if zf is not None:
        # Formulas without a value were found while each sheet was bounded: keep those of the
        # sheets ntvt reads (table and form sheets), as before.
        wanted = {t.sheet_name for t in book.tables.values()} | set(book.form_sheets.values())
        book.formulas = [(name, r, c, f) for name, found in sheets.formulas.items() if name in wanted
                         for r, c, f in found]
        _read_fonts_if_needed(book, sheets)
    return book


def _truncate_long_cells(book: WorkbookData, grids: list[_Grid], limit: int) -> None:
    """Excel holds at most 32,767 characters in a cell; a longer one is reported and cut."""
    for grid in grids:
        for r, line in enumerate(grid.cells, start=1):
            for c, value in enumerate(line, start=1):
                if isinstance(value, str) and len(value) > limit:
                    book.long_cells.append((grid.name, r, c, len(value)))
                    line[c - 1] = value[:limit]


# ---------------------------------------------------------------------------------------------
# Loading cells


@dataclass
class _Grid:
    name: str
    cells: list[list[Any]]  # absolute positions: cells[r-1][c-1]
    merged: list[tuple[tuple[int, int], tuple[int, int]]]

    def get(self, row: int, col: int) -> Any:
        if 1 <= row <= len(self.cells):
            line = self.cells[row - 1]
            if 1 <= col <= len(line):
                return line[col - 1]
        return None


class _Sheets:
    """The worksheet parts of an .xlsx, bounded one by one before calamine reads each (calamine
    reads an .xlsx sheet only when asked for it)."""

    def __init__(self, zf: zipfile.ZipFile | None, rules: RuleSet):
        self.zf, self.limits = zf, rules.limits
        self.formulas: dict[str, list[tuple[int, int, str]]] = {}  # sheet -> formulas without a value
        self.parts: dict[str, str] = {}
        if zf is not None:
            try:
                self.parts = sheetscan.xlsx_sheet_parts(zf)
            except Exception:  # no usable map: every worksheet part is bounded instead
                self.parts = {}

    def bound(self, name: str) -> None:
        """Measure the sheet's extent from its XML; Rejected if it reaches past the limits."""
        if self.zf is None:
            return  # .ods/.xls: bounded whole, before opening
        part = self.parts.get(name)
        names = set(self.zf.namelist())
        if part in names:
            extent = sheetscan.xlsx_extent(self.zf, part, name)
            sheetscan.check_extent(extent, self.limits)
            self.formulas[name] = extent.formulas
            return
        # The sheet's part is not where the workbook says (calamine may still find it): bound
        # every worksheet part, named by its part.
        for other in sorted(n for n in names if n.lower().startswith("xl/worksheets/") and n.lower().endswith(".xml")):
            sheetscan.check_extent(sheetscan.xlsx_extent(self.zf, other, other, want_formulas=False), self.limits)


def _load_grids(wb: Any, rules: RuleSet, sheets: _Sheets) -> list[_Grid]:
    """Load the sheets the template names (and the version sheet); all sheets only if one is missing,
    so a renamed sheet can still be recognised by its content."""
    metas = [m for m in wb.sheets_metadata if not str(getattr(m, "typ", "")).endswith("ChartSheet")]
    template = {label_key(s.name) for s in rules.sheets if s.kind != "guide"}
    found = {label_key(m.name) for m in metas}
    if not template <= found:
        return [_load_grid(wb, m.name, rules, sheets) for m in metas]  # a template sheet is missing by name
    named = [m for m in metas if label_key(m.name) in template | {label_key(VERSION_SHEET)}]
    return [_load_grid(wb, m.name, rules, sheets) for m in named]


def _load_grid(wb: Any, name: str, rules: RuleSet, sheets: _Sheets) -> _Grid:
    limits = rules.limits
    sheets.bound(name)  # before get_sheet_by_name: that call already allocates the dense grid
    sheet = wb.get_sheet_by_name(name)
    end = sheet.end
    if end is not None and (end[0] + 1 > limits.max_rows or end[1] + 1 > limits.max_columns):
        # A second guard, before the rows become Python objects (the XML scan already said so).
        raise Rejected("too_many_cells", f"trang “{name}” có {end[0] + 1} dòng × {end[1] + 1} cột, "
                                         f"vượt giới hạn {limits.max_rows} dòng × {limits.max_columns} cột")
    cells = sheet.to_python(skip_empty_area=False)
    merged = [((a + 1, b + 1), (c + 1, d + 1)) for (a, b), (c, d) in (sheet.merged_cell_ranges or [])]
    return _Grid(name, cells, merged)


# ---------------------------------------------------------------------------------------------
# Locating sheets, headers and fields


def _locate(book: WorkbookData, grids: list[_Grid], rules: RuleSet) -> None:
    by_key = {label_key(g.name): g for g in grids}
    version = by_key.get(label_key(VERSION_SHEET))
    if version is not None:
        for r in range(1, 6):
            if label_key(version.get(r, 1) or "") == label_key("template_version"):
                book.version = as_text(version.get(r, 2)) or None
    used: set[str] = set()
    for spec in rules.sheets:
        if spec.kind == "guide":
            continue
        grid = by_key.get(label_key(spec.name))
        if grid is None:  # a renamed sheet: recognise it by its content
            grid = _find_by_content(spec, [g for g in grids if g.name not in used])
        if grid is None:
            book.missing.append(("sheet", spec.name, None))
            continue
        used.add(grid.name)
        if spec.kind == "table":
            _read_table(book, spec, grid)
        else:
            _read_form(book, spec, grid)


def _label_index(fields: tuple[FieldSpec, ...]) -> dict[str, str]:
    index = {}
    for f in fields:
        index[label_key(f.label)] = f.key
        index.setdefault(short_key(f.label), f.key)
    return index


def _find_header(spec: SheetSpec, grid: _Grid) -> tuple[int, dict[str, int]] | None:
    index = _label_index(spec.fields)
    best: tuple[int, dict[str, int]] | None = None
    for r in range(1, min(HEADER_SCAN_ROWS, len(grid.cells)) + 1):
        found: dict[str, int] = {}
        for c, value in enumerate(grid.cells[r - 1], start=1):
            if isinstance(value, str) and value.strip():
                key = index.get(label_key(value))
                if key and key not in found:
                    found[key] = c
        if len(found) >= 2 and (best is None or len(found) > len(best[1])):
            best = (r, found)
    return best


def _find_by_content(spec: SheetSpec, grids: list[_Grid]) -> _Grid | None:
    need = max(2, len(spec.fields) // 2)
    for grid in grids:
        if spec.kind == "table":
            hit = _find_header(spec, grid)
            if hit and len(hit[1]) >= need:
                return grid
        elif len(_form_labels(spec, grid)) >= need:
            return grid
    return None


def _read_table(book: WorkbookData, spec: SheetSpec, grid: _Grid) -> None:
    hit = _find_header(spec, grid)
    if hit is None:
        book.missing.extend(("column", spec.name, f.label) for f in spec.fields)
        return
    header_row, columns = hit
    # A two-row header (a merged group title above, the column names below) puts some labels one
    # row lower: look there for what is still missing.
    below = header_row + 1
    index = _label_index(spec.fields)
    extra = {}
    for c, value in enumerate(grid.cells[below - 1] if below <= len(grid.cells) else [], start=1):
        key = index.get(label_key(value)) if isinstance(value, str) and value.strip() else None
        if key and key not in columns and c not in columns.values():
            extra[key] = c
    if extra:
        columns.update(extra)
        header_row = below
    for f in spec.fields:
        if f.key not in columns:
            book.missing.append(("column", spec.name, f.label))
    table = TableData(spec, grid.name, header_row, columns, values={k: [] for k in columns})
    _fill_merged(grid, header_row)
    table.seen = _count_filled_rows(grid, header_row)
    table.not_data = {kind: [] for kind in NOT_DATA}
    label_cols = sorted(columns.values())
    stt_col = columns.get("stt")
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
    book.tables[spec.key] = table


def _count_filled_rows(grid: _Grid, header_row: int) -> int:
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


def _fill_merged(grid: _Grid, header_row: int) -> None:
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
    filled = [v for v in line if not is_blank(v)]
    if not filled or len(filled) > 3:
        return False
    for value in filled:
        if isinstance(value, str) and value.strip():
            key = text.name_key(value)
            if any(marker in key for marker in FOOTER_MARKERS) or _PLACE_DATE.search(key):
                return True
    return False


def _is_section(value: Any) -> bool:
    return isinstance(value, str) and bool(_ROMAN_SECTION.match(value.strip()))


def _form_labels(spec: SheetSpec, grid: _Grid) -> dict[str, tuple[int, int]]:
    index = _label_index(spec.fields)
    found: dict[str, tuple[int, int]] = {}
    for r in range(1, min(FORM_SCAN_ROWS, len(grid.cells)) + 1):
        for c, value in enumerate(grid.cells[r - 1][:FORM_SCAN_COLS], start=1):
            if isinstance(value, str) and value.strip():
                key = index.get(label_key(value))
                if key and key not in found:
                    found[key] = (r, c)
    return found


def _read_form(book: WorkbookData, spec: SheetSpec, grid: _Grid) -> None:
    labels = _form_labels(spec, grid)
    values: dict[str, FormValue] = {}
    for f in spec.fields:
        if f.key not in labels:
            book.missing.append(("field", spec.name, f.label))
            continue
        r, c = labels[f.key]
        # The value is in the cell right of the label, or right of the label's merged area. Cells
        # further right are not searched: the template puts a prompt there.
        target = c + 1
        for (r1, c1), (r2, c2) in grid.merged:
            if r1 <= r <= r2 and c1 <= c <= c2:
                target = c2 + 1
        values[f.key] = FormValue(r, target, grid.get(r, target))
    book.forms[spec.key] = values
    book.form_sheets[spec.key] = grid.name


# ---------------------------------------------------------------------------------------------
# Fonts, only where legacy Vietnamese text is suspected


def _read_fonts_if_needed(book: WorkbookData, sheets: _Sheets) -> None:
    """Fonts of the cells whose text looks like legacy TCVN3/VNI: only those cells are looked up,
    by streaming their sheet's XML and styles.xml (never a whole-workbook load)."""
    suspects: dict[str, set[tuple[int, int]]] = {}
    for table in book.tables.values():
        for key, col in table.columns.items():
            for r, value in zip(table.rows, table.values[key]):
                if isinstance(value, str) and text.looks_legacy(value):
                    suspects.setdefault(table.sheet_name, set()).add((r, col))
    for sheet_key, fields in book.forms.items():
        for fv in fields.values():
            if isinstance(fv.value, str) and text.looks_legacy(fv.value):
                suspects.setdefault(book.form_sheets[sheet_key], set()).add((fv.row, fv.col))
    for sheet, cells in suspects.items():
        part = sheets.parts.get(sheet)
        if part is None:
            continue
        try:
            found = sheetscan.xlsx_fonts(sheets.zf, part, cells)
        except Exception:  # fonts are only a hint; detection still works on characters alone
            continue
        for (r, c), name in found.items():
            book.fonts[(sheet, r, c)] = name
