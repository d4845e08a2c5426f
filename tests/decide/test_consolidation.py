"""Tests for checker.decide.consolidation and the consolidated workbook auditors open (checker.write.workbook)."""

from __future__ import annotations

import datetime as dt
import email.policy
import email.utils
import hashlib
import json
import os
import random
import re
import tempfile
from collections import Counter
from email.message import EmailMessage
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker import consolidate
from checker.model.errors import OutputError
from checker.model.words import PREPARER, PREPARER_SIGNS, STATUS_WORDS
from checker.normalise.people import person_keys
from checker.write.filling import fill_template

from ..conftest import ROOT, Raw, good_info, good_row

HANOI = dt.timezone(dt.timedelta(hours=7))
AS_OF = dt.date(2023, 7, 25)
XLSX_SUBTYPE = "vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEETS = ["Tổng quan", "Tình hình nộp", "Danh sách đề nghị", "Hoạt động", "Đề xuất Thành phố", "Xét duyệt",
          "Lỗi và cảnh báo", "Tệp đã nhận", "Quy tắc"]
STATUS_WORD = re.compile(r"^(Đúng hạn|Trễ hạn [1-9]\d* ngày|Nộp nhưng chưa hợp lệ|Chưa nộp|Chưa đến hạn)$")
ERROR_FILL = "FFFFC7CE"
# The evidence words the output shows for a receipt time (SPEC §5), strongest first.
EMAIL, LOG, SENT, MTIME = "email_date", "receipt_log", "sent_cell", "file_time"  # evidence codes (model.words)
ACTIVITY = {"stt": 1, "date": dt.date(2023, 5, 5), "type": "Phát động thi đua",
            "content": "Phát động phong trào tại đơn vị", "participants": 40}


