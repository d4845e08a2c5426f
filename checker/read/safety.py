"""Look at an input's bytes before any spreadsheet library parses them.

Decides the real format from the content (not the extension), and rejects, with a Vietnamese
reason, what must not be parsed: empty or oversized files, password-protected workbooks, renamed
non-spreadsheets, zip bombs (declared size or compression ratio over the limits), zips with two
parts of the same name (a reader would see one, ntvt another) and XML with a DOCTYPE or ENTITY
(entity-expansion bombs, external entities). Every part is inflated once, in blocks, and streamed
past the DOCTYPE scan: memory stays bounded whatever the input claims, and the total inflated is
bounded by `max_uncompressed_bytes`.
"""

from __future__ import annotations

import codecs
import io
import unicodedata
import zipfile
import zlib

from ..ruleset.spec import Limits

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SCAN_BLOCK = 1 << 20  # bytes inflated at a time by the DOCTYPE scan
_FEED = 64 << 10  # compressed bytes given to zlib at a time
MARKERS = (b"<!doctype", b"<!entity")  # compared with what is read, lower-cased
_OVERLAP = max(len(m) for m in MARKERS) - 1  # kept from the previous block: a marker may straddle two
SHOWN_NAME = 100  # characters of a part name quoted in a reason

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


# The name endings of the files read as spreadsheets (the formats inspect_bytes tells apart): the
# inbox and email attachments are picked by them, before the bytes say what a file really is.
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


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
    verdict = _duplicate_part(infos)
    if verdict is not None:
        return verdict
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
    budget = [limits.max_uncompressed_bytes]
    for info in infos:
        if not info.is_dir():
            verdict = _scan_part(data, info, budget)
            if verdict is not None:
                return verdict
    return fmt


def _shown(name: str) -> str:
    return name if len(name) <= SHOWN_NAME else name[:SHOWN_NAME] + "…"


def _part_key(name: str) -> str:
    """How readers may see a part name: OOXML part names are case-insensitive, Windows tools read
    "\\" as "/", a leading "/" is the package root, and NFC/NFD spellings are the same name."""
    return unicodedata.normalize("NFC", name.replace("\\", "/").lstrip("/")).casefold()


def _duplicate_part(infos: list[zipfile.ZipInfo]) -> Rejected | None:
    """Two parts a reader may take for one: which copy is read depends on the library."""
    seen: dict[str, str] = {}
    for info in infos:
        if info.is_dir():  # a folder entry has no content to hide
            continue
        key = _part_key(info.filename)
        if key in seen:
            first, second = _shown(seen[key]), _shown(info.filename)
            both = f"“{first}”" if first == second else f"“{first}” và “{second}”"
            return Rejected("duplicate_part", f"tệp nén có hai thành phần cùng tên ({both}): nghi là tệp bị "
                                              f"làm giả, không đọc; hãy mở bằng Excel, lưu lại rồi gửi lại")
        seen[key] = info.filename
    return None


