"""checker/decide/clocks.py: an email's Date header far from the receipt log's time (fetch writes the
server's INTERNALDATE there) is a warning on its attachment, and the rules say which time counts."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from checker import consolidate
from checker.ruleset.spec import MailRules

from ..builders.hostile_inbox import eml

HANOI = dt.timezone(dt.timedelta(hours=7))
AS_OF = dt.date(2023, 6, 30)
# The unit's computer thinks it is 15/06 09:00; the server received the email on 20/06 at 10:00:
# one day past the deadline ("trước ngày 20": by the end of 19/06).
DATE = "Thu, 15 Jun 2023 09:00:00 +0700"
LOGGED = "20/06/2023 10:00:00"
WARNING = ("Thư “thu_cheo.eml” ghi giờ gửi là 09:00 ngày 15/06/2023 giờ Hà Nội, nhưng máy chủ thư nhận thư lúc "
           "10:00 ngày 20/06/2023 giờ Hà Nội (theo sổ nhận văn bản): lệch 121 giờ, quá 24 giờ cho phép. Đồng hồ "
           "máy tính của đơn vị có thể đặt sai ngày giờ; thời điểm nhận đang được tính theo {counted}. Đề nghị "
           "đơn vị chỉnh lại ngày, giờ và múi giờ (UTC+07:00) trên máy tính gửi thư; Văn phòng Sở đối chiếu thời "
           "điểm nhận này với hạn nộp hằng tháng. (Căn cứ: Mục V, Kế hoạch số 327/KH-SVHTT.)")


def _inbox(tmp_path, make_book, date=DATE, logged=LOGGED):
    inbox = tmp_path / "inbox"
    book = make_book(unit="CHEO", period="2023-06", name="bc.xlsx", directory=tmp_path / "src")
    eml(inbox / "thu_cheo.eml", [("bc.xlsx", book.read_bytes())], date=date)
    log = inbox / "so_nhan.csv"  # as fetch writes it: beside the saved emails
    log.write_text(f"Tên tệp,Thời điểm nhận\nthu_cheo.eml,{logged}\n", encoding="utf-8-sig")
    return inbox, log


def _cheo_june(c):
    row = c.cycles[(c.cycles["unit"] == "CHEO") & (c.cycles["cycle"] == "2023-06")].iloc[0]
    return row["status_code"]


@pytest.mark.parametrize("evidence, received, code, counted, status", [
    ("date_header", dt.datetime(2023, 6, 15, 9, 0, tzinfo=HANOI), "email_date", "thư điện tử", "on_time"),
    ("internaldate", dt.datetime(2023, 6, 20, 10, 0, tzinfo=HANOI), "receipt_log", "sổ nhận văn bản", "late"),
])
def test_the_rules_say_which_time_counts_and_the_gap_is_a_warning(tmp_path, make_book, rules, evidence, received,
                                                                   code, counted, status):
    inbox, log = _inbox(tmp_path, make_book)
    chosen = replace(rules, mail=MailRules(date_tolerance_hours=24, receipt_evidence=evidence))
    c = consolidate(inbox, None, chosen, as_of=AS_OF, receipt_log=log)
    [email] = [f for f in c.inbox.files if f.kind == "email"]
    assert (email.received_at, email.evidence) == (received, code)
    [d] = c.decisions
    assert (d.received_at, d.evidence) == (received, code)
    assert _cheo_june(c) == status
    clocks = [f for f in c.findings if f.rule_id == "THU-GIO"]
    assert [(f.file, f.severity.value, f.message) for f in clocks] == [
        ("thu_cheo.eml › bc.xlsx", "warning", WARNING.format(counted=counted))]


def test_within_the_tolerance_nothing_is_said_and_the_date_header_counts(tmp_path, make_book, rules):
    """19/06 23:30 UTC is 20/06 06:30 in Hanoi (late); the server got it a minute later."""
    inbox, log = _inbox(tmp_path, make_book, date="Mon, 19 Jun 2023 23:30:00 +0000", logged="20/06/2023 06:31:00")
    c = consolidate(inbox, None, rules, as_of=AS_OF, receipt_log=log)
    [d] = c.decisions
    assert (d.received_at, d.evidence) == (dt.datetime(2023, 6, 20, 6, 30, tzinfo=HANOI), "email_date")
    assert _cheo_june(c) == "late"
    assert not [f for f in c.findings if f.rule_id == "THU-GIO"]


def test_a_tolerance_of_one_hour_flags_a_gap_of_two(tmp_path, make_book, rules):
    inbox, log = _inbox(tmp_path, make_book, date="Mon, 19 Jun 2023 08:00:00 +0700", logged="19/06/2023 10:30:00")
    assert not [f for f in consolidate(inbox, None, rules, as_of=AS_OF, receipt_log=log).findings
                if f.rule_id == "THU-GIO"]
    tight = replace(rules, mail=MailRules(date_tolerance_hours=1))
    [f] = [f for f in consolidate(inbox, None, tight, as_of=AS_OF, receipt_log=log).findings if f.rule_id == "THU-GIO"]
    assert "lệch 2,5 giờ, quá 1 giờ cho phép" in f.text


def test_a_file_received_after_the_day_of_reckoning_says_nothing_yet(tmp_path, make_book, rules):
    inbox, log = _inbox(tmp_path, make_book)
    c = consolidate(inbox, None, rules, as_of=dt.date(2023, 6, 10), receipt_log=log)
    assert [d.status for d in c.decisions] == ["later"]
    assert not [f for f in c.findings if f.rule_id == "THU-GIO"]


def test_without_a_receipt_log_the_date_header_alone_counts(tmp_path, make_book, rules):
    inbox, log = _inbox(tmp_path, make_book)
    c = consolidate(inbox, None, replace(rules, mail=MailRules(receipt_evidence="internaldate")), as_of=AS_OF)
    [d] = c.decisions
    assert (d.received_at, d.evidence) == (dt.datetime(2023, 6, 15, 9, 0, tzinfo=HANOI), "email_date")
    assert not [f for f in c.findings if f.rule_id == "THU-GIO"]
