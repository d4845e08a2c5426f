"""checker/mailbox/imap.py: folder names, INTERNALDATE, loopback, and what never leaves the account."""

from __future__ import annotations

import datetime as dt

import pytest

from checker.mailbox.imap import Account, MailboxError, connect, mailbox_name, parse_internaldate
from checker.model.addresses import is_loopback
from tests.builders.dovecot import free_port


def test_folder_names_are_modified_utf7_and_quoted():
    assert mailbox_name("INBOX") == '"INBOX"'
    assert mailbox_name("Hồ sơ") == '"H&HtM- s&AaE-"'
    assert mailbox_name('a&b"c') == '"a&-b\\"c"'


def test_internaldate_is_read_with_its_zone():
    at = parse_internaldate(b'1 (UID 7 INTERNALDATE "19-Jun-2023 23:30:00 +0000" BODY[] {12}')
    assert at == dt.datetime(2023, 6, 19, 23, 30, tzinfo=dt.timezone.utc)
    assert parse_internaldate(b'1 (UID 7 INTERNALDATE " 9-Jun-2023 08:00:00 +0700")') == dt.datetime(
        2023, 6, 9, 8, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    assert parse_internaldate(b"1 (UID 7)") is None


@pytest.mark.parametrize("host, expected", [("127.0.0.1", True), ("127.8.0.1", True), ("::1", True), ("[::1]", True),
                                            ("localhost", True), ("10.0.0.1", False), ("mail.coquan.gov.vn", False)])
def test_loopback(host, expected):
    assert is_loopback(host) is expected


def test_the_password_is_never_shown_and_the_ports_default_to_tls():
    account = Account("mail.coquan.gov.vn", "vanphong", "bi-mat")
    assert "bi-mat" not in repr(account)
    assert (account.the_port, account.address) == (993, "vanphong@mail.coquan.gov.vn")
    assert Account("127.0.0.1", "u", "p", plain=True).the_port == 143


def test_plain_to_another_machine_is_refused_without_a_connection():
    with pytest.raises(MailboxError) as refused:
        connect(Account("192.0.2.1", "vanphong", "bi-mat", plain=True), timeout=0.01)
    assert refused.value.message == ("--plain (không mã hóa) chỉ dùng được với máy này (127.0.0.1), không dùng với "
                                     "“192.0.2.1”: bỏ --plain để kết nối có mã hóa TLS.")


def test_nothing_listening_is_said_in_vietnamese():
    unused_port = free_port()
    with pytest.raises(MailboxError) as failed:
        connect(Account("127.0.0.1", "vanphong", "bi-mat", port=unused_port, plain=True), timeout=2)
    assert failed.value.message == (f"Không kết nối được máy chủ thư vanphong@127.0.0.1:{unused_port}: kiểm tra tên "
                                    f"máy chủ, cổng và mạng rồi chạy lại.")
