"""What `ntvt send` tells the clerk, in Vietnamese: who would get (or got) which letter, what was not
sent and what to do about it."""

from __future__ import annotations

from ..ruleset.spec import RuleSet
from ..write.names import unit_slug
from .send import ALREADY, NO_RECIPIENT, NOT_DRAFT, REFUSED, SENT, WOULD_SEND, Outcome, SendRun

__all__ = ["send_listing", "shown_size"]

NO_SENDER = ("Chưa có địa chỉ người gửi: hãy thêm dòng “office_email: …” (địa chỉ thư của văn phòng) vào mục “plan” "
             "ở đầu tệp quy tắc, hoặc chỉ rõ bằng --from ĐỊA_CHỈ.")


def shown_size(n: int) -> str:
    """A size as people read it: 812 byte, 4,2 KB, 1,3 MB."""
    if n < 1024:
        return f"{n} byte"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB".replace(".", ",")
    return f"{n / 1024 / 1024:.1f} MB".replace(".", ",")


def _unit(o: Outcome, names: dict[str, str]) -> str:
    name = names.get(o.draft.unit)
    return f"{name} ({o.draft.name})" if name else f"“{o.draft.name}”"


def _attachments(o: Outcome) -> str:
    files = o.draft.attachments
    if not files:
        return "không có tệp đính kèm"
    listed = "; ".join(f"{name}, {shown_size(size)}" for name, size in files)
    return f"đính kèm {len(files)} tệp ({listed})"


def _missing_address(rules: RuleSet, unit_id: str | None) -> str:
    """What to do for a draft with no address: the rules file's roster, or the report's own cell."""
    roster = f"thêm dòng “email: …” cho đơn vị {unit_id} trong tệp quy tắc" if unit_id else \
        "thêm dòng “email: …” cho đơn vị trong tệp quy tắc"
    field = rules.field_by_role("reply_address")
    key = rules.sheet_key("unit_info")
    if field is None or key is None:
        return f"hãy {roster}, rồi tổng hợp lại để soạn lại thư"
    sheet = rules.sheet(key).name
    return (f"hãy {roster}, hoặc đề nghị đơn vị điền ô “{field.label}” ở trang “{sheet}” của báo cáo, rồi tổng "
            f"hợp lại để soạn lại thư")


def send_listing(run: SendRun, rules: RuleSet) -> str:
    """The lines `ntvt send` prints: the plan (a dry run) or what was done (with --yes)."""
    outcomes, sender, sender_name, server, sent = run.outcomes, run.sender, run.sender_name, run.server, run.sent
    names = {unit_slug(u.id): u.name for u in rules.units}
    ids = {unit_slug(u.id): u.id for u in rules.units}
    zone, place = rules.deadlines.zone, rules.plan.place
    by = {s: [o for o in outcomes if o.status == s] for s in (WOULD_SEND, SENT, ALREADY, REFUSED, NO_RECIPIENT,
                                                              NOT_DRAFT)}
    via = f"qua máy chủ {server.shown} ({server.security})" if server else ""
    origin = f"từ “{sender_name}” <{sender}>" if sender else "(chưa có địa chỉ người gửi: xem cuối danh sách)"
    lines = []
    if by[WOULD_SEND]:
        lines.append(f"Sẽ gửi {len(by[WOULD_SEND])} thư trả lời, {origin}, {via}:")
        lines += [f"- {_unit(o, names)}: tới {o.draft.to}, tiêu đề “{o.draft.subject}”, {_attachments(o)}, "
                  f"cỡ {shown_size(o.draft.size)}." for o in by[WOULD_SEND]]
    if by[SENT]:
        lines.append(f"Đã gửi {len(by[SENT])} thư trả lời, {origin}, {via}:")
        lines += [f"- {_unit(o, names)}: tới {o.draft.to}, tiêu đề “{o.draft.subject}”, {_attachments(o)}; máy chủ "
                  f"trả lời “{o.reply}”." for o in by[SENT]]
    if by[ALREADY]:
        lines.append(f"Đã gửi trước đó, không gửi lại ({len(by[ALREADY])} thư):")
        for o in by[ALREADY]:
            at = o.sending.sent_at.astimezone(zone)
            lines.append(f"- {_unit(o, names)}: tới {o.draft.to}, lúc {at:%H:%M} giờ {place} ngày {at:%d/%m/%Y}.")
    if by[REFUSED]:
        lines.append(f"Máy chủ thư từ chối, chưa gửi ({len(by[REFUSED])} thư):")
        lines += [f"- {_unit(o, names)}: tới {o.draft.to}, máy chủ trả lời “{o.reply}”. Kiểm tra địa chỉ này với đơn "
                  f"vị, sửa rồi chạy lại (thư đã gửi không gửi lại)." for o in by[REFUSED]]
    if by[NO_RECIPIENT]:
        lines.append(f"Không gửi: chưa có địa chỉ ({len(by[NO_RECIPIENT])} thư):")
        lines += [f"- {_unit(o, names)}: {_missing_address(rules, ids.get(o.draft.unit))}."
                  for o in by[NO_RECIPIENT]]
    if by[NOT_DRAFT]:
        lines.append(f"Bỏ qua, không phải thư trả lời do ntvt soạn ({len(by[NOT_DRAFT])} tệp):")
        lines += [f"- “{o.draft.name}”." for o in by[NOT_DRAFT]]
    if sender is None:
        lines.append(NO_SENDER)
    if not outcomes:
        lines.append("Thư mục không có thư trả lời soạn sẵn (.eml): hãy chỉ thư mục đã ghi bằng "
                     "`ntvt consolidate … --feedback THƯ_MỤC`.")
    if not sent and by[WOULD_SEND]:
        lines.append("Chưa gửi thư nào. Kiểm tra danh sách trên rồi chạy lại lệnh với --yes để gửi.")
    elif not (by[WOULD_SEND] or by[SENT] or by[REFUSED]) and outcomes:
        lines.append("Không có thư mới cần gửi.")
    return "\n".join(lines)
