"""Long sheets continued ("Danh sách đề nghị (2)" …) instead of a row wall: the samples' workbook
written with 50 rows per sheet, read back by openpyxl, python-calamine and LibreOffice, and verified
by `ntvt verify`, against the same consolidation written with Excel's own limit."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile

import openpyxl
import pytest
import python_calamine

from checker import api
from checker.decide.verification import verify
from checker.model.errors import OutputError
from checker.write import streaming as sheetxml
from checker.write.workbook import write_consolidated
from checker.write.workbook.words import part_name

from .builders.parts import need
from .conftest import ROOT

LIMIT = 50  # rows per sheet in these tests: the samples' 69 nominations fill one sheet and 20 rows of a second
DATA = "Danh sách đề nghị"
SECOND = "Danh sách đề nghị (2)"
OFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """The samples consolidated once, written whole and continued at LIMIT rows."""
    out = tmp_path_factory.mktemp("continued")
    c = api.consolidate(ROOT / "sample_workbooks", None, as_of=dt.date(2023, 7, 25))
    write_consolidated(c, out / "whole.xlsx")
    write_consolidated(c, out / "parts.xlsx", rows_per_sheet=LIMIT)
    return c, out / "whole.xlsx", out / "parts.xlsx"


def place(row: int, top: int = 1) -> tuple[int, int]:
    """(part from 1, row in it) of a row of the whole sheet (from 1) with `top` rows of header."""
    k, n = divmod(row - top - 1, LIMIT - top)
    return k + 1, top + n + 1


def rows(path, name):
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    try:
        return book.get_sheet_by_name(name).to_python()
    finally:
        book.close()


def test_long_sheets_continue_on_numbered_sheets(books):
    c, whole, parts = books
    assert len(c.validation.frames.tables["nominations"]) == 69 and len(c.findings) == 62
    assert openpyxl.load_workbook(parts, read_only=True).sheetnames == [
        "Tổng quan", "Tình hình nộp", DATA, SECOND, "Hoạt động", "Đề xuất Thành phố", "Xét duyệt",
        "Lỗi và cảnh báo", "Lỗi và cảnh báo (2)", "Tệp đã nhận", "Tệp đã nhận (2)", "Quy tắc"]
    assert c.written == {"nominations": 69, "activities": 27}


def test_every_data_row_lands_on_its_part_and_row(books):
    """Row 51 of the whole sheet (its 50th data row) is row 2 of "(2)"; calamine reads every part,
    each under the same header, and together they are the whole sheet's rows in order."""
    _, whole, parts = books
    full, first, second = rows(whole, DATA), rows(parts, DATA), rows(parts, SECOND)
    assert len(full) == 70 and len(first) == 50 and len(second) == 21
    assert first[0] == second[0] == full[0]
    assert first[1:] + second[1:] == full[1:]
    assert second[1] == full[50] and place(51) == (2, 2)


def test_links_and_comments_point_at_the_part_and_row(books):
    """Each finding's "Xem" goes where the whole workbook's went, moved to its part and row there."""
    _, whole, parts = books
    a, b = openpyxl.load_workbook(whole), openpyxl.load_workbook(parts)
    before = [ws["J"][r - 1].hyperlink.location for ws in [a["Lỗi và cảnh báo"]] for r in range(2, 64)
              if ws["J"][r - 1].hyperlink]
    after = [ws.cell(row=r, column=10).hyperlink.location for name in ("Lỗi và cảnh báo", "Lỗi và cảnh báo (2)")
             for ws in [b[name]] for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=10).hyperlink]
    assert len(before) == len(after) == 62

    def moved(location: str) -> str:
        sheet, col, row = re.fullmatch(r"'(.+)'!([A-Z]+)(\d+)", location).groups()
        top = {DATA: 1, "Hoạt động": 1, "Tệp đã nhận": 5}.get(sheet)
        if top is None:
            return location
        k, local = place(int(row), top)
        return f"'{part_name(sheet, k)}'!{col}{local}"

    assert after == [moved(x) for x in before]
    on_second = [x for x in after if x.startswith(f"'{SECOND}'!")]
    assert on_second and all(b[SECOND][x.split("!")[1]].value is not None for x in on_second)
    # A cell flagged past row 50 of the whole sheet: on "(2)", 49 rows up, with the same comment and fill.
    flagged = [(cell.coordinate, cell.comment.text) for row in a[DATA].iter_rows(min_row=51) for cell in row if cell.comment]
    assert flagged
    for ref, text in flagged:
        col, row = re.fullmatch(r"([A-Z]+)(\d+)", ref).groups()
        there = b[SECOND][f"{col}{place(int(row))[1]}"]
        assert there.comment.text == text and there.value == a[DATA][ref].value
        assert there.fill.fgColor.rgb == a[DATA][ref].fill.fgColor.rgb


