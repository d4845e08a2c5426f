"""Hostile and broken input: every bad file is rejected with its reason, nothing runs, nothing is lost."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io

import openpyxl
import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from checker import check_many

from checker import consolidate
from checker.read.submission import Submission
from checker.validate.pipeline import validate

from .conftest import good_row
from .builders.hostile import many_rows, set_cell_xml, xml_bomb, zip_bomb

AS_OF = dt.date(2023, 5, 31)


def _encrypted(source, target):
    out = io.BytesIO()
    with open(source, "rb") as f:
        OOXMLFile(f).encrypt("matkhau", out)
    target.write_bytes(out.getvalue())
    return target


@pytest.fixture
def hostile_inbox(tmp_path, make_book):
    """An inbox holding two good reports and one file of each broken or hostile kind."""
    inbox = tmp_path / "inbox"
    good = make_book([good_row()], unit="CHEO", name="cheo.xlsx", directory=inbox)
    make_book([good_row()], unit="KICH", name="kich.xlsx", directory=inbox)
    base = make_book([good_row()], unit="VP", name="base.xlsx", directory=tmp_path)
    data = good.read_bytes()
    (inbox / "cat_cut.xlsx").write_bytes(data[: len(data) // 2])
    corrupt = bytearray(data)
    corrupt[len(data) // 2: len(data) // 2 + 64] = b"\xff" * 64
    (inbox / "hong.xlsx").write_bytes(bytes(corrupt))
    _encrypted(base, inbox / "mat_khau.xlsx")
    (inbox / "van_ban.xlsx").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n")
    (inbox / "anh.xls").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    (inbox / "rong.xlsx").write_bytes(b"")
    wb = openpyxl.Workbook()
    wb.active["A1"] = "Danh sách cán bộ"
    wb.save(inbox / "khong_mau.xlsx")
    zip_bomb(inbox / "bom_nen.xlsx", uncompressed_mb=20)
    xml_bomb(base, inbox / "bom_xml.xlsx")
    many_rows(base, inbox / "trieu_dong.xlsx", rows=20_000, with_values=True)
    return inbox


REASONS = {
    "cat_cut.xlsx": "tệp nén hỏng hoặc bị cắt cụt (không mở được)",
    "mat_khau.xlsx": "tệp có mật khẩu: hãy gỡ mật khẩu rồi gửi lại",
    "van_ban.xlsx": "không phải bảng tính (nội dung là tệp PDF)",
    "anh.xls": "không phải bảng tính (nội dung là ảnh PNG)",
    "rong.xlsx": "tệp rỗng (0 byte)",
    "bom_nen.xlsx": "tỉ lệ nén bất thường (1025:1, giới hạn 200:1): nghi là bom nén",
    "bom_xml.xlsx": "phần xl/worksheets/sheet3.xml khai báo DOCTYPE/ENTITY: nghi là bom XML, không đọc",
    "trieu_dong.xlsx": "trang “Danh sách đề nghị” có 20999 dòng × 19 cột, vượt giới hạn 10000 dòng × 200 cột",
    "khong_mau.xlsx": "không xác định được đơn vị (ô “Tên đơn vị” đang để trống)",
}


def test_every_bad_file_rejected_with_its_reason_and_the_rest_consolidated(tmp_path, hostile_inbox, rules):
    """Each broken or hostile file is rejected with its Vietnamese reason; the good ones are still used."""
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in hostile_inbox.iterdir()}
    result = consolidate(hostile_inbox, tmp_path / "tong_hop.xlsx", rules, as_of=AS_OF)
    decisions = {result.validation.books[d.index].name: d for d in result.decisions}
    assert {name: d.reason for name, d in decisions.items() if d.status == "rejected"
            and name != "hong.xlsx"} == REASONS
    assert decisions["hong.xlsx"].status == "rejected"
    assert decisions["hong.xlsx"].reason.startswith(("tệp nén hỏng", "tệp hỏng"))
    assert sorted((d.unit_id, d.status) for d in decisions.values() if d.status == "used") == [
        ("CHEO", "used"), ("KICH", "used")]
    counts = result.counts
    assert counts["submissions"] == counts["used"] + counts["superseded"] + counts["rejected"] == 12
    assert counts["rows_in"] == counts["rows_out"] == 2
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in hostile_inbox.iterdir()}
    assert after == before  # no input was modified


def test_no_template_sheets_is_reported_by_name(tmp_path, rules):
    """A workbook without the template's sheets gets one DV-MAU finding per missing sheet."""
    path = tmp_path / "khac.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "x"
    wb.save(path)
    report = check_many([path], rules, as_of=AS_OF)
    assert report.flatten(("rule_id", "code", "sheet")) == [
        ("DV-MAU", "template_version", None),
        ("DV-MAU", "template_sheet", "Danh sách đề nghị"),
        ("DV-MAU", "template_sheet", "Hoạt động"),
        ("DV-MAU", "template_sheet", "Thông tin đơn vị"),
        ("DV-MAU", "template_sheet", "Tổng kết"),
    ]


