"""The data sheets ("Danh sách đề nghị", "Hoạt động"): every data row of every file, with its
provenance in front and its state last (in force, or replaced by which row of which file); each cell with a finding filled by severity, the first ones with a comment.

The header, layout and comments go through xlsxwriter; the rows are streamed into the sheet
afterwards (streaming.splice): at city scale they are millions of cells.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Iterator

import pandas as pd

from ...model.errors import OutputError
from ...model.findings import Finding
from ...read.cell_digest import CellDigest
from ...model.words import ROW_IN_FORCE, ROW_NOT_COUNTED, ROW_REPLACED, SEVERITY_WORDS, STATUS_WORDS
from .. import streaming as sheetxml
from ..style import text_height
from .book import print_bands
from .layout import Context
from .words import META, STATE, SUMMARY_PERIOD

CELL_KEY = 1 << 14  # more than Excel's 16,384 columns: row * CELL_KEY + column is one int per cell
PRINT_FROM = 3  # the first printed column (from 0): "Đơn vị"
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
STATE_WIDTHS = [12, 26]  # "Tình trạng tệp", "Tình trạng dòng"
NOT_WRAPPED = ("date", "int", "year")  # the kinds of field whose cells hold one short value
# 11-point Times New Roman averages about 1,4 characters a width unit; a little less leaves room
# for the words wrapping whole.
CHARS_PER_UNIT = 1.25
MOST_LINES = 27  # Excel's tallest row (409 points) holds 27 lines of 15 points  # serial 0, counting Excel's 29/02/1900 (dates from 01/03/1900)


@dataclass(frozen=True)
class DataSheet:
    """What writing one data sheet produced: its rows' stream (None when empty), the comments used."""

    stream: sheetxml.Stream | None
    comments: int
    capped: bool  # some flagged cells got no comment: the workbook's allowance ran out


def write_data_sheet(ctx: Context, ws, key: str, comments_left: int,
                     digest: Callable[[], CellDigest]) -> DataSheet:
    """The sheet's header and layout now, its rows as a stream; `digest`: the sheet's digest, given
    when the rows are streamed, each row added as it is written."""
    c, rules, book = ctx.c, ctx.rules, ctx.book
    fields = rules.sheet(key).fields
    frame = c.validation.frames.tables.get(key, pd.DataFrame())
    headers = META + [f.label for f in fields] + STATE
    widths = _widths(fields)
    if len(frame) + 1 > sheetxml.MAX_ROWS:
        raise OutputError(f"{len(frame):,} rows of {ws.name!r} do not fit one Excel sheet ({sheetxml.MAX_ROWS - 1:,} "
                          "at most)",
                          message=f"Không ghi được kết quả: {len(frame):,} dòng của trang “{ws.name}” vượt số dòng "
                                  f"tối đa của một trang Excel ({sheetxml.MAX_ROWS - 1:,}); hãy tổng hợp từng phần, "
                                  "ví dụ từng thư mục kỳ báo cáo")
    book.table(ws, 0, headers, widths, len(frame))
    ws.set_row(0, text_height(headers, widths, bold=True))
    # On paper, from "Đơn vị" on: the file, sheet and row columns trace a row on screen (and its
    # state names a replacing row's file); leaving them out keeps the text at a legible size. The
    # list prints over bands of whole columns, "Đơn vị", "Kỳ" and the row's own identifying columns
    # (STT, the nominee) repeated at the left of each, as the template prints.
    repeat = len(META) - PRINT_FROM + identifying(fields)
    ws.print_area(0, PRINT_FROM, len(frame), len(headers) - 1)
    print_bands(ws, PRINT_FROM, widths[PRINT_FROM:], repeat, 0)
    ws.freeze_panes(1, PRINT_FROM + repeat)  # on screen too, the identifying columns stay in view
    if frame.empty:
        return DataSheet(None, 0, False)
    out_sheet = ws.name
    # Keyed by row * CELL_KEY + column: a city's flagged cells are hundreds of thousands.
    by_cell: dict[int, list[Finding]] = {}
    for f in c.findings:
        if f.row and f.col:
            pos = ctx.positions.get((f.file, f.sheet, f.row, f.col))
            if pos and pos[0] == out_sheet:
                by_cell.setdefault(pos[1] * CELL_KEY + pos[2], []).append(f)
    # Comments for the first cells, up to what is left of the workbook's allowance.
    commented = [divmod(at, CELL_KEY) for at in sorted(by_cell)][:comments_left]
    for r, col in commented:
        _comment(ws, r, col, by_cell[r * CELL_KEY + col])
    _comment_rows(ctx, ws, key, frame, fields, widths, commented)
    raw_chars = sum(int(frame[f"{spec.key}__raw"].str.len().sum()) for spec in fields)
    stream = sheetxml.Stream(
        lambda: data_rows(ctx, key, frame, fields, widths, by_cell, digest()), last_row=len(frame) + 1,
        last_col=len(headers), size_hint=7 * raw_chars + 150 * len(frame) * len(headers))
    return DataSheet(stream, len(commented), len(commented) < len(by_cell))


