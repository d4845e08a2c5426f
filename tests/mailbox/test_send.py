"""Sending the reply drafts (checker/mailbox/send.py) to a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from checker import api
from checker.mailbox.imap import MailboxError
from checker.mailbox.send import ALREADY, NO_RECIPIENT, REFUSED, SENT, WOULD_SEND, outgoing, read_drafts
from checker.mailbox.smtp import Server
from checker.workspace.sendings import SENDINGS_FILE, Sendings

from ..builders import smtp_server as servers
from ..builders.smtp_server import OFFICE, free_port

# The shared fixtures (a real SMTP server on loopback, the sample drafts), taken into this module.
drafts = servers.drafts
smtp_server = servers.smtp_server

HANOI = dt.timezone(dt.timedelta(hours=7))
SENT_AT = dt.datetime(2023, 7, 26, 9, 30, tzinfo=HANOI)
UNITS = ["BTHN", "CAILUONG", "CHEO", "DTDT", "HLTD", "HOALO", "KHTC", "KICH", "MRTL", "PTNK", "QLDS", "QLNT",
         "QLTDTT", "QLVH", "THUVIEN", "TTRA", "TTTTTL", "TTVH", "VMQTG", "VP", "XIEC"]
WITH_COPIES = ["HOALO", "KICH", "THUVIEN", "TTRA", "TTVH", "VP", "XIEC"]


def _server(controller) -> Server:
    return Server("127.0.0.1", controller.port, plain=True)


def _send(folder: Path, controller, **kwargs):
    return api.send_replies(folder, _server(controller), send=True, sent_at=SENT_AT, sender=OFFICE, **kwargs)


def test_the_sample_drafts_are_read(drafts):
    """The sample consolidation's 21 drafts are read, PTNK's without a recipient, 7 with their copy."""
    found = read_drafts(drafts, 10**8)
    assert [d.unit for d in found] == UNITS
    assert [d.unit for d in found if d.to is None] == ["PTNK"]
    assert [d.unit for d in found if d.attachments] == WITH_COPIES
    assert all(d.ours for d in found)


def test_a_dry_run_sends_nothing_and_writes_nothing(drafts, smtp_server):
    """Without send, each draft is listed as it would go, nothing reaches the server, no register is made."""
    run = api.send_replies(drafts, _server(smtp_server), sender=OFFICE)
    assert [(o.draft.unit, o.status) for o in run.outcomes] == [
        (u, NO_RECIPIENT if u == "PTNK" else WOULD_SEND) for u in UNITS]
    assert smtp_server.handler.delivered == []
    assert not (drafts / SENDINGS_FILE).exists()


def test_each_draft_is_delivered_once_with_its_copies(drafts, smtp_server):
    """Each addressed draft reaches its recipient once, its subject and attached copies' bytes as written."""
    run = _send(drafts, smtp_server)
    by_unit = {o.draft.unit: o for o in run.outcomes}
    assert [u for u in UNITS if by_unit[u].status == SENT] == [u for u in UNITS if u != "PTNK"]
    assert by_unit["PTNK"].status == NO_RECIPIENT
    delivered = smtp_server.handler.delivered
    assert len(delivered) == 20
    drafts_by_to = [(d.to, d.subject) for d in read_drafts(drafts, 10**8) if d.to]
    messages = smtp_server.handler.messages()
    assert [(rcpt, str(m["Subject"])) for (_, rcpt, _), m in zip(delivered, messages)] == [
        ([to], subject) for to, subject in drafts_by_to]
    assert {sender for sender, _, _ in delivered} == {OFFICE}
    copies = {}
    for m in messages:
        for part in m.iter_attachments():
            copies[part.get_filename()] = part.get_content()
    on_disk = {p.name: p.read_bytes() for unit in WITH_COPIES for p in (drafts / unit).iterdir()}
    assert copies == on_disk and len(copies) == 7
    first = messages[0]
    assert (first["Date"], first["X-Unsent"], first["X-NTVT-Generated"]) == (
        "Wed, 26 Jul 2023 09:30:00 +0700", None, "reply-draft")
    assert str(first["From"]) == f"Văn phòng Sở Văn hóa và Thể thao Hà Nội <{OFFICE}>"
    assert [s.recipient for s in Sendings.in_folder(drafts).all()] == [to for to, _ in drafts_by_to]
    assert len({s.message_id for s in Sendings.in_folder(drafts).all()}) == 20
    assert by_unit["BTHN"].reply == "250 2.0.0 Ok: queued as N1"


def test_a_second_run_sends_nothing(drafts, smtp_server):
    """A draft sent before is not sent again: the second run delivers nothing and names them as sent."""
    _send(drafts, smtp_server)
    again = _send(drafts, smtp_server)
    assert len(smtp_server.handler.delivered) == 20
    assert [o.status for o in again.outcomes].count(ALREADY) == 20
    assert {o.sending.sent_at for o in again.outcomes if o.sending} == {SENT_AT}


