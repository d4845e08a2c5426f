"""What the pages show of a run: the matrix cells as the workbook writes them, and receipts."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from checker.model.findings import FileResult, Report
from checker.web import views
from checker.web.views import cycle_rows, downloads, matrix, receipt_rows
from checker.write.style import SEVERITY_FILL
from checker.write.workbook import matrix as matrix_module
from checker.write.workbook.book import STATUS_FILL
from checker.workspace import Received, RunRecord

from .conftest import NOW


ROWS = [{"unit": "CHEO", "cycle": "2023-05", "status": "Trễ hạn 2 ngày", "status_code": "late",
         "received_at": "2023-05-21T01:30:00+00:00", "evidence": "email_date", "valid_nominations": 3},
        {"unit": "CHEO", "cycle": "2023-06", "status": "Đúng hạn", "status_code": "on_time",
         "received_at": "2023-06-15T00:00:00+07:00", "evidence": "sent_cell", "valid_nominations": 1}]


UNITS = [{"unit": "CHEO", "status": "Đúng hạn", "status_code": "on_time", "received_at": "2023-11-30T01:15:00+00:00",
          "evidence": "upload_time"}]


def Run(cycles, units=()):
    """A run as the register gives it back."""
    return RunRecord(1, dt.date(2023, 6, 25), "", None, None, {}, NOW, NOW, cycles, list(units))


def test_matrix_cells_say_status_receipt_and_evidence(rules):
    """A cell: the status word and code, the receipt in local time with its short evidence words
    (a day only where the receipt is the sent-date cell), the valid nominations."""
    shown = matrix(rules, Run(ROWS))
    assert shown["as_of"] == "25/06/2023"
    assert shown["cycles"][:2] == ["Tháng 05/2023", "Tháng 06/2023"]
    cheo = next(r for r in shown["rows"] if r["unit"].id == "CHEO")
    sent = rules.field_by_role("sent_date").label
    assert cheo["cells"][:3] == [
        {"status": "Trễ hạn 2 ngày", "code": "late", "receipt": "21/05/2023 08:30, thư", "valid": 3},
        {"status": "Đúng hạn", "code": "on_time", "receipt": f"15/06/2023, ô “{sent}”", "valid": 1},
        {"status": "", "code": "", "receipt": "", "valid": ""}]
    assert [r["unit"].id for r in shown["rows"]] == [u.id for u in rules.units]
    assert matrix(rules, None) is None


def test_the_matrix_ends_with_the_summary_report(rules):
    """The last column, as the workbook's: the summary report's status and receipt (no nominations
    counted there); an empty cell where the run did not keep it (recorded before schema version 2)."""
    shown = matrix(rules, Run(ROWS, UNITS))
    assert shown["summary"] == "Báo cáo tổng kết"
    summary = {r["unit"].id: r["summary"] for r in shown["rows"]}
    assert summary["CHEO"] == {"status": "Đúng hạn", "code": "on_time", "receipt": "30/11/2023 08:15, tải lên",
                               "valid": ""}
    assert summary["XIEC"] == {"status": "", "code": "", "receipt": "", "valid": ""}
    assert {r["summary"]["code"] for r in matrix(rules, Run(ROWS))["rows"]} == {""}


def test_a_units_cycles(rules):
    assert [c["label"] for c in cycle_rows(rules, Run(ROWS), "CHEO")] == [
        "Tháng 05/2023", "Tháng 06/2023", "Tháng 07/2023", "Tháng 08/2023", "Tháng 09/2023"]
    assert cycle_rows(rules, Run(ROWS, UNITS), "CHEO")[-1] == {
        "label": "Báo cáo tổng kết", "status": "Đúng hạn", "code": "on_time", "receipt": "30/11/2023 08:15, tải lên",
        "valid": ""}
    assert len(cycle_rows(rules, Run(ROWS, UNITS), "XIEC")) == 5  # a unit the run kept no row of
    assert cycle_rows(rules, None, "CHEO") == []


def test_receipt_rows_tell_duplicates_rejections_and_attachments():
    """A duplicate, a rejected file with its reason, an email's checked attachment."""
    def got(name, duplicate=False):
        return Received(1, "0" * 64, name, duplicate, 10, NOW, "upload_time", None)

    rows = receipt_rows([
        (got("a.xlsx", duplicate=True), Report(files=[FileResult("a.xlsx", "", "checked")])),
        (got("b.xlsx"), Report(files=[FileResult("b.xlsx", "", "rejected", "tệp rỗng (0 byte)")])),
        (got("c.eml"), Report(files=[FileResult("c.eml › d.xlsx", "", "checked")]))])
    assert [(r["name"], r["duplicate"], r["rejected"], r["reasons"], r["parts"]) for r in rows] == [
        ("a.xlsx", True, False, [], []), ("b.xlsx", False, True, ["tệp rỗng (0 byte)"], []),
        ("c.eml", False, False, [], ["c.eml › d.xlsx"])]


