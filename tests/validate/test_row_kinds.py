"""Tests for checker.validate.row_kinds on genuine .xlsx files (issue #13 item 10): dates long
before the plan (HD-NGAY, DV-KEHOACH `date_not_before`) and "Đối tượng" required for an individual."""

from __future__ import annotations

import datetime as dt

import pytest

from checker.api import check_workbook

from ..conftest import good_row

AS_OF = dt.date(2023, 5, 20)
FIELDS = ("sheet", "cell", "rule_id", "severity", "message")
MUC_III = " (Căn cứ: Mục III, Kế hoạch số 327/KH-SVHTT.)"
MUC_IV4 = " (Căn cứ: Mục IV.4, Kế hoạch số 327/KH-SVHTT.)"
MUC_V = " (Căn cứ: Mục V, Kế hoạch số 327/KH-SVHTT.)"


def activity(day: dt.date) -> dict:
    return {"stt": 1, "date": day, "type": "Phát động thi đua",
            "content": "Phát động phong trào thi đua “Người tốt, việc tốt” năm 2023 tại đơn vị",
            "participants": 120, "channel": "Cổng thông tin điện tử của đơn vị"}


@pytest.mark.parametrize(("day", "expected"), [
    (dt.date(2022, 11, 30), [("Hoạt động", "B5", "HD-NGAY", "warning",
                              "Ô B5 – “Ngày” phải là ngày thực hiện kế hoạch, không trước 01/12/2022 (nhận được "
                              "“30/11/2022”): kế hoạch ban hành ngày 27/04/2023, thực hiện “Từ nay đến ngày "
                              "10/10/2023” (Mục III); hãy kiểm tra lại ngày, năm đã ghi." + MUC_III)]),
    (dt.date(2022, 12, 1), []),
    (dt.date(2023, 4, 1), []),
])
def test_activity_long_before_the_plan_is_a_warning(make_book, rules, day, expected):
    """An activity dated before 01/12/2022 is an HD-NGAY warning saying what was expected; from that day on, none."""
    path = make_book(activities=[activity(day)])
    assert check_workbook(path, rules, as_of=AS_OF).flatten(FIELDS) == expected


@pytest.mark.parametrize(("day", "expected"), [
    (dt.date(2021, 3, 4), [("Thông tin đơn vị", "B7", "DV-KEHOACH", "warning",
                            "Ô B7 – “Ngày ban hành kế hoạch” phải là ngày ban hành kế hoạch của đơn vị thực hiện "
                            "phong trào này, không trước 01/12/2022 (nhận được “04/03/2021”): kế hoạch của Sở ban "
                            "hành ngày 27/04/2023, thực hiện “Từ nay đến ngày 10/10/2023” (Mục III); hãy kiểm tra "
                            "lại ngày, năm đã ghi." + MUC_IV4)]),
    (dt.date(2022, 12, 1), []),
])
def test_unit_plan_long_before_the_plan_is_a_warning(make_book, rules, day, expected):
    """A unit plan dated before 01/12/2022 is a DV-KEHOACH warning at B7; from that day on, none."""
    path = make_book(info={"plan_date": day})
    assert check_workbook(path, rules, as_of=AS_OF).flatten(FIELDS) == expected


def test_staff_type_is_required_for_an_individual(make_book, rules):
    """An individual without "Đối tượng" (Mục V: staff of the unit) is a DN-BATBUOC error at G5."""
    path = make_book([good_row(staff_type=None)])
    assert [f for f in check_workbook(path, rules, as_of=AS_OF).flatten(FIELDS) if f[2] == "DN-BATBUOC"] == [
        ("Danh sách đề nghị", "G5", "DN-BATBUOC", "error",
         "Ô G5 – “Đối tượng” là bắt buộc với cá nhân nhưng đang để trống: đề nghị điền ô này." + MUC_V)]
