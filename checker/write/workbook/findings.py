"""The findings sheet ("Lỗi và cảnh báo"): every finding, most serious first, one row each with a
link to its cell; rows streamed like the data sheets. Beyond Excel's rows per sheet they continue
on "Lỗi và cảnh báo (2)" …, laid out the same."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from ...model.findings import Finding, cell_ref, ordered
from ...model.words import CAMPAIGN_FILE, SEVERITY_WORDS
from .. import streaming as sheetxml
from ..style import row_height
from .layout import Context
from .matrix import status_column
from .words import FILES, FINDINGS, MATRIX

MAX_LINKS = 65_000  # Excel allows 65,530 hyperlinks per sheet
HEADERS = ["STT", "Mức độ", "Quy tắc", "Căn cứ", "Đơn vị", "Tệp", "Trang", "Ô", "Nội dung", "Xem"]
WIDTHS = [5, 10, 15, 20, 26, 28, 16, 7, 76, 6]
WRAPPED = (3, 4, 5, 8)  # the columns (from 0) whose text wraps: rule clause, unit, file, message
PRINTED = 9  # the columns printed: all but "Xem" (a link is no use on paper)


@dataclass(frozen=True)
class FindingsSheet:
    """What writing the findings sheet produced: its parts' streams of rows, and whether links were cut."""

    streams: dict[str, sheetxml.Stream]
    links_capped: bool


def write_findings(ctx: Context, sheets: dict) -> FindingsSheet:
    """Every finding, on the sheet and, past its rows, its continuations (each laid out the same)."""
    c = ctx.c
    shares = ctx.splits[FINDINGS].shares(len(c.findings))
    for part, first, end in shares:
        ctx.book.table(sheets[part], 0, HEADERS, WIDTHS, end - first, fit=True)
        sheets[part].print_area(0, 0, end - first + 1, PRINTED - 1)  # as before parts: one row under the last
    if not c.findings:
        return FindingsSheet({}, False)
    listed = ordered(c.findings, severity_first=True)
    streams, capped = {}, False
    for part, first, end in shares:
        links = []
        for n, f in enumerate(listed[first:end], start=2):
            target = _link_target(ctx, f)
            if target and len(links) < MAX_LINKS:  # Excel's hyperlinks per sheet
                links.append((f"J{n}", target, "Xem"))
            elif target:
                capped = True
        chars = sum(len(f.text) + len(f.citation) + len(f.file or CAMPAIGN_FILE) for f in listed[first:end])
        streams[part] = sheetxml.Stream(
            lambda first=first, end=end, linked=frozenset(ref for ref, _, _ in links):
                _finding_rows(ctx, listed, first, end, linked),
            last_row=end - first + 1, last_col=len(HEADERS), links=links, size_hint=7 * chars + 1500 * (end - first))
    return FindingsSheet(streams, capped)


def _finding_rows(ctx: Context, ordered: list[Finding], first: int, end: int, linked: frozenset[str]) -> Iterator[str]:
    """The rows of the findings first to end (indexes into `ordered`) as one sheet's rows."""
    c, xf = ctx.c, ctx.book.xf
    unit_of = {c.validation.books[d.index].name: ctx.unit_name(d.unit_id) for d in c.decisions}
    words = {sev: word.capitalize() for sev, word in SEVERITY_WORDS.items()}
    text, inline, text_s, wrap_s = ctx.cells.text, sheetxml.inline, xf["text"], xf["wrap"]
    severity = {sev: text(xf[f"text:{sev}"], word) for sev, word in words.items()}
    int_s, link = xf["int"], text(xf["hyperlink"], "Xem")
    for n, f in enumerate(ordered[first:end], start=2):  # Excel's row number: the header is row 1
        file = f.file or CAMPAIGN_FILE
        unit = ctx.unit_name(f.unit) if f.unit else unit_of.get(f.file, "")
        # What repeats (rule, clause, unit, file, sheet) is shared; the cell and the message inline.
        cells = [sheetxml.number(int_s, first + n - 1), severity[f.severity.value], text(text_s, f.rule_id),
                 text(wrap_s, f.clause), text(wrap_s, unit), text(wrap_s, file), text(text_s, f.sheet or ""),
                 inline(text_s, f.cell or ""), inline(wrap_s, f.message)]
        if f"J{n}" in linked:
            cells.append(link)
        texts = (f.clause, unit, file, f.message)
        yield sheetxml.row(n, "".join(cells), row_height(zip(texts, (WIDTHS[col] for col in WRAPPED))))


def _link_target(ctx: Context, f: Finding) -> str | None:
    if f.unit:  # the unit's status cell for that cycle in the matrix
        r = ctx.matrix_rows.get(ctx.unit_name(f.unit))
        col = status_column(ctx, f.cycle, f.code)
        return f"'{MATRIX}'!{cell_ref(r + 1, col + 1)}" if r is not None else None
    pos = ctx.positions.get((f.file, f.sheet, f.row, f.col)) if f.row else None
    if pos:
        return f"'{pos[0]}'!{cell_ref(pos[1] + 1, pos[2] + 1)}"
    r = ctx.manifest_rows.get(f.file)
    if r is None:
        return None
    part, local = ctx.splits[FILES].place(r)
    return f"'{part}'!A{local + 1}"
