"""The consolidated workbook auditors open, written with xlsxwriter, one module per sheet.

Written in constant-memory mode (rows streamed in order, so memory stays flat at city scale),
atomically (a temporary file renamed into place), reproducibly (fixed document dates: the same
inputs and as_of give the same bytes). Text from inputs is always written as text: xlsxwriter's
conversions of strings to formulas, numbers and URLs are off, so "=cmd|…", "+…", "@…" stay inert.

The layout (row order, where each cell lands) is worked out first, into one immutable Context;
each sheet writer reads it and returns what the others need to know (its stream of rows, what it
had to cut). The overview is written last, and completed once the rows have been streamed.
"""

from __future__ import annotations

from pathlib import Path

from ...decide.consolidation import Consolidation
from ...process.memory import release_free_memory
from .. import streaming as sheetxml
from ..files import atomic_output
from ...read.xlsx_scan import CUSTOM_PART
from . import city_list, data_sheets, digests, findings, manifest, matrix, overview, review, rules_sheet
from .book import Book, open_book
from .layout import Context, plan_layout
from .words import CITY, FILES, FINDINGS, MATRIX, OVERVIEW, REVIEW, RULES, SHEET_COUNT

__all__ = ["SHEET_COUNT", "write_consolidated"]


def write_consolidated(c: Consolidation, target: Path, inputs=()) -> Path:
    """Write the consolidated workbook atomically; never over an input."""
    with atomic_output(Path(target), inputs) as tmp:
        book = open_book(c, tmp)
        try:
            write_sheets(c, book, tmp)
        except BaseException:
            # constant_memory sheets hold open temporary files until closed or collected; on Windows
            # an open file keeps the scratch folder from being removed in this run.
            for ws in book.wb.worksheets():
                handle = getattr(ws, "row_data_fh", None)
                if handle is not None:
                    handle.close()
            raise
    return Path(target)


def write_sheets(c: Consolidation, book: Book, path: Path) -> None:
    """Every sheet, then the streamed rows; sets c.written (rows written per data sheet)."""
    ctx = plan_layout(c, book, path)
    # What `ntvt verify` checks is recorded as it is written: the data sheets, the files, the rules.
    covered = [name for _, name in ctx.data_sheets] + [FILES, RULES]
    recorded = {name: digests.Recording(book.sheets[name]) for name in covered}
    sheets, streams = {**book.sheets, **recorded}, {}
    matrix.write_matrix(ctx, sheets[MATRIX])
    comments_left, comments_capped = c.rules.consolidation.max_comments, False
    for key, name in ctx.data_sheets:
        done = data_sheets.write_data_sheet(ctx, sheets[name], key, comments_left, lambda name=name: fed[name])
        comments_left -= done.comments
        comments_capped |= done.capped
        if done.stream:
            streams[name] = done.stream
    city_list.write_city_list(ctx, sheets[CITY])
    if REVIEW in sheets:
        review.write_review(ctx, sheets[REVIEW])
    listed = findings.write_findings(ctx, sheets[FINDINGS])
    if listed.stream:
        streams[FINDINGS] = listed.stream
    manifest.write_manifest(ctx, sheets[FILES])
    rules_sheet.write_rules(ctx, sheets[RULES])
    cuts = overview.Cuts(comments_capped, listed.links_capped, listed.cut, findings.cut_words(listed.cut))
    totals = overview.write_overview(ctx, sheets[OVERVIEW], cuts)  # last: it notes what was cut
    digests.mark(book.wb, covered)
    book.wb.close()
    fed = digests.start(recorded)  # the streamed rows (below) add theirs as they are written
    release_free_memory()  # xlsxwriter's and the layout's transients, before the big rows stream
    # The overview states how many rows were written: its cells are filled once the data
    # sheets have been streamed, from the streams' own counts.
    sheetxml.splice(path, streams,
                    finish={OVERVIEW: lambda xml: overview.reconcile(ctx, totals, _written(ctx, streams), xml)},
                    finish_parts={CUSTOM_PART: lambda xml: digests.fill(xml, fed)})
    c.written = _written(ctx, streams)


def _written(ctx: Context, streams: dict[str, sheetxml.Stream]) -> dict[str, int]:
    """Rows the writer wrote to each data sheet (sheet key -> rows), as counted while streaming."""
    return {key: streams[name].written if name in streams else 0 for key, name in ctx.data_sheets}
