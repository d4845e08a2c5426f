"""write/documents/proposal.py on figures made by hand: the Tờ trình's words filled from the rules file
and the figures, and the appendix on its own page listing exactly the nominees given, in order."""

from __future__ import annotations

import datetime as dt

from checker.decide.figures import Figures, Nominee
from checker.write.documents.proposal import proposal

DAY = dt.date(2023, 9, 1)
NOMINEES = (Nominee("Nguyễn Văn An", "Diễn viên", "Nhà hát Chèo Hà Nội", "Cứu người đuối nước.", "Tháng 06/2023",
                    "a.xlsx", 5),
            Nominee("Tổ Bảo vệ", "", "Bảo tàng Hà Nội", "Trả lại tài sản cho du khách.", "Tháng 07/2023", "b.xlsx", 6))


def _figures(proposed=NOMINEES) -> Figures:
    return Figures(DAY, (("Nhà hát Chèo Hà Nội", 3), ("Bảo tàng Hà Nội", 2)), (), (), (), (), (), "", 0, 0,
                   proposed, True)


def test_the_words_and_the_counts(rules):
    doc = proposal(rules, _figures(), considered=7)
    texts = [p.text for p in doc.paragraphs if p.text]
    assert texts[:3] == ["TỜ TRÌNH", "Về việc đề nghị khen thưởng gương điển hình tiên tiến, “Người tốt, việc tốt” năm 2023",
                         "Kính gửi: Ủy ban nhân dân Thành phố Hà Nội (qua Ban Thi đua - Khen thưởng Thành phố)."]
    assert texts[3] == ("Căn cứ Kế hoạch số 327/KH-SVHTT ngày 27/04/2023 của Sở Văn hóa và Thể thao Hà Nội về việc đẩy "
                        "mạnh phong trào thi đua “Người tốt, việc tốt” Sở Văn hóa và Thể thao năm 2023;")
    assert texts[4].endswith("Tính đến hết ngày 01/09/2023, các đơn vị đã giới thiệu 7 gương hợp lệ; Hội đồng Thi đua "
                             "- Khen thưởng Sở đã xem xét và thống nhất đề nghị Thành phố khen thưởng 2 gương của 2 đơn "
                             "vị (danh sách kèm theo).")
    assert texts[4].startswith(f"Mục V của Kế hoạch quy định: “{rules.documents.quote}” Tính đến hết ngày")
    assert texts[5].endswith("nêu trên./.")
    assert texts[6:8] == ["DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG",
                          "(Kèm theo Tờ trình số ……/TTr-SVHTT ngày …… tháng …… năm 2023 của Sở Văn hóa và Thể thao Hà Nội)"]


def test_the_appendix_rows(rules):
    doc = proposal(rules, _figures(), considered=7)
    rows = [[c.text for c in row.cells] for row in doc.tables[-1].rows]
    assert rows == [["STT", "Họ và tên", "Chức vụ và đơn vị", "Tóm tắt thành tích"],
                    ["1", "Nguyễn Văn An", "Diễn viên, Nhà hát Chèo Hà Nội", "Cứu người đuối nước."],
                    ["2", "Tổ Bảo vệ", "Bảo tàng Hà Nội", "Trả lại tài sản cho du khách."]]
    summary = doc.tables[-1].rows[1].cells[3].paragraphs[0]
    assert summary.alignment == 3  # justified
    assert len(doc.tables) == 3  # heading, closing, appendix
