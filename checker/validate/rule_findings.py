"""The row and file rules' findings: run the rules on the frames (validate.engine), and place each
failure back on the cell of the input file it came from."""

from __future__ import annotations

from typing import Iterator

import pandas as pd

from .columns import VALID_ROWS
from ..model.findings import Cell, Finding, Sheet, cell_ref
from ..read.workbook import WorkbookData
from ..ruleset.spec import Rule, RuleSet
from .engine import render_failures, run_schema
from .messages import finding
from .row_kinds import Context

# The column the file rules read a file's count of valid rows from (validate.pipeline adds it).


def table_findings(ctx: Context, frame: pd.DataFrame, sheet_key: str, row_rules: list[Rule],
                   books: list[WorkbookData], rules: RuleSet) -> Iterator[tuple[int, Finding | None]]:
    """(frame index, finding) per failure of a table sheet's rows; None for a row that fails an
    error check on a column its file lacks (no finding: the missing column is reported once)."""
    failures = run_schema(ctx, frame, row_rules)
    labels = {f.key: f.label for f in rules.sheet(sheet_key).fields}
    for index, column, rule, check, extra, values in render_failures(ctx, frame, failures, row_rules):
        book = books[int(values["_file"])]
        table = book.tables[sheet_key]
        col = table.columns.get(column)
        if col is None:
            # The whole column is missing: the template rule says so once; no finding per row, but
            # a row that lacks a required column cannot be a valid row.
            if check.severity == "error":
                yield index, None
            continue
        row = int(values["_row"])
        raw = values[f"{column}__raw"]
        shown = {"cell": cell_ref(row, col), "column": labels[column], "value": raw, "sheet": table.sheet_name,
                 "file": book.name, **extra}
        yield index, finding(rules, rule, check, Cell(book.name, table.sheet_name, row, col), values=shown,
                             column=labels[column], value=raw)


def file_findings(ctx: Context, files: pd.DataFrame, file_rules: list[Rule], books: list[WorkbookData],
                  rules: RuleSet) -> list[Finding]:
    """The findings of the rules on each file's form fields and on its count of valid rows."""
    failures = run_schema(ctx, files, file_rules)
    fields = rules.form_fields
    counted = rules.sheet_key("nominations")
    out = []
    for index, column, rule, check, extra, values in render_failures(ctx, files, failures, file_rules):
        book = books[int(values["_file"])]
        if column == VALID_ROWS:
            table = book.tables.get(counted)
            if table is None:
                continue  # no sheet of rows at all: the template rule already says so
            shown = {"sheet": table.sheet_name, "file": book.name, **extra}
            out.append(finding(rules, rule, check, Sheet(book.name, table.sheet_name), values=shown,
                               value=str(extra.get("count", ""))))
            continue
        sheet_key, spec = fields[column]
        fv = book.forms.get(sheet_key, {}).get(column)
        if fv is None:
            continue  # the field's row is missing: the template rule already says so
        sheet = book.form_sheets[sheet_key]
        raw = values[f"{column}__raw"]
        shown = {"cell": cell_ref(fv.row, fv.col), "column": spec.label, "value": raw, "sheet": sheet,
                 "file": book.name, **extra}
        out.append(finding(rules, rule, check, Cell(book.name, sheet, fv.row, fv.col), values=shown,
                           column=spec.label, value=raw))
    return out
