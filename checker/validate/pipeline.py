"""Check unit workbooks: read each file once (validate.batch), validate all rows in one pandera pass,
and gather the findings of reading, normalising and the row and file rules into a Validation."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd

from ..model.findings import FileResult, Finding, Report, Severity, ordered
from ..read.submission import Submission
from ..read.workbook import WorkbookData
from ..ruleset.kinds import KINDS
from ..ruleset.spec import RuleSet
from .batch import Progress, read_and_frame
from .frames import Frames, Receipt, form_text
from .reading_findings import reading_findings, without_formula_echoes
from .row_kinds import Context
from .columns import VALID_ROWS
from .rule_findings import file_findings, table_findings

# pandera's pandas backend imports its data-synthesis strategies, and through them hypothesis when it
# is installed (the test extras): 0.3-0.4 s of a one-file check, for strategies ntvt never uses.
# Imported here with hypothesis hidden, pandera takes the path it takes without it; nothing changes
# when hypothesis was imported first (a test run), and hypothesis stays importable afterwards.
if "hypothesis" not in sys.modules:
    sys.modules["hypothesis"] = None  # type: ignore[assignment]  # makes `import hypothesis` fail
    try:
        importlib.import_module("pandera.strategies.pandas_strategies")
    finally:
        del sys.modules["hypothesis"]


@dataclass
class Validation:
    """Everything a check run knows: the books, the frames, and the findings."""

    rules: RuleSet
    submissions: list[Submission]
    books: list[WorkbookData]
    frames: Frames
    findings: list[Finding]
    row_errors: dict[str, set[int]] = field(default_factory=dict)  # sheet key -> frame indexes with errors

    def report(self) -> Report:
        return Report(list(self.findings), [self.file_result(i) for i in range(len(self.books))]).sort()

    def file_result(self, i: int) -> FileResult:
        book, sub = self.books[i], self.submissions[i]
        status = "generated" if book.generated else "rejected" if book.rejected else "checked"
        result = FileResult(book.name, book.sha256, status,
                            reason=book.rejected.reason if book.rejected else None, sender=sub.sender,
                            received_at=sub.received_at.isoformat() if sub.received_at else None,
                            evidence=sub.evidence, template_version=book.version)
        files = self.frames.files
        row = files[files["_file"] == i]
        if not row.empty:
            r, role = row.iloc[0], self.rules.field_key
            unit = self.frames.units.by_id.get(form_text(r, role("unit")))
            result.unit_id, result.unit_name = (unit.id, unit.name) if unit else (None, None)
            result.period = form_text(r, role("period"))
            result.report_type = form_text(r, role("report_type"))
            sent = r.get(role("sent_date")) if role("sent_date") else None
            result.sent_date = sent.date().isoformat() if pd.notna(sent) else None
            result.valid_nominations = int(r[VALID_ROWS])
            result.rows = {k: len(t.rows) for k, t in book.tables.items()}
        return result


def read_paths(paths: Iterable[Path]) -> list[Submission]:
    return [Submission(str(p), None, path=Path(p)) for p in paths]


def validate(subs: list[Submission], rules: RuleSet, *, as_of: dt.date,
             progress: Progress | None = None, workers: int | None = None) -> Validation:
    """Read, normalise and validate submissions; never raises for a bad input. The row rules run once
    over every file's rows together, so the checks comparing rows (copies) see the whole batch; a
    formula cell saved without its value gets only the formula's finding. `as_of` is not read: no
    check depends on the day of the run (it is kept in the signature the API and tests share)."""
    # What stands for a sending date a file's "Ngày gửi" does not give: only a receipt real evidence
    # shows (email, receipt log); never as_of, which would make every deed look as old as the wait.
    receipts = [Receipt(s.received_at.date(), s.evidence) if s.received_at and s.evidence else None for s in subs]
    books, frames = read_and_frame(subs, rules, receipts, progress, workers)
    ctx = _context(rules, frames, books)
    findings: list[Finding] = []
    findings += reading_findings(books, rules)
    findings += frames.info
    row_errors: dict[str, set[int]] = {s.key: set() for s in rules.sheets if s.kind == "table"}
    for key, idx, f in _row_findings(ctx, frames, books):
        if f is None or f.severity is Severity.ERROR:
            row_errors[key].add(idx)
        if f is not None:
            findings.append(f)
    # The file rules read each file's count of valid rows, known only now that the rows are checked.
    key = rules.sheet_key("nominations")
    frames = dataclasses.replace(frames, files=with_valid_rows(frames.files, frames.tables.get(key),
                                                               row_errors.get(key, set())))
    file_rules = [r for r in rules.rules_at("file") if any(c.kind in _FILE_KINDS for c in r.checks)]
    findings += file_findings(ctx, frames.files, file_rules, books, rules)
    findings = without_formula_echoes(findings, books)
    return Validation(rules, subs, books, frames, findings, row_errors)


def findings_without(validation: Validation, left_out: set[int]) -> list[Finding]:
    """The validation's findings as if the files `left_out` (by index) had not been given: none of
    theirs, and the checks that compare rows across files (the `batch_wide` kinds) run again on the
    other files' rows. (Row errors are not recomputed: those kinds are warnings in the rules file.)"""
    if not left_out:
        return validation.findings
    books = validation.books
    names = {books[i].name for i in left_out}
    out = [f for f in validation.findings if f.file not in names and not _batch_wide(f.code)]
    ctx = _context(validation.rules, validation.frames, books)
    out += [f for _, _, f in _row_findings(ctx, validation.frames, books, only=_batch_wide, left_out=left_out)
            if f is not None]
    return ordered(out)


