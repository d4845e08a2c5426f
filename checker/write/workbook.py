"""The consolidated workbook auditors open, written with xlsxwriter.

Written in constant-memory mode (rows streamed in order, so memory stays flat at city scale),
atomically (a temporary file renamed into place), reproducibly (fixed document dates: the same
inputs and as_of give the same bytes). Text from inputs is always written as text: xlsxwriter's
conversions of strings to formulas, numbers and URLs are off, so "=cmd|…", "+…", "@…" stay inert.
"""

from __future__ import annotations

import bisect
import datetime as dt
from pathlib import Path
from typing import Any, Iterable, Iterator

import pandas as pd
import xlsxwriter

from . import streaming as sheetxml
from ..decide.consolidation import Consolidation
from ..model.words import (CAMPAIGN_FILE, EVIDENCE_SENT, EVIDENCE_SHORT, EVIDENCE_WORDS, POLICY_WORDS, REJECTED,
                           STATUS_WORDS, USED)
from ..model.errors import OutputError
from .files import atomic_output
from ..process.memory import release_free_memory
from ..model.findings import Finding, Severity, cell_ref
from ..ruleset.spec import RuleSet

SHEETS = ["Tổng quan", "Tình hình nộp", "Danh sách đề nghị", "Hoạt động", "Đề xuất Thành phố",
          "Lỗi và cảnh báo", "Tệp đã nhận", "Quy tắc"]
SEVERITY_FILL = {Severity.ERROR: "#FFC7CE", Severity.WARNING: "#FFEB9C", Severity.INFO: "#DDEBF7"}
SEVERITY_WORD = {Severity.ERROR: "Lỗi", Severity.WARNING: "Cảnh báo", Severity.INFO: "Thông tin"}
STATUS_FILL = {"on_time": "#C6EFCE", "late": "#FFEB9C", "invalid": "#F8CBAD", "missing": "#FFC7CE",
               "not_due": "#EDEDED"}
MAX_LINKS = 65_000  # Excel allows 65,530 hyperlinks per sheet
META = ["Tệp", "Trang", "Dòng", "Đơn vị", "Kỳ", "Tình trạng tệp"]
CELL_KEY = 1 << 14  # more than Excel's 16,384 columns: row * CELL_KEY + column is one int per cell
DATA_SHEETS = (("nominations", "Danh sách đề nghị"), ("activities", "Hoạt động"))
# The rows under a table's header that are not data, as the overview names them.
NOT_DATA_WORDS = {"numbered_blank": "Dòng chỉ có số thứ tự (để trống)",
                  "group": "Dòng tiêu đề nhóm (như “I. Cá nhân”)",
                  "footer": "Dòng ký tên, ngày tháng (khối chữ ký)",
                  "outside": "Dòng chỉ có ô ngoài các cột của bảng"}


