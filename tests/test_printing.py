"""The consolidated workbook on paper: LibreOffice prints the samples' workbook in the pages the
README states, the overview, matrix and City list one page wide, and wrapped rule text in rows tall
enough to hold it. Needs LibreOffice and poppler: missing, skipped locally, failed under CI (builders/parts.need)."""

from __future__ import annotations

import datetime as dt
import math
import re
import shutil
import subprocess
from collections import Counter

import openpyxl
import pytest

from checker import consolidate

from .conftest import ROOT
from .builders.parts import need

OFFICE = shutil.which("soffice") or shutil.which("libreoffice")
TOOLS = {"soffice": OFFICE, "pdfinfo": shutil.which("pdfinfo"), "pdftotext": shutil.which("pdftotext")}
# The pages each sheet prints on at most, as the README's "In ấn" paragraph states them.
PAGES = {"Tổng quan": 2, "Tình hình nộp": 1, "Danh sách đề nghị": 20, "Hoạt động": 2, "Đề xuất Thành phố": 1,
         "Xét duyệt": 5, "Lỗi và cảnh báo": 4, "Tệp đã nhận": 6, "Quy tắc": 2}
TOTAL = 43
ONE_WIDE = ("Tổng quan", "Tình hình nộp", "Đề xuất Thành phố")


@pytest.fixture(scope="module")
def printed(tmp_path_factory, rules):
    missing = [name for name, path in TOOLS.items() if path is None]
    need(", ".join(missing), "apt-get install libreoffice-calc-nogui poppler-utils fonts-liberation")
    out = tmp_path_factory.mktemp("print")
    xlsx = out / "tong_hop.xlsx"
    consolidate(ROOT / "sample_workbooks", xlsx, rules, as_of=dt.date(2023, 7, 25))
    done = subprocess.run([OFFICE, f"-env:UserInstallation={(out / 'profile').as_uri()}", "--headless",
                           "--convert-to", "pdf", "--outdir", str(out), str(xlsx)],
                          capture_output=True, text=True, timeout=300)
    pdf = out / "tong_hop.pdf"
    assert done.returncode == 0 and pdf.exists(), done.stderr
    return xlsx, pdf


