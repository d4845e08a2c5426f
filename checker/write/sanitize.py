"""The package rewritten for a copy (inert.py says why): its parts kept, dropped or cleaned, each
sheet streamed through sheet_filter one row at a time, and every removal listed."""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree as ET

from defusedxml.ElementTree import fromstring as safe_fromstring
from openpyxl.packaging.manifest import Manifest
from openpyxl.packaging.relationship import get_dependents, get_rels_path
from openpyxl.reader.excel import _find_workbook_part  # the workbook part openpyxl itself will read

from .inert import (_DROPPED_PREFIXES, _ESCAPED, _KEPT_NAMES, _LIVE_PARTS, MAX_BLANK_ELEMENTS, MAX_LINKED_CELLS,
                    MAX_MERGED_CELLS, REL_ID, CopyFailed, Package, Removed, _q, _short, copy_titles, inert_formula,
                    rename_notes)
from .sheet_filter import _SheetFilter

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


