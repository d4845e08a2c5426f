"""What units really send: old formats, legacy Vietnamese fonts, unit-name variants, emails, feedback."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import unicodedata
import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Font

from checker import check_many

from checker import consolidate
from checker.read.inbox import gather as gather_inbox

from ..builders.hostile_inbox import eml
from .test_zipped import zipped
from ..conftest import good_row

AS_OF = dt.date(2023, 5, 20)
LIBREOFFICE = shutil.which("libreoffice") or shutil.which("soffice")


def _convert(path: Path, fmt: str) -> Path:
    subprocess.run([LIBREOFFICE, "--headless", "--convert-to", fmt, "--outdir", str(path.parent), str(path)],
                   check=True, capture_output=True, timeout=180)
    return path.with_suffix(f".{fmt}")


def _xlsm(path: Path) -> Path:
    """A macro-enabled copy: the workbook's content type made macro-enabled and a VBA project part added."""
    target = path.with_suffix(".xlsm")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml")
            dst.writestr(item, data)
        dst.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 Sub AutoOpen(): Shell \"calc\" End Sub")
    return target


@pytest.mark.skipif(LIBREOFFICE is None, reason="LibreOffice is needed to write .xls and .ods files")
@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_old_and_other_formats_read_like_xlsx(make_book, rules, fmt):
    """A .xls (BIFF) or .ods copy made by LibreOffice gives exactly the findings of the .xlsx."""
    path = make_book([good_row(gender="Na"), good_row(2, deed_date=dt.date(2023, 6, 1))], name="don_vi.xlsx")
    other = _convert(path, fmt)
    expected = check_many([path], rules, as_of=AS_OF).flatten(("sheet", "cell", "rule_id"))
    assert expected == [("Danh sách đề nghị", None, "DV-TOITHIEU"), ("Danh sách đề nghị", "D5", "DN-DANHMUC"),
                        ("Danh sách đề nghị", "J6", "DN-NGAY")]
    assert check_many([other], rules, as_of=AS_OF).flatten(("sheet", "cell", "rule_id")) == expected


def test_xlsm_values_only(make_book, rules):
    """A macro-enabled workbook is read for its values; the macro is never run or kept."""
    path = _xlsm(make_book([good_row(gender="Na")], name="macro.xlsx"))
    report = check_many([path], rules, as_of=AS_OF)
    assert report.files[0].status == "checked"
    assert report.flatten(("cell", "rule_id")) == [(None, "DV-TOITHIEU"), ("D5", "DN-DANHMUC")]


def _with_font(path: Path, cell: str, value: str, font: str) -> Path:
    wb = openpyxl.load_workbook(path)
    ws = wb["Danh sách đề nghị"]
    ws[cell] = value
    ws[cell].font = Font(name=font)
    wb.save(path)
    return path


@pytest.mark.parametrize("typed, font, encoding, expected", [
    ("NguyÔn ThÞ Hoa", ".VnTime", "TCVN3", "Nguyễn Thị Hoa"),
    ("Tr\xadêng V¨n Hµ", ".VnTime", "TCVN3", "Trường Văn Hà"),
    ("Nguyeãn Thò Hoa", "VNI-Times", "VNI", "Nguyễn Thị Hoa"),
    ("Ñoã Vaên Ñöùc", "VNI-Times", "VNI", "Đỗ Văn Đức"),
])
def test_legacy_font_text_is_converted_with_info(make_book, rules, typed, font, encoding, expected):
    """A TCVN3 or VNI name (with its font set) is converted to Unicode and an info finding shows the original."""
    path = _with_font(make_book([good_row()]), "B5", typed, font)
    report = check_many([path], rules, as_of=AS_OF)
    assert report.flatten(("cell", "rule_id", "code", "value")) == [("B5", "DL-CHUANHOA", "legacy_text", typed)]
    assert f"văn bản mã {encoding}" in report.findings[0].message
    assert f"“{expected}”" in report.findings[0].message


def test_genuine_unicode_with_legacy_font_untouched(make_book, rules):
    """Real Unicode text keeps its meaning even when a unit left a .VnTime font on the cell."""
    path = _with_font(make_book([good_row()]), "B5", "Cô Nguyễn Thị Ánh", ".VnTime")
    assert check_many([path], rules, as_of=AS_OF).findings == []


