"""The data sheets ("Danh sách đề nghị", "Hoạt động"): every data row of every file, with its
provenance in front and its state last (in force, or replaced by which row of which file); each cell with a finding filled by severity, the first ones with a comment.

The header, layout and comments go through xlsxwriter; the rows are streamed into the sheet
afterwards (streaming.splice): at city scale they are millions of cells.
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np
import pandas as pd

from ...model.findings import Finding, Severity
from ...model.packed import unpacked
from ...read.cell_digest import CellDigest
from ...validate.long_texts import lengths
from ...model.words import ROW_IN_FORCE, ROW_NOT_COUNTED, ROW_REPLACED, SEVERITY_WORDS, STATUS_WORDS
from .. import streaming as sheetxml
from ..style import text_height
from .book import print_bands
from .layout import Context
from .words import META, STATE, SUMMARY_PERIOD

CHUNK = 5_000  # rows converted at a time
SEVERITY_BY_RANK = {s.rank: s.value for s in Severity}
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
    """What writing one data sheet produced: its parts' streams of rows (none when empty), the comments used."""

    streams: dict[str, sheetxml.Stream]
    comments: int
    capped: bool  # some flagged cells got no comment: the workbook's allowance ran out


def write_data_sheet(ctx: Context, sheets: dict, key: str, comments_left: int,
                     digest: Callable[[str], CellDigest]) -> DataSheet:
    """The sheet's header and layout now, on each of its parts (the sheet and its continuations),
    its rows as a stream per part; `digest(part)`: the part's digest, given when its rows are
    streamed, each row added as it is written."""
    c, rules, book = ctx.c, ctx.rules, ctx.book
    fields = rules.sheet(key).fields
    split = ctx.splits[rules.sheet(key).name]
    frame = c.validation.frames.tables.get(key, pd.DataFrame())
    headers = META + [f.label for f in fields] + STATE
    widths = _widths(fields)
    shares = split.shares(len(frame))
    # On paper, from "Đơn vị" on: the file, sheet and row columns trace a row on screen (and its
    # state names a replacing row's file); leaving them out keeps the text at a legible size. The
    # list prints over bands of whole columns, "Đơn vị", "Kỳ" and the row's own identifying columns
    # (STT, the nominee) repeated at the left of each, as the template prints.
    repeat = len(META) - PRINT_FROM + identifying(fields)
    for part, first, end in shares:  # every part laid out as the sheet itself
        ws = sheets[part]
        book.table(ws, 0, headers, widths, end - first)
        ws.set_row(0, text_height(headers, widths, bold=True))
        ws.print_area(0, PRINT_FROM, end - first, len(headers) - 1)
        print_bands(ws, PRINT_FROM, widths[PRINT_FROM:], repeat, 0)
        ws.freeze_panes(1, PRINT_FROM + repeat)  # on screen too, the identifying columns stay in view
    if frame.empty:
        return DataSheet({}, 0, False)
    flags = flagged_cells(ctx, split.name)
    # Comments for the first cells, up to what is left of the workbook's allowance.
    commented = [divmod(at, CELL_KEY) for at in flags.cells[:comments_left].tolist()]
    for n, (r, col) in enumerate(commented):
        part, local = split.place(r)
        _comment(sheets[part], local, col, flags.findings(ctx.c.findings, n))
    _comment_rows(ctx, sheets, split, key, frame, fields, widths, commented)
    raw_chars = sum(int((lengths(raws) if spec.type == "longtext" else raws.str.len()).sum())
                    for spec in fields for raws in [frame[f"{spec.key}__raw"]])
    streams = {}
    for part, first, end in shares:
        rows = end - first
        streams[part] = sheetxml.Stream(
            lambda part=part, first=first, end=end: data_rows(ctx, key, frame, fields, widths, flags, digest(part),
                                                              first, end),
            last_row=rows + 1, last_col=len(headers),
            size_hint=7 * raw_chars * rows // len(frame) + 150 * rows * len(headers))
    return DataSheet(streams, len(commented), len(commented) < len(flags.cells))


@dataclass(frozen=True, eq=False)
class Flags:
    """A data sheet's cells with findings, as arrays (a city's are hundreds of thousands: a dict of
    lists of findings cost ~150 bytes a cell, these ~25): each cell keyed row * CELL_KEY + column (the
    row as if the sheet had no limit), sorted; the worst severity's rank of each; and, cell by cell
    in that order, the findings' positions in the consolidation's list (cell n's: those from
    starts[n] to starts[n + 1]), in the list's order."""

    cells: np.ndarray  # int64, sorted, distinct
    worst: np.ndarray  # int8: Severity.rank of the cell's worst finding
    starts: np.ndarray  # int64, one more than cells
    which: np.ndarray  # int64: positions in c.findings

    def findings(self, listed: list[Finding], n: int) -> list[Finding]:
        """The findings of cell n (by its place in `cells`)."""
        return [listed[i] for i in self.which[self.starts[n]:self.starts[n + 1]].tolist()]


def flagged_cells(ctx: Context, sheet_name: str) -> Flags:
    """The cells of the data sheet `sheet_name` (all its parts) that have a finding."""
    keys, ranks, which = array("q"), array("b"), array("q")
    for n, f in enumerate(ctx.c.findings):
        if f.row and f.col:
            pos = ctx.positions.whole((f.file, f.sheet, f.row, f.col))
            if pos and pos[0] == sheet_name:
                keys.append(pos[1] * CELL_KEY + pos[2])
                ranks.append(f.severity.rank)
                which.append(n)
    order = np.argsort(np.frombuffer(keys, dtype=np.int64), kind="stable")  # a cell's findings keep their order
    ordered = np.frombuffer(keys, dtype=np.int64)[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]]) if len(ordered) else order
    ranks_a = np.frombuffer(ranks, dtype=np.int8)[order]
    worst = np.minimum.reduceat(ranks_a, starts) if len(starts) else ranks_a
    return Flags(ordered[starts], worst, np.r_[starts, len(ordered)].astype(np.int64),
                 np.frombuffer(which, dtype=np.int64)[order])