def at(day: str, time: str = "00:00:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=HANOI)


def write_eml(path: Path, attachment: Path, date: str | None, sender: str = "vanthu@donvi.gov.vn") -> Path:
    """Save an email carrying `attachment`, as a mail client saves an .eml (CRLF line endings)."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "vanphong@sovhtt.hanoi.gov.vn"
    msg["Subject"] = "Báo cáo NTVT"
    if date is not None:
        msg["Date"] = date
    msg.set_content("Kính gửi Văn phòng Sở.")
    msg.add_attachment(attachment.read_bytes(), maintype="application", subtype=XLSX_SUBTYPE,
                       filename=attachment.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(msg.as_bytes(policy=email.policy.SMTP))
    return path


def write_log(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text("file,received_at\n" + "".join(f"{f},{t}\n" for f, t in rows), encoding="utf-8")
    return path


def decision(c, name: str):
    """The FileDecision of the submission shown as `name`."""
    found = [d for d in c.decisions if c.validation.books[d.index].name == name]
    assert len(found) == 1, name
    return found[0]


def cycle_row(c, unit: str, cycle: str):
    rows = c.cycles[(c.cycles["unit"] == unit) & (c.cycles["cycle"] == cycle)]
    assert len(rows) == 1
    return rows.iloc[0]


def statuses(c) -> dict[tuple[str, str], str]:
    return {(r.unit, r.cycle): r.status for r in c.cycles.itertuples()}


def header_map(ws, row: int = 1) -> dict[str, int]:
    return {c.value: c.column for c in ws[row] if c.value is not None}


def table(ws, first_header: str) -> list[dict]:
    """The rows under the first row whose column A is `first_header`, as dicts of cells by header."""
    top = next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == first_header)
    head = header_map(ws, top)
    rows = []
    for r in range(top + 1, ws.max_row + 1):
        if ws.cell(row=r, column=1).value in (None, ""):
            break  # the table ends at its first row without a first column (a signature block may follow)
        rows.append({name: ws.cell(row=r, column=col) for name, col in head.items()})
    return rows


def data_rows(ws) -> list[dict]:
    """The data rows of "Danh sách đề nghị" or "Hoạt động" (header in row 1), as dicts of values."""
    return [{k: cell.value for k, cell in row.items()} for row in table(ws, "Tệp")]


def unreadable_bytes() -> bytes:
    return random.Random(327).randbytes(4096)


# ---------------------------------------------------------------------------------------------
# Resubmissions and statuses


def test_resubmission_latest_is_used_and_earlier_on_time_counts(tmp_path, make_book, rules):
    """The later of two files for one unit and cycle is used, the earlier superseded, and its on-time receipt counts."""
    inbox = tmp_path / "inbox"
    make_book(name="cheo_lan1.xlsx", directory=inbox, info={"sent_date": dt.date(2023, 5, 15)})
    make_book([good_row(1), good_row(2)], name="cheo_lan2.xlsx", directory=inbox,
              info={"sent_date": dt.date(2023, 5, 25)})
    c = consolidate(inbox, None, rules, as_of=AS_OF)
    first, second = decision(c, "cheo_lan1.xlsx"), decision(c, "cheo_lan2.xlsx")
    assert (first.status, first.superseded_by) == ("superseded", "cheo_lan2.xlsx")
    assert (second.status, second.superseded_by) == ("used", None)
    assert "cheo_lan2.xlsx" in first.reason
    assert sorted(f.name for f in c.inbox.files) == ["cheo_lan1.xlsx", "cheo_lan2.xlsx"]
    row = cycle_row(c, "CHEO", "2023-05")
    assert (row["status"], row["status_code"], row["file"], row["valid_nominations"], row["submissions"]) == \
        ("Đúng hạn", "on_time", "cheo_lan2.xlsx", 2, 2)
    assert (row["received_at"], row["evidence"]) == (at("2023-05-15"), SENT)
    assert not [f for f in c.findings if f.rule_id == "HAN-THANG" and f.unit == "CHEO" and f.cycle == "2023-05"]


def test_resubmission_order_follows_receipt_not_file_name(tmp_path, make_book, rules):
    """The file received later is the file of record even when its name sorts first."""
    inbox = tmp_path / "inbox"
    make_book(name="b_gui_truoc.xlsx", directory=inbox, info={"sent_date": dt.date(2023, 5, 18)})
    make_book(name="a_gui_sau.xlsx", directory=inbox, info={"sent_date": dt.date(2023, 5, 19)})
    c = consolidate(inbox, None, rules, as_of=AS_OF)
    assert (decision(c, "a_gui_sau.xlsx").status, decision(c, "b_gui_truoc.xlsx").status) == ("used", "superseded")
    assert decision(c, "b_gui_truoc.xlsx").superseded_by == "a_gui_sau.xlsx"


def test_same_day_resubmission_uses_the_file_received_later(tmp_path, make_book, rules):
    """Two files with the same "Ngày gửi": the one whose modification time is later is the file of record."""
    inbox = tmp_path / "inbox"
    original = make_book(name="b_ban_dau.xlsx", directory=inbox, info={"sent_date": dt.date(2023, 5, 15)})
    corrected = make_book([good_row(1), good_row(2)], name="a_ban_sua.xlsx", directory=inbox,
                          info={"sent_date": dt.date(2023, 5, 15)})
    os.utime(original, (at("2023-05-15", "09:00:00").timestamp(),) * 2)
    os.utime(corrected, (at("2023-05-15", "16:00:00").timestamp(),) * 2)
    c = consolidate(inbox, None, rules, as_of=AS_OF)
    assert (decision(c, "a_ban_sua.xlsx").status, decision(c, "b_ban_dau.xlsx").status) == ("used", "superseded")
    assert cycle_row(c, "CHEO", "2023-05")["valid_nominations"] == 2


def test_summary_report_status(tmp_path, make_book, rules):
    """The summary column reads "Đúng hạn" if received by 14/08, "Chưa nộp" if none, "Chưa đến hạn" before."""
    inbox = tmp_path / "inbox"
    make_book([], unit="VP", period=None, name="VP_tong_ket.xlsx", directory=inbox,
              info={"report_type": "Báo cáo tổng kết", "sent_date": dt.date(2023, 8, 10)},
              summary={"highlights": "Đơn vị đã giới thiệu kịp thời các gương người tốt, việc tốt."})
    late = consolidate(inbox, None, rules, as_of=dt.date(2023, 8, 20))
    early = consolidate(inbox, None, rules, as_of=dt.date(2023, 8, 5))
    summary = {r.unit: r.status for r in late.units.itertuples()}
    assert decision(late, "VP_tong_ket.xlsx").kind == "summary"
    assert (summary["VP"], summary["TTRA"]) == ("Đúng hạn", "Chưa nộp")
    assert {r.status for r in early.units.itertuples()} == {"Chưa đến hạn"}
    assert sorted(f.unit for f in late.findings if f.rule_id == "HAN-TONGKET") == \
        sorted(u.id for u in rules.units if u.id != "VP")


def test_invalid_on_time_then_valid_late_is_late(tmp_path, make_book, rules):
    """An on-time file without a valid nomination, corrected after the deadline, makes the cycle late."""
    inbox = tmp_path / "inbox"
    make_book([good_row(1, summary="như trên")], name="lan1.xlsx", directory=inbox,
              info={"sent_date": dt.date(2023, 5, 16)})
    make_book(name="lan2.xlsx", directory=inbox, info={"sent_date": dt.date(2023, 5, 24)})
    c = consolidate(inbox, None, rules, as_of=AS_OF)
    row = cycle_row(c, "CHEO", "2023-05")
    assert (row["status"], row["days_late"], row["received_at"], row["file"]) == \
        ("Trễ hạn 5 ngày", 5, at("2023-05-24"), "lan2.xlsx")
    assert decision(c, "lan1.xlsx").valid_nominations == 0


def test_invalid_file_breaks_the_deadline_rule_only_after_the_deadline(tmp_path, make_book, rules):
    """An invalid file received on 15/05 is "Nộp nhưng chưa hợp lệ" at once, but HAN-THANG fires only after 19/05."""
    inbox = tmp_path / "inbox"
    make_book([good_row(1, summary="như trên")], directory=inbox, info={"sent_date": dt.date(2023, 5, 15)})
    for as_of, expected in ((dt.date(2023, 5, 16), []), (dt.date(2023, 5, 20), ["2023-05"])):
        c = consolidate(inbox, None, rules, as_of=as_of)
        assert statuses(c)[("CHEO", "2023-05")] == "Nộp nhưng chưa hợp lệ"
        assert [f.cycle for f in c.findings if f.rule_id == "HAN-THANG" and f.unit == "CHEO"] == expected, as_of


def test_missing_required_column_leaves_no_valid_nomination(tmp_path, make_book, rules):
    """A file whose table lacks the required "Nhóm việc tốt" column holds no valid nomination, so it is not on time."""
    inbox = tmp_path / "inbox"
    path = make_book(directory=inbox, name="thieu_cot.xlsx", info={"sent_date": dt.date(2023, 5, 15)})
    wb = openpyxl.load_workbook(path)
    ws = wb["Danh sách đề nghị"]
    ws.delete_cols(next(c.column for c in ws[4] if c.value and str(c.value).startswith("Nhóm việc tốt")))
    wb.save(path)
    c = consolidate(inbox, None, rules, as_of=AS_OF)
    assert [(f.rule_id, f.column) for f in c.findings if f.file == "thieu_cot.xlsx" and f.rule_id == "DV-MAU"] == \
        [("DV-MAU", "Nhóm việc tốt")]
    assert decision(c, "thieu_cot.xlsx").valid_nominations == 0
    assert statuses(c)[("CHEO", "2023-05")] == "Nộp nhưng chưa hợp lệ"


def test_unit_that_sent_nothing_is_missing_after_deadline_and_not_due_before(tmp_path, make_book, rules):
    """A unit with no file is listed for every cycle: "Chưa nộp" once due, "Chưa đến hạn" before."""
    inbox = tmp_path / "inbox"
    make_book(directory=inbox)
    late = consolidate(inbox, None, rules, as_of=dt.date(2023, 6, 25))
    early = consolidate(inbox, None, rules, as_of=dt.date(2023, 5, 18))
    assert len(late.cycles) == 24 * 5
    assert sorted(set(late.cycles["unit"])) == sorted(u.id for u in rules.units)
    assert [statuses(late)[("PTNK", c)] for c in rules.deadlines.cycles] == \
        ["Chưa nộp", "Chưa nộp", "Chưa đến hạn", "Chưa đến hạn", "Chưa đến hạn"]
    assert statuses(early)[("PTNK", "2023-05")] == "Chưa đến hạn"
    row = cycle_row(late, "PTNK", "2023-05")
    assert (row["file"], row["valid_nominations"], row["submissions"], row["evidence"]) == ("", 0, 0, "")
    assert [f.cycle for f in late.findings if f.rule_id == "HAN-THANG" and f.unit == "PTNK"] == \
        ["2023-05", "2023-06"]
    assert [f for f in early.findings if f.rule_id == "HAN-THANG" and f.unit == "PTNK"] == []


# ---------------------------------------------------------------------------------------------
# Receipt evidence


def test_receipt_evidence_order(tmp_path, make_book, rules):
    """Email Date beats the receipt log, which beats "Ngày gửi", which beats the file's modification time."""
    inbox, src = tmp_path / "inbox", tmp_path / "src"
    vp = make_book(unit="VP", name="VP_thang05.xlsx", directory=src, info={"sent_date": dt.date(2023, 5, 12)})
    write_eml(inbox / "thu_VP.eml", vp, "Fri, 19 May 2023 10:00:00 +0700")
    make_book(unit="TTRA", name="TTRA.xlsx", directory=inbox, info={"sent_date": dt.date(2023, 5, 12)})
    make_book(unit="KHTC", name="KHTC.xlsx", directory=inbox, info={"sent_date": dt.date(2023, 5, 13)})
    tcpc = make_book(unit="TCPC", name="TCPC.xlsx", directory=inbox, info={"sent_date": None})
    stamp = dt.datetime(2023, 5, 19, 17, 30, tzinfo=dt.timezone.utc).timestamp()  # 00:30 on 20/05 in Hanoi
    for path in inbox.iterdir():
        os.utime(path, (stamp - 86_400 * 9, stamp - 86_400 * 9))
    os.utime(tcpc, (stamp, stamp))
    log = write_log(tmp_path / "so_nhan.csv", [("thu_VP.eml", "2023-05-18 08:00"),
                                                ("thu_VP.eml › VP_thang05.xlsx", "2023-05-18 08:00"),
                                                ("TTRA.xlsx", "2023-05-18 08:30")])
    c = consolidate(inbox, None, rules, as_of=AS_OF, receipt_log=log)
    got = {name: (decision(c, name).received_at, decision(c, name).evidence)
           for name in ("thu_VP.eml › VP_thang05.xlsx", "TTRA.xlsx", "KHTC.xlsx", "TCPC.xlsx")}
    assert got == {
        "thu_VP.eml › VP_thang05.xlsx": (at("2023-05-19", "10:00:00"), EMAIL),
        "TTRA.xlsx": (at("2023-05-18", "08:30:00"), LOG),
        "KHTC.xlsx": (at("2023-05-13"), SENT),
        "TCPC.xlsx": (at("2023-05-20", "00:30:00"), MTIME),
    }
    by_unit = {r.unit: (r.status, r.evidence) for r in c.cycles[c.cycles["cycle"] == "2023-05"].itertuples()}
    assert [by_unit[u] for u in ("VP", "TTRA", "KHTC", "TCPC")] == [
        ("Đúng hạn", EMAIL), ("Đúng hạn", LOG), ("Đúng hạn", SENT), ("Trễ hạn 1 ngày", MTIME)]


def test_email_date_in_utc_crosses_hanoi_midnight(tmp_path, make_book, rules):
    """An email dated 17:20 UTC on 19/06 arrived at 00:20 on 20/06 in Hanoi: late by one day."""
    inbox, src = tmp_path / "inbox", tmp_path / "src"
    book = make_book(unit="BTHN", period="2023-06", name="BTHN.xlsx", directory=src,
                     info={"sent_date": dt.date(2023, 6, 19)}, rows=[good_row(1, deed_date=dt.date(2023, 6, 16))])
    write_eml(inbox / "thu.eml", book, "Mon, 19 Jun 2023 17:20:00 +0000")
    c = consolidate(inbox, None, rules, as_of=AS_OF)
    row = cycle_row(c, "BTHN", "2023-06")
    assert (row["status"], row["received_at"], row["evidence"]) == ("Trễ hạn 1 ngày", at("2023-06-20", "00:20:00"),
                                                                    EMAIL)


def test_email_without_date_falls_back_to_receipt_log(tmp_path, make_book, rules):
    """An email with no Date header takes its receipt time from the office's log before "Ngày gửi"."""
    inbox, src = tmp_path / "inbox", tmp_path / "src"
    book = make_book(unit="VP", name="VP.xlsx", directory=src, info={"sent_date": dt.date(2023, 5, 12)})
    write_eml(inbox / "thu_khong_ngay.eml", book, None)
    log = write_log(tmp_path / "so_nhan.csv", [("thu_khong_ngay.eml", "2023-05-17 09:00")])
    c = consolidate(inbox, None, rules, as_of=AS_OF, receipt_log=log)
    d = decision(c, "thu_khong_ngay.eml › VP.xlsx")
    assert (d.received_at, d.evidence) == (at("2023-05-17", "09:00:00"), LOG)


def test_receipt_log_with_zone_is_converted_to_hanoi(tmp_path, make_book, rules):
    """A receipt-log time with a UTC offset is converted to Hanoi time before the deadline is applied."""
    inbox = tmp_path / "inbox"
    make_book(name="CHEO.xlsx", directory=inbox, info={"sent_date": dt.date(2023, 5, 12)})
    log = write_log(tmp_path / "so_nhan.csv", [("CHEO.xlsx", "2023-05-19T17:05:00+0000")])
    c = consolidate(inbox, None, rules, as_of=AS_OF, receipt_log=log)
    row = cycle_row(c, "CHEO", "2023-05")
    assert (row["status"], row["received_at"], row["evidence"]) == ("Trễ hạn 1 ngày", at("2023-05-20", "00:05:00"),
                                                                    LOG)


# ---------------------------------------------------------------------------------------------
# Files that cannot be used


@pytest.mark.parametrize(("unit_cell", "shown"), [("Công ty TNHH Ánh Dương", "ô “Tên đơn vị” ghi “Công ty TNHH Ánh Dương”"),
                                                  (None, "ô “Tên đơn vị” đang để trống")])
def test_file_without_a_known_unit_is_rejected_and_not_attributed(tmp_path, make_book, rules, unit_cell, shown):
    """A file whose unit cannot be determined is rejected with the cell's value and counts for no unit."""
    inbox = tmp_path / "inbox"
    make_book(name="la.xlsx", directory=inbox, unit=None, info={"unit": unit_cell})
    make_book(name="cheo.xlsx", directory=inbox)
    c = consolidate(inbox, None, rules, as_of=AS_OF)
    d = decision(c, "la.xlsx")
    assert (d.status, d.unit_id, d.period) == ("rejected", None, None)
    assert d.reason == f"không xác định được đơn vị ({shown})"
    assert set(c.cycles["file"]) == {"", "cheo.xlsx"}
    assert int(c.cycles["submissions"].sum()) == 1
    assert [f.rule_id for f in c.findings if f.file == "la.xlsx" and f.rule_id == "DV-DONVI"] == ["DV-DONVI"]
    assert c.counts["rejected"] == 1


def test_unreadable_file_is_rejected_and_the_rest_consolidated(tmp_path, make_book, rules):
    """Random bytes named .xlsx are rejected with a reason and a finding; the other files are still used."""
    inbox = tmp_path / "inbox"
    (inbox / "hong.xlsx").parent.mkdir(parents=True)
    (inbox / "hong.xlsx").write_bytes(unreadable_bytes())
    make_book(name="cheo.xlsx", directory=inbox)
    c = consolidate(inbox, tmp_path / "out.xlsx", rules, as_of=AS_OF)
    bad = decision(c, "hong.xlsx")
    assert (bad.status, bad.unit_id) == ("rejected", None)
    assert bad.reason
    assert [(f.rule_id, f.severity.value) for f in c.findings if f.file == "hong.xlsx"] == [("DL-DOCTEP", "error")]
    assert decision(c, "cheo.xlsx").status == "used"
    assert statuses(c)[("CHEO", "2023-05")] == "Đúng hạn"
    assert (c.counts["submissions"], c.counts["used"], c.counts["rejected"]) == (2, 1, 1)
    ws = openpyxl.load_workbook(tmp_path / "out.xlsx")["Tệp đã nhận"]
    listed = {row["Tệp"].value: row for row in table(ws, "Tệp")}
    assert listed["hong.xlsx"]["SHA-256"].value == hashlib.sha256(unreadable_bytes()).hexdigest()
    assert listed["hong.xlsx"]["Tình trạng"].value == "Bị loại"
    assert listed["hong.xlsx"]["Lý do, ghi chú"].value == bad.reason


def test_unreadable_file_keeps_its_receipt_time(tmp_path, make_book, rules):
    """A rejected unreadable file still records when it arrived and on what evidence (SPEC §6 "Tệp đã nhận")."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "hong.xlsx").write_bytes(unreadable_bytes())
    log = write_log(tmp_path / "so_nhan.csv", [("hong.xlsx", "2023-05-18 08:30")])
    c = consolidate(inbox, tmp_path / "out.xlsx", rules, as_of=AS_OF, receipt_log=log)
    bad = decision(c, "hong.xlsx")
    assert (bad.received_at, bad.evidence) == (at("2023-05-18", "08:30:00"), LOG)
    ws = openpyxl.load_workbook(tmp_path / "out.xlsx")["Tệp đã nhận"]
    row = next(r for r in table(ws, "Tệp") if r["Tệp"].value == "hong.xlsx")
    assert (row["Thời điểm nhận"].value, row["Căn cứ thời điểm"].value) == \
        (dt.datetime(2023, 5, 18, 8, 30), "sổ nhận văn bản")


def test_output_inside_inbox_is_refused(tmp_path, make_book, rules):
    """Consolidating into a file inside the inbox raises OutputError and writes nothing."""
    inbox = tmp_path / "inbox"
    make_book(directory=inbox)
    before = sorted(p.name for p in inbox.rglob("*"))
    with pytest.raises(OutputError):
        consolidate(inbox, inbox / "tong_hop.xlsx", rules, as_of=AS_OF)
    with pytest.raises(OutputError):
        consolidate(inbox, inbox / "sub" / "tong_hop.xlsx", rules, as_of=AS_OF)
    assert sorted(p.name for p in inbox.rglob("*")) == before


def test_output_over_the_decisions_file_is_refused(tmp_path, make_book, rules):
    """The council's filled workbook is an input: `-o` naming it is refused and it is left as it was."""
    inbox = tmp_path / "inbox"
    make_book(directory=inbox)
    filled = tmp_path / "tong_hop.xlsx"
    consolidate(inbox, filled, rules, as_of=AS_OF)
    before = filled.read_bytes()
    with pytest.raises(OutputError) as raised:
        consolidate(inbox, filled, rules, as_of=AS_OF, decisions=filled)
    assert "tệp đầu vào" in raised.value.message
    assert filled.read_bytes() == before


# ---------------------------------------------------------------------------------------------
# Reconciliation


BAD_CELLS = [{}, {}, {"gender": "Na"}, {"birth_year": 2015}, {"summary": "x"}, {"position": None},
             {"deed_date": Raw("31/02/2023")}, {"criterion_2": "Không"}, {"name": "=1+1"}, {"level": "TP"}]
books = st.fixed_dictionaries({
    "unit": st.sampled_from(["CHEO", "XIEC", "VP", "PTNK", "?"]),  # "?": a unit name nobody can match
    "period": st.sampled_from(["2023-05", "2023-06", "2023-07"]),
    "sent": st.dates(min_value=dt.date(2023, 5, 10), max_value=dt.date(2023, 7, 25)),
    "rows": st.lists(st.sampled_from(BAD_CELLS), max_size=5),
    "activities": st.integers(min_value=0, max_value=2),
    "email": st.booleans(),  # sent as an .eml attachment rather than saved into the inbox
})


def check_reconciles(c, output: Path) -> None:
    """Every submission has one status; every row read is in the output workbook; rows in force come
    from counted files only, and no nominee is in force from two files of one unit and cycle."""
    counts = c.counts
    assert counts["submissions"] == sum(counts[status] for status in STATUS_WORDS)
    assert counts["submissions"] == sum(f.kind == "spreadsheet" for f in c.inbox.files) + \
        sum(len(f.attachments) for f in c.inbox.files)
    assert counts["rows_in"] == counts["rows_out"]
    summaries = Counter(d.unit_id for d in c.decisions if d.status == "used" and d.kind == "summary")
    assert all(n == 1 for n in summaries.values())
    frame, states = c.validation.frames.tables["nominations"], c.rows["nominations"]
    in_force = frame[states.in_force]
    assert set(in_force["_file"]) <= {d.index for d in c.decisions if d.status == "used"}
    keyed = in_force.assign(group=[(c.decisions[i].unit_id, c.decisions[i].period) for i in in_force["_file"]],
                            who=person_keys(in_force, ["name", "birth_year"]))
    keyed = keyed[~keyed["who"].str.startswith("|")]
    assert (keyed.groupby(["group", "who"])["_file"].nunique() <= 1).all()
    wb = openpyxl.load_workbook(output)
    written = len(data_rows(wb["Danh sách đề nghị"])) + len(data_rows(wb["Hoạt động"]))
    assert written == counts["rows_out"]
    overview = {r[0].value: r[1].value for r in wb["Tổng quan"].iter_rows(max_col=2)}
    assert overview["Dòng dữ liệu đọc được"] == overview["Dòng dữ liệu trong bảng tổng hợp"] == \
        counts["rows_in"]


@settings(max_examples=10, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(books, min_size=1, max_size=6))
def test_generated_inboxes_reconcile(rules, specs):
    """On generated inboxes, files in = used + superseded + rejected and rows in = rows written."""
    with tempfile.TemporaryDirectory() as tmp:
        inbox = Path(tmp) / "inbox"
        expected_rows = 0
        for n, spec in enumerate(specs):
            info = good_info(sent_date=spec["sent"])
            if spec["unit"] == "?":
                info["unit"] = "Đơn vị chưa rõ tên"
            rows = [good_row(k, **changes) for k, changes in enumerate(spec["rows"], start=1)]
            acts = [dict(ACTIVITY, stt=k) for k in range(1, spec["activities"] + 1)]
            expected_rows += len(rows) + len(acts)
            name = f"t{n}_{spec['unit'].strip('?') or 'x'}.xlsx"
            path = fill_template(rules, (Path(tmp) / "src" if spec["email"] else inbox) / name,
                                 as_of=dt.date(2023, 5, 2), unit=None if spec["unit"] == "?" else spec["unit"],
                                 period=spec["period"], info=info, nominations=rows, activities=acts)
            if spec["email"]:
                sent = dt.datetime.combine(spec["sent"], dt.time(10), HANOI)
                write_eml(inbox / f"thu{n}.eml", path, email.utils.format_datetime(sent))
        output = Path(tmp) / "out.xlsx"
        c = consolidate(inbox, output, rules, as_of=AS_OF)
        assert c.counts["submissions"] == len(specs)
        assert c.counts["rows_in"] == expected_rows
        assert len(c.cycles) == len(rules.units) * len(rules.deadlines.cycles)
        check_reconciles(c, output)


# ---------------------------------------------------------------------------------------------
# Text stays text


FORMULA_TEXTS = ["=1+1", '=HYPERLINK("http://x","y")', "+1", "@SUM(A1)", "-2+3"]


def test_formula_like_text_stays_text(tmp_path, make_book, rules):
    """Names such as "=1+1", "=HYPERLINK(…)", "+1", "@SUM(A1)" reach the output as unchanged strings, not formulas."""
    inbox = tmp_path / "inbox"
    make_book([good_row(n, name=text) for n, text in enumerate(FORMULA_TEXTS, start=1)], directory=inbox,
              name="=cmd.xlsx")
    output = tmp_path / "out.xlsx"
    consolidate(inbox, output, rules, as_of=AS_OF)
    wb = openpyxl.load_workbook(output)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if cell.hyperlink is not None:
                    assert cell.hyperlink.target is None and cell.hyperlink.location, (ws.title, cell.coordinate)
    rows = table(wb["Danh sách đề nghị"], "Tệp")
    cells = [row["Họ và tên / Tên tập thể"] for row in rows]
    assert sorted(c.value for c in cells) == sorted(FORMULA_TEXTS)
    assert {c.data_type for c in cells} == {"s"}
    assert {(row["Tệp"].value, row["Tệp"].data_type) for row in rows} == {("=cmd.xlsx", "s")}
    listed = [row["Họ và tên / Tên tập thể"] for row in table(wb["Đề xuất Thành phố"], "STT")]
    assert sorted(c.value for c in listed) == sorted(FORMULA_TEXTS)
    assert {c.data_type for c in listed} == {"s"}


# ---------------------------------------------------------------------------------------------
# Reproducibility


def test_same_inbox_gives_byte_identical_output(tmp_path, make_book, rules):
    """Consolidating the same inbox twice with the same as_of writes the same bytes."""
    inbox, src = tmp_path / "inbox", tmp_path / "src"
    make_book([good_row(1), good_row(2, gender="Na")], directory=inbox, name="cheo.xlsx")
    make_book(unit="XIEC", directory=inbox, name="xiec.xlsx", info={"head": None})
    write_eml(inbox / "thu.eml", make_book(unit="VP", directory=src, name="vp.xlsx"), "Fri, 19 May 2023 10:00:00 +0700")
    (inbox / "hong.xlsx").write_bytes(unreadable_bytes())
    first, second = tmp_path / "a" / "out.xlsx", tmp_path / "b" / "tong_hop.xlsx"
    consolidate(inbox, first, rules, as_of=AS_OF)
    consolidate(inbox, second, rules, as_of=AS_OF)
    assert first.read_bytes() == second.read_bytes()


# ---------------------------------------------------------------------------------------------
# The consolidated workbook, read back


@pytest.fixture(scope="module")
def audited(tmp_path_factory, rules):
    """A small realistic inbox, consolidated as of 25/07/2023, with the output read back by openpyxl."""
    root = tmp_path_factory.mktemp("audit")
    inbox, src = root / "inbox", root / "src"

    def book(path: Path, rows, *, unit="CHEO", period="2023-05", info=None, activities=()):
        fill_template(rules, path, as_of=dt.date(2023, 5, 2), unit=unit, period=period,
                      info=good_info(**(info or {})), nominations=rows, activities=list(activities))
        return path

    book(inbox / "thang_05" / "cheo_lan1.xlsx", [good_row(1, name="Phạm Văn Cũ")],
         info={"sent_date": dt.date(2023, 5, 15)})
    book(inbox / "thang_05" / "cheo_lan2.xlsx",
         [good_row(1, name="Trần Thị Bích"), good_row(2, name="Lê Văn Cường", gender="Na"),
          good_row(3, name="Đỗ Thị Dung", level="Sở"), good_row(4, name="Vũ Văn Em", scope="Toàn ngành")],
         info={"sent_date": dt.date(2023, 5, 18)}, activities=[ACTIVITY])
    book(inbox / "thang_06" / "xiec.xlsx", [good_row(1, name="Hoàng Văn Giang", deed_date=dt.date(2023, 6, 1)),
                                             good_row(2, name="Đinh Văn Phúc", deed_date=dt.date(2023, 6, 1),
                                                      level="Cấp Thành phố")],
         unit="XIEC", period="2023-06", info={"sent_date": dt.date(2023, 6, 12), "head": None})
    book(inbox / "thang_05" / "la.xlsx", [good_row(1, name="Ngô Văn Lạ")], unit=None,
         info={"unit": "Công ty TNHH Ánh Dương"})
    (inbox / "thang_05" / "hong.xlsx").write_bytes(unreadable_bytes())
    (inbox / "ghi_chu.txt").write_text("ghi chú của văn thư", encoding="utf-8")
    vp = book(src / "VP_thang06.xlsx",
              [good_row(1, name="Bùi Thị Hạnh", level="Cơ sở", scope="Trong đơn vị", deed_date=dt.date(2023, 6, 2))],
              unit="VP", period="2023-06", info={"sent_date": dt.date(2023, 6, 10)})
    write_eml(inbox / "thang_06" / "thu_VP.eml", vp, "Mon, 12 Jun 2023 09:15:00 +0700")
    output = root / "tong_hop.xlsx"
    c = consolidate(inbox, output, rules, as_of=AS_OF)
    return c, openpyxl.load_workbook(output), inbox, vp


def test_output_sheets_in_order(audited):
    """The workbook has the eight sheets of SPEC §6, in order, and the council's “Xét duyệt” (#17)."""
    assert audited[1].sheetnames == SHEETS


def test_matrix_lists_every_official_unit_with_status_words(audited, rules):
    """"Tình hình nộp" has a row per official unit, in rules order, with a status word per cycle and the summary."""
    c, wb = audited[:2]
    ws = wb["Tình hình nộp"]
    top = next(r for r in range(1, 20) if ws.cell(row=r, column=2).value == "Đơn vị")  # the header row
    labels = {}
    for r in (top - 1, top):  # the cycle labels head their group of columns, over or in the header row
        labels.update({ws.cell(row=r, column=col).value: col for col in range(3, ws.max_column + 1)
                       if ws.cell(row=r, column=col).value})
    cycle_cols = [labels[rules.cycle_label(cy)] for cy in rules.deadlines.cycles]
    summary_col = labels["Báo cáo tổng kết"]
    rows = list(range(top + 1, top + 1 + len(rules.units)))
    names = [ws.cell(row=r, column=2).value for r in rows]
    assert len(rules.units) == 24
    assert [n.removesuffix(" (không bắt buộc)") for n in names] == [u.name for u in rules.units]
    assert ws.cell(row=rows[-1] + 1, column=2).value is None
    grid = {}
    for r, unit in zip(rows, rules.units):
        for cy, col in zip(rules.deadlines.cycles, cycle_cols):
            word = ws.cell(row=r, column=col).value.split("\n")[0]  # the status may share its cell with the receipt
            assert STATUS_WORD.match(word), word
            assert ws.cell(row=top, column=col).value.startswith("Trạng thái")
            grid[(unit.id, cy)] = word
        assert STATUS_WORD.match(ws.cell(row=r, column=summary_col).value.split("\n")[0])
    assert grid == statuses(c)
    assert grid[("CHEO", "2023-05")] == "Đúng hạn"
    assert grid[("XIEC", "2023-06")] == "Đúng hạn"
    assert grid[("VP", "2023-06")] == "Đúng hạn"
    assert grid[("PTNK", "2023-05")] == "Chưa nộp"
    assert {grid[(u.id, "2023-08")] for u in rules.units} == {"Chưa đến hạn"}


def test_invalid_cell_has_error_fill_and_comment_naming_the_rule(audited):
    """The invalid "Giới tính" of Lê Văn Cường has the error fill and a DN-DANHMUC comment; its neighbours do not."""
    wb = audited[1]
    ws = wb["Danh sách đề nghị"]
    head = header_map(ws)
    by_source = {(ws.cell(row=r, column=head["Tệp"]).value, ws.cell(row=r, column=head["Dòng"]).value): r
                 for r in range(2, ws.max_row + 1)}
    row = by_source[("thang_05/cheo_lan2.xlsx", 6)]
    assert ws.cell(row=row, column=head["Họ và tên / Tên tập thể"]).value == "Lê Văn Cường"
    cell = ws.cell(row=row, column=head["Giới tính"])
    assert cell.value == "Na"
    assert cell.fill.fgColor.rgb == ERROR_FILL
    assert cell.comment is not None and "DN-DANHMUC" in cell.comment.text and "“Na”" in cell.comment.text
    for source_row in (5, 7):
        neighbour = ws.cell(row=by_source[("thang_05/cheo_lan2.xlsx", source_row)], column=head["Giới tính"])
        assert neighbour.comment is None
        assert neighbour.fill.fgColor.rgb != ERROR_FILL


def test_every_comment_sits_on_the_cell_it_describes(audited):
    """Each comment in "Danh sách đề nghị" names the source cell of the row and column it is attached to."""
    c, wb = audited[:2]
    ws = wb["Danh sách đề nghị"]
    letters = {}
    for book in c.validation.books:
        if "nominations" in book.tables:
            for key, col in book.tables["nominations"].columns.items():
                letters[(book.name, key)] = openpyxl.utils.get_column_letter(col)
    labels = {f.label: f.key for f in c.rules.sheet("nominations").fields}
    head = header_map(ws)
    label_of = {col: label for label, col in head.items()}
    commented = [(r, col) for r in range(2, ws.max_row + 1) for col in range(1, ws.max_column + 1)
                 if ws.cell(row=r, column=col).comment is not None]
    assert commented
    for r, col in commented:
        file, source_row = ws.cell(row=r, column=head["Tệp"]).value, ws.cell(row=r, column=head["Dòng"]).value
        assert file is not None, (r, col)
        expected = f"Ô {letters[(file, labels[label_of[col]])]}{source_row} –"
        assert expected in ws.cell(row=r, column=col).comment.text, (r, col)


def test_findings_link_to_their_cell(audited):
    """Every row of "Lỗi và cảnh báo" links inside the workbook to the finding's cell, file row or unit row."""
    c, wb = audited[:2]
    ws = wb["Lỗi và cảnh báo"]
    head = header_map(ws)
    rows = [r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=1).value is not None]
    assert len(rows) == len(c.findings)
    by_key = {(f.file or "(toàn đợt)", f.sheet or "", f.cell or "", f.rule_id, f.message): f for f in c.findings}
    linked_to_data = 0
    for r in rows:
        key = tuple(ws.cell(row=r, column=head[name]).value or "" for name in ("Tệp", "Trang", "Ô", "Quy tắc",
                                                                                "Nội dung"))
        f = by_key[key]
        link = ws.cell(row=r, column=head["Xem"]).hyperlink
        assert link is not None and link.target is None, r
        sheet, ref = re.fullmatch(r"'(.+)'!([A-Z]+\d+)", link.location).groups()
        target = wb[sheet][ref]
        if f.file is None:
            assert sheet == "Tình hình nộp"
            unit_cell = wb[sheet].cell(row=target.row, column=2).value
            assert unit_cell.startswith(next(u.name for u in c.rules.units if u.id == f.unit))
            if f.rule_id == "HAN-THANG":  # the unit's status cell for that very cycle
                assert target.value.startswith(f.message.split(": ", 1)[1].split(" (hạn")[0])
        elif f.row and f.sheet in ("Danh sách đề nghị", "Hoạt động"):
            linked_to_data += 1
            assert sheet == f.sheet
            out = wb[sheet]
            out_head = header_map(out)
            assert (out.cell(row=target.row, column=out_head["Tệp"]).value,
                    out.cell(row=target.row, column=out_head["Dòng"]).value) == (f.file, f.row), \
                (f.rule_id, f.cell, link.location)
            assert out.cell(row=1, column=target.column).value == f.column
        else:
            assert sheet == "Tệp đã nhận"
            assert target.value == f.file
    assert linked_to_data >= 1


