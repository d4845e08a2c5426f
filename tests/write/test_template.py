"""Tests for checker.write.template: the standard template written from the rules file, read back with openpyxl."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter
import pytest

from checker.read.workbook import read_workbook
from checker.ruleset.loader import load_rules

from checker.ruleset.spec import RuleSet
from checker.write.template import (
    CONDITIONAL_MARK,
    REQUIRED_MARK,
    make_template,
    make_unit_templates,
    required_marks,
)
from checker.write.names import template_name
from checker.write.filling import fill_template
from checker.write.template_form import bands

from ..conftest import good_row
from ..builders.parts import need

AS_OF = dt.date(2023, 5, 2)
LIST_TYPES = ("list", "unit", "period")


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules()


@pytest.fixture(scope="module")
def blank(rules, tmp_path_factory) -> Path:
    return make_template(rules, tmp_path_factory.mktemp("tpl") / "mau.xlsx", as_of=AS_OF)


@pytest.fixture(scope="module")
def wb(blank):
    return openpyxl.load_workbook(blank)


def labelled(rules: RuleSet, sheet) -> list[str]:
    marks = required_marks(rules, sheet)
    return [f.label + marks.get(f.key, "") for f in sheet.fields]


def validation_for(ws, col: int, row: int):
    """The data validation covering the cell at (row, col), or None."""
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            if rng.min_col <= col <= rng.max_col and rng.min_row <= row <= rng.max_row:
                return dv
    return None


def column_dim(ws, col: int):
    """The column dimension covering column number `col` (xlsxwriter groups equal neighbours)."""
    return next(d for d in ws.column_dimensions.values() if d.min <= col <= d.max)


def list_range_values(wb, formula: str) -> list[str]:
    """The values of a 'Danh mục'!$X$2:$X$n range a dropdown points at."""
    m = re.fullmatch(r"'(.+)'!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", formula.lstrip("="))
    assert m, formula
    sheet, col, first, col2, last = m.groups()
    assert sheet == "Danh mục" and col == col2
    ws = wb[sheet]
    return [ws[f"{col}{r}"].value for r in range(int(first), int(last) + 1)]


def form_row(ws, label: str) -> int:
    """The row whose column-A label is `label` (markers ignored)."""
    for row in range(3, ws.max_row + 1):
        value = ws.cell(row, 1).value or ""
        if value.removesuffix(CONDITIONAL_MARK).removesuffix(REQUIRED_MARK) == label:
            return row
    raise AssertionError(f"no row labelled {label!r}")


def expected_list(rules: RuleSet, field) -> list[str]:
    if field.type == "unit":
        return [u.name for u in rules.units]
    if field.type == "period":
        return [rules.cycle_label(c) for c in rules.deadlines.cycles]
    return list(rules.list_values(field.list))


# -- structure --------------------------------------------------------------------------------


def test_sheets_order_and_visibility(wb, rules):
    """The rules' sheets come first, in order and visible, then the hidden list and version sheets."""
    names = [s.name for s in rules.sheets]
    assert names == ["Hướng dẫn", "Thông tin đơn vị", "Danh sách đề nghị", "Hoạt động", "Tổng kết"]
    assert wb.sheetnames == names + ["Danh mục", "_ntvt"]
    assert [ws.sheet_state for ws in wb] == ["visible"] * 5 + ["hidden", "hidden"]


def test_required_markers_follow_error_checks(rules):
    """Labels get " *" from unconditional error checks, " (*)" from conditional ones, nothing from warnings."""
    assert required_marks(rules, rules.sheet("nominations")) == {
        "name": " *", "kind": " *", "position": " *", "deed_group": " *", "deed_date": " *", "summary": " *",
        "scope": " *", "level": " *", "gender": " (*)", "birth_year": " (*)", "staff_type": " (*)"}
    assert required_marks(rules, rules.sheet("activities")) == {
        "date": " *", "type": " *", "content": " *", "articles": " (*)"}
    assert required_marks(rules, rules.sheet("info")) == {
        "unit": " *", "period": " (*)", "report_type": " *", "head": " *", "preparer": " *", "sent_date": " *"}
    assert required_marks(rules, rules.sheet("summary")) == {"highlights": " (*)"}


