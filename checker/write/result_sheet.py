"""The first sheet of an annotated copy, "Kết quả kiểm tra", and the row heights of a copy's sheets.

The sheet lists every finding (severity, sheet, a link to the cell, rule, clause, message), then
what was taken out of the copy to make it inert. It prints as the office's other tables do: Times
New Roman, bordered, top-aligned, A4 landscape one page wide, the sheet's name and page number in
the footer. Neither LibreOffice nor Excel grows a row for wrapped text on opening a file written by
openpyxl, so every row of wrapped text, on this sheet and on the unit's own sheets where the file
stored no height, gets one (style.text_height's estimate).
"""

from __future__ import annotations

import re

from openpyxl.cell.rich_text import CellRichText
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from ..model.findings import Finding, Severity
from ..model.words import SEVERITY_WORDS, severity_counts
from .inert import Removed, quote_sheet, visible
from .names import own_name
from .style import SEVERITY_FILL, text_height

SUMMARY_SHEET = "Kết quả kiểm tra"
REMOVED_TITLE = "Nội dung đã gỡ khỏi bản sao"
FONT = "Times New Roman"
WIDTHS = [11, 20, 7, 14, 18, 90]  # Mức độ, Trang, Ô, Quy tắc, Căn cứ, Nội dung
HEADERS = ["Mức độ", "Trang", "Ô", "Quy tắc", "Căn cứ", "Nội dung"]
WRAPPED = (2, 5, 6)  # the columns whose text may run to several lines
MAX_LISTED = 1000  # rows of removed content on the result sheet; the rest are counted
DEFAULT_WIDTH = 8.43  # Excel's column width when a file stores none
MOST_LINES = 40  # a row is never estimated taller than this many lines (409 points is Excel's limit)
_CELL = re.compile(r"^[A-Z]{1,3}[0-9]+$")
_THIN = Side(style="thin")
BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
TOP = Alignment(wrap_text=True, vertical="top")


def set_text(cell, value: object) -> None:
    """Write a value that came from an input as inert text: "=…", "+…", "@…" never become formulas,
    and control characters (which XML cannot hold) are shown as their visible pictures."""
    if isinstance(value, str):
        value = visible(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def summary_sheet(wb, names: dict[str, str], removed: list[Removed], findings: list[Finding],
                  source_name: str, office: str | None) -> None:
    """Add "Kết quả kiểm tra" as the first, active sheet of `wb` (names: sheet as read -> title in the copy)."""
    ws = wb.create_sheet(SUMMARY_SHEET, 0)
    wb.active = 0
    for other in wb.worksheets[1:]:
        other.sheet_view.tabSelected = False
    counts = {s: sum(f.severity is s for f in findings) for s in Severity}
    _text(ws, 1, 1, f"KẾT QUẢ KIỂM TRA TỆP “{own_name(source_name)}”", bold=True, size=13)
    if counts[Severity.ERROR]:
        advice = f"Đề nghị đơn vị sửa các lỗi rồi gửi lại tệp cho {office}." if office else \
            "Đề nghị đơn vị sửa các lỗi rồi gửi lại tệp."
    elif counts[Severity.WARNING]:
        advice = "Tệp không có lỗi; đề nghị đơn vị lưu ý các cảnh báo."
    else:
        advice = "Tệp không có lỗi; các dòng thông tin chỉ để đơn vị biết."
    _note(ws, 2, f"{severity_counts(*(counts[s] for s in Severity))}. Ô có lỗi tô đỏ, cảnh báo tô vàng, thông tin "
                 f"tô xanh; di chuột vào ô để xem ghi chú. {advice}")
    _headers(ws, 4, HEADERS)
    ordered = sorted(findings, key=lambda f: (f.severity.rank, f.sort_key()))
    for r, f in enumerate(ordered, start=5):
        title = names.get(f.sheet, f.sheet)
        _row(ws, r, [SEVERITY_WORDS[f.severity.value].upper(), title or "", f.cell or "", f.rule_id, f.clause,
                     f.message])
        ws.cell(row=r, column=1).fill = PatternFill("solid", fgColor=SEVERITY_FILL[f.severity])
        _link(ws.cell(row=r, column=3), wb, title, f.cell)
    for c, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = "A5"
    if ordered:
        ws.auto_filter.ref = f"A4:F{4 + len(ordered)}"
    if removed:
        _removed_section(ws, 6 + len(ordered), wb, removed)
    # Printed on A4 landscape, one page across, the header repeated, as the office's other tables.
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "4:4"
    ws.oddFooter.left.text, ws.oddFooter.right.text = "&A", "Trang &P/&N"


def _text(ws, row: int, col: int, value: str, bold: bool = False, size: int = 11):
    cell = ws.cell(row=row, column=col)
    set_text(cell, value)
    cell.font = Font(name=FONT, size=size, bold=bold)
    return cell


def _note(ws, row: int, text: str) -> None:
    """A paragraph across the table's width, its row as tall as its text."""
    _text(ws, row, 1, text).alignment = TOP
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(WIDTHS))
    ws.row_dimensions[row].height = text_height([text], [sum(WIDTHS)])


