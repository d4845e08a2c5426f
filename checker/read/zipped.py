"""Spreadsheets sent inside a .zip attached to an email: found from the zip's directory, within the
rules' bomb limits (members, declared size, compression ratio), and read into memory, never
extracted to disk. Used by the consolidation's email reader (read/inbox) and by `ntvt fetch`
(mailbox/scan), which only needs the names.

The members are not checked here beyond the limits: each spreadsheet taken out is a submission
like any other, and read/safety inspects its own bytes (its own zip limits) before it is parsed.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from ..ruleset.spec import Limits
from .names import shown_text
from .safety import SPREADSHEET_SUFFIXES

__all__ = ["ZIP_MAGIC", "Zipped", "is_zip", "read_zipped", "zipped_spreadsheets"]

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
# zipfile's reading of a name stored without the UTF-8 flag; Windows' own zip writes such names in
# the system's code page (cp1258 in Vietnam), read again here as people would.
_LEGACY_NAMES = ("utf-8", "cp1258")


@dataclass(frozen=True)
class Zipped:
    """What a zip attachment gave: its spreadsheets (name inside the zip, shown as people read it,
    and bytes); if it gave none, why; and the spreadsheets left out of it, each with why (Vietnamese)."""

    spreadsheets: tuple[tuple[str, bytes], ...]
    problem: str | None = None
    left_out: tuple[str, ...] = ()


def is_zip(name: str, data: bytes) -> bool:
    """Whether an attachment is a zip to look into: named .zip, or a zip with no name ending (a
    renamed .docx or .xlsx is not opened as an archive)."""
    lowered = name.lower()
    return lowered.endswith(".zip") or (data.startswith(ZIP_MAGIC) and "." not in lowered.rsplit("/", 1)[-1])


def _member_name(info: zipfile.ZipInfo) -> str:
    if info.flag_bits & 0x800:
        return shown_text(info.filename)
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return shown_text(info.filename)
    for codec in _LEGACY_NAMES:
        try:
            return shown_text(raw.decode(codec))
        except UnicodeDecodeError:
            continue
    return shown_text(info.filename)


def _directory(data: bytes, limits: Limits) -> tuple[list[zipfile.ZipInfo], str | None]:
    """The spreadsheet members of the zip's directory, or why the zip is not opened."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except Exception:  # zipfile raises many types on damaged input
        return [], "tệp nén hỏng hoặc bị cắt cụt, không mở được"
    if len(infos) > limits.max_zip_members:
        return [], f"tệp nén chứa quá nhiều thành phần ({len(infos):,}, giới hạn {limits.max_zip_members:,})"
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed_bytes:
        return [], (f"dung lượng giải nén quá lớn ({total:,} byte, giới hạn {limits.max_uncompressed_bytes:,} byte): "
                    "nghi là bom nén")
    compressed = sum(i.compress_size for i in infos) or 1
    if total > 1_000_000 and total / compressed > limits.max_compression_ratio:
        return [], (f"tỉ lệ nén bất thường ({total // compressed}:1, giới hạn {limits.max_compression_ratio}:1): "
                    "nghi là bom nén")
    found = [i for i in infos if not i.is_dir() and i.filename.lower().endswith(SPREADSHEET_SUFFIXES)]
    if not found:
        return [], "tệp nén không chứa tệp bảng tính (.xlsx, .xlsm, .xls, .ods)"
    return found, None


def zipped_spreadsheets(data: bytes, limits: Limits) -> list[str]:
    """The names of the spreadsheet members of a zip, read from its directory alone (nothing is
    inflated); none if it is damaged or over the bomb limits."""
    return [_member_name(i) for i in _directory(data, limits)[0]]


def read_zipped(data: bytes, limits: Limits) -> Zipped:
    """The spreadsheets inside a zip, inflated in memory: each at most max_file_bytes (a larger one is
    left out and named), all together at most max_uncompressed_bytes whatever the directory claims."""
    infos, problem = _directory(data, limits)
    if problem is not None:
        return Zipped((), problem)
    found: list[tuple[str, bytes]] = []
    skipped: list[str] = []
    budget = limits.max_uncompressed_bytes
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for info in infos:
                name = _member_name(info)
                if info.flag_bits & 0x1:
                    skipped.append(f"“{name}” có mật khẩu")
                    continue
                with zf.open(info) as member:  # bounded reads: a member lying about its size stops here
                    content = member.read(min(limits.max_file_bytes, budget) + 1)
                if len(content) > limits.max_file_bytes:
                    skipped.append(f"“{name}” quá lớn (giới hạn {limits.max_file_bytes:,} byte)")
                    continue
                budget -= len(content)
                if budget < 0:
                    return Zipped((), "dung lượng giải nén vượt giới hạn (kích thước khai báo sai): nghi là bom nén")
                found.append((name, content))
    except Exception:  # a damaged member: bad CRC, cut short, an unsupported compression
        return Zipped((), "tệp nén hỏng hoặc bị cắt cụt, không đọc được tệp bên trong")
    if not found:
        return Zipped((), "không đọc được tệp bảng tính nào trong tệp nén (" + "; ".join(skipped) + ")")
    return Zipped(tuple(found), None, tuple(skipped))
