"""The cells of a workbook's sheets as grids, each sheet bounded before calamine reads it.

python-calamine reads an .xlsx sheet only when asked for it, and allocates a dense grid from A1 to
its last cell: each sheet's extent is measured from its XML first (`xlsx_scan`), so a tiny file
cannot ask for gigabytes. Only the sheets the template names are loaded, unless one is missing
by name (then all, so a renamed sheet can be recognised by its content).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any

from ..ruleset.spec import Limits, RuleSet
from .extent import check_extent
from .labels import label_key
from .ods_scan import ods_extents
from .safety import Rejected
from .xls_scan import xls_extents
from .xlsx_scan import xlsx_extent, xlsx_sheet_parts

# The template's hidden version sheet and the label of its version row, as write/template.py
# writes them (it should import these two rather than spell them again).
VERSION_SHEET = "_ntvt"
VERSION_LABEL = "template_version"


@dataclass
class Grid:
    name: str
    cells: list[list[Any]]  # absolute positions: cells[r-1][c-1]
    merged: list[tuple[tuple[int, int], tuple[int, int]]]

    def get(self, row: int, col: int) -> Any:
        if 1 <= row <= len(self.cells):
            line = self.cells[row - 1]
            if 1 <= col <= len(line):
                return line[col - 1]
        return None


class SheetParts:
    """The worksheet parts of an .xlsx, bounded one by one before calamine reads each (calamine
    reads an .xlsx sheet only when asked for it)."""

    def __init__(self, zf: zipfile.ZipFile | None, rules: RuleSet):
        self.zf, self.limits = zf, rules.limits
        self.formulas: dict[str, list[tuple[int, int, str]]] = {}  # sheet -> formulas without a value
        self.parts: dict[str, str] = {}
        if zf is not None:
            try:
                self.parts = xlsx_sheet_parts(zf)
            except Exception:  # no usable map: every worksheet part is bounded instead
                self.parts = {}

    def bound(self, name: str) -> None:
        """Measure the sheet's extent from its XML; Rejected if it reaches past the limits."""
        if self.zf is None:
            return  # .ods/.xls: bounded whole, before opening
        part = self.parts.get(name)
        names = set(self.zf.namelist())
        if part in names:
            extent = xlsx_extent(self.zf, part, name)
            check_extent(extent, self.limits)
            self.formulas[name] = extent.formulas
            return
        # The sheet's part is not where the workbook says (calamine may still find it): bound
        # every worksheet part, named by its part.
        for other in sorted(n for n in names if n.lower().startswith("xl/worksheets/") and n.lower().endswith(".xml")):
            check_extent(xlsx_extent(self.zf, other, other, want_formulas=False), self.limits)


def load_grids(wb: Any, rules: RuleSet, sheets: SheetParts) -> list[Grid]:
    """Load the sheets the template names (and the version sheet); all sheets only if one is missing,
    so a renamed sheet can still be recognised by its content."""
    metas = [m for m in wb.sheets_metadata if not str(getattr(m, "typ", "")).endswith("ChartSheet")]
    template = {label_key(s.name) for s in rules.sheets if s.kind != "guide"}
    found = {label_key(m.name) for m in metas}
    if not template <= found:
        return [load_grid(wb, m.name, rules, sheets) for m in metas]  # a template sheet is missing by name
    named = [m for m in metas if label_key(m.name) in template | {label_key(VERSION_SHEET)}]
    return [load_grid(wb, m.name, rules, sheets) for m in named]


def load_grid(wb: Any, name: str, rules: RuleSet, sheets: SheetParts) -> Grid:
    limits = rules.limits
    sheets.bound(name)  # before get_sheet_by_name: that call already allocates the dense grid
    sheet = wb.get_sheet_by_name(name)
    end = sheet.end
    if end is not None and (end[0] + 1 > limits.max_rows or end[1] + 1 > limits.max_columns):
        # A second guard, before the rows become Python objects (the XML scan already said so).
        raise Rejected("too_many_cells", f"trang “{name}” có {end[0] + 1} dòng × {end[1] + 1} cột, "
                                         f"vượt giới hạn {limits.max_rows} dòng × {limits.max_columns} cột")
    cells = sheet.to_python(skip_empty_area=False)
    merged = [((a + 1, b + 1), (c + 1, d + 1)) for (a, b), (c, d) in (sheet.merged_cell_ranges or [])]
    return Grid(name, cells, merged)


def bound_whole_file(fmt: str, data: bytes, limits: Limits) -> None:
    """For the formats calamine reads whole when opening (.ods, .xls): reject the file if any sheet
    reaches past the limits. .xlsx sheets are bounded one by one, just before each is read."""
    if fmt == "ods":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for extent in ods_extents(zf):
                check_extent(extent, limits)
    elif fmt == "xls":
        for extent in xls_extents(data):
            check_extent(extent, limits)