def test_the_page_colours_statuses_as_the_workbook_does():
    """style.css fills each status code with the workbook's fill (write/workbook/book.py), and
    severities with the annotated cells' (write/style.py)."""
    css = (Path(views.__file__).parent / "static" / "style.css").read_text(encoding="utf-8")
    fills = dict(re.findall(r"\.status-(\w+) \{ background: (#[0-9A-F]{6}); \}", css))
    assert fills == STATUS_FILL
    severities = dict(re.findall(r"tr\.severity-(\w+) td:first-child \{ border-left: 6px solid #([0-9A-F]{6}); \}", css))
    assert severities == {s.value: fill for s, fill in SEVERITY_FILL.items()}


def test_the_legend_says_what_the_workbook_says():
    """The page's legend: the workbook matrix's five entries, word for word (write/workbook/matrix.py)."""
    source = (Path(matrix_module.__file__)).read_text(encoding="utf-8")
    for code, word, meaning in views.LEGEND:
        said = f"{word}: {meaning}" if meaning else word
        shown = {"on_time": "{ON_TIME}", "invalid": "{INVALID}", "missing": "{MISSING}"}.get(code)
        written = said.replace(word, shown) if shown else said
        assert f'("{code}", f"{written}")' in source or f'("{code}", "{written}")' in source, code


def test_downloads_words_for_copies_of_one_name_other_days_and_other_files(rules):
    """The words of the outputs from their paths: two copies of one name (the second numbered), the
    newest day first, a unit the rules file does not list under its folder's name, anything else
    under its path; a copy of a file no longer known is named by its copy's stem."""
    shown = downloads(rules, [
        "ket_qua/ghi_chu.txt", "ket_qua/tong_hop_2023-06-25.xlsx", "ket_qua/tong_hop_2023-07-25.xlsx",
        "ket_qua/tra_loi_2023-07-25/CHEO.eml", "ket_qua/tra_loi_2023-07-25/CHEO/a_danh_dau.xlsx",
        "ket_qua/tra_loi_2023-07-25/CHEO/a_danh_dau_2.xlsx", "ket_qua/tra_loi_2023-07-25/CHEO/b_danh_dau.xlsx",
        "ket_qua/tra_loi_2023-07-25/CU.eml", "ket_qua/tra_loi_2023-06-25/XIEC.eml"],
        ["thang_05/a.xlsx", "thang_06/a.xls", "thu.eml › a.xlsx"])
    assert [w for _, w, _ in shown["workbooks"]] == ["Bảng tổng hợp tính đến hết ngày 25/07/2023",
                                                     "Bảng tổng hợp tính đến hết ngày 25/06/2023"]
    assert [b["as_of"] for b in shown["batches"]] == ["25/07/2023", "25/06/2023"]
    july = {g["name"]: [w for _, w, _ in g["items"]] for g in shown["batches"][0]["units"]}
    assert july == {"Nhà hát Chèo Hà Nội": ["Thư trả lời soạn sẵn cho Nhà hát Chèo Hà Nội",
                                           "Bản sao có đánh dấu: a.xlsx", "Bản sao có đánh dấu: a.xlsx (tệp cùng tên thứ 2)",
                                           "Bản sao có đánh dấu: b.xlsx"],
                    "CU": ["Thư trả lời soạn sẵn cho CU"]}
    assert shown["others"] == [("ket_qua/ghi_chu.txt", "ket_qua/ghi_chu.txt", "ghi_chu.txt")]
