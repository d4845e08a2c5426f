"""The council's sheet ("Xét duyệt"): one row per valid nomination in force of the monthly files, in
the data sheets' order, with a dropdown of the rules file's decisions and a column for the reason.
Those two columns are the only unlocked cells (the sheet is protected without a password, as the
template is: against accidents). `ntvt consolidate --decisions` reads the filled sheet back
(read/decisions, decide/review); a later run's sheet comes pre-filled with the decisions read."""

from __future__ import annotations

from typing import Iterator

import pandas as pd

from ...model.findings import column_letter
from ...decide.review import nominations_in_force, unit_of
from .. import streaming as sheetxml
from ..style import text_height
from .book import print_bands, records, rows_text_height
from .layout import Context, refuse_overflow
from .words import META


def _letter(col: int) -> str:
    return column_letter(col + 1)

SHOWN = ("nominee", "birth_year", "level", "achievement")  # the nominee's columns, by role, in order
WIDTHS = [5, 18, 18, 7, 9, 50, 18, 6, 16, 26]
WRAPPED = (1, 2, 5, 6, 9)  # the columns whose text wraps (the row's height is theirs)
DECISION, REASON = 8, 9
TOP = 2  # the table's header row (from 0), under the title and the how-to line
SOURCE, ROW = "Tệp nguồn", "Dòng"
ROW_COL = 7
LIST_COL = 11  # the first hidden column holding the dropdown's decisions (row 1)


def write_review(ctx: Context, ws) -> sheetxml.Stream | None:
    """The sheet's title, how-to line, header, dropdown and protection now; its rows as a stream
    (None when it has none), spliced in with the data sheets' rows."""
    c, rules, book, info = ctx.c, ctx.rules, ctx.book, ctx.rules.review
    sheet_key = rules.sheet_key("nominations")
    key = {role: rules.field_key(role) for role in SHOWN}
    spec = rules.sheet(sheet_key)
    columns = ["_file", "_row", *(key[role] for role in SHOWN)]
    picked = nominations_in_force(c, columns)
    if not picked.empty:
        chosen = set(picked.index)
        picked = picked.loc[[i for i in ctx.order[sheet_key] if i in chosen]]
    refuse_overflow(ws.name, len(picked), TOP + 1)
    headers = ["STT", META[3], *(spec.field(key[role]).label for role in SHOWN), SOURCE, ROW,
               info.decision_label, info.reason_label]
    book.text(ws, 0, 0, f"Xét duyệt của Hội đồng Thi đua - Khen thưởng – tính đến hết ngày {c.as_of:%d/%m/%Y}",
              "title")
    # The dropdown's list: the decisions in hidden cells of the title row (a list written into the
    # validation itself would be Excel's straight-quoted text).
    for n, value in enumerate(info.choices):
        book.text(ws, 0, LIST_COL + n, value)
    ws.set_column(LIST_COL, LIST_COL + len(info.choices) - 1, None, None, {"hidden": True})
    choices = ", ".join(f"“{v}”" for v in info.choices)
    book.text(ws, 1, 0, f"Hội đồng chọn ở cột “{info.decision_label}” một trong {choices} và ghi “{info.reason_label}” "
                        f"(bắt buộc khi trả lại); chỉ hai cột này được sửa. Lưu tệp rồi chạy ntvt consolidate "
                        f"--decisions với tệp này.", "subtitle")
    book.table(ws, TOP, headers, WIDTHS, len(picked))
    ws.set_row(TOP, text_height(headers, WIDTHS, bold=True))
    print_bands(ws, 0, WIDTHS, 3, TOP)
    ws.freeze_panes(TOP + 1, 3)
    ws.protect("", {"autofilter": True, "format_columns": True, "format_rows": True})
    if picked.empty:
        book.text(ws, TOP + 1, 0, "Chưa có gương hợp lệ nào để xét tính đến ngày này.", "subtitle")
        return None
    last = TOP + len(picked)
    ws.data_validation(TOP + 1, DECISION, last, DECISION, {
        "validate": "list", "source": f"=${_letter(LIST_COL)}$1:${_letter(LIST_COL + len(info.choices) - 1)}$1",
        "error_title": info.decision_label,
        "error_message": f"Chọn một trong: {choices}."})
    return sheetxml.Stream(lambda: _rows(ctx, picked, key), first_row=TOP + 2, last_row=last + 1,
                           last_col=LIST_COL + len(info.choices), size_hint=600 * len(picked))


def _rows(ctx: Context, picked: pd.DataFrame, key: dict[str, str]) -> Iterator[str]:
    """The table's rows as streamed SpreadsheetML (streaming.Stream), under its header row."""
    c, xf, cells = ctx.c, ctx.book.xf, ctx.cells
    cell, wrap, open_wrap = xf["cell"], xf["cell_wrap"], xf["open_wrap"]
    books, review, pending = c.validation.books, c.review, ctx.rules.review.pending
    widths = [WIDTHS[col] for col in WRAPPED]
    for n, (_, row) in enumerate(records(picked), start=1):
        file = int(row["_file"])
        unit = unit_of(c, file)
        decided = review.of(unit, row[key["nominee"]], row[key["birth_year"]]) if review else None
        decision, reason = decided or (pending, "")
        texts = {1: unit, 2: row[key["nominee"]], 4: row[key["level"]], 5: row[key["achievement"]],
                 6: books[file].name.split("/")[-1], 9: reason}
        texts = {col: value if isinstance(value, str) else "" for col, value in texts.items()}
        year = row[key["birth_year"]]
        shown = [sheetxml.number(cell, n), cells.text(wrap, texts[1]), sheetxml.inline(wrap, texts[2]),
                 cells.number(cell, year) if pd.notna(year) else sheetxml.blank(cell),
                 cells.text(wrap, texts[4]), sheetxml.inline(wrap, texts[5]), cells.text(wrap, texts[6]),
                 sheetxml.number(cell, int(row["_row"])), cells.text(open_wrap, decision),
                 sheetxml.inline(open_wrap, texts[9])]
        yield sheetxml.row(TOP + n + 1, "".join(shown), rows_text_height([texts[col] for col in WRAPPED], widths))
