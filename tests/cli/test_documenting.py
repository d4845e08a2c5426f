"""`ntvt documents` (cli/documenting.py) on the samples: what it writes and says, in Vietnamese, with and
without the council's decisions, and its exit codes; the drafts themselves are tests/test_documents.py's."""

from __future__ import annotations

import openpyxl
import pytest
from click.testing import CliRunner

from checker.cli import main

from ..conftest import ROOT

SAMPLES = str(ROOT / "sample_workbooks")


def _run(*args):
    return CliRunner().invoke(main, ["documents", SAMPLES, "--as-of", "25/07/2023", *args], prog_name="ntvt")


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli_documents")
    return out, _run("-o", str(out / "vb"), "--workbook", str(out / "tong_hop.xlsx"))


def test_without_decisions_only_the_report_and_why(plain):
    out, result = plain
    assert result.exit_code == 1, result.output
    assert result.stdout == f"Đã ghi báo cáo tổng kết: {out / 'vb' / 'bao_cao_tong_ket_2023-07-25.docx'}\n"
    assert result.stderr == (
        "Chưa ghi Tờ trình: Tờ trình đề nghị Thành phố khen thưởng các gương mà Hội đồng Thi đua - Khen thưởng Sở đã "
        "chọn “Đề nghị Thành phố”, nhưng lệnh chưa có --decisions. Hãy để Hội đồng điền trang “Xét duyệt” của bảng "
        f"tổng hợp, rồi chạy lại: ntvt documents THƯ_MỤC --decisions TỆP_ĐÃ_ĐIỀN.xlsx -o {out / 'vb'}\n")
    assert (out / "tong_hop.xlsx").is_file()


def test_decisions_that_propose_nobody(plain):
    out, _ = plain
    result = _run("-o", str(out / "vb2"), "--decisions", str(out / "tong_hop.xlsx"))
    assert result.exit_code == 1
    assert result.stderr == (
        "Chưa ghi Tờ trình: trong “tong_hop.xlsx”, Hội đồng chưa chọn “Đề nghị Thành phố” cho gương nào đang có trong "
        "hồ sơ (gương “Chưa xét” không được đưa vào Tờ trình). Hãy điền cột “Quyết định của Hội đồng” của trang “Xét "
        "duyệt” rồi chạy lại.\n")


def test_decisions_that_propose_someone(plain):
    out, _ = plain
    wb = openpyxl.load_workbook(out / "tong_hop.xlsx")
    ws = wb["Xét duyệt"]
    row = next(r for r in range(4, ws.max_row + 1) if ws.cell(r, 3).value == "Đỗ Thị Tuấn")
    ws.cell(row, 9, "Đề nghị Thành phố")
    wb.save(out / "hoi_dong.xlsx")
    result = _run("-o", str(out / "vb3"), "--decisions", str(out / "hoi_dong.xlsx"))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"Đã ghi Tờ trình: {out / 'vb3' / 'to_trinh_2023-07-25.docx'}",
                                          f"Đã ghi báo cáo tổng kết: {out / 'vb3' / 'bao_cao_tong_ket_2023-07-25.docx'}"]
    assert result.stderr == ("Lưu ý: 2 gương đề nghị cấp Thành phố chưa được Hội đồng xét (“Chưa xét”) nên không có "
                             "trong Tờ trình.\n")


def test_a_rules_file_without_documents(tmp_path):
    text = (ROOT / "rules" / "kh327-2023.yaml").read_text(encoding="utf-8")
    start, end = text.index("\ndocuments:"), text.index("\n# Đối chiếu tên đơn vị")
    (tmp_path / "r.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    result = _run("-o", str(tmp_path / "vb"), "--rules", str(tmp_path / "r.yaml"))
    assert result.exit_code == 2
    assert "không có khối “documents:” (lời văn của Tờ trình và báo cáo tổng kết)" in result.stderr
    assert not (tmp_path / "vb").exists()


def test_the_output_folder_is_required_and_help_is_vietnamese():
    result = _run()
    assert result.exit_code == 2 and "-o" in result.stderr
    help_text = CliRunner().invoke(main, ["documents", "--help"], prog_name="ntvt").stdout
    assert "Mã thoát 0: đã ghi cả hai văn bản; 1: chỉ ghi báo cáo tổng kết" in help_text
    assert "      ntvt documents hop_thu/ --decisions hoi_dong.xlsx -o van_ban/\n" in help_text
