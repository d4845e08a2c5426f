"""The findings sheet ("Lỗi và cảnh báo"): every finding, most serious first, one row each with a
link to its cell; rows streamed like the data sheets. Beyond Excel's rows per sheet the mildest
are left out, and the last row says how many."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from ...model.findings import Finding, cell_ref
from ...model.words import CAMPAIGN_FILE, SEVERITY_WORDS
from .. import streaming as sheetxml
from ..style import row_height
from .layout import Context
from .matrix import status_column
from .words import FILES, MATRIX

MAX_LINKS = 65_000  # Excel allows 65,530 hyperlinks per sheet
HEADERS = ["STT", "Mức độ", "Quy tắc", "Căn cứ", "Đơn vị", "Tệp", "Trang", "Ô", "Nội dung", "Xem"]
WIDTHS = [5, 10, 15, 20, 26, 28, 16, 7, 76, 6]
WRAPPED = (3, 4, 5, 8)  # the columns (from 0) whose text wraps: rule clause, unit, file, message
PRINTED = 9  # the columns printed: all but "Xem" (a link is no use on paper)


@dataclass(frozen=True)
class FindingsSheet:
    """What writing the findings sheet produced: its rows' stream, and what it had to cut."""

    stream: sheetxml.Stream | None
    links_capped: bool
    cut: int  # findings left out (Excel's rows per sheet)


def write_findings(ctx: Context, ws) -> FindingsSheet:
    c = ctx.c
    ctx.book.table(ws, 0, HEADERS, WIDTHS, len(c.findings), fit=True)
    ws.print_area(0, 0, min(len(c.findings) + 1, sheetxml.MAX_ROWS - 1), PRINTED - 1)
    if not c.findings:
        return FindingsSheet(None, False, 0)
    ordered = sorted(c.findings, key=lambda f: (f.severity.rank, f.sort_key()))
    room = sheetxml.MAX_ROWS - 2  # below the header; the last row then says how many are left out
    cut = 0
    if len(ordered) > room + 1:
        cut, ordered = len(ordered) - room, ordered[:room]  # errors come first
    links, capped = [], False
    for n, f in enumerate(ordered, start=2):
        target = _link_target(ctx, f)
        if target and len(links) < MAX_LINKS:
            links.append((f"J{n}", target, "Xem"))
        elif target:
            capped = True
    chars = sum(len(f.text) + len(f.citation) + len(f.file or CAMPAIGN_FILE) for f in ordered)
    stream = sheetxml.Stream(
        lambda: _finding_rows(ctx, ordered, {ref for ref, _, _ in links}, cut),
        last_row=len(ordered) + 1 + (1 if cut else 0), last_col=len(HEADERS), links=links,
        size_hint=7 * chars + 1500 * len(ordered))
    return FindingsSheet(stream, capped, cut)


def _finding_rows(ctx: Context, ordered: list[Finding], linked: set[str], cut: int) -> Iterator[str]:
    c, xf = ctx.c, ctx.book.xf
    unit_of = {c.validation.books[d.index].name: ctx.unit_name(d.unit_id) for d in c.decisions}
    words = {sev: word.capitalize() for sev, word in SEVERITY_WORDS.items()}
    text_cell, text_s, wrap_s = sheetxml.text_cell, xf["text"], xf["wrap"]
    for n, f in enumerate(ordered, start=2):  # Excel's row number: the header is row 1
        message, file = f.message, f.file or CAMPAIGN_FILE
        unit = ctx.unit_name(f.unit) if f.unit else unit_of.get(f.file, "")
        cells = [sheetxml.number_cell(f"A{n}", xf["int"], n - 1),
                 text_cell(f"B{n}", xf[f"text:{f.severity.value}"], words[f.severity.value]),
                 text_cell(f"C{n}", text_s, f.rule_id), text_cell(f"D{n}", wrap_s, f.clause),
                 text_cell(f"E{n}", wrap_s, unit), text_cell(f"F{n}", wrap_s, file), text_cell(f"G{n}", text_s, f.sheet or ""),
                 text_cell(f"H{n}", text_s, f.cell or ""), text_cell(f"I{n}", wrap_s, message)]
        if f"J{n}" in linked:
            cells.append(text_cell(f"J{n}", xf["hyperlink"], "Xem"))
        texts = (f.clause, unit, file, message)
        yield sheetxml.row(n, "".join(cells), row_height(zip(texts, (WIDTHS[col] for col in WRAPPED))))
    if cut:
        n = len(ordered) + 2
        yield sheetxml.row(n, text_cell(f"I{n}", xf["bold"], cut_words(cut)))


def cut_words(cut: int) -> str:
    return (f"… và {_thousands(cut)} phát hiện nữa (mức nhẹ nhất, ở cuối danh sách) không ghi được vì "
            f"một trang Excel có tối đa {_thousands(sheetxml.MAX_ROWS)} dòng; số lỗi, cảnh báo của từng tệp có ở "
            "trang “Tệp đã nhận”, danh sách đầy đủ của một tệp: lệnh “ntvt check TỆP --json”.")


def _link_target(ctx: Context, f: Finding) -> str | None:
    if f.unit:  # the unit's status cell for that cycle in the matrix
        r = ctx.matrix_rows.get(ctx.unit_name(f.unit))
        col = status_column(ctx, f.cycle, f.code)
        return f"'{MATRIX}'!{cell_ref(r + 1, col + 1)}" if r is not None else None
    pos = ctx.positions.get((f.file, f.sheet, f.row, f.col)) if f.row else None
    if pos:
        return f"'{pos[0]}'!{cell_ref(pos[1] + 1, pos[2] + 1)}"
    r = ctx.manifest_rows.get(f.file)
    return f"'{FILES}'!A{r + 1}" if r is not None else None


def _thousands(n: int) -> str:
    """1048576 -> "1.048.576", as Vietnamese writes it."""
    return f"{n:,}".replace(",", ".")