def test_nfd_values_become_nfc(make_book, rules):
    """Decomposed (NFD) text as a Mac sends it is read as NFC; list values still match."""
    path = make_book([good_row(gender=unicodedata.normalize("NFD", "Nữ"),
                               name=unicodedata.normalize("NFD", "Lê Thị Ngọc"))])
    report = check_many([path], rules, as_of=AS_OF)
    assert report.flatten(("cell", "rule_id", "code")) == [("B5", "DL-CHUANHOA", "normalised"),
                                                             ("D5", "DL-CHUANHOA", "normalised")]


@pytest.mark.parametrize("written, unit_id", [
    ("Nhà hát Chèo Hà Nội", "CHEO"),
    ("NHÀ HÁT CHÈO HÀ NỘI", "CHEO"),
    ("Nha hat Cheo Ha Noi", "CHEO"),
    ("NH Chèo HN", "CHEO"),
    ("Nhà hát Chèo", "CHEO"),
    ("Trung tâm Văn hoá Hà Nội", "TTVH"),
    ("TT Thông tin Triển lãm", "TTTTTL"),
    ("Trung tâm Huấn luyện và Thi đấu TDTT Hà Nội", "HLTD"),
    ("BQL di tích danh thắng HN", "DTDT"),
    ("Phòng Kế hoạch – Tài chính", "KHTC"),
    ("Trường PTNK TDTT", "PTNK"),
])
def test_unit_name_variants_match(make_book, rules, written, unit_id):
    """Diacritics, case, punctuation, tone placement, abbreviations and the “Hà Nội” suffix do not matter."""
    report = check_many([make_book(info={"unit": written})], rules, as_of=AS_OF)
    assert report.files[0].unit_id == unit_id
    assert [f.rule_id for f in report.findings if f.severity.value != "info"] == []


def test_unknown_unit_gets_suggestions(make_book, rules):
    """A name too short to be sure of is an error naming the closest official unit."""
    report = check_many([make_book(info={"unit": "Chèo Hà Nội"})], rules, as_of=AS_OF)
    [finding] = [f for f in report.findings if f.rule_id == "DV-DONVI"]
    assert finding.cell == "B3"
    assert "có phải “Nhà hát Chèo Hà Nội” không?" in finding.message


@pytest.mark.parametrize("date_header, status", [
    ("Fri, 19 May 2023 16:59:59 +0000", "Đúng hạn"),       # 23:59:59 on the 19th in Hanoi
    ("Fri, 19 May 2023 17:00:00 +0000", "Trễ hạn 1 ngày"),  # 00:00:00 on the 20th in Hanoi
    ("Fri, 19 May 2023 23:30:00 +0700", "Đúng hạn"),
    ("Fri, 19 May 2023 12:30:00 -0500", "Trễ hạn 1 ngày"),  # 00:30 on the 20th in Hanoi
    ("Thu, 18 May 2023 12:30:00 -0500", "Đúng hạn"),
])
def test_email_date_is_receipt_time_in_hanoi(tmp_path, make_book, rules, date_header, status):
    """The Date header, in whatever zone it was sent, decides the deadline in Hanoi time."""
    inbox = tmp_path / "inbox"
    book = make_book([good_row()], info={"sent_date": dt.date(2023, 5, 10)})
    eml(inbox / "thu.eml", [("bao_cao.xlsx", book.read_bytes())], date_header)
    result = consolidate(inbox, None, rules, as_of=dt.date(2023, 5, 31))
    cheo = result.cycles[(result.cycles.unit == "CHEO") & (result.cycles.cycle == "2023-05")].iloc[0]
    assert (cheo.status, cheo.evidence) == (status, "email_date")
    [entry] = [f for f in result.inbox.files if f.kind == "email"]
    assert entry.sender == "vanthu@cheo.vn"


def test_email_without_spreadsheet_and_with_two(tmp_path, make_book, rules):
    """An email without a workbook is listed as rejected; one with two gives two submissions; nothing is lost."""
    inbox = tmp_path / "inbox"
    a = make_book([good_row()], unit="CHEO").read_bytes()
    b = make_book([good_row()], unit="KICH").read_bytes()
    eml(inbox / "rong.eml", [], "Mon, 15 May 2023 08:00:00 +0700")
    eml(inbox / "hai_tep.eml", [("cheo.xlsx", a), ("kich.xlsx", b)], "Mon, 15 May 2023 09:00:00 +0700")
    result = consolidate(inbox, None, rules, as_of=dt.date(2023, 5, 31))
    entries = {f.name: f for f in result.inbox.files}
    assert entries["rong.eml"].status == "rejected"
    assert entries["rong.eml"].reason.startswith("thư không có tệp bảng tính đính kèm")
    assert entries["hai_tep.eml"].attachments == ["hai_tep.eml › cheo.xlsx", "hai_tep.eml › kich.xlsx"]
    assert sorted((d.unit_id, d.status) for d in result.decisions) == [("CHEO", "used"), ("KICH", "used")]


