"""The SMTP connection: TLS by default (SMTPS on port 465, STARTTLS on any other port), plain only to
a loopback address; login only when a user is given. Every failure to connect is a MailboxError with
a Vietnamese line that never holds the password."""

from __future__ import annotations

import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from pathlib import Path

from .imap import MailboxError
from ..model.addresses import is_loopback

__all__ = ["Server", "connect"]

SMTPS_PORT, SUBMISSION_PORT, PLAIN_PORT = 465, 587, 25
TIMEOUT = 60  # seconds without an answer before the server counts as gone


@dataclass(frozen=True)
class Server:
    """Where to send from, and as whom. The password is never shown (repr) nor stored."""

    host: str
    port: int | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    plain: bool = False
    cafile: Path | None = None

    @property
    def the_port(self) -> int:
        return self.port or (PLAIN_PORT if self.plain else SMTPS_PORT)

    @property
    def shown(self) -> str:
        return f"{self.host}:{self.the_port}"

    @property
    def security(self) -> str:
        """How the connection is protected, in words."""
        if self.plain:
            return "không mã hóa, chỉ dùng trên máy này"
        return "mã hóa TLS (SMTPS)" if self.the_port == SMTPS_PORT else "mã hóa TLS (STARTTLS)"


def _fail(detail: str, message: str) -> MailboxError:
    return MailboxError(detail, message=message)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "máy chủ không nhận kết nối ở cổng này"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "quá thời gian chờ máy chủ trả lời"
    if isinstance(exc, socket.gaierror):
        return "không tìm thấy tên máy chủ"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "máy chủ đã ngắt kết nối"
    return "lỗi mạng"


def connect(server: Server, timeout: float = TIMEOUT) -> smtplib.SMTP:
    """A connection ready to send (TLS set up, logged in if a user is given)."""
    where = server.shown
    if server.plain and not is_loopback(server.host):
        raise _fail(f"plain SMTP refused to {server.host}",
                    f"--plain (không mã hóa) chỉ dùng được với máy này (127.0.0.1), không dùng với “{server.host}”: "
                    f"bỏ --plain để gửi có mã hóa TLS.")
    context = ssl.create_default_context(cafile=str(server.cafile) if server.cafile else None)
    try:
        if not server.plain and server.the_port == SMTPS_PORT:
            smtp = smtplib.SMTP_SSL(server.host, server.the_port, timeout=timeout, context=context)
        else:
            smtp = smtplib.SMTP(server.host, server.the_port, timeout=timeout)
    except ssl.SSLCertVerificationError as exc:
        raise _certificate(where, exc) from None
    except (ssl.SSLError, OSError, smtplib.SMTPException) as exc:
        raise _fail(f"cannot connect to {where}: {type(exc).__name__}: {exc}",
                    f"Không kết nối được máy chủ thư {where} ({_reason(exc)}): kiểm tra tên máy chủ, cổng và mạng "
                    f"rồi chạy lại. Chưa gửi thư nào.") from None
    try:
        smtp.ehlo()
        if not server.plain and server.the_port != SMTPS_PORT:
            if not smtp.has_extn("starttls"):
                raise _fail(f"{where}: no STARTTLS",
                            f"Máy chủ thư {where} không hỗ trợ mã hóa STARTTLS: hãy dùng cổng 465 (SMTPS) hoặc hỏi "
                            f"người quản trị máy chủ thư. Chưa gửi thư nào.")
            smtp.starttls(context=context)
            smtp.ehlo()
        if server.user:
            smtp.login(server.user, server.password or "")
    except MailboxError:
        _close(smtp)
        raise
    except ssl.SSLCertVerificationError as exc:
        _close(smtp)
        raise _certificate(where, exc) from None
    except smtplib.SMTPAuthenticationError:
        _close(smtp)
        raise _fail(f"{where}: login refused for {server.user}",
                    f"Máy chủ thư {where} từ chối đăng nhập của “{server.user}”: sai tên đăng nhập hoặc mật khẩu. "
                    f"Kiểm tra lại rồi chạy lại (mật khẩu lấy từ biến NTVT_SMTP_PASSWORD, nếu có). "
                    f"Chưa gửi thư nào.") from None
    except smtplib.SMTPNotSupportedError:
        _close(smtp)
        raise _fail(f"{where}: no AUTH offered",
                    f"Máy chủ thư {where} không cho đăng nhập (không hỗ trợ AUTH): bỏ --user, hoặc hỏi người quản "
                    f"trị máy chủ thư. Chưa gửi thư nào.") from None
    except (ssl.SSLError, OSError, smtplib.SMTPException) as exc:
        _close(smtp)
        raise _fail(f"{where}: {type(exc).__name__}: {exc}",
                    f"Máy chủ thư {where} ngắt kết nối trước khi gửi ({_reason(exc)}): chạy lại sau ít phút. "
                    f"Chưa gửi thư nào.") from None
    return smtp


def _certificate(where: str, exc: Exception) -> MailboxError:
    return _fail(f"{where}: certificate not trusted: {exc}",
                 f"Chứng thư (certificate) TLS của máy chủ thư {where} không được tin cậy: hỏi người quản trị "
                 f"máy chủ thư; không kết nối để bảo vệ mật khẩu. Chưa gửi thư nào.")


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.close()
    except Exception:  # the socket may be gone already
        pass
