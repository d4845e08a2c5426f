"""DN-TOMTAT on a genuine workbook: the fillers units really type in "Tóm tắt thành tích" are errors.

One .xlsx holds a good row (row 5), one row per filler variant (rows 6…), and near-misses: real
summaries that begin like a filler. Read back through the whole pipeline (check_workbook).
"""

from __future__ import annotations

import datetime as dt

from checker.api import check_workbook
from checker.model.findings import Severity

from ..conftest import good_row

AS_OF = dt.date(2023, 5, 20)

# As offices write them (collected from returned reports): case, diacritics, dots, brackets, slashes.
VARIANTS = [
    "Như trên.", "(như trên)", "như trên", "NHƯ TRÊN", "Nhu tren", "- Như trên -", "x.", "X", "[x]", "N/A",
    "n/a", "NA", ".", "-", "…", "...", "Đang cập nhật...", "đang cập nhật", "Chưa cập nhật.", "chưa có.",
    "Chưa có", "Không có", "(không)", "NT", "nt.", "Tương tự", "Như dòng trên", "Đã nêu ở trên.",
    "Như trên…", "Sẽ bổ sung sau", "Bổ sung sau.", "* * *",
]

# Real short summaries that start like a filler: each only gets the length warning.
NEAR_MISSES = [
    "Như trên đã nêu, anh A đã cứu một em nhỏ bị đuối nước tại hồ điều hòa.",
    "Không quản ngại khó khăn, chị B trực đêm bảo vệ hiện vật khi bão đổ bộ.",
    "Tương tự năm trước, tổ đã vận động 120 người hiến máu tình nguyện.",
    "N/A: anh C nhặt được ví và trả lại cho du khách tại khu di tích.",
]


def test_each_variant_is_a_placeholder_error_and_the_row_is_not_valid(make_book, rules):
    """Every filler variant fires DN-TOMTAT as an error at its K cell; only the good row and the
    near-misses count as valid, and a near-miss gets only the length warning."""
    rows = [good_row(1)]
    rows += [good_row(n, summary=value) for n, value in enumerate(VARIANTS, start=2)]
    first_near = len(rows) + 1
    rows += [good_row(n, summary=value) for n, value in enumerate(NEAR_MISSES, start=first_near)]
    report = check_workbook(make_book(rows), rules, as_of=AS_OF)

    variant_rows = range(6, 6 + len(VARIANTS))
    near_rows = range(5 + first_near - 1, 5 + first_near - 1 + len(NEAR_MISSES))
    expected = [(f"K{r}", "DN-TOMTAT", Severity.ERROR) for r in variant_rows]
    expected += [(f"K{r}", "DN-TOMTAT", Severity.WARNING) for r in near_rows]
    assert report.flatten(("cell", "rule_id", "severity")) == expected
    assert report.files[0].valid_nominations == 1 + len(NEAR_MISSES)


def test_message_quotes_the_cell_as_written(make_book, rules):
    """The error quotes what the unit typed and says what the cell must hold."""
    report = check_workbook(make_book([good_row(1), good_row(2, summary="(Như trên.)")]), rules, as_of=AS_OF)
    (finding,) = report.findings
    assert (finding.sheet, finding.cell, finding.clause) == ("Danh sách đề nghị", "K6", "Mục V")
    assert finding.message == ("Ô K6 – “Tóm tắt thành tích, việc làm tốt” phải là bản tóm tắt thành tích thật, "
                               "không phải “(Như trên.)”: đề nghị ghi tóm tắt việc làm tốt của chính người được đề nghị. "
                               "(Căn cứ: Mục V, Kế hoạch số 327/KH-SVHTT.)")


def test_at_least_twenty_real_variants():
    """The table holds at least twenty distinct spellings."""
    assert len(set(VARIANTS)) == len(VARIANTS) >= 20
