"""Look at an input's bytes before any spreadsheet library parses them.

Decides the real format from the content (not the extension), and rejects, with a Vietnamese
reason, what must not be parsed: empty or oversized files, password-protected workbooks, renamed
non-spreadsheets, zip bombs (declared size or compression ratio over the limits) and XML with a
DOCTYPE (entity-expansion bombs). These checks read only zip headers and the first bytes of each
XML part, so memory stays bounded whatever the input claims.
"""

from __future__ import annotations

import io
import zipfile

from .rules import Limits

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
XML_PROBE_BYTES = 4096

_OTHER_FORMATS = (
    (b"%PDF", "tệp PDF"),
    (b"\x89PNG", "ảnh PNG"),
    (b"\xff\xd8\xff", "ảnh JPEG"),
    (b"GIF8", "ảnh GIF"),
    (b"{\\rtf", "văn bản RTF"),
    (b"Rar!", "tệp nén RAR"),
    (b"7z\xbc\xaf", "tệp nén 7z"),
)


class Rejected(Exception):
    """An input that cannot be used: `code` for machines, `reason` in Vietnamese for people."""

    def __init__(self, code: str, reason: str):
        super().__init__(f"{code}: {reason}")
        self.code, self.reason = code, reason

    def __reduce__(self):
        # Rebuilt from (code, reason) when it crosses processes; the default would pass the joined
        # message as one argument and fail, breaking the worker pool.
        return (type(self), (self.code, self.reason))


def size_verdict(size: int, limits: Limits) -> Rejected | None:
    """Empty or too large: known from the size alone, before a byte is read."""
    if not size:
        return Rejected("empty", "tệp rỗng (0 byte)")
    if size > limits.max_file_bytes:
        return Rejected("too_large", f"tệp quá lớn ({size:,} byte, giới hạn {limits.max_file_bytes:,} byte)")
    return None


def inspect_bytes(name: str, data: bytes, limits: Limits) -> str | Rejected:
    """Return the format ("xlsx", "xlsm", "xls", "ods") or a Rejected verdict."""
    verdict = size_verdict(len(data), limits)
    if verdict is not None:
        return verdict
    if data.startswith(OLE_MAGIC):
        return _inspect_ole(data)
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return _inspect_zip(data, limits)
    for magic, what in _OTHER_FORMATS:
        if data.startswith(magic):
            return Rejected("not_spreadsheet", f"không phải bảng tính (nội dung là {what})")
    head = data[:512].lstrip().lower()
    if head.startswith((b"<html", b"<!doctype html")):
        return Rejected("not_spreadsheet", "không phải bảng tính (nội dung là trang HTML)")
    return Rejected("not_spreadsheet", "không phải bảng tính Excel/LibreOffice (nội dung không nhận dạng được)")


def _inspect_ole(data: bytes) -> str | Rejected:
    # An encrypted .xlsx is an OLE container holding "EncryptionInfo"/"EncryptedPackage" streams
    # (names stored in UTF-16 in the directory); a password-protected .xls has a FILEPASS record
    # (0x002F) right after its first BOF record.
    if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
        return Rejected("encrypted", "tệp có mật khẩu: hãy gỡ mật khẩu rồi gửi lại")
    if _xls_has_filepass(data):
        return Rejected("encrypted", "tệp có mật khẩu: hãy gỡ mật khẩu rồi gửi lại")
    return "xls"


def _xls_has_filepass(data: bytes) -> bool:
    """Find the Workbook stream's first records and look for FILEPASS among them."""
    marker = b"\x09\x08"  # BOF record id of BIFF8
    start = data.find(marker, 512)
    while start != -1 and start < len(data) - 4:
        pos = start
        for _ in range(40):  # FILEPASS, when present, comes within the first few records
            if pos + 4 > len(data):
                break
            rec, size = int.from_bytes(data[pos:pos + 2], "little"), int.from_bytes(data[pos + 2:pos + 4], "little")
            if rec == 0x002F:
                return True
            if rec == 0x0085:  # BOUNDSHEET: past the point where FILEPASS may stand
                return False
            pos += 4 + size
        return False
    return False


def _inspect_zip(data: bytes, limits: Limits) -> str | Rejected:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except Exception:  # zipfile raises many types on damaged input (BadZipFile, NotImplementedError…)
        return Rejected("corrupt", "tệp nén hỏng hoặc bị cắt cụt (không mở được)")
    if len(infos) > limits.max_zip_members:
        return Rejected("zip_bomb", f"tệp chứa quá nhiều thành phần ({len(infos)}, giới hạn {limits.max_zip_members})")
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed_bytes:
        return Rejected("zip_bomb", f"dung lượng giải nén quá lớn ({total:,} byte, giới hạn "
                                    f"{limits.max_uncompressed_bytes:,} byte): nghi là bom nén")
    compressed = sum(i.compress_size for i in infos) or 1
    if total > 1_000_000 and total / compressed > limits.max_compression_ratio:
        return Rejected("zip_bomb", f"tỉ lệ nén bất thường ({total // compressed}:1, giới hạn "
                                    f"{limits.max_compression_ratio}:1): nghi là bom nén")
    names = {i.filename for i in infos}
    if "mimetype" in names:
        try:
            mimetype = zf.read("mimetype")[:100]
        except Exception:  # damaged member
            return Rejected("corrupt", "tệp nén hỏng hoặc bị cắt cụt (không đọc được)")
        if b"opendocument.spreadsheet" not in mimetype:
            return Rejected("not_spreadsheet", "không phải bảng tính (là tài liệu OpenDocument khác)")
        fmt = "ods"
    elif "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        if "xl/workbook.bin" in names:
            return Rejected("unsupported", "định dạng .xlsb chưa được hỗ trợ: hãy lưu lại dạng .xlsx")
        fmt = "xlsm" if "xl/vbaProject.bin" in names else "xlsx"
    elif "word/document.xml" in names:
        return Rejected("not_spreadsheet", "không phải bảng tính (là văn bản Word .docx)")
    else:
        return Rejected("not_spreadsheet", "không phải bảng tính (tệp nén không chứa sổ tính)")
    for info in infos:
        if info.filename.endswith((".xml", ".rels")) and info.file_size:
            verdict = _probe_xml(zf, info)
            if verdict is not None:
                return verdict
    return fmt


def _probe_xml(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Rejected | None:
    """Reject a part that declares a DOCTYPE: office XML never needs one; entity bombs do."""
    try:
        with zf.open(info) as part:
            head = part.read(XML_PROBE_BYTES)
    except RuntimeError:  # zipfile raises this for an encrypted member
        return Rejected("encrypted", "tệp có mật khẩu: hãy gỡ mật khẩu rồi gửi lại")
    except Exception:  # BadZipFile, zlib.error, EOFError, NotImplementedError… on damaged parts
        return Rejected("corrupt", f"tệp nén hỏng hoặc bị cắt cụt (phần {info.filename} không đọc được)")
    if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
        return Rejected("xml_bomb", f"phần {info.filename} khai báo DOCTYPE/ENTITY: nghi là bom XML, không đọc")
    return None
