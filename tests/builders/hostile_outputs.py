"""Builders of inputs that carry live content or break annotated copies (tests/write/test_hostile_outputs.py).

Each takes a genuine filled workbook (`source`) and writes a variant (`target`), editing the zip's
parts as a hostile or careless sender would: formulas with cached values, external links, DDE,
data connections, OLE objects, macros, merge bombs, forbidden sheet names, damaged parts.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import openpyxl

from .hostile import NOMINATIONS_SHEET

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NOMINATION_RELS = "xl/worksheets/_rels/sheet3.xml.rels"


def edit_parts(source: Path, target: Path, edits: dict | None = None, added: dict | None = None) -> Path:
    """Copy an xlsx, passing parts through `edits` (name -> bytes -> bytes) and adding or replacing
    parts from `added` (name -> bytes)."""
    edits, added = edits or {}, dict(added or {})
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename in added:
                continue
            data = src.read(item.filename)
            dst.writestr(item.filename, edits[item.filename](data) if item.filename in edits else data)
        for name, data in added.items():
            dst.writestr(name, data)
    return target


def _text_edit(function):
    return lambda data: function(data.decode("utf-8")).encode("utf-8")


def set_cells(source: Path, target: Path, cells: dict[str, str]) -> Path:
    """Replace cells of the nominations sheet by raw XML (formulas with a cached value…)."""
    def edit(text: str) -> str:
        for ref, xml in cells.items():
            pattern = re.compile(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', re.S)
            assert pattern.search(text), f"cell {ref} not found"
            text = pattern.sub(lambda _: xml, text, count=1)
        return text

    return edit_parts(source, target, {NOMINATIONS_SHEET: _text_edit(edit)})


def formula_cell(ref: str, formula: str, cached: str | None, kind: str = "str") -> str:
    """A cell holding `formula`, with `cached` as the value Excel saved (None: saved without one)."""
    value = "" if cached is None else f"<v>{escape(cached)}</v>"
    return f'<c r="{ref}" t="{kind}"><f>{escape(formula)}</f>{value}</c>'


def rename_sheet(source: Path, target: Path, old: str, new: str) -> Path:
    """Give a sheet a name Excel's own user interface would refuse (openpyxl refuses it too)."""
    def edit(text: str) -> str:
        assert f"name={quoteattr(old)}" in text, old
        return text.replace(f"name={quoteattr(old)}", f"name={quoteattr(new)}", 1)

    return edit_parts(source, target, {"xl/workbook.xml": _text_edit(edit)})


def before_end(tag: str, xml: str):
    """An edit inserting `xml` before `</tag>` (or at the end of the root if absent)."""
    def edit(text: str) -> str:
        if f"</{tag}>" in text:
            return text.replace(f"</{tag}>", xml + f"</{tag}>", 1)
        return text
    return _text_edit(edit)


def append_to_sheet(xml: str):
    """An edit adding top-level elements at the end of the nominations sheet."""
    return before_end("worksheet", xml)


def with_merges(source: Path, target: Path, refs: list[str]) -> Path:
    """Add merge ranges to the nominations sheet (to its mergeCells, which the template already has)."""
    merges = "".join(f'<mergeCell ref="{r}"/>' for r in refs)

    def edit(text: str) -> str:
        if "</mergeCells>" in text:
            return text.replace("</mergeCells>", merges + "</mergeCells>", 1)
        return text.replace("</sheetData>", f'</sheetData><mergeCells count="{len(refs)}">{merges}</mergeCells>', 1)

    return edit_parts(source, target, {NOMINATIONS_SHEET: _text_edit(edit)})


def with_openpyxl(source: Path, target: Path, change) -> Path:
    """Let openpyxl write what it writes well (hyperlinks, validations, formats): `change(ws)`."""
    wb = openpyxl.load_workbook(source)
    change(wb["Danh sách đề nghị"])
    wb.save(target)
    return target