def test_nfd_attachment_name_is_nfc(tmp_path, make_book, rules):
    """An attachment named in NFD (as macOS Mail sends it) is listed under its NFC name."""
    inbox = tmp_path / "inbox"
    name = unicodedata.normalize("NFD", "Báo cáo tháng 5.xlsx")
    eml(inbox / "mac.eml", [(name, make_book().read_bytes())], "Mon, 15 May 2023 08:00:00 +0700")
    result = consolidate(inbox, None, rules, as_of=dt.date(2023, 5, 31))
    assert [b.name for b in result.validation.books] == ["mac.eml › Báo cáo tháng 5.xlsx"]


def test_msg_files_are_listed_as_unsupported(tmp_path, make_book, rules):
    """An Outlook .msg is listed as rejected with the advice to save the email as .eml."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "thu.msg").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    make_book(directory=inbox)
    result = consolidate(inbox, None, rules, as_of=dt.date(2023, 5, 31))
    [entry] = [f for f in result.inbox.files if f.name == "thu.msg"]
    assert (entry.status, entry.reason) == ("rejected", "thư Outlook .msg chưa được hỗ trợ: hãy lưu thư dạng .eml")


def test_files_are_read_when_checked_not_held(tmp_path, make_book, rules):
    """gather keeps a file's fingerprint, not its bytes; the checker reads it when it gets to it."""
    from checker.read.inbox import gather

    inbox = tmp_path / "inbox"
    path = make_book([good_row(1)], directory=inbox, name="a.xlsx")
    [sub] = gather(inbox, rules).submissions
    assert sub.data is None and sub.path == path and sub.content() == path.read_bytes()


def test_oversized_file_is_rejected_unread_with_its_real_fingerprint(tmp_path, make_book, rules):
    """A file over max_file_bytes is rejected from its size; the manifest's SHA-256 is still the file's."""
    import dataclasses
    import hashlib

    small = dataclasses.replace(rules, limits=dataclasses.replace(rules.limits, max_file_bytes=1000))
    inbox = tmp_path / "inbox"
    path = make_book([good_row(1)], directory=inbox, name="lon.xlsx")
    c = consolidate(inbox, tmp_path / "out.xlsx", small, as_of=AS_OF)
    [book] = c.validation.books
    assert book.rejected.code == "too_large"
    assert book.rejected.reason == f"tệp quá lớn ({path.stat().st_size:,} byte, giới hạn 1,000 byte)"
    assert book.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_file_gone_before_it_is_read_is_rejected_and_the_rest_checked(tmp_path, make_book, rules):
    """A file listed by gather and deleted before it is read is an unreadable file, not a crash."""
    from checker.validate.pipeline import validate
    from checker.read.inbox import gather

    inbox = tmp_path / "inbox"
    gone = make_book([good_row(1)], directory=inbox, name="mat.xlsx")
    make_book([good_row(1)], directory=inbox, name="con.xlsx")
    subs = gather(inbox, rules).submissions
    gone.unlink()
    books = {b.name: b for b in validate(subs, rules, as_of=AS_OF).books}
    assert books["mat.xlsx"].rejected.code == "unreadable"
    assert books["mat.xlsx"].rejected.reason == "không mở được tệp (FileNotFoundError)"
    assert books["con.xlsx"].rejected is None


def test_file_edited_after_listing_is_rejected_not_misread(tmp_path, make_book, rules):
    """A file changed between the inbox walk and its reading is not checked as if it were the file
    fingerprinted: it is rejected with a reason asking to run again, and keeps the listed SHA-256."""
    from checker.validate.pipeline import validate
    from checker.read.inbox import gather

    inbox = tmp_path / "inbox"
    path = make_book([good_row(1)], directory=inbox, name="sua.xlsx")
    [sub] = gather(inbox, rules).submissions
    listed = sub.sha256
    make_book([good_row(1), good_row(2)], directory=inbox, name="sua.xlsx")
    assert path.exists()
    [book] = validate([sub], rules, as_of=AS_OF).books
    assert book.rejected.code == "changed"
    assert book.rejected.reason == "tệp bị sửa trong lúc đang tổng hợp: hãy chạy lại"
    assert book.sha256 == listed


