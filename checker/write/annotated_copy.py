"""Annotated copies: the unit's own workbook, values untouched, each finding marked where it is.

Each finding's cell gets a fill by severity and a comment (message, rule, clause); a first sheet
(`result_sheet.py`) lists every finding with a link to its cell, then what was taken out of the copy
to make it inert. Rich text (a bold unit name, the underlined Tiêu ngữ) is kept, and rows of wrapped
text the file stored no height for get one, so that the copy prints as the unit's file was meant to.
This is the file the office sends back to the unit; it carries ntvt's mark (model.marks), so a copy
left in the inbox is never read as the unit's report.

.xlsx/.xlsm files are sanitized (`sanitize.py`, `sheet_filter.py`: formulas become their cached values, external links,
macros and embedded objects go) and annotated with openpyxl; the copy is always .xlsx. .xls and
.ods files, which openpyxl cannot open, and .xlsx files openpyxl cannot load even sanitized, are
rebuilt from the values read. A copy that still cannot be made is a failure with a Vietnamese
reason, returned to the caller: the other copies are made all the same.
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import openpyxl
import python_calamine as calamine
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.packaging.custom import CustomPropertyList, StringProperty
from openpyxl.styles import PatternFill

from ..read.submission import InputChanged, Submission
from .files import atomic_output
from .inert import CopyFailed, Removed, assert_inert, copy_titles, rename_notes, visible
from .sanitize import sanitize_xlsx
from ..read.workbook import WorkbookData
from ..model.findings import Finding
from ..model.marks import ANNOTATED_COPY, WORKBOOK_PROPERTY
from ..model.words import SEVERITY_WORDS
from ..ruleset.spec import Limits
from .names import annotated_name
from .package import NO_MOMENT, end_of, fixed_times
from .result_sheet import SUMMARY_SHEET, fit_rows, set_text, summary_sheet
from .style import SEVERITY_FILL



class AnnotatedCopies(list):
    """The paths written, and `failures`: (input name, Vietnamese reason) for each copy not made."""

    def __init__(self, paths: Iterable[Path] = ()):
        super().__init__(paths)
        self.failures: list[tuple[str, str]] = []


@dataclass
class _Opened:
    """A workbook ready to annotate: the sheets' titles in the copy, and what was removed from it."""

    wb: openpyxl.Workbook
    names: dict[str, str]  # sheet name as read (findings use it) -> title in the copy
    removed: list[Removed]


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
    first: Exception | None = None
    max_cells = limits.max_rows * limits.max_columns
    if fmt in ("xlsx", "xlsm"):
        try:
            return _finish(_open_original(data, max_cells), findings, source_name, addressed)
        except CopyFailed as exc:
            raise CopyFailed(exc.reason) from None
        except Exception as exc:  # whatever a damaged package makes openpyxl raise: rebuild from values
            first = exc
    try:
        return _finish(_rebuild(data, fmt, sheets, first, max_cells), findings, source_name, addressed)
    except CopyFailed as exc:
        raise CopyFailed(exc.reason) from None
    except Exception as exc:
        if first is None:
            raise CopyFailed(f"không dựng lại được bản sao từ giá trị của tệp ({type(exc).__name__})") from None
        raise CopyFailed(f"không mở được cấu trúc tệp để đánh dấu ({type(first).__name__}) và không dựng "
                         f"lại được bản sao từ giá trị ({type(exc).__name__})") from None


def _open_original(data: bytes, max_cells: int) -> _Opened:
    package = sanitize_xlsx(data, max_cells, reserved=(SUMMARY_SHEET,))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about the extensions it drops; nothing to tell units
        # data_only: a formula the sanitizer missed would still come in as its cached value.
        wb = openpyxl.load_workbook(io.BytesIO(package.data), data_only=True, keep_vba=False, keep_links=False,
                                    rich_text=True)
    for ws in wb.worksheets:
        # A pivot table's cache can refresh from a connection; the copy keeps the cells it shows.
        for pivot in ws._pivots:
            package.removed.append(Removed("Bảng tổng hợp (pivot)", ws.title,
                                           pivot.location.ref if pivot.location else None, visible(pivot.name or "")))
        ws._pivots = []
    return _Opened(wb, package.names, package.removed)


