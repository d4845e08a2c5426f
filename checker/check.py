"""Check unit workbooks: read each file once, validate all rows in one pandera pass, report findings."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd

from .checks import Context
from .fileio import file_sha256
from .frames import Frames, build_frames, concat_frames
from .memory import release_free_memory
from .reading import WorkbookData, read_workbook
from .safety import Rejected, size_verdict
from .report import FileResult, Finding, Report, Severity, cell_ref
from .rules import KINDS, RuleSet, load_rules
from .schemas import render_failures, run_schema

Progress = Callable[[int], None]


@dataclass
class Submission:
    """One input to check: a file's bytes and what is known of its receipt."""

    name: str  # shown to people: a path, or "email.eml › attachment.xlsx"
    data: bytes | None  # held for an email's attachment; None for a file read again from `path`
    received_at: dt.datetime | None = None  # aware, in the plan's local time
    evidence: str | None = None  # what received_at rests on
    sender: str | None = None
    path: Path | None = None
    sha256: str | None = None  # of the file when it was listed: what is read later must match it

    def content(self) -> bytes:
        """The file's bytes. Files in a folder are read when needed, not held: a city's inbox is
        hundreds of megabytes, and a worker forked from a process holding it would count it again.
        Raises OSError if the file is gone, InputChanged if it is not the file that was listed."""
        if self.data is not None:
            return self.data
        data = Path(self.path).read_bytes()
        if self.sha256 is not None and hashlib.sha256(data).hexdigest() != self.sha256:
            raise InputChanged(f"{self.path} changed after it was listed")
        return data


class InputChanged(Exception):
    """A file of the inbox was modified between listing and reading."""


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
        result = FileResult(book.name, book.sha256, "rejected" if book.rejected else "checked",
                            reason=book.rejected.reason if book.rejected else None, sender=sub.sender,
                            received_at=sub.received_at.isoformat() if sub.received_at else None,
                            evidence=sub.evidence, template_version=book.version)
        files = self.frames.files
        row = files[files["_file"] == i]
        if not row.empty:
            r = row.iloc[0]
            unit = self.frames.units.by_id.get(r.get("unit")) if isinstance(r.get("unit"), str) else None
            result.unit_id, result.unit_name = (unit.id, unit.name) if unit else (None, None)
            result.period = r.get("period") if isinstance(r.get("period"), str) else None
            result.report_type = r.get("report_type") if isinstance(r.get("report_type"), str) else None
            sent = r.get("sent_date")
            result.sent_date = sent.date().isoformat() if pd.notna(sent) else None
            result.valid_nominations = int(r["_valid_nominations"])
            result.rows = {k: len(t.rows) for k, t in book.tables.items()}
        return result


def read_paths(paths: Iterable[Path]) -> list[Submission]:
    return [Submission(str(p), None, path=Path(p)) for p in paths]


def check_workbook(path: Path | str, rules: RuleSet | None = None, *, as_of: dt.date) -> Report:
    """Check one workbook file; the report lists every finding with its cell, rule and clause."""
    return check_many([Path(path)], rules, as_of=as_of)


def check_many(paths: Iterable[Path], rules: RuleSet | None = None, *, as_of: dt.date,
               progress: Progress | None = None) -> Report:
    """Check several workbook files in one pass."""
    rules = rules or load_rules()
    return validate(read_paths(paths), rules, as_of=as_of, progress=progress).report()


# ---------------------------------------------------------------------------------------------


