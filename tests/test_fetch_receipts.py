"""End to end against a real Dovecot on loopback: a unit whose computer clock is five days slow sends
its June report inside a .zip; `ntvt fetch` saves it with the server's INTERNALDATE in so_nhan.csv,
and `consolidate --receipt-log` reads the zip, warns about the clock, counts the time the rules file
names and lists ntvt's own records in the folder as such."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from click.testing import CliRunner

from checker import api
from checker.cli.commands import main
from checker.ruleset.spec import MailRules
from tests.builders.dovecot import PASSWORD, USER, dovecot
from tests.mailbox.mails import message, zipped

UTC = dt.timezone.utc
HANOI = dt.timezone(dt.timedelta(hours=7))
AS_OF = dt.date(2023, 7, 25)


@pytest.fixture
def fetched(make_book, tmp_path):
    """The folder one fetch filled: Nhà hát Chèo's report in a zip, its Date six days before the
    server got it (late by the server, in time by the Date), and Nhà hát Kịch's, 20 seconds apart."""
    cheo = make_book(unit="CHEO", period="2023-06").read_bytes()
    kich = make_book(unit="KICH", period="2023-06").read_bytes()
    into = tmp_path / "hop_thu"
    with dovecot() as server:
        # Date says 14/06 09:00 (Hanoi); the server received it on 20/06 at 09:00 (Hanoi): late.
        server.append(message("Báo cáo tháng 6 - Nhà hát Chèo", "Wed, 14 Jun 2023 09:00:00 +0700",
                              attach=("bc.zip", zipped(("CHEO_thang06.xlsx", cheo), ("ghi chu.txt", b"x")))),
                      internaldate=dt.datetime(2023, 6, 20, 2, 0, tzinfo=UTC))
        server.append(message("Báo cáo tháng 6 - Nhà hát Kịch", "Thu, 15 Jun 2023 08:00:00 +0700",
                              attach=("KICH_thang06.xlsx", kich), sender="vanthu@kich.vn"),
                      internaldate=dt.datetime(2023, 6, 15, 1, 0, 20, tzinfo=UTC))
        result = CliRunner(env={"NTVT_IMAP_PASSWORD": PASSWORD}).invoke(
            main, ["fetch", "--imap", f"127.0.0.1:{server.port}", "--user", USER, "--plain", "--into", str(into)],
            prog_name="ntvt")
    assert result.exit_code == 0, result.output
    return into


@pytest.mark.parametrize("evidence, status, received, kich, counted", [
    ("date_header", "on_time", "2023-06-14 09:00:00+07:00", "2023-06-15 08:00:00+07:00", "thư điện tử"),
    ("internaldate", "late", "2023-06-20 09:00:00+07:00", "2023-06-15 08:00:20+07:00", "sổ nhận văn bản"),
])
def test_fetch_then_consolidate_with_the_servers_receipt_times(fetched, rules, evidence, status, received, kich,
                                                                counted):
    chosen = replace(rules, mail=MailRules(date_tolerance_hours=24, receipt_evidence=evidence))
    c = api.consolidate(fetched, None, chosen, as_of=AS_OF, receipt_log=fetched / "so_nhan.csv")
    [cheo_mail] = sorted(p.name for p in fetched.glob("thu_20230620_*.eml"))
    cheo_file = f"{cheo_mail} › bc.zip › CHEO_thang06.xlsx"
    june = c.cycles[(c.cycles.unit.isin(["CHEO", "KICH"])) & (c.cycles.cycle == "2023-06")]
    assert sorted((r.unit, r.status_code, str(r.received_at), r.file) for r in june.itertuples()) == [
        ("CHEO", status, received, cheo_file),
        ("KICH", "on_time", kich, next(f for f in june.file if "KICH" in f))]
    [clock] = [f for f in c.findings if f.rule_id == "THU-GIO"]
    assert (clock.file, clock.severity.value) == (cheo_file, "warning")
    assert clock.message == (
        f"Thư “{cheo_mail}” ghi giờ gửi là 09:00 ngày 14/06/2023 giờ Hà Nội, nhưng máy chủ thư nhận thư lúc "
        f"09:00 ngày 20/06/2023 giờ Hà Nội (theo sổ nhận văn bản): lệch 144 giờ, quá 24 giờ cho phép. Đồng hồ "
        f"máy tính của đơn vị có thể đặt sai ngày giờ; thời điểm nhận đang được tính theo {counted}. Đề nghị đơn "
        f"vị chỉnh lại ngày, giờ và múi giờ (UTC+07:00) trên máy tính gửi thư; Văn phòng Sở đối chiếu thời điểm "
        f"nhận này với hạn nộp hằng tháng. (Căn cứ: Mục V, Kế hoạch số 327/KH-SVHTT.)")
    records = [(f.name, f.status) for f in c.inbox.files if f.status == "record"]
    assert records == [("so_lay_thu.sqlite3", "record"), ("so_nhan.csv", "record")]
    assert (c.counts["inbox_files"], c.counts["emails"], c.counts["submissions"], c.counts["not_submissions"]) == (
        4, 2, 2, 2)
