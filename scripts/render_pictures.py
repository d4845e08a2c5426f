"""Render the README's pictures (docs/images/*.png) as people see the outputs: the blank template,
the samples' "Tình hình nộp", an annotated copy, a reply letter and the first pages of the Tờ trình and
the báo cáo tổng kết (`ntvt documents`), each through LibreOffice (PDF)
and pdftoppm (first page to PNG). Run by hand after changing an output: python scripts/render_pictures.py

Needs ntvt installed, LibreOffice (soffice, with Writer for the .docx), poppler (pdftoppm) and fonts-liberation. Not run in tests.
"""

from __future__ import annotations

import email
import email.policy
import shutil
import subprocess
import tempfile
from pathlib import Path

import openpyxl
import xlsxwriter

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
AS_OF = "2023-07-25"
OFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def ntvt(*args: str) -> None:
    # Exit code 1 means "errors found" (the samples hold some): only 2 is a failure here.
    done = subprocess.run([shutil.which("ntvt") or "ntvt", *args], cwd=ROOT)
    if done.returncode not in (0, 1):
        raise SystemExit(f"ntvt {' '.join(args)} exited {done.returncode}")


def to_png(source: Path, name: str, work: Path) -> None:
    """source (xlsx, html) -> PDF with LibreOffice -> the first page as docs/images/<name>.png."""
    subprocess.run([OFFICE, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(work), str(source)], check=True, capture_output=True)
    pdf = work / (source.stem + ".pdf")
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(IMAGES / name)], check=True)
    print(IMAGES / f"{name}.png")


def only_sheet(xlsx: Path, sheet: str, out: Path) -> Path:
    """A copy of xlsx holding only `sheet` (LibreOffice prints every sheet)."""
    wb = openpyxl.load_workbook(xlsx, rich_text=True)  # keeps the heading's bold and underline
    for ws in list(wb):
        if ws.title != sheet:
            wb.remove(ws)
    wb.save(out)
    return out


def letter_sheet(eml: Path, out: Path) -> Path:
    """The letter's headers and text body, one line a row, on a sheet LibreOffice Calc prints (the
    CI machine has Calc only, no Writer to render HTML), as a mail program shows it."""
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    body = msg.get_body(preferencelist=("plain",)).get_content()
    wb = xlsxwriter.Workbook(str(out))
    ws = wb.add_worksheet("Thư")
    head, text = (wb.add_format({"font_name": "Liberation Serif", "font_size": 11, "bold": bold, "text_wrap": True,
                                 "valign": "top"}) for bold in (True, False))
    ws.set_column(0, 0, 88)
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    rows = [(f"{k}: {msg[k]}", head) for k in ("From", "To", "Subject") if msg[k]] + [("", text)]
    rows += [(line, text) for line in body.splitlines()]
    for n, (line, fmt) in enumerate(rows):
        ws.write_string(n, 0, line, fmt)
        ws.set_row(n, 15 * max(1, len(line) // 95 + 1))
    wb.close()
    return out


PROPOSED = ("Đỗ Thị Tuấn", "Bùi Thị Hà", "Trần Thị Hương", "Phạm Thị Lan")  # by name: 5 rows of the samples


def propose(xlsx: Path, out: Path) -> Path:
    """A copy of the consolidated workbook whose "Xét duyệt" sheet proposes PROPOSED to the City."""
    wb = openpyxl.load_workbook(xlsx)
    ws = wb["Xét duyệt"]
    for row in range(4, ws.max_row + 1):
        if ws.cell(row, 3).value in PROPOSED:
            ws.cell(row, 9, "Đề nghị Thành phố")
    wb.save(out)
    return out


def main() -> None:
    if OFFICE is None or shutil.which("pdftoppm") is None:
        raise SystemExit("needs LibreOffice (soffice) and poppler-utils (pdftoppm) on PATH")
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        ntvt("template", "-o", str(work / "mau.xlsx"), "--as-of", AS_OF)
        to_png(only_sheet(work / "mau.xlsx", "Danh sách đề nghị", work / "mau_ds.xlsx"), "mau_bieu", work)
        ntvt("consolidate", str(ROOT / "sample_workbooks"), "-o", str(work / "tong_hop.xlsx"), "--as-of", AS_OF,
             "--feedback", str(work / "tra_loi"))
        to_png(only_sheet(work / "tong_hop.xlsx", "Tình hình nộp", work / "tinh_hinh_nop.xlsx"), "tinh_hinh_nop", work)
        copies = sorted((work / "tra_loi").rglob("*.xlsx"))
        letters = sorted((work / "tra_loi").rglob("*.eml"))
        # The copy with the most typical mistakes (the samples' "nhieu_loi" file), else the first.
        copies = sorted(copies, key=lambda p: "nhieu_loi" not in p.name)
        if copies:
            to_png(only_sheet(copies[0], "Danh sách đề nghị", work / "ban_sao.xlsx"), "ban_sao_danh_dau", work)
        if letters:
            to_png(letter_sheet(letters[0], work / "thu_tra_loi.xlsx"), "thu_tra_loi", work)
        # The drafts of `ntvt documents` (LibreOffice Writer): the council proposes a few nominees first.
        decisions = propose(work / "tong_hop.xlsx", work / "hoi_dong.xlsx")
        ntvt("documents", str(ROOT / "sample_workbooks"), "--decisions", str(decisions), "-o", str(work / "van_ban"),
             "--as-of", AS_OF)
        to_png(work / "van_ban" / f"to_trinh_{AS_OF}.docx", "to_trinh", work)
        to_png(work / "van_ban" / f"bao_cao_tong_ket_{AS_OF}.docx", "bao_cao_tong_ket", work)


if __name__ == "__main__":
    main()