def read_safely(sub: Submission, rules: RuleSet) -> WorkbookData:
    """read_workbook, with a last guard: whatever a damaged file makes a parser raise, the batch goes on
    and the file is listed as unreadable (the exception type is kept in the reason for diagnosis)."""
    digest = sub.sha256  # the listed file's, when it was listed
    try:
        # A file far over the size limit is rejected without being read into memory.
        refused = size_verdict(Path(sub.path).stat().st_size, rules.limits) if sub.data is None else None
        if refused is not None and digest is None:
            digest = file_sha256(sub.path)
        data = sub.content() if refused is None else b""
    except OSError as exc:  # gone or unreadable since the inbox was listed
        refused, data = Rejected("unreadable", f"không mở được tệp ({type(exc).__name__})"), b""
    except InputChanged:
        refused, data = Rejected("changed", "tệp bị sửa trong lúc đang tổng hợp: hãy chạy lại"), b""
    if refused is not None:
        book = WorkbookData(name=sub.name, sha256=digest or hashlib.sha256(data).hexdigest())
        book.rejected = refused
        return book
    try:
        return read_workbook(sub.name, data, rules, sha256=sub.sha256)  # content() checked the digest
    except Exception as exc:
        book = WorkbookData(name=sub.name, sha256=hashlib.sha256(data).hexdigest())
        book.rejected = Rejected("corrupt", f"tệp hỏng, không đọc được ({type(exc).__name__})")
        return book


# Set before the worker pool forks: workers inherit the inputs instead of receiving them pickled.
_JOB: tuple[list[Submission], RuleSet, list[dt.date | None]] | None = None


def _read_chunk(span: tuple[int, int]) -> tuple[list[WorkbookData], Frames]:
    subs, rules, fallback = _JOB
    books = [read_safely(s, rules) for s in subs[span[0]:span[1]]]
    frames = build_frames(books, rules, fallback, first=span[0])
    return _lighten(books), frames


def _lighten(books: list[WorkbookData]) -> list[WorkbookData]:
    """Drop the raw cell lists once the frames hold the values: they are the bulk of a book."""
    for book in books:
        for table in book.tables.values():
            table.values = {}
    return books


