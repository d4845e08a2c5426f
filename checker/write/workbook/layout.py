"""Where things land in the workbook, worked out before any sheet is written: the output order of
each data sheet's rows, where each input data cell goes, and the row of each unit and each file.
The sheet writers read it from one immutable Context, so no sheet depends on another's side effects."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ...decide.consolidation import Consolidation
from ...model.errors import OutputError
from ...ruleset.spec import RuleSet
from .. import streaming as sheetxml
from .book import Book
from .words import FILES, FINDINGS, META, data_sheets as named_data_sheets, part_name, sheet_names

MATRIX_TOP = 5  # the matrix's first unit row (rows from 0), under its two header rows
MANIFEST_TOP = 4  # the manifest's header row (rows from 0)


@dataclass(frozen=True)
class Split:
    """A long sheet in parts of at most rows_per_sheet rows (Excel's limit, or less for tests): the
    sheet itself, then "Tên (2)", "Tên (3)" …, each with the same `top` rows (title, header) above
    its share of the rows. Rows are numbered as if the sheet had no limit; place() says where one lands."""

    name: str
    top: int  # the rows above the first data row, repeated on every part
    per: int  # data rows per part
    parts: int

    @classmethod
    def of(cls, name: str, rows: int, top: int, rows_per_sheet: int) -> "Split":
        per = rows_per_sheet - top
        if per < 1:
            raise ValueError(f"{rows_per_sheet} rows per sheet leave no room under {top} header rows")
        return cls(name, top, per, max(1, -(-rows // per)))

    def names(self) -> list[str]:
        return [part_name(self.name, k) for k in range(1, self.parts + 1)]

    def place(self, row: int) -> tuple[str, int]:
        """(part's name, row in it) of a row numbered in the unlimited sheet (from 0)."""
        if row < self.top:
            return self.name, row
        k, n = divmod(row - self.top, self.per)
        return part_name(self.name, k + 1), self.top + n

    def shares(self, rows: int) -> list[tuple[str, int, int]]:
        """(part's name, first, end) of each part's data rows, indexes from 0 into the rows in order."""
        return [(part_name(self.name, k + 1), k * self.per, min(rows, (k + 1) * self.per)) for k in range(self.parts)]


def refuse_overflow(name: str, rows: int, top: int) -> None:
    """A sheet that is not continued (read back as one sheet, or printed as one list) and would pass
    Excel's rows: refused in words, before anything is written, rather than cut."""
    room = sheetxml.MAX_ROWS - top
    if rows > room:
        shown = f"{room:,}".replace(",", ".")
        raise OutputError(f"{rows} rows of {name!r} do not fit one sheet ({room} at most)",
                          message=f"Không ghi được bảng tổng hợp: trang “{name}” cần {rows:,} dòng".replace(",", ".")
                                  + f", vượt số dòng tối đa của một trang Excel ({shown} dòng dưới tiêu đề); hãy "
                                    "tổng hợp từng phần, ví dụ từng thư mục kỳ báo cáo.")


def plan_splits(c: Consolidation, rows_per_sheet: int) -> dict[str, Split]:
    """Each long sheet's parts, from the counts alone (known before any sheet is written)."""
    splits = {name: Split.of(name, len(c.validation.frames.tables.get(key, ())), 1, rows_per_sheet)
              for key, name in named_data_sheets(c.rules)}
    splits[FINDINGS] = Split.of(FINDINGS, len(c.findings), 1, rows_per_sheet)
    entries = sum(1 + len(entry.attachments) for entry in c.inbox.files) + len(c.inbox.unmatched_log)
    splits[FILES] = Split.of(FILES, entries, MANIFEST_TOP + 1, rows_per_sheet)
    return splits


def all_sheet_names(c: Consolidation, splits: dict[str, Split]) -> list[str]:
    """Every sheet of the output in order, each long sheet followed by its continuations."""
    return [part for name in sheet_names(c.rules) for part in (splits[name].names() if name in splits else [name])]


class Positions:
    """(file, input sheet, input row, input col) -> (output sheet, row, col) (rows from 0), kept per
    (file, sheet) as a block of output rows and a column map: not one entry per cell or row (a
    city's inbox has millions of cells). get() gives the sheet's part and the row in it; whole()
    the data sheet's name and the row as if the sheet had no limit."""

    def __init__(self, splits: dict[str, Split] | None = None):
        self.blocks: dict[tuple[str, str], tuple[str, int, list[int]]] = {}  # out sheet, first row, input rows
        self.columns: dict[tuple[str, str], dict[int, int]] = {}
        self.splits = splits or {}

    def get(self, key: tuple) -> tuple[str, int, int] | None:
        found = self.whole(key)
        if found is None or found[0] not in self.splits:
            return found
        return (*self.splits[found[0]].place(found[1]), found[2])

    def whole(self, key: tuple) -> tuple[str, int, int] | None:
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
    manifest_rows: dict[str, int]  # inbox entry (or attachment) name -> its row in the manifest (unlimited)
    splits: dict[str, Split]  # each long sheet's parts, by the sheet's own name
    cells: sheetxml.Cells  # the streamed rows' cells, and the strings they share

    @property
    def rules(self) -> RuleSet:
        return self.c.rules

    def unit_name(self, unit_id: str | None) -> str:
        unit = self.c.validation.frames.units.by_id.get(unit_id) if unit_id else None
        return unit.name if unit else ""


def plan_layout(c: Consolidation, book: Book, path: Path, splits: dict[str, Split]) -> Context:
    data_sheets = named_data_sheets(c.rules)
    order, positions = _data_positions(c, data_sheets, splits)
    matrix_rows = {unit.name: MATRIX_TOP + n for n, unit in enumerate(c.rules.units)}
    return Context(c, book, path, data_sheets, order, positions, matrix_rows, _manifest_rows(c), splits,
                   sheetxml.Cells())


def _data_positions(c: Consolidation, data_sheets, splits: dict[str, Split]) -> tuple[dict[str, pd.Index], Positions]:
    """Where each input data cell lands in the output; also fixes the output row order."""
    order: dict[str, pd.Index] = {}
    positions = Positions(splits)
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
        # Files made from the template share one layout of columns: one dict for all of them, not
        # one each (6 MiB at 10,000 files).
        layouts: dict[tuple, dict[int, int]] = {}
        for start, end in zip(starts, starts[1:]):
            table = books[files[start]].tables[key]
            where = (books[files[start]].name, table.sheet_name)
            columns = tuple((table.columns[spec.key], len(META) + n) for n, spec in enumerate(fields)
                            if spec.key in table.columns)
            positions.columns[where] = layouts.setdefault(columns, dict(columns))
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
