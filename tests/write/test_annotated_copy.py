"""Annotated copies: the unit's own workbook with each finding coloured and commented at its cell."""

from __future__ import annotations

import datetime as dt

import openpyxl
from openpyxl.cell.rich_text import CellRichText
import pytest

from checker import validate_files, write_annotated_copies
from checker.model.errors import OutputError
from checker.write.result_sheet import SUMMARY_SHEET
from checker.write.style import SEVERITY_FILL as FILLS
from checker.model.findings import Severity

from ..conftest import Raw, good_row

AS_OF = dt.date(2023, 5, 20)


def _fill(cell) -> str:
    return (cell.fill.fgColor.rgb or "")[-6:] if cell.fill and cell.fill.fill_type == "solid" else ""


def test_annotated_copy_marks_cells_and_keeps_values(tmp_path, make_book, rules):
    """Errors are red, warnings yellow, info blue, each with a comment; every value is as the unit typed it."""
    path = make_book([good_row(gender="Na", evidence=None, kind="cá nhân")], name="cheo.xlsx")
    validation = validate_files([path], rules, as_of=AS_OF)
    [copy] = write_annotated_copies(validation, tmp_path / "out", inputs=[path])
    original = openpyxl.load_workbook(path)["Danh sách đề nghị"]
    ws = openpyxl.load_workbook(copy)["Danh sách đề nghị"]
    assert _fill(ws["D5"]) == FILLS[Severity.ERROR]  # Giới tính “Na”
    assert _fill(ws["O5"]) == FILLS[Severity.WARNING]  # no evidence
    assert _fill(ws["C5"]) == FILLS[Severity.INFO]  # “cá nhân” normalised
    assert "DN-DANHMUC" in ws["D5"].comment.text and "Mục IV.1, Mục V" in ws["D5"].comment.text
    assert "DN-MINHCHUNG" in ws["O5"].comment.text
    assert _fill(ws["B5"]) == "" and ws["B5"].comment is None
    for row in range(1, 8):
        for col in range(1, 20):
            assert ws.cell(row, col).value == original.cell(row, col).value


def test_summary_sheet_lists_findings_with_links(tmp_path, make_book, rules):
    """The first sheet lists every finding, errors first, each linking to its cell."""
    path = make_book([good_row(gender="Na", evidence=None)], name="cheo.xlsx")
    validation = validate_files([path], rules, as_of=AS_OF)
    [copy] = write_annotated_copies(validation, tmp_path / "out", inputs=[path])
    wb = openpyxl.load_workbook(copy)
    assert wb.sheetnames[0] == SUMMARY_SHEET
    ws = wb[SUMMARY_SHEET]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=5, max_col=4)]
    assert rows == [["LỖI", "Danh sách đề nghị", None, "DV-TOITHIEU"],
                    ["LỖI", "Danh sách đề nghị", "D5", "DN-DANHMUC"],
                    ["CẢNH BÁO", "Danh sách đề nghị", "O5", "DN-MINHCHUNG"]]
    assert ws["C6"].hyperlink.location == "'Danh sách đề nghị'!D5"


def test_formula_like_text_stays_text(tmp_path, make_book, rules):
    """A unit's text "=1+1" or "@SUM(A1)" stays inert text in the annotated copy and in its findings sheet."""
    path = make_book([good_row(name=Raw("=1+1"), gender=Raw("@SUM(A1)"))], name="cong_thuc.xlsx")
    validation = validate_files([path], rules, as_of=AS_OF)
    [copy] = write_annotated_copies(validation, tmp_path / "out", inputs=[path])
    wb = openpyxl.load_workbook(copy)
    ws = wb["Danh sách đề nghị"]
    assert (ws["B5"].value, ws["B5"].data_type) == ("=1+1", "s")
    assert (ws["D5"].value, ws["D5"].data_type) == ("@SUM(A1)", "s")
    for row in wb[SUMMARY_SHEET].iter_rows():
        for cell in row:
            assert cell.data_type != "f"


def test_refuses_to_overwrite_input(tmp_path, make_book, rules):
    """A copy whose name is another input's is refused with OutputError; the input is untouched."""
    first = make_book([good_row(gender="Na")], name="a.xlsx")
    second = make_book([good_row()], name="a_danh_dau.xlsx")
    validation = validate_files([first, second], rules, as_of=AS_OF)
    before = second.read_bytes()
    with pytest.raises(OutputError, match="refusing to write"):
        write_annotated_copies(validation, tmp_path, inputs=[first, second])
    assert second.read_bytes() == before


def _runs(cell) -> list[tuple[str, bool, str | None]]:
    """A rich-text cell's runs as (text, bold, underline)."""
    assert isinstance(cell.value, CellRichText), cell.value
    return [(block.text, bool(block.font.b), block.font.u) for block in cell.value]


def test_the_heading_keeps_its_rich_text(tmp_path, make_book, rules):
    """B1 (agency, then the unit in bold) and F1 (bold Quốc hiệu, bold underlined Tiêu ngữ) stay rich text."""
    path = make_book([good_row(gender="Na")], name="cheo.xlsx")
    validation = validate_files([path], rules, as_of=AS_OF)
    [copy] = write_annotated_copies(validation, tmp_path / "out", inputs=[path])
    ws = openpyxl.load_workbook(copy, rich_text=True)["Danh sách đề nghị"]
    assert _runs(ws["B1"]) == [("SỞ VĂN HÓA VÀ THỂ THAO HÀ NỘI", False, None), ("\nNHÀ HÁT CHÈO HÀ NỘI", True, None)]
    assert _runs(ws["F1"]) == [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True, None),
                               ("\nĐộc lập - Tự do - Hạnh phúc", True, "single")]
