"""Rows streamed into an xlsxwriter workbook (checker/sheetxml.py), read back by openpyxl, python-calamine
and LibreOffice: text survives exactly, styles and links land where they were put."""

from __future__ import annotations

import dataclasses
import re
import shutil
import struct
import subprocess
import zipfile

import openpyxl
import pytest
import python_calamine
import xlsxwriter

from checker import consolidate

from checker.write import streaming as sheetxml
from checker.model.findings import Severity

from ..conftest import good_row
from ..decide.test_consolidation import AS_OF

HOSTILE = ["a & b < c > d \"e\" 'f'", "bell\x07 and nul\x00 and vt\x0b", "literal _x0041_ stays", "  padded  ",
           "dòng 1\ndòng 2", "=1+1", "Người tốt, việc tốt 🌟", "not a character \ufffe"]


def build(path, streams_for):
    """A workbook with sheets "Dữ liệu" and "Khác"; "Dữ liệu" gets a header through xlsxwriter and
    the streams made by streams_for(workbook formats)."""
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                         "strings_to_numbers": False, "strings_to_urls": False})
    ws = wb.add_worksheet("Dữ liệu")
    red = wb.add_format({"bg_color": "#FFC7CE"})
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws.write_string(0, 0, "Tiêu đề")
    ws.set_landscape()
    ws.write_comment(2, 1, "ghi chú")
    other = wb.add_worksheet("Khác")  # the same texts written by xlsxwriter itself
    for n, text in enumerate(HOSTILE, start=1):
        other.write_string(n, 0, text)
    streams = streams_for({"red": red._get_xf_index(), "date": date._get_xf_index()})
    wb.close()
    sheetxml.splice(path, streams)


def test_text_survives_exactly_and_styles_apply(tmp_path):
    path = tmp_path / "out.xlsx"

    def streams(xf):
        def rows():
            for n, text in enumerate(HOSTILE, start=2):
                yield sheetxml.row(n, sheetxml.text_cell(f"A{n}", 0, text) + sheetxml.number_cell(f"B{n}", xf["date"], 45070)
                                   + sheetxml.blank_cell(f"C{n}", xf["red"]), height=30 if n == 3 else None)
        return {"Dữ liệu": sheetxml.Stream(rows, last_row=len(HOSTILE) + 1, last_col=3,
                                             links=[("A2", "'Khác'!A1", "Xem")])}

    build(path, streams)
    ws = openpyxl.load_workbook(path)["Dữ liệu"]
    assert ws.dimensions == f"A1:C{len(HOSTILE) + 1}"
    # Exactly what xlsxwriter writes for the same texts, as each reader sees it (openpyxl leaves
    # Excel's _xHHHH_ escapes of control characters as they are; calamine decodes them).
    xlsxwriters = openpyxl.load_workbook(path)["Khác"]
    assert [ws.cell(row=n, column=1).value for n in range(2, len(HOSTILE) + 2)] == \
        [xlsxwriters.cell(row=n, column=1).value for n in range(2, len(HOSTILE) + 2)]
    assert [ws.cell(row=n, column=1).value for n in (2, 5, 6, 7, 8)] == [HOSTILE[n - 2] for n in (2, 5, 6, 7, 8)]
    assert {ws.cell(row=n, column=1).data_type for n in range(2, len(HOSTILE) + 2)} == {"s"}
    assert ws["A1"].value == "Tiêu đề"
    assert ws["B2"].number_format == "dd/mm/yyyy" and ws["B2"].value.date().isoformat() == "2023-05-24"
    assert ws["C5"].fill.fgColor.rgb == "FFFFC7CE"
    assert ws.row_dimensions[3].height == 30
    assert ws["A2"].hyperlink.location == "'Khác'!A1"
    assert ws["B3"].comment.text.startswith("ghi chú")
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    streamed = [r[0] for r in book.get_sheet_by_name("Dữ liệu").to_python()[1:]]
    assert streamed == [r[0] for r in book.get_sheet_by_name("Khác").to_python()]  # its range starts at row 2
    assert streamed[:-1] == HOSTILE[:-1] and streamed[-1] == "not a character _xFFFE_"