def _context(rules: RuleSet, frames: Frames, books: list[WorkbookData]) -> Context:
    return Context(rules, rules.list_values, _field_lists(rules), frames.units.suggest, books=books)


def _row_findings(ctx: Context, frames: Frames, books: list[WorkbookData], *,
                  only: Callable[[str], bool] | None = None, left_out: set[int] = frozenset()):
    """(sheet key, frame index, finding or None) of the row rules on each table sheet's rows: the
    checks whose kind `only` accepts (all by default), on the rows of the files not `left_out`."""
    rules = ctx.rules
    for sheet in rules.sheets:
        if sheet.kind != "table":
            continue
        row_rules = [r for r in rules.rules_at("row") if r.sheet == sheet.key]
        if only is not None:
            row_rules = [dataclasses.replace(r, checks=tuple(c for c in r.checks if only(c.kind))) for r in row_rules]
            row_rules = [r for r in row_rules if r.checks]
        frame = frames.tables[sheet.key]
        if left_out:
            frame = frame[~frame["_file"].isin(left_out)]
        if not row_rules or (only is not None and frame.empty):
            continue
        for idx, f in table_findings(ctx, frame, sheet.key, row_rules, books, rules):
            yield sheet.key, idx, f
        ctx.memo.clear()  # the sheet's verdicts and their rendering are done: let its keys go


def _batch_wide(kind: str) -> bool:
    return kind in KINDS and KINDS[kind].batch_wide


def with_valid_rows(files: pd.DataFrame, rows: pd.DataFrame | None, errors: set[int]) -> pd.DataFrame:
    """`files` with each file's count of rows (of `rows`) free of errors, as a new column VALID_ROWS."""
    if rows is None or rows.empty:
        return files.assign(**{VALID_ROWS: 0})
    valid = rows.loc[~rows.index.isin(errors)].groupby("_file").size()
    return files.assign(**{VALID_ROWS: files["_file"].map(valid).fillna(0).astype(int)})


# The kinds pandera evaluates (cell and file checks); "structure" kinds are found while reading.
_FILE_KINDS = {name for name, kind in KINDS.items() if kind.level in ("cell", "file")}


def _field_lists(rules: RuleSet) -> Callable[[str], str | None]:
    lists = {f.key: f.list for s in rules.sheets for f in s.fields}
    return lambda key: lists.get(key)