class _Writer:
    def __init__(self, c: Consolidation, path: Path):
        self.c, self.rules = c, c.rules
        self.path = path
        self.streams: dict[str, sheetxml.Stream] = {}
        # tmpdir: xlsxwriter's temporary files (the rows, in constant_memory) go beside the output,
        # in atomic_output's scratch folder, which is removed whatever happens.
        self.wb = xlsxwriter.Workbook(str(path), {
            "constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
            "strings_to_urls": False, "tmpdir": str(Path(path).parent)})
        created = dt.datetime.combine(c.as_of, dt.time(0))
        self.wb.set_properties({"title": f"Tổng hợp NTVT – {self.rules.plan.number}", "author": "ntvt",
                                "created": created, "comments": f"Tính đến {c.as_of:%d/%m/%Y}"})
        self.f = self._formats()
        # The style index of each format, for the streamed rows. Asking for it also makes
        # xlsxwriter write the format into styles.xml (it writes only the formats in use).
        self.xf = {name: fmt._get_xf_index() for name, fmt in self.f.items()}
        self.sheets = {name: self.wb.add_worksheet(name) for name in SHEETS}
        self.comments_left = self.rules.consolidation.max_comments
        self.links_capped = False
        self.comments_capped = False
        self.findings_cut = 0  # findings beyond Excel's rows per sheet

    def _formats(self) -> dict[str, Any]:
        wb = self.wb
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
            "link": wb.add_format({**base, "font_color": "#0563C1", "underline": 1}),
            "cell": wb.add_format({**base, "border": 1}),
            "cell_wrap": wb.add_format({**base, "border": 1, "text_wrap": True}),
        }
        for sev, color in SEVERITY_FILL.items():
            for kind in ("text", "wrap", "date", "int"):
                extra = {"num_format": "dd/mm/yyyy"} if kind == "date" else {"num_format": "0"} if kind == "int" else {}
                f[f"{kind}:{sev.value}"] = wb.add_format({**base, "bg_color": color, "border": 1,
                                                           "text_wrap": kind == "wrap", **extra})
        for code, color in STATUS_FILL.items():
            f[f"status:{code}"] = wb.add_format({**base, "bg_color": color, "border": 1, "text_wrap": True,
                                                 "font_size": 10})
        return f

    # -- helpers -------------------------------------------------------------------------------

    def text(self, ws, row: int, col: int, value: Any, fmt: str = "text") -> None:
        ws.write_string(row, col, "" if value is None else str(value), self.f[fmt])

    def table(self, ws, top: int, headers: list[str], widths: list[int], rows: int, fit: bool = False) -> None:
        for col, (head, width) in enumerate(zip(headers, widths)):
            ws.write_string(top, col, head, self.f["header"])
            ws.set_column(col, col, width)
        ws.freeze_panes(top + 1, 0)
        ws.autofilter(top, 0, top + max(rows, 1), len(headers) - 1)
        self.print_setup(ws, top, fit)

    def print_setup(self, ws, header_row: int | None = None, fit: bool = True) -> None:
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

    # -- sheets --------------------------------------------------------------------------------

    def write(self) -> None:
        positions = self.data_positions()
        self.matrix(self.sheets["Tình hình nộp"])
        for key, name in DATA_SHEETS:
            self.data_sheet(self.sheets[name], key, positions)
        self.city_list(self.sheets["Đề xuất Thành phố"])
        self.findings_sheet(self.sheets["Lỗi và cảnh báo"], positions)
        self.manifest(self.sheets["Tệp đã nhận"])
        self.rules_sheet(self.sheets["Quy tắc"])
        self.overview(self.sheets["Tổng quan"])  # last: it notes whether comments or links were capped
        self.wb.close()
        release_free_memory()  # xlsxwriter's and the layout's transients, before the big rows stream
        # The overview states how many rows were written: its cells are filled once the data
        # sheets have been streamed, from the streams' own counts.
        sheetxml.splice(self.path, self.streams, finish={"Tổng quan": self.reconcile})
        self.c.written = self.written()

    def written(self) -> dict[str, int]:
        """Rows the writer wrote to each data sheet (sheet key -> rows), as counted while streaming."""
        return {key: self.streams[name].written if name in self.streams else 0 for key, name in DATA_SHEETS}

    def data_positions(self) -> "_Positions":
        """Where each input data cell lands in the output; also fixes the output row order."""
        self.order: dict[str, pd.Index] = {}  # output order of each data sheet's frame rows (not a copy)
        positions = _Positions()
        books, decisions = self.c.validation.books, self.c.decisions
        for key, name in (("nominations", "Danh sách đề nghị"), ("activities", "Hoạt động")):
            frame = self.c.validation.frames.tables.get(key, pd.DataFrame())
            if frame.empty:
                self.order[key] = frame.index
                continue
            # The official order of units (as in "Tình hình nộp"), then cycle, file and row.
            unit_order = {u.id: n for n, u in enumerate(self.rules.units)}
            sort = pd.DataFrame({
                "unit": frame["_file"].map(lambda i: unit_order.get(decisions[i].unit_id, len(unit_order))),
                "period": frame["_file"].map(lambda i: decisions[i].period or ""),
                "file": frame["_file"].map(lambda i: books[i].name), "row": frame["_row"]}, index=frame.index)
            self.order[key] = sort.sort_values(["unit", "period", "file", "row"], kind="stable").index
            ordered = frame.loc[self.order[key], ["_file", "_row"]]
            fields = self.rules.sheet(key).fields
            # Each file's rows form one block, in row order (file names are unique): a block is
            # stored, not a position per row.
            files, rows = ordered["_file"].tolist(), ordered["_row"].tolist()
            starts = [n for n in range(len(files)) if n == 0 or files[n] != files[n - 1]] + [len(files)]
            for start, end in zip(starts, starts[1:]):
                table = books[files[start]].tables[key]
                where = (books[files[start]].name, table.sheet_name)
                positions.columns[where] = {
                    table.columns[spec.key]: len(META) + n for n, spec in enumerate(fields) if spec.key in table.columns}
                positions.blocks[where] = (name, start + 1, rows[start:end])  # output row 0 is the header
        return positions

    def _unit_name(self, unit_id: str | None) -> str:
        unit = self.c.validation.frames.units.by_id.get(unit_id) if unit_id else None
        return unit.name if unit else ""

    def overview(self, ws) -> None:
        c, counts = self.c, self.c.counts
        ws.set_column(0, 0, 48)
        ws.set_column(1, 1, 30)
        ws.set_column(2, 8, 13)
        self.text(ws, 0, 0, f"TỔNG HỢP PHONG TRÀO “NGƯỜI TỐT, VIỆC TỐT” – KẾ HOẠCH SỐ {self.rules.plan.number}", "title")
        self.text(ws, 1, 0, f"Tính đến hết ngày {c.as_of:%d/%m/%Y} (giờ Hà Nội). Cách hiểu hạn nộp: "
                            f"{_policy_words(self.rules)}.", "subtitle")
        lines = [
            ("Tệp trong hộp thư", counts["inbox_files"]), ("  trong đó thư điện tử", counts["emails"]),
            ("Tệp báo cáo (bảng tính, kể cả tệp đính kèm thư)", counts["submissions"]),
            ("  được dùng", counts["used"]), ("  đã thay thế (nộp lại)", counts["superseded"]),
            ("  bị loại", counts["rejected"]),
            ("Tệp khác không phải báo cáo (bị loại)", counts["not_submissions"]),
            ("Lỗi", counts["findings_error"]), ("Cảnh báo", counts["findings_warning"]),
            ("Thông tin", counts["findings_info"]),
        ]
        self.text(ws, 3, 0, "Đối chiếu số liệu", "bold")
        for n, (label, value) in enumerate(lines, start=4):
            self.text(ws, n, 0, label)
            ws.write_number(n, 1, value, self.f["int"])
        row = self.row_table(ws, 4 + len(lines) + 1)
        # Filled once the data sheets are written (see reconcile): whether everything adds up.
        self.verdict_cell = cell_ref(row + 1, 1)
        self.text(ws, row, 0, "…", "bold")
        row += 2
        self.text(ws, row, 0, "Tình hình nộp theo kỳ (các đơn vị phải nộp)", "bold")
        heads = ["Kỳ", "Hạn", "Đúng hạn", "Trễ hạn", "Chưa hợp lệ", "Chưa nộp", "Chưa đến hạn", "Tỉ lệ đúng hạn"]
        for col, head in enumerate(heads):
            ws.write_string(row + 1, col, head, self.f["header"])
        cycles = c.cycles[c.cycles["required"]] if not c.cycles.empty else c.cycles
        first = row + 2
        for n, cycle in enumerate(self.rules.deadlines.cycles):
            part = cycles[cycles["cycle"] == cycle]
            codes = part["status_code"].value_counts()
            r = first + n
            self.text(ws, r, 0, self.rules.cycle_label(cycle))
            self.text(ws, r, 1, part["deadline"].iloc[0] if len(part) else "")
            for col, code in enumerate(("on_time", "late", "invalid", "missing", "not_due"), start=2):
                ws.write_number(r, col, int(codes.get(code, 0)), self.f["int"])
            due = len(part) - int(codes.get("not_due", 0))
            if due:
                ws.write_number(r, 7, int(codes.get("on_time", 0)) / due, self.f["pct"])
            else:
                self.text(ws, r, 7, "chưa đến hạn")
        last = first + len(self.rules.deadlines.cycles) - 1
        chart = self.wb.add_chart({"type": "column"})
        chart.add_series({"name": "Tỉ lệ đúng hạn", "categories": ["Tổng quan", first, 0, last, 0],
                          "values": ["Tổng quan", first, 7, last, 7], "data_labels": {"value": True, "num_format": "0%"}})
        chart.set_title({"name": "Tỉ lệ đơn vị nộp đúng hạn theo kỳ"})
        chart.set_y_axis({"min": 0, "max": 1, "num_format": "0%"})
        chart.set_legend({"none": True})
        ws.insert_chart(last + 2, 0, chart, {"x_scale": 1.3, "y_scale": 1.0})
        row = last + 18
        self.text(ws, row, 0, "Các đơn vị thiếu nhiều nhất (chưa nộp, trễ hạn, chưa hợp lệ ở các kỳ đã đến hạn)", "bold")
        gaps = cycles[cycles["status_code"].isin(["missing", "late", "invalid"])] if len(cycles) else cycles
        worst = gaps.groupby("unit_name").size().sort_values(ascending=False, kind="stable") if len(gaps) else []
        for n, (name, count) in enumerate(list(worst.items())[:10] if len(gaps) else [], start=row + 1):
            self.text(ws, n, 0, name)
            ws.write_number(n, 1, int(count), self.f["int"])
            self.text(ws, n, 2, "kỳ")
        note = row + 12
        if self.comments_capped or self.links_capped:
            self.text(ws, note, 0, "Ghi chú: quá nhiều phát hiện để ghi chú (comment) và liên kết cho từng ô; "
                                   "mọi ô vẫn được tô màu và trang “Lỗi và cảnh báo” liệt kê "
                                   + ("các phát hiện." if self.findings_cut else "đầy đủ."), "subtitle")
        if self.findings_cut:
            self.text(ws, note + 1, 0, f"Trang “Lỗi và cảnh báo”: {self.cut_words()}", "subtitle")
        self.print_setup(ws)

    def row_table(self, ws, top: int) -> int:
        """The rows of every readable file, by table sheet: what the reader saw under the header
        (counted apart from its row selection), how it took them, and (filled after streaming) what
        the writer wrote. Returns the next free row."""
        accounts = self.c.row_accounts()
        self.accounts = accounts
        keys = [key for key, _ in DATA_SHEETS if key in accounts]
        ws.write_string(top, 0, "Đối chiếu dòng (mọi tệp đọc được)", self.f["header"])
        ws.write_string(top, 1, "Tổng", self.f["header"])
        for k, key in enumerate(keys, start=2):
            ws.write_string(top, k, self.rules.sheet(key).name, self.f["header"])
        lines = [("Dòng có nội dung dưới dòng tiêu đề", "seen"), ("Dòng dữ liệu đọc được", "data"),
                 *((f"  {words}", kind) for kind, words in NOT_DATA_WORDS.items())]
        for n, (label, kind) in enumerate(lines, start=top + 1):
            self.text(ws, n, 0, label)
            ws.write_number(n, 1, sum(accounts[key][kind] for key in keys), self.f["int"])
            for k, key in enumerate(keys, start=2):
                ws.write_number(n, k, accounts[key][kind], self.f["int"])
        written = top + 1 + len(lines)
        self.text(ws, written, 0, "Dòng dữ liệu trong bảng tổng hợp")
        self.written_cells = [cell_ref(written + 1, k + 1) for k in range(1, len(keys) + 2)]
        for k in range(1, len(keys) + 2):
            ws.write_number(written, k, 0, self.f["int"])  # placeholders: filled by reconcile
        return written + 1

    def reconcile(self, xml: str) -> str:
        """The overview's XML with the rows written (the streams' counts) and the verdict filled in."""
        written = self.written()
        keys = [key for key, _ in DATA_SHEETS if key in self.accounts]
        values = [sum(written.get(key, 0) for key in keys)] + [written.get(key, 0) for key in keys]
        cells: dict[str, str | int] = dict(zip(self.written_cells, values))
        cells[self.verdict_cell] = self.verdict(written)
        return sheetxml.set_cells(xml, cells)

    def verdict(self, written: dict[str, int]) -> str:
        """"Khớp: …" when files and rows add up; otherwise "KHÔNG KHỚP: …" saying where."""
        counts, problems = self.c.counts, []
        if counts["submissions"] != counts["used"] + counts["superseded"] + counts["rejected"]:
            problems.append(f"{counts['submissions']} tệp báo cáo nhưng {counts['used']} được dùng + "
                            f"{counts['superseded']} đã thay thế + {counts['rejected']} bị loại")
        for key, a in self.accounts.items():
            name = self.rules.sheet(key).name
            explained = a["data"] + sum(a[kind] for kind in NOT_DATA_WORDS)
            if a["seen"] != explained:
                problems.append(f"trang “{name}”: {a['seen']} dòng có nội dung nhưng chỉ {explained} dòng được "
                                "đọc là dữ liệu hoặc nhận ra không phải dữ liệu")
            if written.get(key, 0) != a["data"] or a["frames"] != a["data"]:
                problems.append(f"trang “{name}”: đọc được {a['data']} dòng dữ liệu nhưng ghi "
                                f"{written.get(key, 0)} dòng vào bảng tổng hợp")
        if not problems:
            return ("Khớp: tệp báo cáo = được dùng + đã thay thế + bị loại; dòng có nội dung = dòng dữ liệu + "
                    "các dòng không phải dữ liệu; dòng dữ liệu đọc được = dòng ghi vào bảng tổng hợp.")
        return ("KHÔNG KHỚP: " + "; ".join(problems) + ". Có thể đã mất dữ liệu: chưa dùng bảng này, hãy báo "
                "cho nhóm phát triển (lỗi chương trình) kèm hộp thư đã tổng hợp.")

    def matrix(self, ws) -> None:
        c, rules = self.c, self.rules
        self.text(ws, 0, 0, f"TÌNH HÌNH NỘP HỒ SƠ “NGƯỜI TỐT, VIỆC TỐT” THEO KỲ – tính đến hết ngày {c.as_of:%d/%m/%Y}",
                  "title")
        self.text(ws, 1, 0, f"Hạn: trước ngày {rules.deadlines.monthly_day} hằng tháng ({rules.deadlines.monthly_clause});"
                            f" báo cáo tổng kết trước ngày {rules.deadlines.summary_due:%d/%m/%Y}. "
                            f"Cách hiểu hạn nộp: {_policy_words(rules)}.", "subtitle")
        # Constant-memory mode writes rows in order: row 3 (group headers) before row 4, then the units.
        # Status and receipt share one wrapped cell so five cycles fit an A4 page across.
        cycles = rules.deadlines.cycles
        scol = 2 + 2 * len(cycles)
        ws.set_column(0, 0, 4)
        ws.set_column(1, 1, 36)
        for n in range(len(cycles)):
            ws.set_column(2 + 2 * n, 2 + 2 * n, 19)
            ws.set_column(3 + 2 * n, 3 + 2 * n, 6)
        ws.set_column(scol, scol, 19)
        # Only horizontal merges: a merge over two rows would flush row 3 before it is complete.
        ws.write_blank(3, 0, None, self.f["header"])
        ws.write_blank(3, 1, None, self.f["header"])
        for n, cycle in enumerate(cycles):
            ws.merge_range(3, 2 + 2 * n, 3, 3 + 2 * n, rules.cycle_label(cycle), self.f["header"])
        ws.write_string(3, scol, rules.consolidation.summary_report, self.f["header"])
        ws.set_row(4, 30)
        ws.write_string(4, 0, "STT", self.f["header"])
        ws.write_string(4, 1, "Đơn vị", self.f["header"])
        for n in range(len(cycles)):
            ws.write_string(4, 2 + 2 * n, "Trạng thái, ngày nhận (căn cứ)", self.f["header"])
            ws.write_string(4, 3 + 2 * n, "Số gương hợp lệ", self.f["header"])
        ws.write_string(4, scol, "Trạng thái, ngày nhận (căn cứ)", self.f["header"])
        by_key = {(r.unit, r.cycle): r for r in c.cycles.itertuples()}
        summary = {r.unit: r for r in c.units.itertuples()}
        self.matrix_rows = {}
        for n, unit in enumerate(rules.units):
            r = 5 + n
            self.matrix_rows[unit.name] = r
            ws.set_row(r, 28)
            ws.write_number(r, 0, n + 1, self.f["int"])
            self.text(ws, r, 1, unit.name + ("" if unit.required else " (không bắt buộc)"), "wrap")
            for k, cycle in enumerate(cycles):
                row = by_key[(unit.id, cycle)]._asdict()
                ws.write_string(r, 2 + 2 * k, _status_cell(row), self.f[f"status:{row['status_code']}"])
                ws.write_number(r, 3 + 2 * k, int(row["valid_nominations"]), self.f["int"])
            urow = summary[unit.id]._asdict()
            ws.write_string(r, scol, _status_cell(urow), self.f[f"status:{urow['status_code']}"])
        legend = 6 + len(rules.units)
        self.text(ws, legend, 1, "Chú giải (trạng thái ghi bằng chữ, đọc được cả khi in đen trắng):", "bold")
        words = [("on_time", "Đúng hạn: có gương hợp lệ nhận trước hạn"),
                 ("late", "Trễ hạn N ngày: gương hợp lệ đầu tiên nhận sau hạn N ngày"),
                 ("invalid", "Nộp nhưng chưa hợp lệ: đã nộp nhưng chưa có gương hợp lệ"),
                 ("missing", "Chưa nộp: đã quá hạn mà chưa nhận được hồ sơ"),
                 ("not_due", "Chưa đến hạn")]
        for n, (code, word) in enumerate(words, start=legend + 1):
            ws.write_string(n, 1, word, self.f[f"status:{code}"])
        self.text(ws, legend + len(words) + 1, 1, "Căn cứ thời điểm nhận: thư = ngày giờ gửi của thư điện tử; sổ nhận = "
                  "sổ nhận văn bản của Văn phòng; Ngày gửi = ô “Ngày gửi” trong tệp; giờ sửa tệp = thời gian sửa tệp "
                  "(khi không có căn cứ nào khác).")
        ws.freeze_panes(5, 2)
        self.print_setup(ws)
        ws.repeat_rows(3, 4)

    def data_sheet(self, ws, key: str, positions) -> None:
        """Header, layout and comments through xlsxwriter; the data rows are streamed into the
        sheet afterwards (sheetxml): at city scale they are millions of cells."""
        c, rules = self.c, self.rules
        fields = rules.sheet(key).fields
        frame = self.c.validation.frames.tables.get(key, pd.DataFrame())
        headers = META + [f.label for f in fields]
        widths = [36, 16, 6, 30, 13, 12] + [min(max(f.width or 14, 8), 50) for f in fields]
        if len(frame) + 1 > sheetxml.MAX_ROWS:
            raise OutputError(f"{len(frame):,} rows of {ws.name!r} do not fit one Excel sheet ({sheetxml.MAX_ROWS - 1:,} "
                              "at most)",
                              message=f"Không ghi được kết quả: {len(frame):,} dòng của trang “{ws.name}” vượt số dòng "
                                      f"tối đa của một trang Excel ({sheetxml.MAX_ROWS - 1:,}); hãy tổng hợp từng phần, "
                                      "ví dụ từng thư mục kỳ báo cáo")
        self.table(ws, 0, headers, widths, len(frame))
        ws.set_row(0, 45)
        if frame.empty:
            return
        out_sheet = rules.sheet(key).name
        # Keyed by row * CELL_KEY + column: a city's flagged cells are hundreds of thousands.
        by_cell: dict[int, list[Finding]] = {}
        for f in c.findings:
            if f.row and f.col:
                pos = positions.get((f.file, f.sheet, f.row, f.col))
                if pos and pos[0] == out_sheet:
                    by_cell.setdefault(pos[1] * CELL_KEY + pos[2], []).append(f)
        # Comments for the first cells, up to what is left of the workbook's allowance.
        commented = [divmod(at, CELL_KEY) for at in sorted(by_cell)][:self.comments_left]
        for r, col in commented:
            self._comment(ws, r, col, by_cell[r * CELL_KEY + col])
        self.comments_left -= len(commented)
        self.comments_capped |= len(commented) < len(by_cell)
        self._comment_rows(ws, key, frame, fields, widths, commented)
        raw_chars = sum(int(frame[f"{spec.key}__raw"].str.len().sum()) for spec in fields)
        self.streams[ws.name] = sheetxml.Stream(
            lambda: self._data_rows(key, frame, fields, widths, by_cell), last_row=len(frame) + 1,
            last_col=len(headers), size_hint=7 * raw_chars + 150 * len(frame) * len(headers))

    def _comment_rows(self, ws, key: str, frame: pd.DataFrame, fields, widths: list[int],
                      commented: list[tuple[int, int]]) -> None:
        """Tell xlsxwriter the height of the tall rows a comment box lies over: it sizes the box from
        the heights it knows, and the rows themselves are streamed later. (In constant-memory mode
        set_row on a row not yet written records the height without writing a row.)"""
        tall = [(f"{spec.key}__raw", widths[len(META) + n]) for n, spec in enumerate(fields) if spec.type == "longtext"]
        near = sorted({x for r, _ in commented for x in range(max(1, r - 1), min(len(frame), r + 12) + 1)})
        if not tall or not near:
            return
        order = self.order.get(key, frame.index)
        part = frame.loc[order[[r - 1 for r in near]], [col for col, _ in tall]]
        for r, raws in zip(near, part.itertuples(index=False)):
            height = _height(zip(raws, (width for _, width in tall)))
            if height:
                ws.set_row(r, height)

    def _data_rows(self, key: str, frame: pd.DataFrame, fields, widths: list[int],
                   by_cell: dict[int, list[Finding]]) -> Iterator[str]:
        """The data rows' XML, in output order; row 1 is the header."""
        rules, books, decisions = self.rules, self.c.validation.books, self.c.decisions
        order = self.order.get(key, frame.index)
        letters = sheetxml.columns(len(META) + len(fields))
        xf = self.xf
        text_s, int_s = xf["text"], xf["int"]
        plain = {"date": xf["date"], "int": int_s, "year": int_s, "longtext": xf["wrap"]}
        meta: dict[int, tuple[str, ...]] = {}  # a file's provenance cells, escaped once
        esc, text_cell, number_cell = sheetxml.escape, sheetxml.text_cell, sheetxml.number_cell
        # Rows are converted a chunk at a time: a whole city's sheet as Python lists would cost
        # hundreds of megabytes. Everything that does not depend on the cell is worked out once per
        # column or per file: this loop writes millions of cells.
        for start in range(0, len(order), 5_000):
            part = frame.loc[order[start:start + 5_000]]
            columns = [(letters[len(META) + k], len(META) + k, spec.type, _values(part[spec.key], spec.type),
                        part[f"{spec.key}__raw"].tolist(), part[f"{spec.key}__bad"].tolist(),
                        plain.get(spec.type, text_s)) for k, spec in enumerate(fields)]
            # Rows holding a long text get the height it needs: programs do not always grow them.
            tall = [(raws, widths[col]) for _, col, kind, _, raws, _, _ in columns if kind == "longtext"]
            files, rows = part["_file"].tolist(), part["_row"].tolist()
            for n in range(len(part)):
                r, i = start + n + 2, files[n]  # Excel's row number: the header is row 1
                if i not in meta:
                    d = decisions[i]
                    period = rules.cycle_label(d.period) if d.period else ("Tổng kết" if d.kind == "summary" else "")
                    meta[i] = tuple(esc(v) for v in (books[i].name, books[i].tables[key].sheet_name,
                                                     self._unit_name(d.unit_id), period, STATUS_WORDS[d.status]))
                name, sheet, unit, period, status = meta[i]
                cells = [f'<c r="A{r}" s="{text_s}" t="inlineStr"><is><t xml:space="preserve">{name}</t></is></c>'
                         f'<c r="B{r}" s="{text_s}" t="inlineStr"><is><t xml:space="preserve">{sheet}</t></is></c>'
                         f'<c r="C{r}" s="{int_s}"><v>{rows[n]}</v></c>'
                         f'<c r="D{r}" s="{text_s}" t="inlineStr"><is><t xml:space="preserve">{unit}</t></is></c>'
                         f'<c r="E{r}" s="{text_s}" t="inlineStr"><is><t xml:space="preserve">{period}</t></is></c>'
                         f'<c r="F{r}" s="{text_s}" t="inlineStr"><is><t xml:space="preserve">{status}</t></is></c>']
                for letter, col, kind, shown, raws, bads, style in columns:
                    here = by_cell.get((r - 1) * CELL_KEY + col)
                    ref = f"{letter}{r}"
                    if here:
                        sev = min((f.severity for f in here), key=lambda s: s.rank).value
                        cells.append(self._flagged(ref, kind, shown[n], raws[n], bads[n], sev))
                    elif raws[n] == "":
                        continue
                    elif bads[n] or shown[n] is None:
                        cells.append(text_cell(ref, text_s, raws[n]))
                    elif isinstance(shown[n], str):
                        cells.append(text_cell(ref, style, shown[n]))
                    else:
                        cells.append(number_cell(ref, style, shown[n]))
                yield sheetxml.row(r, "".join(cells), _height((raws[n], width) for raws, width in tall))

    def _flagged(self, ref: str, kind: str, value, raw: str, bad: bool, sev: str) -> str:
        """A cell with a finding: filled by severity (its comment is registered separately)."""
        xf = self.xf
        if raw == "":
            return sheetxml.blank_cell(ref, xf[f"text:{sev}"])
        if bad or value is None:
            return sheetxml.text_cell(ref, xf[f"text:{sev}"], raw)
        if kind == "date":
            return sheetxml.number_cell(ref, xf[f"date:{sev}"], value)
        if kind in ("int", "year"):
            return sheetxml.number_cell(ref, xf[f"int:{sev}"], value)
        return sheetxml.text_cell(ref, xf[f"{'wrap' if kind == 'longtext' else 'text'}:{sev}"], str(value))

    def _comment(self, ws, r: int, col: int, here: list[Finding]) -> None:
        body = "\n".join(f"[{SEVERITY_WORD[f.severity]} {f.rule_id}] {f.message}" for f in here)
        ws.write_comment(r, col, body[:30000], {"author": "ntvt", "x_scale": 2.5, "y_scale": 2})

    def city_list(self, ws) -> None:
        """The list proposed to the City, ready to print: valid City-level nominations of the files
        used, each with the warnings it still carries, and a signature block."""
        c, rules = self.c, self.rules
        frame = c.validation.frames.tables.get("nominations", pd.DataFrame())
        errors = c.validation.row_errors.get("nominations", set())
        used = {d.index for d in c.decisions if d.status == USED and d.kind == "monthly"}
        picked = frame[frame["_file"].isin(used) & ~frame.index.isin(errors)
                       & (frame["level"] == rules.consolidation.city_level)] if not frame.empty else frame
        level = rules.consolidation.city_level
        self.text(ws, 0, 0, f"DANH SÁCH GƯƠNG ĐỀ NGHỊ KHEN THƯỞNG “NGƯỜI TỐT, VIỆC TỐT” CẤP {level.upper()}", "title")
        self.text(ws, 1, 0, f"Thực hiện Kế hoạch số {rules.plan.number} ngày {rules.plan.issued:%d/%m/%Y} của "
                            f"{rules.plan.issuer}; các gương hợp lệ đề nghị cấp {level} trong báo cáo tháng của các "
                            f"đơn vị, tính đến hết ngày {c.as_of:%d/%m/%Y}.", "subtitle")
        headers = ["STT", "Họ và tên / Tên tập thể", "Năm sinh", "Giới tính", "Chức vụ, bộ phận công tác", "Đơn vị",
                   "Tóm tắt thành tích, việc làm tốt", "Phạm vi ảnh hưởng", "Kỳ", "Lưu ý khi xét"]
        widths = [5, 20, 7, 7, 18, 20, 58, 11, 10, 24]
        self.table(ws, 3, headers, widths, len(picked), fit=True)
        if picked.empty:
            self.text(ws, 4, 0, f"Chưa có gương hợp lệ nào đề nghị cấp {level} tính đến ngày này.", "subtitle")
            return
        chosen = set(picked.index)
        picked = picked.loc[[i for i in self.order["nominations"] if i in chosen]]
        books, decisions = c.validation.books, c.decisions
        warnings: dict[tuple[str, int], list[str]] = {}
        for f in c.findings:
            if f.severity is Severity.WARNING and f.row:
                warnings.setdefault((f.file, f.row), []).append(f"{f.rule_id}: {f.column or ''}")
        cell, wrap = self.f["cell"], self.f["cell_wrap"]
        n = 0
        for n, (_, row) in enumerate(picked.iterrows(), start=1):
            r, d, book = 3 + n, decisions[int(row["_file"])], books[int(row["_file"])]
            notes = warnings.get((book.name, int(row["_row"])), [])
            ws.set_row(r, 15 * max(2, _lines(row["summary"], widths[6])))
            ws.write_number(r, 0, n, cell)
            ws.write_string(r, 1, row["name"] or "", wrap)
            if pd.notna(row["birth_year"]):
                ws.write_number(r, 2, row["birth_year"], cell)
            else:
                ws.write_blank(r, 2, None, cell)
            for col, value in ((3, row["gender"]), (4, row["position"]), (5, self._unit_name(d.unit_id)),
                               (6, row["summary"]), (7, row["scope"]), (8, rules.cycle_label(d.period)),
                               (9, "; ".join(notes) + (f" (nguồn: {book.name.split('/')[-1]}, dòng {int(row['_row'])})"))):
                ws.write_string(r, col, value if isinstance(value, str) else "", wrap)
        sign = 3 + n + 2
        self.text(ws, sign, 6, f"Hà Nội, ngày …… tháng …… năm {rules.plan.year}", "subtitle")
        self.text(ws, sign + 1, 1, "NGƯỜI LẬP BIỂU", "bold")
        self.text(ws, sign + 1, 6, "THỦ TRƯỞNG CƠ QUAN", "bold")
        self.text(ws, sign + 2, 6, "(Ký, ghi rõ họ tên, đóng dấu)", "subtitle")

    def findings_sheet(self, ws, positions) -> None:
        """Every finding, one row each, with a link to its cell; rows streamed like the data sheets."""
        c = self.c
        headers = ["STT", "Mức độ", "Quy tắc", "Căn cứ", "Đơn vị", "Tệp", "Trang", "Ô", "Nội dung", "Xem"]
        self.table(ws, 0, headers, [6, 10, 14, 18, 28, 30, 16, 7, 90, 10], len(c.findings))
        if not c.findings:
            return
        ordered = sorted(c.findings, key=lambda f: (f.severity.rank, f.sort_key()))
        room = sheetxml.MAX_ROWS - 2  # below the header; the last row then says how many are left out
        if len(ordered) > room + 1:
            self.findings_cut, ordered = len(ordered) - room, ordered[:room]  # errors come first
        manifest_rows = self.manifest_rows()
        links = []
        for n, f in enumerate(ordered, start=2):
            target = self.link_target(f, positions, manifest_rows)
            if target and len(links) < MAX_LINKS:
                links.append((f"J{n}", target, "Xem"))
            elif target:
                self.links_capped = True
        chars = sum(len(f.text) + len(f.citation) + len(f.file or CAMPAIGN_FILE) for f in ordered)
        self.streams[ws.name] = sheetxml.Stream(
            lambda: self._finding_rows(ordered, {ref for ref, _, _ in links}),
            last_row=len(ordered) + 1 + (1 if self.findings_cut else 0), last_col=len(headers), links=links,
            size_hint=7 * chars + 1500 * len(ordered))

    def _finding_rows(self, ordered: list[Finding], linked: set[str]) -> Iterator[str]:
        c, xf = self.c, self.xf
        unit_of = {c.validation.books[d.index].name: self._unit_name(d.unit_id) for d in c.decisions}
        text_cell, text_s = sheetxml.text_cell, xf["text"]
        for n, f in enumerate(ordered, start=2):  # Excel's row number: the header is row 1
            message = f.message
            cells = [sheetxml.number_cell(f"A{n}", xf["int"], n - 1),
                     text_cell(f"B{n}", xf[f"text:{f.severity.value}"], SEVERITY_WORD[f.severity]),
                     text_cell(f"C{n}", text_s, f.rule_id), text_cell(f"D{n}", text_s, f.clause),
                     text_cell(f"E{n}", text_s, self._unit_name(f.unit) if f.unit else unit_of.get(f.file, "")),
                     text_cell(f"F{n}", text_s, f.file or CAMPAIGN_FILE), text_cell(f"G{n}", text_s, f.sheet or ""),
                     text_cell(f"H{n}", text_s, f.cell or ""), text_cell(f"I{n}", xf["wrap"], message)]
            if f"J{n}" in linked:
                cells.append(text_cell(f"J{n}", xf["link"], "Xem"))
            yield sheetxml.row(n, "".join(cells), _height([(message, 90)]))
        if self.findings_cut:
            n = len(ordered) + 2
            yield sheetxml.row(n, text_cell(f"I{n}", xf["bold"], self.cut_words()))

    def cut_words(self) -> str:
        return (f"… và {_thousands(self.findings_cut)} phát hiện nữa (mức nhẹ nhất, ở cuối danh sách) không ghi được vì "
                f"một trang Excel có tối đa {_thousands(sheetxml.MAX_ROWS)} dòng; số lỗi, cảnh báo của từng tệp có ở "
                "trang “Tệp đã nhận”, danh sách đầy đủ của một tệp: lệnh “ntvt check TỆP --json”.")

    def link_target(self, f: Finding, positions, manifest_rows) -> str | None:
        if f.unit:  # the unit's status cell for that cycle in the matrix
            r = self.matrix_rows.get(self._unit_name(f.unit))
            cycles = self.rules.deadlines.cycles
            col = 2 + 2 * cycles.index(f.cycle) if f.cycle in cycles else 1
            if f.code == "summary_deadline":
                col = 2 + 2 * len(cycles)
            return f"'Tình hình nộp'!{cell_ref(r + 1, col + 1)}" if r is not None else None
        pos = positions.get((f.file, f.sheet, f.row, f.col)) if f.row else None
        if pos:
            return f"'{pos[0]}'!{cell_ref(pos[1] + 1, pos[2] + 1)}"
        r = manifest_rows.get(f.file)
        return f"'Tệp đã nhận'!A{r + 1}" if r is not None else None

    def manifest_rows(self) -> dict[str, int]:
        if not hasattr(self, "_manifest"):
            rows, n = {}, 4
            for entry in self.c.inbox.files:
                n += 1
                rows[entry.name] = n
                for shown in entry.attachments:
                    n += 1
                    rows[shown] = n
            self._manifest = rows
        return self._manifest

    def manifest(self, ws) -> None:
        c = self.c
        self.text(ws, 0, 0, "CÁC TỆP ĐÃ NHẬN", "title")
        self.text(ws, 1, 0, "Mọi tệp trong hộp thư đều được liệt kê; mã SHA-256 để đối chiếu đúng tệp gốc.", "subtitle")
        headers = ["Tệp", "Loại", "SHA-256", "Người gửi", "Thời điểm nhận", "Căn cứ thời điểm", "Đơn vị", "Kỳ",
                   "Loại báo cáo", "Tình trạng", "Lý do, ghi chú", "Dòng đề nghị", "Dòng hoạt động", "Gương hợp lệ", "Lỗi",
                   "Cảnh báo"]
        rows = self.manifest_rows()
        self.table(ws, 4, headers, [34, 12, 66, 24, 17, 18, 30, 12, 16, 13, 44, 9, 9, 9, 7, 8], len(rows))
        by_name = {c.validation.books[d.index].name: d for d in c.decisions}
        counts: dict[str, dict[Severity, int]] = {}
        for f in c.findings:
            counts.setdefault(f.file, {s: 0 for s in Severity})[f.severity] += 1
        for entry in c.inbox.files:
            r = rows[entry.name]
            if entry.kind == "email":
                self._manifest_row(ws, r, entry.name, "Thư điện tử", entry.sha256, entry.sender, entry.received_at,
                                   entry.evidence, status="Bị loại" if entry.status == REJECTED else "Thư có tệp đính kèm",
                                   reason=entry.reason or f"{len(entry.attachments)} tệp bảng tính đính kèm")
                for shown in entry.attachments:
                    self._submission_row(ws, rows[shown], shown, "Tệp đính kèm", by_name[shown], counts)
            elif entry.kind == "spreadsheet":
                self._submission_row(ws, r, entry.name, "Bảng tính", by_name[entry.name], counts)
            else:
                kind = {"link": "Liên kết", "special": "Tệp đặc biệt", "folder": "Thư mục"}.get(entry.kind, "Khác")
                self._manifest_row(ws, r, entry.name, kind, entry.sha256, None, None, None, status="Bị loại",
                                   reason=entry.reason)

    def _submission_row(self, ws, r: int, name: str, kind: str, d, counts) -> None:
        c = self.c
        book = c.validation.books[d.index]
        sub = c.validation.submissions[d.index]
        period = c.rules.cycle_label(d.period) if d.period else ""
        report = {"monthly": c.rules.consolidation.monthly_report, "summary": c.rules.consolidation.summary_report}
        self._manifest_row(ws, r, name, kind, book.sha256, sub.sender, d.received_at, d.evidence,
                           unit=self._unit_name(d.unit_id), period=period, report=report.get(d.kind, ""),
                           status=STATUS_WORDS[d.status], reason=d.reason or "")
        ws.write_number(r, 11, len(book.tables["nominations"].rows) if "nominations" in book.tables else 0, self.f["int"])
        ws.write_number(r, 12, len(book.tables["activities"].rows) if "activities" in book.tables else 0, self.f["int"])
        ws.write_number(r, 13, d.valid_nominations, self.f["int"])
        found = counts.get(name, {})
        ws.write_number(r, 14, found.get(Severity.ERROR, 0), self.f["int"])
        ws.write_number(r, 15, found.get(Severity.WARNING, 0), self.f["int"])

    def _manifest_row(self, ws, r, name, kind, sha, sender, received, evidence, unit="", period="", report="",
                      status="", reason="") -> None:
        for col, value in enumerate([name, kind, sha, sender or ""]):
            self.text(ws, r, col, value)
        if received is not None:
            # "Ngày gửi" is a date without a time: do not show an invented 00:00.
            fmt = self.f["date"] if evidence == EVIDENCE_SENT else self.f["moment"]
            ws.write_datetime(r, 4, received.replace(tzinfo=None), fmt)
        for col, value in enumerate([EVIDENCE_WORDS.get(evidence, ""), unit, period, report, status, reason], start=5):
            self.text(ws, r, col, value, "wrap" if col == 10 else "text")

    def rules_sheet(self, ws) -> None:
        from .console import check_params

        rules = self.rules
        self.text(ws, 0, 0, f"QUY TẮC ÁP DỤNG – Kế hoạch số {rules.plan.number}", "title")
        self.text(ws, 1, 0, f"Tệp quy tắc: {rules.path.name}; SHA-256: {rules.sha256}", "subtitle")
        self.text(ws, 2, 0, f"Thời gian thực hiện {rules.plan.start:%d/%m/%Y} – {rules.plan.end:%d/%m/%Y}; cách hiểu "
                            f"hạn nộp: {_policy_words(rules)}; tính đến hết ngày {self.c.as_of:%d/%m/%Y}.", "subtitle")
        headers = ["Mã", "Mức độ", "Căn cứ", "Nội dung", "Tham số", "Trích kế hoạch"]
        self.table(ws, 4, headers, [15, 14, 20, 40, 60, 70], len(rules.rules))
        words = {"error": "lỗi", "warning": "cảnh báo", "info": "thông tin"}
        for n, rule in enumerate(rules.rules, start=5):
            self.text(ws, n, 0, rule.id)
            self.text(ws, n, 1, "/".join(words[s] for s in rule.severities))
            self.text(ws, n, 2, rule.clause)
            self.text(ws, n, 3, rule.title, "wrap")
            self.text(ws, n, 4, "; ".join(p for p in (check_params(rules, ch) for ch in rule.checks) if p), "wrap")
            self.text(ws, n, 5, rule.quote, "wrap")


