"""Builders of broken and hostile inputs, small on disk but explosive where it matters.

Shared by the hostile-input tests and `benchmarks/bombs.py` (which measures peak memory on them).
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

NOMINATIONS_SHEET = "xl/worksheets/sheet3.xml"  # the template's third sheet: "Danh sách đề nghị"


def rewrite_part(source: Path, target: Path, part: str, edit) -> Path:
    """Copy an xlsx, passing one part's bytes through `edit`."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            dst.writestr(item.filename, edit(data) if item.filename == part else data)
    return target


def set_cell_xml(source: Path, target: Path, ref: str, cell_xml: str) -> Path:
    """Replace one cell of the nominations sheet by raw XML (a formula with a cached value, a huge string…)."""
    def edit(data: bytes) -> bytes:
        text = data.decode("utf-8")
        pattern = re.compile(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', re.S)
        assert pattern.search(text), f"cell {ref} not found"
        return pattern.sub(lambda _: cell_xml, text, count=1).encode("utf-8")

    return rewrite_part(source, target, NOMINATIONS_SHEET, edit)


def zip_bomb(target: Path, uncompressed_mb: int = 50) -> Path:
    """A valid-looking xlsx whose sheet inflates to `uncompressed_mb` MiB of zeros (ratio about 1000:1)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        with z.open("xl/worksheets/sheet1.xml", "w") as part:
            chunk = b"0" * (1 << 20)
            for _ in range(uncompressed_mb):
                part.write(chunk)
    return target


def xml_bomb(source: Path, target: Path) -> Path:
    """The template with its nominations sheet replaced by a billion-laughs entity expansion."""
    laughs = ['<!ENTITY a0 "ha">'] + [f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10)]
    bomb = ('<?xml version="1.0"?><!DOCTYPE worksheet [' + "".join(laughs) + ']>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            '<row r="1"><c r="A1" t="inlineStr"><is><t>&a9;</t></is></c></row></sheetData></worksheet>')
    return rewrite_part(source, target, NOMINATIONS_SHEET, lambda _: bomb.encode())


def many_rows(source: Path, target: Path, rows: int, with_values: bool) -> Path:
    """The nominations sheet followed by `rows` rows: formatting only, or each with a value."""
    def edit(data: bytes) -> bytes:
        head, tail = data.split(b"</sheetData>")
        out = io.BytesIO()
        out.write(head)
        for r in range(1000, 1000 + rows):
            cell = f'<c r="S{r}" t="inlineStr"><is><t>x</t></is></c>' if with_values else f'<c r="S{r}" s="1"/>'
            out.write(f'<row r="{r}" s="1" customFormat="1">{cell}</row>'.encode())
        out.write(b"</sheetData>" + tail)
        return out.getvalue()

    return rewrite_part(source, target, NOMINATIONS_SHEET, edit)
