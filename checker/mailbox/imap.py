"""The IMAP connection: TLS by default (IMAPS, or STARTTLS on port 143), plain only to a loopback
address; login; a folder opened read-only. Every failure is a MailboxError with a Vietnamese line
that never holds the password."""

from __future__ import annotations

import base64
import datetime as dt
import imaplib
import re
import ssl
from dataclasses import dataclass, field
from pathlib import Path

from ..model.addresses import is_loopback
from ..model.errors import CheckerError

__all__ = ["Account", "MailboxError", "connect", "mailbox_name", "parse_internaldate"]

IMAPS_PORT, STARTTLS_PORT = 993, 143
TIMEOUT = 60  # seconds without an answer before the server counts as gone


class MailboxError(CheckerError):
    """The mailbox cannot be used (refused login, no TLS, connection lost…): exit 2."""


@dataclass(frozen=True)
class Account:
    """Where and as whom to log in. `cafile`: an extra certificate authority to trust (an office
    server with a certificate of its own); the password is never shown (repr) nor stored."""

    host: str
    user: str
    password: str = field(repr=False)
    port: int | None = None
    plain: bool = False
    cafile: Path | None = None

    @property
    def the_port(self) -> int:
        return self.port or (STARTTLS_PORT if self.plain else IMAPS_PORT)

    @property
    def address(self) -> str:
        """The account as the register keys it: user@host."""
        return f"{self.user}@{self.host.lower()}"

    @property
    def shown(self) -> str:
        return f"{self.user}@{self.host}:{self.the_port}"


def _fail(detail: str, message: str) -> MailboxError:
    return MailboxError(detail, message=message)


def connect(account: Account, timeout: float = TIMEOUT) -> imaplib.IMAP4:
    """A logged-in connection. Port 143 speaks STARTTLS, any other port IMAPS, unless plain."""
    where = account.shown
    if account.plain and not is_loopback(account.host):
        raise _fail(f"plain IMAP refused to {account.host}",
                    f"--plain (không mã hóa) chỉ dùng được với máy này (127.0.0.1), không dùng với “{account.host}”: "
                    f"bỏ --plain để kết nối có mã hóa TLS.")
    context = ssl.create_default_context(cafile=str(account.cafile) if account.cafile else None)
    try:
        if account.plain or account.the_port == STARTTLS_PORT:
            imap = imaplib.IMAP4(account.host, account.the_port, timeout=timeout)
        else:
            imap = imaplib.IMAP4_SSL(account.host, account.the_port, ssl_context=context, timeout=timeout)
    except ssl.SSLCertVerificationError as exc:
        raise _certificate(where, exc) from None
    except (ssl.SSLError, OSError) as exc:
        raise _fail(f"cannot connect to {where}: {type(exc).__name__}: {exc}",
                    f"Không kết nối được máy chủ thư {where}: kiểm tra tên máy chủ, cổng và mạng rồi chạy lại.") from None
    try:
        if not account.plain and account.the_port == STARTTLS_PORT:
            imap.starttls(context)
        imap.login(account.user, account.password)
    except ssl.SSLCertVerificationError as exc:
        _close(imap)
        raise _certificate(where, exc) from None
    except imaplib.IMAP4.abort as exc:
        _close(imap)
        raise _fail(f"{where} closed the connection at login: {exc}", DROPPED_AT_LOGIN.format(where=where)) from None
    except imaplib.IMAP4.error as exc:
        _close(imap)
        if "STARTTLS" in str(exc):
            raise _fail(f"{where}: no STARTTLS: {exc}",
                        f"Máy chủ thư {where} không hỗ trợ mã hóa STARTTLS: hãy dùng cổng 993 (IMAPS).") from None
        raise _fail(f"{where}: login refused for {account.user}",
                    f"Máy chủ thư {where} từ chối đăng nhập của “{account.user}”: sai tên đăng nhập hoặc mật khẩu. "
                    f"Kiểm tra lại rồi chạy lại (mật khẩu lấy từ biến NTVT_IMAP_PASSWORD, nếu có).") from None
    except (ssl.SSLError, OSError) as exc:
        _close(imap)
        raise _fail(f"{where}: {type(exc).__name__}: {exc}", DROPPED_AT_LOGIN.format(where=where)) from None
    return imap


DROPPED_AT_LOGIN = "Máy chủ thư {where} ngắt kết nối khi đăng nhập: chạy lại sau ít phút."


def _certificate(where: str, exc: Exception) -> MailboxError:
    return _fail(f"{where}: certificate not trusted: {exc}",
                 f"Chứng thư (certificate) TLS của máy chủ thư {where} không được tin cậy: hỏi người quản trị "
                 f"máy chủ thư; không kết nối để bảo vệ mật khẩu.")


def _close(imap: imaplib.IMAP4) -> None:
    try:
        imap.shutdown()
    except Exception:  # the socket may be gone already
        pass


def mailbox_name(folder: str) -> str:
    """A folder name as IMAP writes it: modified UTF-7 (RFC 3501 §5.1.3), quoted."""
    out: list[str] = []
    wide: list[str] = []

    def flush() -> None:
        if wide:
            packed = base64.b64encode("".join(wide).encode("utf-16-be")).rstrip(b"=").replace(b"/", b",")
            out.append("&" + packed.decode("ascii") + "-")
            wide.clear()

    for ch in folder:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            wide.append(ch)
    flush()
    return '"' + "".join(out).replace("\\", "\\\\").replace('"', '\\"') + '"'


_INTERNALDATE = re.compile(rb'INTERNALDATE "([^"]+)"')


def parse_internaldate(response: bytes) -> dt.datetime | None:
    """The INTERNALDATE of a FETCH response ("19-Jun-2023 23:30:00 +0000"), aware; None if absent."""
    found = _INTERNALDATE.search(response)
    if not found:
        return None
    try:
        return dt.datetime.strptime(found.group(1).decode("ascii").strip(), "%d-%b-%Y %H:%M:%S %z")
    except ValueError:
        return None