def _comment_rows(ctx: Context, sheets: dict, split, key: str, frame: pd.DataFrame, fields, widths: list[int],
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
    heights = row_heights([([unpacked(v) for v in part[col].tolist()], width) for col, width in wrapped], len(part))
    for r, height in zip(near, heights):
        if height:
            name, local = split.place(r)
            sheets[name].set_row(local, height)


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
              flags: Flags, digest: CellDigest, first: int = 0, end: int | None = None) -> Iterator[str]:
    """The XML of the data rows first to end (indexes into the output order) as one sheet's rows
    (row 1 is the header), each row's values added to `digest`."""
    rules, books, decisions = ctx.rules, ctx.c.validation.books, ctx.c.decisions
    order = ctx.order.get(key, frame.index)
    states = ctx.c.rows[key]
    xf, cells = ctx.book.xf, ctx.cells
    # Every cell bordered (the rows read apart on paper), every text wrapped in a row tall enough.
    cell_s, wrap_s, int_s = xf["cell"], xf["cell_wrap"], xf["cell_number"]
    plain = {"date": xf["cell_date"], "int": int_s, "year": int_s}
    first_state = len(META) + len(fields)
    meta: dict[int, tuple[str, ...]] = {}  # a file's provenance, as shown
    shown_xml: dict[int, tuple[str, str, str]] = {}  # and as cells: A and B, D and E, the file's state
    text, number = cells.text, cells.number
    flagged = flags.cells
    # Rows are converted a chunk at a time: a whole city's sheet as Python lists would cost
    # hundreds of megabytes. Everything that does not depend on the cell is worked out once per
    # column or per file, and a row is one join of cells already made: this loop writes millions of cells.
    end = len(order) if end is None else end
    places = _row_places(frame)
    for start in range(first, end, CHUNK):
        stop = min(start + CHUNK, end)
        part = frame.loc[order[start:stop]]
        columns = [(spec.type, *_shown(part, spec), part[f"{spec.key}__bad"].tolist(), plain.get(spec.type, wrap_s))
                   for spec in fields]
        files, rows = part["_file"].tolist(), part["_row"].tolist()
        for i in set(files) - set(meta):
            d = decisions[i]
            period = rules.cycle_label(d.period) if d.period else (SUMMARY_PERIOD if d.kind == "summary" else "")
            meta[i] = (books[i].name, books[i].tables[key].sheet_name, ctx.unit_name(d.unit_id), period,
                       STATUS_WORDS[d.status])
            shown_xml[i] = (text(cell_s, meta[i][0]) + text(cell_s, meta[i][1]),
                            text(wrap_s, meta[i][2]) + text(wrap_s, period), text(wrap_s, meta[i][4]))
        row_words = _row_words(frame, places, states, part.index, files, decisions, books)
        shown_meta = [meta[i] for i in files]
        heights = row_heights(
            [([m[2] for m in shown_meta], widths[3]), ([m[3] for m in shown_meta], widths[4]),
             ([m[4] for m in shown_meta], widths[first_state]), (row_words, widths[first_state + 1])]
            + [(raws, widths[len(META) + k]) for k, (kind, _, raws, _, _) in enumerate(columns)
               if kind not in NOT_WRAPPED], len(part))
        made = [_column_cells(cells, *column, wrap_s) for column in columns]
        # The cells with a finding, filled by severity, in place of the plain ones.
        lo, hi = np.searchsorted(flagged, [(start + 1) * CELL_KEY, (stop + 1) * CELL_KEY]).tolist()
        for at, rank in zip(flagged[lo:hi].tolist(), flags.worst[lo:hi].tolist()):
            sev = SEVERITY_BY_RANK[rank]
            g, col = divmod(at, CELL_KEY)
            k, n = col - len(META), g - 1 - start
            if 0 <= k < len(fields):
                kind, shown, raws, bads, _ = columns[k]
                made[k][n] = _flagged(cells, xf, kind, shown[n], raws[n], bads[n], sev)
        # The values as written, for the digest: the text typed where it was not understood.
        written = [[None if raw == "" else raw if bad or value is None else value
                    for value, raw, bad in zip(shown, raws, bads)] for _, shown, raws, bads, _ in columns]
        for n, (field_cells, field_values) in enumerate(zip(zip(*made), zip(*written))):
            r = start - first + n + 2  # Excel's row number in this sheet: the header is row 1
            ab, de, state = shown_xml[files[n]]
            name, sheet, unit, period, status = shown_meta[n]
            digest.values(r, (name, sheet, rows[n], unit, period, *field_values, status, row_words[n]))
            yield sheetxml.row(r, "".join((ab, number(int_s, rows[n]), de, *field_cells, state,
                                           text(wrap_s, row_words[n]))), heights[n])


