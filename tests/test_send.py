"""`ntvt send` end to end: the sample consolidation's reply drafts to a real SMTP server on loopback."""

from __future__ import annotations

import time

from click.testing import CliRunner

from checker.cli import main
from checker.mailbox.listing import shown_size
from checker.workspace.sendings import SENDINGS_FILE, Sendings

from .builders import smtp_server as servers
from .builders.smtp_server import OFFICE, free_port

# The shared fixtures (a real SMTP server on loopback, the sample drafts), taken into this module.
drafts = servers.drafts
smtp_server = servers.smtp_server
tls_server = servers.tls_server


def _send(folder, port, *more, env=None):
    args = ["send", str(folder), "--smtp", f"127.0.0.1:{port}", "--plain", "--from", OFFICE, *more]
    return CliRunner().invoke(main, args, env=env, catch_exceptions=False)


def test_a_dry_run_lists_the_drafts_and_sends_nothing(drafts, smtp_server):
    """Without --yes: 20 letters listed with address, subject, copies and size; PTNK named as unsent
    with what to do; nothing reaches the server; exit 0."""
    result = _send(drafts, smtp_server.port)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == (f"Sẽ gửi 20 thư trả lời, từ “Văn phòng Sở Văn hóa và Thể thao Hà Nội” <{OFFICE}>, qua máy "
                        f"chủ 127.0.0.1:{smtp_server.port} (không mã hóa, chỉ dùng trên máy này):")
    assert len([line for line in lines if line.startswith("- ")]) == 21
    copy = shown_size((drafts / "HOALO" / "HOALO_thang05_danh_dau.xlsx").stat().st_size)
    assert lines[6] == ("- Ban Quản lý Di tích Nhà tù Hỏa Lò (HOALO.eml): tới vanthu@donvi.gov.vn, tiêu đề “Kết quả "
                        "kiểm tra và nhắc gửi báo cáo còn thiếu, hồ sơ “Người tốt, việc tốt” – Ban Quản lý Di tích Nhà "
                        f"tù Hỏa Lò”, đính kèm 1 tệp (HOALO_thang05_danh_dau.xlsx, {copy}), "
                        f"cỡ {shown_size((drafts / 'HOALO.eml').stat().st_size)}.")
    assert lines[1] == ("- Bảo tàng Hà Nội (BTHN.eml): tới vanthu@baotanghanoi.vn, tiêu đề “Kết quả kiểm tra và nhắc gửi "
                        "báo cáo còn thiếu, hồ sơ “Người tốt, việc tốt” – Bảo tàng Hà Nội”, không có tệp đính kèm, "
                        f"cỡ {shown_size((drafts / 'BTHN.eml').stat().st_size)}.")
    assert lines[-3:] == [
        "Không gửi: chưa có địa chỉ (1 thư):",
        "- Trường Phổ thông năng khiếu Thể dục thể thao Hà Nội (PTNK.eml): hãy thêm dòng “email: …” cho đơn vị PTNK "
        "trong tệp quy tắc, hoặc đề nghị đơn vị điền ô “Email” ở trang “Thông tin đơn vị” của báo cáo, rồi tổng hợp "
        "lại để soạn lại thư.",
        "Chưa gửi thư nào. Kiểm tra danh sách trên rồi chạy lại lệnh với --yes để gửi."]
    assert smtp_server.handler.delivered == []
    assert not (drafts / SENDINGS_FILE).exists()


def test_yes_delivers_each_draft_once_and_a_second_run_nothing(drafts, smtp_server, capsys):
    """--yes sends the 20 addressed drafts (exit 1: PTNK's stays unsent); run again, it sends nothing."""
    started = time.perf_counter()
    first = _send(drafts, smtp_server.port, "--yes")
    seconds = time.perf_counter() - started
    assert first.exit_code == 1, first.output
    assert first.stdout.splitlines()[0].startswith("Đã gửi 20 thư trả lời, từ ")
    assert "máy chủ trả lời “250 2.0.0 Ok: queued as N20”." in first.stdout
    assert len(smtp_server.handler.delivered) == 20
    assert len(Sendings.in_folder(drafts).all()) == 20
    second = _send(drafts, smtp_server.port, "--yes")
    assert second.exit_code == 1
    assert "Đã gửi trước đó, không gửi lại (20 thư):" in second.stdout
    assert second.stdout.splitlines()[-1] == "Không có thư mới cần gửi."
    assert "- Bảo tàng Hà Nội (BTHN.eml): tới vanthu@baotanghanoi.vn, lúc " in second.stdout
    assert len(smtp_server.handler.delivered) == 20
    with capsys.disabled():
        print(f"\n[measure] ntvt send --yes, 20 drafts to aiosmtpd on loopback: {seconds:.2f} s")


