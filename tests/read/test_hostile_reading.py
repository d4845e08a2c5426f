"""Hostile input on the reading side: sheets claiming a huge extent, merge bombs, huge extra sheets,
formulas without values, signature lines in the middle of a table, and the row reconciliation."""

from __future__ import annotations

import dataclasses
import datetime as dt
import zipfile

import openpyxl
import pytest
from openpyxl.styles import Font

from checker import consolidate

from checker.read import xlsx_scan
from checker.validate.pipeline import read_paths, validate
from checker.read.workbook import read_workbook

from ..conftest import good_row
from ..builders.hostile import NOMINATIONS_SHEET, many_rows
from ..builders.hostile_reading import (SOFFICE, add_big_sheet, add_merges, append_rows, ods_cell, ods_like_libreoffice,
                              to_xls, write_ods)

AS_OF = dt.date(2023, 5, 20)
NOMINATIONS = "Danh sách đề nghị"
LIMIT = "vượt giới hạn 10000 dòng × 200 cột"


def outcome(path, rules):
    """("rejected", code, reason), or ("read", data rows, rows not data by kind, (cell, rule id) findings)."""
    validation = validate(read_paths([path]), rules, as_of=AS_OF)
    book = validation.books[0]
    if book.rejected is not None:
        return "rejected", book.rejected.code, book.rejected.reason
    table = book.tables["nominations"]
    not_data = {kind: rows for kind, rows in table.not_data.items() if rows}
    assert table.seen == len(table.rows) + sum(len(rows) for rows in table.not_data.values())
    return "read", table.rows, not_data, validation.report().flatten(("cell", "rule_id"))


def text_cell(ref: str, value: str = "x", extra: str = "") -> str:
    return f'<c r="{ref}"{extra} t="inlineStr"><is><t>{value}</t></is></c>'


def too_big(rows: int, cols: int) -> tuple:
    return "rejected", "too_many_cells", f"trang “{NOMINATIONS}” có {rows} dòng × {cols} cột, {LIMIT}"


CLEAN = ("read", [5], {}, [])

# ---------------------------------------------------------------------------------------------
# Family 3: a sheet's extent is bounded from its XML before calamine allocates anything

EXTENTS = [
    pytest.param(f'<row r="1048576">{text_cell("XFD1048576")}</row>', too_big(1048576, 16384), id="XFD1048576"),
    pytest.param(f'<row r="3000">{text_cell("XFD3000")}</row>', too_big(3000, 16384), id="XFD3000"),
    pytest.param(f'<row r="10000">{text_cell("GR10000")}</row>', ("read", [5], {"outside": [10000]}, []),
                 id="row-and-column-at-the-limits"),
    pytest.param(f'<row r="10001">{text_cell("GR10001")}</row>', too_big(10001, 200), id="one-row-more"),
    pytest.param(f'<row r="6">{text_cell("GS6")}</row>', too_big(6, 201), id="one-column-more"),
    pytest.param(f'<row r="3000">{text_cell("xfd3000")}</row>', too_big(3000, 16384), id="lowercase-reference"),
    pytest.param('<x:row xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="3000">'
                 '<x:c r="XFD3000" t="inlineStr"><x:is><x:t>x</x:t></x:is></x:c></x:row>',
                 too_big(3000, 16384), id="namespace-prefix"),
    pytest.param('<row r="3000">' + '<c s="1"/>' * 200 + '<c t="inlineStr"><is><t>x</t></is></c></row>',
                 too_big(3000, 201), id="cells-without-reference-count-by-position"),
    pytest.param('<row r="9999"/><row><c r="A10000" s="1"/></row><row><c t="inlineStr"><is><t>x</t></is></c></row>',
                 too_big(10001, 19), id="rows-without-number-follow-on"),
    pytest.param('<row r="3000"><c r="XFD3000" t="str"><v></v></c></row>', too_big(3000, 16384),
                 id="empty-value-is-a-value-for-calamine"),
    pytest.param('<row r="3000"><c r="XFD3000" s="2" foo="a&gt;b" bar="1>2" t="inlineStr"><is><t>x</t></is></c></row>',
                 too_big(3000, 16384), id="quoted-greater-than"),
    pytest.param("<row r='3000'><c s=' r=\"A1\"' r='XFD3000' t='inlineStr'><is><t>x</t></is></c></row>",
                 too_big(3000, 16384), id="single-quotes-and-a-fake-reference"),
    pytest.param('<row r="3000"><c r="XFD3000"><v/></c></row>', CLEAN, id="self-closing-value-is-none"),
    pytest.param('<row r="1048576"><c r="XFD1048576" s="1"/></row>', CLEAN, id="formatting-only-cell"),
    pytest.param('<row r="1048576" s="1" customFormat="1"><c r="XFD1048576" s="1"></c></row>', CLEAN,
                 id="empty-cell-element"),
    pytest.param('<row r="3000"><c r="XFD3000" t="s"/></row>', CLEAN, id="typed-but-empty"),
    pytest.param('<row r="3000"><c r="$XFD$3000" t="inlineStr"><is><t>x</t></is></c></row>',
                 ("rejected", "corrupt", "tệp hỏng hoặc không phải bảng tính hợp lệ (CalamineError)"),
                 id="reference-calamine-refuses"),
]


