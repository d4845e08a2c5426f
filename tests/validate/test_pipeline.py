"""Tests for checker.validate.pipeline: real filled workbooks (.xlsx) read back and validated against KH 327 rules.

Layout of the standard template (SPEC §3), used for the expected cells:
- "Danh sách đề nghị": header row 4, data from row 5; A STT, B Họ và tên, C Cá nhân/Tập thể,
  D Giới tính, E Năm sinh, F Chức vụ, G Đối tượng, H Nhóm việc tốt, I Phong trào, J Ngày thực hiện,
  K Tóm tắt, L/M/N Tiêu chí 1-3, O Minh chứng, P Phạm vi ảnh hưởng, Q Cấp đề nghị, R Đã khen, S Ghi chú.
- "Hoạt động": header row 4, data from row 5; A STT, B Ngày, C Loại hoạt động, D Nội dung,
  E Số người tham gia, F Số tin, bài, G Kênh đăng tải, H Đường dẫn.
- "Thông tin đơn vị": values in column B; B3 Tên đơn vị, B4 Kỳ báo cáo, B5 Loại báo cáo, B6 Số kế
  hoạch, B7 Ngày ban hành kế hoạch, B8 Thủ trưởng, B9 Người lập biểu, B10 Điện thoại, B11 Email,
  B12 Ngày gửi.
The default book is a May 2023 report of Nhà hát Chèo Hà Nội sent on 15/05/2023 (see conftest).
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from pathlib import Path

import openpyxl
import pytest

from checker.api import check_many, check_workbook

from ..conftest import ROOT, SUMMARY, Raw, good_row, summary_of

AS_OF = dt.date(2023, 5, 20)
NOMINATIONS, ACTIVITIES, INFO = "Danh sách đề nghị", "Hoạt động", "Thông tin đơn vị"
E, W, I = "error", "warning", "info"
MOVEMENT_HOA = "Cán bộ, công chức, viên chức, người lao động thi đua thực hiện văn hoá công sở, nơi công cộng"


def check(path: Path, rules):
    return check_workbook(path, rules, as_of=AS_OF)


def found(path: Path, rules) -> list[tuple]:
    """(cell, rule_id, severity) of every finding, in report order."""
    return check(path, rules).flatten(("cell", "rule_id", "severity"))


def edit(path: Path, change) -> Path:
    """Open the workbook with openpyxl, let `change(wb)` modify it, save it in place."""
    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(path)
    return path


def text_of(n: int) -> str:
    """A Vietnamese summary of exactly n characters after normalisation (no edge or double spaces)."""
    s = ((SUMMARY + " ") * (n // len(SUMMARY) + 2))[:n]
    if s.endswith(" "):
        s = s[:-1] + "x"
    assert len(s) == n and "  " not in s and not s.startswith(" ")
    return s


def other_row(n: int = 2) -> dict:
    """A second, different good row, so that one bad row does not also leave the report without a valid one."""
    return good_row(n, name="Trần Văn Nam", gender="Nam", birth_year=1990)


def collective(**changes) -> dict:
    """A Tập thể nomination row that breaks no rule (no gender, birth year, criteria or evidence)."""
    row = good_row(1, kind="Tập thể", name="Tổ Đạo cụ, Phòng Nghệ thuật", gender=None, birth_year=None,
                   criterion_1=None, criterion_2=None, criterion_3=None, evidence=None,
                   summary=summary_of(90))  # its own: not a copy of good_row(1)'s (DN-SAOCHEP)
    row.update(changes)
    return row


def activity(n: int = 1, **changes) -> dict:
    """An activity row that breaks no rule (for a report sent on 15/05/2023)."""
    row = {"stt": n, "date": dt.date(2023, 5, 10), "type": "Phát động thi đua",
           "content": "Phát động phong trào thi đua “Người tốt, việc tốt” năm 2023 tại đơn vị",
           "participants": 120, "channel": "Cổng thông tin điện tử của đơn vị"}
    row.update(changes)
    return row


# ---------------------------------------------------------------------------------------------
# Row rules of "Danh sách đề nghị"

NOMINATION_CASES = [
    pytest.param({}, [], id="good-row"),
    # DN-BATBUOC
    pytest.param({"name": None}, [("B5", "DN-BATBUOC", E)], id="BATBUOC-name"),
    pytest.param({"name": "   "}, [("B5", "DN-BATBUOC", E)], id="BATBUOC-name-only-spaces"),
    pytest.param({"kind": None}, [("C5", "DN-BATBUOC", E)], id="BATBUOC-kind"),
    pytest.param({"gender": None}, [("D5", "DN-BATBUOC", E)], id="BATBUOC-individual-without-gender"),
    pytest.param({"birth_year": None}, [("E5", "DN-BATBUOC", E)], id="BATBUOC-individual-without-birth-year"),
    pytest.param({"position": None}, [("F5", "DN-BATBUOC", E)], id="BATBUOC-position"),
    pytest.param({"deed_group": None}, [("H5", "DN-BATBUOC", E)], id="BATBUOC-deed-group"),
    pytest.param({"deed_date": None}, [("J5", "DN-BATBUOC", E)], id="BATBUOC-deed-date"),
    pytest.param({"summary": None}, [("K5", "DN-BATBUOC", E)], id="BATBUOC-summary"),
    pytest.param({"scope": None, "level": "Sở"}, [("P5", "DN-BATBUOC", E)], id="BATBUOC-scope"),
    pytest.param({"scope": None}, [("P5", "DN-BATBUOC", E)], id="BATBUOC-scope-city-level-reported-once"),
    pytest.param({"level": None}, [("Q5", "DN-BATBUOC", E)], id="BATBUOC-level"),
    pytest.param({"movement": None, "unit_award": None, "note": None}, [], id="optional-columns-blank"),
    # Mục V: an individual is staff of the unit, so "Đối tượng" says which kind
    pytest.param({"staff_type": None}, [("G5", "DN-BATBUOC", E)], id="BATBUOC-staff-type-individual"),
    # DN-DANHMUC
    pytest.param({"kind": "Hộ gia đình"}, [("C5", "DN-DANHMUC", E)], id="DANHMUC-kind"),
    pytest.param({"gender": "Khác"}, [("D5", "DN-DANHMUC", E)], id="DANHMUC-gender"),
    pytest.param({"staff_type": "Hợp đồng"}, [("G5", "DN-DANHMUC", E)], id="DANHMUC-staff-type"),
    pytest.param({"deed_group": "Khác"}, [("H5", "DN-DANHMUC", E)], id="DANHMUC-deed-group"),
    pytest.param({"movement": "Phong trào thi đua khác"}, [("I5", "DN-DANHMUC", E)], id="DANHMUC-movement"),
    pytest.param({"scope": "Toàn thế giới", "level": "Sở"}, [("P5", "DN-DANHMUC", E)], id="DANHMUC-scope"),
    pytest.param({"level": "Trung ương"}, [("Q5", "DN-DANHMUC", E)], id="DANHMUC-level"),
    pytest.param({"level": "Cấp Sở", "scope": "Toàn ngành"}, [], id="DANHMUC-level-declared-alias"),
    pytest.param({"deed_group": "Việc làm tốt trong cuộc sống hàng ngày"}, [], id="DANHMUC-deed-group-alias"),
    pytest.param({"movement": "Cả nước chung ta vì người nghèo. không để ai bị bỏ lại phía sau"}, [],
                 id="DANHMUC-movement-plan-spelling-alias"),
    pytest.param({"movement": "Cả nước chung tay vì người nghèo - Không để ai bị bỏ lại phía sau"}, [],
                 id="DANHMUC-movement-corrected"),
    pytest.param({"movement": "Cán bộ, công chức, viên chức, người lao động thi đua thực hiện văn hoá công sở, nơi công cộng"},
                 [("I5", "DL-CHUANHOA", I)], id="DANHMUC-movement-old-tone-placement"),
    pytest.param({"staff_type": "viên chức"}, [("G5", "DL-CHUANHOA", I)], id="DANHMUC-case-is-info"),
    # DN-NAMSINH
    pytest.param({"birth_year": 1930}, [], id="NAMSINH-1930"),
    pytest.param({"birth_year": 1929}, [("E5", "DN-NAMSINH", E)], id="NAMSINH-1929"),
    pytest.param({"birth_year": 2007}, [], id="NAMSINH-report-year-minus-16"),
    pytest.param({"birth_year": 2008}, [("E5", "DN-NAMSINH", E)], id="NAMSINH-report-year-minus-15"),
    pytest.param({"birth_year": Raw("1985")}, [], id="NAMSINH-text-1985"),
    pytest.param({"birth_year": Raw("198x")}, [("E5", "DN-NAMSINH", E)], id="NAMSINH-198x"),
    pytest.param({"birth_year": 1985.5}, [("E5", "DN-NAMSINH", E)], id="NAMSINH-fraction"),
    pytest.param({"birth_year": Raw("02/03/1985")}, [("E5", "DL-CHUANHOA", I)], id="NAMSINH-full-date-gives-year"),
    pytest.param({"kind": "Tập thể", "gender": None, "name": "Tổ Đạo cụ"}, [("E5", "DN-NAMSINH", E)],
                 id="NAMSINH-collective-with-birth-year"),
    # DN-NGAY
    pytest.param({"deed_date": dt.date(2023, 5, 15)}, [], id="NGAY-on-sent-date"),
    pytest.param({"deed_date": dt.date(2023, 5, 16)}, [("J5", "DN-NGAY", E)], id="NGAY-day-after-sent-date"),
    pytest.param({"deed_date": Raw("31/02/2023")}, [("J5", "DN-NGAY", E)], id="NGAY-31-february"),
    pytest.param({"deed_date": Raw("05/31/2023")}, [("J5", "DN-NGAY", E)], id="NGAY-month-first-text"),
    pytest.param({"deed_date": Raw("03/05/2023")}, [("J5", "DL-CHUANHOA", I)], id="NGAY-day-first-text"),
    pytest.param({"deed_date": Raw("hôm qua")}, [("J5", "DN-NGAY", E)], id="NGAY-words"),
    pytest.param({"deed_date": Raw(45049)}, [], id="NGAY-excel-serial"),
    # DN-KIPTHOI
    pytest.param({"deed_date": dt.date(2023, 3, 16)}, [], id="KIPTHOI-60-days"),
    pytest.param({"deed_date": dt.date(2023, 3, 15)}, [("J5", "DN-KIPTHOI", W)], id="KIPTHOI-61-days"),
    # DN-TIEUCHI
    pytest.param({"criterion_2": "Không"}, [("M5", "DN-TIEUCHI", E)], id="TIEUCHI-criterion-2-no"),
    pytest.param({"criterion_3": None}, [("N5", "DN-TIEUCHI", E)], id="TIEUCHI-criterion-3-blank"),
    pytest.param({"criterion_1": "Không", "criterion_2": "Không", "criterion_3": "Không"},
                 [("L5", "DN-TIEUCHI", E), ("M5", "DN-TIEUCHI", E), ("N5", "DN-TIEUCHI", E)],
                 id="TIEUCHI-all-no"),
    # DN-MINHCHUNG
    pytest.param({"evidence": None}, [("O5", "DN-MINHCHUNG", W)], id="MINHCHUNG-individual-without-evidence"),
    # DN-TOMTAT
    pytest.param({"summary": "x"}, [("K5", "DN-TOMTAT", E)], id="TOMTAT-x"),
    pytest.param({"summary": "Như trên"}, [("K5", "DN-TOMTAT", E)], id="TOMTAT-nhu-tren"),
    pytest.param({"summary": "…"}, [("K5", "DN-TOMTAT", E)], id="TOMTAT-ellipsis"),
    pytest.param({"summary": text_of(149)}, [("K5", "DN-TOMTAT", W)], id="TOMTAT-149"),
    pytest.param({"summary": text_of(150)}, [], id="TOMTAT-150"),
    pytest.param({"summary": text_of(3000)}, [], id="TOMTAT-3000"),
    pytest.param({"summary": text_of(3001)}, [("K5", "DN-TOMTAT", E)], id="TOMTAT-3001"),
    # DN-CAP
    pytest.param({"scope": "Trong đơn vị"}, [("P5", "DN-CAP", W)], id="CAP-city-level-unit-scope"),
    pytest.param({"scope": "Toàn ngành"}, [("P5", "DN-CAP", W)], id="CAP-city-level-sector-scope"),
    pytest.param({"scope": "Toàn quốc"}, [], id="CAP-city-level-national-scope"),
    pytest.param({"scope": "Trong đơn vị", "level": "Cơ sở"}, [], id="CAP-base-level-unit-scope"),
    pytest.param({"scope": "Trong đơn vị", "level": "Cấp Thành phố"}, [("P5", "DN-CAP", W)],
                 id="CAP-city-level-by-alias"),
]


@pytest.mark.parametrize(("changes", "expected"), NOMINATION_CASES)
def test_nomination_row_rules(make_book, rules, changes, expected):
    """One change to a good nomination row gives exactly the expected findings at its cells."""
    assert found(make_book([good_row(1, **changes), other_row()]), rules) == expected


COLLECTIVE_CASES = [
    pytest.param({}, [], id="good-collective"),
    pytest.param({"birth_year": 1990}, [("E5", "DN-NAMSINH", E)], id="NAMSINH-collective-with-birth-year"),
    pytest.param({"criterion_1": "Không", "criterion_2": "Không"}, [], id="TIEUCHI-not-for-collectives"),
    pytest.param({"criterion_1": "Chưa rõ"}, [("L5", "DN-DANHMUC", E)], id="DANHMUC-criterion"),
    pytest.param({"gender": "Nam"}, [], id="gender-harmless"),
    pytest.param({"staff_type": None}, [], id="staff-type-not-for-collectives"),
]


@pytest.mark.parametrize(("changes", "expected"), COLLECTIVE_CASES)
def test_collective_row_rules(make_book, rules, changes, expected):
    """A Tập thể row needs no gender, birth year, criteria or evidence, and must not carry a birth year."""
    assert found(make_book([collective(**changes), other_row()]), rules) == expected


def test_deed_after_plan_end(make_book, rules):
    """A deed dated after 10/10/2023 breaks DN-NGAY even when the report is sent later, naming the plan end."""
    rows = [good_row(1, deed_date=dt.date(2023, 10, 12)), other_row() | {"deed_date": dt.date(2023, 10, 5)}]
    path = make_book(rows, info={"sent_date": dt.date(2023, 10, 20)})
    report = check(path, rules)
    assert report.flatten(("cell", "rule_id", "severity")) == [("J5", "DN-NGAY", E)]
    assert "10/10/2023" in report.findings[0].message


def test_deed_date_message_names_the_sent_date(make_book, rules):
    """The DN-NGAY message says which limit the date passed: the sent date 15/05/2023."""
    report = check(make_book([good_row(1, deed_date=dt.date(2023, 5, 16)), other_row()]), rules)
    assert "nhưng ngày này sau ngày gửi 15/05/2023 ghi ở ô “Ngày gửi”" in report.findings[0].message
    assert "16/05/2023" in report.findings[0].message


DUPLICATE_CASES = [
    pytest.param([good_row(1), good_row(2, name="Nguyễn Thị Hoa 1")], [("B6", "DN-TRUNG", E)], id="same-person"),
    pytest.param([good_row(1), good_row(2, name="Nguyễn Thị Hoa 1", birth_year=1990)], [],
                 id="same-name-other-birth-year"),
    pytest.param([good_row(1), good_row(2, name="NGUYỄN THỊ HOA 1")], [("B6", "DN-TRUNG", E)], id="upper-case"),
    pytest.param([good_row(1), good_row(2, name="Bà Nguyễn Thị Hoa 1")], [("B6", "DN-TRUNG", E)],
                 id="with-honorific"),
    pytest.param([good_row(1), good_row(2), good_row(3, name="Nguyễn Thị Hoa 1")], [("B7", "DN-TRUNG", E)],
                 id="first-and-third"),
    pytest.param([good_row(1), good_row(2, name="Nguyễn Thị Hoa 1"), good_row(3, name="Nguyễn Thị Hoa 1")],
                 [("B6", "DN-TRUNG", E), ("B7", "DN-TRUNG", E)], id="three-times"),
    pytest.param([good_row(1), good_row(2, name=unicodedata.normalize("NFD", "Nguyễn Thị Hoa 1"))],
                 [("B6", "DL-CHUANHOA", I), ("B6", "DN-TRUNG", E)], id="nfd-spelling"),
    pytest.param([collective(), collective(stt=2)], [("B6", "DN-TRUNG", E)], id="same-collective"),
    pytest.param([good_row(1), good_row(2, name="Nguyễn Thị Hoa 1", birth_year=Raw("1985"))],
                 [("B6", "DN-TRUNG", E)], id="birth-year-as-text"),
    pytest.param([good_row(1), good_row(2, name="Nguyễn  Thị Hoa 1 ")], [("B6", "DN-TRUNG", E)],
                 id="extra-spaces"),
    # Found by the fuzz test: a name of punctuation only has the key of a blank name; a blank name
    # is nobody's twin (and its details once crashed looking for the twin).
    pytest.param([good_row(1, name=None), good_row(2, name="\r;")], [("B5", "DN-BATBUOC", E)],
                 id="blank-name-is-nobodys-twin"),
]


@pytest.mark.parametrize(("rows", "expected"), DUPLICATE_CASES)
def test_duplicate_person(make_book, rules, rows, expected):
    """The same person twice in one report is an error on the later row's name cell only."""
    assert found(make_book(rows), rules) == expected


