"""`ntvt fetch` end to end against a real Dovecot on loopback: fetch a month's mail into a folder,
then consolidate that folder; the wrong password, --plain to another machine, and IMAPS (TLS)."""

from __future__ import annotations

import datetime as dt
import socket

import pytest

from click.testing import CliRunner

from checker import api
from checker.cli.commands import main
from tests.builders.dovecot import PASSWORD, USER, dovecot
from tests.mailbox.mails import message

UTC = dt.timezone.utc


def run(*args, password=PASSWORD, **env):
    variables = {"NTVT_IMAP_PASSWORD": password, **env}
    return CliRunner(env=variables).invoke(main, [str(a) for a in args], prog_name="ntvt")


def test_a_report_sent_at_2330_utc_on_the_19th_is_late_in_hanoi(make_book, tmp_path, rules):
    """19/06 23:30 UTC is 20/06 06:30 in Hanoi: late for June (received "before the 20th")."""
    book = make_book(period="2023-06").read_bytes()
    into = tmp_path / "hop_thu"
    with dovecot() as server:
        server.append(message("Báo cáo tháng 6 - Nhà hát Chèo", "Mon, 19 Jun 2023 23:30:00 +0000",
                              attach=("CHEO_thang06.xlsx", book)), internaldate=dt.datetime(2023, 6, 19, 23, 30, 4, tzinfo=UTC))
        server.append(message("Thư mời", "Mon, 19 Jun 2023 08:00:00 +0700", sender="hc@kich.vn"),
                      internaldate=dt.datetime(2023, 6, 19, 1, 0, tzinfo=UTC))
        fetched = run("fetch", "--imap", f"127.0.0.1:{server.port}", "--user", USER, "--plain", "--into", into)
        again = run("fetch", "--imap", f"127.0.0.1:{server.port}", "--user", USER, "--plain", "--into", into)
    assert fetched.exit_code == 0, fetched.output
    assert fetched.output.splitlines()[:3] == [
        f"Hộp thư vanphong@127.0.0.1, thư mục “INBOX”: 2 thư mới (0 thư đã xem ở lần lấy trước); đã lưu 1 thư có "
        f"bảng tính vào {into}.",
        "Thư không có bảng tính (không lưu): 1 thư.",
        "  – hc@kich.vn: “Thư mời” – thư không có tệp bảng tính (kể cả trong tệp .zip hay thư đính kèm)"]
    assert fetched.output.splitlines()[3] == (f"Tổng hợp thư mục này kèm sổ nhận (lúc máy chủ thư nhận từng thư): "
                                              f"ntvt consolidate {into} -o tong_hop.xlsx --receipt-log "
                                              f"{into / 'so_nhan.csv'}")
    assert again.exit_code == 0 and "2 thư đã xem ở lần lấy trước); đã lưu 0 thư" in again.output
    [saved] = sorted(into.glob("*.eml"))
    out = tmp_path / "tong_hop.xlsx"
    consolidated = run("consolidate", into, "-o", out, "--receipt-log", into / "so_nhan.csv", "--as-of", "2023-07-25")
    assert consolidated.exit_code == 1, consolidated.output  # late units and missing ones are errors
    assert out.exists()
    result = api.consolidate(into, None, rules, as_of=dt.date(2023, 7, 25), receipt_log=into / "so_nhan.csv")
    june = result.cycles[(result.cycles.unit == "CHEO") & (result.cycles.cycle == "2023-06")].iloc[0]
    assert (june.status_code, str(june.received_at), june.file) == (
        "late", "2023-06-20 06:30:00+07:00", f"{saved.name} › CHEO_thang06.xlsx")


def test_a_wrong_password_is_said_in_vietnamese_and_exits_2(tmp_path):
    with dovecot() as server:
        result = run("fetch", "--imap", f"127.0.0.1:{server.port}", "--user", USER, "--plain", "--into",
                     tmp_path / "hop_thu", password="sai-mat-khau")
    assert result.exit_code == 2
    assert result.output.startswith(
        f"Lỗi: Máy chủ thư vanphong@127.0.0.1:{server.port} từ chối đăng nhập của “vanphong”: sai tên đăng nhập hoặc "
        f"mật khẩu. Kiểm tra lại rồi chạy lại (mật khẩu lấy từ biến NTVT_IMAP_PASSWORD, nếu có). Chi tiết kỹ thuật "
        f"đã ghi vào ")
    assert "sai-mat-khau" not in result.output
    assert not list((tmp_path / "hop_thu").glob("*.eml"))


