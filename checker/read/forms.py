"""A form sheet's fields: each value beside its label."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..ruleset.spec import SheetSpec
from .grids import Grid
from .labels import label_index

FORM_SCAN_ROWS = 80
FORM_SCAN_COLS = 6


@dataclass
class FormValue:
    row: int
    col: int
    value: Any


def form_labels(spec: SheetSpec, grid: Grid) -> dict[str, tuple[int, int]]:
    index = label_index(spec.fields)
    found: dict[str, tuple[int, int]] = {}
    for r in range(1, min(FORM_SCAN_ROWS, len(grid.cells)) + 1):
        for c, value in enumerate(grid.cells[r - 1][:FORM_SCAN_COLS], start=1):
            key = index.field(value)
            if key and key not in found:
                found[key] = (r, c)
                if len(found) == index.fields:
                    return found  # every label has its first place: the rest of the sheet changes nothing
    return found


def read_form(spec: SheetSpec, grid: Grid) -> tuple[dict[str, FormValue], list[tuple[str, str, str | None]]]:
    """The form's values by field key, and what is missing (kind "field", sheet, label), in order."""
    labels = form_labels(spec, grid)
    values: dict[str, FormValue] = {}
    missing: list[tuple[str, str, str | None]] = []
    for f in spec.fields:
        if f.key not in labels:
            missing.append(("field", spec.name, f.label))
            continue
        r, c = labels[f.key]
        # The value is in the cell right of the label, or right of the label's merged area. Cells
        # further right are not searched: the template puts a prompt there.
        target = c + 1
        for (r1, c1), (r2, c2) in grid.merged:
            if r1 <= r <= r2 and c1 <= c <= c2:
                target = c2 + 1
        values[f.key] = FormValue(r, target, grid.get(r, target))
    return values, missing
