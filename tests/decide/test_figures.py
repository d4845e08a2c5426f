"""decide/figures.py on the samples as of 25/07/2023: the exact figures of the báo cáo tổng kết (counted
by hand from the sample inbox's files), the nominees the council proposed in the data sheets' order,
and the City-level nominees it left undecided."""

from __future__ import annotations

import datetime as dt

import pytest

from checker import api
from checker.decide.figures import CycleRate, figures, pending_city
from checker.decide.review import apply_review
from checker.read.decisions import Decided

from ..conftest import ROOT

KIND = "Kỷ niệm 75 năm Lời kêu gọi thi đua ái quốc"


@pytest.fixture(scope="module")
def consolidated(rules):
    return api.consolidate(ROOT / "sample_workbooks", None, rules, as_of=dt.date(2023, 7, 25))


def test_the_samples_figures(consolidated):
    f = figures(consolidated, KIND, "tuyen_truyen", "articles")
    assert (f.total, f.units_with) == (63, 22)
    assert dict(f.by_unit)["Văn phòng Sở"] == 3 and dict(f.by_unit)["Thanh tra Sở"] == 5
    assert [name for name, _ in f.by_unit] == [u.name for u in consolidated.rules.units]
    assert f.by_cycle == (("Tháng 05/2023", 33), ("Tháng 06/2023", 18), ("Tháng 07/2023", 12), ("Tháng 08/2023", 0),
                          ("Tháng 09/2023", 0))
    assert f.by_level == (("Cơ sở", 0), ("Sở", 61), ("Thành phố", 2))
    assert f.on_time == (CycleRate("Tháng 05/2023", 21, 24), CycleRate("Tháng 06/2023", 16, 24),
                         CycleRate("Tháng 07/2023", 11, 24), CycleRate("Tháng 08/2023", 0, 0),
                         CycleRate("Tháng 09/2023", 0, 0))
    assert f.never_reported == ("Trường Phổ thông năng khiếu Thể dục thể thao Hà Nội",)
    assert f.anniversary == (("Văn phòng Sở", 1), ("Phòng Tổ chức - Pháp chế", 1),
                             ("Phòng Xây dựng nếp sống văn hóa và gia đình", 1), ("Nhà hát Ca Múa Nhạc Thăng Long", 1),
                             ("Nhà hát Chèo Hà Nội", 1), ("Nhà hát Cải lương Hà Nội", 1))
    assert (f.role_unit, f.role_articles, f.role_activities) == ("Trung tâm Thông tin Triển lãm Hà Nội", 3, 1)
    assert (f.proposed, f.decided) == ((), False)


def test_figures_without_the_documents_words_are_empty(consolidated):
    f = figures(consolidated)
    assert (f.anniversary, f.role_unit, f.role_articles, f.role_activities) == ((), "", 0, 0)


def test_the_proposed_in_the_data_sheets_order(consolidated, rules):
    rows = [Decided(9, 9, "Thanh tra Sở", "Bùi Thị Hà", "", "Đề nghị Thành phố", ""),
            Decided(4, 9, "Văn phòng Sở", "Đỗ Thị Tuấn", "1991", "Đề nghị Thành phố", ""),
            Decided(5, 9, "Văn phòng Sở", "Đặng Thị Nam", "1983", "Trả lại", "Thiếu xác nhận")]
    found = apply_review(consolidated, rows, "hoi_dong.xlsx", "Xét duyệt")
    try:
        f = figures(consolidated)
        assert found == [] and f.decided
        assert [(n.name, n.unit, n.cycle, n.position, n.row) for n in f.proposed] == [
            ("Đỗ Thị Tuấn", "Văn phòng Sở", "Tháng 06/2023", "Kỹ thuật viên, phòng nghiệp vụ", 5),
            ("Bùi Thị Hà", "Thanh tra Sở", "Tháng 06/2023", "Chuyên viên, phòng nghiệp vụ", 5)]
        assert f.proposed[0].file == "thang_06/thu_VP_thang06.eml › VP_thang06.xlsx"
        assert f.proposed[0].summary.startswith("Tại khu di tích vào dịp cuối tuần, đồng chí Đỗ Thị Tuấn")
        assert pending_city(consolidated) == 2  # the samples' two City-level nominees, not decided
    finally:
        consolidated.review = None
    assert pending_city(consolidated) == 0
