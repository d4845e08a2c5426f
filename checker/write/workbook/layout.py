"""Where things land in the workbook, worked out before any sheet is written: the output order of
each data sheet's rows, where each input data cell goes, and the row of each unit and each file.
The sheet writers read it from one immutable Context, so no sheet depends on another's side effects."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ...decide.consolidation import Consolidation
from ...ruleset.spec import RuleSet
from .book import Book
from .words import META, data_sheets as named_data_sheets

MATRIX_TOP = 5  # the matrix's first unit row (rows from 0), under its two header rows
MANIFEST_TOP = 4  # the manifest's header row (rows from 0)


class Positions:
    """(file, input sheet, input row, input col) -> (output sheet, row, col) (rows from 0), kept per
    (file, sheet) as a block of output rows and a column map: not one entry per cell or row (a
    city's inbox has millions of cells)."""

    def __init__(self):
        self.blocks: dict[tuple[str, str], tuple[str, int, list[int]]] = {}  # out sheet, first row, input rows
        self.columns: dict[tuple[str, str], dict[int, int]] = {}

    def get(self, key: tuple) -> tuple[str, int, int] | None:
        file, sheet, row, col = key
        block = self.blocks.get((file, sheet))
        out_col = self.columns.get((file, sheet), {}).get(col)
        if block is None or out_col is None:
            return None
        out_sheet, first, rows = block
        k = bisect.bisect_left(rows, row)
        return (out_sheet, first + k, out_col) if k < len(rows) and rows[k] == row else None


@dataclass(frozen=True)
class Context:
    """What every sheet writer may read: the consolidation, the open book, and the layout."""

    c: Consolidation
    book: Book
    path: Path
    data_sheets: tuple[tuple[str, str], ...]  # (rules sheet key, output sheet name) of each data sheet
    order: dict[str, pd.Index]  # sheet key -> output order of its frame's rows (not a copy)
    positions: Positions
    matrix_rows: dict[str, int]  # unit name -> its row in the matrix
    manifest_rows: dict[str, int]  # inbox entry (or attachment) name -> its row in the manifest

    @property
    def rules(self) -> RuleSet:
        return self.c.rules

    def unit_name(self, unit_id: str | None) -> str:
        unit = self.c.validation.frames.units.by_id.get(unit_id) if unit_id else None
        return unit.name if unit else ""


def plan_layout(c: Consolidation, book: Book, path: Path) -> Context:
    data_sheets = named_data_sheets(c.rules)
    order, positions = _data_positions(c, data_sheets)
    matrix_rows = {unit.name: MATRIX_TOP + n for n, unit in enumerate(c.rules.units)}
    return Context(c, book, path, data_sheets, order, positions, matrix_rows, _manifest_rows(c))


def _data_positions(c: Consolidation, data_sheets) -> tuple[dict[str, pd.Index], Positions]:
    """Where each input data cell lands in the output; also fixes the output row order."""
    order: dict[str, pd.Index] = {}
    positions = Positions()
    books, decisions = c.validation.books, c.decisions
    for key, name in data_sheets:
        frame = c.validation.frames.tables.get(key, pd.DataFrame())
        if frame.empty:
            order[key] = frame.index
            continue
        # The official order of units (as in the matrix), then cycle, file and row.
        unit_order = {u.id: n for n, u in enumerate(c.rules.units)}
        sort = pd.DataFrame({
            "unit": frame["_file"].map(lambda i: unit_order.get(decisions[i].unit_id, len(unit_order))),
            "period": frame["_file"].map(lambda i: decisions[i].period or ""),
            "file": frame["_file"].map(lambda i: books[i].name), "row": frame["_row"]}, index=frame.index)
        order[key] = sort.sort_values(["unit", "period", "file", "row"], kind="stable").index
        ordered = frame.loc[order[key], ["_file", "_row"]]
        fields = c.rules.sheet(key).fields
        # Each file's rows form one block, in row order (file names are unique): a block is
        # stored, not a position per row.
        files, rows = ordered["_file"].tolist(), ordered["_row"].tolist()
        starts = [n for n in range(len(files)) if n == 0 or files[n] != files[n - 1]] + [len(files)]
        for start, end in zip(starts, starts[1:]):
            table = books[files[start]].tables[key]
            where = (books[files[start]].name, table.sheet_name)
            positions.columns[where] = {
                table.columns[spec.key]: len(META) + n for n, spec in enumerate(fields) if spec.key in table.columns}
            positions.blocks[where] = (name, start + 1, rows[start:end])  # output row 0 is the header
    return order, positions


def _manifest_rows(c: Consolidation) -> dict[str, int]:
    rows, n = {}, MANIFEST_TOP
    for entry in c.inbox.files:
        n += 1
        rows[entry.name] = n
        for shown in entry.attachments:
            n += 1
            rows[shown] = n
    return rows