def test_a_refused_recipient_is_named_and_the_others_go(drafts, smtp_server):
    """A 550 for BTHN's address: that letter is named with the server's words, the other 19 delivered."""
    smtp_server.handler.refuse = {"vanthu@baotanghanoi.vn"}
    result = _send(drafts, smtp_server.port, "--yes")
    assert result.exit_code == 1
    assert ("Máy chủ thư từ chối, chưa gửi (1 thư):\n- Bảo tàng Hà Nội (BTHN.eml): tới vanthu@baotanghanoi.vn, máy "
            "chủ trả lời “550 5.1.1 <vanthu@baotanghanoi.vn>: Recipient address rejected: User unknown”. Kiểm tra địa "
            "chỉ này với đơn vị, sửa rồi chạy lại (thư đã gửi không gửi lại).") in result.stdout
    assert len(smtp_server.handler.delivered) == 19


def test_no_server_exit_2_and_nothing_recorded(drafts):
    """No server at the port: one Vietnamese line, exit 2, nothing recorded as sent."""
    port = free_port()
    result = _send(drafts, port, "--yes")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Lỗi: Không kết nối được máy chủ thư 127.0.0.1:{port} (máy chủ không nhận kết "
                                    "nối ở cổng này): kiểm tra tên máy chủ, cổng và mạng rồi chạy lại. Chưa gửi thư "
                                    "nào. Chi tiết kỹ thuật đã ghi vào ")
    assert Sendings.in_folder(drafts).all() == []


def test_plain_to_another_machine_is_a_usage_error(drafts):
    """--plain to an address that is not loopback: exit 2, in Vietnamese, before any connection."""
    result = CliRunner().invoke(main, ["send", str(drafts), "--smtp", "mail.coquan.gov.vn", "--plain", "--yes"])
    assert result.exit_code == 2
    assert ("--plain (không mã hóa) chỉ dùng được với máy chủ thư trên chính máy này (127.0.0.1), không dùng với "
            "“mail.coquan.gov.vn”: bỏ --plain để gửi có mã hóa TLS.") in result.stderr


def test_no_sender_address_is_a_usage_error(drafts, smtp_server):
    """Neither --from nor an office_email in the rules file: exit 2, saying where to put it; nothing sent."""
    result = CliRunner().invoke(main, ["send", str(drafts), "--smtp", f"127.0.0.1:{smtp_server.port}", "--plain",
                                       "--yes"])
    assert result.exit_code == 2
    assert result.stderr.startswith("Lỗi: Không gửi được: chưa có địa chỉ người gửi: hãy thêm dòng “office_email: …” "
                                    "(địa chỉ thư của văn phòng) vào mục “plan” ở đầu tệp quy tắc, hoặc chỉ rõ bằng "
                                    "--from ĐỊA_CHỈ.")
    assert smtp_server.handler.delivered == []


def test_the_workspace_register_is_used(drafts, smtp_server, tmp_path):
    """With --workspace the sendings go into its register, not into the drafts folder."""
    result = _send(drafts, smtp_server.port, "--yes", "--workspace", str(tmp_path / "ws"))
    assert result.exit_code == 1
    assert not (drafts / SENDINGS_FILE).exists()
    again = _send(drafts, smtp_server.port, "--yes", "--workspace", str(tmp_path / "ws"))
    assert "Đã gửi trước đó, không gửi lại (20 thư):" in again.stdout
    assert len(smtp_server.handler.delivered) == 20


def test_the_password_is_asked_hidden_when_the_variable_is_unset(drafts, smtp_server):
    """--user without NTVT_SMTP_PASSWORD: asked with a hidden prompt (never echoed); this loopback server
    offers no login, which is said in Vietnamese (exit 2)."""
    result = CliRunner().invoke(main, ["send", str(drafts), "--smtp", f"127.0.0.1:{smtp_server.port}", "--plain",
                                       "--from", OFFICE, "--user", "vanphong", "--yes"],
                                input="matkhau-bi-mat\n", env={"NTVT_SMTP_PASSWORD": None})
    assert result.exit_code == 2
    assert "Mật khẩu của “vanphong” trên máy chủ thư 127.0.0.1: " in result.stderr
    assert "matkhau" not in result.output
    assert "không cho đăng nhập (không hỗ trợ AUTH)" in result.stderr
    with_variable = CliRunner().invoke(main, ["send", str(drafts), "--smtp", f"127.0.0.1:{smtp_server.port}",
                                              "--plain", "--from", OFFICE, "--user", "vanphong", "--yes"],
                                       env={"NTVT_SMTP_PASSWORD": "matkhau-bi-mat"})
    assert "Mật khẩu" not in with_variable.stderr and with_variable.exit_code == 2
    assert smtp_server.handler.delivered == []


def test_tls_is_the_default(drafts, tls_server):
    """Without --plain the command speaks TLS: a server whose certificate this machine does not trust is
    refused before any login (exit 2), nothing sent or recorded."""
    result = CliRunner().invoke(main, ["send", str(drafts), "--smtp", f"127.0.0.1:{tls_server.port}", "--from",
                                       OFFICE, "--user", "vanphong", "--yes"], env={"NTVT_SMTP_PASSWORD": "x"})
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Lỗi: Chứng thư (certificate) TLS của máy chủ thư 127.0.0.1:{tls_server.port} "
                                    "không được tin cậy")
    assert tls_server.handler.delivered == [] and Sendings.in_folder(drafts).all() == []
