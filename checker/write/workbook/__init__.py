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
from .layout import Context, Split, all_sheet_names, plan_layout, plan_splits
from .words import CITY, FILES, MATRIX, OVERVIEW, REVIEW, RULES, SHEET_COUNT

__all__ = ["SHEET_COUNT", "write_consolidated"]


def write_consolidated(c: Consolidation, target: Path, inputs=(), rows_per_sheet: int = sheetxml.MAX_ROWS) -> Path:
    """Write the consolidated workbook atomically; never over an input. A sheet longer than
    `rows_per_sheet` rows (Excel's limit by default; less in tests) continues on "Tên (2)", "Tên (3)" …"""
    if not 1 < rows_per_sheet <= sheetxml.MAX_ROWS:
        raise ValueError(f"rows per sheet must be 2 to {sheetxml.MAX_ROWS}, not {rows_per_sheet}")
    splits = plan_splits(c, rows_per_sheet)
    with atomic_output(Path(target), inputs) as tmp:
        book = open_book(c, tmp, all_sheet_names(c, splits))
        try:
            write_sheets(c, book, tmp, splits)
        except BaseException:
            # constant_memory sheets hold open temporary files until closed or collected; on Windows
            # an open file keeps the scratch folder from being removed in this run.
            for ws in book.wb.worksheets():
                handle = getattr(ws, "row_data_fh", None)
                if handle is not None:
                    handle.close()
            raise
    return Path(target)


def write_sheets(c: Consolidation, book: Book, path: Path, splits: dict[str, Split]) -> None:
    """Every sheet, then the streamed rows; sets c.written (rows written per data sheet)."""
    ctx = plan_layout(c, book, path, splits)
    # What `ntvt verify` checks is recorded as it is written: the data sheets, the files, the rules
    # (every part of a long sheet: each is a sheet of its own).
    covered = [part for _, name in ctx.data_sheets for part in splits[name].names()] + splits[FILES].names() + [RULES]
    recorded = {name: digests.Recording(book.sheets[name]) for name in covered}
    sheets, streams = {**book.sheets, **recorded}, {}
    matrix.write_matrix(ctx, sheets[MATRIX])
    comments_left, comments_capped = c.rules.consolidation.max_comments, False
    for key, name in ctx.data_sheets:
        done = data_sheets.write_data_sheet(ctx, sheets, key, comments_left, lambda part: fed[part])
        comments_left -= done.comments
        comments_capped |= done.capped
        streams.update(done.streams)
    listed_rows = {CITY: city_list.write_city_list(ctx, sheets[CITY]),
                   REVIEW: review.write_review(ctx, sheets[REVIEW]) if REVIEW in sheets else None}
    streams.update({name: stream for name, stream in listed_rows.items() if stream is not None})
    listed = findings.write_findings(ctx, sheets)
    streams.update(listed.streams)
    manifest.write_manifest(ctx, sheets)
    rules_sheet.write_rules(ctx, sheets[RULES])
    cuts = overview.Cuts(comments_capped, listed.links_capped)
    totals = overview.write_overview(ctx, sheets[OVERVIEW], cuts)  # last: it notes what was cut
    digests.mark(book.wb, covered)
    book.wb.close()
    fed = digests.start(recorded)  # the streamed rows (below) add theirs as they are written
    release_free_memory()  # xlsxwriter's and the layout's transients, before the big rows stream
    # The overview states how many rows were written: its cells are filled once the data
    # sheets have been streamed, from the streams' own counts.
    sheetxml.splice(path, streams,
                    finish={OVERVIEW: lambda xml: overview.reconcile(ctx, totals, _written(ctx, streams), xml)},
                    finish_parts={CUSTOM_PART: lambda xml: digests.fill(xml, fed)}, cells=ctx.cells)
    c.written = _written(ctx, streams)


def _written(ctx: Context, streams: dict[str, sheetxml.Stream]) -> dict[str, int]:
    """Rows the writer wrote to each data sheet, all its parts (sheet key -> rows), as counted while streaming."""
    return {key: sum(streams[part].written for part in ctx.splits[name].names() if part in streams)
            for key, name in ctx.data_sheets}