def test_rows_go_between_the_rows_above_and_below_them(tmp_path):
    """A stream with its first_row goes in between: xlsxwriter's rows 1 and 6, the streamed 2 to 5,
    in order in the sheet's XML (readers need them so), the dimension the whole sheet's."""
    path = tmp_path / "out.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("Danh sách")
    ws.write_string(0, 0, "Tiêu đề")
    ws.merge_range(5, 0, 5, 2, "Chữ ký")
    wb.close()
    rows = lambda: [sheetxml.row(n, sheetxml.number(0, n) + sheetxml.inline(0, f"dòng {n}")) for n in range(2, 6)]
    sheetxml.splice(path, {"Danh sách": sheetxml.Stream(rows, first_row=2, last_row=6, last_col=3)})
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert [int(n) for n in re.findall(r'<row r="(\d+)"', xml)] == [1, 2, 3, 4, 5, 6]
    ws = openpyxl.load_workbook(path)["Danh sách"]
    assert ws.dimensions == "A1:C6" and [str(m) for m in ws.merged_cells.ranges] == ["A6:C6"]
    assert [[c.value for c in row] for row in ws.iter_rows(max_col=2)] == \
        [["Tiêu đề", None], [2, "dòng 2"], [3, "dòng 3"], [4, "dòng 4"], [5, "dòng 5"], ["Chữ ký", None]]


def test_large_entries_are_written_as_zip64_and_stay_readable(tmp_path):
    """A stream that may pass 2 GiB is written with zip64 records (its size is known only at the end)."""
    path = tmp_path / "out.xlsx"
    build(path, lambda xf: {"Dữ liệu": sheetxml.Stream(lambda: [sheetxml.row(2, sheetxml.text_cell("A2", 0, "x"))],
                                                         last_row=2, last_col=1, size_hint=1 << 31)})
    with zipfile.ZipFile(path) as z:
        sheet = z.getinfo("xl/worksheets/sheet1.xml")
        with open(path, "rb") as fh:
            fh.seek(sheet.header_offset)
            local = fh.read(30)
        assert local[:4] == b"PK\x03\x04" and struct.unpack("<H", local[4:6])[0] == 45  # needs zip64 to extract
    assert openpyxl.load_workbook(path)["Dữ liệu"]["A2"].value == "x"


def test_unknown_sheet_is_a_program_error(tmp_path):
    with pytest.raises(ValueError, match="no worksheet named"):
        build(tmp_path / "out.xlsx", lambda xf: {"Không có": sheetxml.Stream(lambda: [], last_row=1, last_col=1)})


def test_generator_failure_leaves_the_workbook_unspliced(tmp_path):
    """An exception while rows are generated propagates; no half-written file replaces the workbook."""
    path = tmp_path / "out.xlsx"

    def broken():
        yield sheetxml.row(2, sheetxml.text_cell("A2", 0, "x"))
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        build(path, lambda xf: {"Dữ liệu": sheetxml.Stream(broken, last_row=2, last_col=1)})
    ws = openpyxl.load_workbook(path)["Dữ liệu"]
    assert ws["A1"].value == "Tiêu đề" and ws["A2"].value is None
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]


def test_comment_cap_is_noted_and_every_cell_still_filled(tmp_path, make_book, rules):
    """With more flagged cells than comments allowed, the first cells get comments, every flagged cell
    keeps its fill, and the overview says why some have no comment."""
    capped = dataclasses.replace(rules, consolidation=dataclasses.replace(rules.consolidation, max_comments=2))
    inbox = tmp_path / "inbox"
    make_book([good_row(n, gender="Na") for n in range(1, 5)], directory=inbox)
    output = tmp_path / "out.xlsx"
    c = consolidate(inbox, output, capped, as_of=AS_OF)
    flagged = [f for f in c.findings if f.rule_id == "DN-DANHMUC" and f.severity is Severity.ERROR]
    assert len(flagged) == 4
    wb = openpyxl.load_workbook(output)
    ws = wb["Danh sách đề nghị"]
    col = [c.value for c in ws[1]].index("Giới tính") + 1
    cells = [ws.cell(row=r, column=col) for r in range(2, 6)]
    assert [cell.value for cell in cells] == ["Na"] * 4
    assert {cell.fill.fgColor.rgb for cell in cells} == {"FFFFC7CE"}
    assert [cell.comment is not None for cell in cells] == [True, True, False, False]
    notes = [cell.value for row in wb["Tổng quan"].iter_rows() for cell in row if isinstance(cell.value, str)]
    assert any(note.startswith("Ghi chú: quá nhiều phát hiện") for note in notes)