@pytest.mark.parametrize("rows_xml, expected", EXTENTS)
def test_sheet_extent_is_bounded_before_loading(tmp_path, make_book, rules, rows_xml, expected):
    """A value far from A1 rejects the sheet before calamine builds its grid; cells that hold no
    value (formatting, <v/>, t without content) never do."""
    path = append_rows(make_book(), tmp_path / "far.xlsx", rows_xml)
    assert outcome(path, rules) == expected


def test_lying_dimension_is_only_a_hint(tmp_path, make_book, rules):
    """<dimension ref="A1:XFD1048576"/> over a small table: the cells decide, the file is read."""
    path = append_rows(make_book(), tmp_path / "dim.xlsx", "", dimension="A1:XFD1048576")
    assert outcome(path, rules) == CLEAN


def test_formatting_only_rows_stay_harmless(tmp_path, make_book, rules):
    """100,000 formatted empty rows below the table are not values: the file reads normally."""
    path = many_rows(make_book(), tmp_path / "fmt.xlsx", rows=100_000, with_values=False)
    assert outcome(path, rules) == CLEAN


def test_repeated_cells_are_bounded_by_the_cell_count(tmp_path, make_book, rules):
    """The same cell written again and again stays inside the extent but not inside the cell budget
    (calamine keeps every copy): rejected with the count."""
    small = dataclasses.replace(rules, limits=dataclasses.replace(rules.limits, max_rows=40, max_columns=25))
    source = make_book()
    ws = openpyxl.load_workbook(source)[NOMINATIONS]
    held = sum(1 for row in ws.iter_rows() for cell in row if cell.value is not None)
    path = append_rows(source, tmp_path / "dup.xlsx", '<row r="6">' + '<c r="A6"><v>1</v></c>' * 1000 + "</row>")
    assert outcome(path, small) == ("rejected", "too_many_cells",
                                    f"trang “{NOMINATIONS}” có {held + 1000:,} ô dữ liệu (có ô lặp lại), "
                                    "vượt giới hạn 1,000 ô")


def test_a_tag_longer_than_any_real_one_is_refused(tmp_path, make_book, rules):
    """A tag still unfinished after more than 1 MiB (which would make the streamed scan re-read it
    block after block) is a damaged file."""
    import base64
    import random

    junk = base64.b64encode(random.Random(11).randbytes(2_400_000)).decode()
    path = append_rows(make_book(), tmp_path / "tag.xlsx", f'<row r="6"><c r="A6" x="{junk}"><v>1</v></c></row>')
    assert outcome(path, rules) == ("rejected", "corrupt", f"phần {NOMINATIONS_SHEET} có thẻ XML dài bất thường "
                                    "(hơn 1,048,576 byte): tệp hỏng hoặc bị sửa bất thường")


