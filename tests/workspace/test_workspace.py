"""The workspace: receiving files into the store and register, and gathering them as an inbox."""

from __future__ import annotations

import datetime as dt
import threading
import zoneinfo

import pytest

from checker.model.words import EVIDENCE_EMAIL, EVIDENCE_UPLOAD
from checker.workspace import Workspace

from ..builders.hostile_inbox import eml

HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
AT = dt.datetime(2023, 6, 15, 9, 30, tzinfo=HANOI)


@pytest.fixture
def ws(tmp_path, rules):
    return Workspace.open(tmp_path / "ws", rules)


def test_open_creates_the_folders_and_the_register(ws, tmp_path):
    """ho_so/, ket_qua/ and register.sqlite3 under the root; nothing received yet."""
    assert sorted(p.name for p in (tmp_path / "ws").iterdir())[:3] == ["ho_so", "ket_qua", "register.sqlite3"]
    assert (ws.files(), ws.runs(), ws.last_run(), ws.outputs()) == ([], [], None, [])


def test_the_same_bytes_twice_are_one_file_received_twice(ws):
    """A second arrival of the same bytes (under another name) is a duplicate: one file, two receptions,
    the first name and time kept."""
    first = ws.receive("bao_cao.xlsx", b"PK\x03\x04 one", received_at=AT, evidence=EVIDENCE_UPLOAD)
    again = ws.receive("bao_cao (1).xlsx", b"PK\x03\x04 one", received_at=AT + dt.timedelta(hours=2),
                       evidence=EVIDENCE_UPLOAD)
    assert (first.duplicate, again.duplicate, first.file_id, again.file_id) == (False, True, 1, 1)
    assert again.received_at == AT and again.path == first.path
    [record] = ws.files()
    assert (record.name, record.receptions, record.received_at, record.evidence, record.size) == (
        "bao_cao.xlsx", 2, AT, "upload_time", 8)
    assert [tuple(r) for r in ws.register.rows("SELECT name, received_at FROM receptions ORDER BY id")] == [
        ("bao_cao.xlsx", "2023-06-15T09:30:00+07:00"), ("bao_cao (1).xlsx", "2023-06-15T11:30:00+07:00")]
    assert sorted(p.name for p in ws.store.folder.iterdir()) == [f"{first.sha256}.xlsx"]


