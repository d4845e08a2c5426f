"""The list proposed to the City ("Đề xuất Thành phố"), ready to print: valid City-level
nominations in force of the monthly files, each with the warnings it still carries, and a signature block."""

from __future__ import annotations

import pandas as pd

from ...model.findings import Severity
from ...model.words import USED
from ..style import wrapped_lines
from .layout import Context

# The nominee's columns the list shows, by role, in order (their labels come from the rules file).
SHOWN = ("nominee", "birth_year", "gender", "position", None, "achievement", "scope")
WIDTHS = [5, 20, 7, 7, 18, 20, 58, 11, 10, 24]


def write_city_list(ctx: Context, ws) -> None:
    c, rules, book = ctx.c, ctx.rules, ctx.book
    sheet_key = rules.sheet_key("nominations")
    key = {role: rules.field_key(role) for role in SHOWN if role}
    frame = c.validation.frames.tables.get(sheet_key, pd.DataFrame())
    errors = c.validation.row_errors.get(sheet_key, set())
    used = {d.index for d in c.decisions if d.status == USED and d.kind == "monthly"}
    level = rules.consolidation.city_level
    # The valid rows in force of the monthly files: every nominee of a cycle's files, each as last corrected.
    picked = frame[c.rows[sheet_key].counted(frame, errors) & frame["_file"].isin(used)
                   & (frame[rules.field_key("level")] == level)] if not frame.empty else frame
    movement = rules.plan.movement.upper()
    book.text(ws, 0, 0, f"DANH SÁCH GƯƠNG ĐỀ NGHỊ KHEN THƯỞNG “{movement}” CẤP {level.upper()}", "title")
    book.text(ws, 1, 0, f"Thực hiện Kế hoạch số {rules.plan.number} ngày {rules.plan.issued:%d/%m/%Y} của "
                        f"{rules.plan.issuer}; các gương hợp lệ đề nghị cấp {level} trong báo cáo tháng của các "
                        f"đơn vị, tính đến hết ngày {c.as_of:%d/%m/%Y}.", "subtitle")
    spec = rules.sheet(sheet_key)
    labels = [spec.field(key[role]).label if role else "Đơn vị" for role in SHOWN]
    headers = ["STT", *labels, "Kỳ", "Lưu ý khi xét"]
    book.table(ws, 3, headers, WIDTHS, len(picked), fit=True)
    if picked.empty:
        book.text(ws, 4, 0, f"Chưa có gương hợp lệ nào đề nghị cấp {level} tính đến ngày này.", "subtitle")
        return
    chosen = set(picked.index)
    picked = picked.loc[[i for i in ctx.order[sheet_key] if i in chosen]]
    books, decisions = c.validation.books, c.decisions
    warnings: dict[tuple[str, int], list[str]] = {}
    for f in c.findings:
        if f.severity is Severity.WARNING and f.row:
            warnings.setdefault((f.file, f.row), []).append(f"{f.rule_id}: {f.column or ''}")
    cell, wrap = book.f["cell"], book.f["cell_wrap"]
    n = 0
    for n, (_, row) in enumerate(picked.iterrows(), start=1):
        r, d, source = 3 + n, decisions[int(row["_file"])], books[int(row["_file"])]
        notes = warnings.get((source.name, int(row["_row"])), [])
        ws.set_row(r, 15 * max(2, wrapped_lines(row[key["achievement"]], WIDTHS[6])))
        ws.write_number(r, 0, n, cell)
        ws.write_string(r, 1, row[key["nominee"]] or "", wrap)
        if pd.notna(row[key["birth_year"]]):
            ws.write_number(r, 2, row[key["birth_year"]], cell)
        else:
            ws.write_blank(r, 2, None, cell)
        for col, value in ((3, row[key["gender"]]), (4, row[key["position"]]), (5, ctx.unit_name(d.unit_id)),
                           (6, row[key["achievement"]]), (7, row[key["scope"]]), (8, rules.cycle_label(d.period)),
                           (9, "; ".join(notes) + (f" (nguồn: {source.name.split('/')[-1]}, dòng {int(row['_row'])})"))):
            ws.write_string(r, col, value if isinstance(value, str) else "", wrap)
    sign = 3 + n + 2
    book.text(ws, sign, 6, f"{rules.plan.place}, ngày …… tháng …… năm {rules.plan.year}", "subtitle")
    book.text(ws, sign + 1, 1, "NGƯỜI LẬP BIỂU", "bold")
    book.text(ws, sign + 1, 6, "THỦ TRƯỞNG CƠ QUAN", "bold")
    book.text(ws, sign + 2, 6, "(Ký, ghi rõ họ tên, đóng dấu)", "subtitle")
