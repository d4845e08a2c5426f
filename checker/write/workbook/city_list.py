"""The list proposed to the City ("Đề xuất Thành phố"), ready to print: valid City-level
nominations in force of the monthly files, each with the warnings it still carries, and a signature block."""

from __future__ import annotations

from typing import Iterator

import pandas as pd

from ...model.findings import Finding, Severity
from ...model import words
from ...decide.review import nominations_in_force, unit_of
from .. import streaming as sheetxml
from ..style import text_height
from .book import records, rows_text_height
from .layout import Context, refuse_overflow

# The nominee's columns the list shows, by role, in order (their labels come from the rules file).
SHOWN = ("nominee", "birth_year", "gender", "position", None, "achievement", "scope")
WIDTHS = [5, 20, 7, 7, 18, 20, 50, 11, 10, 40]
WRAPPED = (1, 4, 5, 6, 7, 9)  # the columns whose text wraps (the row's height is theirs)
TOP = 6  # the table's header row (from 0), under the heading of Nghị định 30/2020/NĐ-CP
LEFT, RIGHT = (0, 4), (6, 9)  # the heading's and signature's blocks: the Sở's, and the Quốc hiệu's


def write_city_list(ctx: Context, ws) -> sheetxml.Stream | None:
    """The heading, header and signature now; the list's rows as a stream (None when it has none),
    spliced in between them with the data sheets' rows."""
    c, rules, book = ctx.c, ctx.rules, ctx.book
    sheet_key = rules.sheet_key("nominations")
    key = {role: rules.field_key(role) for role in SHOWN if role}
    level = rules.consolidation.city_level
    # The valid rows in force of the monthly files: every nominee of a cycle's files, each as last corrected.
    picked = nominations_in_force(c, [*key.values(), rules.field_key("level")])
    # Once the council has decided (decide/review): what it proposed, and the City-level nominees it has
    # not decided yet, each with its status; without decisions, every City-level nominee.
    review = c.review if c.review is not None and c.review.given else None
    status = {}
    if not picked.empty:
        for index, file, who, year, asked in zip(picked.index, picked["_file"].tolist(), picked[key["nominee"]].tolist(),
                                                 picked[key["birth_year"]].tolist(),
                                                 picked[rules.field_key("level")].tolist()):
            decided = review.of(unit_of(c, int(file)), who, year) if review else None
            if decided is not None and decided[0] == rules.review.propose:
                status[index] = decided[0]
            elif decided is None and asked == level:
                status[index] = rules.review.pending if review else ""
        picked = picked.loc[[i for i in picked.index if i in status]]
    refuse_overflow(ws.name, len(picked), TOP + 5)  # and the signature under it
    widths = [*WIDTHS, 14] if review else WIDTHS
    _heading(ctx, ws, level, widths)
    spec = rules.sheet(sheet_key)
    labels = [spec.field(key[role]).label if role else "Đơn vị" for role in SHOWN]
    headers = ["STT", *labels, "Kỳ", "Lưu ý khi xét", *([rules.review.decision_label] if review else [])]
    book.table(ws, TOP, headers, widths, len(picked), fit=True)
    ws.set_row(TOP, text_height(headers, widths, bold=True))
    if picked.empty:
        book.text(ws, TOP + 1, 0, f"Chưa có gương hợp lệ nào đề nghị cấp {level} tính đến ngày này.", "subtitle")
        _signature(ctx, ws, TOP + 3)
        return None
    chosen = set(picked.index)
    picked = picked.loc[[i for i in ctx.order[sheet_key] if i in chosen]]
    # What a row still carries, in the findings' own words (what is wrong and what to do): the
    # warnings on its own sheet and row (not a row of that number on another sheet), kept for the
    # listed rows only and worded as their rows are written (a city's warnings are 100,000s).
    books = c.validation.books
    listed = {(books[i].name, books[i].tables[sheet_key].sheet_name, r)
              for i, r in zip(picked["_file"].tolist(), picked["_row"].tolist())}
    warnings: dict[tuple[str, int], list[Finding]] = {}
    for f in c.findings:
        if f.severity is Severity.WARNING and f.row and (f.file, f.sheet, f.row) in listed:
            warnings.setdefault((f.file, f.row), []).append(f)
    _signature(ctx, ws, TOP + len(picked) + 2)
    columns = ["_file", "_row", *key.values()]
    return sheetxml.Stream(lambda: _rows(ctx, picked[columns], key, warnings, status if review else None),
                           first_row=TOP + 2, last_row=TOP + len(picked) + 5, last_col=len(widths),
                           size_hint=900 * len(picked))