def test_duplicate_message_names_first_row(make_book, rules):
    """The DN-TRUNG message points back to the row where the person first appears."""
    report = check(make_book([good_row(1), good_row(2, name="Nguyễn Thị Hoa 1")]), rules)
    assert "dòng 5" in report.findings[0].message


# ---------------------------------------------------------------------------------------------
# Row rules of "Hoạt động"

ACTIVITY_CASES = [
    pytest.param({}, [], id="good-activity"),
    # HD-BATBUOC
    pytest.param({"date": None}, [("B5", "HD-BATBUOC", E)], id="BATBUOC-date"),
    pytest.param({"type": None}, [("C5", "HD-BATBUOC", E)], id="BATBUOC-type"),
    pytest.param({"content": None}, [("D5", "HD-BATBUOC", E)], id="BATBUOC-content"),
    pytest.param({"type": "Tuyên truyền (tin, bài)"}, [("F5", "HD-BATBUOC", E)], id="BATBUOC-publicity-articles"),
    pytest.param({"type": "Tuyên truyền (tin, bài)", "articles": 3}, [], id="publicity-with-articles"),
    pytest.param({"participants": None, "channel": None}, [], id="optional-blank"),
    # HD-DANHMUC
    pytest.param({"type": "Hội thảo khoa học"}, [("C5", "HD-DANHMUC", E)], id="DANHMUC-type"),
    pytest.param({"type": "phát động thi đua "}, [("C5", "DL-CHUANHOA", I)], id="DANHMUC-case-and-space"),
    # HD-NGAY
    pytest.param({"date": dt.date(2023, 5, 15)}, [], id="NGAY-on-sent-date"),
    pytest.param({"date": dt.date(2023, 5, 16)}, [("B5", "HD-NGAY", E)], id="NGAY-after-sent-date"),
    pytest.param({"date": Raw("31/02/2023")}, [("B5", "HD-NGAY", E)], id="NGAY-31-february"),
    pytest.param({"date": Raw("05/31/2023")}, [("B5", "HD-NGAY", E)], id="NGAY-month-first"),
    pytest.param({"date": Raw("10/05/2023")}, [("B5", "DL-CHUANHOA", I)], id="NGAY-day-first-text"),
    pytest.param({"date": Raw(45056)}, [], id="NGAY-serial"),
    # HD-SO
    pytest.param({"participants": 0}, [], id="SO-zero"),
    pytest.param({"participants": Raw("50")}, [], id="SO-text-number"),
    pytest.param({"participants": -3}, [("E5", "HD-SO", E)], id="SO-negative"),
    pytest.param({"participants": 2.5}, [("E5", "HD-SO", E)], id="SO-fraction"),
    pytest.param({"participants": Raw("khoảng 50")}, [("E5", "HD-SO", E)], id="SO-words"),
    pytest.param({"type": "Tuyên truyền (tin, bài)", "articles": Raw("3 bài")}, [("F5", "HD-SO", E)],
                 id="SO-articles-with-unit"),
]


