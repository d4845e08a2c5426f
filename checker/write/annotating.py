"""The openpyxl half of annotated copies (annotated_copy.py): open the sanitized original or rebuild
it from the values calamine reads, mark each finding's cell, add the result sheet, save.

Kept apart so that checking a file never pays openpyxl's import (~0.3 s): annotated_copy.py imports
this module only when a copy is made.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import openpyxl
import python_calamine as calamine
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.packaging.custom import CustomPropertyList, StringProperty
from openpyxl.styles import PatternFill

from .inert import CopyFailed, Removed, assert_inert, copy_titles, rename_notes, visible
from .sanitize import sanitize_xlsx
from ..model.findings import Finding
from ..model.marks import ANNOTATED_COPY, WORKBOOK_PROPERTY
from ..model.words import SEVERITY_WORDS
from .package import fixed_times
from .result_sheet import SUMMARY_SHEET, fit_rows, set_text, summary_sheet
from .style import SEVERITY_FILL

if TYPE_CHECKING:
    from .annotated_copy import Addressed


@dataclass
class Opened:
    """A workbook ready to annotate: the sheets' titles in the copy, and what was removed from it."""

    wb: openpyxl.Workbook
    names: dict[str, str]  # sheet name as read (findings use it) -> title in the copy
    removed: list[Removed]


def open_original(data: bytes, max_cells: int) -> Opened:
    package = sanitize_xlsx(data, max_cells, reserved=(SUMMARY_SHEET,))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about the extensions it drops; nothing to tell units
        # data_only: a formula the sanitizer missed would still come in as its cached value.
        wb = openpyxl.load_workbook(io.BytesIO(package.data), data_only=True, keep_vba=False, keep_links=False,
                                    rich_text=True)
    for ws in wb.worksheets:
        # A pivot table's cache can refresh from a connection; the copy keeps the cells it shows.
        for pivot in ws._pivots:
            package.removed.append(Removed("Bảng tổng hợp (pivot)", ws.title,
                                           pivot.location.ref if pivot.location else None, visible(pivot.name or "")))
        ws._pivots = []
    return Opened(wb, package.names, package.removed)


def rebuild(data: bytes, fmt: str, sheets: set[str] | None, why: Exception | None, max_cells: int) -> Opened:
    """A copy from the values calamine reads: cached values only, so nothing in it can run.

    calamine reads an .xlsx sheet only when asked, densely: a sheet the check did not bound (a cell
    at XFD1048576) could cost gigabytes, so only `sheets` are read. .xls and .ods files were read
    whole when the check opened them; each sheet is still bounded by its extent before it becomes
    Python objects.
    """
    book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    titles = copy_titles(book.sheet_names, (SUMMARY_SHEET,))
    if why is None:
        note = ("tệp .xls/.ods được dựng lại thành .xlsx từ giá trị đã lưu: công thức, liên kết và định dạng "
                "không được chép")
    else:
        note = (f"không mở được cấu trúc tệp gốc ({type(why).__name__}): bản sao dựng lại từ giá trị đã lưu, "
                f"không có công thức, liên kết và định dạng của tệp gốc")
    removed = [Removed("Bản sao", None, None, note)]
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    names, budget = {}, max_cells
    for name in book.sheet_names:
        if fmt in ("xlsx", "xlsm") and sheets is not None and name not in sheets:
            removed.append(Removed("Trang", titles[name], None, "trang không được chép (bản dựng lại chỉ gồm "
                                                                "các trang đã kiểm tra)"))
            continue
        sheet = book.get_sheet_by_name(name)
        size = (sheet.end[0] + 1) * (sheet.end[1] + 1) if sheet.end else 0
        if size > budget:
            raise CopyFailed(f"tệp có hơn {max_cells:,} ô, quá lớn để làm bản sao có đánh dấu")
        budget -= size
        names[name] = titles[name]
        ws = wb.create_sheet(titles[name])
        for r, line in enumerate(sheet.to_python(skip_empty_area=False), start=1):
            for c, value in enumerate(line, start=1):
                if value != "" and value is not None:
                    set_text(ws.cell(row=r, column=c), value)
    removed += rename_notes({old: new for old, new in titles.items() if old in names})
    return Opened(wb, names, removed)


def finish(opened: Opened, findings: list[Finding], source_name: str, addressed: Addressed) -> bytes:
    _mark_findings(opened, findings)
    for ws in opened.wb.worksheets:
        fit_rows(ws)
    summary_sheet(opened.wb, opened.names, opened.removed, findings, source_name, addressed.office)
    # ntvt's mark, the only custom property of a copy (the input's own went with docProps/ in
    # sanitize): a copy left in the inbox is listed as ntvt's own, never read as the unit's report.
    opened.wb.custom_doc_props = CustomPropertyList()
    opened.wb.custom_doc_props.append(StringProperty(name=WORKBOOK_PROPERTY, value=ANNOTATED_COPY))
    buffer = io.BytesIO()
    opened.wb.save(buffer)
    data = fixed_times(buffer.getvalue(), addressed.moment)  # openpyxl dated it by the clock
    assert_inert(data)  # never send a copy that still holds something live
    return data


def _mark_findings(opened: Opened, findings: list[Finding]) -> None:
    """Fill and comment each finding's cell; a cell covered by a merge is marked on the merge's first cell."""
    cells: dict[tuple[str, int, int], list[Finding]] = {}
    for f in findings:
        title = opened.names.get(f.sheet)
        if title and f.row and f.col and title in opened.wb.sheetnames:
            row, col = _anchor(opened.wb[title], f.row, f.col)
            cells.setdefault((title, row, col), []).append(f)
    for (title, row, col), here in cells.items():
        cell = opened.wb[title].cell(row=row, column=col)
        here.sort(key=lambda f: f.severity.rank)
        cell.fill = PatternFill("solid", fgColor=SEVERITY_FILL[here[0].severity])
        text = "\n\n".join(f"[{SEVERITY_WORDS[f.severity.value].upper()} – {f.rule_id}] {f.message}" for f in here)
        comment = Comment(visible(text)[:30000], "ntvt")
        comment.width, comment.height = 360, min(600, 80 + 40 * len(here))
        cell.comment = comment


def _anchor(ws, row: int, col: int) -> tuple[int, int]:
    if not isinstance(ws._cells.get((row, col)), MergedCell):
        return row, col
    for r in ws.merged_cells.ranges:
        if r.min_row <= row <= r.max_row and r.min_col <= col <= r.max_col:
            return r.min_row, r.min_col
    return row, col