def test_spreadsheets_inside_a_zip_attachment_become_submissions(tmp_path, make_book, rules):
    """Each spreadsheet in a .zip attached to an email is a submission named after the email, the zip
    and itself, with the bytes it had in the zip; the zip's other files are not."""
    inbox = tmp_path / "inbox"
    one = make_book(unit="CHEO", name="a.xlsx", directory=tmp_path / "src").read_bytes()
    two = make_book(unit="KICH", name="b.xlsx", directory=tmp_path / "src").read_bytes()
    eml(inbox / "thu.eml", [("bc.zip", zipped(("bc.xlsx", one), ("thang 5/kich.xlsx", two), ("ghi chu.txt", b"x")))])
    got = gather_inbox(inbox, rules)
    assert [(s.name, s.data, s.evidence) for s in got.submissions] == [
        ("thu.eml › bc.zip › bc.xlsx", one, "email_date"), ("thu.eml › bc.zip › thang 5/kich.xlsx", two, "email_date")]
    [email] = got.files
    assert (email.status, email.reason, email.attachments) == (
        "email", None, ["thu.eml › bc.zip › bc.xlsx", "thu.eml › bc.zip › thang 5/kich.xlsx"])
    c = consolidate(inbox, None, rules, as_of=dt.date(2023, 6, 30))
    assert sorted((c.validation.books[d.index].name, d.unit_id, d.status) for d in c.decisions) == [
        ("thu.eml › bc.zip › bc.xlsx", "CHEO", "used"), ("thu.eml › bc.zip › thang 5/kich.xlsx", "KICH", "used")]


def test_a_zip_over_the_limits_or_without_a_spreadsheet_is_listed_with_why(tmp_path, make_book, rules):
    inbox = tmp_path / "inbox"
    book = make_book(unit="CHEO", name="a.xlsx", directory=tmp_path / "src").read_bytes()
    eml(inbox / "bom.eml", [("bom.zip", zipped(("a.xlsx", b"\0" * 3_000_000)))])
    eml(inbox / "pdf.eml", [("giay to.zip", zipped(("cv.pdf", b"%PDF-1.4")))])
    eml(inbox / "ca_hai.eml", [("bc.xlsx", book), ("hong.zip", b"PK\x03\x04 cut short")])
    got = gather_inbox(inbox, replace(rules, limits=replace(rules.limits, max_uncompressed_bytes=2_000_000)))
    assert [(f.name, f.status, f.reason) for f in got.files] == [
        ("bom.eml", "rejected", "thư không có tệp bảng tính đính kèm (bom.zip); tệp nén “bom.zip” không dùng được: "
                                "dung lượng giải nén quá lớn (3,000,000 byte, giới hạn 2,000,000 byte): "
                                "nghi là bom nén"),
        ("ca_hai.eml", "email", "tệp nén “hong.zip” không dùng được: tệp nén hỏng hoặc bị cắt cụt, không mở được"),
        ("pdf.eml", "rejected", "thư không có tệp bảng tính đính kèm (giay to.zip); tệp nén “giay to.zip” không dùng "
                                "được: tệp nén không chứa tệp bảng tính (.xlsx, .xlsm, .xls, .ods)"),
    ]
    assert [s.name for s in got.submissions] == ["ca_hai.eml › bc.xlsx"]


def test_ntvts_own_records_are_listed_as_such_and_accounted_for(tmp_path, make_book, rules):
    """The registers of fetch and send (and SQLite's side files) and the receipt log fetch writes are
    ntvt's records: neither a report nor a rejected file, and counted among the entries that are no report."""
    inbox = tmp_path / "inbox"
    make_book(unit="CHEO", name="cheo.xlsx", directory=inbox)
    for name in ("so_lay_thu.sqlite3", "so_lay_thu.sqlite3-wal", "so_gui_thu.sqlite3", "SO_NHAN.csv"):
        (inbox / name).write_bytes(b"ntvt")
    (inbox / "so_khac.sqlite3").write_bytes(b"x")
    c = consolidate(inbox, None, rules, as_of=dt.date(2023, 6, 30))
    reason = "sổ của ntvt (không phải báo cáo): để nguyên trong thư mục, lệnh lấy thư và gửi thư cần đến"
    assert [(f.name, f.status, f.reason) for f in c.inbox.files] == [
        ("SO_NHAN.csv", "record", reason), ("cheo.xlsx", "", None),
        ("so_gui_thu.sqlite3", "record", reason), ("so_khac.sqlite3", "rejected",
                                                   "không phải bảng tính hay thư điện tử (đuôi “.sqlite3”)"),
        ("so_lay_thu.sqlite3", "record", reason), ("so_lay_thu.sqlite3-wal", "record", reason)]
    assert (c.counts["inbox_files"], c.counts["submissions"], c.counts["not_submissions"]) == (6, 1, 5)