def test_received_files_are_listed_with_sha256(audited):
    """"Tệp đã nhận" lists every file of the inbox and every email attachment with its SHA-256."""
    _, wb, inbox, vp = audited
    listed = {row["Tệp"].value: row for row in table(wb["Tệp đã nhận"], "Tệp")}
    expected = {p.relative_to(inbox).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in inbox.rglob("*") if p.is_file()}
    expected["thang_06/thu_VP.eml › VP_thang06.xlsx"] = hashlib.sha256(vp.read_bytes()).hexdigest()
    assert {name: row["SHA-256"].value for name, row in listed.items()} == expected
    status = {name: row["Tình trạng"].value for name, row in listed.items()}
    assert status == {
        # Two May files of one unit with different nominees: both count (their rows accumulate).
        "ghi_chu.txt": "Bị loại", "thang_05/cheo_lan1.xlsx": "Được dùng",
        "thang_05/cheo_lan2.xlsx": "Được dùng", "thang_05/hong.xlsx": "Bị loại", "thang_05/la.xlsx": "Bị loại",
        "thang_06/thu_VP.eml": "Thư có tệp đính kèm", "thang_06/thu_VP.eml › VP_thang06.xlsx": "Được dùng",
        "thang_06/xiec.xlsx": "Được dùng"}
    attachment = listed["thang_06/thu_VP.eml › VP_thang06.xlsx"]
    assert (attachment["Thời điểm nhận"].value, attachment["Căn cứ thời điểm"].value) == \
        (dt.datetime(2023, 6, 12, 9, 15), "thư điện tử")
    assert all(listed[name]["Lý do, ghi chú"].value for name in ("ghi_chu.txt", "thang_05/hong.xlsx", "thang_05/la.xlsx"))