def _comment_rows(ctx: Context, ws, key: str, frame: pd.DataFrame, fields, widths: list[int],
                  commented: list[tuple[int, int]]) -> None:
    """Tell xlsxwriter the height of the rows a comment box lies over: it sizes the box from the
    heights it knows, and the rows themselves are streamed later. (In constant-memory mode
    set_row on a row not yet written records the height without writing a row.)"""
    near = sorted({x for r, _ in commented for x in range(max(1, r - 1), min(len(frame), r + 12) + 1)})
    wrapped = [(f"{spec.key}__raw", widths[len(META) + n]) for n, spec in enumerate(fields)
               if spec.type not in NOT_WRAPPED]
    if not wrapped or not near:
        return
    order = ctx.order.get(key, frame.index)
    part = frame.loc[order[[r - 1 for r in near]], [col for col, _ in wrapped]]
    heights = row_heights([(part[col].tolist(), width) for col, width in wrapped], len(part))
    for r, height in zip(near, heights):
        if height:
            ws.set_row(r, height)


def identifying(fields) -> int:
    """How many of a sheet's first columns identify its rows on paper: up to the nominee's name
    when the sheet has one among them, else the row number alone."""
    roles = [spec.role for spec in fields]
    return roles.index("nominee") + 1 if "nominee" in roles else min(1, len(fields))


def _widths(fields) -> list[int]:
    """The columns' widths: the provenance columns, the sheet's own (as the rules file sizes them),
    the row's state."""
    return [36, 16, 6, 20, 11] + [min(max(f.width or 14, 8), 50) for f in fields] + STATE_WIDTHS


def row_heights(columns: list[tuple[list[str], int]], count: int) -> list[float | None]:
    """Each row's height for its wrapped texts ((texts, column width) per column, `count` rows):
    None for one line. Programs do not grow a row for wrapped text written without a height, so
    every row with more than one line gets one; short texts are passed over quickly (a city's
    sheet has millions of cells)."""
    lines = [1] * count
    for texts, width in columns:
        room = max(1.0, width * CHARS_PER_UNIT)
        for n, text in enumerate(texts):
            if text and (len(text) > room or "\n" in text):
                needed = sum(math.ceil(max(len(part), 1) / room) for part in text.split("\n"))
                lines[n] = max(lines[n], min(MOST_LINES, needed))
    return [15.0 * k if k > 1 else None for k in lines]