def test_table_headers_and_titles(wb, rules):
    """Each table sheet keeps its labels in row 4 (cells letters name stay those of earlier versions)."""
    for key in ("nominations", "activities"):
        sheet = rules.sheet(key)
        ws = wb[sheet.name]
        header = [ws.cell(4, c).value for c in range(1, len(sheet.fields) + 1)]
        assert header == labelled(rules, sheet)
        assert header[0] == "STT"
        assert ws.cell(4, len(sheet.fields) + 1).value is None
        assert ws["A1"].value is None and ws["A3"].value is None  # nothing of the heading in the repeated STT column
    assert wb["Danh sách đề nghị"]["L4"].value == "Tiêu chí 1: Nhiều việc làm tốt, được cộng đồng ghi nhận"
    assert wb["Danh sách đề nghị"]["D4"].value == "Giới tính (*)"


def merged(ws) -> dict[str, str]:
    """Top-left cell -> merged range, for the ranges of a sheet."""
    return {r.coord.split(":")[0]: r.coord for r in ws.merged_cells.ranges}


def test_table_heading_is_an_administrative_form(wb, rules):
    """Nghị định 30/2020/NĐ-CP: agency and unit top left, Quốc hiệu and Tiêu ngữ top right, the
    place-and-date line under them, the title and plan line centred over the first printed band."""
    ws = wb["Danh sách đề nghị"]
    assert ws["B1"].value == "SỞ VĂN HÓA VÀ THỂ THAO HÀ NỘI\nTÊN ĐƠN VỊ: ……………………"
    assert ws["F1"].value == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    assert ws["F2"].value == "Hà Nội, ngày …… tháng …… năm 2023" and ws["F2"].font.i
    assert ws["B3"].value == (rules.template.title + "\n(Thực hiện Kế hoạch số 327/KH-SVHTT ngày 27/04/2023 "
                              "của Sở Văn hóa và Thể thao Hà Nội)")
    # The first band is columns A-H (template_form.bands); the blocks share it, right of STT.
    assert merged(ws) == {"B1": "B1:E1", "F1": "F1:H1", "F2": "F2:H2", "B3": "B3:H3"}
    activities = wb["Hoạt động"]
    assert activities["B3"].value.startswith("HOẠT ĐỘNG TRIỂN KHAI KẾ HOẠCH\n(Thực hiện Kế hoạch số 327/KH-SVHTT")
    assert activities["E1"].value.startswith("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")


def test_heading_runs_keep_their_styles(blank):
    """The two-line blocks are rich text: the unit bold under the agency, the Tiêu ngữ underlined."""
    ws = openpyxl.load_workbook(blank, rich_text=True)["Danh sách đề nghị"]
    agency, unit = ws["B1"].value
    assert (agency.text, bool(agency.font.b)) == ("SỞ VĂN HÓA VÀ THỂ THAO HÀ NỘI", False)
    assert (unit.text, unit.font.b) == ("\nTÊN ĐƠN VỊ: ……………………", True)
    nation, motto = ws["F1"].value
    assert nation.font.b and motto.font.b and motto.font.u == "single" and not nation.font.u


def test_unit_template_names_the_unit_in_the_heading(tmp_path, rules):
    out = make_template(rules, tmp_path / "t.xlsx", as_of=AS_OF, unit="QLVH", period="2023-06")
    ws = openpyxl.load_workbook(out)["Danh sách đề nghị"]
    assert ws["B1"].value == "SỞ VĂN HÓA VÀ THỂ THAO HÀ NỘI\nPHÒNG QUẢN LÝ VĂN HÓA"