def _policy_words(rules: RuleSet) -> str:
    return POLICY_WORDS[rules.deadlines.policy]




def _thousands(n: int) -> str:
    """1048576 -> "1.048.576", as Vietnamese writes it."""
    return f"{n:,}".replace(",", ".")


def _height(texts: Iterable[tuple[str, int]]) -> float | None:
    """The height a row needs for its wrapped (text, column width) pairs, 15 points a line; None for
    one line (the default height)."""
    lines = max((_lines(text, width) for text, width in texts), default=1)
    return 15 * lines if lines > 1 else None


def _lines(text: str, width: int) -> int:
    """Roughly how many lines a wrapped text takes in a column `width` characters wide (at most 12)."""
    if not text:
        return 1
    return min(12, sum(1 + len(part) // max(1, int(width * 1.1)) for part in text.split("\n")))


EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # serial 0, counting Excel's 29/02/1900 (dates from 01/03/1900)


def _values(series: pd.Series, kind: str) -> list:
    """A column's values as cells hold them: date serials, numbers, text; None where missing (and
    for a date before 1900-03-01, which Excel's serials do not hold the same way: shown as typed)."""
    if kind == "date":
        serials = (series - EXCEL_EPOCH).dt.days
        return [None if pd.isna(v) or v < 61 else int(v) for v in serials]
    if kind in ("int", "year"):
        return [None if pd.isna(v) else float(v) for v in series]
    return [v if isinstance(v, str) else None for v in series]


class _Positions:
    """(file, input sheet, input row, input col) -> (output sheet, row, col) (rows from 0), kept per
    (file, sheet) as a block of output rows and a column map: not one entry per cell or row (a
    city's inbox has millions of cells)."""

    def __init__(self):
        self.blocks: dict[tuple[str, str], tuple[str, int, list[int]]] = {}  # out sheet, first row, input rows
        self.columns: dict[tuple[str, str], dict[int, int]] = {}

    def get(self, key: tuple) -> tuple[str, int, int] | None:
        file, sheet, row, col = key
        block = self.blocks.get((file, sheet))
        out_col = self.columns.get((file, sheet), {}).get(col)
        if block is None or out_col is None:
            return None
        out_sheet, first, rows = block
        k = bisect.bisect_left(rows, row)
        return (out_sheet, first + k, out_col) if k < len(rows) and rows[k] == row else None


def _status_cell(row) -> str:
    receipt = _receipt_text(row)
    return f"{row['status']}\n{receipt}" if receipt else row["status"]


def _receipt_text(row) -> str:
    """"19/05/2023 08:30, thư": the receipt and the evidence it rests on, short enough for the matrix."""
    moment = row.get("received_at")
    if moment is None or pd.isna(moment):
        return ""
    evidence = row.get("evidence") or ""
    stamp = pd.Timestamp(moment)
    shown = f"{stamp:%d/%m/%Y}" if evidence == EVIDENCE_SENT else f"{stamp:%d/%m/%Y %H:%M}"
    return f"{shown}, {EVIDENCE_SHORT.get(evidence, evidence)}"


def write_consolidated(c: Consolidation, target: Path, inputs=()) -> Path:
    """Write the consolidated workbook atomically; never over an input."""
    with atomic_output(Path(target), inputs) as tmp:
        writer = _Writer(c, tmp)
        try:
            writer.write()
        except BaseException:
            # constant_memory sheets hold open temporary files until closed or collected; on Windows
            # an open file keeps the scratch folder from being removed in this run.
            for ws in writer.wb.worksheets():
                handle = getattr(ws, "row_data_fh", None)
                if handle is not None:
                    handle.close()
            raise
    return Path(target)
