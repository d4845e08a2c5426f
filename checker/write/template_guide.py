"""The words of the template's guide sheet ("Hướng dẫn"): plan, addressee, deadlines, criteria, how-to.

Everything comes from the rules file; this module only says it in sentences.
"""

from __future__ import annotations

import datetime as dt

from ..decide.deadlines import cycle_bound, last_day, summary_bound
from ..ruleset.spec import Deadlines, RuleSet

WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
# The guide's line for each sheet, by the sheet's role (ruleset.roles).
SHEET_HINTS = {
    "unit_info": "Điền cột B, mỗi dòng một thông tin; chọn trong danh sách thả xuống khi ô có mũi tên.",
    "nominations": "Mỗi dòng một gương (cá nhân hoặc tập thể) được đề nghị, bắt đầu từ dòng 5; "
                   "cần thêm dòng thì chèn dòng trong bảng.",
    "activities": "Mỗi dòng một hoạt động đã tổ chức trong kỳ, bắt đầu từ dòng 5.",
    "summary": "Chỉ điền khi gửi báo cáo tổng kết; báo cáo tháng để trống trang này.",
}
FORM_HINT, TABLE_HINT = SHEET_HINTS["unit_info"], "Mỗi dòng một bản ghi, bắt đầu từ dòng 5."


def vn_date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def last_receiving_days(rules: RuleSet) -> tuple[list[tuple[str, dt.date]], dt.date]:
    """(cycle, last on-time day) for each monthly cycle, and the summary report's last day."""
    d = rules.deadlines
    return [(c, last_day(cycle_bound(c, d))) for c in d.cycles], last_day(summary_bound(d))


def guide_rows(rules: RuleSet, as_of: dt.date):
    """(label, text, style) rows of the guide: plan, addressee, deadlines, criteria, how-to, contact."""
    r, d, p = rules, rules.deadlines, rules.plan
    yield "Kế hoạch", f"Kế hoạch số {p.number} ngày {vn_date(p.issued)} của {p.issuer}: {p.title}.", "text"
    yield "Thời gian thực hiện", f"Từ {vn_date(p.start)} đến {vn_date(p.end)}.", "text"
    yield "Nơi nhận", f"Đơn vị gửi tệp này (giữ nguyên mẫu, định dạng .xlsx) về {p.recipient}.", "text"
    yield r.consolidation.monthly_report, (f"Gửi trước ngày {d.monthly_day} hằng tháng ({d.monthly_clause}: "
                            f"“{d.monthly_quote}”). {policy_sentence(d, p.place)}"), "text"
    monthly, day = last_receiving_days(r)
    for cycle, last in monthly:
        yield f"  {r.cycle_label(cycle)}", f"Nhận chậm nhất hết ngày {vn_date(last)} ({WEEKDAYS[last.weekday()]}).", "text"
    yield r.consolidation.summary_report, (f"{d.summary_clause}: “{d.summary_quote}”. Nhận chậm nhất hết ngày "
                               f"{vn_date(day)} ({WEEKDAYS[day.weekday()]})."), "text"
    shown = [d.monthly_quote, d.summary_quote]
    criteria = next((x for x in r.rules if x.guide == "criteria" and x.quote), None)
    if criteria:
        shown.append(criteria.quote)
        yield f"{criteria.title} ({criteria.clause})", criteria.quote, "quote"
    yield "Quy ước", ("Nhãn, cột có dấu * là bắt buộc; dấu (*) là bắt buộc trong một số trường hợp (xem "
                      "lời nhắc hiện ra khi chọn ô). Ô có mũi tên: chọn trong danh sách thả xuống. Ngày nhập "
                      f"dạng ngày/tháng/năm, ví dụ {vn_date(p.issued)}. Không đổi tên, thêm, xóa hoặc đổi "
                      "thứ tự các trang và các cột của mẫu."), "text"
    for s in r.sheets:
        if s.kind != "guide":
            hint = SHEET_HINTS.get(s.role, FORM_HINT if s.kind == "form" else TABLE_HINT)
            yield f"Trang “{s.name}”", hint, "text"
    quotes = [x for x in r.rules if x.quote and not any(x.quote in q for q in shown)]
    for i, rule in enumerate(quotes):
        yield ("Trích kế hoạch" if i == 0 else ""), f"{rule.title} ({rule.clause}): “{rule.quote}”", "text"
    yield "Liên hệ", r.template.contact, "text"
    yield "Phiên bản mẫu", f"{r.template.version}, tạo ngày {vn_date(as_of)}.", "hint"


def policy_sentence(d: Deadlines, place: str) -> str:
    """How the deadline is read, in the words of the guide (the rules file's deadlines.policy). The
    time is the plan's local time (deadlines.utc_offset_hours), named for people by the plan's place
    ("giờ Hà Nội"), as the consolidation's overview names it."""
    tz = f"giờ {place}"
    return {
        "strict_before": f"Hạn tính đúng chữ “trước ngày”: tệp phải đến chậm nhất hết ngày liền trước ({tz}).",
        "inclusive": f"Tệp phải đến chậm nhất hết ngày hạn ({tz}).",
        "inclusive_roll_forward": (f"Tệp phải đến chậm nhất hết ngày hạn ({tz}); nếu ngày hạn là thứ Bảy, "
                                   "Chủ nhật hoặc ngày nghỉ lễ thì đến hết ngày làm việc tiếp theo."),
    }[d.policy]