def test_two_threads_receiving_at_once_record_every_file(ws):
    """Two threads each receive 20 files at the same time: all 40 are recorded, none fails on a lock."""
    errors, got = [], []

    def receive(thread: int):
        try:
            for n in range(20):
                got.append(ws.receive(f"t{thread}_{n}.xlsx", f"PK\x03\x04 {thread} {n}".encode(), received_at=AT))
        except Exception as exc:  # collected, asserted below
            errors.append(exc)

    threads = [threading.Thread(target=receive, args=(t,)) for t in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(r.file_id for r in got) == list(range(1, 41))
    assert sorted(f.name for f in ws.files()) == sorted(f"t{t}_{n}.xlsx" for t in (1, 2) for n in range(20))
    assert len(list(ws.store.folder.iterdir())) == 40


@pytest.mark.parametrize("name, shown, suffix", [
    ("../../etc/passwd.xlsx", "../../etc/passwd.xlsx", ".xlsx"),
    ("CON.xlsx", "CON.xlsx", ".xlsx"),
    ("..\\..\\boot.ini", "..\\..\\boot.ini", ""),
    ("Báo cáo\u0301 tháng 6\x07.xlsx", "Báo cáó tháng 6\\x07.xlsx", ".xlsx"),  # NFC, the bell shown
    ("", "(không tên)", ""),
])
def test_a_hostile_name_is_only_a_recorded_name(ws, name, shown, suffix):
    """The stored path is <sha256><suffix> inside ho_so/ whatever the name; the name is recorded as shown."""
    received = ws.receive(name, b"PK\x03\x04 x", received_at=AT)
    assert received.path == ws.store.folder / f"{received.sha256}{suffix}"
    assert [f.name for f in ws.files()] == [received.name] == [shown]
    assert [p.name for p in ws.root.rglob("*") if p.is_file() and p.parent.name != "ws"] == [received.path.name]


def test_empty_and_oversized_files_are_refused_not_stored(ws, rules):
    """Bounded by the reader's limit (rules.limits.max_file_bytes; four times that for an email)."""
    limit = rules.limits.max_file_bytes
    empty = ws.receive("a.xlsx", b"", received_at=AT)
    big = ws.receive("b.xlsx", b"x" * (limit + 1), received_at=AT)
    mail = ws.receive("c.eml", b"x" * (limit + 1), received_at=AT)
    assert (empty.refused, empty.file_id) == ("tệp rỗng (0 byte)", None)
    assert big.refused == f"tệp quá lớn ({limit + 1:,} byte, giới hạn {limit:,} byte)"
    assert (mail.refused, mail.duplicate) == (None, False)
    assert [f.name for f in ws.files()] == ["c.eml"]


def test_a_naive_receipt_time_is_a_program_error(ws):
    with pytest.raises(ValueError):
        ws.receive("a.xlsx", b"PK", received_at=dt.datetime(2023, 6, 15, 9, 30))


def test_gather_lists_the_stored_files_under_their_names_and_receipt_times(ws, make_book, tmp_path):
    """An email's Date is a receipt time; a workbook's recorded upload time is the last resort (the
    inbox's mtimes, with last_resort “upload_time”), decided after its “Ngày gửi”; names are made unique."""
    book = make_book().read_bytes()
    other = make_book(unit="KICH").read_bytes()
    mail = eml(tmp_path / "thu.eml", [("bc.xlsx", book)], date="Mon, 12 Jun 2023 08:00:00 +0700").read_bytes()
    ws.receive("thang_06/a.xlsx", book, received_at=AT)
    ws.receive("thang_06/a.xlsx", other, received_at=AT + dt.timedelta(minutes=1))
    ws.receive("thu.eml", mail, received_at=AT + dt.timedelta(minutes=2))
    ws.receive("ghi_chu.txt", b"hello", received_at=AT)
    inbox = ws.gather()
    assert [(f.name, f.kind, f.status) for f in inbox.files] == [
        ("thang_06/a.xlsx", "spreadsheet", ""), ("thang_06/a (2).xlsx", "spreadsheet", ""),
        ("thu.eml", "email", "email"), ("ghi_chu.txt", "other", "rejected")]
    assert inbox.files[3].reason == "không phải bảng tính hay thư điện tử (đuôi “.txt”)"
    assert [(s.name, s.received_at, s.evidence) for s in inbox.submissions] == [
        ("thang_06/a.xlsx", None, None), ("thang_06/a (2).xlsx", None, None),
        ("thu.eml › bc.xlsx", dt.datetime(2023, 6, 12, 8, 0, tzinfo=HANOI), EVIDENCE_EMAIL)]
    assert inbox.last_resort == EVIDENCE_UPLOAD
    assert inbox.mtimes == {"thang_06/a.xlsx": AT, "thang_06/a (2).xlsx": AT + dt.timedelta(minutes=1),
                            "thu.eml › bc.xlsx": AT + dt.timedelta(minutes=2)}
    assert [s.content() for s in inbox.submissions[:1]] == [book]


def test_a_temporary_office_file_received_is_listed_not_read(ws):
    """“~$bc.xlsx” (Excel's lock file) is rejected by its received name, though stored under its hash."""
    ws.receive("~$bc.xlsx", b"PK\x03\x04 lock", received_at=AT)
    assert [(f.status, f.reason) for f in ws.gather().files] == [
        ("rejected", "tệp tạm hoặc tệp hệ thống, không phải báo cáo")]


def test_outputs_lists_regular_files_under_ket_qua_only(ws, tmp_path):
    """No scratch folder of a write in progress, no hidden file, no link (to something outside)."""
    (ws.outputs_folder / "tra_loi").mkdir()
    (ws.outputs_folder / "tra_loi" / "CHEO.eml").write_bytes(b"x")
    (ws.outputs_folder / "tong_hop.xlsx").write_bytes(b"x")
    (ws.outputs_folder / ".tong_hop.ntvt-tmp-abc").mkdir()
    (ws.outputs_folder / ".tong_hop.ntvt-tmp-abc" / "out.xlsx").write_bytes(b"x")
    (tmp_path / "secret.txt").write_bytes(b"x")
    (ws.outputs_folder / "link.txt").symlink_to(tmp_path / "secret.txt")
    (ws.outputs_folder / "dir_link").symlink_to(tmp_path)
    assert ws.outputs() == [ws.outputs_folder / "tong_hop.xlsx", ws.outputs_folder / "tra_loi" / "CHEO.eml"]


def test_a_stored_file_gone_missing_is_listed_with_the_reason(ws):
    """A file deleted from ho_so/ by hand: gathering lists it as not readable, and says what to do."""
    received = ws.receive("a.xlsx", b"PK\x03\x04 x", received_at=AT)
    received.path.unlink()
    assert [(f.name, f.status, f.reason) for f in ws.gather().files] == [
        ("a.xlsx", "rejected", "không đọc được tệp (FileNotFoundError): tệp bị xóa hoặc đổi tên trong lúc tổng hợp, "
                               "hãy chạy lại")]
