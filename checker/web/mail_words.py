"""What the mailbox pages say ("Hộp thư", "Gửi thư phản hồi"): settings refused, passwords missing or
refused, and each reply draft's state."""

from __future__ import annotations

from ..mailbox.listing import shown_size
from ..model.addresses import is_loopback
from .words import busy

__all__ = ["busy", "settings_problem", "login_refused", "attachments", "draft_note"]

SAVED_KEYRING = "Đã lưu cài đặt hộp thư. Mật khẩu đã gõ được cất trong kho mật khẩu của máy tính, không ghi vào thư mục làm việc."
SAVED_SESSION = ("Đã lưu cài đặt hộp thư. Máy tính này không có kho mật khẩu dùng được, nên mật khẩu đã gõ chỉ được "
                 "giữ trong bộ nhớ cho đến khi tắt “ntvt serve” hoặc đăng xuất; lần sau hãy gõ lại.")
NO_IMAP = ("Chưa có máy chủ nhận thư (IMAP) và tên đăng nhập: hãy điền mục “Nhận thư (IMAP)” rồi bấm “Lưu cài đặt”, "
           "sau đó bấm “Lấy thư mới”.")
NO_SMTP = ("Chưa có máy chủ gửi thư (SMTP): hãy điền mục “Gửi thư (SMTP)” ở trang “Hộp thư” rồi bấm “Lưu cài đặt”, "
           "sau đó quay lại đây để gửi.")
NO_PASSWORD = ("Chưa có mật khẩu {server} cho lần làm việc này: hãy gõ mật khẩu vào ô “Mật khẩu {server}” ở trang "
               "“Hộp thư”, bấm “Lưu cài đặt”, rồi làm lại.")
LOGIN_REFUSED = ("Máy chủ thư {where} từ chối đăng nhập của “{user}”: sai tên đăng nhập hoặc mật khẩu. Hãy gõ lại mật "
                 "khẩu {server} ở trang “Hộp thư”, bấm “Lưu cài đặt”, rồi làm lại.")
LOST = ("Mất kết nối với máy chủ thư {where} khi đang lấy thư (đã nhận {n} thư, không thư nào bị lưu dở): hãy bấm "
        "“Lấy thư mới” lại để lấy tiếp.")
NO_RUN = ("Chưa có lần tổng hợp nào nên chưa có thư phản hồi: hãy bấm “Tổng hợp” trước; thư trả lời cho từng đơn vị "
          "được soạn sau mỗi lần tổng hợp.")
NONE_TICKED = "Chưa chọn thư nào: hãy đánh dấu ô bên cạnh các thư cần gửi rồi bấm “Gửi các thư đã chọn”."
SENDING = "Đang gửi một lượt thư khác; hãy chờ lượt đó xong rồi mở lại trang này."
NO_SENDER = ("Chưa có địa chỉ người gửi: hãy điền ô “Địa chỉ người gửi (From)” ở trang “Hộp thư”, hoặc thêm dòng "
             "“office_email: …” vào mục “plan” ở đầu tệp quy tắc.")
PORT = "Cổng {server} “{value}” không phải số từ 1 đến 65535: hãy sửa ô “Cổng {server}” rồi bấm “Lưu cài đặt”."
PLAIN = ("Chỉ được bỏ mã hóa TLS với máy chủ thư trên chính máy này (127.0.0.1), không với “{host}”: hãy bỏ đánh "
         "dấu ô “Không mã hóa” của mục {server} rồi bấm “Lưu cài đặt”.")


def settings_problem(settings) -> str | None:
    """What is wrong with the settings as typed, or None."""
    for kind, server in (("imap", "IMAP"), ("smtp", "SMTP")):
        port = getattr(settings, kind + "_port")
        if port and not (port.isdigit() and 1 <= int(port) <= 65535):
            return PORT.format(server=server, value=port)
        host = getattr(settings, kind + "_host")
        if getattr(settings, kind + "_plain") and host and not is_loopback(host):
            return PLAIN.format(host=host, server=server)
    return None


def login_refused(exc: BaseException) -> bool:
    """A mailbox error that is a refused login (its English detail says so)."""
    return "login refused" in str(exc)


def connection_lost(exc: BaseException) -> bool:
    """A mailbox error that is a connection lost midway (its English detail says so)."""
    return "connection lost" in str(exc)


def attachments(files) -> str:
    if not files:
        return "không có"
    return "; ".join(f"{name} ({shown_size(size)})" for name, size in files)


def draft_note(outcome, rules, unit, place: str) -> str:
    """What the page says of a draft: why it is not ticked, or what the server answered."""
    status = outcome.status
    if status == "already" or (status == "sent" and outcome.sending is not None and not outcome.reply):
        at = outcome.sending.sent_at.astimezone(rules.deadlines.zone)
        return f"đã gửi lúc {at:%H:%M} giờ {place} ngày {at:%d/%m/%Y}; không gửi lại"
    if status == "sent":
        return f"đã gửi; máy chủ trả lời “{outcome.reply}”"
    if status == "refused":
        return (f"máy chủ từ chối, chưa gửi: “{outcome.reply}”. Hãy kiểm tra địa chỉ này với đơn vị, sửa trong tệp "
                f"quy tắc rồi tổng hợp lại")
    if status == "no_recipient":
        who = f"đơn vị {unit.name}" if unit else "đơn vị"
        return (f"chưa có địa chỉ thư nên không gửi được: hãy thêm dòng “email: …” cho {who} trong tệp quy tắc "
                f"(hoặc đề nghị đơn vị ghi địa chỉ thư trong báo cáo), rồi bấm “Tổng hợp” lại để soạn lại thư")
    return ""