OFFICE = shutil.which("libreoffice") or shutil.which("soffice")


@pytest.mark.skipif(OFFICE is None, reason="LibreOffice (libreoffice/soffice) is not on PATH")
def test_libreoffice_reads_the_streamed_sheets_as_written(tmp_path, make_book, rules):
    """LibreOffice opens the consolidated workbook and sees the same cells as python-calamine."""
    inbox = tmp_path / "inbox"
    make_book([good_row(1, name="A & <B>"), good_row(2, gender="Na")], directory=inbox)
    output = tmp_path / "out.xlsx"
    consolidate(inbox, output, rules, as_of=AS_OF)
    subprocess.run([OFFICE, "--headless", "--convert-to", "ods", "--outdir", str(tmp_path), str(output)],
                   check=True, capture_output=True, timeout=180)
    ours = python_calamine.CalamineWorkbook.from_path(str(output))
    theirs = python_calamine.CalamineWorkbook.from_path(str(tmp_path / "out.ods"))
    for name in ("Danh sách đề nghị", "Lỗi và cảnh báo"):
        mine = ours.get_sheet_by_name(name).to_python()
        seen = theirs.get_sheet_by_name(name).to_python()
        assert len(mine) == len(seen) > 1
        assert [[v for v in row if v != ""] for row in mine] == [[v for v in row if v != ""] for row in seen]


def test_text_over_a_cells_limit_is_cut_as_excel_counts(tmp_path):
    """Excel holds 32,767 UTF-16 units in a cell (more and it calls the file damaged): longer text is
    cut there, never inside a character that takes two units."""
    path = tmp_path / "out.xlsx"
    long_text = "ệ" * 20_000 + "🌟" * 10_000  # 40,000 units
    build(path, lambda xf: {"Dữ liệu": sheetxml.Stream(lambda: [sheetxml.row(2, sheetxml.text_cell("A2", 0, long_text))],
                                                         last_row=2, last_col=1)})
    value = openpyxl.load_workbook(path)["Dữ liệu"]["A2"].value
    assert len(value.encode("utf-16-le")) // 2 == 32_767 - 1  # the next emoji would not fit whole
    assert long_text.startswith(value) and value.endswith("🌟")


def test_too_many_rows_for_a_sheet_is_a_program_error(tmp_path):
    with pytest.raises(ValueError, match="do not fit a worksheet"):
        build(tmp_path / "out.xlsx", lambda xf: {"Dữ liệu": sheetxml.Stream(lambda: [], last_row=sheetxml.MAX_ROWS + 1,
                                                                             last_col=1)})


def test_repeated_texts_are_shared_and_cells_need_no_reference(tmp_path):
    """Cells made by Cells carry no reference and share repeated texts: one table entry per text,
    declared in the package, and every reader places each cell by its order in the row."""
    path = tmp_path / "out.xlsx"
    cells = sheetxml.Cells()

    def rows():
        for n in range(2, 5):
            yield sheetxml.row(n, cells.text(0, "Nhà hát Chèo & <HN>") + cells.number(0, 1985.0)
                               + sheetxml.blank(0) + sheetxml.inline(0, f" dòng {n}\n"))

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    wb.add_worksheet("Dữ liệu").write_string(0, 0, "Tiêu đề")
    wb.close()
    sheetxml.splice(path, {"Dữ liệu": sheetxml.Stream(rows, last_row=4, last_col=4)}, cells=cells)
    with zipfile.ZipFile(path) as z:
        assert z.read("xl/sharedStrings.xml").decode().count("<si>") == 1
        assert "/xl/sharedStrings.xml" in z.read("[Content_Types].xml").decode()
        assert ' r="B' not in z.read("xl/worksheets/sheet1.xml").decode()
    ws = openpyxl.load_workbook(path)["Dữ liệu"]
    assert [[c.value for c in row] for row in ws.iter_rows(min_row=2)] == \
        [["Nhà hát Chèo & <HN>", 1985, None, f" dòng {n}\n"] for n in range(2, 5)]
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    assert book.get_sheet_by_name("Dữ liệu").to_python()[1:] == \
        [["Nhà hát Chèo & <HN>", 1985.0, "", f" dòng {n}\n"] for n in range(2, 5)]