@pytest.mark.parametrize(("changes", "expected"), ACTIVITY_CASES)
def test_activity_row_rules(make_book, rules, changes, expected):
    """One change to a good activity row gives exactly the expected findings at its cells."""
    assert found(make_book(activities=[activity(1, **changes)]), rules) == expected


# ---------------------------------------------------------------------------------------------
# File rules

def test_unknown_unit_gets_a_suggestion(make_book, rules):
    """An unknown unit name is a DV-DONVI error whose message suggests the nearest official unit."""
    report = check(make_book(info={"unit": "Chèo Hà Nội"}), rules)
    assert report.flatten(("cell", "rule_id", "severity")) == [("B3", "DV-DONVI", E)]
    assert "có phải “Nhà hát Chèo Hà Nội” không?" in report.findings[0].message
    assert "“Chèo Hà Nội”" in report.findings[0].message


def test_unknown_unit_suggestion_punctuation(make_book, rules):
    """The suggestion ends the sentence with its question mark, not with a stray full stop after it."""
    message = check(make_book(info={"unit": "Chèo Hà Nội"}), rules).findings[0].message
    assert "không?" in message and "không?." not in message


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        pytest.param("Nhà hát Chèo Hà Nội", [], id="exact"),
        pytest.param("NH Chèo HN", [("B3", "DL-CHUANHOA", I)], id="abbreviations"),
        pytest.param("nhà hát chèo hà nội", [("B3", "DL-CHUANHOA", I)], id="lower-case"),
        pytest.param("Nha hat Cheo Ha Noi", [("B3", "DL-CHUANHOA", I)], id="no-diacritics"),
        pytest.param("Nhà hát Chèo", [("B3", "DL-CHUANHOA", I)], id="without-Ha-Noi"),
        pytest.param("Nhà hát Chèo Hà Nội ", [("B3", "DL-CHUANHOA", I)], id="trailing-space"),
        pytest.param("Sở Tài nguyên và Môi trường", [("B3", "DV-DONVI", E)], id="unrelated"),
        pytest.param(None, [("B3", "DV-DONVI", E)], id="blank"),
    ],
)
def test_unit_name_matching(make_book, rules, unit, expected):
    """Unit names match after removing diacritics, case and known abbreviations; others are DV-DONVI."""
    assert found(make_book(info={"unit": unit}), rules) == expected


