"""Streaming scans of a workbook's sheets, before (and instead of) any dense read.

python-calamine turns a sheet into a dense grid from A1 to its last cell holding a value: one cell
at XFD1048576 in a 7 KB file asks for 549 GB and aborts the process, one at XFD3000 costs 1.6 GB.
For .xls and .ods calamine reads every sheet when the file is opened. So each sheet's extent is
measured here first, from the bytes, in bounded memory: worksheet XML is inflated in 1 MiB blocks
and its cells matched by one regex in the form every common writer uses (a careful tokeniser takes
over for anything else: cells without a reference, namespace prefixes, odd quoting); .ods
content.xml counts repeated rows and cells; .xls BIFF records are walked. Formatting-only cells (`<c r="S9" s="1"/>`,
LibreOffice's repeats of empty cells) hold no value and cost nothing, as in calamine.

The same streamed pass finds formulas saved without a cached value, and a second one reads the
fonts of a few suspect cells (legacy Vietnamese text), so openpyxl never loads a whole workbook.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from dataclasses import dataclass, field
from typing import Callable, Iterator

from ..ruleset.spec import Limits
from .safety import Rejected

BLOCK = 1 << 20  # bytes of XML inflated at a time
MAX_TAG = 1 << 20  # no real tag is this long; a longer one would make the scan quadratic
MAX_FORMULA = 1 << 16  # bytes of one formula kept for the finding (Excel allows 8,192 characters)
MAX_FORMULAS = 10_000  # formulas without a value recorded per sheet (each one becomes a finding)

_PREFIX = rb"(?:[A-Za-z_][\w.\-]*:)?"
# Attributes, quote-aware: a ">" or " r=" inside a quoted value does not end the tag or fake an
# attribute (XML forbids "<" in values, so a quoted value never swallows the next tag).
_ITEM = rb"(?:[^>\"'<]|\"[^\"<]*\"|'[^'<]*')"
_ATTRS = _ITEM + rb"*"
_ATTR = re.compile(rb"([\w:.\-]+)\s*=\s*(?:\"([^\"<]*)\"|'([^'<]*)')")
_REF = re.compile(rb"([A-Za-z]+)([0-9]+)")
# Tokens of worksheet XML: openers of row/c/v/is/f, closers of c/f/v. A self-closing cell with an
# `r` attribute (a formatting-only cell: the bulk of a sheet "used" down to row 1,048,576) is
# skipped by the regex itself, at C speed.
_XLSX_TOKEN = re.compile(
    rb"<(?:/" + _PREFIX + rb"(c|f|v)\s*|" + _PREFIX +
    rb"(row|v|is|f|c(?!" + _ITEM + rb"*?\sr\s*=" + _ATTRS + rb"/>))(?=[\s/>])(" + _ATTRS + rb"))>")
_ANY_TAG = re.compile(rb"<" + _ATTRS + rb">")


@dataclass
class SheetExtent:
    """What a sheet holds, as far as a dense read is concerned."""

    name: str
    rows: int = 0  # the last row holding a value (1-based; 0: none)
    cols: int = 0  # the last column holding a value
    cells: int = 0  # cells holding a value (a repeated or duplicated cell counts each time)
    merges: int = 0  # merged ranges (<mergeCell>): calamine lists each one
    formulas: list[tuple[int, int, str]] = field(default_factory=list)  # (row, col, "=…") without a value

    def add(self, row: int, col: int, count: int = 1) -> None:
        self.rows, self.cols, self.cells = max(self.rows, row), max(self.cols, col), self.cells + count


def check_extent(extent: SheetExtent, limits: Limits) -> None:
    """Reject a sheet whose values reach past `max_rows` × `max_columns` (or hold more cells than fit)."""
    if extent.rows > limits.max_rows or extent.cols > limits.max_columns:
        raise Rejected("too_many_cells", f"trang “{extent.name}” có {extent.rows} dòng × {extent.cols} cột, "
                                         f"vượt giới hạn {limits.max_rows} dòng × {limits.max_columns} cột")
    if extent.merges > limits.max_rows:
        # A report merges a few dozen ranges; each one costs a Python object and a pass over its cells.
        raise Rejected("too_many_cells", f"trang “{extent.name}” có {extent.merges:,} vùng gộp ô, "
                                         f"vượt giới hạn {limits.max_rows:,} vùng")
    most = limits.max_rows * limits.max_columns
    if extent.cells > most:
        # Within the extent but repeated: the same cells written again and again (calamine keeps each).
        raise Rejected("too_many_cells", f"trang “{extent.name}” có {extent.cells:,} ô dữ liệu (có ô lặp lại), "
                                         f"vượt giới hạn {most:,} ô")


def _number(digits: bytes) -> int:
    return int(digits) if len(digits) <= 12 else 10 ** 12  # absurdly long: over any limit, cheaply


def _column(letters: bytes) -> int:
    if len(letters) > 6:
        return 10 ** 9
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def _attrs(raw: bytes) -> dict[bytes, bytes]:
    found: dict[bytes, bytes] = {}
    for m in _ATTR.finditer(raw):
        value = m.group(2) if m.group(2) is not None else m.group(3)
        name = m.group(1)
        # A duplicated attribute: keep the larger reference, whichever one a reader takes.
        if name not in found or (name == b"r" and _ref(value) > _ref(found[name])):
            found[name] = value
    return found


def _ref(value: bytes) -> tuple[int, int]:
    """(row, col) of an A1 reference as calamine reads it (letters then digits, any case); (0, 0)
    for anything else, which calamine refuses (the sheet is then unreadable, not dense)."""
    m = _REF.fullmatch(value)
    return (_number(m.group(2)), _column(m.group(1))) if m else (0, 0)


def _blocks(zf: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    with zf.open(part) as stream:
        while block := stream.read(BLOCK):
            yield block


def _tokens(blocks: Iterator[bytes], pattern: re.Pattern, part: str,
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


def _self_closing(raw: bytes) -> bool:
    return raw.rstrip().endswith(b"/")


def _row_number(raw: bytes, previous: int) -> int:
    """A <row>'s number: its `r`, or the one after the previous row (as calamine counts)."""
    r = _attrs(raw).get(b"r")
    return _number(r) if r is not None and r.isdigit() else previous + 1


