"""Tests for checker.validate.reading_findings on genuine .xlsx files: a formula saved without its
value is one finding (DL-CONGTHUC), not also the rules that read its cell (issue #13 item 10)."""

from __future__ import annotations

import datetime as dt

import openpyxl

from checker.api import check_workbook

from ..conftest import good_row

AS_OF = dt.date(2023, 5, 20)
FIELDS = ("sheet", "cell", "rule_id", "severity", "message")
TEMPLATE = " (Căn cứ: mẫu biểu chuẩn do Văn phòng Sở phát hành.)"
MUC_V = " (Căn cứ: Mục V, Kế hoạch số 327/KH-SVHTT.)"


def with_formula(path, sheet: str, cell: str, formula: str):
    """Write `formula` into `cell` with openpyxl, which stores no computed value (as a script would)."""
    wb = openpyxl.load_workbook(path)
    wb[sheet][cell] = formula
    wb.save(path)
    return path


def test_birth_year_formula_without_value_is_one_finding(make_book, rules):
    """"Năm sinh" holding =1980+5 with no stored value: DL-CONGTHUC at E5 only, no "đang để trống";
    the row still does not count as a valid nomination."""
    path = with_formula(make_book([good_row()]), "Danh sách đề nghị", "E5", "=1980+5")
    wb = openpyxl.load_workbook(path, data_only=True)
    assert wb["Danh sách đề nghị"]["E5"].value is None  # genuinely no cached value
    assert check_workbook(path, rules, as_of=AS_OF).flatten(FIELDS) == [
        ("Danh sách đề nghị", None, "DV-TOITHIEU", "error",
         "Báo cáo tháng phải có tối thiểu 1 gương đề nghị hợp lệ (nhận được 0): đề nghị sửa các lỗi của các dòng "
         "đề nghị hoặc bổ sung gương, rồi gửi lại." + MUC_V),
        ("Danh sách đề nghị", "E5", "DL-CONGTHUC", "error",
         "Ô E5 chứa công thức “=1980+5” chưa có giá trị tính sẵn (ntvt không tính công thức): hãy mở tệp "
         "bằng Excel hoặc LibreOffice, lưu lại rồi gửi." + TEMPLATE),
    ]


def test_sent_date_formula_without_value_is_one_finding(make_book, rules):
    """A "Ngày gửi" formula with no stored value: DL-CONGTHUC at B12, not also DV-BATBUOC's "đang để trống"."""
    path = with_formula(make_book(), "Thông tin đơn vị", "B12", "=TODAY()")
    assert check_workbook(path, rules, as_of=AS_OF).flatten(("cell", "rule_id")) == [("B12", "DL-CONGTHUC")]
