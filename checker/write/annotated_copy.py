"""Annotated copies: the unit's own workbook, values untouched, each finding marked where it is.

Each finding's cell gets a fill by severity and a comment (message, rule, clause); a first sheet
(`result_sheet.py`) lists every finding with a link to its cell, then what was taken out of the copy
to make it inert. Rich text (a bold unit name, the underlined Tiêu ngữ) is kept, and rows of wrapped
text the file stored no height for get one, so that the copy prints as the unit's file was meant to.
This is the file the office sends back to the unit; it carries ntvt's mark (model.marks), so a copy
left in the inbox is never read as the unit's report.

.xlsx/.xlsm files are sanitized (`sanitize.py`, `sheet_filter.py`: formulas become their cached values, external links,
macros and embedded objects go) and annotated with openpyxl (annotating.py, imported only when a
copy is made); the copy is always .xlsx. .xls and
.ods files, which openpyxl cannot open, and .xlsx files openpyxl cannot load even sanitized, are
rebuilt from the values read. A copy that still cannot be made is a failure with a Vietnamese
reason, returned to the caller: the other copies are made all the same.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from ..read.submission import InputChanged, Submission
from .files import atomic_output
from .inert import CopyFailed
from ..read.workbook import WorkbookData
from ..model.findings import Finding
from ..ruleset.spec import Limits
from .names import annotated_name
from .package import NO_MOMENT, end_of


class AnnotatedCopies(list):
    """The paths written, and `failures`: (input name, Vietnamese reason) for each copy not made."""

    def __init__(self, paths: Iterable[Path] = ()):
        super().__init__(paths)
        self.failures: list[tuple[str, str]] = []



def unique_name(name: str, used: set[str]) -> str:
    """`name`, or `name_2.xlsx`, `name_3.xlsx`… if taken: two inputs of one name keep two copies."""
    stem, n, candidate = name[:-5], 2, name
    while candidate in used:
        candidate, n = f"{stem}_{n}.xlsx", n + 1
    used.add(candidate)
    return candidate


def checked_sheets(book: WorkbookData) -> set[str]:
    """The sheets the check read (and bounded): the only ones a rebuilt copy reads again."""
    return {t.sheet_name for t in book.tables.values()} | set(book.form_sheets.values())


@dataclass(frozen=True)
class Addressed:
    """What a copy says beyond its findings: who the unit sends corrections to, and the moment the
    copy is dated (its document times and zip entries: package.end_of(rules, as_of))."""

    office: str | None = None
    moment: dt.datetime = NO_MOMENT


def copy_of(sub: Submission, book: WorkbookData, findings: list[Finding], limits: Limits,
            addressed: Addressed = Addressed()) -> bytes:
    """The annotated copy of one checked input; raises CopyFailed with the reason if none can be made."""
    try:
        data = sub.content()
    except OSError:
        raise CopyFailed("tệp không còn đọc được lúc làm bản sao có đánh dấu") from None
    except InputChanged:
        raise CopyFailed("tệp đã thay đổi sau khi được kiểm tra nên không đánh dấu được") from None
    return annotated_copy(data, book.format, findings, book.name, limits,
                          checked_sheets(book) | {f.sheet for f in findings if f.sheet}, addressed=addressed)


def annotated_copy(data: bytes, fmt: str, findings: list[Finding], source_name: str,
                   limits: Limits = Limits(), sheets: set[str] | None = None, *,
                   addressed: Addressed = Addressed()) -> bytes:
    """The annotated, inert copy of one input's bytes, as .xlsx bytes.

    :param sheets: the sheets of an .xlsx a rebuild from values may read (None: all): others were
        never bounded by the check and are left out of a rebuilt copy.
    Raises CopyFailed when no copy can be made.
    """
    from .annotating import finish, open_original, rebuild  # lazy: start-up cost (openpyxl, ~0.3 s)
    first: Exception | None = None
    max_cells = limits.max_rows * limits.max_columns
    if fmt in ("xlsx", "xlsm"):
        try:
            return finish(open_original(data, max_cells), findings, source_name, addressed)
        except CopyFailed as exc:
            raise CopyFailed(exc.reason) from None
        except Exception as exc:  # whatever a damaged package makes openpyxl raise: rebuild from values
            first = exc
    try:
        return finish(rebuild(data, fmt, sheets, first, max_cells), findings, source_name, addressed)
    except CopyFailed as exc:
        raise CopyFailed(exc.reason) from None
    except Exception as exc:
        if first is None:
            raise CopyFailed(f"không dựng lại được bản sao từ giá trị của tệp ({type(exc).__name__})") from None
        raise CopyFailed(f"không mở được cấu trúc tệp để đánh dấu ({type(first).__name__}) và không dựng "
                         f"lại được bản sao từ giá trị ({type(exc).__name__})") from None



def write_annotated_copies(validation, directory: Path, inputs: Iterable[Path] = (),
                           only_with_findings: bool = False, *, as_of: dt.date | None = None) -> AnnotatedCopies:
    """Write one annotated copy per readable input into `directory`; returns the paths written, with
    `.failures` listing (input, reason) for each copy that could not be made.

    :param as_of: the day the check speaks for: the copies are dated the end of it (without it, a
        fixed date), so that the same inputs give the same bytes.
    """
    rules = validation.rules
    addressed = Addressed(rules.plan.office, end_of(rules, as_of) if as_of else NO_MOMENT)
    directory = Path(directory)
    report = validation.report()
    written, used = AnnotatedCopies(), set()
    for sub, book in zip(validation.submissions, validation.books):
        if book.rejected is not None:
            continue
        found = report.for_file(book.name)
        if only_with_findings and not found:
            continue
        name = unique_name(annotated_name(book.name), used)
        try:
            data = copy_of(sub, book, found, rules.limits, addressed)
        except CopyFailed as exc:
            written.failures.append((book.name, exc.reason))
            continue
        with atomic_output(directory / name, inputs) as tmp:
            tmp.write_bytes(data)
        written.append(directory / name)
    return written