def test_abbreviated_unit_is_recorded_with_the_official_name(make_book, rules):
    """The info finding for an abbreviated unit name shows what was read and the official name."""
    report = check(make_book(info={"unit": "NH Chèo HN"}), rules)
    assert report.files[0].unit_id == "CHEO"
    assert "NH Chèo HN" in report.findings[0].message and "Nhà hát Chèo Hà Nội" in report.findings[0].message


SUMMARY_REPORT = {"report_type": "Báo cáo tổng kết", "period": None}
HIGHLIGHTS = {"highlights": "Đã giới thiệu 5 gương điển hình, trong đó 1 gương được đề nghị cấp Thành phố."}


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        pytest.param({}, [], id="May"),
        pytest.param({"period": "Tháng 09/2023"}, [], id="September"),
        pytest.param({"period": "6/2023"}, [], id="June-short"),
        pytest.param({"period": dt.date(2023, 6, 1)}, [], id="June-turned-into-a-date-by-Excel"),
        pytest.param({"period": "Tháng 10/2023"}, [("B4", "DV-KY", E)], id="October-not-a-cycle"),
        pytest.param({"period": "Tháng 04/2023"}, [("B4", "DV-KY", E)], id="April-before-plan"),
        pytest.param({"period": "Quý II/2023"}, [("B4", "DV-KY", E)], id="quarter"),
        pytest.param({"period": None}, [("B4", "DV-KY", E)], id="blank-monthly"),
    ],
)
def test_report_period(make_book, rules, info, expected):
    """A monthly report's period must be one of the plan's cycles (May-September 2023)."""
    assert found(make_book(info=info), rules) == expected


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        pytest.param({}, [], id="no-period"),
        pytest.param({"period": "Tháng 10/2023"}, [], id="period-not-checked"),
        pytest.param({"report_type": "báo cáo tổng kết"}, [("B5", "DL-CHUANHOA", I)], id="report-type-lower-case"),
    ],
)
def test_summary_report_needs_no_period_and_no_rows(make_book, rules, info, expected):
    """A summary report with no period and no nomination rows has no DV-KY and no DV-TOITHIEU finding."""
    assert found(make_book([], info=SUMMARY_REPORT | info, summary=HIGHLIGHTS), rules) == expected


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        # DV-THUTRUONG
        pytest.param({"head": None}, [("B8", "DV-THUTRUONG", E)], id="THUTRUONG-blank"),
        pytest.param({"head": "  "}, [("B8", "DV-THUTRUONG", E)], id="THUTRUONG-spaces"),
        # DV-BATBUOC
        pytest.param({"report_type": None}, [("B5", "DV-BATBUOC", E)], id="BATBUOC-report-type"),
        pytest.param({"report_type": "Báo cáo quý"}, [("B5", "DV-BATBUOC", E)], id="BATBUOC-report-type-list"),
        pytest.param({"preparer": None}, [("B9", "DV-BATBUOC", E)], id="BATBUOC-preparer"),
        pytest.param({"sent_date": None}, [("B12", "DV-BATBUOC", E)], id="BATBUOC-sent-date"),
        pytest.param({"sent_date": Raw("32/05/2023")}, [("B12", "DV-BATBUOC", E)], id="BATBUOC-sent-date-bad"),
        pytest.param({"sent_date": Raw("05/31/2023")}, [("B12", "DV-BATBUOC", E)], id="BATBUOC-sent-date-month-first"),
        pytest.param({"sent_date": Raw("15/05/2023")}, [("B12", "DL-CHUANHOA", I)], id="sent-date-text"),
        # DV-KEHOACH (warning)
        pytest.param({"plan_number": None}, [("B6", "DV-KEHOACH", W)], id="KEHOACH-number"),
        pytest.param({"plan_date": None}, [("B7", "DV-KEHOACH", W)], id="KEHOACH-date"),
        pytest.param({"plan_number": None, "plan_date": None}, [("B6", "DV-KEHOACH", W), ("B7", "DV-KEHOACH", W)],
                     id="KEHOACH-both"),
        pytest.param({"plan_date": Raw("tháng 5")}, [("B7", "DV-KEHOACH", W)], id="KEHOACH-date-bad"),
        pytest.param({"plan_date": Raw("04/05/2023")}, [("B7", "DL-CHUANHOA", I)], id="KEHOACH-date-text"),
        pytest.param({"phone": None, "email": None}, [], id="optional-contact-blank"),
    ],
)
def test_info_fields(make_book, rules, info, expected):
    """The fields of "Thông tin đơn vị" give exactly the expected file findings at their value cells."""
    assert found(make_book(info=info), rules) == expected


