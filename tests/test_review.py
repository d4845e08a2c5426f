"""The council's review end to end, on the samples: the "Xét duyệt" sheet written (protected, only the
decision and reason cells unlocked, a dropdown of the rules file's decisions), filled with openpyxl as
the council would, and read back by `consolidate --decisions`: the warnings for a nominee no longer
in force and for a value not in the list, the next "Xét duyệt" pre-filled, the City's list narrowed
to what the council proposed (undecided City-level nominees marked), and the returned nominee in its
unit's reply letter."""

from __future__ import annotations

import datetime as dt
import email
from email import policy

import openpyxl
import pytest

from checker import consolidate
from checker.model.errors import CheckerError

from .conftest import ROOT

DAY = dt.date(2023, 7, 25)
SHEET, CITY = "Xét duyệt", "Đề xuất Thành phố"
TOP = 3  # the header's row (Excel's)
REASON = "Thành tích chưa có xác nhận của công đoàn cơ sở"


def _rows(path):
    ws = openpyxl.load_workbook(path)[SHEET]
    return {r[2]: r for r in ws.iter_rows(min_row=TOP + 1, values_only=True) if r[2]}


@pytest.fixture(scope="module")
def runs(tmp_path_factory, rules):
    out = tmp_path_factory.mktemp("review")
    first = consolidate(ROOT / "sample_workbooks", out / "lan1.xlsx", rules, as_of=DAY)
    wb = openpyxl.load_workbook(first.output)
    ws = wb[SHEET]
    rows = {ws.cell(r, 3).value: r for r in range(TOP + 1, ws.max_row + 1)}
    for name, decision, reason in [("Đỗ Thị Tuấn", "Đề nghị Thành phố", ""), ("Vũ Thị Yến", "Khen cấp Sở", ""),
                                   ("Đặng Thị Nam", "Trả lại", REASON), ("Hoàng Thị Phương", "Đồng ý", "")]:
        ws.cell(rows[name], 9, decision)
        ws.cell(rows[name], 10, reason or None)
    extra = ws.max_row + 1  # a nominee the inbox does not hold (a row the office typed in)
    for col, value in enumerate(["", "Văn phòng Sở", "Trần Văn Vắng", 1980], start=1):
        ws.cell(extra, col, value)
    ws.cell(extra, 9, "Đề nghị Thành phố")
    wb.save(out / "hoi_dong.xlsx")
    second = consolidate(ROOT / "sample_workbooks", out / "lan2.xlsx", rules, as_of=DAY,
                         feedback=out / "tra_loi", decisions=out / "hoi_dong.xlsx")
    return first, second, rows, extra


def test_review_sheet_protected_with_only_the_decision_and_reason_unlocked(runs):
    first, *_ = runs
    ws = openpyxl.load_workbook(first.output)[SHEET]
    assert [c.value for c in ws[TOP]][:10] == ["STT", "Đơn vị", "Họ và tên / Tên tập thể", "Năm sinh", "Cấp đề nghị",
                                         "Tóm tắt thành tích, việc làm tốt", "Tệp nguồn", "Dòng",
                                         "Quyết định của Hội đồng", "Lý do"]
    assert ws.protection.sheet and not ws.protection.password
    assert ws.max_row == TOP + 63
    unlocked = {(c.row, c.column) for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=16) for c in row
                if not c.protection.locked}
    assert unlocked == {(r, col) for r in range(TOP + 1, ws.max_row + 1) for col in (9, 10)}
    (dv,) = ws.data_validations.dataValidation
    assert (str(dv.sqref), dv.formula1) == (f"I{TOP + 1}:I{ws.max_row}", "$L$1:$O$1")
    assert [ws.cell(1, col).value for col in range(12, 16)] == ["Khen cấp Sở", "Đề nghị Thành phố", "Trả lại", "Chưa xét"]
    hidden = ws.column_dimensions["L"]
    assert (hidden.min, hidden.max, hidden.hidden) == (12, 15, True)
    assert {r[8] for r in _rows(first.output).values()} == {"Chưa xét"}
    assert all(ws.row_dimensions[r].height for r in range(TOP + 1, ws.max_row + 1))
    assert ws.cell(TOP + 1, 1).border.left.style == "thin" and ws.cell(TOP + 1, 10).alignment.wrap_text