def test_city_list_has_exactly_the_valid_city_nominations_of_used_files(audited):
    """"Đề xuất Thành phố" lists the valid Thành phố-level rows in force of the monthly files: both May
    files of Nhà hát Chèo count (different nominees accumulate), none of a rejected file."""
    wb = audited[1]
    rows = [{k: cell.value for k, cell in row.items()} for row in table(wb["Đề xuất Thành phố"], "STT")]
    assert sorted(r["Họ và tên / Tên tập thể"] for r in rows) == sorted(["Phạm Văn Cũ", "Trần Thị Bích", "Vũ Văn Em",
                                                                        "Hoàng Văn Giang", "Đinh Văn Phúc"])
    assert [r["STT"] for r in rows] == [1, 2, 3, 4, 5]
    sources = {r["Họ và tên / Tên tập thể"]: r["Lưu ý khi xét"] for r in rows}
    assert sources["Trần Thị Bích"].endswith("(nguồn: cheo_lan2.xlsx, dòng 5)")
    assert sources["Hoàng Văn Giang"].endswith("(nguồn: xiec.xlsx, dòng 5)")
    assert sources["Đinh Văn Phúc"].endswith("(nguồn: xiec.xlsx, dòng 6)")
    # The rows are streamed in between the header and the signature xlsxwriter wrote: the signature
    # is one row under the last one (rows 8 to 12; the header in row 7), its blocks merged.
    ws = wb["Đề xuất Thành phố"]
    assert ws.cell(row=7, column=1).value == "STT" and ws.cell(row=12, column=1).value == 5
    assert [ws.cell(row=r, column=1).value for r in (13, 15, 16)] == [None, PREPARER, PREPARER_SIGNS]
    assert {"G14:J14", "A15:E15", "G15:J15"} <= {str(m) for m in ws.merged_cells.ranges}