def test_fast_and_careful_scans_agree(tmp_path, make_book):
    """The streamed scan's fast path and its careful path measure the same extent and formulas."""
    rows = ('<row r="7"><c r="B7"><f>A7*2</f></c><c r="C7" t="str"><f t="shared" ref="C7:C8" si="0">A7&amp;"x"</f>'
            '<v></v></c></row><row r="8"><c r="C8"><f t="shared" si="0"/></c><c r="Q8"><v>3</v></c></row>')
    path = append_rows(make_book(), tmp_path / "f.xlsx", rows)
    with zipfile.ZipFile(path) as zf:
        fast = xlsx_scan.xlsx_extent(zf, NOMINATIONS_SHEET, NOMINATIONS)
        careful = xlsx_scan._xlsx_exact(zf, NOMINATIONS_SHEET, NOMINATIONS)
    assert (fast.rows, fast.cols, fast.cells, fast.formulas) == (careful.rows, careful.cols, careful.cells,
                                                                  careful.formulas)
    assert (fast.rows, fast.cols) == (8, 19)
    assert fast.formulas == [(7, 2, "=A7*2"), (7, 3, '=A7&"x"'), (8, 3, '=A8&"x"')]


# .ods: written as XML here (LibreOffice's own layout: repeats of empty cells and rows to the edge)

def test_ods_with_libreoffice_padding_is_read(tmp_path, make_book, rules):
    """An .ods padded to column 16,384 and row 1,048,576 with EMPTY repeats reads like the .xlsx."""
    path = ods_like_libreoffice(make_book([good_row(1), good_row(2, gender="Na")]), tmp_path / "bao_cao.ods")
    assert outcome(path, rules) == ("read", [5, 6], {}, [("D6", "DN-DANHMUC")])


VALUE = ods_cell("x")
ODS_EXTENTS = [
    pytest.param(VALUE.replace("<table:table-cell", '<table:table-cell table:number-columns-repeated="16384"', 1),
                 too_big(6, 16384), id="value-repeated-across-columns"),
    pytest.param(f'<table:table-row table:number-rows-repeated="1000000">{VALUE}</table:table-row>',
                 too_big(1000005, 19), id="value-row-repeated"),
    pytest.param('<table:table-row table:number-rows-repeated="9994"><table:table-cell '
                 f'table:number-columns-repeated="16384"/></table:table-row><table:table-row>{VALUE}</table:table-row>',
                 ("read", [5], {"numbered_blank": [10000]}, []), id="value-at-the-last-row-allowed"),
    pytest.param('<table:table-row table:number-rows-repeated="9995"><table:table-cell/></table:table-row>'
                 f'<table:table-row>{VALUE}</table:table-row>', too_big(10001, 19), id="one-row-past-the-limit"),
    pytest.param('<table:table-cell table:number-columns-repeated="16383"/><table:table-cell table:style-name="ce1"/>',
                 ("read", [5], {}, []), id="styled-empty-cell-at-the-edge"),
    pytest.param('<table:table-cell table:number-columns-repeated="16383"/><table:table-cell><text:p/></table:table-cell>',
                 ("read", [5], {}, []), id="empty-paragraph-at-the-edge"),
]


@pytest.mark.parametrize("row_xml, expected", ODS_EXTENTS)
def test_ods_repeats_count_only_when_they_hold_values(tmp_path, make_book, rules, row_xml, expected):
    """Repeated rows and cells count as many times as they are repeated when they hold a value;
    empty repeats never count. (Rows 1-5 are the template's; the tested row follows.)"""
    if not row_xml.startswith("<table:table-row"):
        row_xml = f"<table:table-row>{row_xml}</table:table-row>"
    path = ods_like_libreoffice(make_book(), tmp_path / "lap.ods", extra={NOMINATIONS: row_xml})
    assert outcome(path, rules) == expected


