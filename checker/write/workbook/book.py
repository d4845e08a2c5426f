"""The workbook itself: opened with its document properties (ntvt's mark among them), formats and (empty) sheets, and the
cell helpers every sheet uses (text cells, table headers, print setup)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter

from ...decide.consolidation import Consolidation
from ...model.marks import CONSOLIDATED, WORKBOOK_PROPERTY
from ..style import SEVERITY_FILL
from .words import sheet_names

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


def open_book(c: Consolidation, path: Path) -> Book:
    """A new workbook at `path`: constant memory, text kept as text, dates fixed by as_of."""
    # tmpdir: xlsxwriter's temporary files (the rows, in constant_memory) go beside the output,
    # in atomic_output's scratch folder, which is removed whatever happens.
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
    return Book(wb, f, xf, {name: wb.add_worksheet(name) for name in sheet_names(c.rules)})


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
    }
    for sev, color in SEVERITY_FILL.items():
        for kind in ("text", "wrap", "date", "int"):
            extra = {"num_format": "dd/mm/yyyy"} if kind == "date" else {"num_format": "0"} if kind == "int" else {}
            f[f"{kind}:{sev.value}"] = wb.add_format({**base, "bg_color": "#" + color, "border": 1,
                                                       "text_wrap": kind == "wrap", **extra})
    for code, color in STATUS_FILL.items():
        f[f"status:{code}"] = wb.add_format({**base, "bg_color": color, "border": 1, "text_wrap": True,
                                             "font_size": 10})
    return f


# Column-width units across an A4 landscape page inside 0.4" margins at 100% (LibreOffice and
# Excel draw a unit as about 7 pixels at 96 per inch, plus a few pixels a column).
PAGE_UNITS = 145
MIN_SCALE = 0.55  # below this, 11-point text prints under 6 points: hard to read on paper


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
