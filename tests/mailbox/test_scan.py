"""checker/mailbox/scan.py: what counts as carrying a spreadsheet (no server needed)."""

from __future__ import annotations

from dataclasses import replace

from checker.mailbox.scan import message_id, scan_email, zipped_spreadsheets
from tests.mailbox.mails import message, zipped

DATE = "Tue, 13 Jun 2023 09:00:00 +0700"


def scanned(tmp_path, data, rules):
    path = tmp_path / "thu.eml"
    path.write_bytes(data)
    return scan_email(path, rules.limits, rules.limits.max_file_bytes * 4)


def test_a_direct_attachment_a_zipped_one_and_one_in_a_forwarded_email(tmp_path, rules):
    direct = scanned(tmp_path, message("a", DATE, attach=("bc.xlsx", b"PK\x03\x04x"), message_id="<m1@x.vn>"), rules)
    assert (direct.spreadsheets, direct.message_id, direct.sender) == (("bc.xlsx",), "m1@x.vn", "vanthu@cailuong.vn")
    inside = scanned(tmp_path, message("b", DATE, attach=("nen.zip", zipped(("thu muc/bc.ods", b"x")))), rules)
    assert inside.spreadsheets == ("nen.zip › thu muc/bc.ods",)
    forwarded = scanned(tmp_path, message("Fwd", DATE, inner=message("c", DATE, attach=("bc.xls", b"x"))), rules)
    assert forwarded.spreadsheets == ("bc.xls",)
    nothing = scanned(tmp_path, message("d", DATE, attach=("anh.jpg", b"\xff\xd8\xff")), rules)
    assert (nothing.spreadsheets, nothing.problem, nothing.message_id) == ((), None, None)


def test_a_zip_past_the_bomb_limits_or_damaged_holds_nothing(rules):
    two = zipped(("a.xlsx", b"x"), ("b.xlsx", b"y"))
    assert zipped_spreadsheets(two, rules.limits) == ["a.xlsx", "b.xlsx"]
    assert zipped_spreadsheets(two, replace(rules.limits, max_zip_members=1)) == []
    bomb = zipped(("a.xlsx", b"\0" * 3_000_000))
    assert zipped_spreadsheets(bomb, replace(rules.limits, max_compression_ratio=100)) == []
    assert zipped_spreadsheets(bomb, replace(rules.limits, max_uncompressed_bytes=2_000_000)) == []
    assert zipped_spreadsheets(b"PK\x03\x04 cut short", rules.limits) == []


def test_an_email_the_reader_refuses_is_said_so(tmp_path, rules):
    deep = b"From: a@b.vn\r\n" + b"".join(b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (i, i)
                                         for i in range(30))
    assert scanned(tmp_path, deep, rules).problem == "too_deep"
    assert message_id(b"Message-ID:   <abc@d.vn> \r\n\r\nx") == "abc@d.vn"
