"""A unit's .xlsx made loadable by openpyxl and inert to open, before it becomes an annotated copy.

An annotated copy goes back to people who open it in Excel, so it may carry nothing that runs or
reaches out: formulas (``cmd|' /C calc'!A0``, ``WEBSERVICE(…)``, ``HYPERLINK(…)``), links to the web
or to other files, DDE, data connections, macros, embedded objects. Nor may the input make openpyxl
fail or explode: a sheet name Excel forbids, damaged document properties, escaped control
characters, one merge covering a whole sheet (openpyxl makes an object per covered cell).

The package is rewritten before openpyxl parses it, streaming each sheet one row at a time:
formulas give way to their cached values, external links and embedded objects are dropped, merges
and formatting-only cells are bounded by the sheet's real data. Every removal is listed (`Removed`)
so the result sheet can say what was taken out. `assert_inert` checks the saved copy afterwards.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from defusedxml.ElementTree import fromstring as safe_fromstring
from openpyxl.packaging.manifest import Manifest
from openpyxl.packaging.relationship import get_dependents, get_rels_path
from openpyxl.reader.excel import _find_workbook_part  # the workbook part openpyxl itself will read
from openpyxl.utils.cell import coordinate_to_tuple, get_column_letter, range_boundaries

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"


def _q(tag: str) -> str:
    return f"{{{MAIN}}}{tag}"


C, V, F, IS, ROW, SHEET_DATA = (_q(t) for t in ("c", "v", "f", "is", "row", "sheetData"))
MAX_ROW_CELLS = 16_384  # Excel's columns: a row with more cells is not a worksheet row


# Bounds on what a copy may hold beyond its data (openpyxl makes one object per cell, merged cell
# and formatted row). Formatting-only rows and cells are kept near the data; merges and internal
# hyperlinks only inside the data's box. A legitimate report is far inside all of these.
MARGIN_ROWS, MARGIN_COLS = 1000, 50
MAX_BLANK_ELEMENTS = 100_000  # formatting-only cells and rows, whole workbook
MAX_MERGED_CELLS = 100_000  # cells covered by merges, whole workbook
MAX_LINKED_CELLS = 10_000  # cells covered by internal hyperlinks, whole workbook
MAX_DETAIL = 300  # characters of a removed formula or link shown on the result sheet

# Parts openpyxl would never write back but that are listed as removed, and parts it would parse
# for nothing the copy needs (damaged properties are a common reason it fails).
_LIVE_PREFIXES = ("xl/externalLinks/", "xl/embeddings/", "xl/activeX/", "xl/queryTables/", "xl/ctrlProps/")
_LIVE_PARTS = {"xl/connections.xml", "xl/vbaProject.bin", "xl/vbaProjectSignature.bin"}
_DROPPED_PREFIXES = ("docProps/", "customXml/", "xl/printerSettings/") + _LIVE_PREFIXES

# XML 1.0 (and openpyxl's ILLEGAL_CHARACTERS_RE) refuse these; Excel stores them escaped as _x0001_.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ESCAPED = re.compile(rb"(?<!_x005[Ff])_x00(0[0-8]|0[bBcCeEfF]|1[0-9a-fA-F])_")
_INVALID_TITLE = re.compile(r"[\\/*?:\[\]\x00-\x1f]")

# Functions that only compute on this workbook's cells; anything else in a rule that stays in the
# copy (data validation, conditional format, defined name) is removed. WEBSERVICE, FILTERXML,
# HYPERLINK, CALL, REGISTER, RTD, INDIRECT, IMAGE… are not here on purpose.
PURE_FUNCTIONS = frozenset("""
ABS AND AVERAGE AVERAGEIF CHOOSE COLUMN CONCATENATE COUNT COUNTA COUNTBLANK COUNTIF COUNTIFS DATE
DATEVALUE DAY EXACT FALSE FIND HLOOKUP IF IFERROR INDEX INT ISBLANK ISERROR ISEVEN ISLOGICAL ISNA
ISNUMBER ISODD ISTEXT LEFT LEN LOOKUP LOWER MATCH MAX MID MIN MOD MONTH NA NOT NOW OFFSET OR PROPER
REPT RIGHT ROUND ROW SEARCH SUBSTITUTE SUM SUMIF SUMIFS SUMPRODUCT TEXT TODAY TRIM TRUE TRUNC UPPER
VALUE VLOOKUP WEEKDAY YEAR
""".split())
# The defined names a copy keeps: print layout and filters. Auto_Open and the like go with the rest.
_KEPT_NAMES = {"_xlnm.Print_Area", "_xlnm.Print_Titles", "_xlnm._FilterDatabase"}
_STRING_LITERAL = re.compile(r'"(?:[^"]|"")*"')
_CALL = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\s*\(")


class CopyFailed(Exception):
    """No annotated copy can be made of one input (e.g. too large to copy within the bounds);
    `reason` (Vietnamese) says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class NotInert(Exception):
    """A saved copy still holds live content (a bug or an unforeseen part): it must not be sent."""