def test_ods_bound_applies_to_every_sheet(tmp_path, rules):
    """calamine reads every table of an .ods when opening it: a far value in any table rejects the file."""
    far = ('<table:table-row table:number-rows-repeated="20000"><table:table-cell/></table:table-row>'
           f"<table:table-row>{VALUE}</table:table-row>")
    path = write_ods(tmp_path / "khac.ods", {"Ghi chú": far})
    assert outcome(path, rules) == ("rejected", "too_many_cells",
                                    f"trang “Ghi chú” có 20001 dòng × 1 cột, {LIMIT}")


needs_office = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is needed to write .xls files")


@needs_office
def test_xls_cell_at_iv65536_is_rejected_before_opening(tmp_path, rules):
    """A cell at IV65536 of an .xls would make calamine allocate ~1 GB when it opens the file."""
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.active["A1"], wb.active["IV65536"] = "a", "z"
    wb.save(tmp_path / "iv.xlsx")
    path = to_xls(tmp_path / "iv.xlsx", tmp_path / "out")
    assert outcome(path, rules) == ("rejected", "too_many_cells",
                                    f"trang “Sheet1” có 65536 dòng × 256 cột, {LIMIT}")


@needs_office
def test_xls_report_with_formatting_far_away_is_read(tmp_path, make_book, rules):
    """An .xls report is read as the .xlsx was; a formatted empty cell at IV65536 (BLANK) costs nothing."""
    source = make_book([good_row(1), good_row(2, gender="Na")])
    wb = openpyxl.load_workbook(source)
    wb[NOMINATIONS]["IV65536"].font = Font(bold=True)
    wb.save(source)
    path = to_xls(source, tmp_path / "out")
    assert outcome(path, rules) == ("read", [5, 6], {}, [("D6", "DN-DANHMUC")])


# ---------------------------------------------------------------------------------------------
# Family 7: tiny files, huge cost

MERGES = [
    pytest.param(["A20:XFD1048576"], ("read", [5, 6], {}, [("D6", "DN-DANHMUC")]), id="one-range-to-the-edge"),
    pytest.param(["A20:XFD1048576"] * 2000, ("read", [5, 6], {}, [("D6", "DN-DANHMUC")]), id="2000-ranges-to-the-edge"),
    pytest.param(["D5:D6"], ("read", [5, 6], {}, []), id="merged-value-fills-the-range"),
    pytest.param(["D5:D6"] * 2000 + ["A7:S9000"], ("read", [5, 6], {}, []), id="2000-overlapping-ranges"),
]


@pytest.mark.parametrize("refs, expected", MERGES)
def test_merge_ranges_cost_only_the_cells_that_exist(tmp_path, make_book, rules, refs, expected):
    """Merged ranges are clipped to the loaded cells and their total work to the sheet's size; the
    findings are those of the same file with one range."""
    source = make_book([good_row(1), good_row(2, gender="Na")])
    assert outcome(add_merges(source, tmp_path / "gop.xlsx", refs), rules) == expected


def test_too_many_merge_ranges_are_refused(tmp_path, make_book, rules):
    """More merged ranges than the sheet has rows allowed: rejected before calamine lists them."""
    small = dataclasses.replace(rules, limits=dataclasses.replace(rules.limits, max_rows=100))
    path = add_merges(make_book(), tmp_path / "gop.xlsx", [f"T{r}:U{r}" for r in range(1, 98)])
    assert outcome(path, small) == ("rejected", "too_many_cells",  # 97 and the heading's 4
                                    f"trang “{NOMINATIONS}” có 101 vùng gộp ô, vượt giới hạn 100 vùng")


