"""checker/read/zipped.py: spreadsheets inside a zip attachment, within the bomb limits, in memory."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace

from checker.read.zipped import Zipped, is_zip, read_zipped, zipped_spreadsheets


def zipped(*members: tuple[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return out.getvalue()


def test_spreadsheets_are_taken_out_whole_and_the_rest_left(rules):
    data = zipped(("bc.xlsx", b"PK workbook one"), ("thu muc/bc2.ODS", b"ods bytes"), ("doc.pdf", b"%PDF"),
                  ("thu muc/", b""))
    assert read_zipped(data, rules.limits) == Zipped((("bc.xlsx", b"PK workbook one"),
                                                      ("thu muc/bc2.ODS", b"ods bytes")))
    assert zipped_spreadsheets(data, rules.limits) == ["bc.xlsx", "thu muc/bc2.ODS"]


def test_a_windows_zip_name_in_cp1258_is_read_as_people_wrote_it(rules):
    """Windows' own zip writes names in the system code page, without the UTF-8 flag."""
    raw = "Báo cáo.xls".encode("cp1258")
    placeholder = b"p" * len(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(placeholder.decode(), b"x")
    data = out.getvalue().replace(placeholder, raw)  # in the local header and the directory
    assert read_zipped(data, rules.limits).spreadsheets == (("Báo cáo.xls", b"x"),)


def test_no_spreadsheet_a_damaged_zip_and_each_bomb_limit_say_why(rules):
    limits = rules.limits
    assert read_zipped(zipped(("a.pdf", b"%PDF")), limits) == Zipped(
        (), "tệp nén không chứa tệp bảng tính (.xlsx, .xlsm, .xls, .ods)")
    assert read_zipped(b"PK\x03\x04 cut short", limits) == Zipped((), "tệp nén hỏng hoặc bị cắt cụt, không mở được")
    two = zipped(("a.xlsx", b"x"), ("b.xlsx", b"y"))
    assert read_zipped(two, replace(limits, max_zip_members=1)) == Zipped(
        (), "tệp nén chứa quá nhiều thành phần (2, giới hạn 1)")
    bomb = zipped(("a.xlsx", b"\0" * 3_000_000))
    assert read_zipped(bomb, replace(limits, max_compression_ratio=100)).problem.startswith(
        "tỉ lệ nén bất thường (")
    assert read_zipped(bomb, replace(limits, max_uncompressed_bytes=2_000_000)) == Zipped(
        (), "dung lượng giải nén quá lớn (3,000,000 byte, giới hạn 2,000,000 byte): nghi là bom nén")
    assert zipped_spreadsheets(bomb, replace(limits, max_uncompressed_bytes=2_000_000)) == []


def test_a_member_over_the_file_limit_is_left_out_and_named(rules):
    data = zipped(("lon.xlsx", b"a" * 5_000), ("nho.xlsx", b"b" * 10), method=zipfile.ZIP_STORED)
    small = replace(rules.limits, max_file_bytes=1_000)
    assert read_zipped(data, small) == Zipped((("nho.xlsx", b"b" * 10),), None,
                                              ("“lon.xlsx” quá lớn (giới hạn 1,000 byte)",))
    alone = zipped(("lon.xlsx", b"a" * 5_000), method=zipfile.ZIP_STORED)
    assert read_zipped(alone, small) == Zipped(
        (), "không đọc được tệp bảng tính nào trong tệp nén (“lon.xlsx” quá lớn (giới hạn 1,000 byte))")


def test_a_member_lying_about_its_size_is_never_inflated_past_the_budget(rules):
    """The directory says 10 bytes; the data inflates to 3 MB: zipfile stops at the declared size and
    the CRC check fails, so nothing of it is used."""
    data = bytearray(zipped(("a.xlsx", b"\0" * 3_000_000)))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).infolist()[0]
    central = data.rfind(b"PK\x01\x02")
    data[central + 24:central + 28] = (10).to_bytes(4, "little")  # declared uncompressed size
    local = info.header_offset
    data[local + 22:local + 26] = (10).to_bytes(4, "little")
    assert read_zipped(bytes(data), rules.limits) == Zipped(
        (), "tệp nén hỏng hoặc bị cắt cụt, không đọc được tệp bên trong")


def test_which_attachments_are_looked_into():
    assert is_zip("BC.ZIP", b"")
    assert is_zip("bao_cao", b"PK\x03\x04...")
    assert not is_zip("van_ban.docx", b"PK\x03\x04...")
    assert not is_zip("anh.png", b"\x89PNG")
