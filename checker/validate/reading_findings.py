"""What reading a file found before any rule ran: a file refused, a sheet, column or row of the
template missing, an older template, cells too long for Excel, formulas without a stored value.

Each is reported under the rule of the rules file whose check has that (structure) kind.
"""

from __future__ import annotations

from ..model.findings import Cell, File, Finding, Sheet, cell_ref
from ..read.workbook import WorkbookData
from ..ruleset.spec import RuleSet
from .messages import check_of_kind, finding

# What a book says is missing (read.workbook: "sheet", "column", "field") -> its check kind.
MISSING_KINDS = {"sheet": "template_sheet", "column": "template_column", "field": "template_field"}
NO_VERSION = "(không có)"  # shown for a file whose template states no version


def reading_findings(books: list[WorkbookData], rules: RuleSet) -> list[Finding]:
    out = []
    for book in books:
        if book.generated is not None:  # ntvt's own file left in the inbox: listed, not a unit's error
            continue
        if book.rejected is not None:
            out.append(_refused(book, rules))
            continue
        out += _missing(book, rules)
        out += _cells(book, rules)
        if book.version != rules.template.version:
            out.append(_old_template(book, rules))
    return out


def _refused(book: WorkbookData, rules: RuleSet) -> Finding:
    rule, check = check_of_kind(rules, "unreadable")
    reason = book.rejected.reason
    return finding(rules, rule, check, File(book.name), values={"value": reason}, value=reason,
                   code=book.rejected.code)


def _missing(book: WorkbookData, rules: RuleSet) -> list[Finding]:
    out = []
    for kind, sheet, label in book.missing:
        rule, check = check_of_kind(rules, MISSING_KINDS[kind])
        values = {"sheet": sheet, "column": label or "", "file": book.name}
        out.append(finding(rules, rule, check, Sheet(book.name, sheet), values=values, column=label))
    return out


def _cells(book: WorkbookData, rules: RuleSet) -> list[Finding]:
    """Cells over Excel's length limit (read cut short) and formulas with no value to read."""
    out = []
    for kind, cells in (("cell_too_long", book.long_cells), ("formula_without_value", book.formulas)):
        rule, check = check_of_kind(rules, kind)
        for sheet, row, col, extra in cells:
            if kind == "cell_too_long":
                shown, values = "", {"length": extra, "max": rules.limits.max_cell_chars}
            else:
                shown, values = str(extra), {}
            out.append(finding(rules, rule, check, Cell(book.name, sheet, row, col),
                               values={"cell": cell_ref(row, col), "value": shown, **values}, value=shown))
    return out


def _old_template(book: WorkbookData, rules: RuleSet) -> Finding:
    rule, check = check_of_kind(rules, "template_version")
    shown = book.version or NO_VERSION
    values = {"value": shown, "expected": rules.template.version, "file": book.name}
    return finding(rules, rule, check, File(book.name), values=values, value=shown)


def without_formula_echoes(findings: list[Finding], books: list[WorkbookData]) -> list[Finding]:
    """`findings` less those of rules at a cell holding a formula saved without its value: that cell
    is the formula finding's alone, the rules that read it would only say again that it is empty
    ("đang để trống") or not what they expect. The row still counts as having an error."""
    formulas = {Cell(book.name, sheet, row, col) for book in books for sheet, row, col, _ in book.formulas}
    if not formulas:
        return findings
    return [f for f in findings if f.code == "formula_without_value" or f.where not in formulas]