@pytest.fixture(scope="module")
def big_book(tmp_path_factory, rules):
    """A report with a TCVN3 name (its font set), a formula saved without a value, and an extra
    sheet of 3,000,000 cells that ntvt never needs to read."""
    from checker.write.filling import fill_template

    from ..conftest import good_info

    work = tmp_path_factory.mktemp("big")
    path = fill_template(rules, work / "base.xlsx", as_of=dt.date(2023, 5, 2), unit="CHEO", period="2023-05",
                         info=good_info(), nominations=[good_row(1), good_row(2)], activities=[], summary=None)
    wb = openpyxl.load_workbook(path)
    ws = wb[NOMINATIONS]
    ws["B5"], ws["B5"].font = "NguyÔn ThÞ Hoa", Font(name=".VnTime")
    ws["F6"] = '=UPPER("giám đốc")'
    wb.save(path)
    return add_big_sheet(path, work / "lon.xlsx", rows=15_000, cols=200)


def test_legacy_font_found_without_loading_the_workbook(big_book, rules):
    """The suspect cell's font comes from its sheet's XML and styles.xml; the 3M-cell sheet is never parsed."""
    book = read_workbook("lon.xlsx", big_book.read_bytes(), rules)
    assert book.rejected is None
    assert book.fonts == {(NOMINATIONS, 5, 2): ".VnTime"}
    assert book.formulas == [(NOMINATIONS, 6, 6, '=UPPER("giám đốc")')]


def test_big_extra_sheet_findings(big_book, rules):
    """With the 3M-cell sheet beside them, the findings are exactly those of the report alone."""
    assert outcome(big_book, rules) == ("read", [5, 6], {"footer": [31, 32]}, [
        ("B5", "DL-CHUANHOA"), ("F6", "DL-CONGTHUC")])  # one finding for the formula cell (#13 item 10)


FORMULAS = [
    pytest.param('<c r="F5"><f>UPPER("a")</f></c>', [("F5", '=UPPER("a")')], id="no-value"),
    pytest.param('<c r="F5" t="str"><f>UPPER("a")</f><v></v></c>', [("F5", '=UPPER("a")')], id="empty-value"),
    pytest.param('<c r="F5" t="str"><f>UPPER("a")</f><v/></c>', [("F5", '=UPPER("a")')], id="self-closing-value"),
    pytest.param('<c r="F5" t="str"><f>UPPER("a")</f><v>A</v></c>', [], id="cached-value"),
    pytest.param('<c r="F5" t="str"><f>A5&amp;"&lt;b&gt;"</f></c>', [("F5", '=A5&"<b>"')], id="escaped-text"),
]


@pytest.mark.parametrize("cell_xml, expected", FORMULAS)
def test_formula_without_value_is_found_by_streaming(tmp_path, make_book, rules, cell_xml, expected):
    """A formula saved without a cached value is reported at its cell (DL-CONGTHUC), never computed."""
    from ..builders.hostile import set_cell_xml

    path = set_cell_xml(make_book(), tmp_path / "f.xlsx", "F5", cell_xml)
    report = validate(read_paths([path]), rules, as_of=AS_OF).report()
    assert [(f.cell, f.value) for f in report.findings if f.rule_id == "DL-CONGTHUC"] == expected


# ---------------------------------------------------------------------------------------------
# Family 8: data after a signature-like line is read, never dropped


def signed_book(make_book, cells: dict, insert_at: int | None = 6, rows: int = 8):
    """A report of `rows` clean rows (from row 5), a row inserted at `insert_at`, then `cells` set."""
    path = make_book([good_row(n) for n in range(1, rows + 1)])
    wb = openpyxl.load_workbook(path)
    ws = wb[NOMINATIONS]
    if insert_at:
        ws.insert_rows(insert_at)
    for ref, value in cells.items():
        ws[ref] = value
    wb.save(path)
    return path


