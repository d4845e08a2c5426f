"""The submission matrix ("Tình hình nộp"): one row per unit, per cycle its status, receipt and the
evidence it rests on, and the number of valid nominations; the summary report last."""

from __future__ import annotations

import pandas as pd

from ...model.words import EVIDENCE_SENT, INVALID, MISSING, ON_TIME, evidence_legend, evidence_words
from ..style import text_height
from .book import print_setup
from .layout import MATRIX_TOP, Context
from .words import policy_words


def write_matrix(ctx: Context, ws) -> None:
    c, rules, book = ctx.c, ctx.rules, ctx.book
    f = book.f
    book.text(ws, 0, 0, f"TÌNH HÌNH NỘP HỒ SƠ “{rules.plan.movement.upper()}” THEO KỲ – tính đến hết ngày "
                        f"{c.as_of:%d/%m/%Y}", "title")
    book.text(ws, 1, 0, f"Hạn: trước ngày {rules.deadlines.monthly_day} hằng tháng ({rules.deadlines.monthly_clause});"
                        f" báo cáo tổng kết trước ngày {rules.deadlines.summary_due:%d/%m/%Y}. "
                        f"Cách hiểu hạn nộp: {policy_words(rules)}. Thời điểm nhận theo giờ {rules.plan.place}.",
              "subtitle")
    # Constant-memory mode writes rows in order: row 3 (group headers) before row 4, then the units.
    # Status and receipt share one wrapped cell so five cycles fit an A4 page across.
    cycles = rules.deadlines.cycles
    scol = 2 + 2 * len(cycles)
    sent = rules.field_by_role("sent_date").label
    ws.set_column(0, 0, 4)
    ws.set_column(1, 1, 36)
    for n in range(len(cycles)):
        ws.set_column(2 + 2 * n, 2 + 2 * n, 19)
        ws.set_column(3 + 2 * n, 3 + 2 * n, 8)
    ws.set_column(scol, scol, 19)
    # Only horizontal merges: a merge over two rows would flush row 3 before it is complete.
    ws.write_blank(3, 0, None, f["header"])
    ws.write_blank(3, 1, None, f["header"])
    for n, cycle in enumerate(cycles):
        ws.merge_range(3, 2 + 2 * n, 3, 3 + 2 * n, rules.cycle_label(cycle), f["header"])
    ws.write_string(3, scol, rules.consolidation.summary_report, f["header"])
    ws.set_row(4, text_height(["Trạng thái, ngày nhận (căn cứ)", "Số gương hợp lệ"], [19, 8], bold=True))
    ws.write_string(4, 0, "STT", f["header"])
    ws.write_string(4, 1, "Đơn vị", f["header"])
    for n in range(len(cycles)):
        ws.write_string(4, 2 + 2 * n, "Trạng thái, ngày nhận (căn cứ)", f["header"])
        ws.write_string(4, 3 + 2 * n, "Số gương hợp lệ", f["header"])
    ws.write_string(4, scol, "Trạng thái, ngày nhận (căn cứ)", f["header"])
    by_key = {(r.unit, r.cycle): r for r in c.cycles.itertuples()}
    summary = {r.unit: r for r in c.units.itertuples()}
    for n, unit in enumerate(rules.units):
        r = ctx.matrix_rows[unit.name]
        ws.set_row(r, 28)
        ws.write_number(r, 0, n + 1, f["cell_int"])
        book.text(ws, r, 1, unit.name + ("" if unit.required else " (không bắt buộc)"), "cell_wrap")
        for k, cycle in enumerate(cycles):
            row = by_key[(unit.id, cycle)]._asdict()
            ws.write_string(r, 2 + 2 * k, _status_cell(row, sent), f[f"status:{row['status_code']}"])
            ws.write_number(r, 3 + 2 * k, int(row["valid_nominations"]), f["cell_int"])
        urow = summary[unit.id]._asdict()
        ws.write_string(r, scol, _status_cell(urow, sent), f[f"status:{urow['status_code']}"])
    legend = MATRIX_TOP + 1 + len(rules.units)
    book.text(ws, legend, 1, "Chú giải (trạng thái ghi bằng chữ, đọc được cả khi in đen trắng):", "bold")
    words = [("on_time", f"{ON_TIME}: có gương hợp lệ nhận trước hạn"),
             ("late", "Trễ hạn N ngày: gương hợp lệ đầu tiên nhận sau hạn N ngày"),
             ("invalid", f"{INVALID}: đã nộp nhưng chưa có gương hợp lệ"),
             ("missing", f"{MISSING}: đã quá hạn mà chưa nhận được hồ sơ"),
             ("not_due", "Chưa đến hạn: hạn nộp của kỳ chưa qua tính đến ngày tính")]
    # Each legend line over the unit and the first cycles' columns, tall enough for its text.
    across = (1, min(scol, 5))
    room = 36 + 27 * (across[1] - 1)
    for n, (code, word) in enumerate(words, start=legend + 1):
        ws.set_row(n, text_height([word], [room]))
        ws.merge_range(n, across[0], n, across[1], word, f[f"status:{code}"])
    note = legend + len(words) + 1
    ws.set_row(note, text_height([evidence_legend(sent)], [room]))
    ws.merge_range(note, across[0], note, across[1], evidence_legend(sent), f["wrap"])
    ws.freeze_panes(5, 2)
    print_setup(ws)  # one page across
    ws.repeat_rows(3, 4)


def status_column(ctx: Context, cycle: str | None, code: str) -> int:
    """The matrix column (from 0) of a cycle's status cell; the summary report's for its deadline."""
    cycles = ctx.rules.deadlines.cycles
    if code == "summary_deadline":
        return 2 + 2 * len(cycles)
    return 2 + 2 * cycles.index(cycle) if cycle in cycles else 1


def _status_cell(row, sent_label: str) -> str:
    receipt = _receipt_text(row, sent_label)
    return f"{row['status']}\n{receipt}" if receipt else row["status"]


def _receipt_text(row, sent_label: str) -> str:
    """"19/05/2023 08:30, thư": the receipt and the evidence it rests on, short enough for the matrix."""
    moment = row.get("received_at")
    if moment is None or pd.isna(moment):
        return ""
    evidence = row.get("evidence") or ""
    stamp = pd.Timestamp(moment)
    shown = f"{stamp:%d/%m/%Y}" if evidence == EVIDENCE_SENT else f"{stamp:%d/%m/%Y %H:%M}"
    return f"{shown}, {evidence_words(evidence, sent_label, short=True)}"
