"""The result sheet of an annotated copy, and the row heights a copy stores (write/result_sheet.py)."""

from __future__ import annotations

import datetime as dt

import openpyxl

from checker import validate_files, write_annotated_copies
from checker.write.result_sheet import SUMMARY_SHEET

from ..conftest import good_row

AS_OF = dt.date(2023, 5, 20)


def test_rows_of_wrapped_text_get_a_height_the_heading_keeps_its_own(tmp_path, make_book, rules):
    """Rows 5.. of wrapped summaries, stored with no height by the unit's file, get one from their
    longest text, so they print whole; the heading's rows keep the heights the file stored."""
    path = make_book([good_row(1, gender="Na"), good_row(2, summary="Tham gia hiến máu tình nguyện. " * 12),
                      good_row(3, summary="Giúp đỡ người già.")], name="cheo.xlsx")
    validation = validate_files([path], rules, as_of=AS_OF)
    [copy] = write_annotated_copies(validation, tmp_path / "out", inputs=[path])
    original = openpyxl.load_workbook(path)["Danh sách đề nghị"]
    ws = openpyxl.load_workbook(copy)["Danh sách đề nghị"]
    assert [original.row_dimensions[r].height for r in range(5, 8)] == [None, None, None]
    assert [ws.row_dimensions[r].height for r in range(1, 5)] == [original.row_dimensions[r].height
                                                                    for r in range(1, 5)]
    assert [ws.row_dimensions[r].height for r in range(5, 8)] == [63.0, 93.0, None]


def test_the_result_sheet_prints_as_a_bordered_times_table(tmp_path, make_book, rules):
    """“Kết quả kiểm tra”: Times New Roman, every table cell bordered and top-aligned, rows as tall
    as their message, A4 landscape one page wide, the sheet's name and page number in the footer."""
    path = make_book([good_row(gender="Na", evidence=None)], name="cheo.xlsx")
    validation = validate_files([path], rules, as_of=AS_OF)
    [copy] = write_annotated_copies(validation, tmp_path / "out", inputs=[path])
    ws = openpyxl.load_workbook(copy)[SUMMARY_SHEET]
    table = list(ws.iter_rows(min_row=4, max_row=7, max_col=6))
    assert {c.font.name for row in table for c in row} == {"Times New Roman"}
    assert {(c.border.left.style, c.border.right.style, c.border.top.style, c.border.bottom.style)
            for row in table for c in row} == {("thin",) * 4}
    assert {c.alignment.vertical for row in table for c in row} == {"top"}
    assert [ws.row_dimensions[r].height for r in range(5, 8)] == [33.0, 33.0, 33.0]
    assert (ws.oddFooter.left.text, ws.oddFooter.right.text) == ("&A", "Trang &P/&N")
    assert (ws.page_setup.orientation, ws.page_setup.paperSize, ws.page_setup.fitToWidth,
            ws.page_setup.fitToHeight) == ("landscape", 9, 1, 0)  # 9: A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$4:$4"