def test_a_refused_recipient_is_reported_and_the_others_go(drafts, smtp_server):
    """A 550 for one address leaves that draft unsent with the server's words; the other 19 are delivered,
    and the next run sends only the refused one."""
    smtp_server.handler.refuse = {"vanthu@baotanghanoi.vn"}
    run = _send(drafts, smtp_server)
    refused = [(o.draft.unit, o.reply) for o in run.outcomes if o.status == REFUSED]
    assert refused == [("BTHN", "550 5.1.1 <vanthu@baotanghanoi.vn>: Recipient address rejected: User unknown")]
    assert len(smtp_server.handler.delivered) == 19
    smtp_server.handler.refuse = set()
    later = _send(drafts, smtp_server)
    assert [o.draft.unit for o in later.outcomes if o.status == SENT] == ["BTHN"]
    assert len(smtp_server.handler.delivered) == 20


def test_a_server_that_is_not_there_sends_and_records_nothing(drafts):
    """No server at the port: MailboxError in Vietnamese, and no draft recorded as sent."""
    server = Server("127.0.0.1", free_port(), plain=True)
    with pytest.raises(MailboxError) as caught:
        api.send_replies(drafts, server, send=True, sent_at=SENT_AT, sender=OFFICE)
    assert caught.value.message == (f"Không kết nối được máy chủ thư 127.0.0.1:{server.port} (máy chủ không nhận kết "
                                    "nối ở cổng này): kiểm tra tên máy chủ, cổng và mạng rồi chạy lại. Chưa gửi thư nào.")
    assert Sendings.in_folder(drafts).all() == []


def test_a_server_lost_halfway_keeps_what_was_sent(drafts, smtp_server):
    """The server hangs up after two letters: those two are recorded, no other, MailboxError says so in
    Vietnamese, and the next run sends only the rest."""
    smtp_server.handler.drop_after = 2
    with pytest.raises(MailboxError) as caught:
        _send(drafts, smtp_server)
    assert caught.value.message == (f"Máy chủ thư 127.0.0.1:{smtp_server.port} ngắt kết nối khi đang gửi “CHEO.eml”: "
                                    "đã gửi 2 thư (đã ghi vào sổ gửi thư); thư “CHEO.eml” và các thư sau chưa gửi. "
                                    "Chạy lại lệnh để gửi nốt (thư đã gửi không gửi lại).")
    assert [s.recipient for s in Sendings.in_folder(drafts).all()] == ["vanthu@baotanghanoi.vn", "vanthu@donvi.gov.vn"]
    smtp_server.handler.drop_after = None
    rest = _send(drafts, smtp_server)
    assert [o.status for o in rest.outcomes].count(SENT) == 18
    assert len(smtp_server.handler.delivered) == 20


def test_the_letter_keeps_its_bytes():
    """Only the draft-only headers go; From, Date and Message-ID are put in front; the rest is as written."""
    draft = (b"To: a@b.vn\r\nSubject: =?utf-8?b?xx?=\r\n =?utf-8?b?yy?=\r\nX-Unsent: 1\r\nX-NTVT-Generated: reply-draft"
             b"\r\nX-NTVT-Address-Source: rules\r\nMIME-Version: 1.0\r\n\r\nbody\r\n\r\nmore\r\n")
    sent = outgoing(draft, sender="vp@c.vn", sender_name="Văn phòng", msg_id="<m@c.vn>", sent_at=SENT_AT)
    assert sent == (b"From: =?utf-8?b?VsSDbiBwaMOybmc=?= <vp@c.vn>\r\nDate: Wed, 26 Jul 2023 09:30:00 +0700\r\n"
                    b"Message-ID: <m@c.vn>\r\nTo: a@b.vn\r\nSubject: =?utf-8?b?xx?=\r\n =?utf-8?b?yy?=\r\n"
                    b"X-NTVT-Generated: reply-draft\r\nMIME-Version: 1.0\r\n\r\nbody\r\n\r\nmore\r\n")


def test_a_file_that_is_not_a_draft_is_never_sent(drafts, smtp_server):
    """An .eml that ntvt did not write (a unit's own mail saved there) is listed as skipped and not sent."""
    (drafts / "thu_don_vi.eml").write_bytes(b"To: vanthu@donvi.gov.vn\r\nSubject: Bao cao\r\n\r\nxin gui\r\n")
    run = _send(drafts, smtp_server)
    assert [(o.draft.name, o.status) for o in run.outcomes if o.draft.unit == "thu_don_vi"] == [
        ("thu_don_vi.eml", "not_draft")]
    assert len(smtp_server.handler.delivered) == 20
