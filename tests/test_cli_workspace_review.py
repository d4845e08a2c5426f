"""`ntvt consolidate --workspace W --decisions F`: F's filled "Xét duyệt" is kept in the register
(recorded with F's name and cells), the command says so in Vietnamese, and the run applies it."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import openpyxl
import pytest
from click.testing import CliRunner

from checker import api
from checker.cli import main

from .conftest import ROOT

HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
SAMPLES = ROOT / "sample_workbooks"
SHEET, CITY, TOP = "Xét duyệt", "Đề xuất Thành phố", 3
REASON = "Thành tích chưa có xác nhận của công đoàn cơ sở"


@pytest.fixture(scope="module")
def filled(tmp_path_factory, rules):
    """A workspace with the samples consolidated once, and its workbook filled as the council would."""
    base = tmp_path_factory.mktemp("cli_review")
    ws = api.open_workspace(base / "ntvt", rules)
    files = [(p.relative_to(SAMPLES).as_posix(), p.read_bytes()) for p in sorted(SAMPLES.rglob("*")) if p.is_file()]
    api.receive_files(ws, files, received_at=dt.datetime(2023, 7, 1, 9, 0, tzinfo=HANOI), as_of=dt.date(2023, 7, 25))
    first = api.consolidate_workspace(ws, as_of=dt.date(2023, 7, 25), run_at=dt.datetime(2023, 7, 25, 16, 0, tzinfo=HANOI))
    wb = openpyxl.load_workbook(first.output)
    sheet = wb[SHEET]
    rows = {sheet.cell(r, 3).value: r for r in range(TOP + 1, sheet.max_row + 1)}
    for name, decision, reason in [("Đỗ Thị Tuấn", "Đề nghị Thành phố", ""), ("Đặng Thị Nam", "Trả lại", REASON)]:
        sheet.cell(rows[name], 9, decision)
        sheet.cell(rows[name], 10, reason or None)
    extra = sheet.max_row + 1
    for col, value in enumerate(["", "Văn phòng Sở", "Trần Văn Vắng", 1980], start=1):
        sheet.cell(extra, col, value)
    sheet.cell(extra, 9, "Khen cấp Sở")
    wb.save(base / "hoi_dong.xlsx")
    result = CliRunner().invoke(main, ["consolidate", "--workspace", str(base / "ntvt"), "--decisions",
                                       str(base / "hoi_dong.xlsx"), "--as-of", "2023-07-26"],
                                catch_exceptions=False, prog_name="ntvt")
    return ws, result, rows, extra


def test_the_command_says_it_kept_the_decisions_and_runs(filled):
    ws, result, *_ = filled
    assert result.exit_code == 1  # the samples hold errors: the run itself went through
    assert result.stdout.splitlines()[0] == (
        "Đã ghi 3 quyết định của Hội đồng từ tệp “hoi_dong.xlsx” vào sổ nhận hồ sơ (các quyết định khác đã ghi trước "
        "đó được giữ); lần tổng hợp này áp dụng mọi quyết định trong sổ.")
    assert [r.as_of for r in ws.runs()] == [dt.date(2023, 7, 25), dt.date(2023, 7, 26)]


def test_the_register_keeps_them_with_the_files_name_and_cells(filled, rules):
    ws, _, rows, extra = filled
    kept = ws.decisions().of_plan(rules.plan.id)
    assert [(d.nominee, d.decision, d.reason, d.origin, d.origin_row, d.origin_col) for d in kept] == [
        ("Đặng Thị Nam", "Trả lại", REASON, "hoi_dong.xlsx", rows["Đặng Thị Nam"], 9),
        ("Đỗ Thị Tuấn", "Đề nghị Thành phố", "", "hoi_dong.xlsx", rows["Đỗ Thị Tuấn"], 9),
        ("Trần Văn Vắng", "Khen cấp Sở", "", "hoi_dong.xlsx", extra, 9)]


def test_the_run_applies_them_and_reports_the_one_gone_at_its_cell(filled):
    ws, *_ , extra = filled
    out = ws.outputs_folder / "tong_hop_2023-07-26.xlsx"
    book = openpyxl.load_workbook(out)
    decided = {r[2]: (r[8], r[9]) for r in book[SHEET].iter_rows(min_row=TOP + 1, values_only=True)
               if r[2] and r[8] != "Chưa xét"}
    assert decided == {"Đỗ Thị Tuấn": ("Đề nghị Thành phố", ""), "Đặng Thị Nam": ("Trả lại", REASON)}
    listed = [(r[1], r[10]) for r in book[CITY].iter_rows(min_row=8, values_only=True) if isinstance(r[0], int)]
    assert listed == [("Đỗ Thị Tuấn", "Đề nghị Thành phố"), ("Vũ Thị Yến", "Chưa xét"), ("Ngô Ngọc Nam", "Chưa xét")]
    said = f"Tệp “hoi_dong.xlsx”, trang “Xét duyệt”, ô I{extra}: quyết định “Khen cấp Sở” cho Trần Văn Vắng (Văn phòng Sở)"
    found = [(f.rule_id, f.file, f.sheet, f.cell, f.message[:len(said)])
             for f in api.run_findings(ws, ws.last_run().id) if f.rule_id.startswith("XD-")]
    assert found == [("XD-GUONG", "hoi_dong.xlsx", SHEET, f"I{extra}", said)]