def _headers(ws, row: int, headers: list[str | None]) -> None:
    for c, h in enumerate(headers, start=1):
        cell = _text(ws, row, c, h or "", bold=True)
        cell.alignment, cell.border = Alignment(wrap_text=True, vertical="top", horizontal="center"), BOX


def _row(ws, row: int, values: list[str]) -> None:
    """One bordered, top-aligned table row, as tall as its longest wrapped text."""
    for c, value in enumerate(values, start=1):
        cell = _text(ws, row, c, value)
        cell.alignment, cell.border = TOP, BOX
    wrapped = [(values[c - 1], WIDTHS[c - 1]) for c in WRAPPED if values[c - 1]]
    ws.row_dimensions[row].height = text_height([t for t, _ in wrapped] or [""], [w for _, w in wrapped] or [1])


def _link(cell, wb, title: str | None, ref: str | None) -> None:
    """An internal link to a cell of the copy, its sheet quoted as Excel requires ('O''Brien'!A1)."""
    if title and ref and _CELL.match(ref) and title in wb.sheetnames:
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"{quote_sheet(title)}!{ref}")
        cell.font = Font(name=FONT, color="0563C1", underline="single")


def _removed_section(ws, start: int, wb, removed: list[Removed]) -> None:
    """What the copy does not carry from the unit's file, so nobody wonders where a formula went."""
    _text(ws, start, 1, REMOVED_TITLE.upper(), bold=True, size=12)
    _note(ws, start + 1, "Để bản sao an toàn khi mở, mỗi công thức được thay bằng giá trị tệp đã lưu; liên kết ra "
                         "ngoài, macro, kết nối dữ liệu và đối tượng nhúng được gỡ bỏ. Tệp gốc của đơn vị không bị "
                         "thay đổi: đơn vị sửa lỗi trên tệp gốc rồi gửi lại.")
    _headers(ws, start + 2, ["Loại", "Trang", "Ô", None, None, "Nội dung đã gỡ"])
    shown = removed[:MAX_LISTED]
    for r, item in enumerate(shown, start=start + 3):
        _row(ws, r, [item.kind, item.sheet or "", item.cell or "", "", "", item.detail])
        _link(ws.cell(row=r, column=3), wb, item.sheet, item.cell)
    if len(removed) > MAX_LISTED:
        _text(ws, start + 3 + len(shown), 6, f"… và {len(removed) - MAX_LISTED:,} nội dung khác đã gỡ.")


def fit_rows(ws) -> None:
    """Store a height for each row holding wrapped text that has none (the unit's file stored none):
    the tallest of its wrapped cells, each in its column's width (a merge's whole width)."""
    widths = {}
    spans = {(r.min_row, r.min_col): r for r in ws.merged_cells.ranges}
    covered = {(row, col) for r in ws.merged_cells.ranges if r.min_row != r.max_row
               for row in range(r.min_row, r.max_row + 1) for col in range(r.min_col, r.max_col + 1)}
    tallest: dict[int, float] = {}
    # The alignment looked up by its id: no style object is built for each of a large sheet's cells.
    wrapping = {i for i, a in enumerate(ws.parent._alignments) if a.wrap_text}
    for (row, col), cell in ws._cells.items():
        value = cell.value
        if not isinstance(value, (str, CellRichText)) or (cell._style.alignmentId if cell._style else 0) not in wrapping:
            continue
        if (row, col) in covered:
            continue  # a merge over several rows has the height of its rows, not one's
        stored = ws.row_dimensions.get(row)  # .get: indexing would add a dimension to every row
        if stored is not None and stored.height is not None:
            continue
        span = spans.get((row, col))
        cols = range(span.min_col, span.max_col + 1) if span else (col,)
        width = sum(widths.setdefault(c, _width(ws, c)) for c in cols)
        size = (cell.font.sz or 11) if cell.font else 11
        chars = width * 11 / max(size, 6)  # a larger font fits fewer characters in the width
        lines = sum(text_height([part], [chars], bool(cell.font and cell.font.b)) - 3
                    for part in str(value).split("\n")) / 15
        height = (15.0 * min(lines, MOST_LINES) + 3) * max(size, 11) / 11
        tallest[row] = max(tallest.get(row, 0), height)
    for row, height in tallest.items():
        if height > 18:  # one line fits the default height
            ws.row_dimensions[row].height = round(height, 2)


def _width(ws, col: int) -> float:
    letter = get_column_letter(col)
    dim = ws.column_dimensions.get(letter)
    if dim is not None and dim.width:
        return dim.width
    # A width stored for a range of columns (<col min max>) is kept by openpyxl on its first letter.
    for dim in ws.column_dimensions.values():
        if dim.min and dim.max and dim.min <= col <= dim.max and dim.width:
            return dim.width
    return ws.sheet_format.defaultColWidth or DEFAULT_WIDTH
