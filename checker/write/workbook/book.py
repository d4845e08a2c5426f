"""The workbook itself: opened with its document properties (ntvt's mark among them), formats and (empty) sheets, and the
cell helpers every sheet uses (text cells, table headers, print setup)."""

from __future__ import annotations

import datetime as dt
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
        for col, (head, width) in enumerate(zip(headers, widths)):
            ws.write_string(top, col, head, self.f["header"])
            ws.set_column(col, col, width)
        ws.freeze_panes(top + 1, 0)
        ws.autofilter(top, 0, top + max(rows, 1), len(headers) - 1)
        print_setup(ws, top, fit)


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


def print_setup(ws, header_row: int | None = None, fit: bool = True) -> None:
    """A4 landscape. Narrow sheets fit one page across; wide tables print at a readable scale
    over several pages, the header repeated on each (fitting 25 columns to one A4 width
    would print 3-point text)."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    if fit:
        ws.fit_to_pages(1, 0)
    else:
        ws.set_print_scale(75)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    if header_row is not None:
        ws.repeat_rows(header_row)
    ws.set_footer("&CTrang &P/&N")