# ---------------------------------------------------------------------------------------------
# .xlsx / .xlsm


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
_SIMPLE_ATTRS = rb'(?: [\w:.\-]+="[^"<>]*")*'
_CANON = re.compile(
    rb'<c r="([A-Z]{1,3})([0-9]{1,7})"' + _SIMPLE_ATTRS + rb'>(?:(<v>|<is>|</c>|<v ?/>)|(<f)('
    + _SIMPLE_ATTRS + rb')(?:>([^<]*)</f>| ?/>)(<v></v>|<v>|<v ?/>|</c>)?)?')
# Self-closing cells (formatting only: no value) are only counted, never turned into objects.
_CANON_EMPTY = re.compile(rb'<c r="[A-Z]{1,3}[0-9]{1,7}"' + _SIMPLE_ATTRS + rb" ?/>")
_VALUE_TAGS = (b"<v>", b"<is>")
_FORMULA = re.compile(rb"<f[\s>/]")
_ODD_CELL = re.compile(rb"<c[>/\t\n\r]")  # cell starts other than "<c ": the careful scan reads them
_PREFIX_HINT = re.compile(rb":(?:c|v|is|f|row)[\s/>]")
_PREFIXED = re.compile(rb"<[A-Za-z_][\w.\-]*:(?:c|v|is|f|row)[\s/>]")
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
    for block in _blocks(zf, part):
        buf = carry + block
        # Cells that start near the end are read with the next block, whole.
        end = buf.rfind(b"<c", max(0, len(buf) - _TAIL)) if len(block) == BLOCK else -1
        end = len(buf) if end < 0 else end
        carry = buf[end:]
        if _PREFIX_HINT.search(buf, 0, end) and _PREFIXED.search(buf, 0, end):
            raise _Careful  # namespace prefixes on cells
        found = _CANON.findall(buf, 0, end)
        starts = buf.count(b"<c ", 0, end)
        if len(found) != starts:
            starts -= _CANON_EMPTY.subn(b"", buf[:end])[1]
        if len(found) != starts or _ODD_CELL.search(buf, 0, end):
            raise _Careful  # a cell in another form
        extent.merges += _merges(buf, end)
        if not _FORMULA.search(buf, 0, end):  # no formula in this block: the common case, in bulk
            if any(not first for _, _, first, *_ in found):
                raise _Careful  # a cell whose first child is unusual
            valued = [(letters, digits) for letters, digits, first, *_ in found if first in _VALUE_TAGS]
            if valued:
                cells += len(valued)
                rows = max(rows, max(int(digits) for _, digits in valued))
                cols = max(cols, max(_column(letters) for letters in {letters for letters, _ in valued}))
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
                    cell = _Cell(int(digits), _column(letters), valued, -1, empty,
                                 _xml_text(f_text[:MAX_FORMULA]) if f_text else "",
                                 _SHARED_SI.search(f_attrs).group(1) if b'"shared"' in f_attrs and
                                 _SHARED_SI.search(f_attrs) else None)
                    _formula_done(cell, extent.formulas, masters)
            else:
                raise _Careful  # a cell whose first child is unusual
            if valued:
                cells += 1
                rows, cols = max(rows, int(digits)), max(cols, _column(letters))
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
    for m, now, at in _tokens(_blocks(zf, part), _XLSX_TOKEN, part):
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
            row, col = _row_number(raw, row), 0
        elif opener == b"c":
            attrs = _attrs(raw)
            ref = attrs.get(b"r")
            r, c = _ref(ref) if ref is not None else (max(row, 1), col + 1)  # no r: the next cell of its row
            col = c
            # No cell to follow when it is self-closing, or when calamine refuses its reference (the
            # sheet will then be rejected as damaged, not read densely).
            cell = None if _self_closing(raw) or not r else _Cell(r, c)
        elif cell is None:
            continue
        elif opener == b"v":
            if not _self_closing(raw):
                cell.valued, cell.value_at = True, base + m.end()
        elif closer == b"v":
            cell.empty_value = base + m.start() == cell.value_at
        elif opener == b"is":
            cell.valued = True
        elif opener == b"f":
            attrs = _attrs(raw)
            cell.formula = ""
            cell.shared = attrs.get(b"si") if attrs.get(b"t") == b"shared" else None
            if not _self_closing(raw):
                formula_at, formula_text = base + m.end(), b""
        elif closer == b"f" and formula_at >= 0:
            cell.formula = _xml_text((formula_text + buf[formula_at - base:m.start()])[:MAX_FORMULA])
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


