"""Write the standard Excel template from a RuleSet, with xlsxwriter.

Everything the unit reads comes from the rules file: sheet and column names, prompts, lists, units,
cycles, deadlines, plan quotes. Layout contract relied on by the reader:

* sheets in rules order ("Hướng dẫn", forms, tables), then the hidden "Danh mục" and "_ntvt";
* form sheets: A1:B1 title, row 2 empty, from row 3 one field per row (label in A, value in B; a
  grey hint in C);
* table sheets, laid out as an administrative form (template_form): rows 1-2 the parent agency
  and the unit | the Quốc hiệu, Tiêu ngữ and place-and-date line, row 3 the title and plan line,
  row 4 the header, data from row 5 (every prepared row bordered), then after one empty row the
  signature block, which the reader takes as the end of the data. The reader finds the header by
  its labels (read/tables.find_header), so files of earlier layouts read the same;
* labels end with " *" (required) or " (*)" (required in some cases), see `required_marks`;
* "_ntvt": template_version / plan_id / generated (ISO date) in A1:B3.

Protection (no password, against accidents only): every sheet is protected; input cells are
unlocked. Table sheets allow formatting, inserting and deleting rows, sorting and filtering, but not
inserting or deleting columns, so the header the reader relies on stays intact.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

from .files import atomic_output
from .names import template_name
from .style import text_height
from .template_form import REPEATED_COLUMNS, FormLayout
from .workbook.book import print_bands, print_setup
from .template_guide import guide_rows, vn_date
from ..normalise.matching import UnitIndex
from ..read.grids import VERSION_LABEL, VERSION_SHEET
from ..ruleset.kinds import KINDS
from ..ruleset.spec import FieldSpec, RuleSet, SheetSpec, Unit

if TYPE_CHECKING:
    import xlsxwriter

LISTS_SHEET = "Danh mục"
UNITS_LIST, CYCLES_LIST = "units", "cycles"
FORM_FIRST_ROW = 2  # 0-based: row 3
HEADER_ROW = 3  # 0-based: row 4
REQUIRED_MARK, CONDITIONAL_MARK = " *", " (*)"
DATE_FORMAT = "dd/mm/yyyy"
HINT_WIDTH = 55
FONT = "Times New Roman"


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def clip(text: str, limit: int) -> str:
    """Shorten text to at most `limit` characters, ending with an ellipsis when cut."""
    text = nfc(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def required_marks(rules: RuleSet, sheet: SheetSpec) -> dict[str, str]:
    """Field key -> label marker: " *" when an error check rejects a blank unconditionally,
    " (*)" when it does so only under a `when` condition. Warnings never mark a field."""
    keys = {f.key for f in sheet.fields}
    level = "row" if sheet.kind == "table" else "file"
    marks: dict[str, str] = {}
    for rule in rules.rules:
        if rule.level != level or (level == "row" and rule.sheet != sheet.key):
            continue
        for check in rule.checks:
            if not KINDS[check.kind].rejects_blank or check.severity != "error":
                continue
            for key in set(check.columns) & keys:
                if check.when is None or marks.get(key) != REQUIRED_MARK:
                    marks[key] = REQUIRED_MARK if check.when is None else CONDITIONAL_MARK
    return marks


def find_unit(rules: RuleSet, unit: str) -> Unit:
    """A unit by id (any case) or by name as the checker matches names ("NH Chèo HN"); else ValueError."""
    wanted = nfc(unit).strip()
    for u in rules.units:
        if wanted.upper() == u.id.upper() or wanted == nfc(u.name):
            return u
    found = UnitIndex(rules).match(wanted)
    if found is not None:
        return found
    raise ValueError(f"unknown unit {unit!r}: give a unit id or the exact unit name from the rules file")


def check_period(rules: RuleSet, period: str) -> str:
    if period not in rules.deadlines.cycles:
        raise ValueError(f"unknown period {period!r}: expected one of {', '.join(rules.deadlines.cycles)}")
    return period


def make_template(rules: RuleSet, target: Path, *, as_of: dt.date, unit: str | None = None,
                  period: str | None = None) -> Path:
    """Write the standard template to target (atomically), optionally pre-filled for a unit/cycle."""
    prefill: dict[str, str] = {}
    info = rules.sheet(rules.sheet_key("unit_info"))
    name = None
    if unit is not None:
        name = find_unit(rules, unit).name
        prefill.update({f.key: name for f in info.fields if f.type == "unit"})
    if period is not None:
        label = rules.cycle_label(check_period(rules, period))
        prefill.update({f.key: label for f in info.fields if f.type == "period"})
        report_type = next((f for f in info.fields if f.role == "report_type" and f.list), None)
        if report_type:  # the first report type of the list is the monthly report
            prefill[report_type.key] = rules.list_values(report_type.list)[0]
    target = Path(target)
    with atomic_output(target) as tmp:
        _TemplateWriter(rules, tmp, as_of, prefill, name).write()
    return target


def make_unit_templates(rules: RuleSet, directory: Path, *, as_of: dt.date,
                        period: str | None = None) -> list[Path]:
    """Write one pre-filled template per unit into directory; return their paths in unit order."""
    if period is not None:
        check_period(rules, period)
    names = [template_name(rules.plan.short_name, u.id, period) for u in rules.units]
    if len(set(names)) != len(names):
        raise ValueError("unit ids give clashing file names; make the ids distinct ASCII words")
    return [make_template(rules, Path(directory) / name, as_of=as_of, unit=u.id, period=period)
            for u, name in zip(rules.units, names)]


class _TemplateWriter:
    """Builds one workbook; sheet writers are small methods sharing formats and list ranges."""

    def __init__(self, rules: RuleSet, path: Path, as_of: dt.date, prefill: dict[str, str],
                 unit_name: str | None = None):
        as_of = as_of.date() if isinstance(as_of, dt.datetime) else as_of
        self.rules, self.as_of, self.prefill, self.unit_name = rules, as_of, prefill, unit_name
        import xlsxwriter  # lazy: start-up cost (xlsxwriter: `ntvt check` writes no template)
        from xlsxwriter.utility import xl_col_to_name  # lazy: idem
        # tmpdir: xlsxwriter's temporary files go in atomic_output's scratch folder, beside the output.
        self.wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                                  "strings_to_urls": False, "tmpdir": str(Path(path).parent)})
        self.lists = {name: tuple(nfc(i.value) for i in items) for name, items in rules.lists.items()}
        self.lists[UNITS_LIST] = tuple(nfc(u.name) for u in rules.units)
        self.lists[CYCLES_LIST] = tuple(rules.cycle_label(c) for c in rules.deadlines.cycles)
        self.ranges = {}
        for col, (name, values) in enumerate(self.lists.items()):
            letter = xl_col_to_name(col)
            self.ranges[name] = f"='{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
        self.fmt = self._formats()
        self.form = FormLayout(self.wb, {"font_name": FONT, "font_size": 11, "valign": "top"})

    def _formats(self) -> dict[str, xlsxwriter.format.Format]:
        base = {"font_name": FONT, "font_size": 11, "valign": "top"}
        specs = {
            "title": {"bold": True, "font_size": 14, "valign": "vcenter"},
            "subtitle": {"italic": True},
            "header": {"bold": True, "text_wrap": True, "align": "center", "valign": "vcenter",
                       "border": 1, "bg_color": "#D9E1F2"},
            "label": {"bold": True, "text_wrap": True, "border": 1, "bg_color": "#F2F2F2"},
            "hint": {"italic": True, "font_color": "#595959", "text_wrap": True, "font_size": 10},
            "text": {"text_wrap": True},
            "quote": {"italic": True, "text_wrap": True},
            "locked": {},
        }
        fmt = {k: self.wb.add_format({**base, **v}) for k, v in specs.items()}
        for kind, extra in {"plain": {}, "wrap": {"text_wrap": True}, "date": {"num_format": DATE_FORMAT},
                            "text": {"num_format": "@"}}.items():
            fmt[f"in_{kind}"] = self.wb.add_format({**base, "locked": False, **extra})
            fmt[f"box_{kind}"] = self.wb.add_format({**base, "locked": False, "border": 1,
                                                     "bg_color": "#FFF9E5", **extra})
            # A list's prepared rows wrap what is typed or chosen ("Phong trào thi đua gắn với" holds
            # long values), so the unit's own print shows it whole once Excel grows the row.
            wrap = {"text_wrap": True} if kind in ("plain", "text") else {}
            fmt[f"grid_{kind}"] = self.wb.add_format({**base, "locked": False, "border": 1, **wrap, **extra})
        return fmt

    def write(self) -> None:
        r = self.rules
        self.wb.set_properties({"title": nfc(r.template.title), "subject": nfc(f"Kế hoạch số {r.plan.number}"),
                                "author": nfc(r.plan.issuer), "comments": f"{r.plan.id} {r.template.version}",
                                "created": dt.datetime.combine(self.as_of, dt.time())})
        for sheet in r.sheets:
            ws = self.wb.add_worksheet(sheet.name)
            {"guide": self._guide, "form": self._form, "table": self._table}[sheet.kind](ws, sheet)
        self._lists_sheet()
        _version_sheet(self.wb, self.rules, self.as_of)
        self.wb.close()

    # -- shared pieces --------------------------------------------------------------------------

    def _year_bounds(self, field: FieldSpec) -> tuple[int, int]:
        """The range the rules allow for a year column (its year_range check), so the template warns as the checker does."""
        for rule in self.rules.rules:
            for check in rule.checks:
                if check.kind == "year_range" and field.key in check.columns:
                    return check.params["min"], self.rules.plan.year - check.params["max_age_offset"]
        return 1900, 2100

    def _validation(self, field: FieldSpec) -> dict:
        """The data validation (with prompt and, when restricted, a stopping error alert) for a field."""
        v: dict = {"input_title": clip(field.label, 32), "input_message": clip(field.prompt, 255)}
        if field.type in ("list", "unit", "period"):
            name = field.list or (UNITS_LIST if field.type == "unit" else CYCLES_LIST)
            message = (f"“{field.label}”: chỉ chọn một giá trị trong danh sách thả xuống: "
                       + "; ".join(self.lists[name]) + ".")
            v.update(validate="list", source=self.ranges[name], error_title="Giá trị không có trong danh mục",
                     error_message=clip(message, 255))
        elif field.type == "date":
            v.update(validate="date", criteria=">=", value=dt.date(1900, 1, 1), error_title="Ngày không hợp lệ",
                     error_message=f"Nhập một ngày dạng ngày/tháng/năm, ví dụ {vn_date(self.rules.plan.issued)}.")
        elif field.type == "year":
            low, high = self._year_bounds(field)
            v.update(validate="integer", criteria="between", minimum=low, maximum=high,
                     error_title="Năm không hợp lệ", error_message=f"Nhập năm gồm 4 chữ số, từ {low} đến {high}.")
        elif field.type == "int":
            v.update(validate="integer", criteria=">=", value=0, error_title="Số không hợp lệ",
                     error_message="Nhập một số nguyên không âm (0, 1, 2, …).")
        else:
            v["validate"] = "any"
        if v["validate"] != "any":
            v["error_type"] = "stop"
        return v

    def _input_format(self, field: FieldSpec, boxed: bool, grid: bool = False):
        kind = {"date": "date", "longtext": "wrap"}.get(field.type, "plain")
        if field.type == "text":
            kind = "text" if boxed else "wrap"  # form text cells keep leading zeros (phone numbers)
        return self.fmt[("box_" if boxed else "grid_" if grid else "in_") + kind]

    def _print_setup(self, ws, widths: list[float] | None = None) -> None:
        """A4 landscape; a table prints over bands of whole columns (workbook.book.print_bands), STT
        and the header repeated on each page; other sheets one page wide. The footer names the plan."""
        if widths is None:
            print_setup(ws)
        else:
            print_bands(ws, 0, widths, REPEATED_COLUMNS, HEADER_ROW)
        number = nfc(self.rules.plan.number).replace("&", "&&")
        ws.set_footer(f"&L&8Kế hoạch số {number} – &A&R&8Trang &P/&N")

    def _plan_line(self) -> str:
        p = self.rules.plan
        return nfc(f"(Thực hiện Kế hoạch số {p.number} ngày {vn_date(p.issued)} của {p.issuer})")

    # -- sheets ---------------------------------------------------------------------------------

    def _form(self, ws, sheet: SheetSpec) -> None:
        marks = required_marks(self.rules, sheet)
        ws.merge_range(0, 0, 0, 1, nfc(sheet.name.upper()), self.fmt["title"])
        ws.set_row(0, 24)
        for i, field in enumerate(sheet.fields):
            row = FORM_FIRST_ROW + i
            ws.write_string(row, 0, nfc(field.label + marks.get(field.key, "")), self.fmt["label"])
            value, cell_fmt = self.prefill.get(field.key), self._input_format(field, boxed=True)
            if value:
                ws.write_string(row, 1, nfc(value), cell_fmt)
            else:
                ws.write_blank(row, 1, None, cell_fmt)
            ws.write_string(row, 2, nfc(field.prompt), self.fmt["hint"])
            ws.data_validation(row, 1, row, 1, self._validation(field))
            ws.set_row(row, 75 if field.type == "longtext" else max(22, text_height([field.prompt], [HINT_WIDTH * 1.1])))
        label_width = max(len(f.label) for f in sheet.fields) + 6
        ws.set_column(0, 0, min(max(label_width, 24), 45))
        ws.set_column(1, 1, max((f.width or 40) for f in sheet.fields))
        ws.set_column(2, 2, HINT_WIDTH)
        ws.protect("", {"format_columns": True, "format_rows": True})
        self._print_setup(ws)

    def _table(self, ws, sheet: SheetSpec) -> None:
        rules, marks = self.rules, required_marks(self.rules, sheet)
        nominations = sheet.role == "nominations"
        rows = rules.template.nomination_rows if nominations else rules.template.activity_rows
        title = rules.template.title if nominations else f"{sheet.name.upper()} TRIỂN KHAI KẾ HOẠCH"
        widths = [f.width or 14 for f in sheet.fields]
        p = rules.plan
        self.form.heading(ws, widths, HEADER_ROW, self.fmt["locked"], issuer=nfc(p.issuer), unit=self.unit_name and nfc(self.unit_name),
                          place=nfc(p.place), year=p.year, title=nfc(title), plan_line=self._plan_line())
        first, last = HEADER_ROW + 1, HEADER_ROW + rows
        for col, field in enumerate(sheet.fields):
            ws.set_column(col, col, widths[col], self._input_format(field, boxed=False))
            ws.write_string(HEADER_ROW, col, nfc(field.label + marks.get(field.key, "")), self.fmt["header"])
            ws.data_validation(first, col, last, col, self._validation(field))
            grid = self._input_format(field, boxed=False, grid=True)  # prepared rows print with borders
            for row in range(first, last + 1):
                ws.write_blank(row, col, None, grid)
        ws.set_row(HEADER_ROW, self._header_height(sheet, marks), self.fmt["locked"])
        ws.freeze_panes(first, 0)
        ws.autofilter(HEADER_ROW, 0, last, len(sheet.fields) - 1)
        end = self.form.signature(ws, widths, last + 2)
        ws.protect("", {"format_cells": True, "format_columns": True, "format_rows": True, "insert_rows": True,
                        "delete_rows": True, "sort": True, "autofilter": True, "insert_hyperlinks": True})
        self._print_setup(ws, widths)
        ws.print_area(0, 0, end, len(sheet.fields) - 1)

    @staticmethod
    def _header_height(sheet: SheetSpec, marks: dict[str, str]) -> float:
        labels = [f.label + marks.get(f.key, "") for f in sheet.fields]
        return text_height(labels, [f.width or 14 for f in sheet.fields], bold=True) + 6

    def _guide(self, ws, sheet: SheetSpec) -> None:
        rows = list(guide_rows(self.rules, self.as_of))
        ws.write_string(0, 0, "HƯỚNG DẪN ĐIỀN MẪU BÁO CÁO", self.fmt["title"])
        ws.write_string(1, 0, self._plan_line(), self.fmt["subtitle"])
        ws.set_row(0, 24)
        widths = (34, 120)
        for i, (label, text, style) in enumerate(rows, start=3):
            ws.write_string(i, 0, nfc(label), self.fmt["label"])
            ws.write_string(i, 1, nfc(text), self.fmt[style])
            ws.set_row(i, text_height((label, text), widths))
        for col, width in enumerate(widths):
            ws.set_column(col, col, width)
        ws.protect("", {"format_columns": True, "format_rows": True})
        self._print_setup(ws)

    def _lists_sheet(self) -> None:
        ws = self.wb.add_worksheet(LISTS_SHEET)
        for col, (name, values) in enumerate(self.lists.items()):
            ws.write_string(0, col, name, self.fmt["label"])
            for row, value in enumerate(values, start=1):
                ws.write_string(row, col, value)
            ws.set_column(col, col, min(max(len(v) for v in (name, *values)) + 2, 80))
        ws.protect()
        ws.hide()


def _version_sheet(wb: xlsxwriter.Workbook, rules: RuleSet, as_of: dt.date) -> None:
    """The hidden sheet the reader checks the template's version by."""
    ws = wb.add_worksheet(VERSION_SHEET)
    facts = ((VERSION_LABEL, rules.template.version), ("plan_id", rules.plan.id),
             ("generated", as_of.isoformat()))
    for row, (key, value) in enumerate(facts):
        ws.write_string(row, 0, key)
        ws.write_string(row, 1, value)
    ws.protect()
    ws.hide()