def test_zip_bomb_over_the_size_limit(tmp_path, rules):
    """A declared uncompressed size over the limit is rejected before anything inflates."""
    small = dataclasses.replace(rules, limits=dataclasses.replace(rules.limits, max_uncompressed_bytes=10 << 20))
    path = zip_bomb(tmp_path / "bom.xlsx", uncompressed_mb=12)
    [book] = validate([Submission("bom.xlsx", path.read_bytes())], small, as_of=AS_OF).books
    assert book.rejected.code == "zip_bomb"
    assert book.rejected.reason.startswith("dung lượng giải nén quá lớn (12,582,973 byte, giới hạn 10,485,760 byte)")


def test_formatting_only_rows_are_harmless(tmp_path, make_book, rules):
    """A million rows of empty formatting are not data: the file reads normally."""
    path = many_rows(make_book([good_row(gender="Na")]), tmp_path / "dinh_dang.xlsx", rows=1_000_000,
                     with_values=False)
    report = check_many([path], rules, as_of=AS_OF)
    assert report.files[0].status == "checked"
    assert report.flatten(("cell", "rule_id")) == [(None, "DV-TOITHIEU"), ("D5", "DN-DANHMUC")]


def test_cell_over_excel_limit(tmp_path, make_book, rules):
    """A cell longer than Excel's 32,767 characters is an error at its cell, and is cut, not loaded whole."""
    long_text = "Người tốt việc tốt " * 2500  # 47,500 characters; the XML reader drops the trailing space
    path = set_cell_xml(make_book(), tmp_path / "dai.xlsx", "K5",
                        f'<c r="K5" t="inlineStr"><is><t>{long_text}</t></is></c>')
    report = check_many([path], rules, as_of=AS_OF)
    assert report.flatten(("cell", "rule_id")) == [(None, "DV-TOITHIEU"), ("K5", "DL-GIOIHAN"), ("K5", "DN-TOMTAT")]
    assert "dài 47499 ký tự, vượt giới hạn 32767 ký tự" in report.findings[1].message


def test_formula_without_cached_value_is_a_finding(tmp_path, make_book, rules):
    """A formula saved without a value is reported once, as a formula (not also as a blank cell);
    ntvt never computes it, and the row does not count as valid."""
    path = make_book()
    wb = openpyxl.load_workbook(path)
    wb["Danh sách đề nghị"]["F5"] = '=UPPER("giám đốc")'
    wb.save(path)
    report = check_many([path], rules, as_of=AS_OF)
    assert report.flatten(("cell", "rule_id", "value")) == [
        (None, "DV-TOITHIEU", "0"), ("F5", "DL-CONGTHUC", '=UPPER("giám đốc")')]


def test_dde_formula_read_as_its_cached_value(tmp_path, make_book, rules):
    """A DDE formula (=cmd|'/C calc'!A0) is never run or followed: its cached value is what is read."""
    path = set_cell_xml(make_book(), tmp_path / "dde.xlsx", "B5",
                        "<c r=\"B5\" t=\"str\"><f>cmd|' /C calc'!A0</f><v>Trần Văn Bình</v></c>")
    report = check_many([path], rules, as_of=AS_OF)
    assert report.findings == []
    assert report.files[0].status == "checked"


def test_interrupted_write_leaves_earlier_output(tmp_path, make_book, rules, monkeypatch):
    """A run that dies while writing leaves the earlier output intact and no half-written file."""
    inbox = tmp_path / "inbox"
    make_book(directory=inbox)
    out = tmp_path / "tong_hop.xlsx"
    consolidate(inbox, out, rules, as_of=AS_OF)
    earlier = out.read_bytes()

    def explode(c, book, path, *parts):
        book.wb.close()
        raise KeyboardInterrupt("killed mid-write")

    monkeypatch.setattr("checker.write.workbook.write_sheets", explode)
    with pytest.raises(KeyboardInterrupt):
        consolidate(inbox, out, rules, as_of=AS_OF)
    assert out.read_bytes() == earlier
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base.xlsx", "inbox", "tong_hop.xlsx"] or \
        sorted(p.name for p in tmp_path.iterdir()) == ["inbox", "tong_hop.xlsx"]
