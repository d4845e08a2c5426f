"""Read a unit's workbook: find each template sheet, its header and columns by label, and its rows.

Everything is located by label, not by position: rows inserted above the header, reordered, hidden
or extra columns, blank rows, merged cells, a signature block under the table and a renamed sheet
are all read correctly, and what cannot be found is reported by name. Rows keep their real Excel row
numbers so every finding carries a true cell reference. python-calamine reads the cells (`grids`,
each sheet bounded first from the file's bytes: `extent`, `xlsx_scan`, `ods_scan`, `xls_scan`);
`tables` and `forms` read the two kinds of template sheets; the template's version sheet is read
here, and the fonts of the rare cells whose legacy Vietnamese text needs them (`xlsx_fonts`).
A workbook ntvt wrote itself (an annotated copy, a consolidated workbook: model.marks) is recognised
by its custom document property and not read: it is not a unit's report.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass, field

import python_calamine as calamine

from ..model.marks import WORKBOOK_PROPERTY
from ..model.words import GENERATED_REASON
from ..normalise import legacy
from ..normalise.values import as_text
from ..ruleset.spec import RuleSet, SheetSpec
from .forms import FormValue, form_labels, read_form
from .grids import VERSION_LABEL, VERSION_SHEET, Grid, SheetParts, bound_whole_file, load_grids
from .labels import label_key
from .safety import Rejected, inspect_bytes
from .tables import TableData, find_header, read_table
from .xlsx_fonts import xlsx_fonts
from .xlsx_scan import custom_property

__all__ = ["FormValue", "TableData", "WorkbookData", "read_workbook"]


@dataclass
class WorkbookData:
    """Everything read from one input file."""

    name: str
    sha256: str
    format: str | None = None
    rejected: Rejected | None = None
    # The kind (model.marks) of a file ntvt wrote itself; such a book is also `rejected` ("generated"),
    # so nothing reads it as a report, but it is no reading finding of a unit.
    generated: str | None = None
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
    book = WorkbookData(name=name, sha256=sha256 or hashlib.sha256(data).hexdigest())
    verdict = inspect_bytes(name, data, rules.limits)
    if isinstance(verdict, Rejected):
        book.rejected = verdict
        return book
    book.format = verdict
    zf = zipfile.ZipFile(io.BytesIO(data)) if verdict in ("xlsx", "xlsm") else None
    mark = custom_property(zf, WORKBOOK_PROPERTY) if zf is not None else None
    if mark is not None:
        book.generated = mark or "unknown"
        book.rejected = Rejected("generated", GENERATED_REASON)
        return book
    try:
        # .ods and .xls are read whole when calamine opens them: bound every sheet first.
        bound_whole_file(verdict, data, rules.limits)
        wb = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = SheetParts(zf, rules)
        grids = load_grids(wb, rules, sheets)
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


def _truncate_long_cells(book: WorkbookData, grids: list[Grid], limit: int) -> None:
    """Excel holds at most 32,767 characters in a cell; a longer one is reported and cut."""
    for grid in grids:
        for r, line in enumerate(grid.cells, start=1):
            for c, value in enumerate(line, start=1):
                if isinstance(value, str) and len(value) > limit:
                    book.long_cells.append((grid.name, r, c, len(value)))
                    line[c - 1] = value[:limit]


# ---------------------------------------------------------------------------------------------
# Locating sheets, headers and fields


def _locate(book: WorkbookData, grids: list[Grid], rules: RuleSet) -> None:
    by_key = {label_key(g.name): g for g in grids}
    version = by_key.get(label_key(VERSION_SHEET))
    if version is not None:
        for r in range(1, 6):
            if label_key(version.get(r, 1) or "") == label_key(VERSION_LABEL):
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
            table, missing = read_table(spec, grid)
            if table is not None:
                book.tables[spec.key] = table
        else:
            book.forms[spec.key], missing = read_form(spec, grid)
            book.form_sheets[spec.key] = grid.name
        book.missing.extend(missing)


def _find_by_content(spec: SheetSpec, grids: list[Grid]) -> Grid | None:
    need = max(2, len(spec.fields) // 2)
    for grid in grids:
        if spec.kind == "table":
            hit = find_header(spec, grid)
            if hit and len(hit[1]) >= need:
                return grid
        elif len(form_labels(spec, grid)) >= need:
            return grid
    return None


# ---------------------------------------------------------------------------------------------
# Fonts, only where legacy Vietnamese text is suspected


def _read_fonts_if_needed(book: WorkbookData, sheets: SheetParts) -> None:
    """Fonts of the cells whose text looks like legacy TCVN3/VNI: only those cells are looked up,
    by streaming their sheet's XML and styles.xml (never a whole-workbook load)."""
    suspects: dict[str, set[tuple[int, int]]] = {}
    for table in book.tables.values():
        for key, col in table.columns.items():
            for r, value in zip(table.rows, table.values[key]):
                if isinstance(value, str) and legacy.looks_legacy(value):
                    suspects.setdefault(table.sheet_name, set()).add((r, col))
    for sheet_key, fields in book.forms.items():
        for fv in fields.values():
            if isinstance(fv.value, str) and legacy.looks_legacy(fv.value):
                suspects.setdefault(book.form_sheets[sheet_key], set()).add((fv.row, fv.col))
    for sheet, cells in suspects.items():
        part = sheets.parts.get(sheet)
        if part is None:
            continue
        try:
            found = xlsx_fonts(sheets.zf, part, cells)
        except Exception:  # fonts are only a hint; detection still works on characters alone
            continue
        for (r, c), name in found.items():
            book.fonts[(sheet, r, c)] = name