def test_plain_to_another_machine_is_refused_before_connecting(tmp_path):
    result = run("fetch", "--imap", "mail.coquan.gov.vn:143", "--user", USER, "--plain", "--into", tmp_path)
    assert result.exit_code == 2
    assert ("--plain (không mã hóa) chỉ dùng được với máy chủ thư trên chính máy này (127.0.0.1), không dùng với "
            "“mail.coquan.gov.vn”: bỏ --plain để lấy thư có mã hóa TLS.") in result.output
    assert list(tmp_path.iterdir()) == []


def test_imaps_with_the_servers_certificate_trusted_or_not(make_book, tmp_path):
    book = make_book(period="2023-06").read_bytes()
    with dovecot(tls=True) as server:
        server.append(message("Báo cáo", "Tue, 13 Jun 2023 09:00:00 +0700", attach=("CHEO_thang06.xlsx", book)),
                      internaldate=dt.datetime(2023, 6, 13, 2, 0, tzinfo=UTC))
        untrusted = run("fetch", "--imap", f"127.0.0.1:{server.tls_port}", "--user", USER, "--into", tmp_path / "a")
        trusted = run("fetch", "--imap", f"127.0.0.1:{server.tls_port}", "--user", USER, "--into", tmp_path / "b",
                      NTVT_IMAP_CAFILE=str(server.cert))
    assert untrusted.exit_code == 2
    assert untrusted.output.startswith(f"Lỗi: Chứng thư (certificate) TLS của máy chủ thư vanphong@127.0.0.1:"
                                       f"{server.tls_port} không được tin cậy")
    assert trusted.exit_code == 0, trusted.output
    assert len(list((tmp_path / "b").glob("*.eml"))) == 1
    assert not (tmp_path / "a").exists() or not list((tmp_path / "a").glob("*.eml"))


def test_a_malformed_server_is_a_usage_error(tmp_path):
    result = run("fetch", "--imap", "mail.coquan.gov.vn:abc", "--user", USER, "--into", tmp_path)
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == ("Lỗi: “--imap”: Cổng “abc” trong “mail.coquan.gov.vn:abc” phải là một "
                                              "số từ 1 đến 65535.")


def test_starttls_on_port_143(make_book, tmp_path):
    """Port 143 speaks STARTTLS unless --plain: the login goes over TLS (the certificate is checked)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Dovecot does: a closed test's TIME_WAIT
        try:
            probe.bind(("127.0.0.1", 143))
        except OSError:
            pytest.skip("port 143 of 127.0.0.1 is taken or not allowed here")
    book = make_book(period="2023-06").read_bytes()
    with dovecot(tls=True, port=143) as server:
        server.append(message("Báo cáo", "Tue, 13 Jun 2023 09:00:00 +0700", attach=("CHEO_thang06.xlsx", book)),
                      internaldate=dt.datetime(2023, 6, 13, 2, 0, tzinfo=UTC))
        untrusted = run("fetch", "--imap", "127.0.0.1:143", "--user", USER, "--into", tmp_path / "a")
        trusted = run("fetch", "--imap", "127.0.0.1:143", "--user", USER, "--into", tmp_path / "b",
                      NTVT_IMAP_CAFILE=str(server.cert))
    assert untrusted.exit_code == 2
    assert untrusted.output.startswith("Lỗi: Chứng thư (certificate) TLS của máy chủ thư vanphong@127.0.0.1:143 "
                                       "không được tin cậy")
    assert trusted.exit_code == 0, trusted.output
    assert len(list((tmp_path / "b").glob("*.eml"))) == 1


def test_without_the_variable_the_password_is_asked_and_not_echoed(tmp_path):
    with dovecot() as server:
        result = CliRunner(env={"NTVT_IMAP_PASSWORD": None}).invoke(
            main, ["fetch", "--imap", f"127.0.0.1:{server.port}", "--user", USER, "--plain", "--into",
                   str(tmp_path / "hop_thu")], input=PASSWORD + "\n", prog_name="ntvt")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Mật khẩu hộp thư của “vanphong” trên máy chủ 127.0.0.1: \nHộp thư vanphong@")
    assert PASSWORD not in result.output
