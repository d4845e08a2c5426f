"""The workbook itself: opened with its document properties (ntvt's mark among them), formats and (empty) sheets, and the
cell helpers every sheet uses (text cells, table headers, print setup)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...decide.consolidation import Consolidation
from ...model.marks import CONSOLIDATED, WORKBOOK_PROPERTY
from ...model.packed import unpacked
from ...validate.long_texts import holds_packed
from ..style import SEVERITY_FILL, text_height
from .words import sheet_names

if TYPE_CHECKING:
    import xlsxwriter

STATUS_FILL = {"on_time": "#C6EFCE", "late": "#FFEB9C", "invalid": "#F8CBAD", "missing": "#FFC7CE",
               "not_due": "#EDEDED"}


@dataclass(frozen=True)
class Book:
    """The open workbook: its formats by name, their style indexes (for streamed rows), its sheets."""

    wb: xlsxwriter.Workbook
    f: dict[str, Any]
    xf: dict[str, int]
    sheets: dict[str, Any]

    def text(self, ws, row: int, col: int, value: Any, fmt: str = "text") -> None:
        ws.write_string(row, col, "" if value is None else str(value), self.f[fmt])

    def table(self, ws, top: int, headers: list[str], widths: list[int], rows: int, fit: bool = False) -> None:
        """A table's header row, widths and filter; printed one page wide (`fit`) or as many pages
        across as keep its text legible."""
        for col, (head, width) in enumerate(zip(headers, widths)):
            ws.write_string(top, col, head, self.f["header"])
            ws.set_column(col, col, width)
        ws.freeze_panes(top + 1, 0)
        ws.autofilter(top, 0, top + max(rows, 1), len(headers) - 1)
        print_setup(ws, top, 1 if fit else pages_across(widths))


def open_book(c: Consolidation, path: Path, names: list[str] | None = None) -> Book:
    """A new workbook at `path` with the sheets `names` (the output's, each long sheet's continuations
    among them): constant memory, text kept as text, dates fixed by as_of."""
    # tmpdir: xlsxwriter's temporary files (the rows, in constant_memory) go beside the output,
    # in atomic_output's scratch folder, which is removed whatever happens.
    import xlsxwriter  # lazy: start-up cost (xlsxwriter), for writing the workbook only
    wb = xlsxwriter.Workbook(str(path), {
        "constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
        "strings_to_urls": False, "tmpdir": str(Path(path).parent)})
    plan = c.rules.plan
    wb.set_properties({"title": f"Tổng hợp {plan.short_name} – {plan.number}", "author": "ntvt",
                       "created": dt.datetime.combine(c.as_of, dt.time(0)),
                       "comments": f"Tính đến {c.as_of:%d/%m/%Y}"})
    # ntvt's mark: this workbook left in an inbox is listed as ntvt's own, never read as a report.
    wb.set_custom_property(WORKBOOK_PROPERTY, CONSOLIDATED)
    f = _formats(wb)
    # The style index of each format, for the streamed rows. Asking for it also makes
    # xlsxwriter write the format into styles.xml (it writes only the formats in use).
    xf = {name: fmt._get_xf_index() for name, fmt in f.items()}
    return Book(wb, f, xf, {name: wb.add_worksheet(name) for name in names or sheet_names(c.rules)})


def _formats(wb: xlsxwriter.Workbook) -> dict[str, Any]:
    base = {"font_name": "Times New Roman", "font_size": 11, "valign": "top"}
    f = {
        "text": wb.add_format({**base}),
        "wrap": wb.add_format({**base, "text_wrap": True}),
        "date": wb.add_format({**base, "num_format": "dd/mm/yyyy"}),
        "moment": wb.add_format({**base, "num_format": "dd/mm/yyyy hh:mm"}),
        "int": wb.add_format({**base, "num_format": "0"}),
        "cell_int": wb.add_format({**base, "num_format": "0", "border": 1, "align": "center"}),
        "pct": wb.add_format({**base, "num_format": "0%"}),
        "title": wb.add_format({**base, "bold": True, "font_size": 14}),
        "subtitle": wb.add_format({**base, "italic": True}),
        "header": wb.add_format({**base, "bold": True, "text_wrap": True, "border": 1, "bg_color": "#D9E1F2",
                                 "align": "center", "valign": "vcenter"}),
        "bold": wb.add_format({**base, "bold": True}),
        "hyperlink": wb.add_format({**base, "font_color": "#0563C1", "underline": 1}),
        "cell": wb.add_format({**base, "border": 1}),
        "cell_wrap": wb.add_format({**base, "border": 1, "text_wrap": True}),
        # The cells the council fills in "Xét duyệt": the only ones unlocked in its protected sheet.
        "open_wrap": wb.add_format({**base, "border": 1, "text_wrap": True, "locked": False, "bg_color": "#FFF2CC"}),
        "cell_pct": wb.add_format({**base, "border": 1, "num_format": "0%", "align": "center"}),
        "cell_center": wb.add_format({**base, "border": 1, "align": "center", "text_wrap": True}),
        "center_bold": wb.add_format({**base, "bold": True, "align": "center", "text_wrap": True}),
        "center_motto": wb.add_format({**base, "bold": True, "underline": 1, "align": "center"}),
        "center_italic": wb.add_format({**base, "italic": True, "align": "center", "text_wrap": True}),
        "center_title": wb.add_format({**base, "bold": True, "font_size": 14, "align": "center", "text_wrap": True}),
        "cell_date": wb.add_format({**base, "border": 1, "num_format": "dd/mm/yyyy"}),
        "cell_number": wb.add_format({**base, "border": 1, "num_format": "0"}),
        "cell_moment": wb.add_format({**base, "border": 1, "num_format": "dd/mm/yyyy hh:mm", "text_wrap": True}),
    }
    for sev, color in SEVERITY_FILL.items():
        for kind in ("text", "wrap", "date", "int"):
            extra = {"num_format": "dd/mm/yyyy"} if kind == "date" else {"num_format": "0"} if kind == "int" else {}
            f[f"{kind}:{sev.value}"] = wb.add_format({**base, "bg_color": "#" + color, "border": 1,
                                                       "text_wrap": kind in ("text", "wrap"), **extra})
    for code, color in STATUS_FILL.items():
        f[f"status:{code}"] = wb.add_format({**base, "bg_color": color, "border": 1, "text_wrap": True,
                                             "font_size": 10})
    return f


def records(frame, chunk: int = 5_000):
    """(index, row as a dict) of each row of frame, converted a chunk at a time: iterrows makes a
    Series per row (most of a long list's cost), to_dict of a whole city's frame would hold it twice.
    Packed texts (a summary: model.packed) come unpacked."""
    for start in range(0, len(frame), chunk):
        part = frame.iloc[start:start + chunk]
        packed = [c for c in part.columns if holds_packed(part[c])]
        rows = part.to_dict("records")
        for row in rows:
            for c in packed:
                row[c] = unpacked(row[c])
        yield from zip(part.index, rows)


ONE_LINE = text_height([""], [10])  # the height of a row of one line
PER_UNIT = 1.3  # style.text_height's characters per width unit (not bold): a shorter text is one line


def rows_text_height(texts: list[str], widths: list[int]) -> float:
    """style.text_height of a list's row, the same number, with only the texts longer than a line
    wrapped (wrapping is most of a long list's cost; a tab widens a text, so it is wrapped too)."""
    long = [(t, w) for t, w in zip(texts, widths) if len(t) > max(int((w - 1) * PER_UNIT), 4) or "\t" in t]
    return text_height(*zip(*long)) if long else ONE_LINE


# Column-width units across an A4 landscape page inside 0.4" margins at 100% (LibreOffice and
# Excel draw a unit as about 7 pixels at 96 per inch, plus a few pixels a column).
PAGE_UNITS = 145
MIN_SCALE = 0.55  # below this, 11-point text prints under 6 points: hard to read on paper
# The same page at a fixed scale, as LibreOffice lays whole columns out on it (measured with the
# samples, as the template's write/template_form.PAGE_UNITS): fewer units than fit-to-page suggests.
BAND_UNITS = 105


def pages_across(widths) -> int:
    """How many A4 landscape pages a table this wide needs across to print at MIN_SCALE or more."""
    total = sum(w + 0.7 for w in widths)
    return max(1, math.ceil(total / (PAGE_UNITS / MIN_SCALE)))


def print_setup(ws, header_row: int | None = None, across: int = 1) -> None:
    """A4 landscape, scaled to fit `across` pages wide (as many pages down as it takes): narrow
    sheets one page across; wide tables over as many pages as keep the text legible
    (pages_across), the header repeated on each. The footer names the sheet and the page."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(across, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    if header_row is not None:
        ws.repeat_rows(header_row)
    ws.set_footer("&L&A&RTrang &P/&N")


def bands(widths, repeat: int) -> list[tuple[int, int]]:
    """(first, last) of each printed band of whole columns (indexes into `widths`, the printed
    columns): as few bands as print at MIN_SCALE or larger, the first `repeat` columns printed again
    at the left of every later band, and the widest band as narrow as the count allows (one
    common scale for every page)."""
    units = [w + 0.7 for w in widths]
    again = sum(units[:repeat])
    limit = BAND_UNITS / MIN_SCALE

    def pack(most: float) -> list[tuple[int, int]] | None:
        spans, first, used = [], 0, 0.0
        for n, w in enumerate(units):
            extra = again if spans else 0.0
            if n > first and used + w + extra > most:
                spans.append((first, n - 1))
                first, used = n, 0.0
            used += w
        spans.append((first, len(units) - 1))
        ok = all(sum(units[a:b + 1]) + (again if k else 0) <= most for k, (a, b) in enumerate(spans))
        return spans if ok and spans[0][1] >= repeat - 1 else None

    fewest = pack(limit) or [(n, n) for n in range(len(units))]
    low, high = max(units), limit  # the narrowest widest band giving as few bands
    for _ in range(30):
        mid = (low + high) / 2
        found = pack(mid)
        if found is not None and len(found) <= len(fewest):
            high = mid
        else:
            low = mid
    return pack(high) or fewest


def band_width(widths, repeat: int, spans) -> float:
    units = [w + 0.7 for w in widths]
    return max(sum(units[a:b + 1]) + (sum(units[:repeat]) if k else 0) for k, (a, b) in enumerate(spans))


def print_bands(ws, first_col: int, widths, repeat: int, header_row: int) -> list[tuple[int, int]]:
    """A wide list printed over bands of whole columns (see bands) from `first_col`, at one scale,
    its header rows on every page and its first `repeat` printed columns (who, which row) at the
    left of every band: no page of a band shows rows nobody can identify. Returns the bands."""
    spans = bands(widths, repeat)
    print_setup(ws, header_row)
    # A scale, not fit-to-page (set_print_scale turns it off): fitting would ignore the column breaks.
    ws.set_print_scale(max(int(MIN_SCALE * 100), min(100, int(BAND_UNITS / band_width(widths, repeat, spans) * 100))))
    if len(spans) > 1:
        ws.set_v_pagebreaks([first_col + a for a, _ in spans[1:]])
        if repeat:
            ws.repeat_columns(first_col, first_col + repeat - 1)
    return spans