def test_data_sheets_hold_every_row_read(audited):
    """"Danh sách đề nghị" and "Hoạt động" hold every row of every readable file, with its provenance."""
    c, wb = audited[:2]
    nominations = data_rows(wb["Danh sách đề nghị"])
    activities = data_rows(wb["Hoạt động"])
    assert sorted((r["Tệp"], r["Dòng"]) for r in nominations) == sorted(
        [("thang_05/cheo_lan1.xlsx", 5)] + [("thang_05/cheo_lan2.xlsx", n) for n in range(5, 9)]
        + [("thang_05/la.xlsx", 5), ("thang_06/thu_VP.eml › VP_thang06.xlsx", 5), ("thang_06/xiec.xlsx", 5),
           ("thang_06/xiec.xlsx", 6)])
    assert [(r["Tệp"], r["Dòng"]) for r in activities] == [("thang_05/cheo_lan2.xlsx", 5)]
    assert len(nominations) + len(activities) == c.counts["rows_out"] == c.counts["rows_in"]
    file_status = {r["Tệp"]: r["Tình trạng tệp"] for r in nominations}
    assert file_status["thang_05/cheo_lan1.xlsx"] == "Được dùng"
    assert file_status["thang_05/la.xlsx"] == "Bị loại"
    row_status = {(r["Tệp"], r["Dòng"]): r["Tình trạng dòng"] for r in nominations}
    assert row_status[("thang_05/cheo_lan1.xlsx", 5)] == "Đang có hiệu lực"
    assert row_status[("thang_05/la.xlsx", 5)] == "Không tính: tệp bị loại"
    assert {r["Đơn vị"] or "" for r in nominations if r["Tệp"] == "thang_05/la.xlsx"} == {""}


