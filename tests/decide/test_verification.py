"""`ntvt verify` on real files (decide/verification.py, through the command): a consolidation of real
sample workbooks, then the inbox, the rules file or the workbook changed as a person would change them."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from checker import api
from checker.cli import main

from ..conftest import ROOT

SAMPLES = ["thang_06/NH_Cheo_thang06_lan1.xlsx", "thang_06/CAILUONG_thang06.xlsx", "thang_05/BTHN_thang05.xlsx"]
RULES = ROOT / "rules" / "kh327-2023.yaml"


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[Path, Path]:
    """A small inbox of sample files and the workbook ntvt consolidated from it (copied per test)."""
    root = tmp_path_factory.mktemp("verify")
    inbox = root / "hop_thu"
    for name in SAMPLES:
        (inbox / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / "sample_workbooks" / name, inbox / name)
    out = root / "tong_hop.xlsx"
    api.consolidate(inbox, out, as_of=__import__("datetime").date(2023, 7, 25))
    return inbox, out


@pytest.fixture
def case(written, tmp_path) -> tuple[Path, Path]:
    inbox, out = written
    shutil.copytree(inbox, tmp_path / "hop_thu")
    shutil.copy2(out, tmp_path / "tong_hop.xlsx")
    return tmp_path / "hop_thu", tmp_path / "tong_hop.xlsx"


def run(*args: Path | str):
    return CliRunner().invoke(main, ["verify", *map(str, args)], prog_name="ntvt")


def test_an_untouched_inbox_matches(case):
    inbox, out = case
    result = run(out, inbox)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"Khớp: bảng tổng hợp “tong_hop.xlsx” đúng với 3 tệp của thư mục “{inbox}” và tệp quy tắc "
        "“kh327-2023.yaml”; các trang dữ liệu, “Tệp đã nhận” và “Quy tắc” vẫn như ntvt đã ghi."]


def test_a_changed_a_missing_and_an_added_file_are_each_named(case):
    inbox, out = case
    changed = inbox / "thang_06" / "CAILUONG_thang06.xlsx"
    book = openpyxl.load_workbook(changed)
    book.active["A1"] = "sửa"
    book.save(changed)
    (inbox / "thang_05" / "BTHN_thang05.xlsx").unlink()
    (inbox / "thang_06" / "them.xlsx").write_bytes((ROOT / "sample_workbooks" / SAMPLES[0]).read_bytes())
    result = run(out, inbox)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("KHÔNG KHỚP: bảng tổng hợp “tong_hop.xlsx” không còn đúng với thư mục")
    assert [line.split("”")[0] for line in lines[1:]] == [
        "- Thiếu tệp “thang_05/BTHN_thang05.xlsx", "- Tệp “thang_06/CAILUONG_thang06.xlsx", "- Tệp “thang_06/them.xlsx"]
    assert "đã thay đổi: cùng tên nhưng mã SHA-256 khác" in lines[2]
    assert "có trong thư mục nhưng không có ở trang “Tệp đã nhận”" in lines[3]


def test_another_rules_file_is_named_with_both_hashes(case, tmp_path):
    inbox, out = case
    other = tmp_path / "quy_tac_khac.yaml"
    other.write_text(RULES.read_text(encoding="utf-8") + "\n# sửa một dòng chú thích\n", encoding="utf-8")
    result = run(out, inbox, "--rules", other)
    assert result.exit_code == 1
    (line,) = result.stdout.splitlines()[1:]
    assert line.startswith("- Tệp quy tắc khác: bảng ghi “kh327-2023.yaml” (SHA-256 ")
    assert api.load_rules(other).sha256 in line and api.load_rules(RULES).sha256 in line


def test_one_edited_data_cell_names_its_sheet(case):
    inbox, out = case
    book = openpyxl.load_workbook(out)
    ws = book["Danh sách đề nghị"]
    ws.cell(2, 6).value = str(ws.cell(2, 6).value) + " (sửa)"
    book.save(out)
    result = run(out, inbox)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[1:] == [
        "- Trang “Danh sách đề nghị” đã bị sửa sau khi ntvt ghi: nội dung các ô (hoặc số dòng) khác với lúc ghi. "
        "Hãy dùng bản bảng tổng hợp gốc, hoặc tổng hợp lại từ thư mục hồ sơ."]


def test_an_edited_claim_is_found_too(case):
    """Putting a new file's SHA-256 into "Tệp đã nhận" does not hide the change: that sheet is digested."""
    inbox, out = case
    book = openpyxl.load_workbook(out)
    ws = book["Tệp đã nhận"]
    row = next(r for r in ws.iter_rows() if r[0].value == SAMPLES[1])
    row[2].value = "0" * 64
    book.save(out)
    lines = run(out, inbox).stdout.splitlines()
    assert lines[1].startswith(f"- Tệp “{SAMPLES[1]}” đã thay đổi")
    assert lines[2].startswith("- Trang “Tệp đã nhận” đã bị sửa")


def test_a_removed_row_is_found(case):
    inbox, out = case
    book = openpyxl.load_workbook(out)
    book["Hoạt động"].delete_rows(3)
    book.save(out)
    assert run(out, inbox).stdout.splitlines()[1].startswith("- Trang “Hoạt động” đã bị sửa")


def test_formatting_only_still_matches(case):
    """Bold, a fill, a column width and a date shown as a number: the values are the same."""
    inbox, out = case
    book = openpyxl.load_workbook(out)
    for name in ("Danh sách đề nghị", "Tệp đã nhận"):
        ws = book[name]
        for cell in ws[2]:
            cell.font = openpyxl.styles.Font(bold=True, color="FF0000")
            cell.number_format = "General"
        ws.column_dimensions["A"].width = 60
    book.save(out)
    result = run(out, inbox)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Khớp:")


def test_a_file_that_is_no_workbook_or_not_ntvts_is_exit_2(case, tmp_path):
    inbox, out = case
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(b"not a zip")
    result = run(broken, inbox)
    assert result.exit_code == 2
    assert "Không đọc được" in result.stderr and "hong.xlsx" in result.stderr
    unit = inbox / SAMPLES[0]
    result = run(unit, inbox)
    assert result.exit_code == 2
    assert "không phải bảng tổng hợp do ntvt ghi" in result.stderr


def test_a_workbook_without_digests_is_a_mismatch(case, tmp_path):
    inbox, out = case
    stripped = tmp_path / "cu.xlsx"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(stripped, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "docProps/custom.xml":
                text = data.decode()
                start = text.index('<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="3"')
                data = (text[:start] + "</Properties>").encode()
            dst.writestr(info, data)
    result = run(stripped, inbox)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[1].startswith("- Bảng “cu.xlsx” không mang mã kiểm chứng nội dung")