def test_sent_date_text_is_used_for_deed_dates(make_book, rules):
    """A text "Ngày gửi" is read day-first and then bounds the deed dates (16/05 allowed when sent 16/05)."""
    path = make_book([good_row(1, deed_date=dt.date(2023, 5, 16))], info={"sent_date": Raw("16/05/2023")})
    assert found(path, rules) == [("B12", "DL-CHUANHOA", I)]


@pytest.mark.parametrize(
    ("rows", "info", "expected"),
    [
        pytest.param([], {}, [(None, "DV-TOITHIEU", E)], id="monthly-no-rows"),
        pytest.param([good_row(1, name=None)], {}, [(None, "DV-TOITHIEU", E), ("B5", "DN-BATBUOC", E)],
                     id="monthly-only-row-invalid"),
        pytest.param([good_row(1, gender="Khác"), good_row(2, summary="x")], {},
                     [(None, "DV-TOITHIEU", E), ("D5", "DN-DANHMUC", E), ("K6", "DN-TOMTAT", E)],
                     id="monthly-all-rows-invalid"),
        pytest.param([good_row(1, name=None), good_row(2)], {}, [("B5", "DN-BATBUOC", E)], id="one-valid-row"),
        pytest.param([good_row(1, evidence=None)], {}, [("O5", "DN-MINHCHUNG", W)], id="warnings-keep-a-row-valid"),
        pytest.param([good_row(1, gender="nữ")], {}, [("D5", "DL-CHUANHOA", I)], id="info-keeps-a-row-valid"),
    ],
)
def test_minimum_valid_nominations(make_book, rules, rows, info, expected):
    """A monthly report needs at least one nomination row without errors (DV-TOITHIEU, no cell)."""
    assert found(make_book(rows, info=info), rules) == expected


def test_minimum_message_and_sheet(make_book, rules):
    """The DV-TOITHIEU finding sits on the nominations sheet and says how many valid rows were found."""
    report = check(make_book([]), rules)
    (finding,) = report.findings
    assert finding.sheet == NOMINATIONS
    assert "nhận được 0" in finding.message


# ---------------------------------------------------------------------------------------------
# Template structure (DV-MAU)

def test_missing_column_reported_once_by_name(make_book, rules):
    """Deleting "Minh chứng ghi nhận" gives one DV-MAU naming it, and no per-row finding for it."""
    path = edit(make_book([good_row(1, evidence=None), good_row(2, evidence=None)]),
                lambda wb: wb[NOMINATIONS].delete_cols(15))
    report = check(path, rules)
    assert report.flatten(("cell", "rule_id", "severity", "code")) == [(None, "DV-MAU", E, "template_column")]
    finding = report.findings[0]
    assert finding.column == "Minh chứng ghi nhận"
    assert "Minh chứng ghi nhận" in finding.message and NOMINATIONS in finding.message


def test_missing_column_keeps_other_cells_right(make_book, rules):
    """After a deleted column, findings in later columns carry their new letters (scope P -> O)."""
    path = edit(make_book([good_row(1, scope="Trong đơn vị")]), lambda wb: wb[NOMINATIONS].delete_cols(15))
    assert found(path, rules) == [(None, "DV-MAU", E), ("O5", "DN-CAP", W)]


def test_missing_sheet(make_book, rules):
    """A workbook without the "Hoạt động" sheet gets one DV-MAU error naming it."""
    path = edit(make_book(), lambda wb: wb.remove(wb[ACTIVITIES]))
    report = check(path, rules)
    assert report.flatten(("cell", "rule_id", "severity", "code")) == [(None, "DV-MAU", E, "template_sheet")]
    assert ACTIVITIES in report.findings[0].message


