"""What a sheet holds as far as a dense read is concerned, and the verdict on it.

python-calamine turns a sheet into a dense grid from A1 to its last cell holding a value: one cell
at XFD1048576 in a 7 KB file asks for 549 GB and aborts the process, one at XFD3000 costs 1.6 GB.
So each sheet's extent is measured from the file's bytes first, in bounded memory (`xlsx_scan`,
`ods_scan`, `xls_scan`), and a sheet reaching past the rules' limits is rejected here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..ruleset.spec import Limits
from .safety import Rejected


@dataclass
class SheetExtent:
    """What a sheet holds, as far as a dense read is concerned."""

    name: str
    rows: int = 0  # the last row holding a value (1-based; 0: none)
    cols: int = 0  # the last column holding a value
    cells: int = 0  # cells holding a value (a repeated or duplicated cell counts each time)
    merges: int = 0  # merged ranges (<mergeCell>): calamine lists each one
    formulas: list[tuple[int, int, str]] = field(default_factory=list)  # (row, col, "=…") without a value

    def add(self, row: int, col: int, count: int = 1) -> None:
        self.rows, self.cols, self.cells = max(self.rows, row), max(self.cols, col), self.cells + count


def check_extent(extent: SheetExtent, limits: Limits) -> None:
    """Reject a sheet whose values reach past `max_rows` × `max_columns` (or hold more cells than fit)."""
    if extent.rows > limits.max_rows or extent.cols > limits.max_columns:
        raise Rejected("too_many_cells", f"trang “{extent.name}” có {extent.rows} dòng × {extent.cols} cột, "
                                         f"vượt giới hạn {limits.max_rows} dòng × {limits.max_columns} cột")
    if extent.merges > limits.max_rows:
        # A report merges a few dozen ranges; each one costs a Python object and a pass over its cells.
        raise Rejected("too_many_cells", f"trang “{extent.name}” có {extent.merges:,} vùng gộp ô, "
                                         f"vượt giới hạn {limits.max_rows:,} vùng")
    most = limits.max_rows * limits.max_columns
    if extent.cells > most:
        # Within the extent but repeated: the same cells written again and again (calamine keeps each).
        raise Rejected("too_many_cells", f"trang “{extent.name}” có {extent.cells:,} ô dữ liệu (có ô lặp lại), "
                                         f"vượt giới hạn {most:,} ô")
