"""The consolidated workbook on paper: LibreOffice prints the samples' workbook in the pages the
README states, the overview, matrix and City list one page wide, and wrapped rule text in rows tall
enough to hold it. Needs LibreOffice and poppler (CI installs them): missing, the test fails."""

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

OFFICE = shutil.which("soffice") or shutil.which("libreoffice")
TOOLS = {"soffice": OFFICE, "pdfinfo": shutil.which("pdfinfo"), "pdftotext": shutil.which("pdftotext")}
# The pages each sheet prints on at most, as the README's "In ấn" paragraph states them.
PAGES = {"Tổng quan": 2, "Tình hình nộp": 1, "Danh sách đề nghị": 8, "Hoạt động": 2, "Đề xuất Thành phố": 1,
         "Lỗi và cảnh báo": 4, "Tệp đã nhận": 4, "Quy tắc": 1}
TOTAL = 24
ONE_WIDE = ("Tổng quan", "Tình hình nộp", "Đề xuất Thành phố")


@pytest.fixture(scope="module")
def printed(tmp_path_factory, rules):
    missing = [name for name, path in TOOLS.items() if path is None]
    if missing:
        pytest.fail(f"printing test needs {', '.join(missing)} on PATH (apt-get install libreoffice-calc-nogui "
                    "poppler-utils fonts-liberation; .ci/run does)")
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
