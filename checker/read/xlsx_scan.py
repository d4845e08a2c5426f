"""Streaming scan of an .xlsx worksheet part: the extent of its cells holding a value, and the
formulas saved without a value (each becomes a finding), before calamine reads the sheet.

The fast scan matches cells in the form every common writer uses; a careful tokeniser takes over
for anything else (cells without a reference, namespace prefixes, odd quoting). Formatting-only
cells (`<c r="S9" s="1"/>`) hold no value and cost nothing, as in calamine.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass

import defusedxml.ElementTree as ET

from .extent import SheetExtent
from .xml_scan import (BLOCK, XLSX_TOKEN, a1_position, column_number, read_blocks, row_number, self_closing,
                       tag_attrs, tokens, xml_text)

MAX_FORMULA = 1 << 16  # bytes of one formula kept for the finding (Excel allows 8,192 characters)
MAX_FORMULAS = 10_000  # formulas without a value recorded per sheet (each one becomes a finding)


@dataclass(slots=True)
class _Cell:
    row: int
    col: int
    valued: bool = False  # has a <v> or an <is>: calamine puts it in the grid
    value_at: int = -1  # where its <v> text starts (offset in the part)
    empty_value: bool = False  # <v></v>: a value for calamine, none for Excel
    formula: str | None = None
    shared: bytes | None = None  # a shared formula's si


# The fast scan reads the cells in the form every common writer uses (Excel, LibreOffice, openpyxl,
# xlsxwriter): `<c r="B7" s="1" t="s">` with double-quoted attributes, the reference first, and the
# cell's first child telling whether it holds a value. Each match is one cell; the rest of the XML
# is skipped by the regex engine. When the cells of a block are not all in that form (counted at
# memchr speed), or a tag carries a namespace prefix, the careful scan reads the sheet instead.
_SIMPLEATTRS = rb'(?: [\w:.\-]+="[^"<>]*")*'
_CANON = re.compile(
    rb'<c r="([A-Z]{1,3})([0-9]{1,7})"' + _SIMPLEATTRS + rb'>(?:(<v>|<is>|</c>|<v ?/>)|(<f)('
    + _SIMPLEATTRS + rb')(?:>([^<]*)</f>| ?/>)(<v></v>|<v>|<v ?/>|</c>)?)?')
# Self-closing cells (formatting only: no value) are only counted, never turned into objects.
_CANON_EMPTY = re.compile(rb'<c r="[A-Z]{1,3}[0-9]{1,7}"' + _SIMPLEATTRS + rb" ?/>")
_VALUE_TAGS = (b"<v>", b"<is>")
_FORMULA = re.compile(rb"<f[\s>/]")
_ODD_CELL = re.compile(rb"<c[>/\t\n\r]")  # cell starts other than "<c ": the careful scan reads them
PREFIX_HINT = re.compile(rb":(?:c|v|is|f|row)[\s/>]")
PREFIXED = re.compile(rb"<[A-Za-z_][\w.\-]*:(?:c|v|is|f|row)[\s/>]")
_SHARED_SI = re.compile(rb'\ssi="([^"]*)"')
_TAIL = 1 << 17  # a cell's start within this many bytes of a block's end is read with the next block


class _Careful(Exception):
    """The fast scan met what it does not handle (a cell in another form, a namespace prefix…)."""


def _merges(buf: bytes, end: int) -> int:
    """<mergeCell> elements in buf[:end] (memmem speed)."""
    return buf.count(b"<mergeCell ", 0, end) + buf.count(b":mergeCell ", 0, end) if b"mergeCell" in buf else 0


def xlsx_extent(zf: zipfile.ZipFile, part: str, name: str, want_formulas: bool = True) -> SheetExtent:
    """Stream one worksheet part: the last row and column of the cells holding a value (a `<v>` or an
    inline string `<is>`, as calamine reads them; `<v/>`, formula-only and formatting-only cells are
    not values), and the formulas saved without a value. The `<dimension>` element is not trusted:
    it says what the writer claimed; the cells say what a reader will allocate."""
    try:
        return _xlsx_fast(zf, part, name, want_formulas)
    except _Careful:
        return _xlsx_exact(zf, part, name, want_formulas)


def _xlsx_fast(zf: zipfile.ZipFile, part: str, name: str, want_formulas: bool) -> SheetExtent:
    extent = SheetExtent(name)
    rows = cols = cells = 0
    masters: dict[bytes, tuple[str, int, int]] = {}
    carry = b""
    for block in read_blocks(zf, part):
        buf = carry + block
        # Cells that start near the end are read with the next block, whole.
        end = buf.rfind(b"<c", max(0, len(buf) - _TAIL)) if len(block) == BLOCK else -1
        end = len(buf) if end < 0 else end
        carry = buf[end:]
        if PREFIX_HINT.search(buf, 0, end) and PREFIXED.search(buf, 0, end):
            raise _Careful  # namespace prefixes on cells
        found = _CANON.findall(buf, 0, end)
        starts = buf.count(b"<c ", 0, end)
        if len(found) != starts:
            starts -= _CANON_EMPTY.subn(b"", buf[:end])[1]
        if len(found) != starts or _ODD_CELL.search(buf, 0, end):
            raise _Careful  # a cell in another form
        extent.merges += _merges(buf, end)
        if not _FORMULA.search(buf, 0, end):  # no formula in this block: the common case, in bulk
            valued = [cell for cell in found if cell[2] in _VALUE_TAGS]
            if len(valued) < len(found) and not all(cell[2] for cell in found):
                raise _Careful  # a cell whose first child is unusual
            if valued:
                cells += len(valued)
                # Each distinct row number and column once (a row's cells share one, a column's too).
                rows = max(rows, max(map(int, {cell[1] for cell in valued})))
                cols = max(cols, max(map(column_number, {cell[0] for cell in valued})))
            continue
        for letters, digits, first, formula, f_attrs, f_text, after in found:
            if first and first not in _VALUE_TAGS:
                continue  # formatting only, an empty element, or <v/> (no value)
            if first:
                valued, empty = True, False
            elif formula:
                if not after:
                    raise _Careful  # a formula followed by something unusual
                valued, empty = after in (b"<v>", b"<v></v>"), after == b"<v></v>"
                if want_formulas:
                    cell = _Cell(int(digits), column_number(letters), valued, -1, empty,
                                 xml_text(f_text[:MAX_FORMULA]) if f_text else "",
                                 _SHARED_SI.search(f_attrs).group(1) if b'"shared"' in f_attrs and
                                 _SHARED_SI.search(f_attrs) else None)
                    _formula_done(cell, extent.formulas, masters)
            else:
                raise _Careful  # a cell whose first child is unusual
            if valued:
                cells += 1
                rows, cols = max(rows, int(digits)), max(cols, column_number(letters))
    if carry:
        raise _Careful  # never: the last block is read whole
    extent.rows, extent.cols, extent.cells = rows, cols, cells
    return extent


def _formula_done(cell: _Cell, formulas: list, masters: dict) -> None:
    """Record a finished cell's formula if it was saved without a value (and a shared formula's
    master, for the cells that share it)."""
    if cell.formula is None:
        return
    if cell.shared is not None and cell.formula and cell.shared not in masters and len(masters) < MAX_FORMULAS:
        masters[cell.shared] = (cell.formula, cell.row, cell.col)
    if (not cell.valued or cell.empty_value) and len(formulas) < MAX_FORMULAS:
        formula = cell.formula
        if not formula and cell.shared in masters:
            formula = _translate(*masters[cell.shared], cell.row, cell.col)
        formulas.append((cell.row, cell.col, f"={formula}"))


def _xlsx_exact(zf: zipfile.ZipFile, part: str, name: str, want_formulas: bool = True) -> SheetExtent:
    """The careful scan: every row and cell tag, attributes parsed quote-aware; cells without a
    reference are placed as calamine places them (the next column; rows without `r` follow on)."""
    extent = SheetExtent(name)
    row = col = 0
    cell: _Cell | None = None
    formula_at = -1  # offset in the part where the text of the formula being read starts
    formula_text = b""
    masters: dict[bytes, tuple[str, int, int]] = {}  # shared formulas: si -> (formula, row, col)
    buf, base = b"", 0
    for m, now, at in tokens(read_blocks(zf, part), XLSX_TOKEN, part):
        if m is None:  # a new buffer: keep what was read of a formula's text in the old one
            extent.merges += _merges(now, len(now))
            if formula_at >= 0:
                if len(formula_text) < MAX_FORMULA:
                    formula_text += buf[formula_at - base:at - base]
                formula_at = at
            buf, base = now, at
            continue
        closer, opener, raw = m.group(1), m.group(2), m.group(3)
        if opener == b"row":
            row, col = row_number(raw, row), 0
        elif opener == b"c":
            attrs = tag_attrs(raw)
            ref = attrs.get(b"r")
            r, c = a1_position(ref) if ref is not None else (max(row, 1), col + 1)  # no r: the next cell of its row
            col = c
            # No cell to follow when it is self-closing, or when calamine refuses its reference (the
            # sheet will then be rejected as damaged, not read densely).
            cell = None if self_closing(raw) or not r else _Cell(r, c)
        elif cell is None:
            continue
        elif opener == b"v":
            if not self_closing(raw):
                cell.valued, cell.value_at = True, base + m.end()
        elif closer == b"v":
            cell.empty_value = base + m.start() == cell.value_at
        elif opener == b"is":
            cell.valued = True
        elif opener == b"f":
            attrs = tag_attrs(raw)
            cell.formula = ""
            cell.shared = attrs.get(b"si") if attrs.get(b"t") == b"shared" else None
            if not self_closing(raw):
                formula_at, formula_text = base + m.end(), b""
        elif closer == b"f" and formula_at >= 0:
            cell.formula = xml_text((formula_text + buf[formula_at - base:m.start()])[:MAX_FORMULA])
            formula_at = -1
            if cell.shared is not None and cell.shared not in masters and len(masters) < MAX_FORMULAS:
                masters[cell.shared] = (cell.formula, cell.row, cell.col)
        elif closer == b"c":
            if cell.valued:
                extent.add(cell.row, cell.col)
            if want_formulas and cell.formula is not None and (not cell.valued or cell.empty_value) \
                    and len(extent.formulas) < MAX_FORMULAS:
                formula = cell.formula
                if not formula and cell.shared in masters:
                    formula = _translate(*masters[cell.shared], cell.row, cell.col)
                extent.formulas.append((cell.row, cell.col, f"={formula}"))
            cell = None
    return extent


def _translate(formula: str, row: int, col: int, to_row: int, to_col: int) -> str:
    """A shared formula as it reads in a dependent cell (what openpyxl showed before)."""
    # openpyxl is heavy and shared formulas without a value are rare: imported lazily (start-up cost).
    from openpyxl.formula.translate import Translator  # lazy: start-up cost
    from openpyxl.utils import get_column_letter  # lazy: start-up cost

    try:
        moved = Translator(f"={formula}", origin=f"{get_column_letter(col)}{row}")
        return moved.translate_formula(f"{get_column_letter(to_col)}{to_row}")[1:]
    except Exception:  # a formula openpyxl cannot parse: show the master's text
        return formula


def xlsx_sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> worksheet part, from xl/workbook.xml and its relationships (small parts)."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "pr": "http://schemas.openxmlformats.org/package/2006/relationships"}
    rid = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    book = ET.fromstring(zf.read("xl/workbook.xml"))
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") or "" for r in rels.findall("pr:Relationship", ns)}
    parts = {}
    for sheet in book.iter("{%s}sheet" % ns["m"]):
        target = targets.get(sheet.get(rid), "")
        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        parts[sheet.get("name")] = _normalise(part)
    return parts


def _normalise(part: str) -> str:
    """"xl/worksheets/../worksheets/sheet1.xml" -> "xl/worksheets/sheet1.xml", as a reader resolves it."""
    out: list[str] = []
    for piece in part.split("/"):
        if piece == "..":
            if out:
                out.pop()
        elif piece not in ("", "."):
            out.append(piece)
    return "/".join(out)


# ---------------------------------------------------------------------------------------------
# ntvt's own mark

CUSTOM_PART = "docProps/custom.xml"  # where Excel, openpyxl and xlsxwriter keep custom properties
MAX_CUSTOM_BYTES = 1 << 16  # ntvt's own part is a few hundred bytes; a larger one is not ours
_PROPERTY = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}property"


def custom_property(zf: zipfile.ZipFile, name: str) -> str | None:
    """The text of the custom document property `name` (e.g. model.marks.WORKBOOK_PROPERTY), "" for
    one without a value, None when the workbook has none by that name. Read bounded; a damaged or
    oversized part counts as none (the mark is only ntvt's own, never a unit's)."""
    try:
        info = zf.getinfo(CUSTOM_PART)
    except KeyError:
        return None
    if info.file_size > MAX_CUSTOM_BYTES:
        return None
    try:
        with zf.open(info) as fh:
            root = ET.fromstring(fh.read(MAX_CUSTOM_BYTES + 1))
    except Exception:  # a damaged part or XML defusedxml refuses: no mark to see
        return None
    for prop in root.iter(_PROPERTY):
        if prop.get("name") == name:
            return "".join(prop.itertext()).strip()
    return None
