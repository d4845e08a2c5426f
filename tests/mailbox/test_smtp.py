"""The SMTP connection (checker/mailbox/smtp.py): addresses, TLS by default, plain only on loopback."""

from __future__ import annotations

import datetime as dt

import pytest

from checker import api
from checker.mailbox.imap import MailboxError
from checker.mailbox.smtp import Server, connect
from checker.model.addresses import parse_server

from ..builders import smtp_server as servers
from ..builders.smtp_server import OFFICE, PASSWORD, USER

# The shared fixtures (real SMTP servers on loopback, the sample drafts), taken into this module.
smtp_server = servers.smtp_server
tls_server = servers.tls_server
drafts = servers.drafts
SENT_AT = dt.datetime(2023, 7, 26, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))


@pytest.mark.parametrize("text, expected", [
    ("mail.coquan.gov.vn", ("mail.coquan.gov.vn", None)),
    ("mail.coquan.gov.vn:587", ("mail.coquan.gov.vn", 587)),
    ("127.0.0.1:2525", ("127.0.0.1", 2525)),
    ("[::1]:2525", ("::1", 2525)),
    ("::1", ("::1", None)),
])
def test_server_addresses(text, expected):
    """HOST, HOST:PORT and [IPv6]:PORT are read as (host, port)."""
    assert parse_server(text) == expected


@pytest.mark.parametrize("text, message", [
    ("mail.vn:0", "Cổng “0” trong “mail.vn:0” phải là một số từ 1 đến 65535."),
    ("mail.vn:cổng", "Cổng “cổng” trong “mail.vn:cổng” phải là một số từ 1 đến 65535."),
    ("user@mail.vn", "“user@mail.vn” không đúng dạng MÁY_CHỦ[:CỔNG] (ví dụ mail.coquan.gov.vn:465)."),
    (":25", "“:25” không đúng dạng MÁY_CHỦ[:CỔNG] (ví dụ mail.coquan.gov.vn:465)."),
])
def test_malformed_server_addresses(text, message):
    """A malformed address is refused in Vietnamese words."""
    with pytest.raises(ValueError) as caught:
        parse_server(text)
    assert str(caught.value) == message


def test_ports_and_security():
    """465 (the default) is SMTPS, another port STARTTLS, --plain port 25 without TLS."""
    assert [(s.the_port, s.security) for s in (Server("m.vn"), Server("m.vn", 587), Server("127.0.0.1", plain=True))] == [
        (465, "mã hóa TLS (SMTPS)"), (587, "mã hóa TLS (STARTTLS)"), (25, "không mã hóa, chỉ dùng trên máy này")]
    assert "secret" not in repr(Server("m.vn", user="vp", password="secret"))


def test_plain_is_refused_to_another_machine():
    """Plain SMTP to an address that is not loopback is refused before any connection is made."""
    with pytest.raises(MailboxError) as caught:
        connect(Server("mail.coquan.gov.vn", 25, plain=True))
    assert caught.value.message == ("--plain (không mã hóa) chỉ dùng được với máy này (127.0.0.1), không dùng với "
                                    "“mail.coquan.gov.vn”: bỏ --plain để gửi có mã hóa TLS.")


def test_a_server_without_starttls_is_not_used_in_clear(smtp_server):
    """Without --plain, a server that offers no STARTTLS is refused, nothing sent in clear."""
    with pytest.raises(MailboxError) as caught:
        connect(Server("127.0.0.1", smtp_server.port))
    assert caught.value.message == (f"Máy chủ thư 127.0.0.1:{smtp_server.port} không hỗ trợ mã hóa STARTTLS: hãy dùng "
                                    "cổng 465 (SMTPS) hoặc hỏi người quản trị máy chủ thư. Chưa gửi thư nào.")
    assert smtp_server.handler.delivered == []


def test_a_login_the_server_does_not_offer(smtp_server):
    """A user given to a server that offers no login is told in Vietnamese, the password never shown."""
    with pytest.raises(MailboxError) as caught:
        connect(Server("127.0.0.1", smtp_server.port, user="vanphong", password="matkhau-bi-mat", plain=True))
    assert caught.value.message == (f"Máy chủ thư 127.0.0.1:{smtp_server.port} không cho đăng nhập (không hỗ trợ AUTH): "
                                    "bỏ --user, hoặc hỏi người quản trị máy chủ thư. Chưa gửi thư nào.")
    assert "matkhau" not in str(caught.value)


def test_starttls_and_login_then_the_letters_go(tls_server, drafts):
    """Over STARTTLS (the server's certificate trusted), logged in, the 20 addressed drafts are delivered."""
    server = Server("127.0.0.1", tls_server.port, user=USER, password=PASSWORD, cafile=tls_server.cafile)
    run = api.send_replies(drafts, server, send=True, sent_at=SENT_AT, sender=OFFICE)
    assert [o.status for o in run.outcomes].count("sent") == 20
    assert len(tls_server.handler.delivered) == 20


def test_a_wrong_password_is_said_in_vietnamese(tls_server):
    """A refused login: which server and user, what to check; the password never in the words."""
    with pytest.raises(MailboxError) as caught:
        connect(Server("127.0.0.1", tls_server.port, user=USER, password="sai-mat-khau", cafile=tls_server.cafile))
    assert caught.value.message == (f"Máy chủ thư 127.0.0.1:{tls_server.port} từ chối đăng nhập của “vanphong”: sai "
                                    "tên đăng nhập hoặc mật khẩu. Kiểm tra lại rồi chạy lại (mật khẩu lấy từ biến "
                                    "NTVT_SMTP_PASSWORD, nếu có). Chưa gửi thư nào.")
    assert "sai-mat-khau" not in str(caught.value)


def test_a_certificate_not_trusted_is_refused(tls_server):
    """A certificate the machine does not trust: no login is attempted, the line says why."""
    with pytest.raises(MailboxError) as caught:
        connect(Server("127.0.0.1", tls_server.port, user=USER, password=PASSWORD))
    assert caught.value.message == (f"Chứng thư (certificate) TLS của máy chủ thư 127.0.0.1:{tls_server.port} không "
                                    "được tin cậy: hỏi người quản trị máy chủ thư; không kết nối để bảo vệ mật khẩu. "
                                    "Chưa gửi thư nào.")