def test_prepared_rows_bordered_and_signature_block_under_them(wb, rules):
    """Every prepared input row prints with borders; one empty row under them, the signature block:
    titles, then what each signer writes, centred across the heading's blocks (not merged)."""
    for key, rows, right in (("nominations", rules.template.nomination_rows, "F"),
                             ("activities", rules.template.activity_rows, "E")):
        sheet = rules.sheet(key)
        ws = wb[sheet.name]
        last = 4 + rows
        for row in (5, last):
            for col in range(1, len(sheet.fields) + 1):
                border = ws.cell(row, col).border
                assert border.left.style == border.bottom.style == "thin", (key, row, col)
        assert ws.cell(last + 1, 1).border.bottom.style is None
        # Text and list cells wrap (a long “Phong trào thi đua gắn với” prints whole); dates do not.
        assert all(bool(ws.cell(5, col).alignment.wrap_text) == (field.type != "date")
                   for col, field in enumerate(sheet.fields, start=1)), key
        assert all(ws.cell(last + 1, c).value is None for c in range(1, len(sheet.fields) + 1))
        sign, note = last + 2, last + 3
        assert (ws[f"B{sign}"].value, ws[f"{right}{sign}"].value) == ("NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ")
        assert (ws[f"B{note}"].value, ws[f"{right}{note}"].value) == ("(Ký, ghi rõ họ tên)",
                                                                      "(Ký, ghi rõ họ tên, đóng dấu)")
        assert ws[f"B{sign}"].alignment.horizontal == "centerContinuous"
        assert not any(r.min_row > 4 for r in ws.merged_cells.ranges)
        assert ws.print_area == f"'{sheet.name}'!$A$1:${get_column_letter(len(sheet.fields))}${note}"


def test_signature_block_is_not_data(tmp_path, rules):
    """The reader takes the template's own signature block as the end of the data: a blank template
    has no data row, and a filled one only the rows typed."""
    blank = make_template(rules, tmp_path / "b.xlsx", as_of=AS_OF)
    table = read_workbook(blank.name, blank.read_bytes(), rules).tables["nominations"]
    last = 4 + rules.template.nomination_rows
    assert table.rows == [] and table.not_data["footer"] == [last + 2, last + 3]
    filled = fill_template(rules, tmp_path / "f.xlsx", as_of=AS_OF, nominations=[good_row(1), good_row(2)])
    table = read_workbook(filled.name, filled.read_bytes(), rules).tables["nominations"]
    assert table.rows == [5, 6] and table.not_data["footer"] == [last + 2, last + 3]
def test_form_labels(wb, rules):
    """Form sheets have a merged bold title in A1:B1, row 2 empty, and one label per row from row 3."""
    for key in ("info", "summary"):
        sheet = rules.sheet(key)
        ws = wb[sheet.name]
        assert ws["A1"].value == sheet.name.upper() and ws["A1"].font.b
        assert "A1:B1" in {str(r) for r in ws.merged_cells.ranges}
        assert ws["A2"].value is None and ws["B2"].value is None
        labels = [ws.cell(3 + i, 1).value for i in range(len(sheet.fields))]
        assert labels == labelled(rules, sheet)
        assert all(ws.cell(3 + i, 2).protection.locked is False for i in range(len(sheet.fields)))
        assert ws.cell(3, 1).protection.locked is True
    assert wb["Thông tin đơn vị"]["A3"].value == "Tên đơn vị *"
    assert wb["Thông tin đơn vị"]["A4"].value == "Kỳ báo cáo (*)"


def test_version_sheet(wb):
    """The hidden version sheet holds the template version, plan id and generation date."""
    ws = wb["_ntvt"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=2)]
    assert rows == [["template_version", "2023.1"], ["plan_id", "KH-327-SVHTT-2023"], ["generated", "2023-05-02"]]
    assert ws.sheet_state == "hidden" and ws.protection.sheet