def _rels(entries: list[tuple[str, str, str, bool]]) -> bytes:
    """A relationships part: (id, type suffix, target, external)."""
    items = "".join(f'<Relationship Id="{rid}" Type="{DOC_RELS}/{kind}" Target={quoteattr(to)}'
                    + (' TargetMode="External"' if external else "") + "/>"
                    for rid, kind, to, external in entries)
    return f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">{items}</Relationships>'.encode()


def _workbook_rel(rid: str, kind: str, to: str):
    return before_end("Relationships", f'<Relationship Id="{rid}" Type="{DOC_RELS}/{kind}" Target="{to}"/>')


def _content_type(part: str, content_type: str):
    return before_end("Types", f'<Override PartName="/{part}" ContentType="{content_type}"/>')


def _workbook_ref(xml: str):
    """Insert into workbook.xml after </sheets>, where externalReferences and definedNames go."""
    return _text_edit(lambda text: text.replace("</sheets>", "</sheets>" + xml, 1))


def _chain(*edits):
    def run(data: bytes) -> bytes:
        for edit in edits:
            data = edit(data)
        return data
    return run


def with_dde_link(source: Path, target: Path, service: str = "cmd", topic: str = "/C calc") -> Path:
    """An externalLink part holding a DDE link (what `=cmd|' /C calc'!A0` refers to)."""
    part = (f'<?xml version="1.0" encoding="UTF-8"?><externalLink xmlns="{MAIN}"><ddeLink ddeService="{service}" '
            f'ddeTopic="{topic}"><ddeItems><ddeItem name="A0" advise="1"/></ddeItems></ddeLink></externalLink>')
    return edit_parts(source, target, {
        "xl/_rels/workbook.xml.rels": _workbook_rel("rId90", "externalLink", "externalLinks/externalLink1.xml"),
        "[Content_Types].xml": _content_type(
            "xl/externalLinks/externalLink1.xml",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"),
        "xl/workbook.xml": _workbook_ref(f'<externalReferences><externalReference xmlns:r="{DOC_RELS}" '
                                         'r:id="rId90"/></externalReferences>'),
    }, {"xl/externalLinks/externalLink1.xml": part.encode()})


def with_external_book(source: Path, target: Path, url: str) -> Path:
    """An externalLink part to another workbook (`[1]Sheet1!A1`), its address in the part's rels."""
    part = (f'<?xml version="1.0" encoding="UTF-8"?><externalLink xmlns="{MAIN}" xmlns:r="{DOC_RELS}">'
            '<externalBook r:id="rId1"><sheetNames><sheetName val="Sheet1"/></sheetNames></externalBook></externalLink>')
    return edit_parts(source, target, {
        "xl/_rels/workbook.xml.rels": _workbook_rel("rId91", "externalLink", "externalLinks/externalLink2.xml"),
        "[Content_Types].xml": _content_type(
            "xl/externalLinks/externalLink2.xml",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"),
        "xl/workbook.xml": _workbook_ref(f'<externalReferences><externalReference xmlns:r="{DOC_RELS}" '
                                         'r:id="rId91"/></externalReferences>'),
    }, {"xl/externalLinks/externalLink2.xml": part.encode(),
        "xl/externalLinks/_rels/externalLink2.xml.rels": _rels([("rId1", "externalLinkPath", url, True)])})


def with_connection(source: Path, target: Path, name: str, url: str) -> Path:
    """A web data connection refreshed when the file opens."""
    part = (f'<?xml version="1.0" encoding="UTF-8"?><connections xmlns="{MAIN}"><connection id="1" '
            f'name={quoteattr(name)} type="4" refreshOnLoad="1"><webPr url={quoteattr(url)}/></connection></connections>')
    return edit_parts(source, target, {
        "xl/_rels/workbook.xml.rels": _workbook_rel("rId92", "connections", "connections.xml"),
        "[Content_Types].xml": _content_type(
            "xl/connections.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.connections+xml"),
    }, {"xl/connections.xml": part.encode()})


def with_ole_object(source: Path, target: Path, url: str) -> Path:
    """An OLE object on the nominations sheet, linked to a program outside the file."""
    xml = (f'<oleObjects xmlns:r="{DOC_RELS}"><oleObject progId="Package" shapeId="1025" r:id="rId70"/></oleObjects>')
    return edit_parts(source, target, {NOMINATIONS_SHEET: append_to_sheet(xml)},
                      {NOMINATION_RELS: _rels([("rId70", "oleObject", url, True)])})


def with_macros(source: Path, target: Path) -> Path:
    """An .xlsm: a VBA project in the package (its bytes need not be valid: nothing runs it)."""
    return edit_parts(source, target, {
        "xl/_rels/workbook.xml.rels": _workbook_rel("rId93", "vbaProject", "vbaProject.bin"),
        "[Content_Types].xml": _content_type("xl/vbaProject.bin", "application/vnd.ms-office.vbaProject"),
    }, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + b"Attribute VB_Name = \"Auto_Open\""})


def with_defined_name(source: Path, target: Path, name: str, value: str) -> Path:
    def edit(text: str) -> str:
        entry = f"<definedName name={quoteattr(name)}>{escape(value)}</definedName>"
        if "<definedNames>" in text:
            return text.replace("<definedNames>", "<definedNames>" + entry, 1)
        return text.replace("</sheets>", f"</sheets><definedNames>{entry}</definedNames>", 1)

    return edit_parts(source, target, {"xl/workbook.xml": _text_edit(edit)})


def doctype_after_probe(source: Path, target: Path, part: str) -> Path:
    """A part whose DOCTYPE comes after 5,000 bytes of comment: past a probe of its first 4 KiB."""
    def edit(data: bytes) -> bytes:
        body = re.sub(rb"^<\?xml[^>]*\?>", b"", data.lstrip())
        return (b'<?xml version="1.0" encoding="UTF-8"?><!--' + b"x" * 5000 + b'--><!DOCTYPE x '
                b'[<!ENTITY a "ha">]>' + body)

    return edit_parts(source, target, {part: edit})


def minimal_ods(target: Path, sheets: dict[str, list[list[str]]]) -> Path:
    """An .ods written by hand: string cells, any characters (control characters as &#x1;)."""
    def cell(value: str) -> str:
        text = "".join(f"&#x{ord(ch):x};" if ord(ch) < 32 else escape(ch) for ch in value)
        return f'<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>'

    tables = "".join(
        f'<table:table table:name={quoteattr(name)}>'
        + "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows)
        + "</table:table>" for name, rows in sheets.items())
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry '
                'manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", content)
        z.writestr("META-INF/manifest.xml", manifest)
    return target


def with_extra_sheet(source: Path, target: Path, title: str, rows: int, cols: int) -> Path:
    """An extra sheet full of values (the check never reads it; a copy carries it)."""
    wb = openpyxl.load_workbook(source)
    ws = wb.create_sheet(title)
    for r in range(1, rows + 1):
        ws.append([f"{r}-{c}" for c in range(1, cols + 1)])
    buffer = io.BytesIO()
    wb.save(buffer)
    Path(target).write_bytes(buffer.getvalue())
    return target


def with_macro_sheet(source: Path, target: Path) -> Path:
    """An Excel 4.0 macro sheet whose A1 runs EXEC on open (Auto_Open): the oldest macro trick."""
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData><row r="1">'
             '<c r="A1" t="b"><f>EXEC("calc.exe")</f><v>1</v></c></row></sheetData></worksheet>')
    return edit_parts(source, target, {
        "xl/_rels/workbook.xml.rels": before_end(
            "Relationships", '<Relationship Id="rId94" Type="http://schemas.microsoft.com/office/2006/relationships/'
                             'xlMacrosheet" Target="macrosheets/sheet1.xml"/>'),
        "[Content_Types].xml": _content_type("xl/macrosheets/sheet1.xml", "application/vnd.ms-excel.macrosheet+xml"),
        "xl/workbook.xml": _chain(
            before_end("sheets", f'<sheet xmlns:r="{DOC_RELS}" name="Macro1" sheetId="99" r:id="rId94"/>'),
            _text_edit(lambda t: t.replace("<definedNames>",
                                           '<definedNames><definedName name="Auto_Open">Macro1!$A$1</definedName>', 1))),
    }, {"xl/macrosheets/sheet1.xml": sheet.encode()})