@dataclass(frozen=True)
class Removed:
    """One thing taken out of (or changed in) the copy, as the result sheet lists it (Vietnamese)."""

    kind: str  # "Công thức", "Liên kết ngoài", …
    sheet: str | None  # the sheet's name in the copy
    cell: str | None  # a cell or range, when there is one
    detail: str


@dataclass
class Package:
    """A sanitized package for openpyxl, what was removed from it, and the sheets' names in the copy."""

    data: bytes
    names: dict[str, str]  # sheet name in the input -> title in the copy
    removed: list[Removed] = field(default_factory=list)


def visible(text: str) -> str:
    """`text` with control characters shown as their Unicode pictures (U+2401 for 0x01…): XML cannot
    hold them, and a person reading the copy or the letter should see that they were there."""
    if not _ILLEGAL.search(text):
        return text
    return _ILLEGAL.sub(lambda m: chr(0x2400 + ord(m.group())), text)


def inert_formula(text: str | None) -> bool:
    """True for a formula that only compares and counts this workbook's cells: no function that can
    reach out, no other workbook (``[1]Sheet!A1``), no DDE (``app|topic!item``)."""
    bare = _STRING_LITERAL.sub('""', text or "")
    if "[" in bare or "|" in bare:
        return False
    return all(name.upper().removeprefix("_XLFN.") in PURE_FUNCTIONS for name in _CALL.findall(bare))


def quote_sheet(name: str) -> str:
    """A sheet name as a formula or hyperlink location writes it: quoted, quotes doubled."""
    return "'" + name.replace("'", "''") + "'"


def copy_titles(names: list[str], reserved: tuple[str, ...] = ()) -> dict[str, str]:
    """A title Excel accepts for each sheet name: no \\ / ? * : [ ], not quoted at either end,
    at most 31 characters, unique ignoring case, and none of `reserved` (the result sheet's name)."""
    used = {r.casefold() for r in reserved}
    titles = {}
    for name in names:
        base = _INVALID_TITLE.sub("_", name).strip("'")[:31].strip("'") or "Trang"
        title, n = base, 2
        while title.casefold() in used:
            suffix = f" ({n})"
            title, n = base[:31 - len(suffix)] + suffix, n + 1
        used.add(title.casefold())
        titles[name] = title
    return titles


def rename_notes(titles: dict[str, str]) -> list[Removed]:
    """One line per sheet whose name had to change in the copy, saying why."""
    return [Removed("Tên trang", new, None, _short(f"tên trang “{old}” {_why_renamed(old)}: trong bản sao là “{new}”"))
            for old, new in titles.items() if old != new]


def _why_renamed(old: str) -> str:
    bad = sorted(set(_INVALID_TITLE.findall(old)))
    if bad:
        return "có ký tự " + " ".join(bad) + " mà Excel không cho phép trong tên trang"
    if len(old) > 31:
        return "dài quá 31 ký tự"
    if old.startswith("'") or old.endswith("'") or not old:
        return "trống hoặc bắt đầu, kết thúc bằng dấu nháy"
    return "trùng tên một trang khác"