def test_lists_sheet(wb, rules):
    """The hidden list sheet has one column per list, then the unit names and the cycle labels."""
    ws = wb["Danh mục"]
    columns = {}
    for col in range(1, ws.max_column + 1):
        values = [ws.cell(r, col).value for r in range(1, ws.max_row + 1)]
        columns[values[0]] = [v for v in values[1:] if v is not None]
    expected = {name: list(rules.list_values(name)) for name in rules.lists}
    expected["units"] = [u.name for u in rules.units]
    expected["cycles"] = ["Tháng 05/2023", "Tháng 06/2023", "Tháng 07/2023", "Tháng 08/2023", "Tháng 09/2023"]
    assert columns == expected
    assert len(columns["units"]) == 24
    assert ws.sheet_state == "hidden" and ws.protection.sheet


def test_frozen_panes_print_setup_and_protection(wb, rules):
    """Tables freeze below the header, repeat it when printed, and protect only the header and title."""
    for name in ("Danh sách đề nghị", "Hoạt động"):
        ws = wb[name]
        assert ws.freeze_panes == "A5"
        assert ws.print_title_rows == "$4:$4"  # the header on every page; the heading on the first only
        assert ws.protection.sheet
        assert ws.protection.insertRows is False and ws.protection.deleteRows is False  # allowed
        assert ws.protection.sort is False and ws.protection.autoFilter is False  # allowed
        assert ws.protection.insertColumns is True and ws.protection.deleteColumns is True  # forbidden
        assert ws["B4"].protection.locked is True
        assert column_dim(ws, 2).protection.locked is False
        assert ws.auto_filter.ref.startswith("A4:")
    for ws in wb:
        assert ws.protection.sheet, ws.title
        if ws.sheet_state != "visible":
            continue
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.page_setup.paperSize == 9
        sheet = next((sh for sh in rules.sheets if sh.name == ws.title and sh.kind == "table"), None)
        if sheet is None:
            assert ws.sheet_properties.pageSetUpPr.fitToPage is True, ws.title
            assert ws.page_setup.fitToHeight == 0 and (ws.page_setup.fitToWidth or 1) == 1, ws.title
            continue
        # Tables print at a fixed scale over bands of whole columns, STT repeated (template_form).
        widths = [f.width or 14 for f in sheet.fields]
        assert 55 <= ws.page_setup.scale <= 100, ws.title
        assert [b.id for b in ws.col_breaks.brk] == [first for first, _ in bands(widths)[1:]], ws.title
    nominations = wb["Danh sách đề nghị"]
    assert (bands([f.width or 14 for f in rules.sheet("nominations").fields]), nominations.page_setup.scale) == (
        [(0, 7), (8, 12), (13, 18)], 73)
    assert nominations.print_title_cols == "$A:$A"


def test_column_widths_from_rules(wb, rules):
    """Table column widths are the rules' widths (xlsxwriter adds its usual padding)."""
    for key in ("nominations", "activities"):
        sheet = rules.sheet(key)
        ws = wb[sheet.name]
        for i, field in enumerate(sheet.fields, start=1):
            assert column_dim(ws, i).width == pytest.approx((field.width or 14) + 0.71, abs=0.01)


# -- validations --------------------------------------------------------------------------------


def test_table_validations(wb, rules):
    """Every table column has a validation over all prepared rows with a prompt; dropdowns point at their list."""
    for key, rows in (("nominations", rules.template.nomination_rows), ("activities", rules.template.activity_rows)):
        sheet = rules.sheet(key)
        ws = wb[sheet.name]
        for col, field in enumerate(sheet.fields, start=1):
            dv = validation_for(ws, col, 5)
            assert dv is not None, field.key
            rng = next(r for r in dv.sqref.ranges if r.min_col == col)
            assert (rng.min_row, rng.max_row, rng.max_col) == (5, 4 + rows, col)
            assert dv.showInputMessage and dv.prompt == field.prompt
            assert dv.promptTitle == (field.label if len(field.label) <= 32 else field.label[:31].rstrip() + "…")
            assert len(dv.promptTitle) <= 32
            if field.type in LIST_TYPES:
                assert dv.type == "list"
                assert list_range_values(wb, dv.formula1) == expected_list(rules, field)
                assert dv.showErrorMessage and dv.errorStyle in (None, "stop")
                assert dv.errorTitle == "Giá trị không có trong danh mục"
                assert f"“{field.label}”: chỉ chọn một giá trị" in dv.error and len(dv.error) <= 255


