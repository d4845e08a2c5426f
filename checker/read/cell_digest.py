"""The digest of what a workbook's sheets hold: one canonical form of cell values, fed by the
consolidated workbook's writer with each cell as it writes it and by `ntvt verify` with each cell it
reads back, so that an edited value, or a row added or removed, changes it and formatting does not.

Canonical form: row-major, empty cells left out; each cell is its row and column (1-based) and its
value: a text as it is, a number (or a date, time or duration, whatever format shows it) as whole
seconds of Excel's day count, since a date reformatted as a number is the same value."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any, Callable, Iterable

import python_calamine

FORM = "ntvt-cells-1"  # the canonical form's name, hashed first: a changed form changes every digest
EPOCH = dt.datetime(1899, 12, 30)  # Excel's day 0 for every date from 01/03/1900
DAY = 86400


def canonical(value: Any) -> str | None:
    """A cell's value in the canonical form; None for an empty cell."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return "s" + value
    if isinstance(value, bool):
        return "b" + str(int(value))
    if isinstance(value, dt.datetime):
        return "n" + str(round((value.replace(tzinfo=None) - EPOCH).total_seconds()))
    if isinstance(value, dt.date):
        return "n" + str((value - EPOCH.date()).days * DAY)
    if isinstance(value, dt.time):
        return "n" + str(round(value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6))
    if isinstance(value, dt.timedelta):
        return "n" + str(round(value.total_seconds()))
    return "n" + str(round(float(value) * DAY))


class CellDigest:
    """SHA-256 of one sheet's cells in the canonical form, fed row by row in row order. `text`: how
    the writer's texts end up in a cell (cut to Excel's length), applied before hashing."""

    def __init__(self, text: Callable[[str], str] | None = None):
        self._hash = hashlib.sha256(FORM.encode())
        self._text = text

    def row(self, number: int, cells: Iterable[tuple[int, Any]]) -> None:
        """One row (Excel's number, from 1): its (column from 1, value) pairs, columns ascending."""
        parts = []
        for col, value in cells:
            if self._text is not None and isinstance(value, str):
                value = self._text(value)
            shown = canonical(value)
            if shown is not None:
                parts.append(f"{col}:{len(shown)}:{shown}")  # length-prefixed: no separator is ambiguous
        if parts:
            self._hash.update(f"{number}|{len(parts)}|{''.join(parts)}".encode("utf-8", "surrogatepass"))

    def values(self, number: int, values: Iterable[Any], first_col: int = 1) -> None:
        """One row given as its values from column first_col on (None or "" for an empty cell): the
        same as row(), a little faster for the writer's millions of rows."""
        parts = []
        clip = self._text
        for col, value in enumerate(values, first_col):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                if clip is not None:
                    value = clip(value)
                parts.append(f"{col}:{len(value) + 1}:s{value}")
            else:
                shown = canonical(value)
                parts.append(f"{col}:{len(shown)}:{shown}")
        if parts:
            self._hash.update(f"{number}|{len(parts)}|{''.join(parts)}".encode("utf-8", "surrogatepass"))

    def cells(self, cells: dict[tuple[int, int], Any]) -> None:
        """Cells given by (row, column), from 1, in any order: fed row by row."""
        rows: dict[int, list[tuple[int, Any]]] = {}
        for (r, col), value in sorted(cells.items()):
            rows.setdefault(r, []).append((col, value))
        for r, found in rows.items():
            self.row(r, found)

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def sheet_digests(path: Path, names: Iterable[str]) -> dict[str, str | None]:
    """The digest of each named sheet of the .xlsx at `path`, its cells read back with calamine
    (None for a sheet the workbook no longer has). Raises what calamine raises on a broken file."""
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    try:
        present = set(book.sheet_names)
        found: dict[str, str | None] = {}
        for name in names:
            found[name] = _digest(book.get_sheet_by_name(name)) if name in present else None
        return found
    finally:
        book.close()


def _digest(sheet) -> str:
    digest = CellDigest()
    if sheet.start is None:  # no cell at all
        return digest.hexdigest()
    # calamine yields every row from the first (row 1 at index 0), its cells from the range's first column.
    first_col = sheet.start[1] + 1
    for r, values in enumerate(sheet.iter_rows(), start=1):
        digest.values(r, values, first_col)
    return digest.hexdigest()