def _dropped(name: str) -> bool:
    """A part the sanitized package leaves out: listed as removed, or of no use to a copy."""
    return name in _LIVE_PARTS or name.startswith(_DROPPED_PREFIXES)


def _refuse_doctype(name: str, xml: bytes) -> None:
    """Office XML never needs a DOCTYPE; entity bombs and external entities do. A part with one, or
    in an encoding where the bytes "<!DOCTYPE" could be spelled otherwise (UTF-16: NUL bytes), is not
    parsed: the caller rebuilds the copy from values. This check is what lets sheets be streamed with
    the C parser (defusedxml's is pure Python: 30 s for a million rows)."""
    if b"\x00" in xml[:1024] or xml[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise ValueError(f"{name} is not UTF-8 XML")
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:  # XML spells them so, upper case, nothing between
        raise ValueError(f"{name} declares a DOCTYPE")


def _short(text: str) -> str:
    text = visible(text)
    return text if len(text) <= MAX_DETAIL else text[:MAX_DETAIL] + "…"


# ---------------------------------------------------------------------------------------------
# The package


def sanitize_xlsx(data: bytes, max_cells: int, reserved: tuple[str, ...] = ()) -> Package:
    """Rewrite an .xlsx/.xlsm so openpyxl loads it safely and nothing live survives into the copy.

    Raises CopyFailed when the workbook holds more than `max_cells` cells with a value; anything
    else raised (damaged XML, a DOCTYPE…) means this package cannot be opened as it is.
    """
    return _Sanitizer(data, max_cells, reserved).run()


class _Sanitizer:
    def __init__(self, data: bytes, max_cells: int, reserved: tuple[str, ...]):
        self.zin = zipfile.ZipFile(io.BytesIO(data))
        self.max_cells = max_cells
        self.reserved = reserved
        self.removed: list[Removed] = []
        self.seen_rels: set[tuple[str, str]] = set()  # (rels part, id) already listed
        self.cells = 0
        self.blank_budget, self.merge_budget, self.link_budget = MAX_BLANK_ELEMENTS, MAX_MERGED_CELLS, MAX_LINKED_CELLS

    def run(self) -> Package:
        names = self.zin.namelist()
        for name in names:
            if name.endswith((".xml", ".rels", ".vml")) and not _dropped(name):
                _refuse_doctype(name, self.zin.read(name))
        manifest = Manifest.from_tree(safe_fromstring(self.zin.read("[Content_Types].xml")))
        wb_part = _find_workbook_part(manifest).PartName.lstrip("/")
        wb_rels = get_dependents(self.zin, get_rels_path(wb_part)).to_dict()
        wb_xml, sheets, titles = self._workbook(self.zin.read(wb_part))
        parts = {wb_part: wb_xml}
        for name, rid in sheets:
            rel = wb_rels.get(rid)
            if rel is None or "chartsheet" in rel.Type or rel.target not in names:
                continue  # openpyxl skips a sheet without a part; a chart sheet holds no cells
            if "acrosheet" in rel.Type:  # an Excel 4.0 macro sheet: openpyxl reads it as a worksheet
                self.remove("Macro", titles[name], None, "trang macro Excel 4.0: bản sao chỉ giữ giá trị các ô")
            rels_path = get_rels_path(rel.target)
            rels = get_dependents(self.zin, rels_path).to_dict() if rels_path in names else {}
            xml = self._controls(self.zin.read(rel.target), titles[name])
            parts[rel.target] = _SheetFilter(self, titles[name], rels_path, rels).run(xml)
        self._list_live_parts(names)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
            for name in names:
                if _dropped(name):
                    continue
                part = parts.get(name)
                if part is None:
                    part = self.zin.read(name)
                    if name.endswith(".xml"):
                        part = self._controls(part, None)
                zout.writestr(name, part)
        # Listed once: a control sits in both branches of an mc:AlternateContent.
        return Package(out.getvalue(), titles, list(dict.fromkeys(self.removed)))

    def count_cell(self) -> None:
        self.cells += 1
        if self.cells > self.max_cells:
            raise CopyFailed(f"tệp có hơn {self.max_cells:,} ô có dữ liệu, quá lớn để làm bản sao có đánh dấu")

    def remove(self, kind: str, sheet: str | None, cell: str | None, detail: str) -> None:
        self.removed.append(Removed(kind, sheet, cell, _short(detail)))

    def _controls(self, xml: bytes, sheet: str | None) -> bytes:
        """Escaped control characters (_x0001_) become their visible pictures: openpyxl would keep the
        escape and Excel would turn it back into a character nobody sees."""
        if b"_x00" not in xml:
            return xml
        xml, n = _ESCAPED.subn(lambda m: chr(0x2400 + int(m.group(1), 16)).encode(), xml)
        if n:
            self.remove("Ký tự điều khiển", sheet, None,
                        f"{n} ký tự điều khiển trong nội dung ô được thay bằng ký hiệu nhìn thấy được (như ␁)")
        return xml

    def _workbook(self, xml: bytes) -> tuple[bytes, list[tuple[str, str]], dict[str, str]]:
        """Sheet titles Excel accepts; defined names kept only if inert (print titles, filters)."""
        root = safe_fromstring(xml, forbid_dtd=True)
        entries = [(s.get("name") or "", s.get(REL_ID) or "") for s in root.iter(_q("sheet"))]
        titles = copy_titles([name for name, _ in entries], self.reserved)
        for sheet in root.iter(_q("sheet")):
            sheet.set("name", titles[sheet.get("name") or ""])
        self.removed += rename_notes(titles)
        renamed = [old for old, new in titles.items() if old != new]
        for names in root.iter(_q("definedNames")):
            for defined in list(names):
                name, value = defined.get("name") or "", defined.text or ""
                if name in _KEPT_NAMES and inert_formula(value) and not any(old in value for old in renamed):
                    continue
                names.remove(defined)
                if not name.startswith("_xlnm."):  # a user's name only serves formulas, which are gone
                    self.remove("Tên định nghĩa", None, None, f"tên “{name}” = {value}")
        # Other workbooks and their cached sheets: openpyxl reads them only to write them back.
        for refs in list(root.iter(_q("externalReferences"))):
            root.remove(refs)
        return ET.tostring(root, encoding="utf-8"), entries, titles

    def _list_live_parts(self, names: list[str]) -> None:
        """List what the copy will not carry: other workbooks, DDE, connections, macros, embeddings."""
        for name in names:
            if name.startswith("xl/externalLinks/") and name.endswith(".xml"):
                root = safe_fromstring(self.zin.read(name), forbid_dtd=True)
                for dde in root.iter(_q("ddeLink")):
                    self.remove("Liên kết DDE", None, None,
                                f"{dde.get('ddeService', '')}|{dde.get('ddeTopic', '')}")
                for ole in root.iter(_q("oleLink")):
                    self.remove("Liên kết OLE", None, None, ole.get("progId", "") or name)
            elif name == "xl/connections.xml":
                root = safe_fromstring(self.zin.read(name), forbid_dtd=True)
                for conn in root.iter(_q("connection")):
                    source = next((e.get("url") or e.get("connection") or e.get("sourceFile")
                                   for e in conn if e.get("url") or e.get("connection") or e.get("sourceFile")), "")
                    self.remove("Kết nối dữ liệu", None, None, f"“{conn.get('name', '')}” {source}".strip())
            elif name in ("xl/vbaProject.bin", "xl/vbaProjectSignature.bin"):
                self.remove("Macro", None, None, f"mã VBA ({name})")
            elif name.startswith(("xl/embeddings/", "xl/activeX/")) and not name.endswith(".rels"):
                self.remove("Đối tượng nhúng", None, None, name.rsplit("/", 1)[-1])
        for name in names:
            if not name.endswith(".rels"):
                continue
            try:
                rels = get_dependents(self.zin, name)
            except Exception:  # unreadable relationships: nothing from them reaches openpyxl's output
                continue
            for rel in rels:
                if rel.TargetMode == "External" and (name, rel.Id) not in self.seen_rels:
                    kind = "Liên kết tới sổ tính khác" if name.startswith("xl/externalLinks/") else "Liên kết ngoài"
                    self.remove(kind, None, None, rel.Target or "")


# ---------------------------------------------------------------------------------------------
# One sheet, streamed


class _SheetFilter:
    """Rewrite one sheet's XML element by element: the root, its direct children, and their children
    (rows, merges, links, rules) one at a time, so memory stays that of one row whatever the size."""

    DROPPED = {_q("oleObjects"), _q("controls"), MC + "AlternateContent"}

    def __init__(self, owner: _Sanitizer, sheet: str, rels_path: str, rels: dict):
        self.owner, self.sheet, self.rels_path, self.rels = owner, sheet, rels_path, rels
        self.row = 0  # the current row number, as openpyxl counts rows without r=
        self.last_row = self.last_col = 0  # the data's extent: the last row and column with a value
        self.top: ET.Element | None = None
        self.handlers = {SHEET_DATA: self._row, _q("mergeCells"): self._merge, _q("hyperlinks"): self._hyperlink,
                         _q("dataValidations"): self._validation, _q("conditionalFormatting"): self._rule}

    def run(self, xml: bytes) -> bytes:
        xml = _cut_blank_runs(xml)
        out = io.BytesIO()
        out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
        stack: list[ET.Element] = []
        closing: list[bytes] = []
        in_row = 0  # cells seen in the row being parsed
        # The C parser: `_refuse_doctype` has ruled out any DOCTYPE, so no entity can be declared.
        for event, el in ET.iterparse(io.BytesIO(xml), ("start", "end")):
            if event == "start":
                stack.append(el)
                if len(stack) <= 2:
                    self.top = el  # the sheet's direct child being streamed (depth 2), or the root
                    tag = _open_tag(el, keep_attributes=len(stack) == 2)
                    closing.append(_close_tag(tag))
                    if el.tag not in self.DROPPED:
                        out.write(tag)
                continue
            stack.pop()
            depth = len(stack)
            if depth == 3:
                in_row += 1
                if in_row > MAX_ROW_CELLS:  # before a hostile row of millions of cells is complete
                    raise ValueError(f"a row of {self.sheet} has more than {MAX_ROW_CELLS} cells")
            elif depth == 2:
                in_row = 0
                parent = stack[1]
                if parent.tag in self.DROPPED:
                    self._dropped(el)
                else:
                    handler = self.handlers.get(parent.tag)
                    kept = handler(el) if handler else el
                    if kept is not None:
                        out.write(_row_xml(kept) if kept.tag == ROW else ET.tostring(kept, encoding="utf-8"))
                parent.remove(el)
            elif depth <= 1:
                end = closing.pop()
                if el.tag not in self.DROPPED or depth == 0:
                    out.write(end)
                if depth == 1:
                    if el.tag in self.DROPPED:
                        self._dropped(el)
                    stack[0].remove(el)
        return out.getvalue()

    # Rows and cells

    def _row(self, row: ET.Element) -> ET.Element | None:
        if row.tag != ROW:
            return None
        number = row.get("r")
        self.row = int(number) if number is not None else self.row + 1
        if row.find(_CELL_CONTENT[0]) is None and row.find(_CELL_CONTENT[1]) is None \
                and row.find(_CELL_CONTENT[2]) is None and self.row > self.last_row + MARGIN_ROWS:
            return None  # formatting only, far from the data: the common case of a million rows, made quick
        col = 0
        for c in list(row):
            if c.tag != C:
                continue
            ref = c.get("r")
            if ref:
                r, col = coordinate_to_tuple(ref)
            else:
                r, col = self.row, col + 1
            if c.find(F) is not None:
                self._formula(c, r, col)
            if _has_value(c):
                self.owner.count_cell()
                self.last_row, self.last_col = max(self.last_row, r), max(self.last_col, col)
            elif not self._keep_blank(r):
                row.remove(c)
        if len(row) == 0 and not self._keep_blank(self.row):
            return None
        return row

    def _keep_blank(self, r: int) -> bool:
        """Formatting-only cells and rows are kept near the data, and not beyond the budget: a million
        formatted empty rows would cost openpyxl a gigabyte and show nothing."""
        if r > self.last_row + MARGIN_ROWS or self.owner.blank_budget <= 0:
            return False
        self.owner.blank_budget -= 1
        return True

    def _formula(self, c: ET.Element, r: int, col: int) -> None:
        f = c.find(F)
        c.remove(f)
        if f.text:
            detail = "=" + f.text
        else:
            detail = "công thức dùng chung của nhóm ô (chép từ ô đầu nhóm)"
        if not _has_value(c):
            detail += " — tệp không lưu giá trị của công thức, ô để trống"
        self.owner.remove("Công thức", self.sheet, f"{get_column_letter(col)}{r}", detail)

    # Merges, hyperlinks, rules

    def _inside(self, ref: str, budget: int) -> int | None:
        """The number of cells `ref` covers if it lies within the data's box and the budget, else None."""
        try:
            c1, r1, c2, r2 = range_boundaries(ref)
        except (ValueError, TypeError):
            return None
        if None in (c1, r1, c2, r2) or r2 > self.last_row + MARGIN_ROWS or c2 > self.last_col + MARGIN_COLS:
            return None
        area = (r2 - r1 + 1) * (c2 - c1 + 1)
        return area if area <= budget else None

    def _merge(self, el: ET.Element) -> ET.Element | None:
        area = self._inside(el.get("ref") or "", self.owner.merge_budget)
        if area is None or area < 2:
            return None  # beyond the data (a merge bomb) or over the budget: formatting only, dropped
        self.owner.merge_budget -= area
        return el

    def _hyperlink(self, el: ET.Element) -> ET.Element | None:
        ref = el.get("ref")
        rid = el.get(REL_ID)
        if rid is not None:  # a relationship: a web address or a file, outside the copy
            rel = self.rels.get(rid)
            self.owner.seen_rels.add((self.rels_path, rid))
            target = rel.Target if rel is not None else None
            self.owner.remove("Liên kết ngoài", self.sheet, ref, target or "(không rõ địa chỉ)")
            return None
        area = self._inside(ref or "", self.owner.link_budget)
        if area is None:
            return None
        self.owner.link_budget -= area
        return el  # a link to a place in this workbook stays

    def _validation(self, el: ET.Element) -> ET.Element | None:
        formulas = [x.text for x in el if x.tag in (_q("formula1"), _q("formula2"))]
        if all(inert_formula(text) for text in formulas):
            return el
        shown = "; ".join(f"={t}" for t in formulas if not inert_formula(t))
        self.owner.remove("Kiểm tra dữ liệu", self.sheet, el.get("sqref"), shown)
        return None

    def _rule(self, el: ET.Element) -> ET.Element | None:
        formulas = [x.text for x in el.iter(_q("formula"))]
        if all(inert_formula(text) for text in formulas):
            return el
        shown = "; ".join(f"={t}" for t in formulas if not inert_formula(t))
        self.owner.remove("Định dạng có điều kiện", self.sheet, self.top.get("sqref") if self.top is not None else None,
                          shown)
        return None

    def _dropped(self, el: ET.Element) -> None:
        """Embedded objects and controls (openpyxl would drop them too), listed with what they were."""
        for ole in [el] + list(el.iter()):
            if ole.tag == _q("oleObject"):
                rid = ole.get(REL_ID)
                if rid:
                    self.owner.seen_rels.add((self.rels_path, rid))
                rel = self.rels.get(rid) if rid else None
                link = f" → {rel.Target}" if rel is not None and rel.TargetMode == "External" else ""
                self.owner.remove("Đối tượng nhúng", self.sheet, None, f"đối tượng OLE {ole.get('progId', '')}{link}")
            elif ole.tag == _q("control"):
                rid = ole.get(REL_ID)
                if rid:
                    self.owner.seen_rels.add((self.rels_path, rid))
                self.owner.remove("Đối tượng nhúng", self.sheet, None, f"điều khiển “{ole.get('name', '')}”")


_CELL_CONTENT = (f"{C}/{V}", f"{C}/{IS}", f"{C}/{F}")
# A row of empty cells only (<c …/> cannot hold a value, a formula or a string).
_BLANK_ROW = re.compile(rb"<row\s[^<>]*>(?:\s*<c\s[^<>]*/>)*\s*</row>|<row\s[^<>]*/>")
_ROW_WITHOUT_NUMBER = re.compile(rb"<row\b(?![^<>]*\sr=)")


def _cut_blank_runs(xml: bytes) -> bytes:
    """Runs of formatting-only rows cut to their first MARGIN_ROWS rows before parsing: a million of
    them cost the parser half a minute for nothing. The streaming filter would drop the same rows
    (beyond MARGIN_ROWS of the data); this only gets there without parsing them. Not done when a row
    lacks its number (the rows after a cut would move up) or text could hide markup (CDATA)."""
    if b"<![CDATA[" in xml or _ROW_WITHOUT_NUMBER.search(xml):
        return xml
    parts, kept_until, run, run_end = [], 0, 0, None
    for match in _BLANK_ROW.finditer(xml):
        start, end = match.span()
        run = run + 1 if run_end is not None and not xml[run_end:start].strip() else 1
        run_end = end
        if run > MARGIN_ROWS:
            parts.append(xml[kept_until:start])
            kept_until = end
    if not parts:
        return xml
    parts.append(xml[kept_until:])
    return b"".join(parts)


def _has_value(c: ET.Element) -> bool:
    if c.get("t") == "inlineStr":
        return c.find(IS) is not None
    v = c.find(V)
    return v is not None and bool(v.text)


_MAIN_TAG = "{" + MAIN + "}"
_XML_NS = "{http://www.w3.org/XML/1998/namespace}"


def _row_xml(row: ET.Element) -> bytes:
    """A row as XML, the way openpyxl will read it: ElementTree's own serializer spends 60% of the
    time of a million-cell sheet declaring namespaces. Only SpreadsheetML elements and plain
    attributes are written (openpyxl reads nothing else in a row), the row declaring the namespace."""
    out: list[str] = []
    _serialize(row, out, f' xmlns="{MAIN}"')
    return "".join(out).encode("utf-8")


def _serialize(el: ET.Element, out: list[str], declare: str = "") -> None:
    if not el.tag.startswith(_MAIN_TAG):
        return
    name = el.tag[len(_MAIN_TAG):]
    out.append("<" + name + declare)
    for key, value in el.attrib.items():
        if key.startswith("{"):
            if not key.startswith(_XML_NS):
                continue  # another vocabulary's attribute (x14ac:dyDescent): openpyxl reads none
            key = "xml:" + key[len(_XML_NS):]
        out.append(f' {key}="{_escape(value, attribute=True)}"')
    if not el.text and not len(el):
        out.append("/>")
        return
    out.append(">")
    if el.text:
        out.append(_escape(el.text))
    for child in el:
        _serialize(child, out)
    out.append(f"</{name}>")


def _escape(text: str, attribute: bool = False) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if attribute:
        text = text.replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    return text.replace("\r", "&#13;")  # a carriage return in text is kept as typed


def _open_tag(el: ET.Element, keep_attributes: bool) -> bytes:
    """The start tag of `el` as bytes, with its namespace declared (children declare their own)."""
    shell = ET.Element(el.tag, dict(el.attrib) if keep_attributes else {})
    text = ET.tostring(shell, encoding="utf-8")
    return text[:-3] + b">" if text.endswith(b" />") else text[:-2] + b">"


def _close_tag(open_tag: bytes) -> bytes:
    return b"</" + re.match(rb"<([^\s>/]+)", open_tag).group(1) + b">"


# ---------------------------------------------------------------------------------------------
# The saved copy


def assert_inert(data: bytes) -> None:
    """Raise NotInert if a saved copy holds a formula, an external relationship or a live part."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name in _LIVE_PARTS or name.startswith(_LIVE_PREFIXES):
                raise NotInert(f"{name} in the copy")
            if name.endswith(".rels") and re.search(rb"TargetMode\s*=\s*[\"']External", z.read(name)):
                raise NotInert(f"external relationship in {name}")
            if name.startswith("xl/worksheets/") and re.search(rb"<f[\s>/]", z.read(name)):
                raise NotInert(f"formula in {name}")