def test_no_inline_lists(wb):
    """No dropdown carries an inline list: all refer to ranges of the hidden list sheet."""
    for ws in wb:
        for dv in ws.data_validations.dataValidation:
            if dv.type == "list":
                assert dv.formula1.startswith("'Danh mục'!$") and '"' not in dv.formula1


def test_date_year_and_number_validations(wb, rules):
    """Date columns validate as dates shown dd/mm/yyyy; years follow DN-NAMSINH (1930–2007); counts are whole numbers ≥ 0."""
    checked = set()
    for key in ("nominations", "activities"):
        sheet = rules.sheet(key)
        ws = wb[sheet.name]
        for col, field in enumerate(sheet.fields, start=1):
            dv = validation_for(ws, col, 5)
            dim = column_dim(ws, col)
            if field.type == "date":
                assert dv.type == "date" and dv.operator == "greaterThanOrEqual" and dv.showErrorMessage
                assert dim.number_format == "dd/mm/yyyy"
            elif field.type == "year":
                assert (dv.type, dv.formula1, dv.formula2) == ("whole", "1930", "2007") and dv.operator in (None, "between")
            elif field.type == "int":
                assert (dv.type, dv.operator, dv.formula1) == ("whole", "greaterThanOrEqual", "0")
            elif field.type == "longtext":
                assert dim.alignment.wrap_text
            checked.add(field.type)
    assert {"date", "year", "int", "longtext", "list", "text"} <= checked
    info = wb["Thông tin đơn vị"]
    row = form_row(info, "Ngày gửi")
    assert validation_for(info, 2, row).type == "date"
    assert info.cell(row, 2).number_format == "dd/mm/yyyy"


def test_form_validations(wb, rules):
    """Every form value cell has a prompt; dropdown fields point at the right list."""
    for key in ("info", "summary"):
        sheet = rules.sheet(key)
        ws = wb[sheet.name]
        for field in sheet.fields:
            row = form_row(ws, field.label)
            dv = validation_for(ws, 2, row)
            assert dv is not None and dv.prompt == field.prompt and dv.showInputMessage
            if field.type in LIST_TYPES:
                assert dv.type == "list" and dv.showErrorMessage
                assert list_range_values(wb, dv.formula1) == expected_list(rules, field)
    assert validation_for(wb["Thông tin đơn vị"], 2, 3).formula1 == "'Danh mục'!$K$2:$K$25"


# -- guide ----------------------------------------------------------------------------------------


def guide_text(wb) -> str:
    ws = wb["Hướng dẫn"]
    return "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)


def test_guide_content(wb, rules):
    """The guide names the plan and recipient, lists each cycle's last day, quotes the criteria and the contact."""
    text = guide_text(wb)
    assert "Kế hoạch số 327/KH-SVHTT ngày 27/04/2023" in text
    assert rules.plan.title in text and rules.plan.recipient in text
    assert "trước ngày 20 hằng tháng" in text
    for label, day in (("Tháng 05/2023", "19/05/2023 (thứ Sáu)"), ("Tháng 08/2023", "19/08/2023 (thứ Bảy)")):
        assert label in text and f"hết ngày {day}" in text
    assert "hết ngày 14/08/2023 (thứ Hai)" in text
    ws = wb["Hướng dẫn"]
    cells = [c.value for row in ws.iter_rows() for c in row]
    assert rules.rule("DN-TIEUCHI").quote in cells
    assert rules.template.contact in cells
    for sheet in rules.sheets[1:]:
        assert f"Trang “{sheet.name}”" in cells
    assert rules.rule("HD-75NAM").quote in text
    assert unicodedata.is_normalized("NFC", text)