def test_missing_form_field_reported_once_by_name(make_book, rules):
    """Deleting the "Người lập biểu" row of the info sheet gives one DV-MAU naming it, no DV-BATBUOC."""
    path = edit(make_book(info={"preparer": None}), lambda wb: wb[INFO].delete_rows(9))
    report = check(path, rules)
    assert report.flatten(("cell", "rule_id", "severity", "code")) == [(None, "DV-MAU", E, "template_field")]
    assert "Người lập biểu" in report.findings[0].message and INFO in report.findings[0].message


def test_older_template_version(make_book, rules):
    """An older template version in the hidden _ntvt sheet (B1) is a DV-MAU warning naming both versions."""
    def downgrade(wb):
        wb["_ntvt"]["B1"] = "2023.0"

    report = check(edit(make_book(), downgrade), rules)
    assert report.flatten(("cell", "rule_id", "severity", "code")) == [(None, "DV-MAU", W, "template_version")]
    assert "2023.0" in report.findings[0].message and rules.template.version in report.findings[0].message
    assert report.valid


# ---------------------------------------------------------------------------------------------
# Traps: harmless differences (SPEC §5)

HARMLESS_CASES = [
    pytest.param({"gender": "nữ "}, [("D5", "DL-CHUANHOA", I)], id="gender-lower-trailing-space"),
    pytest.param({"gender": "Nữ "}, [("D5", "DL-CHUANHOA", I)], id="gender-trailing-space"),
    pytest.param({"gender": " Nữ"}, [("D5", "DL-CHUANHOA", I)], id="gender-leading-space"),
    pytest.param({"kind": "CÁ NHÂN"}, [("C5", "DL-CHUANHOA", I)], id="kind-upper-case"),
    pytest.param({"kind": "CÁ NHÂN", "gender": "nữ "}, [("C5", "DL-CHUANHOA", I), ("D5", "DL-CHUANHOA", I)],
                 id="two-cells"),
    # The list is written in the modern tone placement (README, "Cách viết"): the old one is understood.
    pytest.param({"movement": MOVEMENT_HOA}, [("I5", "DL-CHUANHOA", I)], id="hoa-old-tone-placement"),
    pytest.param({"movement": MOVEMENT_HOA.replace("hoá", "hóa")}, [], id="hoa-as-in-list"),
    pytest.param({"gender": unicodedata.normalize("NFD", "Nữ")}, [("D5", "DL-CHUANHOA", I)], id="nfd-list-value"),
    pytest.param({"name": unicodedata.normalize("NFD", "Nguyễn Thị Hoa")}, [("B5", "DL-CHUANHOA", I)],
                 id="nfd-name"),
    pytest.param({"scope": "thành phố", "level": "THÀNH PHỐ"}, [("P5", "DL-CHUANHOA", I), ("Q5", "DL-CHUANHOA", I)],
                 id="case-in-scope-and-level"),
]


@pytest.mark.parametrize(("changes", "expected"), HARMLESS_CASES)
def test_harmless_differences_are_info(make_book, rules, changes, expected):
    """Spaces, case, NFD and old/new tone placement are accepted with one info DL-CHUANHOA per changed cell."""
    report = check(make_book([good_row(1, **changes), other_row()]), rules)
    assert report.flatten(("cell", "rule_id", "severity")) == expected
    assert report.valid


def test_normalised_value_is_used_by_the_rules(make_book, rules):
    """A case-different level "thành phố" still triggers DN-CAP as level Thành phố does."""
    path = make_book([good_row(1, level="thành phố", scope="Trong đơn vị")])
    assert found(path, rules) == [("P5", "DN-CAP", W), ("Q5", "DL-CHUANHOA", I)]


DATE_TRAPS = [
    pytest.param(Raw("03/05/2023"), [("J5", "DL-CHUANHOA", I)], "03/05/2023", id="3-May-day-first"),
    pytest.param(Raw("12/05/2023"), [("J5", "DL-CHUANHOA", I)], "12/05/2023", id="12-May-not-5-December"),
    pytest.param(Raw("05/31/2023"), [("J5", "DN-NGAY", E)], None, id="month-first-is-an-error"),
    pytest.param(Raw("31/02/2023"), [("J5", "DN-NGAY", E)], None, id="impossible-date"),
    pytest.param(Raw("2023-05-03"), [("J5", "DL-CHUANHOA", I)], "03/05/2023", id="iso-text"),
    pytest.param(Raw(45049), [], None, id="serial-number"),
    pytest.param(Raw(45049.0), [], None, id="serial-float"),
    pytest.param(dt.datetime(2023, 5, 3, 9, 30), [], None, id="datetime-with-time"),
]


@pytest.mark.parametrize(("deed_date", "expected", "understood"), DATE_TRAPS)
def test_date_traps(make_book, rules, deed_date, expected, understood):
    """Text dates are day-first only; serial numbers and real dates are plain dates."""
    report = check(make_book([good_row(1, deed_date=deed_date), other_row()]), rules)
    assert report.flatten(("cell", "rule_id", "severity")) == expected
    if understood:
        assert understood in report.findings[0].message


def test_day_first_text_date_is_not_read_month_first(make_book, rules):
    """"03/05/2023" is 3 May: read as 5 March it would be 71 days before the sent date (DN-KIPTHOI)."""
    path = make_book([good_row(1, deed_date=Raw("03/05/2023"))], info={"sent_date": dt.date(2023, 5, 31)})
    assert found(path, rules) == [("J5", "DL-CHUANHOA", I)]


@pytest.mark.parametrize(
    "marks",
    [
        pytest.param(("Có", "Có", "Có"), id="Co"),
        pytest.param(("x", "x", "x"), id="x"),
    ],
)
def test_yes_marks_accepted_silently(make_book, rules, marks):
    """"Có" and the declared alias "x" are yes marks for the three criteria, with no finding at all."""
    row = good_row(1, criterion_1=marks[0], criterion_2=marks[1], criterion_3=marks[2])
    assert found(make_book([row]), rules) == []


