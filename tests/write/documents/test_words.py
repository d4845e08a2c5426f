"""write/documents/words.py: numbers and rates as a Vietnamese reader writes them, the drafts' names,
and the plan's placeholders."""

from __future__ import annotations

import datetime as dt

from checker.write.documents.words import PROPOSAL_NAME, REPORT_NAME, common, file_name, number, rate


def test_numbers_and_rates():
    assert [number(0), number(63), number(1234), number(1234567)] == ["0", "63", "1.234", "1.234.567"]
    assert [rate(21, 24), rate(16, 24), rate(24, 24), rate(0, 24)] == ["87,5%", "66,7%", "100,0%", "0,0%"]


def test_names_and_placeholders(rules):
    day = dt.date(2023, 7, 25)
    assert [file_name(PROPOSAL_NAME, day), file_name(REPORT_NAME, day)] == [
        "to_trinh_2023-07-25.docx", "bao_cao_tong_ket_2023-07-25.docx"]
    values = common(rules, day)
    assert values == {"plan_no": "327/KH-SVHTT", "plan_issued": "27/04/2023",
                      "plan_title": "đẩy mạnh phong trào thi đua “Người tốt, việc tốt” Sở Văn hóa và Thể thao năm 2023",
                      "issuer": "Sở Văn hóa và Thể thao Hà Nội", "movement": "Người tốt, việc tốt", "year": "2023",
                      "as_of": "25/07/2023"}