def test_guide_deadline_policy(tmp_path, rules):
    """With the roll-forward policy a Saturday 20th moves to Monday and holidays are skipped."""
    source = rules.path.read_text(encoding="utf-8")
    changed = tmp_path / "rules.yaml"
    changed.write_text(source.replace("policy: strict_before", "policy: inclusive_roll_forward"), encoding="utf-8")
    out = make_template(load_rules(changed), tmp_path / "t.xlsx", as_of=AS_OF)
    text = guide_text(openpyxl.load_workbook(out))
    assert "Tháng 05/2023" in text and "hết ngày 22/05/2023 (thứ Hai)" in text
    assert "hết ngày 21/08/2023 (thứ Hai)" in text and "hết ngày 15/08/2023 (thứ Ba)" in text


# -- pre-filling and mail-out ---------------------------------------------------------------------


def test_prefilled_unit_and_period(tmp_path, rules):
    """A unit id and a cycle pre-fill the unit name, the cycle label and the monthly report type."""
    out = make_template(rules, tmp_path / "t.xlsx", as_of=AS_OF, unit="QLVH", period="2023-06")
    ws = openpyxl.load_workbook(out)["Thông tin đơn vị"]
    assert ws.cell(form_row(ws, "Tên đơn vị"), 2).value == "Phòng Quản lý Văn hóa"
    assert ws.cell(form_row(ws, "Kỳ báo cáo"), 2).value == "Tháng 06/2023"
    assert ws.cell(form_row(ws, "Loại báo cáo"), 2).value == "Báo cáo tháng"
    assert (ws["B3"].value, ws["B4"].value, ws["B5"].value) == ("Phòng Quản lý Văn hóa", "Tháng 06/2023", "Báo cáo tháng")


def test_prefill_by_exact_name_and_blank(tmp_path, rules):
    """An exact unit name works too; without unit and period the value cells stay empty."""
    out = make_template(rules, tmp_path / "t.xlsx", as_of=AS_OF, unit="Nhà hát Chèo Hà Nội")
    ws = openpyxl.load_workbook(out)["Thông tin đơn vị"]
    assert (ws["B3"].value, ws["B4"].value, ws["B5"].value) == ("Nhà hát Chèo Hà Nội", None, None)
    ws = openpyxl.load_workbook(make_template(rules, tmp_path / "b.xlsx", as_of=AS_OF))["Thông tin đơn vị"]
    assert all(ws.cell(r, 2).value is None for r in range(3, 13))


def test_unknown_unit_or_period(tmp_path, rules):
    """An unknown unit or period raises ValueError and writes nothing."""
    with pytest.raises(ValueError, match="unknown unit"):
        make_template(rules, tmp_path / "t.xlsx", as_of=AS_OF, unit="Phòng Không Có")
    with pytest.raises(ValueError, match="unknown period"):
        make_template(rules, tmp_path / "t.xlsx", as_of=AS_OF, period="2023-04")
    with pytest.raises(ValueError, match="unknown period"):
        make_unit_templates(rules, tmp_path / "all", as_of=AS_OF, period="2023-13")
    assert list(tmp_path.iterdir()) == []


def test_unit_templates(tmp_path, rules):
    """One file per unit with distinct ASCII sortable names, each pre-filled with its own unit and cycle."""
    paths = make_unit_templates(rules, tmp_path, as_of=AS_OF, period="2023-05")
    assert len(paths) == 24 and len({p.name for p in paths}) == 24
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)
    assert paths[0].name == "mau_NTVT_2023-05_VP.xlsx"
    for path, unit in zip(paths, rules.units):
        assert path.name.isascii() and re.fullmatch(r"mau_NTVT_2023-05_[A-Za-z0-9-]+\.xlsx", path.name)
        ws = openpyxl.load_workbook(path, read_only=True)["Thông tin đơn vị"]
        assert (ws["B3"].value, ws["B4"].value) == (unit.name, "Tháng 05/2023")
    assert template_name("NTVT", "TTRA") == "mau_NTVT_TTRA.xlsx"
    assert template_name("NTVT", "Đ V/1", "2023-07") == "mau_NTVT_2023-07_D_V_1.xlsx"