def _xml_text(raw: bytes) -> str:
    text = raw.decode("utf-8", errors="replace")
    if "&" in text:
        text = re.sub(r"&#x([0-9a-fA-F]+);", lambda m: chr(int(m.group(1), 16)), text)
        text = re.sub(r"&#([0-9]+);", lambda m: chr(int(m.group(1))), text)
        for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&")):
            text = text.replace(entity, char)
    return text


def _translate(formula: str, row: int, col: int, to_row: int, to_col: int) -> str:
    """A shared formula as it reads in a dependent cell (what openpyxl showed before)."""
    from openpyxl.formula.translate import Translator
    from openpyxl.utils import get_column_letter

    try:
        moved = Translator(f"={formula}", origin=f"{get_column_letter(col)}{row}")
        return moved.translate_formula(f"{get_column_letter(to_col)}{to_row}")[1:]
    except Exception:  # a formula openpyxl cannot parse: show the master's text
        return formula


def xlsx_sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> worksheet part, from xl/workbook.xml and its relationships (small parts)."""
    import defusedxml.ElementTree as ET

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
# Fonts of a few cells (legacy Vietnamese text is decoded by its font)


def xlsx_fonts(zf: zipfile.ZipFile, part: str, cells: set[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """The font name of each of `cells` ((row, col)) of one worksheet part: the cell's style index
    (`s`, streamed from the sheet), its cellXfs entry's fontId, that font's name (styles.xml)."""
    styles: dict[tuple[int, int], int] = {}
    row = col = 0
    for m, _, _ in _tokens(_blocks(zf, part), _XLSX_TOKEN, part):
        opener = m.group(2) if m is not None else None
        if opener == b"row":
            row, col = _row_number(m.group(3), row), 0
        elif opener == b"c":
            attrs = _attrs(m.group(3))
            r, c = _ref(attrs[b"r"]) if b"r" in attrs else (max(row, 1), col + 1)
            col = c
            if (r, c) in cells:
                style = attrs.get(b"s", b"0")
                styles[(r, c)] = _number(style) if style.isdigit() else 0
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
    import defusedxml.ElementTree as ET

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


# ---------------------------------------------------------------------------------------------
# .ods


_ODS_TEXT = re.compile(rb"(?:^|>)\s*[^\s<]")
_ODS_TOKEN = re.compile(
    rb"<(?:/" + _PREFIX + rb"(table|table-row|table-cell|covered-table-cell)\s*|" + _PREFIX +
    rb"(table|table-row|table-cell|covered-table-cell)(?=[\s/>])(" + _ATTRS + rb"))>")


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
    for m, now, at in _tokens(_blocks(zf, "content.xml"), _ODS_TOKEN, "content.xml"):
        if m is None:
            buf, base = now, at
            continue
        closer, opener, raw = m.group(1), m.group(2), m.group(3)
        if opener == b"table":
            if extent is not None:
                yield extent
            name = _ods_attr(raw, b"name")
            extent, row = SheetExtent(_xml_text(name) if name is not None else ""), 0
        elif closer == b"table":
            if extent is not None:
                yield extent
            extent = None
        elif extent is None:
            continue
        elif opener == b"table-row":
            row_repeat, col, row_cells = _repeat(raw, b"number-rows-repeated"), 0, []
            if _self_closing(raw):
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
            elif not _self_closing(raw):
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
    for m in _ATTR.finditer(raw):
        if m.group(1).rsplit(b":", 1)[-1] == local:
            return m.group(2) if m.group(2) is not None else m.group(3)
    return None


def _repeat(raw: bytes, local: bytes) -> int:
    value = _ods_attr(raw, local)
    return max(1, _number(value.strip())) if value is not None and value.strip().isdigit() else 1


# ---------------------------------------------------------------------------------------------
# .xls (BIFF8, the format of Excel 97–2003)


# Records that put a value in a cell (row and column are their first two 16-bit fields); BLANK
# and MULBLANK are formatting only. MULRK holds several cells: its last column ends the record.
_BIFF_CELLS = {0x0006, 0x0203, 0x0204, 0x00FD, 0x027E, 0x0205, 0x00D6, 0x0003, 0x0004, 0x0002, 0x0005, 0x0406}
_MULRK = 0x00BD


def xls_extents(data: bytes) -> Iterator[SheetExtent]:
    """Each worksheet of an .xls with the extent of its cells holding a value, from the BIFF records
    of the Workbook stream (calamine reads every sheet, densely, when the file is opened)."""
    from xlrd.compdoc import CompDoc

    try:
        doc = CompDoc(data, logfile=io.StringIO(), ignore_workbook_corruption=True)
        stream = doc.get_named_stream("Workbook") or doc.get_named_stream("Book")
    except Exception:
        stream = None
    if stream is None:
        # Without its records the sheets cannot be bounded: not handed to calamine at all.
        raise Rejected("corrupt", "tệp .xls hỏng (không đọc được phần dữ liệu của sổ tính)")
    names: dict[int, str] = {}
    pos, end, depth = 0, len(stream), 0
    extent: SheetExtent | None = None
    while pos + 4 <= end:
        rec, size = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4:pos + 4 + size]
        if rec == 0x0085 and len(body) >= 8:  # BOUNDSHEET: where a sheet's records start, its name
            names[struct.unpack_from("<I", body)[0]] = _biff_name(body[6:])
        elif rec == 0x0809:  # BOF: a substream starts (a chart inside a sheet has its own)
            depth += 1
            if depth == 1 and len(body) >= 4 and struct.unpack_from("<H", body, 2)[0] == 0x0010:
                extent = SheetExtent(names.get(pos, f"#{len(names)}"))  # a worksheet
        elif rec == 0x000A:  # EOF
            depth = max(0, depth - 1)
            if depth == 0 and extent is not None:
                yield extent
                extent = None
        elif extent is not None and depth == 1 and len(body) >= 4:
            if rec in _BIFF_CELLS:
                r, c = struct.unpack_from("<HH", body)
                extent.add(r + 1, c + 1)
            elif rec == _MULRK and len(body) >= 6:
                r, first = struct.unpack_from("<HH", body)
                last = struct.unpack_from("<H", body, len(body) - 2)[0]
                if last >= first:
                    extent.add(r + 1, last + 1, last - first + 1)
        pos += 4 + size
    if extent is not None:
        yield extent


def _biff_name(raw: bytes) -> str:
    """A BOUNDSHEET name: a length byte, a flags byte (bit 0: UTF-16), then the characters."""
    if len(raw) < 2:
        return ""
    count, wide = raw[0], raw[1] & 1
    chars = raw[2:2 + count * (2 if wide else 1)]
    return chars.decode("utf-16-le" if wide else "latin-1", errors="replace")


def bound_whole_file(fmt: str, data: bytes, limits: Limits) -> None:
    """For the formats calamine reads whole when opening (.ods, .xls): reject the file if any sheet
    reaches past the limits. .xlsx sheets are bounded one by one, just before each is read."""
    if fmt == "ods":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for extent in ods_extents(zf):
                check_extent(extent, limits)
    elif fmt == "xls":
        for extent in xls_extents(data):
            check_extent(extent, limits)
