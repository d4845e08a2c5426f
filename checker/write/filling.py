"""Fill the standard template with values, as a unit would: for sample inboxes, tests and benchmarks.

Values are written by field key into the cells the template reserves for them (form values in
column B, table rows from the row under the header), so the filled file is exactly what a unit who
typed into the template would send. A value given as `Raw(x)` is written as-is (a text date, a
number stored as text), to reproduce what units really type.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl

from .files import atomic_output
from ..read.labels import label_key
from ..ruleset.spec import RuleSet
from .template import make_template


@dataclass(frozen=True)
class Raw:
    """A value to write exactly as given (never converted to a date or number)."""

    value: Any


def fill_template(rules: RuleSet, target: Path, *, as_of: dt.date, info: dict[str, Any] | None = None,
                  nominations: list[dict[str, Any]] = (), activities: list[dict[str, Any]] = (),
                  summary: dict[str, Any] | None = None, unit: str | None = None,
                  period: str | None = None, signature: bool = True) -> Path:
    """Write a filled copy of the standard template; dict keys are field keys of the rules file.
    signature=False: the table sheets' signature block deleted, as many units send their lists."""
    with atomic_output(Path(target)) as out:
        # The blank template is written in the scratch folder too, so nothing is left beside target.
        make_template(rules, out, as_of=as_of, unit=unit, period=period)
        wb = openpyxl.load_workbook(io.BytesIO(out.read_bytes()), rich_text=True)  # keeps the heading's bold and underline
        _fill_form(wb, rules, "info", info or {})
        _fill_form(wb, rules, "summary", summary or {})
        _fill_table(wb, rules, "nominations", nominations, signature)
        _fill_table(wb, rules, "activities", activities, signature)
        wb.save(out)
    return Path(target)


def _put(cell, value: Any) -> None:
    if isinstance(value, Raw):
        cell.value = value.value
        if isinstance(value.value, str):
            cell.data_type = "s"  # "=…" typed by a unit stays text
        cell.number_format = "@" if isinstance(value.value, str) else "General"
        return
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    if isinstance(value, (dt.date, dt.datetime)):
        cell.number_format = "dd/mm/yyyy"


def _fill_form(wb, rules: RuleSet, sheet_key: str, values: dict[str, Any]) -> None:
    spec = rules.sheet(sheet_key)
    ws = wb[spec.name]
    rows = {label_key(ws.cell(row=r, column=1).value or ""): r for r in range(1, ws.max_row + 1)}
    for key, value in values.items():
        row = rows[label_key(spec.field(key).label)]
        _put(ws.cell(row=row, column=2), value)


def _fill_table(wb, rules: RuleSet, sheet_key: str, rows: list[dict[str, Any]], signature: bool) -> None:
    spec = rules.sheet(sheet_key)
    ws = wb[spec.name]
    if not signature:  # everything under the prepared rows (template_form): the empty row and the block
        prepared = rules.template.nomination_rows if spec.role == "nominations" else rules.template.activity_rows
        ws.delete_rows(5 + prepared, ws.max_row)
    header = {label_key(c.value): c.column for c in ws[4] if c.value}
    columns = {f.key: header[label_key(f.label)] for f in spec.fields}
    for n, values in enumerate(rows, start=5):
        for key, value in values.items():
            _put(ws.cell(row=n, column=columns[key]), value)
