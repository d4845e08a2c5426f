"""The overview sheet ("Tổng quan"): the counts that must add up, submissions by cycle with a
chart, the units missing most, and whether comments or links had to be cut. Written
last (it notes what the other sheets had to cut); its rows-written cells and verdict are filled in
once the data sheets have been streamed (reconcile)."""

from __future__ import annotations

from dataclasses import dataclass

from ...model.words import MISSING, NOT_DUE, ON_TIME, SEVERITY_WORDS, STATUS_WORDS
from ...model.findings import cell_ref
from .. import streaming as sheetxml
from .book import print_setup
from .layout import Context
from .words import NOT_DATA_WORDS, OVERVIEW, policy_words


@dataclass(frozen=True)
class Cuts:
    """What the other sheets could not carry in full."""

    comments_capped: bool
    links_capped: bool


@dataclass(frozen=True)
class Totals:
    """The overview's cells that wait for the streams: rows written per sheet, and the verdict."""

    accounts: dict[str, dict[str, int]]
    written_cells: list[str]
    verdict_cell: str


def write_overview(ctx: Context, ws, cuts: Cuts) -> Totals:
    c, counts, book, rules = ctx.c, ctx.c.counts, ctx.book, ctx.rules
    text, f = book.text, book.f
    ws.set_column(0, 0, 48)
    ws.set_column(1, 1, 30)
    ws.set_column(2, 8, 13)
    text(ws, 0, 0, f"TỔNG HỢP PHONG TRÀO “{rules.plan.movement.upper()}” – KẾ HOẠCH SỐ {rules.plan.number}", "title")
    text(ws, 1, 0, f"Tính đến hết ngày {c.as_of:%d/%m/%Y} (giờ {rules.plan.place}). Cách hiểu hạn nộp: "
                   f"{policy_words(rules)}.", "subtitle")
    if c.as_of_note:
        text(ws, 2, 0, c.as_of_note, "bold")
    lines = [
        ("Tệp trong hộp thư", counts["inbox_files"]), ("  trong đó thư điện tử", counts["emails"]),
        ("Tệp báo cáo (bảng tính, kể cả tệp đính kèm thư)", counts["submissions"]),
        ("  được dùng", counts["used"]), ("  đã thay thế (nộp lại)", counts["superseded"]),
        ("  bị loại", counts["rejected"]), ("  nhận sau ngày tính (chưa tính)", counts["later"]),
        ("  do ntvt tạo, để nhầm vào hộp thư (không đọc)", counts["generated"]),
        ("Tệp khác không phải báo cáo (bị loại, tệp do ntvt tạo, sổ của ntvt)", counts["not_submissions"]),
        ("Dòng sổ nhận văn bản không có tệp", len(c.inbox.unmatched_log)),
        *((SEVERITY_WORDS[s].capitalize(), counts[f"findings_{s}"]) for s in SEVERITY_WORDS),
    ]
    text(ws, 3, 0, "Đối chiếu số liệu", "bold")
    for n, (label, value) in enumerate(lines, start=4):
        text(ws, n, 0, label)
        ws.write_number(n, 1, value, f["int"])
    row, accounts, written_cells = _row_table(ctx, ws, 4 + len(lines) + 1)
    # Filled once the data sheets are written (see reconcile): whether everything adds up.
    verdict_cell = cell_ref(row + 1, 1)
    text(ws, row, 0, "…", "bold")
    row += 2
    # The cycles, their chart and the units missing most start page 2: the chart is never cut.
    ws.set_h_pagebreaks([row])
    text(ws, row, 0, "Tình hình nộp theo kỳ (các đơn vị phải nộp)", "bold")
    heads = ["Kỳ", "Hạn", ON_TIME, "Trễ hạn", "Chưa hợp lệ", MISSING, NOT_DUE, "Tỉ lệ đúng hạn"]
    for col, head in enumerate(heads):
        ws.write_string(row + 1, col, head, f["header"])
    cycles = c.cycles[c.cycles["required"]] if not c.cycles.empty else c.cycles
    first = row + 2
    for n, cycle in enumerate(rules.deadlines.cycles):
        part = cycles[cycles["cycle"] == cycle]
        codes = part["status_code"].value_counts()
        r = first + n
        # Bordered cells, numbers centred: "24" and "chưa đến hạn" never run together.
        text(ws, r, 0, rules.cycle_label(cycle), "cell")
        text(ws, r, 1, part["deadline"].iloc[0] if len(part) else "", "cell")
        for col, code in enumerate(("on_time", "late", "invalid", "missing", "not_due"), start=2):
            ws.write_number(r, col, int(codes.get(code, 0)), f["cell_int"])
        due = len(part) - int(codes.get("not_due", 0))
        if due:
            ws.write_number(r, 7, int(codes.get("on_time", 0)) / due, f["cell_pct"])
        else:
            text(ws, r, 7, "chưa đến hạn", "cell_center")
    last = first + len(rules.deadlines.cycles) - 1
    chart = book.wb.add_chart({"type": "column"})
    chart.add_series({"name": "Tỉ lệ đúng hạn", "categories": [OVERVIEW, first, 0, last, 0],
                      "values": [OVERVIEW, first, 7, last, 7], "data_labels": {"value": True, "num_format": "0%"}})
    chart.set_title({"name": "Tỉ lệ đơn vị nộp đúng hạn theo kỳ"})
    chart.set_y_axis({"min": 0, "max": 1, "num_format": "0%"})
    chart.set_legend({"none": True})
    ws.insert_chart(last + 2, 0, chart, {"x_scale": 1.3, "y_scale": 1.0})
    row = last + 18
    text(ws, row, 0, "Các đơn vị thiếu nhiều nhất (chưa nộp, trễ hạn, chưa hợp lệ ở các kỳ đã đến hạn)", "bold")
    gaps = cycles[cycles["status_code"].isin(["missing", "late", "invalid"])] if len(cycles) else cycles
    worst = gaps.groupby("unit_name").size().sort_values(ascending=False, kind="stable") if len(gaps) else []
    for n, (name, count) in enumerate(list(worst.items())[:10] if len(gaps) else [], start=row + 1):
        text(ws, n, 0, name)
        ws.write_number(n, 1, int(count), f["int"])
        text(ws, n, 2, "kỳ")
    note = row + 12
    if cuts.comments_capped or cuts.links_capped:
        text(ws, note, 0, "Ghi chú: quá nhiều phát hiện để ghi chú (comment) và liên kết cho từng ô; "
                          "mọi ô vẫn được tô màu và trang “Lỗi và cảnh báo” liệt kê đầy đủ.", "subtitle")
    print_setup(ws)
    return Totals(accounts, written_cells, verdict_cell)