def _shown(part: pd.DataFrame, spec) -> tuple[list, list[str]]:
    """A column's values (as _values) and texts as typed for a chunk of rows; a summary's unpacked
    (model.packed), once where the value is the text as typed."""
    raws = part[f"{spec.key}__raw"].tolist()
    if spec.type != "longtext":
        return _values(part[spec.key], spec.type), raws
    held = part[spec.key].to_numpy(dtype=object, na_value=None).tolist()
    texts = [unpacked(raw) for raw in raws]
    values = [text if value is raw else unpacked(value) for value, raw, text in zip(held, raws, texts)]
    return [v if type(v) is str else None for v in values], texts


def _column_cells(cells: sheetxml.Cells, kind: str, shown: list, raws: list[str], bads: list[bool], style: int,
                  wrap_s: int) -> list[str]:
    """One column's cells for a chunk of rows: blank, the text typed (not understood), or the value.
    Texts that repeat in the chunk (a list's values) are shared strings; others (a summary) inline."""
    text = cells.text if len(set(raws)) * 2 <= len(raws) else sheetxml.inline
    number, blank = cells.number, sheetxml.blank(style)
    return [blank if raw == "" else text(wrap_s, raw) if bad or value is None
            else text(style, value) if isinstance(value, str) else number(style, value)
            for value, raw, bad in zip(shown, raws, bads)]


def _row_places(frame: pd.DataFrame) -> tuple:
    """Every row's Excel row and file as arrays, and whether the frame's index is its positions (as
    once joined): what _row_words looks a replacing row up in, made once per sheet, not per chunk."""
    return frame["_row"].to_numpy(), frame["_file"].to_numpy(), frame.index.equals(pd.RangeIndex(len(frame)))


def _row_words(frame: pd.DataFrame, places: tuple, states, index: pd.Index, files: list[int], decisions,
               books) -> list[str]:
    """Each row's state in words: in force, replaced by (row, file), or not counted with its file
    (`files`: each row's file). The replacing rows are looked up in arrays (`places`: _row_places),
    by position where the index is positions: pandas' lookups cost µs each, over a city's rows."""
    all_rows, all_files, positional = places
    words = []
    for file, in_force, by in zip(files, states.in_force.loc[index].tolist(), states.replaced_by.loc[index].tolist()):
        if in_force:
            words.append(ROW_IN_FORCE)
        elif by >= 0:
            at = by if positional else frame.index.get_loc(by)
            words.append(ROW_REPLACED.format(row=int(all_rows[at]), file=books[int(all_files[at])].name))
        else:
            words.append(ROW_NOT_COUNTED.get(decisions[int(file)].status, ""))
    return words


def _flagged(cells: sheetxml.Cells, xf: dict[str, int], kind: str, value, raw: str, bad: bool, sev: str) -> str:
    """A cell with a finding: filled by severity (its comment is registered separately)."""
    if raw == "":
        return sheetxml.blank(xf[f"text:{sev}"])
    if bad or value is None:
        return sheetxml.inline(xf[f"text:{sev}"], raw)
    if kind == "date":
        return cells.number(xf[f"date:{sev}"], value)
    if kind in ("int", "year"):
        return cells.number(xf[f"int:{sev}"], value)
    return sheetxml.inline(xf[f"{'wrap' if kind == 'longtext' else 'text'}:{sev}"], str(value))


def _comment(ws, r: int, col: int, here: list[Finding]) -> None:
    body = "\n".join(f"[{SEVERITY_WORDS[f.severity.value].capitalize()} {f.rule_id}] {f.message}" for f in here)
    ws.write_comment(r, col, body[:30000], {"author": "ntvt", "x_scale": 2.5, "y_scale": 2})


def _values(series: pd.Series, kind: str) -> list:
    """A column's values as cells hold them: date serials, numbers, text; None where missing (and
    for a date before 1900-03-01, which Excel's serials do not hold the same way: shown as typed)."""
    # Through numpy, not by iterating the series: a pandas element costs µs, over a city's cells.
    if kind == "date":
        serials = (series - EXCEL_EPOCH).dt.days.to_numpy(dtype="float64", na_value=np.nan).tolist()
        return [int(v) if v >= 61 else None for v in serials]  # NaN (no date) compares False
    if kind in ("int", "year"):
        return [None if v != v else v for v in series.to_numpy(dtype="float64", na_value=np.nan).tolist()]
    return [v if type(v) is str else None for v in series.to_numpy(dtype=object, na_value=None).tolist()]
