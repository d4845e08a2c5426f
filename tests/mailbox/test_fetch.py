"""checker/mailbox/fetch.py against a real Dovecot on loopback (tests/builders/dovecot.py)."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from checker import api
from checker.mailbox.imap import MailboxError
from checker.workspace.messages import MESSAGES_FILE
from tests.builders.dovecot import PASSWORD, USER, dovecot, dropping_proxy
from tests.mailbox.mails import message, zipped

UTC = dt.timezone.utc
AT = dt.datetime(2023, 6, 25, 8, 0, tzinfo=UTC)


@pytest.fixture
def xlsx(make_book):
    """A clean June report of Nhà hát Chèo Hà Nội."""
    return make_book(period="2023-06").read_bytes()


@pytest.fixture
def server():
    with dovecot() as d:
        yield d


def account(port: int) -> api.Account:
    return api.Account("127.0.0.1", USER, PASSWORD, port=port, plain=True)


def when(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2023, 6, day, hour, minute, tzinfo=UTC)


def saved_files(folder):
    return sorted(p.name for p in folder.iterdir() if p.suffix == ".eml")


def test_saves_spreadsheets_as_original_bytes_and_names_the_rest(server, tmp_path, rules, xlsx):
    report = message("Báo cáo tháng 6", "Mon, 19 Jun 2023 23:30:00 +0000", attach=("CAILUONG_thang06.xlsx", xlsx),
                     message_id="<bc6@cailuong.vn>")
    server.append(report, internaldate=when(19, 23, 31))
    server.append(message("Giấy mời họp", "Mon, 19 Jun 2023 10:00:00 +0700", sender="hc@cheo.vn"),
                  internaldate=when(19, 3))
    into = tmp_path / "hop_thu"
    result = api.fetch_mail(account(server.port), into, fetched_at=AT, rules=rules)
    assert result.looked_at == 2 and result.known == 0
    assert result.saved == ["thu_20230620_063100_" + __import__("hashlib").sha256(report).hexdigest()[:12] + ".eml"]
    assert (into / result.saved[0]).read_bytes() == report  # the original bytes, untouched
    assert [(s.sender, s.subject) for s in result.not_carrying] == [("hc@cheo.vn", "Giấy mời họp")]
    assert result.duplicates == [] and result.clocks == []
    # The server's receipt time, in Hanoi time, in the log consolidate reads.
    assert (into / "so_nhan.csv").read_text(encoding="utf-8-sig").splitlines() == [
        "Tên tệp,Thời điểm nhận", f"{result.saved[0]},20/06/2023 06:31:00"]
    with sqlite3.connect(into / MESSAGES_FILE) as db:
        rows = db.execute("SELECT account, folder, uid, message_id, internaldate, date_header, verdict "
                          "FROM mail_messages ORDER BY uid").fetchall()
    assert rows == [("vanphong@127.0.0.1", "INBOX", 1, "bc6@cailuong.vn", "2023-06-19T23:31:00+00:00",
                     "2023-06-19T23:30:00+00:00", "saved"),
                    ("vanphong@127.0.0.1", "INBOX", 2, None, "2023-06-19T03:00:00+00:00",
                     "2023-06-19T10:00:00+07:00", "no_spreadsheet")]
    again = api.fetch_mail(account(server.port), into, fetched_at=AT, rules=rules)
    assert (again.looked_at, again.known, again.saved, again.not_carrying) == (0, 2, [], [])
    assert saved_files(into) == result.saved


def test_a_zip_holding_a_workbook_and_a_forwarded_email_count(server, tmp_path, rules, xlsx):
    server.append(message("Báo cáo (nén)", "Tue, 13 Jun 2023 09:00:00 +0700",
                          attach=("bao_cao.zip", zipped(("CAILUONG_thang06.xlsx", xlsx)))), internaldate=when(13, 2))
    server.append(message("Ảnh hoạt động", "Tue, 13 Jun 2023 09:05:00 +0700",
                          attach=("anh.zip", zipped(("anh.jpg", b"\xff\xd8\xff" + b"0" * 100)))), internaldate=when(13, 3))
    forwarded = message("Fwd: Báo cáo", "Wed, 14 Jun 2023 08:00:00 +0700",
                        inner=message("Báo cáo tháng 6", "Tue, 13 Jun 2023 17:00:00 +0700",
                                      attach=("KICH_thang06.xlsx", xlsx)))
    server.append(forwarded, internaldate=when(14, 1))
    result = api.fetch_mail(account(server.port), tmp_path, fetched_at=AT, rules=rules)
    assert len(result.saved) == 2
    assert [s.subject for s in result.not_carrying] == ["Ảnh hoạt động"]
    assert sorted((tmp_path / n).read_bytes() == forwarded for n in result.saved) == [False, True]


def test_a_zip_over_the_bomb_limits_carries_nothing(server, tmp_path, rules, xlsx):
    from dataclasses import replace
    small = replace(rules, limits=replace(rules.limits, max_zip_members=1))
    server.append(message("Nhiều tệp", "Tue, 13 Jun 2023 09:00:00 +0700",
                          attach=("bc.zip", zipped(("a.xlsx", xlsx), ("b.xlsx", xlsx)))), internaldate=when(13, 2))
    result = api.fetch_mail(account(server.port), tmp_path, fetched_at=AT, rules=small)
    assert result.saved == [] and [s.subject for s in result.not_carrying] == ["Nhiều tệp"]


def test_the_same_message_in_two_folders_is_saved_once(server, tmp_path, rules, xlsx):
    report = message("Báo cáo tháng 6", "Tue, 13 Jun 2023 09:00:00 +0700", attach=("CAILUONG_thang06.xlsx", xlsx),
                     message_id="<mot@cailuong.vn>")
    server.append(report, internaldate=when(13, 2))
    server.append(report, folder="Báo cáo", internaldate=when(13, 2))
    first = api.fetch_mail(account(server.port), tmp_path, fetched_at=AT, rules=rules)
    second = api.fetch_mail(account(server.port), tmp_path, folder="Báo cáo", fetched_at=AT, rules=rules)
    assert len(first.saved) == 1 and second.saved == []
    assert [(d.subject, d.reason) for d in second.duplicates] == [
        ("Báo cáo tháng 6", f"đã lưu từ thư mục “INBOX” thành {first.saved[0]}")]
    assert saved_files(tmp_path) == first.saved


def test_a_date_far_from_the_servers_is_a_clock_to_check(server, tmp_path, rules, xlsx):
    server.append(message("Báo cáo tháng 6", "Sat, 10 Jun 2023 09:00:00 +0700", attach=("CAILUONG_thang06.xlsx", xlsx)),
                  internaldate=when(19, 2))
    result = api.fetch_mail(account(server.port), tmp_path, fetched_at=AT, rules=rules)
    assert [(name, round(hours)) for name, hours in result.clocks] == [(result.saved[0], 216)]
    assert "lệch 216 giờ so với lúc máy chủ thư nhận" in api.fetch_summary(result)


def test_since_takes_only_later_messages(server, tmp_path, rules, xlsx):
    for day in (5, 15):
        server.append(message(f"Báo cáo {day}", f"{day} Jun 2023 09:00:00 +0700", attach=("CAILUONG_thang06.xlsx",
                                                                                         xlsx + bytes([day]))),
                      internaldate=when(day, 2))
    result = api.fetch_mail(account(server.port), tmp_path, since=dt.date(2023, 6, 10), fetched_at=AT, rules=rules)
    assert len(result.saved) == 1 and result.saved[0].startswith("thu_20230615_")


def test_a_connection_lost_mid_fetch_saves_nothing_by_half_and_the_next_run_completes(server, tmp_path, rules, xlsx):
    into = tmp_path / "hop_thu"
    big = xlsx + b"\0" * 400_000  # far more than the proxy lets through
    server.append(message("Nhỏ", "Tue, 13 Jun 2023 09:00:00 +0700", attach=("CAILUONG_thang06.xlsx", xlsx)),
                  internaldate=when(13, 2))
    server.append(message("Lớn", "Wed, 14 Jun 2023 09:00:00 +0700", attach=("KICH_thang06.xlsx", big)),
                  internaldate=when(14, 2))
    with dropping_proxy(server.port, after_bytes=150_000) as port:
        with pytest.raises(MailboxError) as lost:
            api.fetch_mail(account(port), into, fetched_at=AT, rules=rules)
    assert lost.value.message == (f"Mất kết nối với máy chủ thư vanphong@127.0.0.1:{port} khi đang lấy thư (đã lưu 1 "
                                  f"thư, không thư nào bị lưu dở): chạy lại lệnh để lấy tiếp.")
    assert len(saved_files(into)) == 1
    assert sorted(p.name for p in into.iterdir()) == sorted(saved_files(into) + [MESSAGES_FILE, "so_nhan.csv"])
    result = api.fetch_mail(account(server.port), into, fetched_at=AT, rules=rules)
    assert (result.known, result.looked_at, len(result.saved)) == (1, 1, 1)
    assert len(saved_files(into)) == 2
    assert len((into / "so_nhan.csv").read_text(encoding="utf-8-sig").splitlines()) == 3


def test_with_a_workspace_the_register_is_the_workspaces(server, tmp_path, rules, xlsx):
    server.append(message("Báo cáo", "Tue, 13 Jun 2023 09:00:00 +0700", attach=("CHEO_thang06.xlsx", xlsx)),
                  internaldate=when(13, 2))
    ws = api.open_workspace(tmp_path / "thi_dua", rules)
    into = tmp_path / "hop_thu"
    first = api.fetch_mail(account(server.port), into, workspace=ws, fetched_at=AT)
    again = api.fetch_mail(account(server.port), into, workspace=ws, fetched_at=AT)
    assert (len(first.saved), again.known, again.saved) == (1, 1, [])
    assert not (into / MESSAGES_FILE).exists()
    assert [m.saved_name for m in ws.messages().saved()] == first.saved
