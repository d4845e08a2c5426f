"""write/documents/report.py on figures made by hand: each figure's sentence and table, a cycle not yet
due, an empty list said in the rules file's words, and the narrative sections left to write."""

from __future__ import annotations

import datetime as dt

from docx.table import Table

from checker.decide.figures import CycleRate, Figures
from checker.write.documents.report import report

DAY = dt.date(2023, 6, 25)


def _items(doc):
    return [("t", i) if isinstance(i, Table) else ("p", i.text) for i in doc.iter_inner_content()]


def _after(items, heading):
    n = items.index(("p", heading))
    return items[n + 1][1], next((i[1] for i in items[n + 1:n + 4] if i[0] == "t"), None)


def _cells(table):
    return [[c.text for c in row.cells] for row in table.rows]


def test_every_figure(rules):
    f = Figures(DAY, (("Văn phòng Sở", 1234), ("Thanh tra Sở", 0)), (("Tháng 05/2023", 1234),), (("Sở", 1234),),
                (CycleRate("Tháng 05/2023", 7, 8), CycleRate("Tháng 06/2023", 0, 0)), (), (),
                "Trung tâm Thông tin Triển lãm Hà Nội", 12, 4, (), False)
    items = _items(report(rules, f))
    sentence, table = _after(items, "1. Số gương đề nghị theo đơn vị")
    assert sentence == "Các đơn vị đã giới thiệu 1.234 gương hợp lệ; 1/2 đơn vị có gương được giới thiệu."
    assert _cells(table) == [["STT", "Đơn vị", "Số gương hợp lệ"], ["1", "Văn phòng Sở", "1.234"], ["2", "Thanh tra Sở", "0"],
                             ["", "Tổng cộng", "1.234"]]
    sentence, table = _after(items, "4. Gửi báo cáo đúng hạn")
    assert sentence == "Qua 1 kỳ đã đến hạn, có 7 lượt đơn vị gửi gương hợp lệ đúng hạn trên 8 lượt phải gửi:"
    assert _cells(table)[1:] == [["1", "Tháng 05/2023", "7", "8", "87,5%"], ["2", "Tháng 06/2023", "", "", "Chưa đến hạn"]]
    sentence, table = _after(items, "5. Đơn vị chưa gửi báo cáo nào")
    assert sentence == "Tính đến hết ngày 25/06/2023, có 0 đơn vị chưa gửi báo cáo nào:"
    assert items[items.index(("p", sentence)) + 1] == ("p", "Không có.")
    heading = "6. Hoạt động kỷ niệm 75 năm Ngày Chủ tịch Hồ Chí Minh ra “Lời kêu gọi thi đua ái quốc”"
    n = items.index(("p", heading))
    assert items[n + 1:n + 3] == [("p", "Các đơn vị đã báo cáo 0 hoạt động “Kỷ niệm 75 năm Lời kêu gọi thi đua ái quốc”,"
                                        " tại 0 đơn vị:"), ("p", "Không có.")]
    assert ("p", "Trung tâm Thông tin Triển lãm Hà Nội đã đăng 12 tin, bài qua 4 hoạt động đã báo cáo.") in items


def test_the_sections_and_the_introduction(rules):
    f = Figures(DAY, (), (), (), (), (), (), "", 0, 0, (), False)
    items = [i for i in _items(report(rules, f)) if i != ("p", "")]
    texts = [i[1] for i in items if i[0] == "p"]
    assert texts[:3] == ["BÁO CÁO", "Tổng kết phong trào thi đua “Người tốt, việc tốt” năm 2023",
                         "Kính gửi: Ủy ban nhân dân Thành phố Hà Nội (qua Ban Thi đua - Khen thưởng Thành phố)."]
    assert texts[3].endswith("(số liệu tính đến hết ngày 25/06/2023) như sau:")
    for heading in ("I. ĐẶC ĐIỂM TÌNH HÌNH", "III. ĐÁNH GIÁ CHUNG", "V. ĐỀ XUẤT, KIẾN NGHỊ"):
        assert texts[texts.index(heading) + 1] == "[Văn phòng Sở viết phần này]"