def test_every_part_is_laid_out_as_the_sheet(books):
    """Header, widths, frozen panes, filter and print setup: the same on each continuation."""
    _, _, parts = books
    b = openpyxl.load_workbook(parts)
    for name, last in ((DATA, "Z"), ("Lỗi và cảnh báo", "J"), ("Tệp đã nhận", "P")):
        ws, more = b[name], b[f"{name} (2)"]
        top = 5 if name == "Tệp đã nhận" else 1
        assert [c.value for c in more[top]] == [c.value for c in ws[top]]
        assert more.freeze_panes == ws.freeze_panes and more.print_title_rows == ws.print_title_rows
        assert {k: d.width for k, d in more.column_dimensions.items()} == {k: d.width for k, d in ws.column_dimensions.items()}
        assert (more.page_setup.orientation, more.page_setup.paperSize, more.page_setup.scale) == \
            (ws.page_setup.orientation, ws.page_setup.paperSize, ws.page_setup.scale)
        assert ws.max_row == LIMIT and ws.auto_filter.ref == f"A{top}:{last}{LIMIT}"
        assert more.auto_filter.ref == f"A{top}:{last}{more.max_row}"
    assert b["Tệp đã nhận (2)"]["A1"].value == "CÁC TỆP ĐÃ NHẬN"
    assert b["Lỗi và cảnh báo (2)"]["A2"].value == LIMIT  # STT runs on across the parts


def test_verify_checks_every_part(books, tmp_path):
    """`ntvt verify` matches the continued workbook, and names the part whose cell was edited."""
    c, _, parts = books
    assert verify(parts, ROOT / "sample_workbooks", c.rules).matches
    edited = tmp_path / "edited.xlsx"
    book = openpyxl.load_workbook(parts)
    book[SECOND]["F3"] = "Người khác"
    book.save(edited)
    result = verify(edited, ROOT / "sample_workbooks", c.rules)
    assert result.edited == [SECOND]
    assert f"- Trang “{SECOND}” đã bị sửa sau khi ntvt ghi: nội dung các ô (hoặc số dòng) khác với lúc ghi. " \
           "Hãy dùng bản bảng tổng hợp gốc, hoặc tổng hợp lại từ thư mục hồ sơ." in result.lines()


def test_libreoffice_opens_every_part(books, tmp_path):
    _, _, parts = books
    need(None if OFFICE else "LibreOffice", "apt-get install libreoffice-calc-nogui")
    subprocess.run([OFFICE, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "ods", "--outdir", str(tmp_path), str(parts)],
                   check=True, capture_output=True, timeout=300)
    for name in (DATA, SECOND, "Lỗi và cảnh báo (2)", "Tệp đã nhận (2)"):
        assert [[v for v in r if v != ""] for r in rows(tmp_path / "parts.ods", name)] == \
            [[v for v in r if v != ""] for r in rows(parts, name)]


def test_a_part_name_keeps_to_excels_31_characters():
    assert part_name("Tổng hợp các gương người tốt việc", 12) == "Tổng hợp các gương người t (12)"
    assert len(part_name("x" * 31, 2)) == 31 and part_name("Hoạt động", 1) == "Hoạt động"


def test_a_sheet_that_is_not_continued_is_refused_in_words(books, tmp_path, monkeypatch):
    """"Xét duyệt" is read back as one sheet: past a sheet's rows it is refused, nothing written."""
    c, _, _ = books
    monkeypatch.setattr(sheetxml, "MAX_ROWS", 40)
    with pytest.raises(OutputError) as caught:
        write_consolidated(c, tmp_path / "out.xlsx", rows_per_sheet=40)
    assert caught.value.message == ("Không ghi được bảng tổng hợp: trang “Xét duyệt” cần 63 dòng, vượt số dòng tối "
                                    "đa của một trang Excel (37 dòng dưới tiêu đề); hãy tổng hợp từng phần, ví dụ từng "
                                    "thư mục kỳ báo cáo.")
    assert not (tmp_path / "out.xlsx").exists()


def test_same_inputs_same_bytes_when_continued(books, tmp_path):
    c, _, parts = books
    write_consolidated(c, tmp_path / "again.xlsx", rows_per_sheet=LIMIT)
    assert (tmp_path / "again.xlsx").read_bytes() == parts.read_bytes()
    with zipfile.ZipFile(parts) as z:
        assert z.testzip() is None