def _rebuild(data: bytes, fmt: str, sheets: set[str] | None, why: Exception | None, max_cells: int) -> _Opened:
    """A copy from the values calamine reads: cached values only, so nothing in it can run.

    calamine reads an .xlsx sheet only when asked, densely: a sheet the check did not bound (a cell
    at XFD1048576) could cost gigabytes, so only `sheets` are read. .xls and .ods files were read
    whole when the check opened them; each sheet is still bounded by its extent before it becomes
    Python objects.
    """
    book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    titles = copy_titles(book.sheet_names, (SUMMARY_SHEET,))
    if why is None:
        note = ("tệp .xls/.ods được dựng lại thành .xlsx từ giá trị đã lưu: công thức, liên kết và định dạng "
                "không được chép")
    else:
        note = (f"không mở được cấu trúc tệp gốc ({type(why).__name__}): bản sao dựng lại từ giá trị đã lưu, "
                f"không có công thức, liên kết và định dạng của tệp gốc")
    removed = [Removed("Bản sao", None, None, note)]
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    names, budget = {}, max_cells
    for name in book.sheet_names:
        if fmt in ("xlsx", "xlsm") and sheets is not None and name not in sheets:
            removed.append(Removed("Trang", titles[name], None, "trang không được chép (bản dựng lại chỉ gồm "
                                                                "các trang đã kiểm tra)"))
            continue
        sheet = book.get_sheet_by_name(name)
        size = (sheet.end[0] + 1) * (sheet.end[1] + 1) if sheet.end else 0
        if size > budget:
            raise CopyFailed(f"tệp có hơn {max_cells:,} ô, quá lớn để làm bản sao có đánh dấu")
        budget -= size
        names[name] = titles[name]
        ws = wb.create_sheet(titles[name])
        for r, line in enumerate(sheet.to_python(skip_empty_area=False), start=1):
            for c, value in enumerate(line, start=1):
                if value != "" and value is not None:
                    set_text(ws.cell(row=r, column=c), value)
    removed += rename_notes({old: new for old, new in titles.items() if old in names})
    return _Opened(wb, names, removed)


def _finish(opened: _Opened, findings: list[Finding], source_name: str, addressed: Addressed) -> bytes:
    _mark_findings(opened, findings)
    for ws in opened.wb.worksheets:
        fit_rows(ws)
    summary_sheet(opened.wb, opened.names, opened.removed, findings, source_name, addressed.office)
    # ntvt's mark, the only custom property of a copy (the input's own went with docProps/ in
    # sanitize): a copy left in the inbox is listed as ntvt's own, never read as the unit's report.
    opened.wb.custom_doc_props = CustomPropertyList()
    opened.wb.custom_doc_props.append(StringProperty(name=WORKBOOK_PROPERTY, value=ANNOTATED_COPY))
    buffer = io.BytesIO()
    opened.wb.save(buffer)
    data = fixed_times(buffer.getvalue(), addressed.moment)  # openpyxl dated it by the clock
    assert_inert(data)  # never send a copy that still holds something live
    return data


def _mark_findings(opened: _Opened, findings: list[Finding]) -> None:
    """Fill and comment each finding's cell; a cell covered by a merge is marked on the merge's first cell."""
    cells: dict[tuple[str, int, int], list[Finding]] = {}
    for f in findings:
        title = opened.names.get(f.sheet)
        if title and f.row and f.col and title in opened.wb.sheetnames:
            row, col = _anchor(opened.wb[title], f.row, f.col)
            cells.setdefault((title, row, col), []).append(f)
    for (title, row, col), here in cells.items():
        cell = opened.wb[title].cell(row=row, column=col)
        here.sort(key=lambda f: f.severity.rank)
        cell.fill = PatternFill("solid", fgColor=SEVERITY_FILL[here[0].severity])
        text = "\n\n".join(f"[{SEVERITY_WORDS[f.severity.value].upper()} – {f.rule_id}] {f.message}" for f in here)
        comment = Comment(visible(text)[:30000], "ntvt")
        comment.width, comment.height = 360, min(600, 80 + 40 * len(here))
        cell.comment = comment


def _anchor(ws, row: int, col: int) -> tuple[int, int]:
    if not isinstance(ws._cells.get((row, col)), MergedCell):
        return row, col
    for r in ws.merged_cells.ranges:
        if r.min_row <= row <= r.max_row and r.min_col <= col <= r.max_col:
            return r.min_row, r.min_col
    return row, col


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