AFTER_8 = [5, 7, 8, 9, 10, 11, 12, 13]
FOOTERS = [
    pytest.param({"K6": "Hà Nội, ngày 15 tháng 5 năm 2023"}, 6, ("read", AFTER_8, {"footer": [6]}, []),
                 id="place-date-line-mid-table"),
    pytest.param({"B6": "Thủ trưởng đơn vị"}, 6, ("read", AFTER_8, {"footer": [6]}, []), id="head-title-mid-table"),
    pytest.param({"B6": "THỦ TRƯỞNG ĐƠN VỊ", "K6": "(Ký, ghi rõ họ tên, đóng dấu)", "L6": "Nguyễn Văn An"}, 6,
                 ("read", AFTER_8, {"footer": [6]}, []), id="three-cell-signature-line-mid-table"),
    pytest.param({"A6": 2, "B6": "Lê Văn Tâm", "F6": "Thủ trưởng đơn vị"}, 6,
                 ("read", [5, 6, 7, 8, 9, 10, 11, 12, 13], {},
                  [("C6", "DN-BATBUOC"), ("H6", "DN-BATBUOC"), ("J6", "DN-BATBUOC"), ("K6", "DN-BATBUOC"),
                   ("P6", "DN-BATBUOC"), ("Q6", "DN-BATBUOC")]), id="a-numbered-row-naming-the-head-is-data"),
    pytest.param({"K13": "Hà Nội, ngày 15 tháng 5 năm 2023", "B14": "NGƯỜI LẬP BIỂU", "K14": "THỦ TRƯỞNG ĐƠN VỊ",
                  "B15": "(Ký, ghi rõ họ tên)", "K15": "(Ký, ghi rõ họ tên, đóng dấu)", "B18": "Lê Thị Bình",
                  "K18": "Nguyễn Văn An"}, None,
                 ("read", [5, 6, 7, 8, 9, 10, 11, 12], {"footer": [13, 14, 15, 18]}, []), id="real-signature-block"),
    pytest.param({"K13": "Hà Nội, ngày 15 tháng 5 năm 2023", "K14": "THỦ TRƯỞNG ĐƠN VỊ", "K18": "Nguyễn Văn An",
                  "A20": 9, "B20": "Trần Văn Cường"}, None,
                 ("read", [5, 6, 7, 8, 9, 10, 11, 12, 20], {"footer": [13, 14, 18]},
                  [("C20", "DN-BATBUOC"), ("F20", "DN-BATBUOC"), ("H20", "DN-BATBUOC"), ("J20", "DN-BATBUOC"),
                   ("K20", "DN-BATBUOC"), ("P20", "DN-BATBUOC"), ("Q20", "DN-BATBUOC")]),
                 id="numbered-row-after-the-signature-is-data"),
    pytest.param({"A6": "I.", "B6": "Cá nhân", "A14": 9}, 6,
                 ("read", AFTER_8, {"group": [6], "numbered_blank": [14]}, []), id="group-and-numbered-blank-rows"),
    pytest.param({"K14": "THỦ TRƯỞNG ĐƠN VỊ", "U16": "ghi chú ngoài bảng"}, None,
                 ("read", [5, 6, 7, 8, 9, 10, 11, 12], {"footer": [14], "outside": [16]}, []),
                 id="note-outside-after-signature"),
    pytest.param({"U9": "ghi chú ngoài bảng"}, None,
                 ("read", [5, 6, 7, 8, 9, 10, 11, 12], {}, []), id="note-beside-a-data-row"),
    pytest.param({"U14": "ghi chú ngoài bảng"}, None,
                 ("read", [5, 6, 7, 8, 9, 10, 11, 12], {"outside": [14]}, []), id="note-outside-the-table"),
]


@pytest.mark.parametrize("cells, insert_at, expected", FOOTERS)
def test_rows_after_a_signature_like_line_are_read(make_book, rules, cells, insert_at, expected):
    """A signature-like line is not data and no longer ends the table: the rows after it that look
    like data are read; the rest of a real signature block is not data; every row is accounted for."""
    assert outcome(signed_book(make_book, cells, insert_at), rules) == expected


# ---------------------------------------------------------------------------------------------
# The reconciliation: what the reader saw against what the writer wrote


def overview(path) -> dict:
    ws = openpyxl.load_workbook(path)["Tổng quan"]
    return {row[0]: row[1:4] for row in ws.iter_rows(max_col=4, values_only=True) if isinstance(row[0], str)}


