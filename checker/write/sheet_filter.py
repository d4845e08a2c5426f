"""One worksheet's XML streamed row by row for a copy (see inert.py): formulas give way to their
cached values, hyperlinks out and live rules go, merges and formatting-only cells are bounded."""

from __future__ import annotations

import io
import re
from xml.etree import ElementTree as ET

from openpyxl.utils.cell import coordinate_to_tuple, get_column_letter, range_boundaries

from .inert import (C, F, IS, MAIN, MARGIN_COLS, MARGIN_ROWS, MAX_ROW_CELLS, MC, REL_ID, ROW, SHEET_DATA, V, _q,
                    inert_formula)


class _SheetFilter:
    """Rewrite one sheet's XML element by element: the root, its direct children, and their children
    (rows, merges, links, rules) one at a time, so memory stays that of one row whatever the size."""

    DROPPED = {_q("oleObjects"), _q("controls"), MC + "AlternateContent"}

    def __init__(self, owner, sheet: str, rels_path: str, rels: dict):
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