def _scan_part(data: bytes, info: zipfile.ZipInfo, budget: list[int]) -> Rejected | None:
    """Reject a part that declares a DOCTYPE or ENTITY anywhere: office XML never needs one;
    entity bombs and external entities do.

    Every part is scanned whatever its name (a sheet may be stored under any name the
    relationships point to), to its end. It is inflated from its raw bytes, not through
    zipfile, which stops at the declared size: a part that lies about its size is inflated
    whole by other readers (calamine), and so is it here, within `budget` (the bytes the whole
    file may still inflate), then refused for the lie. UTF-16 XML (which parsers accept) is
    decoded first; any other encoding a parser accepts spells "<!DOCTYPE" in ASCII bytes.
    """
    where = _shown(info.filename)
    if info.flag_bits & 0x1:
        return Rejected("encrypted", "tệp có mật khẩu: hãy gỡ mật khẩu rồi gửi lại")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        # Excel, LibreOffice, Google Sheets and WPS only store or deflate.
        return Rejected("unsupported", f"phần {where} dùng kiểu nén không thông dụng (mã {info.compress_type}): "
                                       f"hãy mở bằng Excel, lưu lại rồi gửi lại")
    size, crc, tail, decoder = 0, 0, b"", None
    try:
        for block in _inflate(data, info):
            size += len(block)
            budget[0] -= len(block)
            if budget[0] < 0:
                return Rejected("zip_bomb", "dung lượng giải nén vượt giới hạn (kích thước khai báo sai): "
                                            "nghi là bom nén")
            crc = zlib.crc32(block, crc)
            if size == len(block):  # the first block tells the encoding
                decoder = _utf16_decoder(block)
            text = decoder.decode(block).encode("utf-8", "replace") if decoder else block
            if _has_marker(tail + text[:_OVERLAP]) or _has_marker(text):
                return Rejected("xml_bomb", f"phần {where} khai báo DOCTYPE/ENTITY: nghi là bom XML, không đọc")
            tail = text[-_OVERLAP:]
    except (ValueError, zlib.error):
        return Rejected("corrupt", f"tệp nén hỏng hoặc bị cắt cụt (phần {where} không đọc được)")
    if size != info.file_size or crc != info.CRC:
        return Rejected("corrupt", f"tệp nén hỏng hoặc bị cắt cụt (phần {where} không đúng kích thước "
                                   f"hoặc mã kiểm tra đã khai báo)")
    return None


def _has_marker(text: bytes) -> bool:
    """Whether text holds "<!DOCTYPE" or "<!ENTITY" in any case. "!" is rare in office XML, so a
    byte search for it (memchr) rejects most blocks at memory speed before anything is compared."""
    if b"!" not in text:
        return False
    at = text.find(b"<!")
    while at != -1:
        if text[at:at + len(MARKERS[0])].lower().startswith(MARKERS):
            return True
        at = text.find(b"<!", at + 2)
    return False


def _inflate(data: bytes, info: zipfile.ZipInfo):
    """The part's content in blocks of at most SCAN_BLOCK bytes, from its raw bytes in `data`.

    Raises ValueError for a damaged or forged entry (no local header, a different name there,
    compressed bytes cut short).
    """
    header = data[info.header_offset:info.header_offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise ValueError(f"no local header for {info.filename!r}")
    name_len, extra_len = int.from_bytes(header[26:28], "little"), int.from_bytes(header[28:30], "little")
    start = info.header_offset + 30
    name = data[start:start + name_len].decode("utf-8" if info.flag_bits & 0x800 else "cp437", "replace")
    if name != info.orig_filename:  # a streaming reader would see another name than the directory says
        raise ValueError(f"local name {name!r} differs from {info.orig_filename!r}")
    start += name_len + extra_len
    raw = memoryview(data)[start:start + info.compress_size]
    if len(raw) < info.compress_size:
        raise ValueError(f"{info.filename!r} is cut short")
    if info.compress_type == zipfile.ZIP_STORED:
        for at in range(0, len(raw), SCAN_BLOCK):
            yield raw[at:at + SCAN_BLOCK].tobytes()
        return
    # Compressed bytes go in by slices: zlib copies the input it has not consumed yet (to
    # unconsumed_tail) on every call, which would be quadratic over the whole part.
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    for at in range(0, len(raw), _FEED):
        pending = raw[at:at + _FEED]
        while pending and not inflater.eof:
            block = inflater.decompress(pending, SCAN_BLOCK)
            pending = inflater.unconsumed_tail
            if block:
                yield block
        if inflater.eof:
            return
    while not inflater.eof:  # output zlib still holds once all input is in
        block = inflater.decompress(b"", SCAN_BLOCK)
        if not block:
            raise ValueError(f"{info.filename!r}: deflate stream cut short")
        yield block


def _utf16_decoder(head: bytes):
    """An incremental UTF-16 decoder if the part starts like UTF-16 XML (a BOM, or "<" as two bytes)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return codecs.getincrementaldecoder("utf-16")(errors="replace")
    if head.startswith(b"<\x00"):
        return codecs.getincrementaldecoder("utf-16-le")(errors="replace")
    if head.startswith(b"\x00<"):
        return codecs.getincrementaldecoder("utf-16-be")(errors="replace")
    return None