@pytest.mark.parametrize(
    "mark",
    [pytest.param("X", id="X"), pytest.param("có", id="co"), pytest.param("CÓ", id="CO")],
)
def test_yes_marks_in_other_case(make_book, rules, mark):
    """"X", "có" and "CÓ" are yes marks too; the case change is an info on each criterion cell."""
    row = good_row(1, criterion_1=mark, criterion_2=mark, criterion_3=mark)
    assert found(make_book([row]), rules) == [("L5", "DL-CHUANHOA", I), ("M5", "DL-CHUANHOA", I),
                                              ("N5", "DL-CHUANHOA", I)]


# ---------------------------------------------------------------------------------------------
# Traps: layout drift (SPEC §5)

def test_merged_position_belongs_to_both_rows(make_book, rules):
    """A position merged over two data rows (F5:F6) is read by both rows: no DN-BATBUOC on F6."""
    path = make_book([good_row(1), good_row(2, position=None)])
    edit(path, lambda wb: wb[NOMINATIONS].merge_cells("F5:F6"))
    assert found(path, rules) == []


def test_merged_cells_over_three_rows(make_book, rules):
    """Scope and level merged over three rows are read by each row; a bad value is reported per row."""
    rows = [good_row(1, scope="Trong đơn vị"), good_row(2, scope=None, level=None), good_row(3, scope=None, level=None)]

    def merge(wb):
        wb[NOMINATIONS].merge_cells("P5:P7")
        wb[NOMINATIONS].merge_cells("Q5:Q7")

    path = edit(make_book(rows), merge)
    assert found(path, rules) == [("P5", "DN-CAP", W), ("P6", "DN-CAP", W), ("P7", "DN-CAP", W)]


def test_merged_criteria_across_columns(make_book, rules):
    """"Có" merged across the three criteria cells (L5:N5) is read, as a person reads it, by all three."""
    path = make_book([good_row(1, criterion_2=None, criterion_3=None), other_row()])
    edit(path, lambda wb: wb[NOMINATIONS].merge_cells("L5:N5"))
    assert found(path, rules) == []


def test_blank_row_inside_the_table(make_book, rules):
    """A blank row in the middle is skipped and the rows below keep their real row numbers."""
    path = make_book([good_row(1), good_row(2, gender="Khác")])
    edit(path, lambda wb: wb[NOMINATIONS].insert_rows(6))
    report = check(path, rules)
    assert report.flatten(("cell", "rule_id")) == [("D7", "DN-DANHMUC")]
    assert report.files[0].rows["nominations"] == 2


def test_pre_numbered_empty_rows_are_not_data(make_book, rules):
    """Rows holding only an STT number (a pre-numbered table) are not nominations."""
    path = make_book([good_row(1), good_row(2, gender="Khác")])

    def number(wb):
        for r in range(7, 20):
            wb[NOMINATIONS].cell(r, 1).value = r - 4

    report = check(edit(path, number), rules)
    assert report.flatten(("cell", "rule_id")) == [("D6", "DN-DANHMUC")]
    assert report.files[0].rows["nominations"] == 2


def test_rows_inserted_above_the_header(make_book, rules):
    """Three rows inserted above the header move every finding three rows down."""
    path = make_book([good_row(1), good_row(2, gender="Khác", birth_year=1929)])
    edit(path, lambda wb: wb[NOMINATIONS].insert_rows(1, 3))
    assert found(path, rules) == [("D9", "DN-DANHMUC", E), ("E9", "DN-NAMSINH", E)]


def test_rows_inserted_above_the_info_form(make_book, rules):
    """Rows inserted at the top of "Thông tin đơn vị" still let each field be found by its label."""
    path = make_book(info={"head": None})
    edit(path, lambda wb: wb[INFO].insert_rows(1, 2))
    assert found(path, rules) == [("B10", "DV-THUTRUONG", E)]


def move_column_to_end(ws, col: int) -> None:
    """Copy column `col` after the last column, then delete it (a unit dragging a column)."""
    last = ws.max_column + 1
    for r in range(1, ws.max_row + 1):
        ws.cell(r, last).value = ws.cell(r, col).value
    ws.delete_cols(col)


def test_column_moved_to_the_end(make_book, rules):
    """Gender moved to the end (D -> S) is still found; its finding and its neighbours' carry the new letters."""
    path = make_book([good_row(1, gender="Khác", birth_year=1929), other_row()])
    edit(path, lambda wb: move_column_to_end(wb[NOMINATIONS], 4))
    assert found(path, rules) == [("D5", "DN-NAMSINH", E), ("S5", "DN-DANHMUC", E)]


def test_column_moved_clean_file(make_book, rules):
    """A clean file with a column moved has no finding at all."""
    path = edit(make_book([good_row(1), good_row(2)]), lambda wb: move_column_to_end(wb[NOMINATIONS], 2))
    assert found(path, rules) == []


@pytest.mark.parametrize(
    "block",
    [
        pytest.param({"L8": "THỦ TRƯỞNG ĐƠN VỊ", "L9": "(Ký, ghi rõ họ tên, đóng dấu)", "L13": "Nguyễn Văn An"},
                     id="head-signature"),
        pytest.param({"B8": "NGƯỜI LẬP BIỂU", "L8": "THỦ TRƯỞNG ĐƠN VỊ", "B9": "(Ký, ghi rõ họ tên)",
                      "L9": "(Ký, ghi rõ họ tên, đóng dấu)", "B13": "Lê Thị Bình", "L13": "Nguyễn Văn An"},
                     id="preparer-and-head"),
        pytest.param({"L7": "Hà Nội, ngày 15 tháng 5 năm 2023", "L8": "THỦ TRƯỞNG ĐƠN VỊ",
                      "L9": "(Ký, ghi rõ họ tên, đóng dấu)", "L13": "Nguyễn Văn An"},
                     id="place-and-date-line"),
    ],
)
def test_signature_block_is_not_data(make_book, rules, block):
    """A signature block under the table is not read as nomination rows."""
    path = make_book([good_row(1)])

    def sign(wb):
        for ref, value in block.items():
            wb[NOMINATIONS][ref] = value

    report = check(edit(path, sign), rules)
    assert report.flatten(("cell", "rule_id")) == []
    assert report.files[0].rows["nominations"] == 1


