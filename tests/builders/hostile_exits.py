"""Builders of hostile zips for the exit-code and leftover tests: duplicate parts, a DOCTYPE at a
chosen byte of a chosen part, parts that lie about their size, a minimal OpenDocument spreadsheet."""

from __future__ import annotations

import codecs
import struct
import warnings
import zipfile
from pathlib import Path

from .hostile import NOMINATIONS_SHEET

DOCTYPE = b'<!DOCTYPE worksheet [<!ENTITY a "ha">]>'
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')


def copy_with(source: Path, target: Path, replace: dict[str, bytes] = None, extra: list[tuple[str, bytes]] = ()) -> Path:
    """Copy a zip, replacing some parts' bytes and appending extra parts (names may repeat)."""
    replace = replace or {}
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, replace.get(item.filename, src.read(item.filename)))
        with warnings.catch_warnings():  # zipfile warns on a duplicate name: that is the point
            warnings.simplefilter("ignore", UserWarning)
            for name, data in extra:
                dst.writestr(name, data)
    return target


def with_marker_at(xml: bytes, at: int, marker: bytes = DOCTYPE) -> bytes:
    """`xml` with `marker` starting at byte `at`, after its XML declaration and a padding comment
    (comments may stand before a DOCTYPE, so a parser would read it there)."""
    decl_end = xml.index(b"?>") + 2 if xml.startswith(b"<?xml") else 0
    pad = at - decl_end - len(b"<!---->")
    assert pad >= 0, f"marker cannot start at byte {at}"
    return xml[:decl_end] + b"<!--" + b" " * pad + b"-->" + marker + xml[decl_end:]


def doctype_in_sheet(source: Path, target: Path, at: int, marker: bytes = DOCTYPE) -> Path:
    """The nominations sheet with a DOCTYPE (or ENTITY) starting at byte `at` of the inflated part."""
    with zipfile.ZipFile(source) as src:
        sheet = src.read(NOMINATIONS_SHEET)
    return copy_with(source, target, {NOMINATIONS_SHEET: with_marker_at(sheet, at, marker)})


def utf16_sheet(source: Path, target: Path, codec: str, bom: bool) -> Path:
    """The nominations sheet re-encoded as UTF-16 with a DOCTYPE at byte 6,000 (of the UTF-8 text)."""
    with zipfile.ZipFile(source) as src:
        sheet = with_marker_at(src.read(NOMINATIONS_SHEET), 6000).decode("utf-8")
    sheet = sheet.replace('encoding="UTF-8"', 'encoding="UTF-16"')
    data = sheet.encode(codec)
    if bom:
        data = (codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE) + data
    return copy_with(source, target, {NOMINATIONS_SHEET: data})


def declare_size(source: Path, target: Path, part: str, size: int) -> Path:
    """Copy a zip whose central directory and local header claim `size` bytes for `part` (a lie)."""
    data = bytearray(Path(source).read_bytes())
    with zipfile.ZipFile(source) as zf:
        info = zf.getinfo(part)
        start_dir = zf.start_dir
    struct.pack_into("<I", data, info.header_offset + 22, size)  # local header: uncompressed size
    pos = start_dir
    while data[pos:pos + 4] == b"PK\x01\x02":
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, pos + 28)
        if data[pos + 46:pos + 46 + name_len].decode("utf-8") == part:
            struct.pack_into("<I", data, pos + 24, size)  # central directory: uncompressed size
        pos += 46 + name_len + extra_len + comment_len
    Path(target).write_bytes(bytes(data))
    return Path(target)


def minimal_ods(target: Path, parts: dict[str, bytes] | None = None) -> Path:
    """A small OpenDocument spreadsheet (mimetype stored first, as ODF requires); `parts` replace
    or add parts."""
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NS} office:version="1.2">'
               '<office:body><office:spreadsheet><table:table table:name="Danh sách đề nghị"><table:table-row>'
               '<table:table-cell office:value-type="string"><text:p>Họ và tên</text:p></table:table-cell>'
               '</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>')
    base = {
        "META-INF/manifest.xml": b'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                                 b'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>',
        "content.xml": content.encode(),
        "styles.xml": f'<?xml version="1.0" encoding="UTF-8"?><office:document-styles {ODS_NS}/>'.encode(),
        "meta.xml": f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {ODS_NS}/>'.encode(),
        "settings.xml": f'<?xml version="1.0" encoding="UTF-8"?><office:document-settings {ODS_NS}/>'.encode(),
    }
    base.update(parts or {})
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), ODS_MIME, compress_type=zipfile.ZIP_STORED)
        for name, data in base.items():
            z.writestr(name, data)
    return Path(target)