def test_reconciliation_on_a_footer_case(tmp_path, make_book, rules):
    """The overview states, per sheet, the rows the reader saw, how it took them and the rows the
    writer wrote, and says they agree."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    signed_book(make_book, {"K6": "Hà Nội, ngày 15 tháng 5 năm 2023", "A14": 9}, 6).rename(inbox / "cheo.xlsx")
    c = consolidate(inbox, tmp_path / "out.xlsx", rules, as_of=AS_OF)
    assert c.row_accounts()["nominations"] == {"seen": 10, "data": 8, "numbered_blank": 1, "group": 0, "footer": 1,
                                               "outside": 0, "frames": 8, "written": 8}
    counts = c.counts
    assert (counts["rows_seen"], counts["rows_in"], counts["rows_out"], counts["rows_written"]) == (10, 8, 8, 8)
    lines = overview(tmp_path / "out.xlsx")
    assert lines["Dòng có nội dung dưới dòng tiêu đề"] == (10, 10, 0)
    assert lines["Dòng dữ liệu đọc được"] == lines["Dòng dữ liệu trong bảng tổng hợp"] == (8, 8, 0)
    assert lines["  Dòng ký tên, ngày tháng (khối chữ ký)"] == (1, 1, 0)
    assert lines["  Dòng chỉ có số thứ tự (để trống)"] == (1, 1, 0)
    assert any(label.startswith("Khớp: tệp báo cáo = được dùng + đã thay thế + bị loại") for label in lines)


def test_reconciliation_on_the_samples(tmp_path, rules):
    """On the sample inbox every row under a header is data or a known kind of non-data row, and
    the writer wrote every data row."""
    from ..conftest import ROOT

    c = consolidate(ROOT / "sample_workbooks", tmp_path / "out.xlsx", rules, as_of=dt.date(2023, 7, 25))
    counts = c.counts
    not_data = sum(counts[f"rows_not_data_{kind}"] for kind in ("numbered_blank", "group", "footer", "outside"))
    assert counts["rows_seen"] == counts["rows_in"] + not_data
    assert counts["rows_in"] == counts["rows_out"] == counts["rows_written"] == 96
    # The template's own signature block (2 rows on each of the 2 lists) in the 55 files sent on
    # the new template, and 3 signature lines the samples' units typed themselves.
    assert counts["rows_not_data_footer"] == 55 * 2 * 2 + 3
    lines = overview(tmp_path / "out.xlsx")
    assert lines["Dòng dữ liệu trong bảng tổng hợp"] == (96, 69, 27)


def test_a_row_the_writer_loses_is_flagged(tmp_path, make_book, rules, monkeypatch):
    """The writer's count is its own: if a row went missing on the way out, the overview says
    KHÔNG KHỚP, with the sheet and both numbers."""
    from checker.write.workbook import data_sheets as output

    inbox = tmp_path / "inbox"
    make_book([good_row(1), good_row(2)], directory=inbox)
    real = output.data_rows

    def lose_last(*args, **kwargs):
        rows = list(real(*args, **kwargs))
        yield from rows[:-1]

    monkeypatch.setattr(output, "data_rows", lose_last)
    c = consolidate(inbox, tmp_path / "out.xlsx", rules, as_of=AS_OF)
    assert c.counts["rows_in"] == 2 and c.counts["rows_written"] == 1
    verdict = [label for label in overview(tmp_path / "out.xlsx") if label.startswith("KHÔNG KHỚP")]
    assert verdict == ["KHÔNG KHỚP: trang “Danh sách đề nghị”: đọc được 2 dòng dữ liệu nhưng ghi 1 dòng vào bảng "
                       "tổng hợp. Có thể đã mất dữ liệu: chưa dùng bảng này, hãy báo cho nhóm phát triển (lỗi chương "
                       "trình) kèm hộp thư đã tổng hợp."]