# ---------------------------------------------------------------------------------------------
# The bundled samples


MANIFEST = json.loads((ROOT / "tests" / "golden" / "samples_manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def samples(tmp_path_factory, rules):
    output = tmp_path_factory.mktemp("samples") / "tong_hop.xlsx"
    c = consolidate(ROOT / "sample_workbooks", output, rules, as_of=dt.date.fromisoformat(MANIFEST["as_of"]))
    return c, output


def test_samples_statuses(samples, rules):
    """The samples as of 25/07/2023 give the statuses their manifest implies."""
    c = samples[0]
    assert MANIFEST["as_of"] == "2023-07-25"
    s = statuses(c)
    assert s[("CHEO", "2023-05")] == "Trễ hạn 3 ngày"
    assert s[("BTHN", "2023-06")] == "Trễ hạn 1 ngày"
    assert s[("CHEO", "2023-06")] == "Đúng hạn"
    assert s[("XIEC", "2023-05")] == "Nộp nhưng chưa hợp lệ"
    assert [s[("PTNK", cy)] for cy in ("2023-05", "2023-06", "2023-07")] == ["Chưa nộp"] * 3
    assert {s[(u.id, cy)] for u in rules.units for cy in ("2023-08", "2023-09")} == {"Chưa đến hạn"}
    bthn = cycle_row(c, "BTHN", "2023-06")
    assert (bthn["received_at"], bthn["evidence"], bthn["file"]) == (
        at("2023-06-20", "00:20:00"), EMAIL, "thang_06/thu_BTHN_thang06.eml › BTHN_thang06.xlsx")
    cheo = cycle_row(c, "CHEO", "2023-06")
    # The second June file corrects the first one's only nominee: the first is superseded.
    assert (cheo["file"], cheo["submissions"], cheo["valid_nominations"]) == (
        "thang_06/NH_Cheo_thang06_lan2.xlsx", 2, 1)
    lan1 = decision(c, "thang_06/NH_Cheo_thang06_lan1.xlsx")
    assert (lan1.status, lan1.superseded_by) == ("superseded", "thang_06/NH_Cheo_thang06_lan2.xlsx")
    cheo05 = cycle_row(c, "CHEO", "2023-05")
    assert (cheo05["received_at"], cheo05["evidence"], cheo05["days_late"]) == (at("2023-05-22"), SENT, 3)


def test_samples_every_manifest_file_is_attributed_as_listed(samples):
    """Each sample submission is attributed to the unit and cycle its manifest entry names."""
    c = samples[0]
    got = {c.validation.books[d.index].name: (d.unit_id, d.period or "") for d in c.decisions}
    assert got == {name: (e["unit"], e["cycle"]) for name, e in MANIFEST["files"].items()}


def test_samples_reconcile(samples):
    """On the samples, submissions = used + superseded + rejected and rows in = rows written."""
    c, output = samples
    assert c.counts["submissions"] == len(MANIFEST["files"])
    check_reconciles(c, output)


def test_samples_output_lists_every_inbox_file(samples):
    """The samples' "Tệp đã nhận" lists each inbox file with the SHA-256 of its bytes."""
    output = samples[1]
    ws = openpyxl.load_workbook(output)["Tệp đã nhận"]
    listed = {row["Tệp"].value: row["SHA-256"].value for row in table(ws, "Tệp")}
    inbox = ROOT / "sample_workbooks"
    for path in inbox.rglob("*"):
        if path.is_file():
            assert listed[path.relative_to(inbox).as_posix()] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert set(MANIFEST["files"]) <= set(listed)


def test_files_received_after_as_of_are_listed_not_counted(tmp_path, make_book, rules):
    """Consolidating "as of" a day is a view of the inbox on that day: a later file is listed, not used."""
    inbox = tmp_path / "inbox"
    make_book(name="som.xlsx", directory=inbox, info={"sent_date": dt.date(2023, 5, 10)})
    make_book(name="muon.xlsx", directory=inbox, unit="KICH", info={"sent_date": dt.date(2023, 6, 2)})
    c = consolidate(inbox, None, rules, as_of=dt.date(2023, 5, 31))
    late = decision(c, "muon.xlsx")
    assert (late.status, late.reason) == (
        "later", "nhận ngày 02/06/2023, sau ngày tính: chưa tính trong bảng tổng hợp đến hết ngày 31/05/2023; "
                 "sẽ được tính khi tổng hợp đến ngày nhận trở đi")
    assert (c.counts["later"], c.counts["rejected"], c.counts["used"]) == (1, 0, 1)
    status = {(r.unit, r.cycle): r.status for r in c.cycles.itertuples()}
    assert (status[("CHEO", "2023-05")], status[("KICH", "2023-05")]) == ("Đúng hạn", "Chưa nộp")


def test_same_person_and_deed_in_a_later_month_is_a_warning(tmp_path, make_book, rules):
    """DN-TRUNG-KY: a person and deed already proposed in May and sent again in June is flagged in June."""
    inbox = tmp_path / "inbox"
    again = good_row(name="Phạm Thị Lan", deed_date=dt.date(2023, 5, 3))
    make_book([again], name="t5.xlsx", directory=inbox, info={"sent_date": dt.date(2023, 5, 15)})
    make_book([good_row(2, name="Lê Văn Tâm", deed_date=dt.date(2023, 6, 2)), again], name="t6.xlsx",
              directory=inbox, period="2023-06", info={"sent_date": dt.date(2023, 6, 15)})
    c = consolidate(inbox, None, rules, as_of=dt.date(2023, 6, 30))
    found = [(f.file, f.cell, f.severity.value) for f in c.findings if f.rule_id == "DN-TRUNG-KY"]
    assert found == [("t6.xlsx", "B6", "warning")]
    [finding] = [f for f in c.findings if f.rule_id == "DN-TRUNG-KY"]
    assert "đã được đề nghị ở kỳ tháng 05/2023 (tệp t5.xlsx)" in finding.message


def test_a_copy_in_a_file_received_after_as_of_is_not_named(tmp_path, make_book, rules):
    """A June file (received after as-of) copying a May summary: the May row gets no DN-SAOCHEP as of
    31/05 (the office had not received the copy), and does once the June file counts."""
    inbox = tmp_path / "inbox"
    story = good_row(1, name="Trần Thị Bích")["summary"]
    make_book([good_row(1, name="Trần Thị Bích")], name="t5.xlsx", directory=inbox)
    make_book([good_row(1, name="Lê Văn Cường", summary=story, deed_date=dt.date(2023, 6, 2))], name="t6.xlsx",
              directory=inbox, unit="KICH", period="2023-06", info={"sent_date": dt.date(2023, 6, 10)})
    early = consolidate(inbox, None, rules, as_of=dt.date(2023, 5, 31))
    assert [(f.file, f.cell) for f in early.findings if f.rule_id == "DN-SAOCHEP"] == []
    later = consolidate(inbox, None, rules, as_of=dt.date(2023, 6, 30))
    assert [(f.file, f.cell) for f in later.findings if f.rule_id == "DN-SAOCHEP"] == [("t5.xlsx", "K5"), ("t6.xlsx", "K5")]


def test_ntvts_own_records_are_named_so_in_the_manifest(tmp_path, make_book, rules):
    """The receipt log fetch writes beside the mail it saved is listed as “Sổ của ntvt”, not “Bị loại”."""
    inbox = tmp_path / "inbox"
    make_book(unit="CHEO", name="cheo.xlsx", directory=inbox)
    (inbox / "so_nhan.csv").write_bytes(b"T\xc3\xaan t\xe1\xbb\x87p,Th\xe1\xbb\x9di \xc4\x91i\xe1\xbb\x83m nh\xe1\xba\xadn\n")
    consolidate(inbox, tmp_path / "out.xlsx", rules, as_of=dt.date(2023, 6, 30))
    ws = openpyxl.load_workbook(tmp_path / "out.xlsx")["Tệp đã nhận"]
    listed = {row["Tệp"].value: row for row in table(ws, "Tệp")}
    assert listed["so_nhan.csv"]["Tình trạng"].value == "Sổ của ntvt"
    assert listed["so_nhan.csv"]["Lý do, ghi chú"].value.startswith("sổ của ntvt (không phải báo cáo)")


def test_city_list_carries_the_warnings_of_its_own_rows_only(tmp_path, make_book, rules):
    """"Lưu ý khi xét" holds the warnings of the nominee's own row: not those of the row with the same
    number on another sheet (an activity dated before the plan, row 5 of "Hoạt động")."""
    inbox = tmp_path / "inbox"
    early = {**ACTIVITY, "date": dt.date(2022, 11, 15)}  # HD-NGAY: a warning at B5 of "Hoạt động"
    make_book([good_row(1, name="Phạm Văn Cũ", level="Thành phố")], name="a.xlsx", directory=inbox,
              activities=[early])
    c = consolidate(inbox, tmp_path / "out.xlsx", rules, as_of=dt.date(2023, 5, 31))
    [warning] = [f for f in c.findings if f.rule_id == "HD-NGAY"]
    assert (warning.sheet, warning.cell, warning.severity.value) == ("Hoạt động", "B5", "warning")
    wb = openpyxl.load_workbook(tmp_path / "out.xlsx")
    [row] = table(wb["Đề xuất Thành phố"], "STT")
    assert row["Họ và tên / Tên tập thể"].value == "Phạm Văn Cũ"
    assert row["Lưu ý khi xét"].value == "(nguồn: a.xlsx, dòng 5)"
