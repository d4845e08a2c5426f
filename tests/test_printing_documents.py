"""The drafts of `ntvt documents` on paper: LibreOffice Writer prints the Tờ trình and the báo cáo tổng kết
of the samples (the council proposing eleven nominees) on the pages expected (three each), the heading of Nghị định 30 on
the first page, the appendix from the second page on with its header row repeated on each of its pages.
Needs LibreOffice Writer and poppler: missing, skipped locally, failed under CI (builders/parts.need)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from checker import api

from .builders.parts import need
from .conftest import ROOT

OFFICE = shutil.which("soffice") or shutil.which("libreoffice")
WRITER = Path("/usr/lib/libreoffice/program/libswlo.so")
PROPOSED = 11  # the first nominees of "Xét duyệt": the appendix runs over two pages


@pytest.fixture(scope="module")
def printed(tmp_path_factory, rules):
    missing = [name for name, there in (("soffice", OFFICE), ("pdftotext", shutil.which("pdftotext")),
                                        ("pdfinfo", shutil.which("pdfinfo"))) if not there]
    if OFFICE and not WRITER.exists() and not list(Path(OFFICE).resolve().parent.glob("*swlo*")):
        missing.append("LibreOffice Writer")
    need(", ".join(missing), "apt-get install libreoffice-writer-nogui poppler-utils fonts-liberation")
    out = tmp_path_factory.mktemp("print_documents")
    day = dt.date(2023, 7, 25)
    first = api.consolidate(ROOT / "sample_workbooks", out / "tong_hop.xlsx", rules, as_of=day)
    wb = openpyxl.load_workbook(first.output)
    ws = wb["Xét duyệt"]
    names = [ws.cell(r, 3).value for r in range(4, 4 + PROPOSED)]
    for r in range(4, 4 + PROPOSED):
        ws.cell(r, 9, "Đề nghị Thành phố")
    wb.save(out / "hoi_dong.xlsx")
    _, written = api.draft_documents(ROOT / "sample_workbooks", out / "vb", rules, as_of=day,
                                     decisions=out / "hoi_dong.xlsx")
    pages = {}
    for docx in written:
        done = subprocess.run([OFFICE, f"-env:UserInstallation={(out / 'profile').as_uri()}", "--headless",
                               "--convert-to", "pdf", "--outdir", str(out), str(docx)],
                              capture_output=True, text=True, timeout=300)
        pdf = out / (docx.stem + ".pdf")
        assert done.returncode == 0 and pdf.exists(), done.stderr
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        pages[docx.name.split("_2023")[0]] = (int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1)),
                                              [" ".join(p.split()) for p in text.split("\f")[:-1]])
    return pages, names


def test_the_proposal_on_three_pages_the_appendix_from_the_second(printed):
    pages, names = printed
    count, text = pages["to_trinh"]
    assert count == len(text) == 3
    first = text[0]
    for words in ("UBND THÀNH PHỐ HÀ NỘI", "SỞ VĂN HÓA VÀ THỂ THAO", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                  "Độc lập - Tự do - Hạnh phúc", "Số: ……/TTr-SVHTT", "Hà Nội, ngày …… tháng …… năm 2023", "TỜ TRÌNH",
                  "Kính gửi: Ủy ban nhân dân Thành phố Hà Nội", "Nơi nhận:", "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"):
        assert words in first, words
        assert not any(words in page for page in text[1:]), words
    assert "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG" in text[1] and "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG" not in first
    for page in text[1:]:  # the header row on every page of the appendix
        assert re.search(r"STT\s+Họ và tên\s+Chức vụ và đơn\s+Tóm tắt thành tích", page), page[:300]
    assert all(any(name in page for page in text[1:]) for name in names)
    assert not any(name in first for name in names)


def test_the_report_on_three_pages_heading_first(printed):
    pages, _ = printed
    count, text = pages["bao_cao_tong_ket"]
    assert count == len(text) == 3
    for words in ("SỞ VĂN HÓA VÀ THỂ THAO", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: ……/BC-SVHTT", "BÁO CÁO",
                  "I. ĐẶC ĐIỂM TÌNH HÌNH", "1. Số gương đề nghị theo đơn vị"):
        assert words in text[0], words
    assert "Nơi nhận:" in text[-1] and "KT. GIÁM ĐỐC" in text[-1]
    assert "V. ĐỀ XUẤT, KIẾN NGHỊ" in text[2] and "4. Gửi báo cáo đúng hạn" in text[1]