def _rows(ctx: Context, picked: pd.DataFrame, key: dict[str, str], warnings: dict[tuple[str, int], list[Finding]],
          status: dict | None) -> Iterator[str]:
    """The list's rows as streamed SpreadsheetML (streaming.Stream), between its header and the signature."""
    c, rules, xf, cells = ctx.c, ctx.rules, ctx.book.xf, ctx.cells
    cell, wrap = xf["cell"], xf["cell_wrap"]
    books, decisions = c.validation.books, c.decisions
    widths = [WIDTHS[col] for col in WRAPPED]
    for n, (index, row) in enumerate(records(picked), start=1):
        d, source = decisions[int(row["_file"])], books[int(row["_file"])]
        notes = [f.message for f in warnings.get((source.name, int(row["_row"])), [])]
        where = f"(nguồn: {source.name.split('/')[-1]}, dòng {int(row['_row'])})"
        texts = {1: row[key["nominee"]], 3: row[key["gender"]], 4: row[key["position"]], 5: ctx.unit_name(d.unit_id),
                 6: row[key["achievement"]], 7: row[key["scope"]], 8: rules.cycle_label(d.period),
                 9: " ".join([*notes, where])}
        texts = {col: value if isinstance(value, str) else "" for col, value in texts.items()}
        year = row[key["birth_year"]]
        shown = [sheetxml.number(cell, n), sheetxml.inline(wrap, texts[1]),
                 cells.number(cell, year) if pd.notna(year) else sheetxml.blank(cell),
                 *(cells.text(wrap, texts[col]) for col in (3, 4, 5)), sheetxml.inline(wrap, texts[6]),
                 cells.text(wrap, texts[7]), cells.text(wrap, texts[8]), sheetxml.inline(wrap, texts[9]),
                 *([cells.text(wrap, status[index])] if status is not None else [])]
        yield sheetxml.row(TOP + n + 1, "".join(shown), rows_text_height([texts[col] for col in WRAPPED], widths))


def _heading(ctx: Context, ws, level: str, widths: list[int]) -> None:
    """The heading of Nghị định 30/2020/NĐ-CP: the Sở top left; the Quốc hiệu, Tiêu ngữ and the
    place-and-date line top right; then the title and the plan line across."""
    c, rules, f = ctx.c, ctx.rules, ctx.book.f
    _block(ws, 0, LEFT, rules.plan.issuer.upper(), f["center_bold"])
    _block(ws, 0, RIGHT, words.NATIONAL_TITLE, f["center_bold"])
    _block(ws, 1, RIGHT, words.NATIONAL_MOTTO, f["center_motto"])
    _block(ws, 2, RIGHT, words.PLACE_DATE.format(place=rules.plan.place, year=rules.plan.year), f["center_italic"])
    title = f"DANH SÁCH GƯƠNG ĐỀ NGHỊ KHEN THƯỞNG “{rules.plan.movement.upper()}” CẤP {level.upper()}"
    ws.set_row(3, text_height([title], [sum(widths) / 1.4], bold=True))
    _block(ws, 3, (0, len(widths) - 1), title, f["center_title"])
    plan_line = (f"Thực hiện Kế hoạch số {rules.plan.number} ngày {rules.plan.issued:%d/%m/%Y} của {rules.plan.issuer};"
                 f" các gương hợp lệ đề nghị cấp {level} trong báo cáo tháng của các đơn vị, tính đến hết ngày "
                 f"{c.as_of:%d/%m/%Y}.")
    ws.set_row(4, text_height([plan_line], [sum(widths)]))
    _block(ws, 4, (0, len(widths) - 1), plan_line, f["center_italic"])


def _signature(ctx: Context, ws, row: int) -> None:
    """Under the list, as Nghị định 30 signs: on the right the place and date, the head's title and
    "(Ký, ghi rõ họ tên, đóng dấu)"; on the left the preparer, "(Ký, ghi rõ họ tên)"."""
    rules, f = ctx.rules, ctx.book.f
    _block(ws, row, RIGHT, words.PLACE_DATE.format(place=rules.plan.place, year=rules.plan.year), f["center_italic"])
    _block(ws, row + 1, LEFT, words.PREPARER, f["center_bold"])
    _block(ws, row + 1, RIGHT, words.HEAD_OF_AGENCY, f["center_bold"])
    _block(ws, row + 2, LEFT, words.PREPARER_SIGNS, f["center_italic"])
    _block(ws, row + 2, RIGHT, words.HEAD_SIGNS, f["center_italic"])


def _block(ws, row: int, cols: tuple[int, int], text: str, fmt) -> None:
    """One text centred over its block of columns (merged: the rows above and under the table)."""
    ws.merge_range(row, cols[0], row, cols[1], text, fmt)