# -- rules drive the template ---------------------------------------------------------------------


def test_changed_lists_change_dropdowns(tmp_path, rules):
    """A rules file with an extra gender and a renamed scope yields those values in the dropdowns."""
    source = rules.path.read_text(encoding="utf-8")
    source = source.replace('genders: ["Nam", "Nữ"]', 'genders: ["Nam", "Nữ", "Khác"]')
    source = source.replace('scopes: ["Trong đơn vị", "Toàn ngành",', 'scopes: ["Trong cơ quan", "Toàn ngành",')
    changed = tmp_path / "rules.yaml"
    changed.write_text(source, encoding="utf-8")
    new_rules = load_rules(changed)
    assert new_rules.list_values("genders") == ("Nam", "Nữ", "Khác")
    out = make_template(new_rules, tmp_path / "t.xlsx", as_of=AS_OF)
    wb = openpyxl.load_workbook(out)
    ws = wb["Danh sách đề nghị"]
    sheet = new_rules.sheet("nominations")
    for key, expected in (("gender", ["Nam", "Nữ", "Khác"]),
                          ("scope", ["Trong cơ quan", "Toàn ngành", "Thành phố", "Toàn quốc"])):
        col = [f.key for f in sheet.fields].index(key) + 1
        assert list_range_values(wb, validation_for(ws, col, 5).formula1) == expected


# -- reproducibility and rendering ----------------------------------------------------------------


def test_deterministic(tmp_path, rules):
    """Two runs with the same inputs give byte-identical files; the created date is as_of."""
    a = make_template(rules, tmp_path / "a.xlsx", as_of=AS_OF, unit="VP", period="2023-05")
    b = make_template(rules, tmp_path / "b.xlsx", as_of=AS_OF, unit="VP", period="2023-05")
    assert a.read_bytes() == b.read_bytes()
    assert openpyxl.load_workbook(a).properties.created == dt.datetime(2023, 5, 2)
    c = make_template(rules, tmp_path / "c.xlsx", as_of=dt.date(2023, 6, 1), unit="VP", period="2023-05")
    assert c.read_bytes() != a.read_bytes()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


OFFICE = shutil.which("libreoffice") or shutil.which("soffice")


def test_libreoffice_prints_the_form_as_laid_out(tmp_path, blank):
    """LibreOffice prints the template on 7 A4 pages without an error: one per sheet, and the
    nominations over its 3 bands; the first band holds the whole heading, title and signature
    block; the other bands only their columns (STT repeated), nothing cut at a page edge."""
    need(None if OFFICE and shutil.which("pdftotext") else "LibreOffice or poppler",
         "apt-get install libreoffice-calc-nogui poppler-utils")
    result = subprocess.run(
        [OFFICE, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(blank)],
        capture_output=True, text=True, timeout=240)
    pdf = tmp_path / (blank.stem + ".pdf")
    assert result.returncode == 0, result.stderr
    assert "error" not in (result.stdout + result.stderr).lower()
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = text.split("\f")[:-1]
    footers = [re.search(r"– (.+?)\s+Trang (\d+)/(\d+)", page).group(1).strip() for page in pages]
    assert footers == ["Hướng dẫn", "Thông tin đơn vị"] + ["Danh sách đề nghị"] * 3 + ["Hoạt động", "Tổng kết"]
    first, *rest = pages[2:5]
    for words in ("SỞ VĂN HÓA VÀ THỂ THAO HÀ NỘI", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                  "Hà Nội, ngày …… tháng …… năm 2023", "DANH SÁCH GƯƠNG ĐIỂN HÌNH TIÊN TIẾN, NGƯỜI TỐT, VIỆC TỐT",
                  "NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ", "(Ký, ghi rõ họ tên, đóng dấu)"):
        assert words in first and not any(words in page for page in rest), words
    assert all("STT" in page for page in pages[2:5])
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in pages[5] and "NGƯỜI LẬP BIỂU" in pages[5]