def data_rows(ctx: Context, key: str, frame: pd.DataFrame, fields, widths: list[int],
              by_cell: dict[int, list[Finding]], digest: CellDigest) -> Iterator[str]:
    """The data rows' XML, in output order (row 1 is the header), each row's values added to `digest`."""
    rules, books, decisions = ctx.rules, ctx.c.validation.books, ctx.c.decisions
    order = ctx.order.get(key, frame.index)
    states = ctx.c.rows[key]
    letters = sheetxml.columns(len(META) + len(fields) + len(STATE))
    xf = ctx.book.xf
    # Every cell bordered (the rows read apart on paper), every text wrapped in a row tall enough.
    cell_s, wrap_s, int_s = xf["cell"], xf["cell_wrap"], xf["cell_number"]
    plain = {"date": xf["cell_date"], "int": int_s, "year": int_s}
    first_state = len(META) + len(fields)
    state_refs = letters[first_state:]
    meta: dict[int, tuple[str, ...]] = {}  # a file's provenance, as shown
    text_cell, number_cell, blank = sheetxml.text_cell, sheetxml.number_cell, sheetxml.blank_cell
    # Rows are converted a chunk at a time: a whole city's sheet as Python lists would cost
    # hundreds of megabytes. Everything that does not depend on the cell is worked out once per
    # column or per file: this loop writes millions of cells.
    for start in range(0, len(order), 5_000):
        part = frame.loc[order[start:start + 5_000]]
        columns = [(letters[len(META) + k], len(META) + k, spec.type, _values(part[spec.key], spec.type),
                    part[f"{spec.key}__raw"].tolist(), part[f"{spec.key}__bad"].tolist(),
                    plain.get(spec.type, wrap_s)) for k, spec in enumerate(fields)]
        files, rows = part["_file"].tolist(), part["_row"].tolist()
        for i in set(files) - set(meta):
            d = decisions[i]
            period = rules.cycle_label(d.period) if d.period else (SUMMARY_PERIOD if d.kind == "summary" else "")
            meta[i] = (books[i].name, books[i].tables[key].sheet_name, ctx.unit_name(d.unit_id), period,
                       STATUS_WORDS[d.status])
        row_words = _row_words(frame, states, part.index, decisions, books)
        shown_meta = [meta[i] for i in files]
        heights = row_heights(
            [([m[2] for m in shown_meta], widths[3]), ([m[3] for m in shown_meta], widths[4]),
             ([m[4] for m in shown_meta], widths[first_state]), (row_words, widths[first_state + 1])]
            + [(raws, widths[col]) for _, col, kind, _, raws, _, _ in columns if kind not in NOT_WRAPPED], len(part))
        for n in range(len(part)):
            r = start + n + 2  # Excel's row number: the header is row 1
            name, sheet, unit, period, status = shown_meta[n]
            cells = [text_cell(f"A{r}", cell_s, name), text_cell(f"B{r}", cell_s, sheet),
                     number_cell(f"C{r}", int_s, rows[n]), text_cell(f"D{r}", wrap_s, unit),
                     text_cell(f"E{r}", wrap_s, period)]
            values = [(1, name), (2, sheet), (3, rows[n]), (4, unit), (5, period)]  # as written, for the digest
            for letter, col, kind, shown, raws, bads, style in columns:
                here = by_cell.get((r - 1) * CELL_KEY + col)
                ref = f"{letter}{r}"
                values.append((col + 1, None if raws[n] == "" else raws[n] if bads[n] or shown[n] is None else shown[n]))
                if here:
                    sev = min((f.severity for f in here), key=lambda s: s.rank).value
                    cells.append(_flagged(xf, ref, kind, shown[n], raws[n], bads[n], sev))
                elif raws[n] == "":
                    cells.append(blank(ref, style))
                elif bads[n] or shown[n] is None:
                    cells.append(text_cell(ref, wrap_s, raws[n]))
                elif isinstance(shown[n], str):
                    cells.append(text_cell(ref, style, shown[n]))
                else:
                    cells.append(number_cell(ref, style, shown[n]))
            cells += [text_cell(f"{state_refs[0]}{r}", wrap_s, status),
                      text_cell(f"{state_refs[1]}{r}", wrap_s, row_words[n])]
            values += [(first_state + 1, status), (first_state + 2, row_words[n])]
            digest.row(r, values)
            yield sheetxml.row(r, "".join(cells), heights[n])


def _row_words(frame: pd.DataFrame, states, index: pd.Index, decisions, books) -> list[str]:
    """Each row's state in words: in force, replaced by (row, file), or not counted with its file."""
    words = []
    for i, in_force, by in zip(index, states.in_force.loc[index].tolist(), states.replaced_by.loc[index].tolist()):
        if in_force:
            words.append(ROW_IN_FORCE)
        elif by >= 0:
            words.append(ROW_REPLACED.format(row=int(frame.at[by, "_row"]), file=books[int(frame.at[by, "_file"])].name))
        else:
            words.append(ROW_NOT_COUNTED.get(decisions[int(frame.at[i, "_file"])].status, ""))
    return words


def _flagged(xf: dict[str, int], ref: str, kind: str, value, raw: str, bad: bool, sev: str) -> str:
    """A cell with a finding: filled by severity (its comment is registered separately)."""
    if raw == "":
        return sheetxml.blank_cell(ref, xf[f"text:{sev}"])
    if bad or value is None:
        return sheetxml.text_cell(ref, xf[f"text:{sev}"], raw)
    if kind == "date":
        return sheetxml.number_cell(ref, xf[f"date:{sev}"], value)
    if kind in ("int", "year"):
        return sheetxml.number_cell(ref, xf[f"int:{sev}"], value)
    return sheetxml.text_cell(ref, xf[f"{'wrap' if kind == 'longtext' else 'text'}:{sev}"], str(value))


def _comment(ws, r: int, col: int, here: list[Finding]) -> None:
    body = "\n".join(f"[{SEVERITY_WORDS[f.severity.value].capitalize()} {f.rule_id}] {f.message}" for f in here)
    ws.write_comment(r, col, body[:30000], {"author": "ntvt", "x_scale": 2.5, "y_scale": 2})


def _values(series: pd.Series, kind: str) -> list:
    """A column's values as cells hold them: date serials, numbers, text; None where missing (and
    for a date before 1900-03-01, which Excel's serials do not hold the same way: shown as typed)."""
    if kind == "date":
        serials = (series - EXCEL_EPOCH).dt.days
        return [None if pd.isna(v) or v < 61 else int(v) for v in serials]
    if kind in ("int", "year"):
        return [None if pd.isna(v) else float(v) for v in series]
    return [v if isinstance(v, str) else None for v in series]
