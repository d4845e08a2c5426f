"""Builders of hostile inputs for the reading side: far cells, merge bombs, huge extra sheets,
.ods written as XML by hand, signature lines in the middle of a table.

Everything is built with zipfile from a workbook the template filler wrote; .xls files need
LibreOffice (the tests that use them skip without it).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import python_calamine

from checker.model.findings import column_letter

from .hostile import NOMINATIONS_SHEET, rewrite_part

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def append_rows(source: Path, target: Path, rows_xml: str, part: str = NOMINATIONS_SHEET,
                dimension: str | None = None) -> Path:
    """Append raw <row> XML at the end of a sheet's <sheetData> (optionally claiming a <dimension>)."""
    def edit(data: bytes) -> bytes:
        text = data.decode("utf-8")
        head, tail = text.split("</sheetData>", 1)
        text = head + rows_xml + "</sheetData>" + tail
        if dimension:
            text = re.sub(r'<dimension ref="[^"]*" ?/>', f'<dimension ref="{dimension}"/>', text, count=1)
        return text.encode("utf-8")

    return rewrite_part(source, target, part, edit)


def add_merges(source: Path, target: Path, refs: list[str]) -> Path:
    """Give the nominations sheet these merged ranges too, in its <mergeCells> (the template's
    heading has some), where the schema puts it."""
    added = "".join(f'<mergeCell ref="{r}"/>' for r in refs)

    def edit(data: bytes) -> bytes:
        text = data.decode("utf-8")
        found = re.search(r'<mergeCells count="(\d+)">', text)
        if found:
            count = int(found.group(1)) + len(refs)
            text = text.replace(found.group(0), f'<mergeCells count="{count}">', 1)
            return text.replace("</mergeCells>", added + "</mergeCells>", 1).encode("utf-8")
        at = text.index("<conditionalFormatting") if "<conditionalFormatting" in text else text.index("</worksheet>")
        return (text[:at] + f'<mergeCells count="{len(refs)}">{added}</mergeCells>' + text[at:]).encode("utf-8")

    return rewrite_part(source, target, NOMINATIONS_SHEET, edit)


R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def add_big_sheet(source: Path, target: Path, rows: int, cols: int, name: str = "Dữ liệu thô") -> Path:
    """Add a sheet of rows × cols numeric cells (not a template sheet: ntvt has no reason to read it)."""
    letters = [column_letter(c) for c in range(1, cols + 1)]
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/workbook.xml":
                # The prefix is declared on the element itself: openpyxl with lxml declares it on each
                # <sheet>, not on the root, and an undeclared r: would make workbook.xml unreadable.
                data = data.replace(b"</sheets>", f'<sheet xmlns:r="{R_NS}" name="{name}" sheetId="99" '
                                                  f'state="visible" r:id="rId99"/></sheets>'.encode())
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Type="http://schemas.openxmlformats.org/'
                                    b'officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/big.xml" '
                                    b'Id="rId99"/></Relationships>')
            elif item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/worksheets/big.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
            dst.writestr(item, data)
        with dst.open("xl/worksheets/big.xml", "w") as part:
            part.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            for r in range(1, rows + 1):
                cells = "".join(f'<c r="{letter}{r}"><v>{r * 7 + c}</v></c>' for c, letter in enumerate(letters))
                part.write(f'<row r="{r}">{cells}</row>'.encode())
            part.write(b"</sheetData></worksheet>")
    return target


# ---------------------------------------------------------------------------------------------
# .ods written directly (what LibreOffice writes, without needing it)

_ODS_HEAD = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
             'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
             'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
             'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3">'
             '<office:body><office:spreadsheet>')
_ODS_TAIL = "</office:spreadsheet></office:body></office:document-content>"
_MANIFEST = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
             'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
             '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
             '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
             '</manifest:manifest>')


def ods_cell(value) -> str:
    """One <table:table-cell> holding a value (empty for None)."""
    if value is None or value == "":
        return "<table:table-cell/>"
    if isinstance(value, bool):
        return (f'<table:table-cell office:value-type="boolean" office:boolean-value="{str(value).lower()}">'
                f"<text:p>{value}</text:p></table:table-cell>")
    if isinstance(value, (int, float)):
        return (f'<table:table-cell office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>")
    if isinstance(value, (dt.date, dt.datetime)):
        day = value.date() if isinstance(value, dt.datetime) else value
        return (f'<table:table-cell office:value-type="date" office:date-value="{day.isoformat()}">'
                f"<text:p>{day:%d/%m/%Y}</text:p></table:table-cell>")
    return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'


def write_ods(target: Path, tables: dict[str, str]) -> Path:
    """An .ods whose content.xml holds these tables (name -> the XML of its rows)."""
    body = "".join(f"<table:table table:name={quoteattr(name)}>{rows}</table:table>" for name, rows in tables.items())
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet",
                   compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", _MANIFEST)
        z.writestr("content.xml", _ODS_HEAD + body + _ODS_TAIL)
    return target


def ods_like_libreoffice(source: Path, target: Path, extra: dict[str, str] | None = None) -> Path:
    """The workbook's values as an .ods, each row padded with a repeat of empty cells to column
    16,384 and each table with a repeat of empty rows to row 1,048,576, as LibreOffice saves
    it; `extra` appends raw row XML to a table, before that padding."""
    book = python_calamine.CalamineWorkbook.from_path(str(source))
    tables = {}
    for name in book.sheet_names:
        grid = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        rows = []
        for line in grid:
            cells = "".join(ods_cell(v) for v in line)
            rows.append(f'<table:table-row>{cells}<table:table-cell table:number-columns-repeated="{16384 - len(line)}"/>'
                        "</table:table-row>")
        rows.append((extra or {}).get(name, ""))
        rows.append(f'<table:table-row table:number-rows-repeated="{1048576 - len(grid) - 1}">'
                    '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>')
        tables[name] = "".join(rows)
    return write_ods(target, tables)


# ---------------------------------------------------------------------------------------------
# .xls through LibreOffice


def to_xls(source: Path, outdir: Path) -> Path:
    """Convert an .xlsx to Excel 97–2003 .xls with LibreOffice (the caller skips without it)."""
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run([SOFFICE, "--headless", "--convert-to", "xls", "--outdir", str(outdir), str(source)],
                   check=True, capture_output=True, timeout=180)
    return outdir / (source.stem + ".xls")