def _sheet_of_pages(pdf) -> list[str]:
    """The sheet each PDF page belongs to, from the footer ("<sheet> … Trang n/N")."""
    text = subprocess.run([TOOLS["pdftotext"], "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    names = []
    for page in text.split("\f")[:-1]:
        footer = [line for line in page.splitlines() if re.search(r"Trang \d+/\d+\s*$", line)]
        names.append(footer[-1].split("Trang")[0].strip() if footer else "")
    return names


def test_pages_as_the_readme_states(printed):
    xlsx, pdf = printed
    info = subprocess.run([TOOLS["pdfinfo"], str(pdf)], capture_output=True, text=True, check=True).stdout
    total = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    per_sheet = Counter(_sheet_of_pages(pdf))
    assert sum(per_sheet.values()) == total, f"pages without a sheet footer: {per_sheet}"
    assert total <= TOTAL, f"{per_sheet}: the workbook prints on {total} pages, the README says {TOTAL} at most"
    for name, most in PAGES.items():
        assert 1 <= per_sheet[name] <= most, f"“{name}” prints on {per_sheet[name]} pages, the README says {most}"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, most in PAGES.items():
        assert f"“{name}” {most}" in readme, f"README's “In ấn” paragraph does not state “{name}” {most}"
    assert f"{TOTAL} trang" in readme


def test_overview_matrix_and_city_list_one_page_wide(printed):
    xlsx, _ = printed
    wb = openpyxl.load_workbook(xlsx)
    for name in ONE_WIDE:
        ws = wb[name]
        assert ws.sheet_properties.pageSetUpPr.fitToPage, name
        assert ws.page_setup.fitToWidth in (None, 1), name  # None: the default, 1
        assert ws.page_setup.fitToHeight == 0, name
        assert ws.page_setup.orientation == "landscape", name


def test_lists_landscape_with_header_repeated(printed):
    xlsx, _ = printed
    wb = openpyxl.load_workbook(xlsx)
    for name in ("Danh sách đề nghị", "Hoạt động", "Lỗi và cảnh báo", "Tệp đã nhận"):
        ws = wb[name]
        assert ws.page_setup.orientation == "landscape", name
        assert ws.print_title_rows and re.fullmatch(r"\$?\d+:\$?\d+", ws.print_title_rows), name
    assert wb["Lỗi và cảnh báo"].print_area.endswith("$A$1:$I$64")  # “Xem” (links) does not print


def test_rules_rows_hold_their_wrapped_text(printed):
    """Each rule row is at least as tall as its longest wrapped text needs: at most 1,4 characters of
    11-point text per width unit, 12,6 points a line (Times New Roman or Liberation Serif)."""
    xlsx, _ = printed
    ws = openpyxl.load_workbook(xlsx)["Quy tắc"]
    letters = "DEF"
    checked = 0
    for row in range(6, ws.max_row + 1):
        lines = 1
        for letter in letters:
            text = ws[f"{letter}{row}"].value or ""
            width = ws.column_dimensions[letter].width
            lines = max(lines, sum(math.ceil(max(len(part), 1) / (width * 1.4)) for part in str(text).split("\n")))
        height = ws.row_dimensions[row].height
        if lines > 1:
            checked += 1
            assert height is not None and height >= lines * 12.6, (row, lines, height)
    assert checked > 10


def test_wide_lists_repeat_who_on_every_band_with_borders_and_heights(printed):
    """The data sheets print over bands of whole columns with "Đơn vị", "Kỳ", STT and the nominee
    repeated; every data cell is bordered; rows of wrapped text carry a stored height."""
    xlsx, _ = printed
    wb = openpyxl.load_workbook(xlsx)
    ws = wb["Danh sách đề nghị"]
    assert [c.value for c in ws[1]][3:7] == ["Đơn vị", "Kỳ", "STT", "Họ và tên / Tên tập thể"]
    assert ws.print_title_cols == "$D:$G"
    assert [b.id for b in ws.col_breaks.brk] and ws.page_setup.scale >= 55
    assert ws["D2"].border.left.style == "thin" and ws["D2"].alignment.wrap_text
    assert all(ws.cell(row=2, column=col).border.top.style == "thin" for col in range(1, ws.max_column + 1))
    assert all(ws.row_dimensions[r].height for r in range(2, ws.max_row + 1))
    assert wb["Hoạt động"].print_title_cols == "$D:$F"
    files = wb["Tệp đã nhận"]
    assert files.print_title_cols == "$A:$A"
    assert all(files.row_dimensions[r].height for r in range(5, files.max_row + 1))
    assert files["A6"].border.left.style == "thin" and files["A6"].alignment.wrap_text


def test_city_list_heading_signature_and_notes_in_words(printed):
    xlsx, _ = printed
    ws = openpyxl.load_workbook(xlsx)["Đề xuất Thành phố"]
    assert ws["A1"].value == "SỞ VĂN HÓA VÀ THỂ THAO HÀ NỘI"
    assert (ws["G1"].value, ws["G2"].value) == ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
    assert ws["G3"].value == "Hà Nội, ngày …… tháng …… năm 2023"
    assert ws["A7"].value == "STT" and ws.row_dimensions[7].height >= 33  # two lines
    notes = [ws[f"J{r}"].value for r in range(8, 10)]
    assert notes[0] == "(nguồn: HOALO_thang05.xlsx, dòng 5)"
    assert notes[1].startswith("Ô P6 – đề nghị cấp Thành phố cần “Phạm vi ảnh hưởng”") and "DN-CAP" not in notes[1]
    assert notes[1].endswith("(nguồn: HOALO_thang05.xlsx, dòng 6)")
    sign = {ws.cell(row=r, column=c).value: (r, c) for r in range(10, 14) for c in (1, 7)}
    assert sign["Hà Nội, ngày …… tháng …… năm 2023"][0] + 1 == sign["THỦ TRƯỞNG CƠ QUAN"][0]
    assert sign["THỦ TRƯỞNG CƠ QUAN"][0] + 1 == sign["(Ký, ghi rõ họ tên, đóng dấu)"][0]
    assert sign["NGƯỜI LẬP BIỂU"][0] + 1 == sign["(Ký, ghi rõ họ tên)"][0]


def test_overview_cycles_start_page_two_and_matrix_legend_whole(printed):
    xlsx, _ = printed
    wb = openpyxl.load_workbook(xlsx)
    ws = wb["Tổng quan"]
    head = next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == "Kỳ")
    assert [b.id for b in ws.row_breaks.brk] == [head - 2]  # the break above the cycles' heading
    assert ws.cell(row=head + 5, column=8).value == "chưa đến hạn"
    assert ws.cell(row=head + 5, column=7).border.right.style == "thin"
    matrix = wb["Tình hình nộp"]
    assert "Thời điểm nhận theo giờ Hà Nội" in matrix["A2"].value
    assert matrix.row_dimensions[5].height >= 48
    legend = {matrix.cell(row=r, column=2).value: r for r in range(30, 40)}
    assert "Chưa đến hạn: hạn nộp của kỳ chưa qua tính đến ngày tính" in legend
    assert any(str(m).startswith("B") and str(m).endswith(str(legend["Chưa đến hạn: hạn nộp của kỳ chưa qua tính "
                                                                 "đến ngày tính"])) for m in matrix.merged_cells.ranges)
