"""Annotated copies: the unit's own workbook, values untouched, each finding marked where it is.

Each finding's cell gets a fill by severity and a comment (message, rule, clause); a first sheet
lists every finding with a link to its cell. This is the file the office sends back to the unit.
.xlsx/.xlsm files are annotated in place with openpyxl (macros dropped: the copy is .xlsx); .xls and
.ods files, which openpyxl cannot open, are rebuilt as .xlsx from the values read.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Iterable

import openpyxl
import python_calamine as calamine
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from .check import InputChanged
from .fileio import atomic_output
from .report import Finding, Severity

SUMMARY_SHEET = "Kết quả kiểm tra"
FILLS = {
    Severity.ERROR: "FFC7CE",
    Severity.WARNING: "FFEB9C",
    Severity.INFO: "DDEBF7",
}
SEVERITY_WORDS = {Severity.ERROR: "LỖI", Severity.WARNING: "CẢNH BÁO", Severity.INFO: "THÔNG TIN"}


def set_text(cell, value: object) -> None:
    """Write a value that came from an input as inert text: "=…", "+…", "@…" never become formulas."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def annotated_name(name: str) -> str:
    stem = re.sub(r"[^\w\-. ]+", "_", Path(name.split(" › ")[-1]).stem).strip() or "tep"
    return f"{stem}_danh_dau.xlsx"


def annotate_bytes(data: bytes, fmt: str, findings: list[Finding], source_name: str) -> openpyxl.Workbook:
    """Return the annotated workbook for one input's bytes."""
    wb = _open(data, fmt)
    by_sheet: dict[str, list[Finding]] = {}
    for f in findings:
        if f.sheet and f.row and f.col and f.sheet in wb.sheetnames:
            by_sheet.setdefault(f.sheet, []).append(f)
    for sheet, found in by_sheet.items():
        ws = wb[sheet]
        cells: dict[tuple[int, int], list[Finding]] = {}
        for f in found:
            cells.setdefault((f.row, f.col), []).append(f)
        for (row, col), here in cells.items():
            here.sort(key=lambda f: f.severity.rank)
            cell = ws.cell(row=row, column=col)
            cell.fill = PatternFill("solid", fgColor=FILLS[here[0].severity])
            text = "\n\n".join(f"[{SEVERITY_WORDS[f.severity]} – {f.rule_id}] {f.message}" for f in here)
            comment = Comment(text[:30000], "ntvt")
            comment.width, comment.height = 360, min(600, 80 + 40 * len(here))
            cell.comment = comment
    _summary_sheet(wb, findings, source_name)
    return wb


def _open(data: bytes, fmt: str) -> openpyxl.Workbook:
    if fmt in ("xlsx", "xlsm"):
        # keep_vba=False: the copy never carries macros; formulas are kept as the unit wrote them.
        return openpyxl.load_workbook(io.BytesIO(data), keep_vba=False, rich_text=False)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    for name in book.sheet_names:
        ws = wb.create_sheet(name[:31])
        for r, line in enumerate(book.get_sheet_by_name(name).to_python(skip_empty_area=False), start=1):
            for c, value in enumerate(line, start=1):
                if value != "" and value is not None:
                    set_text(ws.cell(row=r, column=c), value)
    return wb


def _summary_sheet(wb: openpyxl.Workbook, findings: list[Finding], source_name: str) -> None:
    ws = wb.create_sheet(SUMMARY_SHEET, 0)
    wb.active = 0
    for other in wb.worksheets[1:]:
        other.sheet_view.tabSelected = False
    counts = {s: sum(f.severity is s for f in findings) for s in Severity}
    shown = source_name.split(" › ")[-1].replace("\\", "/").split("/")[-1]  # the unit's own file name, no office path
    set_text(ws["A1"], f"KẾT QUẢ KIỂM TRA TỆP “{shown}”")
    ws["A1"].font = Font(bold=True, size=13)
    if counts[Severity.ERROR]:
        advice = "Đề nghị đơn vị sửa các lỗi rồi gửi lại tệp cho Văn phòng Sở."
    elif counts[Severity.WARNING]:
        advice = "Tệp không có lỗi; đề nghị đơn vị lưu ý các cảnh báo."
    else:
        advice = "Tệp không có lỗi; các dòng thông tin chỉ để đơn vị biết."
    set_text(ws["A2"], f"{counts[Severity.ERROR]} lỗi, {counts[Severity.WARNING]} cảnh báo, "
                       f"{counts[Severity.INFO]} thông tin. Ô có lỗi tô đỏ, cảnh báo tô vàng, thông tin tô xanh; "
                       f"di chuột vào ô để xem ghi chú. {advice}")
    ws["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells("A2:F2")
    ws.row_dimensions[2].height = 32
    headers = ["Mức độ", "Trang", "Ô", "Quy tắc", "Căn cứ", "Nội dung"]
    for c, h in enumerate(headers, start=1):
        cell = ws.cell(row=4, column=c, value=h)
        cell.font = Font(bold=True)
    ordered = sorted(findings, key=lambda f: (f.severity.rank, f.sort_key()))
    for r, f in enumerate(ordered, start=5):
        set_text(ws.cell(row=r, column=1), SEVERITY_WORDS[f.severity])
        ws.cell(row=r, column=1).fill = PatternFill("solid", fgColor=FILLS[f.severity])
        set_text(ws.cell(row=r, column=2), f.sheet or "")
        link_cell = ws.cell(row=r, column=3)
        set_text(link_cell, f.cell or "")
        if f.cell and f.sheet in wb.sheetnames:
            link_cell.hyperlink = Hyperlink(ref=link_cell.coordinate, location=f"'{f.sheet}'!{f.cell}")
            link_cell.font = Font(color="0563C1", underline="single")
        set_text(ws.cell(row=r, column=4), f.rule_id)
        set_text(ws.cell(row=r, column=5), f.clause)
        set_text(ws.cell(row=r, column=6), f.message)
        ws.cell(row=r, column=6).alignment = Alignment(wrap_text=True, vertical="top")
        lines = 1 + len(f.message) // 95
        if lines > 1:
            ws.row_dimensions[r].height = 15 * lines
    for c, width in enumerate([11, 20, 7, 14, 18, 90], start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = "A5"
    if ordered:
        ws.auto_filter.ref = f"A4:F{4 + len(ordered)}"
    # Printed on A4 landscape, one page across, the header repeated.
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "4:4"


def write_annotated_copies(validation, directory: Path, inputs: Iterable[Path] = (),
                           only_with_findings: bool = False) -> list[Path]:
    """Write one annotated copy per readable input into `directory`; returns the paths written."""
    directory = Path(directory)
    report = validation.report()
    written, used = [], set()
    for sub, book in zip(validation.submissions, validation.books):
        if book.rejected is not None:
            continue
        found = report.for_file(book.name)
        if only_with_findings and not found:
            continue
        name = annotated_name(book.name)
        stem, n = name[:-5], 2
        while name in used:
            name, n = f"{stem}_{n}.xlsx", n + 1
        used.add(name)
        try:
            data = sub.content()
        except (OSError, InputChanged):  # gone or edited since it was checked: its cells may not be these
            continue
        wb = annotate_bytes(data, book.format, found, book.name)
        with atomic_output(directory / name, inputs) as tmp:
            wb.save(tmp)
        written.append(directory / name)
    return written