@pytest.mark.parametrize("title", ["DS đề nghị T5-2023", "Sheet1", "DANH SACH DE NGHI"])
def test_renamed_nominations_sheet(make_book, rules, title):
    """A renamed nominations sheet is found by its header; findings carry the sheet's real name."""
    path = make_book([good_row(1, gender="Khác"), other_row()])
    edit(path, lambda wb: setattr(wb[NOMINATIONS], "title", title))
    report = check(path, rules)
    assert report.flatten(("sheet", "cell", "rule_id")) == [(title, "D5", "DN-DANHMUC")]


@pytest.mark.parametrize("title", ["Thong tin don vi", "Sheet2"])
def test_renamed_info_sheet(make_book, rules, title):
    """A renamed "Thông tin đơn vị" sheet is found by its labels; findings carry its real name."""
    path = make_book(info={"head": None})
    edit(path, lambda wb: setattr(wb[INFO], "title", title))
    report = check(path, rules)
    assert report.flatten(("sheet", "cell", "rule_id")) == [(title, "B8", "DV-THUTRUONG")]


def test_headers_in_other_spellings(make_book, rules):
    """Headers without diacritics, in other case, in NFD or with extra spaces still name their columns."""
    path = make_book([good_row(1, gender="Khác"), other_row()])

    def respell(wb):
        ws = wb[NOMINATIONS]
        ws["D4"] = "gioi tinh"
        ws["E4"] = "NĂM   SINH (*)"
        ws["F4"] = unicodedata.normalize("NFD", "Chức vụ,  bộ phận công tác *")
        ws["J4"] = "Ngày thực hiện\nviệc tốt"

    edit(path, respell)
    assert found(path, rules) == [("D5", "DN-DANHMUC", E)]


def test_hidden_extra_columns_ignored(make_book, rules):
    """A hidden inserted column and an extra column at the end are ignored; other letters shift by one."""
    path = make_book([good_row(1, gender="Khác"), other_row()])

    def add_columns(wb):
        ws = wb[NOMINATIONS]
        ws.insert_cols(3)
        ws["C4"], ws["C5"] = "Mã cán bộ", "NV-0001"
        ws.column_dimensions["C"].hidden = True
        ws["U4"], ws["U5"] = "Cột phụ", "Khác"
        ws.column_dimensions["U"].hidden = True

    edit(path, add_columns)
    assert found(path, rules) == [("E5", "DN-DANHMUC", E)]


def test_all_drift_together_clean(make_book, rules):
    """Rows above the header, a blank row, a moved column and a signature block together: no finding."""
    path = make_book([good_row(1), good_row(2)])

    def drift(wb):
        ws = wb[NOMINATIONS]
        ws.insert_rows(6)
        ws.insert_rows(1, 2)
        move_column_to_end(ws, 3)
        ws["K12"], ws["K13"] = "THỦ TRƯỞNG ĐƠN VỊ", "(Ký, ghi rõ họ tên, đóng dấu)"

    report = check(edit(path, drift), rules)
    assert report.flatten(("cell", "rule_id")) == []
    assert report.files[0].rows["nominations"] == 2


# ---------------------------------------------------------------------------------------------
# A clean file and the report JSON

def test_clean_file_has_no_findings(make_book, rules):
    """A correctly filled monthly report with individuals, a collective and activities has zero findings."""
    path = make_book([good_row(1), good_row(2, name="Trần Văn Nam", gender="Nam", birth_year=1990),
                      collective(stt=3)],
                     activities=[activity(1), activity(2, type="Tuyên truyền (tin, bài)", articles=4)])
    report = check(path, rules)
    assert report.findings == []
    assert report.valid
    assert report.counts == {"error": 0, "warning": 0, "info": 0}
    assert report.files[0].valid_nominations == 3
    assert report.files[0].rows == {"nominations": 3, "activities": 2}


def test_report_json_round_trips(make_book, rules):
    """report.to_json() loads back with the same findings (cells, rules, severities, messages)."""
    path = make_book([good_row(1, gender="nữ "), good_row(2, evidence=None), good_row(3, name="Nguyễn Thị Hoa 1")],
                     info={"plan_number": None})
    report = check(path, rules)
    data = json.loads(report.to_json())
    assert data["findings"] == [f.to_dict() for f in report.findings]
    assert [(f["cell"], f["rule_id"], f["severity"]) for f in data["findings"]] == \
        report.flatten(("cell", "rule_id", "severity")) == [
            ("D5", "DL-CHUANHOA", I), ("O6", "DN-MINHCHUNG", W), ("B7", "DN-TRUNG", E), ("B6", "DV-KEHOACH", W)]
    assert data["valid"] is False
    assert data["counts"] == {"error": 1, "warning": 2, "info": 1}


def test_parallel_reading_gives_the_same_findings(tmp_path, rules):
    """With many files both cores read them; the report is exactly the one-process report."""
    import shutil

    from checker.validate.pipeline import read_paths, validate

    sources = sorted((ROOT / "sample_workbooks").rglob("*.xlsx"))
    paths = []
    for n in range(80):
        target = tmp_path / f"f{n:03d}_{sources[n % len(sources)].name}"
        shutil.copy(sources[n % len(sources)], target)
        paths.append(target)
    subs = read_paths(paths)
    serial = validate(subs, rules, as_of=AS_OF, workers=1).report()
    parallel = validate(subs, rules, as_of=AS_OF, workers=2).report()
    assert parallel.to_dict() == serial.to_dict()
    assert sum(f.severity.value == "error" for f in serial.findings) > 15


def test_message_is_text_and_shared_citation(make_book, rules):
    """A finding's message ends with its rule's citation, held once per rule (not once per finding);
    the JSON report carries the whole message."""
    report = check_many([make_book([good_row(1, gender="Na"), good_row(2, gender="Nữa")])], rules, as_of=AS_OF)
    found = [f for f in report.findings if f.rule_id == "DN-DANHMUC"]
    assert len(found) == 2
    for f in found:
        assert f.citation == rules.citation("DN-DANHMUC") != ""
        assert f.message == f.text + f.citation and f.text.startswith(f"Ô {f.cell} – ")
    assert found[0].citation is found[1].citation
    data = json.loads(report.to_json())
    assert {"message"} <= set(data["findings"][0]) and not {"text", "citation"} & set(data["findings"][0])
    assert [d["message"] for d in data["findings"] if d["rule_id"] == "DN-DANHMUC"] == [f.message for f in found]