def test_rows_not_applied_are_warnings_in_words(runs):
    _, second, rows, extra = runs
    found = [(f.rule_id, f.severity.value, f.file, f.sheet, f.row, f.text) for f in second.findings
             if f.rule_id.startswith("XD-")]
    assert found == [
        ("XD-GIATRI", "warning", "hoi_dong.xlsx", SHEET, rows["Hoàng Thị Phương"],
         f"Tệp “hoi_dong.xlsx”, trang “Xét duyệt”, ô I{rows['Hoàng Thị Phương']}: quyết định cho Hoàng Thị Phương "
         "(Văn phòng Sở) là “Đồng ý”, không thuộc danh sách (“Khen cấp Sở”, “Đề nghị Thành phố”, “Trả lại”, "
         "“Chưa xét”). Gương này được tính là chưa xét: đề nghị chọn lại một quyết định trong danh sách thả xuống."),
        ("XD-GUONG", "warning", "hoi_dong.xlsx", SHEET, extra,
         f"Tệp “hoi_dong.xlsx”, trang “Xét duyệt”, ô I{extra}: quyết định “Đề nghị Thành phố” cho Trần Văn Vắng "
         "(Văn phòng Sở) nhưng gương này không còn trong hồ sơ đang tính (đơn vị đã sửa tên, bỏ dòng, hoặc tệp không "
         "còn được tính). Quyết định này chưa được áp dụng: đề nghị Văn phòng Sở đối chiếu với trang “Xét duyệt” của "
         "bảng tổng hợp mới và ghi lại quyết định cho đúng gương."),
    ]
    assert second.counts["findings_warning"] == [f.severity.value for f in second.findings].count("warning")


def test_next_review_sheet_comes_prefilled(runs):
    _, second, *_ = runs
    rows = _rows(second.output)
    assert {name: (r[8], r[9]) for name, r in rows.items() if r[8] != "Chưa xét"} == {
        "Đỗ Thị Tuấn": ("Đề nghị Thành phố", ""), "Vũ Thị Yến": ("Khen cấp Sở", ""),
        "Đặng Thị Nam": ("Trả lại", REASON)}
    assert rows["Hoàng Thị Phương"][8] == "Chưa xét" and "Trần Văn Vắng" not in rows
    ws = openpyxl.load_workbook(second.output)[SHEET]
    assert ws.max_row == TOP + 63  # every nominee in force, once


def test_city_list_holds_what_the_council_proposed_and_the_undecided(runs):
    first, second, *_ = runs

    def listed(path):
        ws = openpyxl.load_workbook(path)[CITY]
        return [(r[1], r[10] if len(r) > 10 else None) for r in ws.iter_rows(min_row=8, values_only=True)
                if isinstance(r[0], int)]

    assert listed(first.output) == [("Vũ Thị Yến", None), ("Ngô Ngọc Nam", None)]  # as before any decision
    assert listed(second.output) == [("Đỗ Thị Tuấn", "Đề nghị Thành phố"), ("Ngô Ngọc Nam", "Chưa xét")]
    ws = openpyxl.load_workbook(second.output)[CITY]
    assert ws.cell(7, 11).value == "Quyết định của Hội đồng"


def test_returned_nominee_and_reason_in_the_units_letter(runs):
    _, second, *_ = runs
    (letter,) = [p for p in second.feedback if p.name == "VP.eml"]
    body = email.message_from_bytes(letter.read_bytes(), policy=policy.default).get_body(("plain",)).get_content()
    lines = body.splitlines()
    at = lines.index("Hội đồng trả lại:")
    assert lines[at + 1:at + 3] == [
        f"- Đặng Thị Nam (tệp “VP_thang05.xlsx”, dòng 5): {REASON}.",
        "Đề nghị đơn vị xem lý do trên; nếu đề nghị lại, hoàn thiện hồ sơ và gửi về Văn phòng Sở."]
    others = [p for p in second.feedback if p.suffix == ".eml" and p.name != "VP.eml"]
    assert others and not any("Hội đồng trả lại:" in p.read_text(errors="replace") for p in others)


def test_a_file_without_the_sheet_is_refused_in_words(tmp_path, rules):
    other = tmp_path / "khac.xlsx"
    openpyxl.Workbook().save(other)
    with pytest.raises(CheckerError) as caught:
        consolidate(ROOT / "sample_workbooks", None, rules, as_of=DAY, decisions=other)
    assert caught.value.message == (f"Không dùng được tệp quyết định “{other}”: không có trang “Xét duyệt”: hãy chỉ "
                                    "bảng tổng hợp ntvt đã ghi, có trang “Xét duyệt” Hội đồng đã điền.")