def _row_table(ctx: Context, ws, top: int) -> tuple[int, dict, list[str]]:
    """The rows of every readable file, by table sheet: what the reader saw under the header
    (counted apart from its row selection), how it took them, and (filled after streaming) what
    the writer wrote. Returns the next free row, the accounts and the cells left for the counts."""
    book, f = ctx.book, ctx.book.f
    accounts = ctx.c.row_accounts()
    keys = [key for key, _ in ctx.data_sheets if key in accounts]
    ws.write_string(top, 0, "Đối chiếu dòng (mọi tệp đọc được)", f["header"])
    ws.write_string(top, 1, "Tổng", f["header"])
    for k, key in enumerate(keys, start=2):
        ws.write_string(top, k, ctx.rules.sheet(key).name, f["header"])
    lines = [("Dòng có nội dung dưới dòng tiêu đề", "seen"), ("Dòng dữ liệu đọc được", "data"),
             *((f"  {words}", kind) for kind, words in NOT_DATA_WORDS.items())]
    for n, (label, kind) in enumerate(lines, start=top + 1):
        book.text(ws, n, 0, label)
        ws.write_number(n, 1, sum(accounts[key][kind] for key in keys), f["int"])
        for k, key in enumerate(keys, start=2):
            ws.write_number(n, k, accounts[key][kind], f["int"])
    written = top + 1 + len(lines)
    book.text(ws, written, 0, "Dòng dữ liệu trong bảng tổng hợp")
    written_cells = [cell_ref(written + 1, k + 1) for k in range(1, len(keys) + 2)]
    for k in range(1, len(keys) + 2):
        ws.write_number(written, k, 0, f["int"])  # placeholders: filled by reconcile
    return written + 1, accounts, written_cells


def reconcile(ctx: Context, totals: Totals, written: dict[str, int], xml: str) -> str:
    """The overview's XML with the rows written (the streams' counts) and the verdict filled in."""
    keys = [key for key, _ in ctx.data_sheets if key in totals.accounts]
    values = [sum(written.get(key, 0) for key in keys)] + [written.get(key, 0) for key in keys]
    cells: dict[str, str | int] = dict(zip(totals.written_cells, values))
    cells[totals.verdict_cell] = _verdict(ctx, totals.accounts, written)
    return sheetxml.set_cells(xml, cells)


def _verdict(ctx: Context, accounts: dict[str, dict[str, int]], written: dict[str, int]) -> str:
    """"Khớp: …" when files and rows add up; otherwise "KHÔNG KHỚP: …" saying where."""
    counts, problems = ctx.c.counts, []
    if counts["submissions"] != sum(counts[status] for status in STATUS_WORDS):
        problems.append(f"{counts['submissions']} tệp báo cáo nhưng "
                        + " + ".join(f"{counts[status]} {word.lower()}" for status, word in STATUS_WORDS.items()))
    for key, a in accounts.items():
        name = ctx.rules.sheet(key).name
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