def read_and_frame(subs: list[Submission], rules: RuleSet, fallback: list[dt.date | None],
                   progress: Progress | None = None, workers: int | None = None) -> tuple[list[WorkbookData], Frames]:
    """Read every submission once and build the frames, on `workers` cores (default: up to 2).

    Files are read in chunks, each returning that chunk's frames (few large objects crossing
    processes, not one per file: measured, per-file results make the parent the bottleneck). The
    parent reads chunks too, beside workers-1 forked processes, instead of waiting on a pool of
    `workers`: the same cores with one process fewer, and every process counts in the memory
    (a forked worker's resident memory starts with the parent's imports, ~100 MB).
    """
    global _JOB
    workers = workers if workers is not None else min(2, os.cpu_count() or 1)
    if workers <= 1 or len(subs) < 64:
        books = []
        for sub in subs:
            books.append(read_safely(sub, rules))
            if progress:
                progress(1)
        frames = build_frames(books, rules, fallback)
        return _lighten(books), frames
    import multiprocessing

    size = max(16, min(250, len(subs) // (workers * 4)))
    spans = [(i, min(i + size, len(subs))) for i in range(0, len(subs), size)]
    results: list[tuple[list[WorkbookData], Frames] | None] = [None] * len(spans)
    _JOB = (subs, rules, fallback)
    try:
        with ProcessPoolExecutor(workers - 1, mp_context=multiprocessing.get_context("fork")) as pool:
            def finish(k: int, result) -> None:
                results[k] = result
                if progress:
                    progress(spans[k][1] - spans[k][0])

            queued: dict[int, Future] = {}
            for n, span in enumerate(spans):
                # Keep each worker one chunk ahead, so it never waits on the parent; read the rest here.
                if len(queued) < 2 * (workers - 1):
                    queued[n] = pool.submit(_read_chunk, span)
                else:
                    finish(n, _read_chunk(span))
                for k in [k for k, future in queued.items() if future.done()]:
                    finish(k, queued.pop(k).result())
            for k, future in queued.items():
                finish(k, future.result())
    finally:
        _JOB = None
    books = [book for chunk, _ in results for book in chunk]
    frames = concat_frames([part for _, part in results], books)
    del results  # the chunks' frames, now joined
    release_free_memory()
    return books, frames


def validate(subs: list[Submission], rules: RuleSet, *, as_of: dt.date,
             progress: Progress | None = None, workers: int | None = None) -> Validation:
    """Read, normalise and validate submissions; never raises for a bad input."""
    fallback = [s.received_at.date() if s.received_at else as_of for s in subs]
    books, frames = read_and_frame(subs, rules, fallback, progress, workers)
    ctx = Context(rules, rules.list_values, _field_lists(rules), frames.units.suggest)
    findings: list[Finding] = []
    findings += _reading_findings(books, rules)
    findings += frames.info
    row_errors: dict[str, set[int]] = {}
    for sheet in rules.sheets:
        if sheet.kind != "table":
            continue
        frame = frames.tables[sheet.key]
        row_rules = [r for r in rules.rules_at("row") if r.sheet == sheet.key]
        errors: set[int] = set()
        for idx, f in _table_findings(ctx, frame, sheet.key, row_rules, books, rules):
            if f is None or f.severity is Severity.ERROR:
                errors.add(idx)
            if f is not None:
                findings.append(f)
        row_errors[sheet.key] = errors
        if sheet.key == "nominations" and not frame.empty:
            valid = frame.loc[~frame.index.isin(errors)].groupby("_file").size()
            frames.files["_valid_nominations"] = frames.files["_file"].map(valid).fillna(0).astype(int)
    file_rules = [r for r in rules.rules_at("file") if any(c.kind in _FILE_KINDS for c in r.checks)]
    findings += _file_findings(ctx, frames.files, file_rules, books, rules)
    return Validation(rules, subs, books, frames, findings, row_errors)


# The kinds pandera evaluates (cell and file checks); "structure" kinds are found while reading.
_FILE_KINDS = {kind for kind, (level, _, _) in KINDS.items() if level in ("cell", "file")}


def _field_lists(rules: RuleSet) -> Callable[[str], str | None]:
    lists = {f.key: f.list for s in rules.sheets for f in s.fields}
    return lambda key: lists.get(key)


BLANK = "\x00"


def _message(rules: RuleSet, rule_id: str, template: str, **values) -> str:
    """Render a rule's message text (its citation is the finding's `citation`); a blank value reads
    "ô đang để trống", not an empty pair of quotes."""
    if values.get("value") == "":
        values["value"] = BLANK
    text = template.format(**values)
    return text.replace(f"nhận được “{BLANK}”", "ô đang để trống").replace(f"“{BLANK}”", "ô trống")


def _reading_findings(books: list[WorkbookData], rules: RuleSet) -> list[Finding]:
    out = []
    structure = {c.kind: c for c in rules.rule("DV-MAU").checks}
    unreadable = rules.rule("DL-DOCTEP")
    for book in books:
        if book.rejected is not None:
            c = unreadable.checks[0]
            out.append(Finding(unreadable.id, book.rejected.code, Severity(c.severity), book.name, None, None, None,
                               None, book.rejected.reason,
                               _message(rules, unreadable.id, c.message, value=book.rejected.reason), unreadable.clause,
                               rules.citation(unreadable.id)))
            continue
        for kind, sheet, label in book.missing:
            c = structure[f"template_{kind}"]
            out.append(Finding("DV-MAU", c.kind, Severity(c.severity), book.name, sheet, None, None, label, None,
                               _message(rules, "DV-MAU", c.message, sheet=sheet, column=label or "", cell="",
                                        value="", file=book.name), rules.rule("DV-MAU").clause,
                               rules.citation("DV-MAU")))
        for kind, rule_id, cells in (("cell_too_long", "DL-GIOIHAN", book.long_cells),
                                     ("formula_without_value", "DL-CONGTHUC", book.formulas)):
            rule = rules.rule(rule_id)
            c = rule.checks[0]
            for sheet, row, col, extra in cells:
                cell = cell_ref(row, col)
                values = {"length": extra, "max": rules.limits.max_cell_chars} if kind == "cell_too_long" else {}
                shown = "" if kind == "cell_too_long" else str(extra)
                out.append(Finding(rule_id, kind, Severity(c.severity), book.name, sheet, row, col, None, shown,
                                   _message(rules, rule_id, c.message, cell=cell, value=shown, **values), rule.clause,
                                   rules.citation(rule_id)))
        current = rules.template.version
        if book.version != current:
            c = structure["template_version"]
            shown = book.version or "(không có)"
            out.append(Finding("DV-MAU", c.kind, Severity(c.severity), book.name, None, None, None, None, shown,
                               _message(rules, "DV-MAU", c.message, value=shown, expected=current, sheet="",
                                        column="", cell="", file=book.name), rules.rule("DV-MAU").clause,
                               rules.citation("DV-MAU")))
    return out


def _table_findings(ctx, frame, sheet_key, row_rules, books, rules):
    failures = run_schema(ctx, frame, row_rules)
    spec = rules.sheet(sheet_key)
    labels = {f.key: f.label for f in spec.fields}
    for index, column, rule, check, extra, values in render_failures(ctx, frame, failures, row_rules):
        book = books[int(values["_file"])]
        table = book.tables[sheet_key]
        col = table.columns.get(column)
        if col is None:
            # The whole column is missing: DV-MAU says so once; no finding per row, but a row that
            # lacks a required column cannot be a valid nomination.
            if check.severity == "error":
                yield index, None
            continue
        row = int(values["_row"])
        raw = values[f"{column}__raw"]
        cell = cell_ref(row, col)
        message = _message(rules, rule.id, check.message, cell=cell, column=labels[column], value=raw,
                           sheet=table.sheet_name, file=book.name, **extra)
        yield index, Finding(rule.id, check.kind, Severity(check.severity), book.name, table.sheet_name, row, col,
                             labels[column], raw, message, rule.clause, rules.citation(rule.id))


def _file_findings(ctx, files, file_rules, books, rules) -> list[Finding]:
    failures = run_schema(ctx, files, file_rules)
    fields = rules.form_fields
    out = []
    for index, column, rule, check, extra, values in render_failures(ctx, files, failures, file_rules):
        book = books[int(values["_file"])]
        if column == "_valid_nominations":
            table = book.tables.get("nominations")
            if table is None:
                continue  # no nominations sheet at all: DV-MAU already says so
            sheet = table.sheet_name if table else rules.sheet("nominations").name
            message = _message(rules, rule.id, check.message, cell="", column="", value="", sheet=sheet,
                               file=book.name, **extra)
            out.append(Finding(rule.id, check.kind, Severity(check.severity), book.name, sheet, None, None, None,
                               str(extra.get("count", "")), message, rule.clause, rules.citation(rule.id)))
            continue
        sheet_key, spec = fields[column]
        fv = book.forms.get(sheet_key, {}).get(column)
        if fv is None:
            continue  # the field's row is missing: DV-MAU already says so
        sheet = book.form_sheets[sheet_key]
        raw = values[f"{column}__raw"]
        message = _message(rules, rule.id, check.message, cell=cell_ref(fv.row, fv.col), column=spec.label,
                           value=raw, sheet=sheet, file=book.name, **extra)
        out.append(Finding(rule.id, check.kind, Severity(check.severity), book.name, sheet, fv.row, fv.col,
                           spec.label, raw, message, rule.clause, rules.citation(rule.id)))
    return out




def validate_files(paths: Iterable[Path], rules: RuleSet | None = None, *, as_of: dt.date,
                   progress: Progress | None = None) -> Validation:
    """Like check_many, but keeps everything (for annotated copies and consolidation)."""
    return validate(read_paths(paths), rules or load_rules(), as_of=as_of, progress=progress)
